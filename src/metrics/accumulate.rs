//! Streaming aggregation while paths run: fixed-size histograms (integer counts, exact to
//! merge in any order) and per-chunk floating-point sums (merged in chunk order).

use super::quantile::{LinearHistogram, WealthHistogram};
use crate::engine::{PathOutcome, YearEndSink};
use crate::household::book::TaxOutcome;

/// Integer-count aggregates; one per worker thread, merged at the end.
#[derive(Clone, Debug)]
pub struct Histograms {
    pub(crate) years: u32,
    /// Index `strategy * (years + 1) + year`.
    pub(crate) real: Vec<WealthHistogram>,
    pub(crate) nominal: Vec<WealthHistogram>,
    pub(crate) solvent: Vec<u64>,
    pub(crate) cagr: Vec<LinearHistogram>,
    pub(crate) volatility: Vec<LinearHistogram>,
    pub(crate) max_drawdown: Vec<LinearHistogram>,
    /// Real spending per strategy and year, index as `real`.
    pub(crate) spending: Vec<WealthHistogram>,
    /// Lifetime real spending per strategy.
    pub(crate) spending_total: Vec<WealthHistogram>,
    pub(crate) first_decade: Vec<LinearHistogram>,
    /// With accounts (else empty): real tax per strategy and year (index as `real`),
    /// lifetime real tax and after-tax terminal real wealth per strategy.
    pub(crate) taxes: Vec<WealthHistogram>,
    pub(crate) taxes_total: Vec<WealthHistogram>,
    pub(crate) after_tax: Vec<WealthHistogram>,
}

impl Histograms {
    /// `taxed`: the run has accounts, so tax histograms are kept too.
    pub fn new(n_strat: usize, years: u32, taxed: bool) -> Self {
        let cells = n_strat * (years as usize + 1);
        let if_taxed = |n: usize| if taxed { n } else { 0 };
        Self {
            taxes: vec![WealthHistogram::new(); if_taxed(cells)],
            taxes_total: vec![WealthHistogram::new(); if_taxed(n_strat)],
            after_tax: vec![WealthHistogram::new(); if_taxed(n_strat)],
            years,
            real: vec![WealthHistogram::new(); cells],
            nominal: vec![WealthHistogram::new(); cells],
            solvent: vec![0; cells],
            cagr: vec![LinearHistogram::new(-1.0, 1.0, 4000); n_strat],
            volatility: vec![LinearHistogram::new(0.0, 2.0, 4000); n_strat],
            max_drawdown: vec![LinearHistogram::new(0.0, 1.0, 2000); n_strat],
            spending: vec![WealthHistogram::new(); cells],
            spending_total: vec![WealthHistogram::new(); n_strat],
            first_decade: vec![LinearHistogram::new(-0.5, 0.5, 4000); n_strat],
        }
    }

    pub(crate) fn cell(&self, strategy: usize, year: u32) -> usize {
        strategy * (self.years as usize + 1) + year as usize
    }

    pub fn add_path(&mut self, strategy: usize, o: &PathOutcome) {
        self.cagr[strategy].add(o.cagr);
        self.volatility[strategy].add(o.volatility);
        self.max_drawdown[strategy].add(o.max_drawdown);
        self.spending_total[strategy].add(o.spending_real);
        if let Some(r) = o.first_decade_real_return {
            self.first_decade[strategy].add(r);
        }
        if !self.taxes_total.is_empty() {
            self.taxes_total[strategy].add(o.tax.taxes_real);
            self.after_tax[strategy].add(o.tax.after_tax_real);
        }
    }

    pub fn merge(&mut self, other: &Histograms) {
        for (a, b) in self.real.iter_mut().zip(&other.real) {
            a.merge(b);
        }
        for (a, b) in self.nominal.iter_mut().zip(&other.nominal) {
            a.merge(b);
        }
        for (a, b) in self.solvent.iter_mut().zip(&other.solvent) {
            *a += b;
        }
        for (a, b) in self.cagr.iter_mut().zip(&other.cagr) {
            a.merge(b);
        }
        for (a, b) in self.volatility.iter_mut().zip(&other.volatility) {
            a.merge(b);
        }
        for (a, b) in self.max_drawdown.iter_mut().zip(&other.max_drawdown) {
            a.merge(b);
        }
        for (a, b) in self.spending.iter_mut().zip(&other.spending) {
            a.merge(b);
        }
        for (a, b) in self.spending_total.iter_mut().zip(&other.spending_total) {
            a.merge(b);
        }
        for (a, b) in self.first_decade.iter_mut().zip(&other.first_decade) {
            a.merge(b);
        }
        for (mine, theirs) in [
            (&mut self.taxes, &other.taxes),
            (&mut self.taxes_total, &other.taxes_total),
            (&mut self.after_tax, &other.after_tax),
        ] {
            for (a, b) in mine.iter_mut().zip(theirs) {
                a.merge(b);
            }
        }
    }
}

/// Sums of one strategy's tax outcomes over paths (nominal dollars unless `_real`).
#[derive(Clone, Copy, Debug, Default)]
pub struct TaxSums {
    pub taxes_real: f64,
    pub after_tax_real: f64,
    pub realized_gains: f64,
    pub harvested_losses: f64,
    pub lost_to_ira: f64,
    pub penalties: f64,
    pub medicare_surcharges: f64,
    pub rmds: f64,
    pub conversions: f64,
    pub excess_contributions: f64,
    pub traded: [f64; 3],
}

impl TaxSums {
    fn add(&mut self, t: &TaxOutcome) {
        self.taxes_real += t.taxes_real;
        self.after_tax_real += t.after_tax_real;
        self.realized_gains += t.realized_gains;
        self.harvested_losses += t.harvested_losses;
        self.lost_to_ira += t.lost_to_ira;
        self.penalties += t.penalties;
        self.medicare_surcharges += t.medicare_surcharges;
        self.rmds += t.rmds;
        self.conversions += t.conversions;
        self.excess_contributions += t.excess_contributions;
        for (a, b) in self.traded.iter_mut().zip(t.traded) {
            *a += b;
        }
    }

    fn merge(&mut self, o: &TaxSums) {
        self.add(&TaxOutcome {
            taxes: 0.0,
            taxes_real: o.taxes_real,
            after_tax_real: o.after_tax_real,
            realized_gains: o.realized_gains,
            harvested_losses: o.harvested_losses,
            lost_to_ira: o.lost_to_ira,
            penalties: o.penalties,
            medicare_surcharges: o.medicare_surcharges,
            rmds: o.rmds,
            conversions: o.conversions,
            excess_contributions: o.excess_contributions,
            traded: o.traded,
        });
    }
}

/// Floating-point sums of one chunk of paths, per strategy.
#[derive(Clone, Debug, Default)]
pub struct ChunkSums {
    pub(crate) paths: u64,
    pub(crate) successes: Vec<u64>,
    pub(crate) rebalances: Vec<u64>,
    pub(crate) legs: Vec<u64>,
    pub(crate) dollars_traded: Vec<f64>,
    pub(crate) turnover: Vec<f64>,
    pub(crate) fees: Vec<f64>,
    pub(crate) contributions: Vec<f64>,
    pub(crate) withdrawals: Vec<f64>,
    /// Paired with the baseline: sum and sum of squares of the terminal real difference,
    /// of the success difference, and the count of paths ahead.
    pub(crate) diff: Vec<f64>,
    pub(crate) diff_sq: Vec<f64>,
    pub(crate) success_diff: Vec<f64>,
    pub(crate) success_diff_sq: Vec<f64>,
    pub(crate) ahead: Vec<u64>,
    /// Sum of real wealth per strategy and year, index `strategy * (years + 1) + year`.
    pub(crate) year_real: Vec<f64>,
    pub(crate) year_spending: Vec<f64>,
    pub(crate) spending: Vec<f64>,
    /// Regression of terminal real wealth (y) on the first-decade real return (x):
    /// count, sums of x, y, x^2, y^2 and xy.
    pub(crate) decade_n: Vec<u64>,
    pub(crate) decade_sums: Vec<[f64; 5]>,
    pub(crate) tax: Vec<TaxSums>,
    /// Real tax per strategy and year, index as `year_real`.
    pub(crate) year_taxes: Vec<f64>,
    years: u32,
}

impl ChunkSums {
    pub fn new(n_strat: usize, years: u32) -> Self {
        let z = vec![0.0; n_strat];
        let zu = vec![0u64; n_strat];
        Self {
            paths: 0,
            successes: zu.clone(),
            rebalances: zu.clone(),
            legs: zu.clone(),
            dollars_traded: z.clone(),
            turnover: z.clone(),
            fees: z.clone(),
            contributions: z.clone(),
            withdrawals: z.clone(),
            diff: z.clone(),
            diff_sq: z.clone(),
            success_diff: z.clone(),
            success_diff_sq: z,
            ahead: zu,
            year_real: vec![0.0; n_strat * (years as usize + 1)],
            year_spending: vec![0.0; n_strat * (years as usize + 1)],
            spending: vec![0.0; n_strat],
            decade_n: vec![0; n_strat],
            decade_sums: vec![[0.0; 5]; n_strat],
            tax: vec![TaxSums::default(); n_strat],
            year_taxes: vec![0.0; n_strat * (years as usize + 1)],
            years,
        }
    }

    /// Adds one path's outcomes for every strategy.
    pub fn add_path(&mut self, out: &[PathOutcome], baseline: usize) {
        self.paths += 1;
        let base = out.get(baseline).copied().unwrap_or_default();
        for (s, o) in out.iter().enumerate() {
            self.successes[s] += u64::from(!o.failed);
            self.rebalances[s] += u64::from(o.rebalances);
            self.legs[s] += u64::from(o.legs);
            self.dollars_traded[s] += o.dollars_traded;
            self.turnover[s] += o.turnover;
            self.fees[s] += o.fees;
            self.contributions[s] += o.contributions;
            self.withdrawals[s] += o.withdrawals;
            let d = o.terminal_real - base.terminal_real;
            self.diff[s] += d;
            self.diff_sq[s] += d * d;
            let sd = f64::from(u8::from(!o.failed)) - f64::from(u8::from(!base.failed));
            self.success_diff[s] += sd;
            self.success_diff_sq[s] += sd * sd;
            self.ahead[s] += u64::from(d > 0.0);
            self.spending[s] += o.spending_real;
            self.tax[s].add(&o.tax);
            if let Some(x) = o.first_decade_real_return {
                let y = o.terminal_real;
                self.decade_n[s] += 1;
                let sums = &mut self.decade_sums[s];
                sums[0] += x;
                sums[1] += y;
                sums[2] += x * x;
                sums[3] += y * y;
                sums[4] += x * y;
            }
        }
    }

    /// Adds another chunk's sums (call in chunk order for bit-identical results).
    pub fn merge(&mut self, o: &ChunkSums) {
        self.paths += o.paths;
        let add_u = |a: &mut Vec<u64>, b: &Vec<u64>| a.iter_mut().zip(b).for_each(|(x, y)| *x += y);
        let add_f = |a: &mut Vec<f64>, b: &Vec<f64>| a.iter_mut().zip(b).for_each(|(x, y)| *x += y);
        add_u(&mut self.successes, &o.successes);
        add_u(&mut self.rebalances, &o.rebalances);
        add_u(&mut self.legs, &o.legs);
        add_f(&mut self.dollars_traded, &o.dollars_traded);
        add_f(&mut self.turnover, &o.turnover);
        add_f(&mut self.fees, &o.fees);
        add_f(&mut self.contributions, &o.contributions);
        add_f(&mut self.withdrawals, &o.withdrawals);
        add_f(&mut self.diff, &o.diff);
        add_f(&mut self.diff_sq, &o.diff_sq);
        add_f(&mut self.success_diff, &o.success_diff);
        add_f(&mut self.success_diff_sq, &o.success_diff_sq);
        add_u(&mut self.ahead, &o.ahead);
        add_f(&mut self.year_real, &o.year_real);
        add_f(&mut self.year_spending, &o.year_spending);
        add_f(&mut self.spending, &o.spending);
        add_f(&mut self.year_taxes, &o.year_taxes);
        for (a, b) in self.tax.iter_mut().zip(&o.tax) {
            a.merge(b);
        }
        add_u(&mut self.decade_n, &o.decade_n);
        for (a, b) in self.decade_sums.iter_mut().zip(&o.decade_sums) {
            for (x, y) in a.iter_mut().zip(b) {
                *x += y;
            }
        }
    }

    /// A sink that records year-end wealth into `hist` and these sums.
    pub fn year_sink<'a>(&'a mut self, hist: &'a mut Histograms) -> YearRecorder<'a> {
        YearRecorder {
            hist,
            sums: self,
            deferred: None,
        }
    }

    /// [`ChunkSums::year_sink`] that holds the histogram inserts back in `deferred` (sums
    /// are added at once, in path order); [`DeferredCounts::flush`] adds them.
    pub(crate) fn year_sink_deferred<'a>(
        &'a mut self,
        hist: &'a mut Histograms,
        deferred: &'a mut DeferredCounts,
    ) -> YearRecorder<'a> {
        YearRecorder {
            hist,
            sums: self,
            deferred: Some(deferred),
        }
    }
}

/// The histograms a year-end value goes to.
#[derive(Clone, Copy)]
enum Kind {
    Real,
    Nominal,
    Spending,
    Taxes,
}

/// Histogram inserts held back while a chunk's paths run one at a time, then added cell by
/// cell with [`WealthHistogram::add_all`]. One path's year-end records touch every cell's
/// histograms, megabytes in all, so inserted one by one each is a cache miss; one cell's
/// inserts in a row stay in cache. Counts do not depend on the order of inserts, so the
/// results are the same. Memory: `cap` values per cell and kind, whatever the path count.
pub(crate) struct DeferredCounts {
    cap: usize,
    /// Per [`Kind`]: `cap` slots per cell, and how many of them hold values.
    values: [Vec<f64>; 4],
    used: [Vec<usize>; 4],
}

impl DeferredCounts {
    /// Room for `cap` values per cell (a chunk's paths) for `hist`'s cells.
    pub(crate) fn new(hist: &Histograms, cap: usize) -> Self {
        let cells = hist.real.len();
        let cap = cap.max(1);
        Self {
            cap,
            values: std::array::from_fn(|_| vec![0.0; cells * cap]),
            used: std::array::from_fn(|_| vec![0; cells]),
        }
    }

    #[inline]
    fn push(&mut self, kind: Kind, cell: usize, value: f64, hist: &mut Histograms) {
        let k = kind as usize;
        let mut n = self.used[k][cell];
        if n == self.cap {
            // More values than a chunk has paths: add these and start again.
            self.flush_cell(kind, cell, hist);
            n = 0;
        }
        self.values[k][cell * self.cap + n] = value;
        self.used[k][cell] = n + 1;
    }

    fn flush_cell(&mut self, kind: Kind, cell: usize, hist: &mut Histograms) {
        let k = kind as usize;
        let at = cell * self.cap;
        let values = &self.values[k][at..at + self.used[k][cell]];
        let h = match kind {
            Kind::Real => &mut hist.real[cell],
            Kind::Nominal => &mut hist.nominal[cell],
            Kind::Spending => &mut hist.spending[cell],
            Kind::Taxes => &mut hist.taxes[cell],
        };
        h.add_all(values);
        self.used[k][cell] = 0;
    }

    /// Adds every value held back to `hist`, cell by cell.
    pub(crate) fn flush(&mut self, hist: &mut Histograms) {
        for kind in [Kind::Real, Kind::Nominal, Kind::Spending, Kind::Taxes] {
            for cell in 0..self.used[kind as usize].len() {
                if self.used[kind as usize][cell] > 0 {
                    self.flush_cell(kind, cell, hist);
                }
            }
        }
    }
}

/// Records year-end wealth into the histograms and the chunk's sums.
pub struct YearRecorder<'a> {
    hist: &'a mut Histograms,
    sums: &'a mut ChunkSums,
    deferred: Option<&'a mut DeferredCounts>,
}

impl YearRecorder<'_> {
    #[inline]
    fn cell(&self, strategy: usize, year: u32) -> usize {
        strategy * (self.sums.years as usize + 1) + year as usize
    }

    /// [`YearEndSink::record`] for many paths of one cell, in path order (so the sum adds
    /// them in that order).
    pub(crate) fn record_paths(
        &mut self,
        strategy: usize,
        year: u32,
        nominal: &[f64],
        real: &[f64],
        solvent: &[bool],
    ) {
        let cell = self.cell(strategy, year);
        self.hist.real[cell].add_all(real);
        self.hist.nominal[cell].add_all(nominal);
        self.hist.solvent[cell] += solvent.iter().filter(|&&s| s).count() as u64;
        let sum = &mut self.sums.year_real[cell];
        for &r in real {
            *sum += r;
        }
    }

    /// [`YearEndSink::record_spending`] for many paths of one cell, in path order.
    pub(crate) fn record_spending_paths(&mut self, strategy: usize, year: u32, real: &[f64]) {
        let cell = self.cell(strategy, year);
        self.hist.spending[cell].add_all(real);
        let sum = &mut self.sums.year_spending[cell];
        for &r in real {
            *sum += r;
        }
    }
}

impl YearEndSink for YearRecorder<'_> {
    #[inline]
    fn record(&mut self, strategy: usize, year: u32, nominal: f64, real: f64, solvent: bool) {
        let cell = self.cell(strategy, year);
        if let Some(d) = self.deferred.as_deref_mut() {
            d.push(Kind::Real, cell, real, self.hist);
            d.push(Kind::Nominal, cell, nominal, self.hist);
        } else {
            self.hist.real[cell].add(real);
            self.hist.nominal[cell].add(nominal);
        }
        self.hist.solvent[cell] += u64::from(solvent);
        self.sums.year_real[cell] += real;
    }

    #[inline]
    fn record_spending(&mut self, strategy: usize, year: u32, real: f64) {
        let cell = self.cell(strategy, year);
        if let Some(d) = self.deferred.as_deref_mut() {
            d.push(Kind::Spending, cell, real, self.hist);
        } else {
            self.hist.spending[cell].add(real);
        }
        self.sums.year_spending[cell] += real;
    }

    #[inline]
    fn record_taxes(&mut self, strategy: usize, year: u32, real: f64) {
        let cell = strategy * (self.sums.years as usize + 1) + year as usize;
        if cell < self.hist.taxes.len() {
            if let Some(d) = self.deferred.as_deref_mut() {
                d.push(Kind::Taxes, cell, real, self.hist);
            } else {
                self.hist.taxes[cell].add(real);
            }
        }
        self.sums.year_taxes[cell] += real;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Held-back inserts, flushed early when a cell overflows and at the end, count the same
    /// as inserting one by one; the sums are added at once either way.
    #[test]
    fn deferred_inserts_count_as_direct_ones() {
        let (strategies, years) = (2, 3);
        let mut direct = Histograms::new(strategies, years, true);
        let mut held = direct.clone();
        let mut direct_sums = ChunkSums::new(strategies, years);
        let mut held_sums = ChunkSums::new(strategies, years);
        // Room for 2 values per cell; the loop records 5 in some cells.
        let mut deferred = DeferredCounts::new(&held, 2);
        let values = [1.0e3, 2.5e5, 0.0, 7.0e6, 3.3e4];
        for (p, &v) in values.iter().enumerate() {
            for s in 0..strategies {
                for year in 0..=years {
                    let x = v * (1.0 + s as f64) + f64::from(year);
                    let solvent = p % 2 == 0;
                    let mut a = direct_sums.year_sink(&mut direct);
                    let mut b = held_sums.year_sink_deferred(&mut held, &mut deferred);
                    for sink in [&mut a, &mut b] {
                        sink.record(s, year, 2.0 * x, x, solvent);
                        sink.record_spending(s, year, x / 10.0);
                        sink.record_taxes(s, year, x / 100.0);
                    }
                }
            }
        }
        // Before the flush only the cells' overflows have reached the histograms.
        assert_ne!(direct.real, held.real);
        deferred.flush(&mut held);
        assert_eq!(direct.real, held.real);
        assert_eq!(direct.nominal, held.nominal);
        assert_eq!(direct.spending, held.spending);
        assert_eq!(direct.taxes, held.taxes);
        assert_eq!(direct.solvent, held.solvent);
        assert_eq!(direct_sums.year_real, held_sums.year_real);
        assert_eq!(direct_sums.year_taxes, held_sums.year_taxes);
        // A second flush adds nothing.
        deferred.flush(&mut held);
        assert_eq!(direct.real, held.real);
    }
}
