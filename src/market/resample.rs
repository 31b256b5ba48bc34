//! Paths made of historical returns: rolling windows and the circular block bootstrap.

use super::{PathCursor, StepReturns};
use crate::history::{HistoricalReturns, SeriesId};
use crate::portfolio::MAX_ASSETS;
use rand::{Rng, RngExt};
use thiserror::Error;

/// How history becomes paths.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum HistoricalMode {
    /// One path per start step: every window of the horizon's length in the period.
    Rolling,
    /// Circular block bootstrap with blocks of this many steps (1 = iid bootstrap).
    Bootstrap { block_steps: usize },
}

#[derive(Debug, Clone, PartialEq, Error)]
pub enum ResampleError {
    #[error("series `{series}` is not in the {dataset} data set; available: {available}")]
    MissingSeries {
        series: String,
        dataset: String,
        available: String,
    },
    #[error("the period has {have} steps of data but at least {need} are needed")]
    TooShort { have: usize, need: usize },
    #[error("block length must be at least 1 step")]
    ZeroBlock,
}

/// Historical returns laid out row by row for fast per-step reads.
#[derive(Clone, Debug)]
pub struct HistoricalPaths {
    rows: Vec<[f64; MAX_ASSETS]>,
    inflation: Vec<f64>,
    labels: Vec<String>,
    assets: usize,
    mode: HistoricalMode,
    description: String,
    /// Rolling windows restricted to chosen start rows, with their labels (cohorts).
    chosen: Option<Vec<(usize, String)>>,
}

impl HistoricalPaths {
    /// Maps each asset to a series of `data`. `data` should already be sliced to the
    /// period and converted to the step frequency.
    pub fn new(
        data: &HistoricalReturns,
        series: &[SeriesId],
        mode: HistoricalMode,
    ) -> Result<Self, ResampleError> {
        let columns: Vec<&[f64]> = series
            .iter()
            .map(|id| {
                data.series
                    .iter()
                    .find(|(s, _)| s == id)
                    .map(|(_, v)| v.as_slice())
                    .ok_or_else(|| ResampleError::MissingSeries {
                        series: id.key().to_string(),
                        dataset: data.dataset.key().to_string(),
                        available: data
                            .series
                            .iter()
                            .map(|(s, _)| s.key())
                            .collect::<Vec<_>>()
                            .join(", "),
                    })
            })
            .collect::<Result<_, _>>()?;
        if let HistoricalMode::Bootstrap { block_steps: 0 } = mode {
            return Err(ResampleError::ZeroBlock);
        }
        let len = data.inflation.len();
        if len == 0 {
            return Err(ResampleError::TooShort { have: 0, need: 1 });
        }
        let rows = (0..len)
            .map(|k| {
                let mut row = [1.0; MAX_ASSETS];
                for (slot, col) in row.iter_mut().zip(&columns) {
                    *slot = 1.0 + col[k];
                }
                row
            })
            .collect();
        let labels = (0..len).map(|k| step_label(data, k)).collect::<Vec<_>>();
        let how = match mode {
            HistoricalMode::Rolling => "historical rolling windows".to_string(),
            HistoricalMode::Bootstrap { block_steps: 1 } => "iid bootstrap".to_string(),
            HistoricalMode::Bootstrap { block_steps } => {
                format!("circular block bootstrap ({block_steps}-step blocks)")
            }
        };
        let description = format!(
            "{how}, {} {}-{}",
            data.dataset.key(),
            labels[0],
            labels[len - 1]
        );
        Ok(Self {
            rows,
            inflation: data.inflation.iter().map(|i| 1.0 + i).collect(),
            labels,
            assets: series.len(),
            mode,
            description,
            chosen: None,
        })
    }

    /// Rolling windows for chosen retirement cohorts only: for each calendar year, the path
    /// starts `lead_steps` before the first step of that year, so retirement begins then.
    /// Errors name the first cohort whose start is outside the data.
    pub fn with_cohorts(
        mut self,
        years: &[i32],
        lead_steps: usize,
        steps: usize,
    ) -> Result<Self, String> {
        let mut chosen = Vec::new();
        for &y in years {
            let row = self
                .labels
                .iter()
                .position(|l| l == &y.to_string() || l == &format!("{y}-01"))
                .ok_or_else(|| {
                    format!(
                        "cohort {y} is outside the data ({} to {})",
                        self.labels[0],
                        self.labels[self.len() - 1]
                    )
                })?;
            let start = row.checked_sub(lead_steps).ok_or_else(|| {
                format!(
                    "cohort {y}: the years before retirement start before the data ({})",
                    self.labels[0]
                )
            })?;
            // A horizon that runs past the end of the data continues from its start, as in
            // the circular bootstrap; the label says so.
            let label = if start + steps > self.len() {
                format!("retire {y} (wraps after {})", self.labels[self.len() - 1])
            } else {
                format!("retire {y}")
            };
            chosen.push((start, label));
        }
        self.description = format!(
            "{}, cohorts retiring {}",
            self.description,
            years
                .iter()
                .map(|y| y.to_string())
                .collect::<Vec<_>>()
                .join(", ")
        );
        self.chosen = Some(chosen);
        Ok(self)
    }

    pub fn assets(&self) -> usize {
        self.assets
    }

    pub fn len(&self) -> usize {
        self.rows.len()
    }

    pub fn is_empty(&self) -> bool {
        self.rows.is_empty()
    }

    pub fn mode(&self) -> HistoricalMode {
        self.mode
    }

    pub fn describe(&self) -> String {
        self.description.clone()
    }

    /// Rolling windows: how many full windows of `steps` fit.
    pub fn fixed_path_count(&self, steps: usize) -> Option<usize> {
        match (&self.chosen, self.mode) {
            (Some(c), _) => Some(c.len()),
            (None, HistoricalMode::Rolling) => Some((self.len() + 1).saturating_sub(steps)),
            (None, HistoricalMode::Bootstrap { .. }) => None,
        }
    }

    /// Label of a path: for rolling windows, the period `offset` steps after its start
    /// (e.g. the retirement date); for cohorts, the cohort.
    pub fn path_label(&self, path: usize, offset: usize) -> Option<String> {
        if let Some(c) = &self.chosen {
            return c.get(path).map(|(_, l)| l.clone());
        }
        let path = (path + offset) % self.len().max(1);
        match self.mode {
            HistoricalMode::Rolling => self.labels.get(path).cloned(),
            HistoricalMode::Bootstrap { .. } => None,
        }
    }

    pub(super) fn start_path<R: Rng + ?Sized>(&self, path: usize, _rng: &mut R) -> PathCursor {
        match self.mode {
            HistoricalMode::Rolling => PathCursor {
                row: self
                    .chosen
                    .as_ref()
                    .and_then(|c| c.get(path))
                    .map_or(path, |(start, _)| *start),
                left_in_block: usize::MAX,
            },
            HistoricalMode::Bootstrap { .. } => PathCursor::default(),
        }
    }

    #[inline]
    pub(super) fn next_step<R: Rng + ?Sized>(
        &self,
        cursor: &mut PathCursor,
        rng: &mut R,
        out: &mut StepReturns,
    ) {
        let len = self.rows.len();
        if let HistoricalMode::Bootstrap { block_steps } = self.mode {
            if cursor.left_in_block == 0 {
                cursor.row = rng.random_range(0..len);
                cursor.left_in_block = block_steps;
            }
            cursor.left_in_block -= 1;
        }
        // Rolling windows never run past the end (path count is limited); the modulo makes
        // the bootstrap circular.
        let row = cursor.row % len;
        out.gross = self.rows[row];
        out.inflation_gross = self.inflation[row];
        cursor.row = row + 1;
    }
}

/// "1966" for annual data, "1966-01" for monthly.
fn step_label(data: &HistoricalReturns, k: usize) -> String {
    if data.steps_per_year == 1 {
        format!("{}", data.first_year + k as i32)
    } else {
        let m0 = (data.first_month as usize - 1) + k;
        format!("{}-{:02}", data.first_year + (m0 / 12) as i32, m0 % 12 + 1)
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::history::Dataset;
    use rand::SeedableRng;
    use rand_xoshiro::Xoshiro256PlusPlus;

    /// A small annual data set: stocks 10%, 20%, ..., bonds 1%, 2%, ..., CPI 0.
    pub(crate) fn toy_history(len: usize) -> HistoricalReturns {
        HistoricalReturns {
            dataset: Dataset::Damodaran,
            steps_per_year: 1,
            first_year: 2000,
            first_month: 1,
            series: vec![
                (
                    SeriesId::UsStocks,
                    (1..=len).map(|k| k as f64 / 10.0).collect(),
                ),
                (
                    SeriesId::Tbonds10y,
                    (1..=len).map(|k| k as f64 / 100.0).collect(),
                ),
            ],
            inflation: vec![0.0; len],
        }
    }

    #[test]
    fn rolling_windows_cover_every_start() {
        let h = HistoricalPaths::new(
            &toy_history(5),
            &[SeriesId::UsStocks, SeriesId::Tbonds10y],
            HistoricalMode::Rolling,
        )
        .unwrap();
        assert_eq!(h.fixed_path_count(3), Some(3));
        assert_eq!(h.path_label(2, 0).as_deref(), Some("2002"));
        assert_eq!(h.path_label(2, 1).as_deref(), Some("2003"));
        let mut rng = Xoshiro256PlusPlus::seed_from_u64(1);
        let mut out = StepReturns::default();
        let mut c = h.start_path(2, &mut rng);
        let mut got = vec![];
        for _ in 0..3 {
            h.next_step(&mut c, &mut rng, &mut out);
            got.push((out.gross[0], out.gross[1]));
        }
        assert_eq!(got, vec![(1.3, 1.03), (1.4, 1.04), (1.5, 1.05)]);
    }

    #[test]
    fn block_bootstrap_keeps_blocks_contiguous_and_wraps() {
        let h = HistoricalPaths::new(
            &toy_history(7),
            &[SeriesId::UsStocks],
            HistoricalMode::Bootstrap { block_steps: 3 },
        )
        .unwrap();
        let mut rng = Xoshiro256PlusPlus::seed_from_u64(9);
        let mut out = StepReturns::default();
        let mut c = h.start_path(0, &mut rng);
        let mut rows = vec![];
        for _ in 0..30 {
            h.next_step(&mut c, &mut rng, &mut out);
            rows.push(((out.gross[0] - 1.0) * 10.0).round() as usize - 1);
        }
        for block in rows.chunks(3) {
            assert_eq!(block[1], (block[0] + 1) % 7, "{rows:?}");
            assert_eq!(block[2], (block[0] + 2) % 7, "{rows:?}");
        }
    }

    #[test]
    fn missing_series_is_named() {
        let err = HistoricalPaths::new(&toy_history(3), &[SeriesId::Gold], HistoricalMode::Rolling)
            .unwrap_err();
        assert_eq!(
            err.to_string(),
            "series `gold` is not in the damodaran data set; available: us_stocks, tbonds_10y"
        );
    }
}
