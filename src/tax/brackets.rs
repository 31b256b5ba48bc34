//! Regular tax: the ordinary brackets (IRC §1(j)) and the Qualified Dividends and Capital
//! Gain Tax Worksheet (IRC §1(h); Form 1040 instructions), which taxes qualified dividends and
//! net long-term gain at 0/15/20% stacked on top of ordinary taxable income.
//!
//! Tax is computed with the exact bracket formula (the Tax Computation Worksheet), not the
//! IRS Tax Table, which taxes income under $100,000 at the midpoint of $50 bands (a few
//! dollars of difference at most).

use super::amount::Amount;
use super::filing::FilingStatus;
use super::law::TaxLaw;

/// Tax on `income` taxed at the ordinary brackets of `status`.
pub fn ordinary_tax<M: Amount>(law: &TaxLaw<M>, status: FilingStatus, income: M) -> M {
    let floors = &law.brackets[status.index()];
    let mut tax = M::ZERO;
    for i in 0..floors.len() {
        if income <= floors[i] {
            break;
        }
        let top = match floors.get(i + 1) {
            Some(&next) => income.min(next),
            None => income,
        };
        tax = tax + (top - floors[i]) * law.rates[i];
    }
    tax
}

/// The ordinary bracket rate on the next dollar above `income`.
pub fn bracket_rate<M: Amount>(law: &TaxLaw<M>, status: FilingStatus, income: M) -> M {
    let floors = &law.brackets[status.index()];
    let mut rate = law.rates[0];
    for (&floor, &r) in floors.iter().zip(&law.rates) {
        if income >= floor {
            rate = r;
        }
    }
    rate
}

/// The long-term gain rate (0, 15 or 20%) on the next dollar of preferential income stacked
/// on `income`.
pub fn long_term_rate<M: Amount>(law: &TaxLaw<M>, status: FilingStatus, income: M) -> M {
    let s = status.index();
    if income < law.ltcg_zero_top[s] {
        M::ZERO
    } else if income < law.ltcg_fifteen_top[s] {
        M::lit(15, 2)
    } else {
        M::lit(20, 2)
    }
}

/// Regular tax split into its ordinary and preferential parts.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct RegularTax<M> {
    /// Taxable income taxed at the ordinary brackets (worksheet line 5).
    pub ordinary_income: M,
    /// Taxable income taxed at 0/15/20% (worksheet line 10).
    pub preferential_income: M,
    /// Tax on `ordinary_income` (line 22).
    pub ordinary_tax: M,
    /// Tax on `preferential_income` (lines 18 + 21).
    pub capital_gains_tax: M,
    /// The regular tax: the smaller of the worksheet total and the tax on all taxable income
    /// at ordinary rates (line 25).
    pub total: M,
}

/// The Qualified Dividends and Capital Gain Tax Worksheet (2025 Form 1040 instructions), line
/// by line. `preferential` is qualified dividends plus the net capital gain eligible for the
/// 0/15/20% rates (`max(0, min(net long-term, net total))`); it must not be negative.
pub fn regular_tax<M: Amount>(
    law: &TaxLaw<M>,
    status: FilingStatus,
    taxable_income: M,
    preferential: M,
) -> RegularTax<M> {
    let s = status.index();
    let ti = taxable_income.max(M::ZERO);
    let pref = preferential.max(M::ZERO);
    let line5 = (ti - pref).max(M::ZERO);
    let line7 = ti.min(law.ltcg_zero_top[s]);
    let line8 = line5.min(line7);
    let line9 = line7 - line8; // taxed at 0%
    let line10 = ti.min(pref);
    let line12 = line10 - line9;
    let line14 = ti.min(law.ltcg_fifteen_top[s]);
    let line15 = line5 + line9;
    let line16 = (line14 - line15).max(M::ZERO);
    let line17 = line12.min(line16); // taxed at 15%
    let line18 = line17 * M::lit(15, 2);
    let line20 = line10 - (line9 + line17); // taxed at 20%
    let line21 = line20 * M::lit(20, 2);
    let line22 = ordinary_tax(law, status, line5);
    let line23 = line18 + line21 + line22;
    let line24 = ordinary_tax(law, status, ti);
    let total = line23.min(line24);
    RegularTax {
        ordinary_income: line5,
        preferential_income: line10,
        ordinary_tax: line22,
        capital_gains_tax: total - line22,
        total,
    }
}
