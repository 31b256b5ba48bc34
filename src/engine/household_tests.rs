//! The household path: hand-computed tax years on flat markets, limits, RMDs, penalties,
//! asset location, and money conservation with every account feature on.

use super::{PathOutcome, Simulation, simulate_one_path};
use crate::scenario;
use std::path::Path;

fn sim(toml: &str) -> Simulation {
    match scenario::parse(toml, "test.toml", "test", Path::new(".")) {
        Ok(s) => s.simulation,
        Err(e) => panic!("{e}"),
    }
}

/// A flat market (no return, no inflation, one asset class), monthly steps, one path,
/// `years` long, one strategy that never rebalances, and the household and accounts in
/// `body` (TOML).
fn flat(years: u32, body: &str) -> Simulation {
    inflating(years, 0.0, body)
}

/// One path of `years` monthly steps with prices rising by `inflation` a year, risk-free:
/// the scenario's head, up to its assets.
fn one_path(years: u32, inflation: f64) -> String {
    format!(
        r#"
version = 1
[simulation]
paths = 1
years = {years}
step = "monthly"
[market]
model = "parametric"
inflation_mean = {inflation}
inflation_vol = 0.0
"#
    )
}

/// [`flat`] with prices rising by `inflation` a year (no return still).
fn inflating(years: u32, inflation: f64, body: &str) -> Simulation {
    sim(&format!(
        r#"{}
[[asset]]
name = "stocks"
target = 1.0
mean = 0.0
vol = 0.0
[[strategy]]
name = "hold"
rebalance = "none"
{body}"#,
        one_path(years, inflation)
    ))
}

fn one(sim: &Simulation) -> Vec<PathOutcome> {
    simulate_one_path(sim, 0)
}

/// Single, 70 at the end of 2026, $60,000 a year (start-year dollars) from a traditional IRA.
const RETIREE_60K_FROM_AN_IRA: &str = r#"
[household]
age = 70
[cash_flows]
withdrawal_amount = 60000
[[account]]
name = "IRA"
kind = "traditional_ira"
balance = 1000000
"#;

#[test]
fn a_retiree_drawing_60k_from_an_ira_owes_the_hand_computed_2026_tax() {
    // Single, 70 at the end of 2026, $60,000 from a traditional IRA, nothing else.
    // AGI 60,000; standard deduction 16,100 + 2,050 (65+) = 18,150; senior deduction 6,000
    // (AGI below 75,000); taxable income 35,850; tax 1,240 + 12% x 23,450 = 4,054.
    let s = flat(1, RETIREE_60K_FROM_AN_IRA);
    let o = one(&s)[0];
    assert!((o.tax.taxes - 4_054.0).abs() < 1e-6, "{}", o.tax.taxes);
    assert!(!o.failed);
    // Age 70 is below the RMD age (73 for a 1956 birth): no RMD.
    assert_eq!(o.tax.rmds, 0.0);
    // Money: 1,000,000 = terminal + 60,000 spent + 4,054 tax.
    assert!((o.terminal_nominal - (1_000_000.0 - 60_000.0 - 4_054.0)).abs() < 1e-6);
}

#[test]
fn medicare_surcharges_follow_modified_agi_two_years_on() {
    // Single, 66 (born 1960: no RMD before 75), converts $150,000 to the Roth IRA in the
    // first year only and spends nothing. MAGI 150,000 is IRMAA's third tier: 240.40 a
    // month (CMS 2026), 2,884.80 a year, charged for the first year, the second (the first
    // stands in for the returns before the start) and the third (two years on). Later
    // years' MAGI is the tax paid from the IRA, far below 109,000: nothing.
    let s = flat(
        5,
        r#"roth_conversion = { amount = 150000, from_age = 66, to_age = 66 }
[household]
age = 66
[[account]]
name = "IRA"
kind = "traditional_ira"
balance = 1000000
[[account]]
name = "Roth"
kind = "roth_ira"
balance = 0
"#,
    );
    let o = one(&s)[0];
    assert!((o.tax.conversions - 150_000.0).abs() < 1e-6);
    let irmaa = o.tax.medicare_surcharges;
    assert!((irmaa - 3.0 * 2_884.80).abs() < 1e-6, "{irmaa}");
    // Paid from the portfolio with the tax: money is conserved.
    assert!((o.terminal_nominal + o.tax.taxes - 1_000_000.0).abs() < 1e-6);
    // A 66-year-old still earning $300,000: the surcharge is the wages', not the
    // portfolio's, so none is charged to it.
    let s = flat(
        4,
        r#"
[household]
age = 66
retirement_age = 70
wages = 300000
[[account]]
name = "IRA"
kind = "traditional_ira"
balance = 1000000
"#,
    );
    assert_eq!(one(&s)[0].tax.medicare_surcharges, 0.0);
}

#[test]
fn each_years_law_is_indexed_by_the_price_level_at_its_start() {
    // The retiree above with 10% inflation: 2026 is taxed under the 2026 law as published
    // (4,054 as above), not under a law already indexed by 2026's own inflation. 2027's law
    // is 2026's x 1.1 (the price level on 1 January 2027) and so is the withdrawal (66,000);
    // the IRA also pays 2026's tax, so 70,054 is distributed. The $6,000 senior deduction
    // is statutory, not indexed. Taxable income 70,054 - 19,965 - 6,000 = 44,089; tax
    // 1,364 + 12% x (44,089 - 13,640) = 5,017.88. (With the law indexed by each year's own
    // inflation, 2026's tax would be 3,811.40.)
    let s = inflating(2, 0.10, RETIREE_60K_FROM_AN_IRA);
    let o = one(&s)[0];
    assert!(
        (o.tax.taxes - (4_054.0 + 5_017.88)).abs() < 1e-6,
        "{}",
        o.tax.taxes
    );
}

#[test]
fn a_later_start_year_indexes_the_2026_law_to_it() {
    // The retiree above starting in 2027 with 10% expected inflation: 2027's law is
    // 2026's x 1.1, and the $60,000 are 2027 dollars. Standard deduction 17,710 + 2,255
    // (65+) + 6,000 (senior, statutory, through 2028); taxable income 34,035; tax 1,364
    // + 12% x (34,035 - 13,640) = 3,811.40. (Under the 2026 law in nominal terms: 4,054.)
    let s = inflating(
        1,
        0.10,
        &RETIREE_60K_FROM_AN_IRA.replace("age = 70", "age = 70\nstart_year = 2027"),
    );
    let o = one(&s)[0];
    assert!((o.tax.taxes - 3_811.40).abs() < 1e-6, "{}", o.tax.taxes);
}

#[test]
fn fill_bracket_withdrawals_fill_the_bracket_above_an_rmd() {
    // Single, 80 (born 1946): RMD 1,000,000 / 20.2 = 49,505. Spending of 100,000 takes the
    // RMD, then 401(k) money to the top of the 12% bracket (50,400 + deduction 18,150 =
    // 68,550 of distributions), then the taxable account (basis = value: no gain).
    // Taxable income 68,550 - 18,150 - 6,000 (senior) = 44,400; tax 1,240 + 12% x 32,000.
    let s = flat(
        1,
        r#"
[household]
age = 80
[cash_flows]
withdrawal_amount = 100000
[[account]]
name = "401k"
kind = "401k"
balance = 1000000
[[account]]
name = "brokerage"
kind = "taxable"
balance = 1000000
"#,
    );
    let mut s = s;
    s.strategies[0].tax.withdrawal_order = crate::household::WithdrawalOrder::FillBracket(0.12);
    let o = one(&s)[0];
    assert!((o.tax.rmds - 1_000_000.0 / 20.2).abs() < 1e-6);
    assert!((o.tax.taxes - 5_080.0).abs() < 1e-6, "{}", o.tax.taxes);
}

#[test]
fn a_contribution_to_the_taxable_account_leaves_the_401k_limit_alone() {
    // 24,500 into the 401(k) fits the 2026 limit whichever account is listed first.
    let run = |accounts: &str| {
        let s = flat(
            1,
            &format!(
                r#"
[household]
age = 40
wages = 200000
retirement_age = 41
{accounts}"#
            ),
        );
        one(&s)[0].tax.excess_contributions
    };
    let taxable =
        "[[account]]\nname = \"b\"\nkind = \"taxable\"\nbalance = 0\ncontribution = 20000\n";
    let k401 = "[[account]]\nname = \"k\"\nkind = \"401k\"\nbalance = 0\ncontribution = 24500\n";
    assert_eq!(run(&format!("{taxable}{k401}")), 0.0);
    assert_eq!(run(&format!("{k401}{taxable}")), 0.0);
}

#[test]
fn rmds_follow_the_uniform_lifetime_table() {
    // Born 1951 (75 at the end of 2026): RMD age 73; divisor 24.6 at 75 (Pub. 590-B).
    let s = flat(
        2,
        r#"
[household]
age = 75
[[account]]
name = "IRA"
kind = "traditional_ira"
balance = 1000000
"#,
    );
    let o = one(&s)[0];
    let first = 1_000_000.0 / 24.6;
    let second = (1_000_000.0 - first) / 23.7;
    assert!(
        (o.tax.rmds - (first + second)).abs() < 1e-6,
        "{}",
        o.tax.rmds
    );
    // The RMDs were not spent: they sit in the taxable account, less the tax they owe.
    assert!((o.terminal_nominal + o.tax.taxes - 1_000_000.0).abs() < 1e-6);
}

#[test]
fn early_withdrawals_owe_ten_percent_unless_the_rule_of_55_applies() {
    let run = |kind: &str, retire_age: u32| {
        let s = flat(
            1,
            &format!(
                r#"
[household]
age = 50
retirement_age = {retire_age}
[cash_flows]
withdrawal_amount = 20000
[[account]]
name = "plan"
kind = "{kind}"
balance = 500000
"#
            ),
        );
        one(&s)[0].tax
    };
    // Retired at 50 (separated before the year of 55): 10% of 20,000 from the IRA.
    assert!((run("traditional_ira", 50).penalties - 2_000.0).abs() < 1e-6);
    assert!((run("401k", 50).penalties - 2_000.0).abs() < 1e-6);
    // Separated from service at 56: the 401(k) owes no penalty (rule of 55).
    let s = flat(
        1,
        r#"
[household]
age = 56
retirement_age = 56
[cash_flows]
withdrawal_amount = 20000
[[account]]
name = "plan"
kind = "401k"
balance = 500000
[[account]]
name = "ira"
kind = "traditional_ira"
balance = 0
"#,
    );
    assert_eq!(one(&s)[0].tax.penalties, 0.0);
}

#[test]
fn contributions_above_the_limit_go_to_the_taxable_account() {
    // Age 45: the 2026 deferral limit is 24,500 (Notice 2025-67); 40,000 wanted.
    let s = flat(
        1,
        r#"
[household]
age = 45
retirement_age = 46
wages = 200000
[[account]]
name = "401k"
kind = "401k"
balance = 0
contribution = 40000
employer_match = 0.5
match_cap = 0.06
"#,
    );
    let o = one(&s)[0];
    // Match: 50% of contributions up to 6% of 200,000 = 6,000.
    assert!((o.tax.excess_contributions - 15_500.0).abs() < 1e-6);
    assert!((o.contributions - (24_500.0 + 6_000.0 + 15_500.0)).abs() < 1e-6);
}

/// Seed 003/004's household: a 70/30 target across a 401(k), a Roth IRA and a taxable
/// account with large embedded gains.
fn located(accounts: &str, years: u32, paths: u32) -> Simulation {
    let toml = format!(
        r#"
version = 1
[simulation]
paths = {paths}
years = {years}
seed = 7
[market]
model = "parametric"
inflation_mean = 0.025
[[asset]]
name = "stocks"
target = 0.7
mean = 0.08
vol = 0.18
yield = 0.015
[[asset]]
name = "bonds"
target = 0.3
mean = 0.04
vol = 0.06
yield = 0.035
income = "ordinary"
[household]
age = 60
retirement_age = 62
wages = 120000
[taxes]
state_rate = 0.04
[[account]]
name = "401k"
kind = "401k"
balance = 300000
contribution = 20000
[[account]]
name = "Roth"
kind = "roth_ira"
balance = 150000
[[account]]
name = "brokerage"
kind = "taxable"
balance = 400000
basis = 0.5
[cash_flows]
withdrawal_rate = 0.04
{accounts}
"#
    );
    sim(&toml)
}

#[test]
fn advantaged_first_realizes_no_gains_where_per_account_rebalancing_does() {
    let s = located(
        r#"
[[strategy]]
name = "sheltered first"
rebalance = "calendar"
frequency = "annual"
lot_method = "fifo"
[[strategy]]
name = "every account"
rebalance = "calendar"
frequency = "annual"
accounts = "per_account"
"#,
        2,
        20,
    );
    for path in 0..20 {
        let o = simulate_one_path(&s, path);
        // Before retirement nothing is sold in the taxable account by the sheltered-first
        // strategy (the 401(k) absorbs the rebalance); per-account trades there every year.
        // (FIFO, because tax-optimal relief would first sell there the quarterly dividend
        // lots that stand at a loss, a rebalance at no tax cost.)
        assert_eq!(o[0].tax.traded[2], 0.0, "path {path}");
        assert!(o[1].tax.traded[2] > 0.0, "path {path}");
    }
}

#[test]
fn money_is_conserved_with_every_account_feature() {
    let s = located(
        r#"
[[strategy]]
name = "band, harvest, convert"
rebalance = "threshold"
band = 0.05
harvest_losses = 0.05
withdrawal_order = "fill_bracket"
roth_conversion = { fill_bracket = 0.22, from_age = 62, to_age = 70 }
[[strategy]]
name = "annual, per account, fifo"
rebalance = "calendar"
frequency = "annual"
accounts = "per_account"
lot_method = "fifo"
withdrawal_order = "proportional"
"#,
        35,
        30,
    );
    let mut harvested = 0.0;
    for path in 0..30 {
        for o in simulate_one_path(&s, path) {
            let lhs = s.initial.total() + o.contributions + o.market_gains;
            let rhs = o.terminal_nominal + o.withdrawals + o.fees + o.tax.taxes;
            assert!(
                (lhs - rhs).abs() < 1e-6 * lhs.max(1.0),
                "path {path}: {lhs} vs {rhs}"
            );
            assert!(o.tax.taxes > 0.0);
            harvested += o.tax.harvested_losses;
        }
    }
    assert!(harvested > 0.0);
}

#[test]
fn a_high_earners_catch_up_goes_to_the_roth_401k() {
    // Age 55 earning $200,000 (above $150,000): the $8,000 catch-up cannot be traditional
    // (IRC §414(v)(7), SECURE 2.0 §603). Of $32,500 wanted in the 401(k), $24,500 goes there
    // and $8,000 to the Roth 401(k); with no Roth 401(k) the $8,000 goes to the taxable
    // account instead.
    let with_roth = |roth: bool| {
        let roth_account = if roth {
            "[[account]]\nname = \"Roth 401k\"\nkind = \"roth_401k\"\nbalance = 0\n"
        } else {
            ""
        };
        let s = flat(
            1,
            &format!(
                r#"
[household]
age = 55
retirement_age = 56
wages = 200000
[[account]]
name = "401k"
kind = "401k"
balance = 0
contribution = 32500
{roth_account}"#
            ),
        );
        let o = one(&s)[0];
        (o.tax.excess_contributions, o.contributions)
    };
    let (excess, total) = with_roth(true);
    assert!(excess.abs() < 1e-6, "{excess}");
    assert!((total - 32_500.0).abs() < 1e-6);
    let (excess, total) = with_roth(false);
    assert!((excess - 8_000.0).abs() < 1e-6, "{excess}");
    assert!((total - 32_500.0).abs() < 1e-6);
}

#[test]
fn taxed_results_are_identical_at_any_thread_count() {
    let s = located(
        r#"
[[strategy]]
name = "band, harvest"
rebalance = "threshold"
band = 0.05
harvest_losses = 0.05
[[strategy]]
name = "annual, per account"
rebalance = "calendar"
frequency = "annual"
accounts = "per_account"
"#,
        20,
        300,
    );
    let run_with = |threads| {
        rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .unwrap()
            .install(|| super::run(&s, &|_| {}))
    };
    let one = run_with(1);
    assert_eq!(one, run_with(3));
    assert_eq!(one.taxes.len(), 2);
    assert!(one.taxes[0].taxes_real_mean > 0.0);
    assert!(!one.yearly_taxes.is_empty());
}

/// Two assets at 50/50 in a taxable account ($100,000, basis 50%) of a saver earning
/// $100,000; stocks rise `stock_mean` a year without risk, bonds are flat; a 5-point band,
/// checked monthly, sells stocks whenever they pass 55%. `held` is the account's
/// `held_months` line (or nothing).
fn band_sales(stock_mean: f64, years: u32, held: &str) -> PathOutcome {
    let s = sim(&format!(
        r#"{}
[[asset]]
name = "stocks"
target = 0.5
mean = {stock_mean}
vol = 0.0
[[asset]]
name = "bonds"
target = 0.5
mean = 0.0
vol = 0.0
[household]
age = 40
retirement_age = {retire}
wages = 100000
[[account]]
name = "brokerage"
kind = "taxable"
balance = 100000
basis = 0.5
{held}
[[strategy]]
name = "band"
rebalance = "threshold"
band = 0.05
"#,
        one_path(years, 0.0),
        retire = 40 + years
    ));
    one(&s)[0]
}

#[test]
fn a_lot_held_thirteen_months_is_long_term_when_a_steps_end_sells_it() {
    // Stocks rise 21% a year (1.21^(1/12) a month) and pass 55% after 13 months (54.75%
    // after 12, 55.14% after 13), so the band sells them at the end of the 13th step, 13
    // months after the starting lot was bought on the first day (`held_months = 0`):
    // long-term. Stocks are 50,000 x 1.21^(13/12) = 61,468.72; back to 50/50 sells
    // 5,734.36, basis 2,332.23, gain 3,402.13. Above $100,000 of wages that is 15%
    // long-term: 510.32 (22%, 748.47, if the sale were dated at the step's start, as it
    // once was).
    let o = band_sales(0.21, 2, "held_months = 0");
    assert!(
        (o.tax.realized_gains - 3_402.13).abs() < 0.01,
        "{}",
        o.tax.realized_gains
    );
    assert!((o.tax.taxes - 510.32).abs() < 0.01, "{}", o.tax.taxes);
}

#[test]
fn starting_holdings_are_long_term_unless_the_account_says_how_long_they_were_held() {
    // Stocks rise 60% a year and pass 55% after 6 months and again after 12: the band sells
    // 6,622.78 (gain 4,004.89) at month 6 and 7,500 (gain 5,156.25) at month 12, all from
    // the starting lot: 9,161.14 of gains in the first year. Held for years before the
    // start (the default), they are long-term: 15%, 1,374.17. Bought on the first day,
    // both sales are within a year: short-term at 22%, 2,015.45. Bought 7 months before
    // the start, both are over a year: long-term again.
    for (held, tax) in [
        ("", 1_374.17),
        ("held_months = 0", 2_015.45),
        ("held_months = 7", 1_374.17),
    ] {
        let o = band_sales(0.6, 1, held);
        assert!(
            (o.tax.realized_gains - 9_161.14).abs() < 0.01,
            "{held}: {}",
            o.tax.realized_gains
        );
        assert!((o.tax.taxes - tax).abs() < 0.01, "{held}: {}", o.tax.taxes);
    }
}
