//! Calendar arithmetic, slicing and aggregation on [`HistoricalReturns`].

// See `load.rs`: a `DataError` is large and rare.
#![allow(clippy::result_large_err)]

use super::{DataError, HistoricalReturns, SeriesId};

impl HistoricalReturns {
    /// Number of steps (periods) in every series.
    pub fn len(&self) -> usize {
        self.inflation.len()
    }

    /// True when there are no steps.
    pub fn is_empty(&self) -> bool {
        self.inflation.is_empty()
    }

    /// The returns of one series, if this data set has it.
    pub fn get(&self, id: SeriesId) -> Option<&[f64]> {
        self.series
            .iter()
            .find(|(sid, _)| *sid == id)
            .map(|(_, v)| v.as_slice())
    }

    /// The series this data set provides, in stored order.
    pub fn series_ids(&self) -> Vec<SeriesId> {
        self.series.iter().map(|(id, _)| *id).collect()
    }

    /// Calendar months covered by one step (12 for annual, 1 for monthly). Values of
    /// `steps_per_year` that do not divide 12 are treated as annual.
    pub fn months_per_step(&self) -> u32 {
        match self.steps_per_year {
            2 | 3 | 4 | 6 | 12 => 12 / self.steps_per_year,
            _ => 12,
        }
    }

    fn is_annual(&self) -> bool {
        self.months_per_step() == 12
    }

    /// Month index (year * 12 + month - 1) at which step `i` starts; `i` may be out of range.
    fn start_index(&self, i: i64) -> i64 {
        let first_month = i64::from(self.first_month.clamp(1, 12));
        i64::from(self.first_year) * 12 + (first_month - 1) + i * i64::from(self.months_per_step())
    }

    /// (year, month) at which step `i` starts.
    fn start_of(&self, i: i64) -> (i32, u32) {
        split_month_index(self.start_index(i))
    }

    /// Label of a step: "1966" for annual data, "1966-01" for monthly (the step's first
    /// month). Indices past the end are labelled by extrapolating the calendar.
    pub fn label(&self, step_index: usize) -> String {
        let i = i64::try_from(step_index).unwrap_or(i64::MAX / 24);
        let (year, month) = self.start_of(i);
        if self.is_annual() {
            format!("{year}")
        } else {
            format!("{year}-{month:02}")
        }
    }

    /// The calendar (year, month) in which the last step ends: December of the last year
    /// for annual data, the last month for monthly data. For empty data, the month before
    /// the first step would have started.
    pub fn last_year_month(&self) -> (i32, u32) {
        let len = i64::try_from(self.len()).unwrap_or(i64::MAX / 24);
        split_month_index(self.start_index(len) - 1)
    }

    /// The calendar (year, month) in which the first step starts.
    pub fn first_year_month(&self) -> (i32, u32) {
        self.start_of(0)
    }

    /// The inclusive range of calendar years with at least one step, or `None` if empty.
    pub fn year_range(&self) -> Option<(i32, i32)> {
        if self.is_empty() {
            return None;
        }
        Some((self.first_year_month().0, self.last_year_month().0))
    }

    fn describe_coverage(&self) -> String {
        match self.year_range() {
            None => "no steps at all".to_string(),
            Some((a, b)) if self.is_annual() => format!("the years {a} to {b}"),
            Some((a, b)) => {
                let (fy, fm) = self.first_year_month();
                let (ly, lm) = self.last_year_month();
                format!(
                    "{fy}-{fm:02} to {ly}-{lm:02} (calendar years {a} to {b}, first and last possibly partial)"
                )
            }
        }
    }

    /// The steps that start in calendar years `from_year..=to_year`.
    ///
    /// For monthly data the first and last available years may be partial (the shipped
    /// Shiller data has 1871-02..1871-12 and 2026-01..2026-03); use
    /// [`HistoricalReturns::to_annual`] when only whole years should count.
    pub fn slice_years(
        &self,
        from_year: i32,
        to_year: i32,
    ) -> Result<HistoricalReturns, DataError> {
        let err = || DataError::YearsOutOfRange {
            dataset: self.dataset.key(),
            from: from_year,
            to: to_year,
            available: self.describe_coverage(),
        };
        let Some((first, last)) = self.year_range() else {
            return Err(err());
        };
        if from_year > to_year || from_year < first || to_year > last {
            return Err(err());
        }
        let in_range = |i: usize| {
            let i = i64::try_from(i).unwrap_or(i64::MAX / 24);
            let year = self.start_of(i).0;
            (from_year..=to_year).contains(&year)
        };
        let Some(start) = (0..self.len()).find(|&i| in_range(i)) else {
            return Err(err());
        };
        let end = (start..self.len())
            .take_while(|&i| in_range(i))
            .last()
            .map_or(start, |i| i + 1);
        Ok(self.steps(start, end))
    }

    /// Steps `start..end` (clamped to the data) as a new value with the calendar adjusted.
    fn steps(&self, start: usize, end: usize) -> HistoricalReturns {
        let end = end.min(self.len());
        let start = start.min(end);
        let (first_year, first_month) = self.start_of(i64::try_from(start).unwrap_or(0));
        let cut = |v: &Vec<f64>| v.get(start..end).map(<[f64]>::to_vec).unwrap_or_default();
        HistoricalReturns {
            dataset: self.dataset,
            steps_per_year: self.steps_per_year,
            first_year,
            first_month: if self.is_annual() { 1 } else { first_month },
            series: self.series.iter().map(|(id, v)| (*id, cut(v))).collect(),
            inflation: cut(&self.inflation),
        }
    }

    /// Compounds sub-annual steps into calendar-year returns, keeping only complete years
    /// (January to December); inflation is compounded the same way. Annual data is returned
    /// unchanged.
    pub fn to_annual(&self) -> HistoricalReturns {
        if self.is_annual() {
            return self.clone();
        }
        let per_year = usize::try_from(12 / self.months_per_step()).unwrap_or(12);
        // The first step that starts in January.
        let offset = (0..per_year.min(self.len()))
            .find(|&i| self.start_of(i64::try_from(i).unwrap_or(0)).1 == 1)
            .unwrap_or(self.len());
        let years = self.len().saturating_sub(offset) / per_year;
        let first_year = if offset < self.len() {
            self.start_of(i64::try_from(offset).unwrap_or(0)).0
        } else {
            // No January in the data: the first year that could start after it.
            self.last_year_month().0.saturating_add(1)
        };
        let compound = |v: &Vec<f64>| -> Vec<f64> {
            (0..years)
                .map(|y| {
                    let from = offset + y * per_year;
                    v.get(from..from + per_year).map_or(f64::NAN, |chunk| {
                        chunk.iter().fold(1.0, |acc, r| acc * (1.0 + r)) - 1.0
                    })
                })
                .collect()
        };
        HistoricalReturns {
            dataset: self.dataset,
            steps_per_year: 1,
            first_year,
            first_month: 1,
            series: self
                .series
                .iter()
                .map(|(id, v)| (*id, compound(v)))
                .collect(),
            inflation: compound(&self.inflation),
        }
    }
}

fn split_month_index(m: i64) -> (i32, u32) {
    let year = i32::try_from(m.div_euclid(12)).unwrap_or(if m < 0 { i32::MIN } else { i32::MAX });
    let month = u32::try_from(m.rem_euclid(12) + 1).unwrap_or(1);
    (year, month)
}
