//! Tax on the gains a plan realizes: marginal rates (given, or derived from the 2026 federal
//! brackets), netting of short- and long-term gains, and an estimate of the tax they add:
//! federal income tax, the Net Investment Income Tax when modified AGI is known (IRC §1411)
//! and a flat state rate when one is given.

use super::holdings::{FilingStatus, TaxInput};
use super::money::{Rounding, cents};
use crate::tax::{TaxLaw, brackets};
use rust_decimal::Decimal;
use rust_decimal_macros::dec;

/// 2026 law in exact money: the one place the 2026 numbers live is [`crate::tax::law`].
fn law() -> TaxLaw<Decimal> {
    TaxLaw::y2026()
}

/// 2026 long-term capital gain breakpoints in taxable income: (top of the 0% band, top of the
/// 15% band); above is 20%.
fn ltcg_breakpoints(status: FilingStatus) -> (Decimal, Decimal) {
    let l = law();
    (
        l.ltcg_zero_top[status.index()],
        l.ltcg_fifteen_top[status.index()],
    )
}

/// Net capital loss deductible against ordinary income per year: IRC §1211(b) ($1,500 MFS).
pub fn loss_limit(status: Option<FilingStatus>) -> Decimal {
    let s = status.unwrap_or(FilingStatus::Single);
    law().capital_loss_limit[s.index()]
}

/// Ordinary income tax on `income` (2026 brackets).
pub fn ordinary_tax(status: FilingStatus, income: Decimal) -> Decimal {
    brackets::ordinary_tax(&law(), status, income)
}

/// The ordinary rate on the next dollar above `income`.
pub fn marginal_ordinary(status: FilingStatus, income: Decimal) -> Decimal {
    brackets::bracket_rate(&law(), status, income)
}

/// The long-term gain rate on the next dollar of gain stacked on `income`.
pub fn marginal_long_term(status: FilingStatus, income: Decimal) -> Decimal {
    brackets::long_term_rate(&law(), status, income)
}

fn overlap(a0: Decimal, a1: Decimal, b0: Decimal, b1: Decimal) -> Decimal {
    (a1.min(b1) - a0.max(b0)).max(Decimal::ZERO)
}

/// Tax on a long-term gain `gain` stacked on top of ordinary taxable income `income`
/// (Qualified Dividends and Capital Gain Tax Worksheet: the gain fills the 0% band left above
/// ordinary income first, then 15%, then 20%).
pub fn long_term_tax(status: FilingStatus, income: Decimal, gain: Decimal) -> Decimal {
    let (zero_top, fifteen_top) = ltcg_breakpoints(status);
    let (lo, hi) = (income, income + gain);
    overlap(lo, hi, zero_top, fifteen_top) * dec!(0.15)
        + overlap(lo, hi, fifteen_top, Decimal::MAX) * dec!(0.20)
}

/// The marginal rates used to order lots and estimate tax.
#[derive(Debug, Clone, Default, serde::Serialize)]
pub struct Rates {
    /// Rate on short-term gains (ordinary income), as a fraction.
    #[serde(rename = "ordinary_pct", serialize_with = "super::money::ser_opt_pct")]
    pub ordinary: Option<Decimal>,
    /// Rate on long-term gains, as a fraction.
    #[serde(rename = "long_term_pct", serialize_with = "super::money::ser_opt_pct")]
    pub long_term: Option<Decimal>,
    /// Where the rates come from.
    pub source: String,
}

impl Rates {
    pub fn from_input(t: &TaxInput) -> Rates {
        let derived = match (t.filing_status, t.taxable_income) {
            (Some(s), Some(i)) => Some((s, i)),
            _ => None,
        };
        let ordinary = t
            .ordinary_rate
            .or(derived.map(|(s, i)| marginal_ordinary(s, i)));
        let long_term = t
            .long_term_rate
            .or(derived.map(|(s, i)| marginal_long_term(s, i)));
        let source = match (
            t.ordinary_rate.is_some() || t.long_term_rate.is_some(),
            derived,
        ) {
            (true, _) => "rates given in [tax]".to_string(),
            (false, Some((s, i))) => format!(
                "2026 federal brackets for {} at taxable income {} (Rev. Proc. 2025-32)",
                status_name(s),
                super::money::fmt_money(i)
            ),
            (false, None) => "no [tax] rates given".to_string(),
        };
        Rates {
            ordinary,
            long_term,
            source,
        }
    }

    pub fn known(&self) -> bool {
        self.ordinary.is_some() && self.long_term.is_some()
    }
}

pub fn status_name(s: FilingStatus) -> &'static str {
    s.name()
}

/// Realized gains, netted, and the estimated tax on them.
#[derive(Debug, Clone, Default, serde::Serialize)]
pub struct TaxEstimate {
    #[serde(serialize_with = "super::money::ser_money")]
    pub short_term_gain: Decimal,
    #[serde(serialize_with = "super::money::ser_money")]
    pub long_term_gain: Decimal,
    /// Net capital loss after netting (0 if the net is a gain).
    #[serde(serialize_with = "super::money::ser_money")]
    pub net_capital_loss: Decimal,
    /// Estimated tax the net gain adds: the federal income tax plus NIIT and state tax where
    /// they are estimated; `None` when the federal rates are unknown.
    #[serde(serialize_with = "super::money::ser_opt_money")]
    pub estimated_tax: Option<Decimal>,
    /// Its parts: federal income tax (`None` when rates are unknown), the Net Investment
    /// Income Tax (`None` without modified AGI) and state tax (`None` without a state rate).
    #[serde(serialize_with = "super::money::ser_opt_money")]
    pub federal_income_tax: Option<Decimal>,
    #[serde(serialize_with = "super::money::ser_opt_money")]
    pub niit: Option<Decimal>,
    #[serde(serialize_with = "super::money::ser_opt_money")]
    pub state_tax: Option<Decimal>,
    pub method: String,
}

/// The Net Investment Income Tax a net gain `gain` adds for a household whose modified AGI
/// is `magi` before it: 3.8% of the lesser of net investment income and modified AGI over
/// the threshold (IRC §1411(a)(1); $200,000 single and head of household, $250,000 joint,
/// $125,000 separate, not indexed). The gain raises both, so the increase is 3.8% of the
/// lesser of the gain and what the new modified AGI exceeds the threshold by, whatever
/// other investment income the household has.
pub fn niit_on_gain(status: FilingStatus, magi: Decimal, gain: Decimal) -> Decimal {
    let l = law();
    let over = (magi + gain - l.niit_threshold[status.index()]).max(Decimal::ZERO);
    l.niit_rate * gain.max(Decimal::ZERO).min(over)
}

/// Nets short- and long-term gains (IRC §1222; Schedule D) and estimates the tax on them;
/// `magi` is the household's modified AGI before the plan, for the NIIT.
pub fn estimate(
    st: Decimal,
    lt: Decimal,
    t: &TaxInput,
    rates: &Rates,
    magi: Option<Decimal>,
    r: Rounding,
) -> TaxEstimate {
    // Netting: a net loss of one kind offsets a net gain of the other.
    let (net_st, net_lt) = if st < Decimal::ZERO && lt > Decimal::ZERO {
        (Decimal::ZERO, lt + st)
    } else if lt < Decimal::ZERO && st > Decimal::ZERO {
        (st + lt, Decimal::ZERO)
    } else {
        (st, lt)
    };
    let net = net_st + net_lt;
    let mut out = TaxEstimate {
        short_term_gain: st,
        long_term_gain: lt,
        ..TaxEstimate::default()
    };
    if net <= Decimal::ZERO && (net_st <= Decimal::ZERO && net_lt <= Decimal::ZERO) {
        out.net_capital_loss = -net;
        let zero = Some(Decimal::ZERO.round_dp(2));
        out.estimated_tax = zero;
        out.federal_income_tax = zero;
        out.niit = magi.and(zero);
        out.state_tax = t.state_rate.and(zero);
        out.method = if net.is_zero() {
            "no net gain, no tax".into()
        } else {
            format!(
                "net capital loss: no tax on this plan; up to {} a year is deductible against ordinary income and the rest carries forward (IRC §1211(b), §1212(b))",
                super::money::fmt_money(loss_limit(t.filing_status))
            )
        };
        return out;
    }
    let (g_st, g_lt) = (net_st.max(Decimal::ZERO), net_lt.max(Decimal::ZERO));
    let explicit = t.ordinary_rate.is_some() || t.long_term_rate.is_some();
    match (t.filing_status, t.taxable_income, explicit) {
        (Some(s), Some(i), false) => {
            let st_tax = ordinary_tax(s, i + g_st) - ordinary_tax(s, i);
            let lt_tax = long_term_tax(s, i + g_st, g_lt);
            out.federal_income_tax = Some(cents(st_tax + lt_tax, r));
            out.method = format!(
                "net short-term gain taxed as ordinary income and net long-term gain stacked on top, 2026 brackets for {} from taxable income {} (Rev. Proc. 2025-32; IRC §1(h))",
                status_name(s),
                super::money::fmt_money(i)
            );
        }
        _ => {
            let need_st = g_st > Decimal::ZERO;
            let need_lt = g_lt > Decimal::ZERO;
            match (rates.ordinary, rates.long_term) {
                (o, l) if (!need_st || o.is_some()) && (!need_lt || l.is_some()) => {
                    let tax = g_st * o.unwrap_or_default() + g_lt * l.unwrap_or_default();
                    out.federal_income_tax = Some(cents(tax, r));
                    out.method = "net short-term gain x ordinary rate + net long-term gain x long-term rate (flat marginal rates)".into();
                }
                _ => {
                    out.method = "not estimated: give [tax] ordinary_rate and long_term_rate, or filing_status and taxable_income".into();
                    return out;
                }
            }
        }
    }
    // The gain is net investment income and raises modified AGI (IRC §1411(c)(1)(A)(iii)).
    let gain = g_st + g_lt;
    let status = t.filing_status.unwrap_or(FilingStatus::Single);
    match magi {
        Some(m) => {
            out.niit = Some(cents(niit_on_gain(status, m, gain), r));
            out.method.push_str(&format!(
                "; NIIT 3.8% on the part of the gain that takes modified AGI ({} before the plan) over the {} threshold of {} (IRC §1411)",
                super::money::fmt_money(m),
                status_name(status),
                super::money::fmt_money(law().niit_threshold[status.index()])
            ));
        }
        None => out
            .method
            .push_str("; no NIIT estimate (give [owner] magi)"),
    }
    // A flat state rate on the added federal taxable income, as `driftlab tax` applies it.
    match t.state_rate {
        Some(rate) => {
            out.state_tax = Some(cents(gain * rate, r));
            out.method.push_str(&format!(
                "; state tax {} of the gain",
                super::money::fmt_pct(rate)
            ));
        }
        None => out
            .method
            .push_str("; no state tax (give [tax] state_rate)"),
    }
    out.estimated_tax = out
        .federal_income_tax
        .map(|f| f + out.niit.unwrap_or_default() + out.state_tax.unwrap_or_default());
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plan_tax_brackets_match_reference_cumulative_amounts() {
        // Cumulative tax at the lower bound of each bracket (reference file, single and MFJ).
        let s = FilingStatus::Single;
        assert_eq!(ordinary_tax(s, dec!(12400)), dec!(1240));
        assert_eq!(ordinary_tax(s, dec!(50400)), dec!(5800));
        assert_eq!(ordinary_tax(s, dec!(105700)), dec!(17966));
        assert_eq!(ordinary_tax(s, dec!(640600)), dec!(192979.25));
        assert_eq!(
            ordinary_tax(FilingStatus::Mfj, dec!(768700)),
            dec!(206583.50)
        );
        assert_eq!(marginal_ordinary(s, dec!(100000)), dec!(0.22));
        assert_eq!(marginal_long_term(s, dec!(100000)), dec!(0.15));
        assert_eq!(marginal_long_term(FilingStatus::Mfj, dec!(90000)), dec!(0));
    }

    #[test]
    fn plan_tax_long_term_gain_stacks_on_income() {
        let s = FilingStatus::Single;
        // 49,450 - 45,000 = 4,450 at 0%, the other 5,550 at 15%.
        assert_eq!(long_term_tax(s, dec!(45000), dec!(10000)), dec!(832.50));
        assert_eq!(long_term_tax(s, dec!(100000), dec!(10000)), dec!(1500));
    }

    #[test]
    fn niit_is_on_the_lesser_of_the_gain_and_magi_over_the_threshold() {
        let s = FilingStatus::Single;
        // 190,000 + 20,000 is 10,000 over 200,000: 3.8% x 10,000.
        assert_eq!(niit_on_gain(s, dec!(190000), dec!(20000)), dec!(380));
        // Already over: the whole gain, 3.8% x 5,000.
        assert_eq!(niit_on_gain(s, dec!(250000), dec!(5000)), dec!(190));
        // Joint filers: 250,000; separate filers: 125,000.
        assert_eq!(
            niit_on_gain(FilingStatus::Mfj, dec!(190000), dec!(20000)),
            dec!(0)
        );
        assert_eq!(
            niit_on_gain(FilingStatus::Mfs, dec!(130000), dec!(10000)),
            dec!(380)
        );
        assert_eq!(niit_on_gain(s, dec!(300000), dec!(-1000)), dec!(0));
    }

    #[test]
    fn plan_tax_netting_and_flat_rates() {
        let t = TaxInput {
            ordinary_rate: Some(dec!(0.24)),
            long_term_rate: Some(dec!(0.15)),
            ..TaxInput::default()
        };
        let rates = Rates::from_input(&t);
        let e = estimate(dec!(1000), dec!(2000), &t, &rates, None, Rounding::HalfEven);
        assert_eq!(e.estimated_tax, Some(dec!(540.00)));
        // A long-term loss offsets a short-term gain first.
        let e = estimate(dec!(1000), dec!(-400), &t, &rates, None, Rounding::HalfEven);
        assert_eq!(e.estimated_tax, Some(dec!(144.00)));
        let e = estimate(dec!(500), dec!(-1500), &t, &rates, None, Rounding::HalfEven);
        assert_eq!(e.estimated_tax, Some(dec!(0.00)));
        assert_eq!(e.net_capital_loss, dec!(1000));
    }
}
