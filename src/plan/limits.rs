//! 2026 contribution limits by account kind and age, for checking a contribution or a one-time
//! over-contribution. Source for every figure: IRS Notice 2025-67 / IR-2025-111 (13 Nov 2025),
//! except HSA amounts: Rev. Proc. 2025-19 and IRC §223(b)(3).

use super::holdings::{AccountKind, FilingStatus, HsaCoverage, WorkplacePlan};
use super::money::fmt_money;
use crate::tax::income_limits::{
    ROTH_CATCH_UP_WAGES, ira_deduction_range, phased_out, roth_ira_range,
};
use rust_decimal::Decimal;
use rust_decimal_macros::dec;

/// The year the limits below are for.
pub const LIMITS_YEAR: i32 = 2026;

/// A participant's annual additions to a 401(k) (elective deferrals other than catch-ups,
/// §414(v)(3)(A), plus the employer's contributions) may not exceed this (IRC §415(c)(1)(A);
/// IRS Notice 2025-67) nor 100% of pay (§415(c)(1)(B)).
pub const ANNUAL_ADDITIONS: i64 = 72_000;

/// Accounts that share one limit.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum LimitGroup {
    /// 401(k) and Roth 401(k) elective deferrals share the §402(g) limit.
    ElectiveDeferral,
    /// Traditional and Roth IRAs share the §219(b)(5) limit.
    Ira,
    /// Health savings account, §223(b).
    Hsa,
}

impl LimitGroup {
    pub fn of(kind: AccountKind) -> Option<LimitGroup> {
        match kind {
            AccountKind::K401 | AccountKind::Roth401k => Some(LimitGroup::ElectiveDeferral),
            AccountKind::TraditionalIra | AccountKind::RothIra => Some(LimitGroup::Ira),
            AccountKind::Hsa => Some(LimitGroup::Hsa),
            AccountKind::Taxable => None,
        }
    }

    pub fn describe(self) -> &'static str {
        match self {
            LimitGroup::ElectiveDeferral => "401(k) + Roth 401(k) elective deferrals",
            LimitGroup::Ira => "traditional + Roth IRA contributions",
            LimitGroup::Hsa => "HSA contributions",
        }
    }
}

/// A limit for one person and group: the base limit plus the catch-up their age allows.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Limit {
    pub group: LimitGroup,
    #[serde(serialize_with = "super::money::ser_money")]
    pub base: Decimal,
    #[serde(serialize_with = "super::money::ser_money")]
    pub catch_up: Decimal,
    #[serde(serialize_with = "super::money::ser_money")]
    pub total: Decimal,
    /// The law behind the figures.
    pub source: String,
}

/// The 2026 limit for `group` for a person whose age on 31 December 2026 is `age` (`None`:
/// unknown, so no catch-up). Catch-up ages are judged at the end of the year.
pub fn limit(group: LimitGroup, age: Option<u32>, coverage: HsaCoverage) -> Limit {
    let age = age.unwrap_or(0);
    let (base, catch_up, source) = match group {
        LimitGroup::ElectiveDeferral => {
            // §402(g) elective deferral limit 24,500; §414(v) catch-up 8,000 from age 50;
            // SECURE 2.0 §109: 11,250 instead for ages 60-63 (replaces, not added to, the 50+ one).
            let catch_up = match age {
                60..=63 => dec!(11250),
                50.. => dec!(8000),
                _ => Decimal::ZERO,
            };
            (
                dec!(24500),
                catch_up,
                "IRC §402(g) limit 24,500, §414(v) catch-up 8,000 at 50+, SECURE 2.0 §109 catch-up 11,250 at ages 60-63 (IRS Notice 2025-67)",
            )
        }
        LimitGroup::Ira => {
            // §219(b)(5)(A) 7,500; §219(b)(5)(B) catch-up 1,100 at 50+ (indexed by SECURE 2.0 §108).
            let catch_up = if age >= 50 { dec!(1100) } else { Decimal::ZERO };
            (
                dec!(7500),
                catch_up,
                "IRC §219(b)(5) limit 7,500 (traditional and Roth combined), catch-up 1,100 at 50+ (IRS Notice 2025-67)",
            )
        }
        LimitGroup::Hsa => {
            // §223(b)(2): 4,400 self-only / 8,750 family (Rev. Proc. 2025-19); §223(b)(3): 1,000 at 55+.
            let base = match coverage {
                HsaCoverage::SelfOnly => dec!(4400),
                HsaCoverage::Family => dec!(8750),
            };
            let catch_up = if age >= 55 { dec!(1000) } else { Decimal::ZERO };
            (
                base,
                catch_up,
                "IRC §223(b) limit 4,400 self-only / 8,750 family (Rev. Proc. 2025-19), catch-up 1,000 at 55+ (§223(b)(3))",
            )
        }
    };
    Limit {
        group,
        base,
        catch_up,
        total: base + catch_up,
        source: source.to_string(),
    }
}

/// The result of checking one contribution against the limit.
#[derive(Debug, Clone, serde::Serialize)]
pub struct LimitCheck {
    pub limit: Limit,
    /// Already contributed this year to accounts sharing the limit.
    #[serde(serialize_with = "super::money::ser_money")]
    pub already_contributed: Decimal,
    #[serde(serialize_with = "super::money::ser_money")]
    pub this_contribution: Decimal,
    /// Room left after this contribution (negative: over the limit by that much).
    #[serde(serialize_with = "super::money::ser_money")]
    pub room_after: Decimal,
    pub exceeds: bool,
    pub age: Option<u32>,
    pub summary: String,
}

pub fn check(
    group: LimitGroup,
    age: Option<u32>,
    coverage: HsaCoverage,
    already: Decimal,
    amount: Decimal,
) -> LimitCheck {
    let lim = limit(group, age, coverage);
    let room_after = lim.total - already - amount;
    let exceeds = room_after < Decimal::ZERO;
    let age_text = match age {
        Some(a) => format!("age {a} at the end of {LIMITS_YEAR}"),
        None => "age unknown, so no catch-up".to_string(),
    };
    let summary = if exceeds {
        format!(
            "EXCEEDS the {LIMITS_YEAR} limit for {} ({age_text}): {} + already contributed {} = {} > limit {} by {}",
            group.describe(),
            fmt_money(amount),
            fmt_money(already),
            fmt_money(amount + already),
            fmt_money(lim.total),
            fmt_money(-room_after)
        )
    } else {
        format!(
            "within the {LIMITS_YEAR} limit for {} ({age_text}): {} + already contributed {} <= limit {}; room left {}",
            group.describe(),
            fmt_money(amount),
            fmt_money(already),
            fmt_money(lim.total),
            fmt_money(room_after)
        )
    };
    LimitCheck {
        limit: lim,
        already_contributed: already,
        this_contribution: amount,
        room_after,
        exceeds,
        age,
        summary,
    }
}

/// A rule of income that narrows a dollar limit for one account: the Roth IRA phase-out or
/// the Roth catch-up wage test.
#[derive(Debug, Clone, serde::Serialize)]
pub struct IncomeRule {
    /// The most this account may receive in the plan year under the rule.
    #[serde(serialize_with = "super::money::ser_money")]
    pub allowed: Decimal,
    /// Already contributed this year to the accounts the rule covers.
    #[serde(serialize_with = "super::money::ser_money")]
    pub already_contributed: Decimal,
    pub exceeds: bool,
    pub summary: String,
    pub source: &'static str,
}

impl IncomeRule {
    fn new(
        what: &str,
        allowed: Decimal,
        already: Decimal,
        amount: Decimal,
        why: String,
        fix: &str,
        source: &'static str,
    ) -> Self {
        let over = already + amount - allowed;
        let exceeds = over > Decimal::ZERO;
        let summary = if exceeds {
            format!(
                "EXCEEDS the {what}: {why}, so at most {}; {} + already contributed {} = {} is over by {}; {fix}",
                fmt_money(allowed),
                fmt_money(amount),
                fmt_money(already),
                fmt_money(amount + already),
                fmt_money(over)
            )
        } else {
            format!(
                "within the {what}: {why}, so at most {}",
                fmt_money(allowed)
            )
        };
        IncomeRule {
            allowed,
            already_contributed: already,
            exceeds,
            summary,
            source,
        }
    }
}

/// Where modified AGI `magi` stands against a phase-out range, in words.
fn where_in_range(magi: Decimal, (low, high): (Decimal, Decimal)) -> String {
    let place = if magi <= low {
        "below"
    } else if magi >= high {
        "above"
    } else {
        "inside"
    };
    format!(
        "modified AGI {} is {place} the phase-out range {}-{}",
        fmt_money(magi),
        fmt_money(low),
        fmt_money(high)
    )
}

/// The Roth IRA income limit (IRC §408A(c)(3)): the IRA limit `limit` (catch-up included)
/// phased out by modified AGI `magi`; `roth_already` is this year's Roth IRA contributions.
pub fn roth_ira_rule(
    limit: Decimal,
    magi: Decimal,
    filing: FilingStatus,
    roth_already: Decimal,
    amount: Decimal,
) -> IncomeRule {
    let (low, high) = roth_ira_range::<Decimal>(filing);
    let allowed = phased_out(limit, magi, (low, high));
    let why = format!(
        "{} for {}",
        where_in_range(magi, (low, high)),
        filing.name()
    );
    IncomeRule::new(
        "Roth IRA income limit",
        allowed,
        roth_already,
        amount,
        why,
        "the rest may go to a traditional IRA (non-deductible if the income is too high to deduct it), which may then be converted to the Roth IRA (a backdoor Roth)",
        "IRC §408A(c)(3); 2026 ranges from IRS Notice 2025-67; reduced limit rounded up to $10, at least $200 (Pub. 590-A)",
    )
}

/// How much of a traditional IRA contribution may be deducted (IRC §219(g)). The part
/// within the contribution limit that is not deductible becomes the owner's basis.
#[derive(Debug, Clone, serde::Serialize)]
pub struct IraDeduction {
    #[serde(serialize_with = "super::money::ser_money")]
    pub deductible: Decimal,
    #[serde(serialize_with = "super::money::ser_money")]
    pub non_deductible: Decimal,
    pub summary: String,
    pub source: &'static str,
}

/// The deductible part of a traditional IRA contribution of `amount`: the IRA limit `limit`
/// (catch-up included) phased out by modified AGI `magi` when the owner or their spouse is
/// covered by a workplace plan, less what traditional IRA contributions this year
/// (`traditional_already`) have used. `room` is what the contribution limit leaves for this
/// contribution: money beyond it is an excess contribution, not basis.
pub fn ira_deduction(
    limit: Decimal,
    magi: Decimal,
    filing: FilingStatus,
    plan: WorkplacePlan,
    traditional_already: Decimal,
    room: Decimal,
    amount: Decimal,
) -> IraDeduction {
    let within = amount.min(room.max(Decimal::ZERO));
    let (allowed, why) = match ira_deduction_range::<Decimal>(filing, plan) {
        None => (
            limit,
            "nobody in the household is covered by a workplace plan".to_string(),
        ),
        Some((low, high)) => (
            phased_out(limit, magi, (low, high)),
            format!(
                "{} for {} ({})",
                where_in_range(magi, (low, high)),
                match plan {
                    WorkplacePlan::Covered => "a contributor covered by a workplace plan",
                    _ => "a contributor whose spouse is covered by a workplace plan",
                },
                filing.name()
            ),
        ),
    };
    let deductible = within.min((allowed - traditional_already).max(Decimal::ZERO));
    let non_deductible = within - deductible;
    let mut summary = format!(
        "{} of {} is deductible ({why}, so at most {} a year)",
        fmt_money(deductible),
        fmt_money(amount),
        fmt_money(allowed)
    );
    if non_deductible > Decimal::ZERO {
        summary.push_str(&format!(
            "; the other {} is a non-deductible contribution: report it on Form 8606 as basis, or put it in a Roth IRA if the income allows",
            fmt_money(non_deductible)
        ));
    }
    IraDeduction {
        deductible,
        non_deductible,
        summary,
        source: "IRC §219(g); 2026 ranges from IRS Notice 2025-67; reduced limit rounded up to $10, at least $200 (Pub. 590-A)",
    }
}

/// The Roth catch-up rule (IRC §414(v)(7), SECURE 2.0 §603, from 2026): with last year's FICA
/// wages from the employer above $150,000, catch-ups must be Roth, so the traditional
/// 401(k) takes deferrals up to the base limit only. `None` at or below the wage test.
pub fn roth_catch_up_rule(
    base: Decimal,
    prior_year_wages: Decimal,
    traditional_already: Decimal,
    amount: Decimal,
) -> Option<IncomeRule> {
    let threshold = Decimal::from(ROTH_CATCH_UP_WAGES);
    if prior_year_wages <= threshold {
        return None;
    }
    let why = format!(
        "last year's FICA wages {} are above {}, so catch-ups must be Roth and the traditional 401(k) takes the base limit only",
        fmt_money(prior_year_wages),
        fmt_money(threshold)
    );
    Some(IncomeRule::new(
        "traditional 401(k) limit for high earners",
        base,
        traditional_already,
        amount,
        why,
        "send the catch-up to a Roth 401(k)",
        "IRC §414(v)(7) (SECURE 2.0 §603), final regulations T.D. 10033; $150,000 for 2026 (IRS Notice 2025-67)",
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plan_limits_by_age() {
        let g = LimitGroup::ElectiveDeferral;
        let c = HsaCoverage::SelfOnly;
        assert_eq!(limit(g, Some(32), c).total, dec!(24500));
        assert_eq!(limit(g, Some(50), c).total, dec!(32500));
        assert_eq!(limit(g, Some(58), c).total, dec!(32500));
        assert_eq!(limit(g, Some(60), c).total, dec!(35750));
        assert_eq!(limit(g, Some(63), c).total, dec!(35750));
        assert_eq!(limit(g, Some(64), c).total, dec!(32500));
        assert_eq!(limit(g, None, c).total, dec!(24500));
        assert_eq!(limit(LimitGroup::Ira, Some(49), c).total, dec!(7500));
        assert_eq!(limit(LimitGroup::Ira, Some(50), c).total, dec!(8600));
        assert_eq!(
            limit(LimitGroup::Hsa, Some(55), HsaCoverage::Family).total,
            dec!(9750)
        );
        assert_eq!(limit(LimitGroup::Hsa, Some(40), c).total, dec!(4400));
    }

    #[test]
    fn plan_limit_check_flags_excess() {
        let c = check(
            LimitGroup::Ira,
            Some(40),
            HsaCoverage::SelfOnly,
            dec!(7000),
            dec!(1000.00),
        );
        assert!(c.exceeds);
        assert_eq!(c.room_after, dec!(-500));
        assert!(c.summary.contains("EXCEEDS"));
        let c = check(
            LimitGroup::ElectiveDeferral,
            Some(32),
            HsaCoverage::SelfOnly,
            dec!(0),
            dec!(1666.67),
        );
        assert!(!c.exceeds);
        assert_eq!(c.room_after, dec!(22833.33));
    }
}
