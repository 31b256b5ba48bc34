//! A branch-free `exp` over slices, written so the compiler vectorizes it (no calls, no
//! table lookups, no float-to-int conversions). The parametric market turns a whole path's
//! log returns into gross returns with one call.
//!
//! Method: `exp(x) = 2^k * exp(r)` with `k = round(x / ln 2)` (by the 1.5 * 2^52 shift
//! trick), `r = x - k ln 2` in two parts (Cody-Waite, `|r| <= ln 2 / 2`), `exp(r)` by its
//! Taylor polynomial to degree 13 (truncation below 2e-16 relative), and `2^k` added to the
//! exponent bits. Only `+ - *` and integer bit operations, which IEEE 754 fixes exactly, so
//! the result is the same on every x86-64 (SSE2, AVX2 or AVX-512 code) and every thread.
//! Within 2 ulp of the correctly rounded value (tested against `f64::exp`).
//!
//! Inputs are clamped to [-700, 700] (`exp(-700)` is 1e-304, `exp(700)` 1e304), far beyond
//! any per-step log return; NaN stays NaN.

const LOG2E: f64 = std::f64::consts::LOG2_E;
/// ln 2 split so that `k * LN2_HI` is exact for |k| < 2^11.
const LN2_HI: f64 = 6.931_471_803_691_238e-1;
const LN2_LO: f64 = 1.908_214_929_270_587_7e-10;
/// 1.5 * 2^52: adding it rounds to an integer held in the low mantissa bits.
const SHIFT: f64 = 6_755_399_441_055_744.0;
const LIMIT: f64 = 700.0;

/// 1/n! for n = 2..=13.
const C: [f64; 12] = [
    1.0 / 2.0,
    1.0 / 6.0,
    1.0 / 24.0,
    1.0 / 120.0,
    1.0 / 720.0,
    1.0 / 5_040.0,
    1.0 / 40_320.0,
    1.0 / 362_880.0,
    1.0 / 3_628_800.0,
    1.0 / 39_916_800.0,
    1.0 / 479_001_600.0,
    1.0 / 6_227_020_800.0,
];

/// `exp(x)` of one value (the same arithmetic as [`exp_in_place`]).
#[inline(always)]
pub fn exp(x: f64) -> f64 {
    let x = x.clamp(-LIMIT, LIMIT);
    let t = x * LOG2E + SHIFT;
    let kf = t - SHIFT;
    let k = (t.to_bits() as i64).wrapping_sub(SHIFT.to_bits() as i64);
    let r = (x - kf * LN2_HI) - kf * LN2_LO;
    let mut p = C[11];
    p = p * r + C[10];
    p = p * r + C[9];
    p = p * r + C[8];
    p = p * r + C[7];
    p = p * r + C[6];
    p = p * r + C[5];
    p = p * r + C[4];
    p = p * r + C[3];
    p = p * r + C[2];
    p = p * r + C[1];
    p = p * r + C[0];
    let e = 1.0 + (r + (r * r) * p);
    f64::from_bits((e.to_bits() as i64).wrapping_add(k << 52) as u64)
}

/// Replaces every value by its exponential.
pub fn exp_in_place(xs: &mut [f64]) {
    for x in xs.iter_mut() {
        *x = exp(*x);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ulps(a: f64, b: f64) -> u64 {
        (a.to_bits() as i64 - b.to_bits() as i64).unsigned_abs()
    }

    #[test]
    fn matches_std_exp_within_two_ulp() {
        let mut worst = 0;
        let mut x = -40.0;
        while x < 40.0 {
            worst = worst.max(ulps(exp(x), x.exp()));
            x += 0.000_731;
        }
        for x in [
            0.0, -0.0, 1e-300, -1e-300, 1.0, -1.0, 0.346, -0.3466, 699.0, -699.0,
        ] {
            worst = worst.max(ulps(exp(x), x.exp()));
        }
        assert!(worst <= 2, "{worst} ulp");
        assert_eq!(exp(0.0), 1.0);
        assert!(exp(f64::NAN).is_nan());
        assert!(exp(-1e6) > 0.0 && exp(-1e6) < 1e-300);
        assert!(exp(1e6).is_finite() && exp(1e6) > 1e300);
    }

    #[test]
    fn slice_and_scalar_agree() {
        let mut xs: Vec<f64> = (0..1000).map(|i| (i as f64 - 500.0) * 0.0123).collect();
        let want: Vec<f64> = xs.iter().map(|&x| exp(x)).collect();
        exp_in_place(&mut xs);
        assert_eq!(xs, want);
    }
}
