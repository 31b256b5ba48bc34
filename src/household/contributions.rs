//! One working year's contributions after the law's limits: what each account receives,
//! what spills to the taxable account, and what is deductible.
//!
//! The limits (IRS Notice 2025-67; Rev. Proc. 2025-19 for HSAs), indexed by the year's law
//! price level, and the rules that tie people and accounts together:
//! - 401(k) deferrals (traditional and Roth share one limit) are capped at the owner's
//!   compensation (IRC §415(c)(1)(B)); a high earner's catch-up goes to a Roth 401(k)
//!   (§414(v)(7));
//! - IRA contributions (traditional and Roth share one limit) are capped at compensation
//!   (§219(b)(1)(B)): W-2 wages, which exclude pre-tax 401(k) deferrals. On a joint return
//!   the spouse with less pay may use the couple's (§219(c));
//! - Roth IRA contributions phase out with modified AGI (§408A(c)(3)), and so does the
//!   deduction of traditional IRA contributions by a person covered by a workplace plan, or
//!   married to one (§219(g)): the contribution is still made, its non-deductible part is
//!   the owner's IRA basis (Form 8606);
//! - a 401(k)'s annual additions, deferrals other than catch-ups plus the employer's
//!   match, are capped at $72,000 and at pay (§415(c)): the match gives way;
//! - when either spouse has family HSA coverage, both are treated as having it and share
//!   one family limit; each adds their own catch-up (§223(b)(5), IRS Pub. 969).
//!
//! What a limit keeps out goes to the taxable account (the household saves it anyway).

use super::book::MAX_ACCOUNTS;
use super::{AccountKind, Household, HsaCoverage};
use crate::plan::limits::ANNUAL_ADDITIONS;
use crate::tax::income_limits::{WorkplacePlan, ira_deduction_range, phased_out, roth_ira_range};

/// A year's contributions: `per_step[i]` (set by [`year_contributions`]) is account `i`'s
/// contribution each step, employer match included.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub(crate) struct YearContributions {
    /// Kept out by the limits, per step: it goes to the taxable account.
    pub excess_per_step: f64,
    /// The year's wages less its deductible contributions (traditional 401(k) and IRA,
    /// HSA): the wages on the tax return.
    pub taxable_wages: f64,
    /// Per person: traditional IRA contributions per step that are not deductible (their
    /// IRA basis grows by this much).
    pub nondeductible_per_step: [f64; 2],
    /// Per person: the year's Roth IRA money the phase-out keeps out that goes in through
    /// the back door (already in `per_step`; converted at the year's start).
    pub backdoor: [f64; 2],
}

/// The contributions of simulation year `year` (a working year), with the law indexed by
/// `law_cpi`. `portfolio_income` estimates the year's investment income for the Roth IRA
/// phase-out (the year's own is known only at its end; the book passes last year's).
pub(crate) fn year_contributions(
    hh: &Household,
    year: u32,
    law_cpi: f64,
    steps_per_year: u32,
    portfolio_income: f64,
    per_step: &mut [f64],
) -> YearContributions {
    let caps = &hh.limits;
    let steps = f64::from(steps_per_year);
    let growth = (1.0 + hh.wage_growth).powi(year as i32);
    let wages = [hh.wages[0] * growth, hh.wages[1] * growth];
    let couple = hh.married();
    // Family coverage for either spouse is family coverage for both (IRC §223(b)(5)).
    let couple_family = couple
        && hh
            .accounts
            .iter()
            .any(|a| a.kind == AccountKind::Hsa && a.coverage == HsaCoverage::Family);
    // Per account: what fits the limits, what a Roth 401(k) takes of a blocked catch-up
    // (and which one), and what is kept out.
    let mut fits = [0.0; MAX_ACCOUNTS];
    let mut moved = [(0.0, 0); MAX_ACCOUNTS];
    let mut over = [0.0; MAX_ACCOUNTS];
    let mut used = [[0.0f64; 3]; 2]; // per person: deferral, IRA, HSA
    let mut pre_tax_deferrals = [0.0; 2];
    let ages = [0, 1].map(|who| hh.age(who, year).unwrap_or(0));
    // IRAs last: their compensation is wages less the year's pre-tax deferrals.
    for ira_pass in [false, true] {
        for (i, a) in hh.accounts.iter().enumerate() {
            let is_ira = matches!(a.kind, AccountKind::TraditionalIra | AccountKind::RothIra);
            let want = a.contribution * growth;
            if is_ira != ira_pass || want <= 0.0 || a.kind == AccountKind::Taxable {
                continue;
            }
            let who = a.owner.index();
            let other = 1 - who;
            let age = ages[who];
            let coverage = if couple_family {
                HsaCoverage::Family
            } else {
                a.coverage
            };
            let (group, limit) = caps.limit(a.kind, age, coverage, wages[who], law_cpi);
            let cap = match a.kind {
                AccountKind::K401 | AccountKind::Roth401k => wages[who],
                AccountKind::TraditionalIra | AccountKind::RothIra => {
                    let pay = |p: usize| wages[p] - pre_tax_deferrals[p];
                    if couple {
                        // Never more than the couple's pay less the other's IRA money; the
                        // better-paid spouse also not more than their own.
                        let joint = pay(who) + pay(other) - used[other][1];
                        if pay(who) >= pay(other) {
                            pay(who).min(joint)
                        } else {
                            joint
                        }
                    } else {
                        pay(who)
                    }
                }
                // The shared family limit: what the other spouse used beyond their own
                // catch-up is gone.
                AccountKind::Hsa if couple_family => {
                    limit - (used[other][2] - caps.hsa_catch_up(ages[other])).max(0.0)
                }
                AccountKind::Hsa | AccountKind::Taxable => f64::INFINITY,
            };
            let room = (limit.min(cap) - used[who][group]).max(0.0);
            fits[i] = want.min(room);
            used[who][group] += fits[i];
            if a.kind == AccountKind::K401 {
                pre_tax_deferrals[who] += fits[i];
            }
            over[i] = want - fits[i];
            // A high earner's catch-up kept out of the traditional 401(k) goes to the
            // owner's Roth 401(k), if there is one (IRC §414(v)(7)).
            let blocked = caps.blocked_catch_up(a.kind, age, wages[who], law_cpi);
            if over[i] > 0.0
                && blocked > 0.0
                && let Some(r) = hh
                    .accounts
                    .iter()
                    .position(|b| b.kind == AccountKind::Roth401k && b.owner == a.owner)
            {
                let room = ((limit + blocked).min(cap) - used[who][group]).max(0.0);
                let m = over[i].min(blocked).min(room);
                used[who][group] += m;
                moved[i] = (m, r);
                over[i] -= m;
            }
        }
    }
    // Modified AGI for both phase-outs: wages less pre-tax 401(k) and HSA money, plus the
    // portfolio's income; an IRA deduction does not lower it (§219(g)(3)(A)(ii),
    // §408A(c)(3)(B)(i)).
    let hsa = of_kind(hh, AccountKind::Hsa, 0, &fits) + of_kind(hh, AccountKind::Hsa, 1, &fits);
    let magi =
        wages[0] + wages[1] - pre_tax_deferrals[0] - pre_tax_deferrals[1] - hsa + portfolio_income;
    let backdoor = roth_phase_out(hh, &ages, &wages, magi, law_cpi, &mut fits, &mut over);
    let mut deduction_left = ira_deduction_limits(hh, &ages, &wages, magi, law_cpi, &fits);

    // In the scenario's order, so sums round the same whatever the passes above did.
    per_step.fill(0.0);
    let mut year = YearContributions {
        backdoor,
        ..YearContributions::default()
    };
    let mut deductible = 0.0;
    // Annual additions (IRC §415(c)): deferrals other than catch-ups (§414(v)(3)(A)) plus
    // the employer's match, per person, at most $72,000 indexed and 100% of pay. Deferrals
    // fit by themselves (they are capped at pay and the §402(g) limit is lower), so it is
    // the match that gives way; what it cannot add is not the household's money.
    let mut additions = [0, 1].map(|who| used[who][0].min(caps.deferral_base() * law_cpi));
    let additions_limit = wages.map(|w| (ANNUAL_ADDITIONS as f64 * law_cpi).min(w));
    for (i, a) in hh.accounts.iter().enumerate() {
        let want = a.contribution * growth;
        if want <= 0.0 {
            continue;
        }
        if a.kind == AccountKind::Taxable {
            // No limit, and it uses up no one's 401(k), IRA or HSA room.
            per_step[i] += want / steps;
            continue;
        }
        let who = a.owner.index();
        // Employer match: outside the §402(g) deferral limit, inside §415(c)'s.
        let matched = (a.employer_match * fits[i].min(a.match_cap * wages[who]))
            .min((additions_limit[who] - additions[who]).max(0.0));
        additions[who] += matched;
        per_step[i] += (fits[i] + matched) / steps;
        let (m, r) = moved[i];
        if m > 0.0 {
            per_step[r] += m / steps;
        }
        year.excess_per_step += over[i] / steps;
        match a.kind {
            AccountKind::K401 | AccountKind::Hsa => deductible += fits[i],
            AccountKind::TraditionalIra => {
                let d = fits[i].min(deduction_left[who]);
                deduction_left[who] -= d;
                deductible += d;
                year.nondeductible_per_step[who] += (fits[i] - d) / steps;
            }
            _ => {}
        }
    }
    year.taxable_wages = (hh.wages[0] + hh.wages[1]) * growth - deductible;
    year
}

/// Cuts Roth IRA contributions to what modified AGI allows (IRC §408A(c)(3); IRS Pub.
/// 590-A, worksheet 2-2): the IRA limit phased out by modified AGI ([`phased_out`]), less
/// the person's traditional IRA contributions. A Roth IRA with a back door keeps what is
/// cut, returned per person (it comes in as a converted traditional contribution).
fn roth_phase_out(
    hh: &Household,
    ages: &[u32; 2],
    wages: &[f64; 2],
    magi: f64,
    law_cpi: f64,
    fits: &mut [f64; MAX_ACCOUNTS],
    over: &mut [f64; MAX_ACCOUNTS],
) -> [f64; 2] {
    let mut backdoor = [0.0; 2];
    let roth = [0, 1].map(|who| of_kind(hh, AccountKind::RothIra, who, fits));
    if roth == [0.0, 0.0] {
        return backdoor;
    }
    let (low, high): (f64, f64) = roth_ira_range(hh.filing);
    let range = (low * law_cpi, high * law_cpi);
    if magi <= range.0 {
        return backdoor;
    }
    for (who, &wanted) in roth.iter().enumerate() {
        if wanted <= 0.0 {
            continue;
        }
        let reduced = phased_out(ira_limit(hh, ages, wages, who, law_cpi), magi, range);
        let traditional = of_kind(hh, AccountKind::TraditionalIra, who, fits);
        let mut cut = wanted - (reduced - traditional).max(0.0).min(wanted);
        // From the person's last Roth IRA back.
        for (i, a) in hh.accounts.iter().enumerate().rev() {
            if cut <= 0.0 {
                break;
            }
            if a.kind == AccountKind::RothIra && a.owner.index() == who {
                let c = cut.min(fits[i]);
                if a.backdoor {
                    backdoor[who] += c;
                } else {
                    fits[i] -= c;
                    over[i] += c;
                }
                cut -= c;
            }
        }
    }
    backdoor
}

/// Per person, how much of their traditional IRA contributions may be deducted (IRC
/// §219(g)): all of it unless they or their spouse are active participants in a workplace
/// plan (a 401(k) receiving money this year, §219(g)(5)); then the IRA limit phased out by
/// modified AGI over the range that applies to them.
fn ira_deduction_limits(
    hh: &Household,
    ages: &[u32; 2],
    wages: &[f64; 2],
    magi: f64,
    law_cpi: f64,
    fits: &[f64; MAX_ACCOUNTS],
) -> [f64; 2] {
    let covered = [0, 1].map(|who| {
        hh.accounts.iter().zip(fits).any(|(a, &f)| {
            matches!(a.kind, AccountKind::K401 | AccountKind::Roth401k)
                && a.owner.index() == who
                && f > 0.0
        })
    });
    [0, 1].map(|who| {
        let plan = if covered[who] {
            WorkplacePlan::Covered
        } else if covered[1 - who] {
            WorkplacePlan::SpouseCovered
        } else {
            WorkplacePlan::NotCovered
        };
        let Some((low, high)) = ira_deduction_range::<f64>(hh.filing, plan) else {
            return f64::INFINITY;
        };
        let limit = ira_limit(hh, ages, wages, who, law_cpi);
        phased_out(limit, magi, (low * law_cpi, high * law_cpi))
    })
}

/// Person `who`'s IRA limit this year (traditional and Roth share it), catch-up included.
fn ira_limit(hh: &Household, ages: &[u32; 2], wages: &[f64; 2], who: usize, law_cpi: f64) -> f64 {
    let kind = AccountKind::TraditionalIra;
    let (_, limit) = hh
        .limits
        .limit(kind, ages[who], HsaCoverage::SelfOnly, wages[who], law_cpi);
    limit
}

/// The year's contributions `fits` to person `who`'s accounts of `kind`.
fn of_kind(hh: &Household, kind: AccountKind, who: usize, fits: &[f64; MAX_ACCOUNTS]) -> f64 {
    hh.accounts
        .iter()
        .zip(fits)
        .filter(|(a, _)| a.kind == kind && a.owner.index() == who)
        .map(|(_, f)| f)
        .sum()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A 2026 household from its `[household]` (and `[taxes]`) text and its accounts.
    fn household(people: &str, accounts: &str) -> Household {
        crate::household::test_household(people, accounts, 30)
    }

    /// An account of `kind` owned by `owner` contributing `dollars` a year.
    fn account(kind: &str, owner: &str, dollars: f64, extra: &str) -> String {
        format!(
            "[[account]]\nname = \"{kind} {owner}\"\nkind = \"{kind}\"\nowner = \"{owner}\"\n\
             balance = 0\ncontribution = {dollars}\n{extra}\n"
        )
    }

    /// The first year's contributions per account (a year is one step here) and the excess.
    fn first_year(hh: &Household, portfolio_income: f64) -> (Vec<f64>, f64) {
        let mut per_step = vec![0.0; hh.accounts.len()];
        let year = year_contributions(hh, 0, 1.0, 1, portfolio_income, &mut per_step);
        (per_step, year.excess_per_step)
    }

    const COUPLE_56: &str = "[household]\nage = 56\nspouse_age = 56\nretirement_age = 60\n\
        wages = 100000\n[taxes]\nfiling_status = \"mfj\"";
    const COUPLE_45: &str = "[household]\nage = 45\nspouse_age = 45\nretirement_age = 60\n\
        wages = 100000\nspouse_wages = 50000\n[taxes]\nfiling_status = \"mfj\"";

    fn close(got: f64, want: f64) -> bool {
        (got - want).abs() < 1e-6
    }

    #[test]
    fn spouses_with_family_coverage_share_one_family_limit_plus_their_own_catch_ups() {
        // IRS Pub. 969: family coverage for both, both 55 or older: 8,750 between them, plus
        // 1,000 each. Each wanting 9,750 (once allowed each): 9,750 and 1,000.
        let family = "coverage = \"family\"";
        let hh = household(
            COUPLE_56,
            &(account("hsa", "self", 9_750.0, family) + &account("hsa", "spouse", 9_750.0, family)),
        );
        let (got, excess) = first_year(&hh, 0.0);
        assert!(close(got[0], 9_750.0) && close(got[1], 1_000.0), "{got:?}");
        assert!(close(excess, 8_750.0), "{excess}");
        // Family coverage for one is family coverage for both (IRC §223(b)(5)): a self-only
        // HSA shares the family limit; whoever is listed first uses the room first.
        for (first, second) in [("self", "spouse"), ("spouse", "self")] {
            let hh = household(
                COUPLE_45,
                &(account("hsa", first, 5_000.0, family) + &account("hsa", second, 5_000.0, "")),
            );
            let (got, excess) = first_year(&hh, 0.0);
            assert!(close(got[0], 5_000.0) && close(got[1], 3_750.0), "{got:?}");
            assert!(close(excess, 1_250.0), "{excess}");
        }
        // Without family coverage each spouse has a self-only limit of their own.
        let hh = household(
            COUPLE_45,
            &(account("hsa", "self", 5_000.0, "") + &account("hsa", "spouse", 5_000.0, "")),
        );
        let (got, excess) = first_year(&hh, 0.0);
        assert!(close(got[0], 4_400.0) && close(got[1], 4_400.0) && close(excess, 1_200.0));
    }

    #[test]
    fn contributions_are_capped_at_pay_and_an_ira_at_pay_less_pre_tax_deferrals() {
        // 5,000 of wages: 2,000 into the 401(k) leaves 3,000 of W-2 pay for the IRA.
        let hh = household(
            "[household]\nage = 45\nretirement_age = 60\nwages = 5000",
            &(account("401k", "self", 2_000.0, "")
                + &account("traditional_ira", "self", 7_500.0, "")),
        );
        let (got, excess) = first_year(&hh, 0.0);
        assert!(close(got[0], 2_000.0) && close(got[1], 3_000.0), "{got:?}");
        assert!(close(excess, 4_500.0), "{excess}");
        // A 401(k) deferral above pay: only the pay.
        let hh = household(
            "[household]\nage = 45\nretirement_age = 60\nwages = 5000",
            &account("401k", "self", 10_000.0, ""),
        );
        assert!(close(first_year(&hh, 0.0).0[0], 5_000.0));
    }

    #[test]
    fn the_employer_match_gives_way_to_the_annual_additions_limit() {
        let k401 = |age: u32, wages: f64, deferral: f64, extra: &str| {
            household(
                &format!("[household]\nage = {age}\nretirement_age = 60\nwages = {wages}"),
                &account("401k", "self", deferral, extra),
            )
        };
        // Below the limits the match is untouched: 50% of the first 6% of 100,000 is 3,000.
        let hh = k401(
            45,
            100_000.0,
            24_500.0,
            "employer_match = 0.5\nmatch_cap = 0.06",
        );
        assert!(close(first_year(&hh, 0.0).0[0], 27_500.0));
        // §415(c)(1)(B): 20,000 of pay, all deferred and matched dollar for dollar. The
        // additions may not exceed pay, so there is no room for the match.
        let hh = k401(45, 20_000.0, 20_000.0, "employer_match = 1.0");
        assert!(close(first_year(&hh, 0.0).0[0], 20_000.0));
        // §415(c)(1)(A): at 55 on 150,000, 32,500 deferred (8,000 of it a catch-up, outside
        // the limit) and matched 2 for 1 up to 20% of pay, so 60,000 offered. 24,500 plus
        // the match may not pass 72,000: the match is 47,500, and 80,000 goes in.
        let hh = k401(
            55,
            150_000.0,
            32_500.0,
            "employer_match = 2.0\nmatch_cap = 0.2",
        );
        let (got, excess) = first_year(&hh, 0.0);
        assert!(
            close(got[0], 80_000.0) && close(excess, 0.0),
            "{got:?} {excess}"
        );
    }

    #[test]
    fn a_spousal_ira_uses_the_couples_pay_less_the_other_spouses_ira() {
        // 10,000 of pay for two IRAs wanting 7,500 each (IRC §219(c)): 10,000 in all,
        // whichever is listed first.
        let people = "[household]\nage = 45\nspouse_age = 45\nretirement_age = 60\n\
            wages = 10000\n[taxes]\nfiling_status = \"mfj\"";
        for (first, second) in [("self", "spouse"), ("spouse", "self")] {
            let hh = household(
                people,
                &(account("traditional_ira", first, 7_500.0, "")
                    + &account("roth_ira", second, 7_500.0, "")),
            );
            let (got, excess) = first_year(&hh, 0.0);
            assert!(close(got[0], 7_500.0) && close(got[1], 2_500.0), "{got:?}");
            assert!(close(excess, 5_000.0), "{excess}");
        }
    }

    #[test]
    fn roth_ira_contributions_phase_out_with_modified_agi() {
        let single =
            |wages: f64| format!("[household]\nage = 45\nretirement_age = 60\nwages = {wages}");
        let roth = account("roth_ira", "self", 7_500.0, "");
        let k401 = account("401k", "self", 20_000.0, "");
        // MAGI 181,234 - 20,000 = 161,234: 8,234 / 15,000 of the way through 153k-168k, so
        // 7,500 x (1 - 0.548933) = 3,383, rounded up to 3,390 (Pub. 590-A worksheet 2-2).
        let hh = household(&single(181_234.0), &(k401.clone() + &roth));
        let (got, excess) = first_year(&hh, 0.0);
        assert!(
            close(got[1], 3_390.0) && close(excess, 4_110.0),
            "{got:?} {excess}"
        );
        // The portfolio's income counts; an HSA contribution lowers MAGI.
        let hh = household(&single(150_000.0), &roth);
        assert!(close(first_year(&hh, 11_234.0).0[0], 3_390.0));
        let hsa = account("hsa", "self", 4_000.0, "");
        let hh = household(&single(165_234.0), &(hsa + &roth));
        assert!(close(first_year(&hh, 0.0).0[1], 3_390.0));
        // A traditional IRA contribution does not lower MAGI but uses the reduced limit:
        // 3,390 - 2,000 = 1,390; of the Roth's 7,500, 2,000 never fit and 4,110 is cut.
        let ira = account("traditional_ira", "self", 2_000.0, "");
        let hh = household(&single(181_234.0), &(k401 + &ira + &roth));
        let (got, excess) = first_year(&hh, 0.0);
        assert!(close(got[1], 2_000.0) && close(got[2], 1_390.0), "{got:?}");
        assert!(close(excess, 6_110.0), "{excess}");
        // Near the top the limit stays 200 (7,500 x 100/15,000 = 50); at the top, nothing.
        let hh = household(&single(167_900.0), &roth);
        assert!(close(first_year(&hh, 0.0).0[0], 200.0));
        let hh = household(&single(168_000.0), &roth);
        assert!(close(first_year(&hh, 0.0).0[0], 0.0));
        // A joint return: 242k-252k. MAGI 250,000 leaves 20% of 7,500 to each spouse.
        let people = "[household]\nage = 45\nspouse_age = 45\nretirement_age = 60\n\
            wages = 240000\nspouse_wages = 10000\n[taxes]\nfiling_status = \"mfj\"";
        let hh = household(
            people,
            &(account("roth_ira", "self", 7_500.0, "")
                + &account("roth_ira", "spouse", 7_500.0, "")),
        );
        let (got, excess) = first_year(&hh, 0.0);
        assert!(close(got[0], 1_500.0) && close(got[1], 1_500.0), "{got:?}");
        assert!(close(excess, 12_000.0), "{excess}");
    }

    #[test]
    fn a_traditional_ira_deduction_phases_out_for_people_covered_by_a_workplace_plan() {
        // IRC §219(g); 2026 ranges from IRS Notice 2025-67. One year of one step, so the
        // per-step figures are the year's.
        let year = |people: &str, accounts: &str, portfolio_income: f64| {
            let hh = household(people, accounts);
            let mut per_step = vec![0.0; hh.accounts.len()];
            year_contributions(&hh, 0, 1.0, 1, portfolio_income, &mut per_step)
        };
        let single_50 = "[household]\nage = 50\nretirement_age = 60\nwages = 100000";
        let k401 = account("401k", "self", 10_000.0, "");
        let ira = account("traditional_ira", "self", 7_500.0, "");
        // Covered by the 401(k): MAGI 100,000 - 10,000 = 90,000, nine tenths through
        // 81k-91k. The limit at 50 is 7,500 + 1,100 = 8,600, so 860 is deductible and
        // 6,640 of the 7,500 is not (Pub. 590-A worksheet 1-2).
        let y = year(single_50, &(k401.clone() + &ira), 0.0);
        assert!(
            close(y.taxable_wages, 100_000.0 - 10_000.0 - 860.0),
            "{y:?}"
        );
        assert!(close(y.nondeductible_per_step[0], 6_640.0), "{y:?}");
        // Not covered: all of it is deductible, whatever the income.
        let y = year(single_50, &ira, 0.0);
        assert!(close(y.taxable_wages, 92_500.0) && y.nondeductible_per_step == [0.0; 2]);
        // The portfolio's income counts: at the range's top nothing is deductible; just
        // below it, the $200 floor (8,600 x 10 / 10,000 = 8.60).
        let y = year(single_50, &(k401.clone() + &ira), 1_000.0);
        assert!(close(y.taxable_wages, 90_000.0) && close(y.nondeductible_per_step[0], 7_500.0));
        let y = year(single_50, &(k401 + &ira), 990.0);
        assert!(close(y.nondeductible_per_step[0], 7_300.0), "{y:?}");
        // A joint return, MAGI 265,000 - 20,000 = 245,000: the covered spouse's range
        // (129k-149k) is passed, so none of their IRA is deductible; the other spouse's
        // range is 242k-252k: 7,500 x 7 / 10 = 5,250 deductible, 2,250 not.
        let couple = "[household]\nage = 45\nspouse_age = 45\nretirement_age = 60\n\
            wages = 255000\nspouse_wages = 10000\n[taxes]\nfiling_status = \"mfj\"";
        let accounts = account("401k", "self", 20_000.0, "")
            + &account("traditional_ira", "self", 7_500.0, "")
            + &account("traditional_ira", "spouse", 7_500.0, "");
        let y = year(couple, &accounts, 0.0);
        assert!(
            close(y.taxable_wages, 265_000.0 - 20_000.0 - 5_250.0),
            "{y:?}"
        );
        assert!(close(y.nondeductible_per_step[0], 7_500.0), "{y:?}");
        assert!(close(y.nondeductible_per_step[1], 2_250.0), "{y:?}");
    }

    #[test]
    fn a_backdoor_roth_keeps_what_the_phase_out_cuts() {
        // MAGI 200,000 is past the single range: a plain Roth IRA gets nothing; one with the
        // back door gets the 7,500, all of it to convert.
        let people = "[household]\nage = 45\nretirement_age = 60\nwages = 200000";
        for (extra, roth, excess, backdoor) in [
            ("", 0.0, 7_500.0, 0.0),
            ("backdoor = true", 7_500.0, 0.0, 7_500.0),
        ] {
            let hh = household(people, &account("roth_ira", "self", 7_500.0, extra));
            let mut per_step = vec![0.0; hh.accounts.len()];
            let y = year_contributions(&hh, 0, 1.0, 1, 0.0, &mut per_step);
            assert!(
                close(per_step[0], roth) && close(y.excess_per_step, excess),
                "{y:?}"
            );
            assert!(
                close(y.backdoor[0], backdoor) && y.backdoor[1] == 0.0,
                "{y:?}"
            );
        }
    }
}
