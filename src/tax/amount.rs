//! The numeric type the tax rules are written in.
//!
//! The rules are written once, generic over [`Amount`], and used twice: in `f64` by the Monte
//! Carlo engine (fast, allocation-free; float rounding is far below Monte Carlo error) and in
//! `rust_decimal::Decimal` by the one-year estimate (exact, to the cent).

use rust_decimal::Decimal;
use std::fmt::Debug;
use std::ops::{Add, Div, Mul, Sub};

/// A money amount or rate: `f64` for simulation, `Decimal` for exact estimates.
///
/// Implementations must be `Copy` and arithmetic must not allocate, so the `f64` instance of
/// every rule runs in the engine's hot loop.
pub trait Amount:
    Copy
    + PartialOrd
    + Debug
    + Default
    + Add<Output = Self>
    + Sub<Output = Self>
    + Mul<Output = Self>
    + Div<Output = Self>
{
    /// Zero.
    const ZERO: Self;

    /// `mantissa × 10^-scale`, exact for `Decimal` and the nearest `f64` otherwise:
    /// `lit(38, 3)` is 0.038 and `lit(16_100, 0)` is 16,100.
    fn lit(mantissa: i64, scale: u32) -> Self;

    /// The larger of two amounts.
    fn max(self, other: Self) -> Self {
        if other > self { other } else { self }
    }

    /// The smaller of two amounts.
    fn min(self, other: Self) -> Self {
        if other < self { other } else { self }
    }

    /// The smallest whole number not below the amount.
    fn ceil(self) -> Self;

    /// The amount as `f64` (for comparisons in tests and for display).
    fn to_f64(self) -> f64;
}

impl Amount for f64 {
    const ZERO: f64 = 0.0;

    fn lit(mantissa: i64, scale: u32) -> f64 {
        // Both operands are exact (scale is small), so the quotient is the correctly rounded
        // f64 of the decimal literal, the same value the compiler gives `0.038`.
        mantissa as f64 / 10f64.powi(scale as i32)
    }

    fn ceil(self) -> f64 {
        f64::ceil(self)
    }

    fn to_f64(self) -> f64 {
        self
    }
}

impl Amount for Decimal {
    const ZERO: Decimal = Decimal::ZERO;

    fn lit(mantissa: i64, scale: u32) -> Decimal {
        Decimal::new(mantissa, scale)
    }

    fn ceil(self) -> Decimal {
        Decimal::ceil(&self)
    }

    fn to_f64(self) -> f64 {
        use rust_decimal::prelude::ToPrimitive;
        ToPrimitive::to_f64(&self).unwrap_or(f64::NAN)
    }
}

/// `n` whole dollars (or units).
pub fn whole<M: Amount>(n: i64) -> M {
    M::lit(n, 0)
}

#[cfg(test)]
mod tests {
    use super::*;
    use rust_decimal_macros::dec;

    #[test]
    fn literals_are_the_same_number_in_both_types() {
        assert_eq!(<f64 as Amount>::lit(38, 3), 0.038);
        assert_eq!(<f64 as Amount>::lit(19297925, 2), 192_979.25);
        assert_eq!(<Decimal as Amount>::lit(38, 3), dec!(0.038));
        assert_eq!(Amount::max(1.0, 2.0), 2.0);
        assert_eq!(Amount::min(dec!(1), dec!(2)), dec!(1));
    }
}
