//! Quantiles: exact (R-7, linear interpolation, as NumPy's default) on stored values, and
//! approximate from fixed-bin histograms where storing every value would grow with
//! paths x years.

use super::{PERCENTILES, Percentiles};
use crate::simd::{InstructionSet, with_instruction_set};

/// R-7 quantile of ascending-sorted values; `NaN` for an empty slice.
pub fn quantile_sorted(sorted: &[f64], q: f64) -> f64 {
    match sorted.len() {
        0 => f64::NAN,
        1 => sorted[0],
        n => {
            let h = (n - 1) as f64 * q.clamp(0.0, 1.0);
            let lo = h.floor() as usize;
            let hi = (lo + 1).min(n - 1);
            sorted[lo] + (h - lo as f64) * (sorted[hi] - sorted[lo])
        }
    }
}

/// [`PERCENTILES`] of ascending-sorted values.
pub fn percentiles_sorted(sorted: &[f64]) -> Percentiles {
    Percentiles::from_fn(|q| quantile_sorted(sorted, q))
}

impl Percentiles {
    /// Builds the percentile set by evaluating `f` at each of [`PERCENTILES`].
    pub fn from_fn(mut f: impl FnMut(f64) -> f64) -> Self {
        let v = PERCENTILES.map(&mut f);
        Self {
            p5: v[0],
            p10: v[1],
            p25: v[2],
            p50: v[3],
            p75: v[4],
            p90: v[5],
            p95: v[6],
        }
    }

    pub fn as_array(&self) -> [f64; 7] {
        [
            self.p5, self.p10, self.p25, self.p50, self.p75, self.p90, self.p95,
        ]
    }
}

/// Bins per factor of ten of wealth: bin edges are 1.16% apart, so an interpolated
/// quantile is within about 0.3% of the exact one, far below Monte Carlo error.
const BINS_PER_DECADE: usize = 200;
/// Wealth from $1 to $10^13; below $1 counts as zero (a depleted portfolio).
const DECADES: usize = 13;
const WEALTH_BINS: usize = BINS_PER_DECADE * DECADES;

/// Log-spaced histogram of dollar amounts.
#[derive(Clone, Debug, PartialEq)]
pub struct WealthHistogram {
    /// `[0]`: below $1 (zero); `[1..=WEALTH_BINS]`: log bins; last: $10^13 and above.
    counts: Box<[u32]>,
    /// Smallest and largest value added (NaN ignored): quantiles stay within them, so a
    /// histogram of identical values reports that value exactly.
    range: Range,
}

/// `v.log10() * BINS_PER_DECADE` for finite `v > 0`, within 1e-7 bins, without calling
/// `log10`: `log2` from the exponent bits and a short series on the mantissa. Only bit
/// operations and arithmetic, no branch, so a loop over many values vectorizes. (The
/// exponent goes to `f64` by the 2^52 trick: AVX2 has no 64-bit integer conversion.)
#[inline(always)]
fn approx_log_bins(v: f64) -> f64 {
    const SQRT2: f64 = std::f64::consts::SQRT_2;
    const TWO_52: f64 = 4_503_599_627_370_496.0;
    let bits = v.to_bits();
    let biased = f64::from_bits(((bits >> 52) & 0x7ff) | TWO_52.to_bits()) - TWO_52;
    let m = f64::from_bits((bits & ((1 << 52) - 1)) | (1023 << 52)); // [1, 2)
    let high = m > SQRT2;
    let m = if high { m * 0.5 } else { m };
    let e = (biased - 1023.0) + if high { 1.0 } else { 0.0 };
    // ln m = 2 atanh(f), |f| <= 0.172: the series to f^9 is within 1e-9.
    let f = (m - 1.0) / (m + 1.0);
    let f2 = f * f;
    let ln_m = 2.0 * f * (1.0 + f2 * (1.0 / 3.0 + f2 * (0.2 + f2 * (1.0 / 7.0 + f2 / 9.0))));
    let log10 = e * std::f64::consts::LOG10_2 + ln_m * std::f64::consts::LOG10_E;
    log10 * BINS_PER_DECADE as f64
}

/// `(v.log10() * BINS_PER_DECADE) as usize` for `v >= 1`, given `y = approx_log_bins(v)`.
/// Only a value within 1e-6 bins of an edge takes the exact `log10`, so the bin is always
/// the exact one.
#[inline(always)]
fn wealth_bin(v: f64, y: f64) -> usize {
    let exact = |v: f64| (v.log10() * BINS_PER_DECADE as f64) as usize;
    if !(0.0..1e15).contains(&y) {
        return exact(v);
    }
    // `y >= 0`, so truncation is `floor` (a library call on baseline x86-64). Through `i64`,
    // the same integer as `u64` below 1e15: one instruction each way, where `u64` takes a
    // dozen without AVX-512 (2% of an untaxed run's instructions on an AVX2 machine).
    let int = y as i64;
    let fl = int as f64;
    let frac = y - fl;
    if (1e-6..=1.0 - 1e-6).contains(&frac) {
        int as usize
    } else {
        exact(v)
    }
}

/// The histogram slot of `v`: `[0]` below $1 (or NaN), then its bin plus one, capped at the
/// top slot.
#[inline(always)]
fn slot(v: f64, y: f64) -> usize {
    if v.is_nan() || v < 1.0 {
        return 0;
    }
    (wealth_bin(v, y) + 1).min(WEALTH_BINS + 1)
}

impl Default for WealthHistogram {
    fn default() -> Self {
        Self::new()
    }
}

impl WealthHistogram {
    pub fn new() -> Self {
        Self {
            counts: vec![0; WEALTH_BINS + 2].into_boxed_slice(),
            range: Range::EMPTY,
        }
    }

    #[inline]
    pub fn add(&mut self, v: f64) {
        self.range.add(v);
        self.counts[slot(v, approx_log_bins(v))] += 1;
    }

    /// Adds every value of `values`: the same counts as adding them one by one, with the
    /// logarithms computed many at a time.
    pub fn add_all(&mut self, values: &[f64]) {
        self.add_all_with(InstructionSet::widest(), values);
    }

    /// [`WealthHistogram::add_all`] compiled for `set` (every set gives the same counts).
    pub(crate) fn add_all_with(&mut self, set: InstructionSet, values: &[f64]) {
        let hist = self;
        with_instruction_set!(set, |hist: &mut WealthHistogram, values: &[f64]| hist
            .add_all_any(values))
    }

    /// [`WealthHistogram::add_all`] for any instruction set: no multiply and add is ever
    /// fused, so every set gives the same bits and the same bins.
    #[inline(always)]
    fn add_all_any(&mut self, values: &[f64]) {
        const AT_ONCE: usize = 64;
        let mut y = [0.0; AT_ONCE];
        for part in values.chunks(AT_ONCE) {
            for (y, &v) in y.iter_mut().zip(part) {
                *y = approx_log_bins(v);
            }
            for (&y, &v) in y.iter().zip(part) {
                self.range.add(v);
                self.counts[slot(v, y)] += 1;
            }
        }
    }

    pub fn merge(&mut self, o: &WealthHistogram) {
        for (a, b) in self.counts.iter_mut().zip(o.counts.iter()) {
            *a += b;
        }
        self.range.merge(o.range);
    }

    pub fn count(&self) -> u64 {
        self.counts.iter().map(|&c| u64::from(c)).sum()
    }

    /// Approximate R-7 quantile: the rank is located in its bin and interpolated
    /// geometrically between the bin's edges.
    pub fn quantile(&self, q: f64) -> f64 {
        self.quantiles([q])[0]
    }

    /// [`WealthHistogram::quantile`] at each of `qs` (ascending), in one pass over the bins
    /// (a report reads seven percentiles of hundreds of histograms).
    pub fn quantiles<const K: usize>(&self, qs: [f64; K]) -> [f64; K] {
        debug_assert!(qs.windows(2).all(|w| w[0] <= w[1]), "ascending");
        let mut out = [10f64.powi(DECADES as i32); K];
        let n = self.count();
        if n == 0 {
            return [f64::NAN; K];
        }
        let ranks = qs.map(|q| (n - 1) as f64 * q.clamp(0.0, 1.0));
        let mut k = 0;
        let mut cum = 0u64;
        for (bin, &c) in self.counts.iter().enumerate() {
            if c == 0 {
                continue;
            }
            while k < K && ranks[k] < (cum + u64::from(c)) as f64 {
                out[k] = if bin == 0 {
                    0.0
                } else if bin == WEALTH_BINS + 1 {
                    10f64.powi(DECADES as i32)
                } else {
                    let frac = ((ranks[k] - cum as f64 + 0.5) / f64::from(c)).clamp(0.0, 1.0);
                    let lo = (bin - 1) as f64 / BINS_PER_DECADE as f64;
                    self.range
                        .clamp(10f64.powf(lo + frac / BINS_PER_DECADE as f64))
                };
                k += 1;
            }
            if k == K {
                break;
            }
            cum += u64::from(c);
        }
        out
    }

    pub fn percentiles(&self) -> Percentiles {
        let [p5, p10, p25, p50, p75, p90, p95] = self.quantiles(PERCENTILES);
        Percentiles {
            p5,
            p10,
            p25,
            p50,
            p75,
            p90,
            p95,
        }
    }
}

/// The smallest and largest finite value seen (merged exactly in any order).
#[derive(Clone, Copy, Debug, PartialEq)]
struct Range {
    min: f64,
    max: f64,
}

impl Range {
    const EMPTY: Range = Range {
        min: f64::INFINITY,
        max: f64::NEG_INFINITY,
    };

    #[inline]
    fn add(&mut self, v: f64) {
        if v.is_finite() {
            self.min = self.min.min(v);
            self.max = self.max.max(v);
        }
    }

    fn merge(&mut self, o: Range) {
        self.min = self.min.min(o.min);
        self.max = self.max.max(o.max);
    }

    /// `x` moved into `[min, max]`; unchanged when nothing finite was seen.
    fn clamp(self, x: f64) -> f64 {
        if self.min <= self.max {
            x.clamp(self.min, self.max)
        } else {
            x
        }
    }
}

/// Evenly spaced histogram on `[lo, hi]`; values outside are clamped to the ends.
#[derive(Clone, Debug, PartialEq)]
pub struct LinearHistogram {
    lo: f64,
    hi: f64,
    counts: Box<[u32]>,
    /// Smallest and largest value added: quantiles stay within them.
    range: Range,
}

impl LinearHistogram {
    pub fn new(lo: f64, hi: f64, bins: usize) -> Self {
        Self {
            lo,
            hi,
            counts: vec![0; bins.max(1)].into_boxed_slice(),
            range: Range::EMPTY,
        }
    }

    #[inline]
    pub fn add(&mut self, v: f64) {
        if v.is_nan() {
            return;
        }
        self.range.add(v);
        let n = self.counts.len();
        let x = ((v - self.lo) / (self.hi - self.lo) * n as f64).floor();
        let bin = if x < 0.0 { 0 } else { (x as usize).min(n - 1) };
        self.counts[bin] += 1;
    }

    pub fn merge(&mut self, o: &LinearHistogram) {
        for (a, b) in self.counts.iter_mut().zip(o.counts.iter()) {
            *a += b;
        }
        self.range.merge(o.range);
    }

    pub fn quantile(&self, q: f64) -> f64 {
        let n: u64 = self.counts.iter().map(|&c| u64::from(c)).sum();
        if n == 0 {
            return f64::NAN;
        }
        let rank = (n - 1) as f64 * q.clamp(0.0, 1.0);
        let width = (self.hi - self.lo) / self.counts.len() as f64;
        let mut cum = 0u64;
        for (bin, &c) in self.counts.iter().enumerate() {
            if c > 0 && rank < (cum + u64::from(c)) as f64 {
                let frac = ((rank - cum as f64 + 0.5) / f64::from(c)).clamp(0.0, 1.0);
                return self.range.clamp(self.lo + (bin as f64 + frac) * width);
            }
            cum += u64::from(c);
        }
        self.range.clamp(self.hi)
    }

    pub fn percentiles(&self) -> Percentiles {
        Percentiles::from_fn(|q| self.quantile(q))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn r7_matches_numpy() {
        // numpy.percentile([1, 2, 3, 4, 10], 90) == 7.6
        assert!((quantile_sorted(&[1.0, 2.0, 3.0, 4.0, 10.0], 0.9) - 7.6).abs() < 1e-12);
        assert_eq!(quantile_sorted(&[5.0], 0.3), 5.0);
        assert!(quantile_sorted(&[], 0.5).is_nan());
    }

    #[test]
    fn wealth_histogram_quantiles_are_within_half_a_percent() {
        let values: Vec<f64> = (0..10_000).map(|i| 1_000.0 * 1.0007f64.powi(i)).collect();
        let mut h = WealthHistogram::new();
        values.iter().for_each(|&v| h.add(v));
        for q in [0.05, 0.25, 0.5, 0.9, 0.95] {
            let exact = quantile_sorted(&values, q);
            assert!((h.quantile(q) / exact - 1.0).abs() < 0.005, "q={q}");
        }
    }

    #[test]
    fn zero_wealth_is_reported_as_zero() {
        let mut h = WealthHistogram::new();
        for v in [0.0, 0.0, 0.0, 500.0] {
            h.add(v);
        }
        assert_eq!(h.quantile(0.5), 0.0);
        assert!((h.quantile(1.0) / 500.0 - 1.0).abs() < 0.012);
    }

    #[test]
    fn identical_values_give_equal_exact_quantiles() {
        let mut w = WealthHistogram::new();
        let mut l = LinearHistogram::new(-1.0, 1.0, 4000);
        for _ in 0..1000 {
            w.add(1_234_567.0);
            l.add(0.054321);
        }
        let (wp, lp) = (w.percentiles(), l.percentiles());
        assert_eq!((wp.p5, wp.p95), (1_234_567.0, 1_234_567.0));
        assert_eq!((lp.p5, lp.p50, lp.p95), (0.054321, 0.054321, 0.054321));
        // Beyond the histogram's ends, quantiles stay within the observed values.
        let mut l = LinearHistogram::new(-1.0, 1.0, 10);
        l.add(1.6);
        l.add(1.7);
        for q in [0.0, 0.5, 1.0] {
            assert!((1.6..=1.7).contains(&l.quantile(q)), "q={q}");
        }
    }

    #[test]
    fn linear_histogram_quantiles() {
        let mut h = LinearHistogram::new(0.0, 1.0, 1000);
        for i in 0..1001 {
            h.add(i as f64 / 1000.0);
        }
        assert!((h.quantile(0.5) - 0.5).abs() < 0.002);
        assert!((h.quantile(0.05) - 0.05).abs() < 0.002);
    }

    #[test]
    fn fast_wealth_bin_is_the_exact_bin() {
        let exact = |v: f64| (v.log10() * BINS_PER_DECADE as f64) as usize;
        let mut v = 1.0;
        while v < 1e14 {
            assert_eq!(wealth_bin(v, approx_log_bins(v)), exact(v), "{v}");
            v *= 1.000_013_7;
        }
        // Right at and next to bin edges.
        for k in 0..(WEALTH_BINS + 2) {
            let edge = 10f64.powf(k as f64 / BINS_PER_DECADE as f64);
            for x in [edge, edge.next_up(), edge.next_down().max(1.0)] {
                assert_eq!(wealth_bin(x, approx_log_bins(x)), exact(x), "{x}");
            }
        }
    }

    #[test]
    fn adding_many_at_once_counts_as_adding_one_by_one() {
        let mut values: Vec<f64> = (0..1000).map(|i| 1.37f64.powi(i % 97) * 0.9).collect();
        values.extend([0.0, -5.0, f64::NAN, f64::INFINITY, 1.0, 1e13, 1e16, 0.999]);
        let (mut one, mut many) = (WealthHistogram::new(), WealthHistogram::new());
        for &v in &values {
            one.add(v);
        }
        many.add_all(&values);
        assert_eq!(one, many);
        assert_eq!(many.count(), values.len() as u64);
        // Every compiled copy this processor runs, including the edges' exact fallback.
        let edges = (0..(WEALTH_BINS + 2)).map(|k| 10f64.powf(k as f64 / BINS_PER_DECADE as f64));
        values.extend(edges.flat_map(|e| [e, e.next_up(), e.next_down()]));
        let mut one = WealthHistogram::new();
        for &v in &values {
            one.add(v);
        }
        for set in crate::simd::InstructionSet::available() {
            let mut many = WealthHistogram::new();
            many.add_all_with(set, &values);
            assert_eq!(one, many, "{set:?}");
        }
    }

    #[test]
    fn percentiles_in_one_pass_equal_each_quantile() {
        let mut h = WealthHistogram::new();
        for i in 0..5000 {
            h.add(if i % 37 == 0 {
                0.0
            } else {
                1.003f64.powi(i) * 50.0
            });
        }
        let p = h.percentiles().as_array();
        for (got, q) in p.iter().zip(PERCENTILES) {
            let mut one = WealthHistogram::new();
            one.merge(&h);
            assert_eq!(got.to_bits(), one.quantiles([q])[0].to_bits(), "{q}");
        }
        assert!(WealthHistogram::new().percentiles().p50.is_nan());
    }
}
