//! Income limits on contributions: the Roth IRA phase-out, the traditional IRA deduction
//! phase-out and the Roth catch-up wage test, written once for the simulation (`f64`) and the
//! one-year trade plan (`Decimal`).

use super::Amount;
use super::amount::whole;
use super::filing::FilingStatus;

/// Roth IRA contribution phase-out range of modified AGI for 2026, in whole dollars
/// (IRC §408A(c)(3); IRS Notice 2025-67): single or head of household, and married filing
/// jointly. Both are indexed.
pub const ROTH_IRA_SINGLE: (i64, i64) = (153_000, 168_000);
pub const ROTH_IRA_JOINT: (i64, i64) = (242_000, 252_000);
/// Married filing separately and living with the spouse at any time in the year
/// (§408A(c)(3)(B)(iii)): fixed by statute, not indexed. (Apart all year: the single range.)
pub const ROTH_IRA_SEPARATE: (i64, i64) = (0, 10_000);

/// Traditional IRA deduction phase-out ranges of modified AGI for 2026 (IRC §219(g)(3);
/// IRS Notice 2025-67): a contributor who is an active participant in a workplace plan,
/// single or head of household and joint; a joint filer who is not, married to one who is
/// (§219(g)(7)); all indexed. Married filing separately (and living together), either way:
/// 0-10,000, fixed by statute (§219(g)(3)(B)(iii)).
pub const IRA_DEDUCTION_COVERED_SINGLE: (i64, i64) = (81_000, 91_000);
pub const IRA_DEDUCTION_COVERED_JOINT: (i64, i64) = (129_000, 149_000);
pub const IRA_DEDUCTION_SPOUSE_COVERED: (i64, i64) = (242_000, 252_000);
pub const IRA_DEDUCTION_SEPARATE: (i64, i64) = (0, 10_000);

/// Whether a traditional IRA contributor is an active participant in a workplace retirement
/// plan this year (IRC §219(g)(5)), or only their spouse is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Deserialize, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum WorkplacePlan {
    Covered,
    SpouseCovered,
    NotCovered,
}

/// The 2026 range over which a traditional IRA deduction phases out; `None` when the whole
/// contribution may be deducted (nobody covered, or a spouse's plan without a spouse).
pub fn ira_deduction_range<A: Amount>(filing: FilingStatus, plan: WorkplacePlan) -> Option<(A, A)> {
    let (low, high) = match (plan, filing) {
        (WorkplacePlan::NotCovered, _) => return None,
        (WorkplacePlan::SpouseCovered, FilingStatus::Single | FilingStatus::Hoh) => return None,
        (_, FilingStatus::Mfs) => IRA_DEDUCTION_SEPARATE,
        (WorkplacePlan::Covered, FilingStatus::Mfj) => IRA_DEDUCTION_COVERED_JOINT,
        (WorkplacePlan::Covered, _) => IRA_DEDUCTION_COVERED_SINGLE,
        (WorkplacePlan::SpouseCovered, FilingStatus::Mfj) => IRA_DEDUCTION_SPOUSE_COVERED,
    };
    Some((whole(low), whole(high)))
}

/// Prior-year FICA wages from the plan's employer above which catch-up contributions must be
/// Roth: IRC §414(v)(7) (SECURE 2.0 §603), $150,000 for 2026 (IRS Notice 2025-67; the Act's
/// $145,000, indexed).
pub const ROTH_CATCH_UP_WAGES: i64 = 150_000;

/// The 2026 Roth IRA phase-out range for a filing status.
pub fn roth_ira_range<A: Amount>(filing: FilingStatus) -> (A, A) {
    let (low, high) = match filing {
        FilingStatus::Mfj => ROTH_IRA_JOINT,
        FilingStatus::Mfs => ROTH_IRA_SEPARATE,
        FilingStatus::Single | FilingStatus::Hoh => ROTH_IRA_SINGLE,
    };
    (whole(low), whole(high))
}

/// A limit phased out linearly by modified AGI over `range` (IRC §219(g)(2), §408A(c)(3);
/// IRS Pub. 590-A worksheets 1-2 and 2-2): rounded up to $10, and not below $200 until the
/// range's top, where it is gone.
pub fn phased_out<A: Amount>(limit: A, magi: A, (low, high): (A, A)) -> A {
    if magi <= low {
        limit
    } else if magi >= high {
        A::ZERO
    } else {
        let ten: A = whole(10);
        let left = limit - limit * (magi - low) / (high - low);
        ((left / ten).ceil() * ten).max(whole(200)).min(limit)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rust_decimal_macros::dec;

    #[test]
    fn roth_ira_limit_phases_out_by_pub_590a() {
        // Single, 50+ (7,500 + 1,100), MAGI 160,000: 8,600 x (1 - 7,000 / 15,000) =
        // 4,586.67, rounded up to 4,590.
        let range = roth_ira_range(FilingStatus::Single);
        assert_eq!(phased_out(dec!(8600), dec!(160000), range), dec!(4590));
        let range_f64 = roth_ira_range::<f64>(FilingStatus::Single);
        assert_eq!(phased_out(8600.0, 160_000.0, range_f64), 4590.0);
        // The $200 floor near the top; nothing from the top up; all below the range.
        assert_eq!(phased_out(dec!(7500), dec!(167900), range), dec!(200));
        assert_eq!(phased_out(dec!(7500), dec!(168000), range), dec!(0));
        assert_eq!(phased_out(dec!(7500), dec!(153000), range), dec!(7500));
        // Married filing separately: 7,500 x (1 - 4,000 / 10,000) = 4,500.
        let separate = roth_ira_range(FilingStatus::Mfs);
        assert_eq!(phased_out(dec!(7500), dec!(4000), separate), dec!(4500));
    }
}
