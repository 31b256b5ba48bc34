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
//! - Roth IRA contributions phase out with modified AGI (§408A(c)(3));
//! - when either spouse has family HSA coverage, both are treated as having it and share
//!   one family limit; each adds their own catch-up (§223(b)(5), IRS Pub. 969).
//!
//! What a limit keeps out goes to the taxable account (the household saves it anyway).

use super::book::MAX_ACCOUNTS;
use super::{AccountKind, Household, HsaCoverage};

/// Roth IRA contribution phase-out ranges of modified AGI for 2026, single or head of
/// household and married filing jointly (IRC §408A(c)(3); IRS Notice 2025-67), indexed
/// like the rest of the law.
const ROTH_PHASE_OUT_SINGLE: (f64, f64) = (153_000.0, 168_000.0);
const ROTH_PHASE_OUT_JOINT: (f64, f64) = (242_000.0, 252_000.0);

/// A year's contributions: `per_step[i]` (set by [`year_contributions`]) is account `i`'s
/// contribution each step, employer match included.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub(crate) struct YearContributions {
    /// Kept out by the limits, per step: it goes to the taxable account.
    pub excess_per_step: f64,
    /// The year's wages less its deductible contributions (traditional 401(k) and IRA,
    /// HSA): the wages on the tax return.
    pub taxable_wages: f64,
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
    roth_phase_out(
        hh,
        &ages,
        &wages,
        &pre_tax_deferrals,
        portfolio_income,
        law_cpi,
        &mut fits,
        &mut over,
    );

    // In the scenario's order, so sums round the same whatever the passes above did.
    per_step.fill(0.0);
    let mut year = YearContributions::default();
    let mut deductible = 0.0;
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
        // Employer match (not subject to the §402(g) deferral limit).
        let matched = a.employer_match * fits[i].min(a.match_cap * wages[who]);
        per_step[i] += (fits[i] + matched) / steps;
        let (m, r) = moved[i];
        if m > 0.0 {
            per_step[r] += m / steps;
        }
        year.excess_per_step += over[i] / steps;
        if matches!(
            a.kind,
            AccountKind::K401 | AccountKind::TraditionalIra | AccountKind::Hsa
        ) {
            deductible += fits[i];
        }
    }
    year.taxable_wages = (hh.wages[0] + hh.wages[1]) * growth - deductible;
    year
}

/// Cuts Roth IRA contributions to what modified AGI allows (IRC §408A(c)(3); IRS Pub.
/// 590-A, worksheet 2-2): the IRA limit reduced in proportion to MAGI's way through the
/// phase-out range, rounded up to $10 and not below $200 until the range's top, less the
/// person's traditional IRA contributions. MAGI here: wages less pre-tax 401(k) deferrals
/// and HSA contributions, plus the portfolio's income (a traditional IRA deduction does
/// not lower it).
#[allow(clippy::too_many_arguments)]
fn roth_phase_out(
    hh: &Household,
    ages: &[u32; 2],
    wages: &[f64; 2],
    pre_tax_deferrals: &[f64; 2],
    portfolio_income: f64,
    law_cpi: f64,
    fits: &mut [f64; MAX_ACCOUNTS],
    over: &mut [f64; MAX_ACCOUNTS],
) {
    let of_kind = |kind: AccountKind, who: usize, fits: &[f64; MAX_ACCOUNTS]| -> f64 {
        hh.accounts
            .iter()
            .zip(fits)
            .filter(|(a, _)| a.kind == kind && a.owner.index() == who)
            .map(|(_, f)| f)
            .sum()
    };
    let roth = [0, 1].map(|who| of_kind(AccountKind::RothIra, who, fits));
    if roth == [0.0, 0.0] {
        return;
    }
    let hsa = of_kind(AccountKind::Hsa, 0, fits) + of_kind(AccountKind::Hsa, 1, fits);
    let magi =
        wages[0] + wages[1] - pre_tax_deferrals[0] - pre_tax_deferrals[1] - hsa + portfolio_income;
    let (low, high) = if hh.married() {
        ROTH_PHASE_OUT_JOINT
    } else {
        ROTH_PHASE_OUT_SINGLE
    };
    let (low, high) = (low * law_cpi, high * law_cpi);
    if magi <= low {
        return;
    }
    for who in 0..2 {
        if roth[who] <= 0.0 {
            continue;
        }
        let (_, limit) = hh.limits.limit(
            AccountKind::RothIra,
            ages[who],
            HsaCoverage::SelfOnly,
            wages[who],
            law_cpi,
        );
        let reduced = if magi >= high {
            0.0
        } else {
            let left = limit - limit * (magi - low) / (high - low);
            ((left / 10.0).ceil() * 10.0).max(200.0).min(limit)
        };
        let traditional = of_kind(AccountKind::TraditionalIra, who, fits);
        let mut cut = roth[who] - (reduced - traditional).max(0.0).min(roth[who]);
        // From the person's last Roth IRA back.
        for (i, a) in hh.accounts.iter().enumerate().rev() {
            if cut <= 0.0 {
                break;
            }
            if a.kind == AccountKind::RothIra && a.owner.index() == who {
                let c = cut.min(fits[i]);
                fits[i] -= c;
                over[i] += c;
                cut -= c;
            }
        }
    }
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
}
