//! The year's taxable income as the simulation collects it, the contribution limits it
//! enforces, and the tax it charges to the portfolio.

use super::lots::Realized;
use super::{AccountKind, Household, HsaCoverage};
use crate::plan::limits::{LimitGroup, limit};
use crate::tax::deductions::standard_deduction;
use crate::tax::income_limits::ROTH_CATCH_UP_WAGES;
use crate::tax::{LossCarry, TaxLaw, YearIncome, compute};
use rust_decimal::prelude::ToPrimitive;

/// Income of one tax year, in nominal dollars.
#[derive(Clone, Copy, Debug, Default)]
pub(crate) struct YearLedger {
    /// Wages less deductible contributions (traditional 401(k) and IRA, HSA).
    pub wages: f64,
    /// Traditional distributions (RMDs included), Roth conversions and pensions.
    pub ordinary: f64,
    /// The part of `ordinary` that owes the 10% early-withdrawal tax.
    pub early: f64,
    pub interest: f64,
    pub ordinary_dividends: f64,
    pub qualified_dividends: f64,
    pub realized: Realized,
    pub social_security: f64,
}

/// Oldest age with its own row in the limit tables.
const MAX_AGE: usize = 120;

/// 2026 contribution limits by age, read once from [`crate::plan::limits`] (IRS Notice
/// 2025-67; Rev. Proc. 2025-19 for HSAs) so the hot loop needs no `Decimal`. Indexed by the
/// simulated CPI each year (IRC §415(d) indexing, approximated by the price level), except
/// the HSA catch-up, which the statute fixes at $1,000.
#[derive(Clone, Debug, PartialEq)]
pub struct Limits {
    /// (base, catch-up) per age, for 401(k) deferrals and IRAs; HSA self-only and family.
    deferral: Vec<(f64, f64)>,
    ira: Vec<(f64, f64)>,
    hsa: [Vec<(f64, f64)>; 2],
}

/// The age people are taken to enroll in Medicare: it ends HSA contributions (IRC
/// §223(b)(7)) and starts Medicare's income-related surcharges.
const MEDICARE_AGE: u32 = 65;

/// Medicare's income-related monthly adjustment amounts (IRMAA) for 2026, per person
/// enrolled: the upper end of each MAGI tier, single and joint, and the monthly Part B plus
/// Part D surcharge above the standard premium (CMS, "2026 Medicare Parts A & B Premiums
/// and Deductibles"; 42 U.S.C. §1395r(i), §1395w-113(a)(7)). A tier starts a dollar above
/// the previous one's end: cliffs, not a phase-in.
const IRMAA_TIERS: [(f64, f64, f64); 5] = [
    (109_000.0, 218_000.0, 0.0),
    (137_000.0, 274_000.0, 81.20 + 14.50),
    (171_000.0, 342_000.0, 202.90 + 37.50),
    (205_000.0, 410_000.0, 324.60 + 60.40),
    (499_999.0, 749_999.0, 446.30 + 83.30),
];
/// The top tier's monthly surcharge, MAGI 500,000 single or 750,000 joint and up.
const IRMAA_TOP: f64 = 487.00 + 91.00;

impl Default for Limits {
    fn default() -> Self {
        let table = |group, coverage| {
            (0..=MAX_AGE as u32)
                .map(|age| {
                    let l = limit(group, Some(age), coverage);
                    (
                        l.base.to_f64().unwrap_or(0.0),
                        l.catch_up.to_f64().unwrap_or(0.0),
                    )
                })
                .collect::<Vec<_>>()
        };
        Self {
            deferral: table(LimitGroup::ElectiveDeferral, HsaCoverage::SelfOnly),
            ira: table(LimitGroup::Ira, HsaCoverage::SelfOnly),
            hsa: [
                table(LimitGroup::Hsa, HsaCoverage::SelfOnly),
                table(LimitGroup::Hsa, HsaCoverage::Family),
            ],
        }
    }
}

impl Limits {
    /// The 401(k) deferral limit without catch-ups (the same at every age), 2026 dollars.
    pub fn deferral_base(&self) -> f64 {
        self.deferral[0].0
    }

    /// The limit group (0 deferrals, 1 IRA, 2 HSA) and this year's limit for a contribution
    /// to an account of `kind` by a person of `age` earning `wages` (nominal), at price
    /// level `cpi`. The taxable account has no limit.
    pub fn limit(
        &self,
        kind: AccountKind,
        age: u32,
        coverage: HsaCoverage,
        wages: f64,
        cpi: f64,
    ) -> (usize, f64) {
        let row = (age as usize).min(MAX_AGE);
        let (group, (base, catch_up)) = match kind {
            AccountKind::K401 | AccountKind::Roth401k => (0, self.deferral[row]),
            AccountKind::TraditionalIra | AccountKind::RothIra => (1, self.ira[row]),
            AccountKind::Hsa if age >= MEDICARE_AGE => (2, (0.0, 0.0)),
            AccountKind::Hsa => {
                let c = usize::from(coverage == HsaCoverage::Family);
                (2, self.hsa[c][row])
            }
            AccountKind::Taxable => return (0, f64::INFINITY),
        };
        // The HSA catch-up is a statutory $1,000, not indexed (IRC §223(b)(3)(B)).
        let catch_up = if kind == AccountKind::Hsa {
            catch_up / cpi
        } else {
            catch_up
        };
        // High earners' catch-ups must go to a Roth 401(k): none in the traditional one.
        let blocked = self.blocked_catch_up(kind, age, wages, cpi) / cpi;
        (group, (base + catch_up - blocked) * cpi)
    }

    /// The HSA catch-up a person of `age` may add to their own HSA: the statutory $1,000
    /// from 55 (IRC §223(b)(3)), none once on Medicare.
    pub fn hsa_catch_up(&self, age: u32) -> f64 {
        if age >= MEDICARE_AGE {
            0.0
        } else {
            self.hsa[0][(age as usize).min(MAX_AGE)].1
        }
    }

    /// The catch-up a person earning `wages` (nominal; prior-year FICA wages in the law,
    /// this year's here) may not put in a traditional 401(k): all of it above the threshold.
    pub fn blocked_catch_up(&self, kind: AccountKind, age: u32, wages: f64, cpi: f64) -> f64 {
        if kind == AccountKind::K401 && wages > ROTH_CATCH_UP_WAGES as f64 * cpi {
            self.deferral[(age as usize).min(MAX_AGE)].1 * cpi
        } else {
            0.0
        }
    }

    /// Taxable income that fills the bracket with `rate` (its top), plus the standard
    /// deduction: the ordinary income a household can take in year `year` and stay in that
    /// bracket. Infinite for the top rate or a rate that is not a bracket.
    pub fn bracket_room(&self, hh: &Household, rate: f64, year: u32, cpi: f64) -> f64 {
        let law = law_for(hh, year, cpi);
        let s = hh.filing.index();
        let Some(i) = law.rates.iter().position(|&r| (r - rate).abs() < 1e-9) else {
            return f64::INFINITY;
        };
        if i + 1 >= law.rates.len() {
            return f64::INFINITY;
        }
        let age = hh.age(0, year).unwrap_or(0);
        law.brackets[s][i + 1] + standard_deduction(&law, hh.filing, age, hh.age(1, year))
    }
}

/// Tax law of simulation year `year`: the 2026 law indexed by the simulated price level
/// (the start year's law is taken to be 2026's).
fn law_for(hh: &Household, year: u32, cpi: f64) -> TaxLaw<f64> {
    let mut law = TaxLaw::projected_from(&hh.law_2026, hh.start_year + year as i32, cpi);
    // Set in place: `with_state_rate` moves the whole law once more (0.4% more instructions
    // in a taxed run, callgrind).
    law.state_rate = hh.state_rate;
    law
}

/// One year's tax as the portfolio bears it.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub(crate) struct YearTax {
    /// Charged to the portfolio (negative: a refund); includes `penalty`.
    pub tax: f64,
    /// The 10% additional tax on early distributions in it.
    pub penalty: f64,
    /// Modified AGI of the year, and of the wages alone (what the household would have
    /// had without the portfolio), for Medicare's surcharges two years on.
    pub magi: f64,
    pub wages_magi: f64,
}

/// Medicare's income-related surcharges (IRMAA) for simulation year `year`, per year, for
/// everyone in the household aged 65 or more (assumed enrolled in Parts B and D from 65),
/// on modified AGI `magi` (the law bases them on the return of two years before). Tiers and
/// amounts are 2026's, indexed by `cpi` like the tax law.
pub(crate) fn medicare_surcharges(hh: &Household, year: u32, magi: f64, cpi: f64) -> f64 {
    let joint = hh.filing.is_married();
    let monthly = IRMAA_TIERS
        .iter()
        .find(|&&(single, married, _)| magi <= if joint { married } else { single } * cpi)
        .map_or(IRMAA_TOP, |t| t.2);
    let enrolled = (0..2)
        .filter(|&who| hh.age(who, year).is_some_and(|a| a >= MEDICARE_AGE))
        .count();
    12.0 * monthly * cpi * enrolled as f64
}

/// The tax charged to the portfolio for year `year`, and the early-withdrawal penalty in it.
/// While wages are earned it is the tax the portfolio adds: the tax on everything less the
/// tax on the wages alone (which the household pays from its pay); it is negative when
/// realized losses lower the tax on wages (up to $3,000 a year), a refund to the portfolio. `carry` is last year's
/// capital loss carry-forward and becomes next year's.
pub(crate) fn year_tax(
    hh: &Household,
    ledger: &YearLedger,
    carry: &mut LossCarry<f64>,
    year: u32,
    cpi: f64,
) -> YearTax {
    let law = law_for(hh, year, cpi);
    let age = hh.age(0, year).unwrap_or(0);
    let spouse_age = hh.age(1, year);
    let income = YearIncome {
        wages: ledger.wages,
        taxable_interest: ledger.interest,
        ordinary_dividends: ledger.ordinary_dividends,
        qualified_dividends: ledger.qualified_dividends,
        ira_distributions: ledger.ordinary,
        early_distributions: ledger.early,
        short_term_gains: ledger.realized.short,
        long_term_gains: ledger.realized.long,
        social_security: ledger.social_security,
        age,
        spouse_age,
    };
    let all = compute(&law, hh.filing, &income, *carry);
    *carry = all.carry_out;
    let (wages_only, wages_magi) = if ledger.wages > 0.0 {
        let w = YearIncome {
            wages: ledger.wages,
            age,
            spouse_age,
            ..YearIncome::default()
        };
        let w = compute(&law, hh.filing, &w, LossCarry::none());
        (w.total_tax, w.agi)
    } else {
        (0.0, 0.0)
    };
    YearTax {
        tax: all.total_tax - wages_only,
        penalty: all.penalty,
        magi: all.agi,
        wages_magi,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A 2026 household of one person aged `age`, or a couple filing jointly.
    fn household(age: u32, spouse_age: Option<u32>) -> Household {
        let spouse = spouse_age.map_or(String::new(), |a| {
            format!("spouse_age = {a}\n[taxes]\nfiling_status = \"mfj\"")
        });
        let ira = "[[account]]\nname = \"ira\"\nkind = \"traditional_ira\"\nbalance = 1";
        crate::household::test_household(&format!("[household]\nage = {age}\n{spouse}"), ira, 5)
    }

    #[test]
    fn medicare_surcharges_are_cliffs_per_person_enrolled() {
        let close = |a: f64, b: f64| (a - b).abs() < 1e-6;
        // CMS 2026: single MAGI up to 109,000 pays no surcharge; a dollar more pays Part B
        // 81.20 + Part D 14.50 a month, 1,148.40 a year; 500,000 and up 487 + 91 a month.
        let single = household(66, None);
        assert_eq!(medicare_surcharges(&single, 0, 109_000.0, 1.0), 0.0);
        assert!(close(
            medicare_surcharges(&single, 0, 109_001.0, 1.0),
            1_148.40
        ));
        assert!(close(
            medicare_surcharges(&single, 0, 150_000.0, 1.0),
            2_884.80
        ));
        assert!(close(
            medicare_surcharges(&single, 0, 600_000.0, 1.0),
            6_936.0
        ));
        // Not yet 65: not on Medicare.
        assert_eq!(
            medicare_surcharges(&household(64, None), 0, 600_000.0, 1.0),
            0.0
        );
        // A joint return's tiers; each spouse on Medicare pays.
        let both = household(66, Some(67));
        assert!(close(
            medicare_surcharges(&both, 0, 250_000.0, 1.0),
            2.0 * 1_148.40
        ));
        assert_eq!(medicare_surcharges(&both, 0, 218_000.0, 1.0), 0.0);
        let one = household(66, Some(60));
        assert!(close(
            medicare_surcharges(&one, 0, 250_000.0, 1.0),
            1_148.40
        ));
        // The spouse turns 65 five years on.
        assert!(close(
            medicare_surcharges(&one, 5, 250_000.0, 1.0),
            2.0 * 1_148.40
        ));
        // Indexed: at a price level of 1.1 the first tier ends at 119,900.
        assert_eq!(medicare_surcharges(&single, 0, 119_900.0, 1.1), 0.0);
        assert!(close(
            medicare_surcharges(&single, 0, 120_000.0, 1.1),
            1_148.40 * 1.1
        ));
    }

    #[test]
    fn limits_follow_the_price_level_but_the_hsa_catch_up_stays_1000() {
        let l = Limits::default();
        let (_, hsa) = l.limit(AccountKind::Hsa, 56, HsaCoverage::SelfOnly, 0.0, 1.3);
        assert!((hsa - (4_400.0 * 1.3 + 1_000.0)).abs() < 1e-9, "{hsa}");
        // The 401(k) catch-up is indexed (IRC §414(v)(2)(C)): 24,500 + 8,000 at 50.
        let (_, k) = l.limit(AccountKind::K401, 50, HsaCoverage::SelfOnly, 0.0, 1.3);
        assert!((k - 32_500.0 * 1.3).abs() < 1e-9, "{k}");
    }
}
