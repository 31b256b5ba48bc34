//! Deductions from AGI: the standard deduction with the additional amount for age 65+ (IRC
//! §63(c), (f)) and the OBBBA senior deduction (IRC §151(d)(5)(C), 2025–2028).
//!
//! Ages are at 31 December of the tax year. (The IRS treats a person as 65 on the day before
//! the 65th birthday, so someone born on 1 January counts as 65 a year early: pass 65.)

use super::amount::{Amount, whole};
use super::filing::FilingStatus;
use super::law::TaxLaw;

/// How many people on the return are 65 or older: the taxpayer, plus the spouse on a joint
/// return (a spouse's age is ignored for other statuses).
pub fn seniors(status: FilingStatus, age: u32, spouse_age: Option<u32>) -> u32 {
    let spouse = status == FilingStatus::Mfj && spouse_age.is_some_and(|a| a >= 65);
    u32::from(age >= 65) + u32::from(spouse)
}

/// Basic standard deduction plus the additional amount per person 65+ (the married amount,
/// per spouse, on joint and separate returns).
pub fn standard_deduction<M: Amount>(
    law: &TaxLaw<M>,
    status: FilingStatus,
    age: u32,
    spouse_age: Option<u32>,
) -> M {
    let addon = if status.is_married() {
        law.aged_addon_married
    } else {
        law.aged_addon_unmarried
    };
    law.standard_deduction[status.index()]
        + addon * whole(i64::from(seniors(status, age, spouse_age)))
}

/// The senior deduction: for each person 65+, the amount less 6% of MAGI above the
/// threshold, not below zero (Schedule 1-A Part V reduces each $6,000 separately). Zero for
/// married filing separately and outside 2025–2028. Taken below AGI, so it changes neither
/// AGI nor anything computed from it.
pub fn senior_deduction<M: Amount>(
    law: &TaxLaw<M>,
    status: FilingStatus,
    age: u32,
    spouse_age: Option<u32>,
    magi: M,
) -> M {
    if status == FilingStatus::Mfs {
        return M::ZERO;
    }
    let excess = (magi - law.senior_phaseout_start[status.index()]).max(M::ZERO);
    let each = (law.senior_amount - excess * law.senior_phaseout_rate).max(M::ZERO);
    each * whole(i64::from(seniors(status, age, spouse_age)))
}
