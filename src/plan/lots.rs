//! Lot selection in taxable accounts: which lots to sell so that a sale realizes as little tax
//! as possible, and the short- or long-term gain each sale realizes.

use super::date::{Date, is_long_term};
use super::holdings::Lot;
use super::money::{Rounding, cents};
use super::tax::Rates;
use rust_decimal::Decimal;
use std::cmp::Ordering;

/// A lot that may be sold: the account it is in and the lot.
#[derive(Debug, Clone, Copy)]
pub struct Candidate<'a> {
    pub account: usize,
    pub lot: &'a Lot,
}

/// The part of one lot a plan sells.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LotSale {
    pub account: usize,
    /// Index in the account's `lots` array.
    pub lot: usize,
    pub asset: usize,
    pub acquired: Date,
    /// Proceeds: the part of the lot's current value sold.
    pub amount: Decimal,
    /// The cost basis of the part sold (pro rata for a partial sale, rounded to the cent).
    pub basis: Decimal,
    pub gain: Decimal,
    pub long_term: bool,
    /// Whether the whole lot is sold.
    pub whole: bool,
}

/// Gain per dollar of value: negative for a loss; low means high basis.
fn gain_ratio(l: &Lot) -> Decimal {
    if l.amount.is_zero() {
        Decimal::ZERO
    } else {
        (l.amount - l.basis) / l.amount
    }
}

/// The rule `order` applies, in words, for the report.
pub fn rule(rates: &Rates) -> String {
    if rates.known() {
        "lowest estimated tax per dollar sold first (gain per dollar x the short- or long-term rate), so losses come first and the biggest losses first; at equal tax, long-term before short-term, then higher basis per dollar, then older lots".into()
    } else {
        "losses first (largest loss per dollar first), then highest basis per dollar of value (smallest gain), long-term before short-term at equal basis, then older lots; give [tax] rates to order by estimated tax instead".into()
    }
}

/// Sorts candidate lots into selling order for a sale on `date` (see [`rule`]).
pub fn order<'a>(mut c: Vec<Candidate<'a>>, date: Date, rates: &Rates) -> Vec<Candidate<'a>> {
    let tax_per_dollar = |l: &Lot| -> Option<Decimal> {
        let rate = if is_long_term(l.acquired, date) {
            rates.long_term
        } else {
            rates.ordinary
        };
        Some(gain_ratio(l) * rate?)
    };
    let known = rates.known();
    c.sort_by(|a, b| {
        let (la, lb) = (a.lot, b.lot);
        let lt = |l: &Lot| is_long_term(l.acquired, date);
        let by_tax = if known {
            tax_per_dollar(la).cmp(&tax_per_dollar(lb))
        } else {
            Ordering::Equal
        };
        by_tax
            .then_with(|| {
                if known {
                    lt(lb).cmp(&lt(la))
                } else {
                    Ordering::Equal
                }
            })
            .then_with(|| gain_ratio(la).cmp(&gain_ratio(lb)))
            .then_with(|| lt(lb).cmp(&lt(la)))
            .then_with(|| la.acquired.cmp(&lb.acquired))
            .then_with(|| a.account.cmp(&b.account))
            .then_with(|| la.index.cmp(&lb.index))
    });
    c
}

/// Sells `amount` from the ordered lots; returns the lot sales and what could not be sold
/// (zero unless the lots hold less than `amount`).
pub fn sell(
    ordered: &[Candidate<'_>],
    amount: Decimal,
    date: Date,
    r: Rounding,
) -> (Vec<LotSale>, Decimal) {
    let mut left = amount;
    let mut out = Vec::new();
    for c in ordered {
        if left <= Decimal::ZERO {
            break;
        }
        let l = c.lot;
        if l.amount <= Decimal::ZERO {
            continue;
        }
        let take = left.min(l.amount);
        let whole = take == l.amount;
        let basis = if whole {
            l.basis
        } else {
            cents(l.basis * take / l.amount, r)
        };
        out.push(LotSale {
            account: c.account,
            lot: l.index,
            asset: l.asset,
            acquired: l.acquired,
            amount: take,
            basis,
            gain: take - basis,
            long_term: is_long_term(l.acquired, date),
            whole,
        });
        left -= take;
    }
    (out, left)
}

#[cfg(test)]
mod tests {
    use super::*;
    use rust_decimal_macros::dec;

    fn lot(index: usize, acquired: &str, amount: Decimal, basis: Decimal) -> Lot {
        Lot {
            index,
            asset: 0,
            acquired: Date::parse(acquired).unwrap(),
            amount,
            basis,
            acquired_span: None,
        }
    }

    #[test]
    fn plan_lots_order_without_rates_is_losses_then_high_basis() {
        let lots = [
            lot(0, "2025-12-01", dec!(10000), dec!(9000)), // short-term, gain 10%
            lot(1, "2020-06-15", dec!(10000), dec!(9500)), // long-term, gain 5%
            lot(2, "2024-01-10", dec!(10000), dec!(12000)), // long-term loss
            lot(3, "2021-01-10", dec!(10000), dec!(9000)), // long-term, gain 10%
        ];
        let c: Vec<Candidate> = lots
            .iter()
            .map(|l| Candidate { account: 0, lot: l })
            .collect();
        let d = Date::parse("2026-03-02").unwrap();
        let o = order(c, d, &Rates::default());
        let idx: Vec<usize> = o.iter().map(|c| c.lot.index).collect();
        // loss, high basis, then at equal basis long-term (3) before short-term (0).
        assert_eq!(idx, vec![2, 1, 3, 0]);
    }

    #[test]
    fn plan_lots_partial_sale_prorates_basis() {
        let l = lot(0, "2020-06-15", dec!(10000.00), dec!(3333.33));
        let c = [Candidate {
            account: 0,
            lot: &l,
        }];
        let d = Date::parse("2026-03-02").unwrap();
        let (s, left) = sell(&c, dec!(5000.00), d, Rounding::HalfEven);
        assert_eq!(left, dec!(0));
        // 3333.33 * 0.5 = 1666.665 -> half-even 1666.66 (half-up would give 1666.67).
        assert_eq!(s[0].basis, dec!(1666.66));
        assert_eq!(s[0].gain, dec!(3333.34));
        assert!(s[0].long_term && !s[0].whole);
        let (s, _) = sell(&c, dec!(5000.00), d, Rounding::HalfUp);
        assert_eq!(s[0].basis, dec!(1666.67));
    }
}
