//! The taxable part of Social Security benefits: IRC §86, computed as in IRS Pub. 915
//! Worksheet 1. The base amounts are statutory and not indexed.

use super::amount::Amount;
use super::filing::FilingStatus;
use super::law::TaxLaw;

/// Taxable Social Security benefits for a year.
///
/// `benefits` is the year's total benefits (both spouses on a joint return); `other_income` is
/// AGI without Social Security (worksheet line 3; no tax-exempt interest or adjustments to
/// income are modelled). At most 85% of benefits is ever taxable.
pub fn taxable_benefits<M: Amount>(
    law: &TaxLaw<M>,
    status: FilingStatus,
    benefits: M,
    other_income: M,
) -> M {
    if benefits <= M::ZERO {
        return M::ZERO;
    }
    let s = status.index();
    let half = benefits * M::lit(5, 1); // line 2
    let provisional = other_income + half; // lines 5-7
    let line9 = provisional - law.ss_base[s];
    if line9 <= M::ZERO {
        return M::ZERO;
    }
    let line10 = law.ss_adjusted_base[s] - law.ss_base[s];
    let line11 = (line9 - line10).max(M::ZERO);
    let line13 = line9.min(line10) * M::lit(5, 1);
    let line14 = half.min(line13);
    let line16 = line14 + line11 * M::lit(85, 2);
    line16.min(benefits * M::lit(85, 2))
}
