//! End-to-end tests of `driftlab plan`: the seeds' figures to the cent, lot selection worked
//! by hand, bad holdings, rounding, and the output formats.

use super::planner::{Action, Options, build};
use super::{Holdings, PlanArgs, PlanError, PlanFormat, PlanMode, render, run_command};
use rust_decimal::Decimal;
use rust_decimal_macros::dec;

const KENDRA: &str = include_str!("../../scenarios/kendra-401k.toml");
const HOUSEHOLD: &str = include_str!("../../scenarios/age-58-household.toml");

fn plan(text: &str, o: Options) -> super::Plan {
    let h = Holdings::parse("test.toml", text).unwrap_or_else(|e| panic!("{e}"));
    build(&h, &o).unwrap_or_else(|e| panic!("{e}"))
}

fn mode(m: PlanMode) -> Options {
    Options {
        mode: Some(m),
        ..Options::default()
    }
}

fn parse_err(text: &str) -> PlanError {
    match Holdings::parse("bad.toml", text) {
        Ok(_) => panic!("expected an error"),
        Err(e) => e,
    }
}

/// Every account's buys equal its sells (plus its new money), and every amount is whole cents.
fn assert_balanced(p: &super::Plan) {
    for a in &p.accounts {
        let net: Decimal = a.assets.iter().map(|x| x.trade).sum();
        assert_eq!(net, a.new_money, "account {} does not balance", a.name);
        assert_eq!(a.bought - a.sold, a.new_money);
        for x in &a.assets {
            assert_eq!(
                x.trade,
                x.trade.round_dp(2),
                "{} {} not in cents",
                a.name,
                x.asset
            );
            assert!(
                x.after >= Decimal::ZERO,
                "{} {} negative after",
                a.name,
                x.asset
            );
        }
    }
    let after: Decimal = p.household.iter().map(|x| x.after).sum();
    assert_eq!(after, p.total_after);
    for t in &p.trades {
        assert!(t.amount > Decimal::ZERO);
        assert_eq!(t.amount.scale(), 2);
    }
}

// ----- Seed 001: Kendra ------------------------------------------------------------------------

#[test]
fn plan_kendra_full_rebalance_to_the_cent() {
    let p = plan(KENDRA, Options::default());
    assert_eq!(p.mode, PlanMode::Rebalance);
    assert_eq!(p.trade("Kendra 401(k)", "stocks"), dec!(-1250.00));
    assert_eq!(p.trade("Kendra 401(k)", "bonds"), dec!(1250.00));
    assert_eq!(p.asset("stocks").unwrap().after, dec!(15750.00));
    assert_eq!(p.asset("bonds").unwrap().after, dec!(5250.00));
    assert_eq!(p.asset("stocks").unwrap().after_share, dec!(0.75));
    assert_eq!(p.trades.len(), 2);
    assert_eq!(
        (p.trades[0].action, p.trades[0].amount),
        (Action::Sell, dec!(1250.00))
    );
    assert_eq!(
        (p.trades[1].action, p.trades[1].amount),
        (Action::Buy, dec!(1250.00))
    );
    assert!(p.lot_sales.is_empty());
    assert_eq!(
        p.taxes.as_ref().unwrap().estimate.estimated_tax,
        Some(dec!(0))
    );
    assert!(p.warnings.is_empty(), "{:?}", p.warnings);
    assert_balanced(&p);
}

#[test]
fn plan_kendra_over_contribution_is_1666_67() {
    let p = plan(KENDRA, mode(PlanMode::OverContribution));
    let c = p.contribution.as_ref().unwrap();
    assert_eq!(c.amount, dec!(1666.67));
    assert_eq!(c.amount.to_string(), "1666.67");
    assert_eq!(c.split[0].amount, dec!(0.00));
    assert_eq!(c.split[1].amount, dec!(1666.67));
    assert_eq!(p.asset("bonds").unwrap().after, dec!(5666.67));
    assert_eq!(p.total_after, dec!(22666.67));
    assert!(c.reaches_target);
    // 2026 401(k) limit at 32: 24,500 (IRC §402(g), Notice 2025-67).
    let l = c.limit.as_ref().unwrap();
    assert_eq!(l.limit.total, dec!(24500));
    assert!(!l.exceeds);
    assert_eq!(l.room_after, dec!(22833.33));
    assert!(p.warnings.is_empty());
    assert_balanced(&p);
}

#[test]
fn plan_kendra_over_contribution_warns_above_the_limit() {
    let text = KENDRA.replace(
        "kind = \"401k\"",
        "kind = \"401k\"\ncontributed_this_year = \"23500.00\"",
    );
    let p = plan(&text, mode(PlanMode::OverContribution));
    let l = p.contribution.as_ref().unwrap().limit.as_ref().unwrap();
    assert!(l.exceeds);
    assert_eq!(l.room_after, dec!(-666.67));
    assert!(
        p.warnings
            .iter()
            .any(|w| w.contains("EXCEEDS") && w.contains("666.67")),
        "{:?}",
        p.warnings
    );
}

#[test]
fn plan_kendra_contributions_only() {
    // 1,000 of new money: all of it to bonds (still short of target); 1,666.67 would reach it.
    let p = plan(KENDRA, mode(PlanMode::Contributions));
    let c = p.contribution.as_ref().unwrap();
    assert_eq!(c.amount, dec!(1000.00));
    assert_eq!(c.split[1].amount, dec!(1000.00));
    assert_eq!(c.needed_to_reach_target, Some(dec!(1666.67)));
    assert!(!c.reaches_target);
    // 3,000: bonds reach their target share first, the rest is split 75/25.
    let p = plan(
        KENDRA,
        Options {
            contribution: Some(dec!(3000)),
            ..mode(PlanMode::Contributions)
        },
    );
    let c = p.contribution.as_ref().unwrap();
    // New total 24,000: 18,000 stocks (75%), 6,000 bonds (25%).
    assert_eq!(c.split[0].amount, dec!(1000.00));
    assert_eq!(c.split[1].amount, dec!(2000.00));
    assert!(c.reaches_target);
    assert_balanced(&p);
}

#[test]
fn plan_kendra_with_half_up_rounding_is_the_same() {
    let p = plan(
        KENDRA,
        Options {
            rounding: Some(super::Rounding::HalfUp),
            ..mode(PlanMode::OverContribution)
        },
    );
    assert_eq!(p.contribution.unwrap().amount, dec!(1666.67));
}

// ----- Seed 000: the 58-year-old household ------------------------------------------------------

#[test]
fn plan_household_back_to_70_25_5_in_tax_advantaged_accounts_only() {
    let p = plan(HOUSEHOLD, Options::default());
    assert_eq!(p.total_before, dec!(850000.00));
    assert_eq!(p.asset("stocks").unwrap().before_share, dec!(0.82));
    assert_eq!(p.asset("bonds").unwrap().before_share, dec!(0.14));
    assert_eq!(p.asset("cash").unwrap().before_share, dec!(0.04));
    assert_eq!(p.asset("stocks").unwrap().after, dec!(595000.00));
    assert_eq!(p.asset("bonds").unwrap().after, dec!(212500.00));
    assert_eq!(p.asset("cash").unwrap().after, dec!(42500.00));
    assert_eq!(p.asset("stocks").unwrap().trade, dec!(-102000.00));
    // The split documented in the scenario file.
    assert_eq!(p.trade("401(k)", "stocks"), dec!(-80000.00));
    assert_eq!(p.trade("401(k)", "bonds"), dec!(80000.00));
    assert_eq!(p.trade("Traditional IRA", "stocks"), dec!(-22000.00));
    assert_eq!(p.trade("Traditional IRA", "bonds"), dec!(13500.00));
    assert_eq!(p.trade("Traditional IRA", "cash"), dec!(8500.00));
    for asset in ["stocks", "bonds", "cash"] {
        assert_eq!(p.trade("Roth IRA", asset), dec!(0));
        assert_eq!(p.trade("Brokerage", asset), dec!(0));
    }
    assert!(p.lot_sales.is_empty());
    let t = p.taxes.as_ref().unwrap();
    assert_eq!(t.estimate.estimated_tax, Some(dec!(0)));
    // Rates from the 2026 single brackets at 140,000: 24% ordinary, 15% long-term.
    assert_eq!(t.rates.ordinary, Some(dec!(0.24)));
    assert_eq!(t.rates.long_term, Some(dec!(0.15)));
    // The bond loss sale of 2026-02-13 is 17 days before the plan: buying bonds in the 401(k)
    // and the IRA is a wash-sale risk, permanent in the IRA (Rev. Rul. 2008-5).
    assert_eq!(p.warnings.len(), 1, "{:?}", p.warnings);
    assert!(p.warnings[0].contains("17 days after") && p.warnings[0].contains("Rev. Rul. 2008-5"));
    assert!(p.warnings[0].contains("2026-03-16"), "{}", p.warnings[0]);
    // The loss lot left in the brokerage is pointed out.
    assert!(
        p.notes
            .iter()
            .any(|n| n.contains("accounts[3].lots[1]") && n.contains("6,000.00")),
        "{:?}",
        p.notes
    );
    assert_balanced(&p);
}

#[test]
fn plan_household_over_contribution_exceeds_age_58_limit() {
    let p = plan(HOUSEHOLD, mode(PlanMode::OverContribution));
    let c = p.contribution.as_ref().unwrap();
    // T = 697,000 / 0.70 = 995,714.2857..., x = 145,714.29.
    assert_eq!(c.amount, dec!(145714.29));
    let l = c.limit.as_ref().unwrap();
    // 24,500 + 8,000 catch-up at 58 (IRC §414(v)).
    assert_eq!(l.limit.total, dec!(32500));
    assert!(l.exceeds);
    assert!(p.warnings.iter().any(|w| w.contains("EXCEEDS")));
    assert_eq!(
        c.split.iter().map(|s| s.amount).sum::<Decimal>(),
        dec!(145714.29)
    );
    assert_balanced(&p);
}

#[test]
fn plan_household_contributions_fill_the_most_underweight_first() {
    // The year's 32,500 all goes to bonds: relative to target they are further behind
    // (119,000 / 0.25 = 476,000) than cash (34,000 / 0.05 = 680,000).
    let p = plan(HOUSEHOLD, mode(PlanMode::Contributions));
    let c = p.contribution.as_ref().unwrap();
    assert_eq!(c.amount, dec!(32500.00));
    assert_eq!(
        c.split.iter().map(|s| s.amount).collect::<Vec<_>>(),
        vec![dec!(0.00), dec!(32500.00), dec!(0.00)]
    );
    assert_eq!(c.needed_to_reach_target, Some(dec!(145714.29)));
    assert_eq!(p.trade("401(k)", "bonds"), dec!(32500.00));
    // 60,000: bonds catch up with cash at K = (60,000 + 153,000) / 0.30 = 710,000, so bonds
    // get 0.25 x 710,000 - 119,000 = 58,500 and cash 0.05 x 710,000 - 34,000 = 1,500.
    let p = plan(
        HOUSEHOLD,
        Options {
            contribution: Some(dec!(60000)),
            ..mode(PlanMode::Contributions)
        },
    );
    let c = p.contribution.as_ref().unwrap();
    assert_eq!(
        c.split.iter().map(|s| s.amount).collect::<Vec<_>>(),
        vec![dec!(0.00), dec!(58500.00), dec!(1500.00)]
    );
    assert_eq!(c.split[1].share, dec!(0.975));
    assert_balanced(&p);
}

#[test]
fn plan_household_bands_trade_stocks_and_bonds_only() {
    // With a 5-point band stocks (82 vs 70) and bonds (14 vs 25) are outside, cash (4 vs 5) is
    // inside and absorbs the rest: the same trades as the full rebalance.
    let p = plan(HOUSEHOLD, mode(PlanMode::Bands));
    assert_eq!(p.bands.as_ref().unwrap().outside, vec!["stocks", "bonds"]);
    assert_eq!(p.asset("stocks").unwrap().trade, dec!(-102000.00));
    assert_eq!(p.asset("cash").unwrap().trade, dec!(8500.00));
    // To the band edge: stocks to 75%, bonds to 20%, the remaining 8,500 to cash.
    let p = plan(
        HOUSEHOLD,
        Options {
            band_to: Some(super::BandTarget::Edge),
            ..mode(PlanMode::Bands)
        },
    );
    assert_eq!(p.asset("stocks").unwrap().trade, dec!(-59500.00));
    assert_eq!(p.asset("bonds").unwrap().trade, dec!(51000.00));
    assert_eq!(p.asset("cash").unwrap().trade, dec!(8500.00));
    assert_eq!(p.trade("401(k)", "stocks"), dec!(-59500.00));
    assert_balanced(&p);
    // A 15-point band: nothing is outside, nothing trades.
    let p = plan(
        HOUSEHOLD,
        Options {
            band_absolute: Some(dec!(0.15)),
            ..mode(PlanMode::Bands)
        },
    );
    assert!(p.trades.is_empty());
    // Relative 25% of target: cash band is 3.75%-6.25%, so cash (4%) is inside.
    let p = plan(
        HOUSEHOLD,
        Options {
            band_relative: Some(dec!(0.25)),
            ..mode(PlanMode::Bands)
        },
    );
    assert_eq!(p.bands.as_ref().unwrap().outside, vec!["bonds"]);
    assert_balanced(&p);
}

// ----- Lot selection worked by hand ------------------------------------------------------------

/// IRA: 5,000 stocks. Brokerage: stocks 30,000 in three lots, bonds 15,000. Household 50,000
/// at 70/30 stocks/bonds against a 10/90 target: sell 30,000 of stocks. The IRA sells its
/// 5,000 first; the brokerage sells 25,000 from lots, cheapest in tax first (24% / 15%):
///
/// * lots[2] 2024-01-10, value 10,000, basis 10,400: long-term loss, -0.04 x 15% = -0.6% -> 1st
/// * lots[1] 2020-06-15, value 10,000, basis  9,500: long-term, high basis, +0.75%       -> 2nd
/// * lots[0] 2025-12-01, value 10,000, basis  9,000: short-term, +10% x 24% = +2.4%      -> 3rd
///
/// Sold: lots[2] whole (-400 LT), lots[1] whole (+500 LT), half of lots[0]: 5,000 with basis
/// 4,500 (+500 ST). Short-term +500, long-term +100: tax 500 x 24% + 100 x 15% = 135.00.
const LOTS: &str = r#"
plan_date = 2026-03-02
[target]
stocks = "10"
bonds = "90"
[tax]
ordinary_rate = "24"
long_term_rate = "15"
[[accounts]]
name = "IRA"
kind = "traditional_ira"
holdings = { stocks = "5000.00" }
[[accounts]]
name = "Brokerage"
kind = "taxable"
holdings = { stocks = "30000.00", bonds = "15000.00" }
[[accounts.lots]]
asset = "stocks"
acquired = 2025-12-01
amount = "10000.00"
basis = "9000.00"
[[accounts.lots]]
asset = "stocks"
acquired = 2020-06-15
amount = "10000.00"
basis = "9500.00"
[[accounts.lots]]
asset = "stocks"
acquired = 2024-01-10
amount = "10000.00"
basis = "10400.00"
"#;

#[test]
fn plan_lot_selection_loss_then_high_basis_long_term_then_short_term() {
    let p = plan(LOTS, Options::default());
    assert_eq!(p.trade("IRA", "stocks"), dec!(-5000.00));
    assert_eq!(p.trade("IRA", "bonds"), dec!(5000.00));
    assert_eq!(p.trade("Brokerage", "stocks"), dec!(-25000.00));
    assert_eq!(p.trade("Brokerage", "bonds"), dec!(25000.00));
    let order: Vec<&str> = p.lot_sales.iter().map(|l| l.lot.as_str()).collect();
    assert_eq!(
        order,
        vec![
            "accounts[1].lots[2]",
            "accounts[1].lots[1]",
            "accounts[1].lots[0]"
        ]
    );
    let l = &p.lot_sales;
    assert_eq!(
        (l[0].amount, l[0].basis, l[0].gain, l[0].term),
        (dec!(10000.00), dec!(10400.00), dec!(-400.00), "long-term")
    );
    assert_eq!(
        (l[1].amount, l[1].basis, l[1].gain, l[1].term),
        (dec!(10000.00), dec!(9500.00), dec!(500.00), "long-term")
    );
    assert_eq!(
        (l[2].amount, l[2].basis, l[2].gain, l[2].term),
        (dec!(5000.00), dec!(4500.00), dec!(500.00), "short-term")
    );
    assert!(!l[2].whole_lot);
    let t = &p.taxes.as_ref().unwrap().estimate;
    assert_eq!(t.short_term_gain, dec!(500.00));
    assert_eq!(t.long_term_gain, dec!(100.00));
    assert_eq!(t.estimated_tax, Some(dec!(135.00)));
    // The loss sale of stocks is flagged for the 30 days after.
    assert!(
        p.notes.iter().any(|n| n.contains("until 2026-04-02")),
        "{:?}",
        p.notes
    );
    assert_balanced(&p);
}

#[test]
fn plan_lot_selection_without_rates_uses_basis_order() {
    let text = LOTS.replace("ordinary_rate = \"24\"\nlong_term_rate = \"15\"", "");
    let p = plan(&text, Options::default());
    let order: Vec<&str> = p.lot_sales.iter().map(|l| l.lot.as_str()).collect();
    assert_eq!(
        order,
        vec![
            "accounts[1].lots[2]",
            "accounts[1].lots[1]",
            "accounts[1].lots[0]"
        ]
    );
    assert_eq!(p.taxes.as_ref().unwrap().estimate.estimated_tax, None);
}

#[test]
fn plan_tax_adds_niit_above_the_magi_threshold_and_a_flat_state_rate() {
    // The same sale (500 short-term + 100 long-term = 600 of gain; 24% and 15%: 135.00).
    // At modified AGI 199,800 single the gain lifts it 400 over the $200,000 threshold:
    // NIIT 3.8% x 400 = 15.20; a 5% state rate on the 600 adds 30.00.
    let text = LOTS.replace(
        "[tax]\n",
        "[owner]\nmagi = \"199800.00\"\n[tax]\nfiling_status = \"single\"\nstate_rate = \"5\"\n",
    );
    let p = plan(&text, Options::default());
    let t = &p.taxes.as_ref().unwrap().estimate;
    assert_eq!(t.federal_income_tax, Some(dec!(135.00)));
    assert_eq!(t.niit, Some(dec!(15.20)));
    assert_eq!(t.state_tax, Some(dec!(30.00)));
    assert_eq!(t.estimated_tax, Some(dec!(180.20)));
    assert!(t.method.contains("IRC §1411"), "{}", t.method);
    let human = render::human(&p);
    assert!(human.contains("NIIT") && human.contains("15.20"), "{human}");
    // Joint filers' threshold is $250,000: no NIIT at the same income.
    let joint = plan(&text.replace("\"single\"", "\"mfj\""), Options::default());
    let t = &joint.taxes.as_ref().unwrap().estimate;
    assert_eq!(
        (t.niit, t.estimated_tax),
        (Some(dec!(0.00)), Some(dec!(165.00)))
    );
    // Without [owner] magi the NIIT is not estimated, and the method says so.
    let p = plan(LOTS, Options::default());
    let t = &p.taxes.as_ref().unwrap().estimate;
    assert_eq!(
        (t.niit, t.state_tax, t.estimated_tax),
        (None, None, Some(dec!(135.00)))
    );
    assert!(t.method.contains("give [owner] magi"), "{}", t.method);
}

#[test]
fn plan_tax_state_rate_and_filing_status_are_checked() {
    let e = parse_err(&LOTS.replace("[tax]\n", "[tax]\nstate_rate = \"120\"\n"));
    assert!(e.to_string().contains("tax.state_rate"), "{e}");
    assert!(e.to_string().contains("0 to 100"), "{e}");
    // A status without income needs both rates (it then only sets the NIIT threshold).
    let no_rates = LOTS.replace(
        "ordinary_rate = \"24\"\nlong_term_rate = \"15\"",
        "filing_status = \"single\"",
    );
    let e = parse_err(&no_rates);
    assert!(e.to_string().contains("tax.taxable_income"), "{e}");
}

#[test]
fn plan_lot_selection_by_tax_prefers_long_term_over_higher_basis_short_term() {
    // A short-term lot with a 4% gain (x 24% = 0.96% tax) against a long-term lot with a 5%
    // gain (x 15% = 0.75%): by tax the long-term lot goes first although its basis is lower.
    let text = LOTS
        .replace("basis = \"9000.00\"", "basis = \"9600.00\"")
        .replace(
            "stocks = \"10\"\nbonds = \"90\"",
            "stocks = \"30\"\nbonds = \"70\"",
        );
    let p = plan(&text, Options::default());
    // Sell 35,000 - 15,000 = 20,000: IRA 5,000, brokerage 15,000: loss lot, then 5,000 of lots[1].
    let order: Vec<&str> = p.lot_sales.iter().map(|l| l.lot.as_str()).collect();
    assert_eq!(order, vec!["accounts[1].lots[2]", "accounts[1].lots[1]"]);
    assert_eq!(p.lot_sales[1].gain, dec!(250.00));
    let t = &p.taxes.as_ref().unwrap().estimate;
    assert_eq!(t.long_term_gain, dec!(-150.00));
    assert_eq!(t.net_capital_loss, dec!(150.00));
    assert_eq!(t.estimated_tax, Some(dec!(0)));
}

#[test]
fn plan_taxable_sale_without_lots_is_an_error_naming_the_account() {
    let text = r#"
plan_date = 2026-03-02
[target]
stocks = "50"
bonds = "50"
[[accounts]]
name = "Brokerage"
kind = "taxable"
holdings = { stocks = "900.00", bonds = "100.00" }
"#;
    let h = Holdings::parse("t.toml", text).unwrap();
    let e = build(&h, &Options::default()).unwrap_err();
    assert_eq!(e.path(), Some("accounts[0].lots"));
    assert_eq!(e.exit_code(), 2);
    assert!(e.to_string().contains("without lots"), "{e}");
}

#[test]
fn plan_wash_sale_warning_for_a_purchase_in_an_ira() {
    let text = format!("{KENDRA}\n[[recent_loss_sales]]\nasset = \"bonds\"\ndate = 2026-02-10\n")
        .replace("kind = \"401k\"", "kind = \"roth_ira\"");
    let p = plan(&text, Options::default());
    assert_eq!(p.warnings.len(), 1, "{:?}", p.warnings);
    assert!(p.warnings[0].contains("20 days after") && p.warnings[0].contains("lost for good"));
    // 31 days later it is outside the window.
    let p = plan(
        &text.replace("2026-02-10", "2026-01-30"),
        Options::default(),
    );
    assert!(p.warnings.is_empty(), "{:?}", p.warnings);
}

// ----- Rounding --------------------------------------------------------------------------------

#[test]
fn plan_rounded_trades_balance_exactly() {
    // Thirds and odd cents: targets 1/3 each of 6,000.08 cannot all be whole cents.
    let text = r#"
plan_date = 2026-03-02
[target]
a = "33.33"
b = "33.33"
c = "33.34"
[[accounts]]
name = "One"
kind = "401k"
holdings = { a = "3000.05", b = "1000.01" }
[[accounts]]
name = "Two"
kind = "roth_ira"
holdings = { a = "999.99", c = "1000.03" }
"#;
    for r in [super::Rounding::HalfEven, super::Rounding::HalfUp] {
        let p = plan(
            text,
            Options {
                rounding: Some(r),
                ..Options::default()
            },
        );
        assert_eq!(p.total_after, dec!(6000.08));
        assert_balanced(&p);
        let sum: Decimal = p.household.iter().map(|x| x.trade).sum();
        assert_eq!(sum, dec!(0));
    }
    // Many generated households: every account always balances.
    let mut seed: u64 = 42;
    let mut next = |m: u64| {
        seed = seed
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        (seed >> 33) % m
    };
    for _ in 0..200 {
        let w = [next(60) + 1, next(30) + 1];
        let w3 = 100 - w[0] - w[1];
        let mut accts = String::new();
        for (k, kind) in ["401k", "roth_ira", "traditional_ira"].iter().enumerate() {
            accts.push_str(&format!(
                "[[accounts]]\nname = \"A{k}\"\nkind = \"{kind}\"\nholdings = {{ a = \"{}.{:02}\", b = \"{}.{:02}\", c = \"{}.{:02}\" }}\n",
                next(100000), next(100), next(100000), next(100), next(1000), next(100)
            ));
        }
        let text = format!(
            "plan_date = 2026-03-02\n[target]\na = {}\nb = {}\nc = {}\n{accts}",
            w[0], w[1], w3
        );
        let p = plan(&text, Options::default());
        assert_balanced(&p);
        for m in [PlanMode::OverContribution, PlanMode::Contributions] {
            let p = plan(
                &text,
                Options {
                    contribution: Some(dec!(1234.57)),
                    account: Some("A1".into()),
                    ..mode(m)
                },
            );
            assert_balanced(&p);
        }
    }
}

// ----- Bad holdings ----------------------------------------------------------------------------

#[test]
fn plan_bad_negative_amount() {
    let e = parse_err(&KENDRA.replace("\"4000.00\"", "\"-4000.00\""));
    assert_eq!(e.path(), Some("accounts[0].holdings.bonds"));
    assert_eq!(e.line(), Some(38));
    let msg = e.to_string();
    assert!(msg.starts_with("bad.toml:38:"), "{msg}");
    assert!(msg.contains("negative") && msg.contains("allowed"), "{msg}");
    assert_eq!(e.exit_code(), 2);
}

#[test]
fn plan_bad_weights_sum_to_99() {
    let e = parse_err(&KENDRA.replace("bonds = \"25\"", "bonds = \"24\""));
    assert_eq!(e.path(), Some("target"));
    assert!(
        e.to_string().contains("add up to 99%") && e.to_string().contains("100%"),
        "{e}"
    );
    assert!(e.line().is_some());
}

#[test]
fn plan_bad_unknown_account_kind() {
    let e = parse_err(&KENDRA.replace("kind = \"401k\"", "kind = \"403b\""));
    assert_eq!(e.path(), Some("accounts[0].kind"));
    assert_eq!(e.line(), Some(35));
    let msg = e.to_string();
    assert!(
        msg.contains("403b") && msg.contains("roth_401k") && msg.contains("hsa"),
        "{msg}"
    );
}

#[test]
fn plan_bad_lots_do_not_add_up() {
    let text = LOTS.replace(
        "amount = \"10000.00\"\nbasis = \"9500.00\"",
        "amount = \"9000.00\"\nbasis = \"9500.00\"",
    );
    let e = parse_err(&text);
    assert_eq!(e.path(), Some("accounts[1].lots"));
    let msg = e.to_string();
    assert!(
        msg.contains("29,000.00")
            && msg.contains("30,000.00")
            && msg.contains("accounts[1].holdings.stocks"),
        "{msg}"
    );
}

#[test]
fn plan_bad_unparsable_money() {
    let e = parse_err(&LOTS.replace("basis = \"9500.00\"", "basis = \"9,5OO\""));
    assert_eq!(e.path(), Some("accounts[1].lots[1].basis"));
    assert_eq!(e.line(), Some(26));
    assert!(e.to_string().contains("not a dollar amount"), "{e}");
    let e = parse_err(&KENDRA.replace("\"17000.00\"", "\"17000.001\""));
    assert_eq!(e.path(), Some("accounts[0].holdings.stocks"));
}

#[test]
fn plan_bad_other_fields() {
    let e = parse_err(&KENDRA.replace("plan_date = 2026-03-02", "plan_date = 2026-02-30"));
    assert_eq!(e.path(), Some("plan_date"));
    let e = parse_err(&KENDRA.replace("account = \"Kendra 401(k)\"", "account = \"Kendra 401k\""));
    assert_eq!(e.path(), Some("contribution.account"));
    let e = parse_err(&KENDRA.replace("mode = \"rebalance\"", "mode = \"yolo\""));
    assert_eq!(e.path(), Some("mode"));
    assert!(e.to_string().contains("over-contribution"), "{e}");
    let e = parse_err(&KENDRA.replace("name = \"Kendra 401(k)\"", "nmae = \"Kendra 401(k)\""));
    assert_eq!(e.path(), Some("accounts[0].nmae"));
    let e = parse_err("[target\nstocks = 1");
    assert_eq!(e.line(), Some(1));
    let e = parse_err(&KENDRA.replace("[owner]", "[owner"));
    // The parser cannot recover the header; the path is read from the line itself.
    assert_eq!((e.path(), e.line()), (Some("owner"), Some(22)));
    let e = parse_err(&KENDRA.replace("name = \"Kendra 401(k)\"", ""));
    assert_eq!(e.path(), Some("accounts[0].name"));
    assert!(e.to_string().contains("required"), "{e}");
    assert_eq!(parse_err("").path(), Some("target"));
    // Age and birth year that disagree are caught when the plan year is known.
    let h = Holdings::parse(
        "x.toml",
        &KENDRA.replace("age = 32", "age = 32\nbirth_year = 1990"),
    )
    .unwrap();
    let e = build(&h, &mode(PlanMode::OverContribution)).unwrap_err();
    assert_eq!(e.path(), Some("owner.age"));
}

// ----- Command and formats ---------------------------------------------------------------------

fn run(file: &str, extra: &[&str]) -> Result<String, PlanError> {
    use clap::Parser;
    #[derive(clap::Parser)]
    struct Cli {
        #[command(flatten)]
        args: PlanArgs,
    }
    let path = format!("{}/scenarios/{file}", env!("CARGO_MANIFEST_DIR"));
    let mut argv = vec!["plan", path.as_str()];
    argv.extend_from_slice(extra);
    let cli = Cli::try_parse_from(argv).unwrap_or_else(|e| panic!("{e}"));
    let mut out = Vec::new();
    run_command(&cli.args, &mut out)?;
    Ok(String::from_utf8(out).unwrap())
}

#[test]
fn plan_command_human_output() {
    let s = run("kendra-401k.toml", &[]).unwrap();
    assert!(s.contains("sell    stocks  1,250.00"), "{s}");
    assert!(s.contains("buy     bonds   1,250.00"), "{s}");
    assert!(s.contains("15,750.00") && s.contains("5,250.00"), "{s}");
    assert!(s.contains("half to even"), "{s}");
    let s = run("kendra-401k.toml", &["--mode", "over-contribution"]).unwrap();
    assert!(
        s.contains("1,666.67") && s.contains("within the 2026 limit"),
        "{s}"
    );
    let s = run("age-58-household.toml", &["--band", "15"]).unwrap();
    assert!(
        s.contains("Mode: bands") && s.contains("Trades: none"),
        "{s}"
    );
    let s = run("kendra-401k.toml", &["--contribution", "3000"]).unwrap();
    assert!(
        s.contains("Contribution of 3,000.00 into \"Kendra 401(k)\""),
        "{s}"
    );
}

#[test]
fn plan_command_csv_and_json() {
    let s = run("kendra-401k.toml", &["--format", "csv"]).unwrap();
    assert_eq!(
        s,
        "account,kind,action,asset,amount,lot,acquired,term,basis,gain\n\
         Kendra 401(k),401k,sell,stocks,1250.00,,,,,\n\
         Kendra 401(k),401k,buy,bonds,1250.00,,,,,\n"
    );
    let s = run("kendra-401k.toml", &["--format", "json"]).unwrap();
    let v: serde_json::Value = serde_json::from_str(&s).unwrap();
    assert_eq!(v["mode"], "rebalance");
    assert_eq!(v["trades"][0]["amount"], "1250.00");
    assert_eq!(v["trades"][0]["action"], "sell");
    assert_eq!(v["household"][0]["after"], "15750.00");
    assert_eq!(v["household"][0]["after_pct"], "75.00");
    assert_eq!(v["rounding"], "half-even");
    let s = run(
        "kendra-401k.toml",
        &["--format", "json", "--mode", "over-contribution"],
    )
    .unwrap();
    let v: serde_json::Value = serde_json::from_str(&s).unwrap();
    assert_eq!(v["contribution"]["amount"], "1666.67");
    assert_eq!(v["contribution"]["limit"]["limit"]["total"], "24500.00");
}

#[test]
fn plan_command_errors_and_exit_codes() {
    let e = run("missing.toml", &[]).unwrap_err();
    assert_eq!(e.exit_code(), 2);
    assert!(e.to_string().contains("missing.toml"));
    let e = run(
        "kendra-401k.toml",
        &["--contribution", "12.345", "--mode", "contributions"],
    )
    .unwrap_err();
    assert_eq!(e.path(), Some("--contribution"));
    assert_eq!(e.exit_code(), 2);
    let e = run(
        "age-58-household.toml",
        &["--mode", "contributions", "--account", "nope"],
    )
    .unwrap_err();
    assert!(e.to_string().contains("\"Roth IRA\""), "{e}");

    struct Broken;
    impl std::io::Write for Broken {
        fn write(&mut self, _: &[u8]) -> std::io::Result<usize> {
            Err(std::io::Error::new(
                std::io::ErrorKind::BrokenPipe,
                "closed",
            ))
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }
    let args = PlanArgs {
        holdings: format!("{}/scenarios/kendra-401k.toml", env!("CARGO_MANIFEST_DIR")).into(),
        format: PlanFormat::Human,
        mode: None,
        contribution: None,
        account: None,
        band: None,
        band_relative: None,
        band_to: None,
        rounding: None,
        date: None,
    };
    for format in [PlanFormat::Human, PlanFormat::Csv, PlanFormat::Json] {
        let a = PlanArgs {
            format,
            ..clone_args(&args)
        };
        let e = run_command(&a, &mut Broken).unwrap_err();
        assert_eq!(e.exit_code(), 3, "{format:?}: {e}");
    }
}

fn clone_args(a: &PlanArgs) -> PlanArgs {
    PlanArgs {
        holdings: a.holdings.clone(),
        format: a.format,
        mode: a.mode,
        contribution: a.contribution.clone(),
        account: a.account.clone(),
        band: a.band.clone(),
        band_relative: a.band_relative.clone(),
        band_to: a.band_to,
        rounding: a.rounding,
        date: a.date.clone(),
    }
}

// ----- Income rules: the Roth IRA phase-out and the Roth catch-up wage test -------------------

/// Kendra's file with her 401(k) turned into a Roth IRA, at 52, contributing 7,000.
fn kendra_roth(owner_extra: &str) -> String {
    KENDRA
        .replace("kind = \"401k\"", "kind = \"roth_ira\"")
        .replace("age = 32", &format!("age = 52\n{owner_extra}"))
        .replace("amount = \"1000.00\"", "amount = \"7000.00\"")
}

/// Kendra at 52 putting 7,000 into a traditional IRA, with `owner_extra` in `[owner]`.
fn kendra_traditional(owner_extra: &str) -> String {
    kendra_roth(owner_extra).replace("kind = \"roth_ira\"", "kind = \"traditional_ira\"")
}

#[test]
fn plan_traditional_ira_contribution_reports_its_deductible_part() {
    let deduction = |text: &str| {
        let p = plan(text, mode(PlanMode::Contributions));
        let d = p.contribution.unwrap().ira_deduction.unwrap();
        (d.deductible, d.non_deductible)
    };
    // Single, 52, covered by a workplace plan, MAGI 86,000: the IRA limit 7,500 + 1,100
    // phased out over 81,000 - 91,000: 8,600 x (1 - 5,000 / 10,000) = 4,300 deductible; the
    // other 2,700 of the 7,000 is basis (IRC §219(g); Pub. 590-A worksheet 1-2).
    let covered = kendra_traditional("magi = \"86000.00\"\nworkplace_plan = \"covered\"");
    assert_eq!(deduction(&covered), (dec!(4300), dec!(2700)));
    let p = plan(&covered, mode(PlanMode::Contributions));
    let d = p
        .contribution
        .as_ref()
        .unwrap()
        .ira_deduction
        .as_ref()
        .unwrap();
    assert!(d.summary.contains("Form 8606"), "{}", d.summary);
    assert!(render::human(&p).contains("IRA deduction: 4,300.00 of 7,000.00"));
    // Above the range nothing is deductible; without a workplace plan everything is, and a
    // spouse's plan means nothing to a single filer.
    let above = kendra_traditional("magi = \"95000.00\"\nworkplace_plan = \"covered\"");
    assert_eq!(deduction(&above), (dec!(0), dec!(7000)));
    let free = kendra_traditional("magi = \"500000.00\"\nworkplace_plan = \"not_covered\"");
    assert_eq!(deduction(&free), (dec!(7000), dec!(0)));
    let spouse = kendra_traditional("magi = \"500000.00\"\nworkplace_plan = \"spouse_covered\"");
    assert_eq!(deduction(&spouse), (dec!(7000), dec!(0)));
    // Joint filers whose spouse alone is covered: 242,000 - 252,000, so at 247,000 half.
    let joint = kendra_traditional("magi = \"247000.00\"\nworkplace_plan = \"spouse_covered\"")
        + "\n[tax]\nfiling_status = \"mfj\"\ntaxable_income = \"200000.00\"\n";
    assert_eq!(deduction(&joint), (dec!(4300), dec!(2700)));
    // 2,000 already in this year uses deduction room (4,300 - 2,000 = 2,300 left) and limit
    // room (8,600 - 2,000 = 6,600): of the 7,000, 400 is an excess contribution, not basis.
    let earlier = covered.replace(
        "kind = \"traditional_ira\"",
        "kind = \"traditional_ira\"\ncontributed_this_year = \"2000.00\"",
    );
    assert_eq!(deduction(&earlier), (dec!(2300), dec!(4300)));
    // Without the income and the coverage the plan cannot tell, and says so.
    let p = plan(&kendra_traditional(""), mode(PlanMode::Contributions));
    assert!(p.contribution.unwrap().ira_deduction.is_none());
    assert!(
        p.notes.iter().any(|n| n.contains("workplace_plan")),
        "{:?}",
        p.notes
    );
    let e = parse_err(&kendra_traditional("workplace_plan = \"yes\""));
    assert!(e.to_string().contains("workplace_plan"), "{e}");
}

#[test]
fn plan_roth_ira_contribution_is_checked_against_the_income_phase_out() {
    // Single, 52, MAGI 160,000: the IRA limit 7,500 + 1,100 is phased out over 153,000 -
    // 168,000: 8,600 x (1 - 7,000 / 15,000) = 4,586.67, rounded up to 4,590 (Pub. 590-A).
    let p = plan(
        &kendra_roth("magi = \"160000.00\""),
        mode(PlanMode::Contributions),
    );
    let c = p.contribution.as_ref().unwrap();
    assert!(
        !c.limit.as_ref().unwrap().exceeds,
        "7,000 is within the dollar limit"
    );
    let r = c.income_rule.as_ref().unwrap();
    assert_eq!(r.allowed, dec!(4590));
    assert!(r.exceeds);
    assert!(r.summary.contains("over by 2,410.00"), "{}", r.summary);
    assert!(
        p.warnings
            .iter()
            .any(|w| w.contains("Roth IRA income limit"))
    );
    // Below the range the whole limit is allowed; married filing jointly moves the range.
    let p = plan(
        &kendra_roth("magi = \"150000.00\""),
        mode(PlanMode::Contributions),
    );
    let r = p.contribution.unwrap().income_rule.unwrap();
    assert_eq!((r.allowed, r.exceeds), (dec!(8600), false));
    let joint = kendra_roth("magi = \"247000.00\"")
        + "\n[tax]\nfiling_status = \"mfj\"\ntaxable_income = \"200000.00\"\n";
    let p = plan(&joint, mode(PlanMode::Contributions));
    // 8,600 x (1 - 5,000 / 10,000) = 4,300.
    assert_eq!(
        p.contribution.unwrap().income_rule.unwrap().allowed,
        dec!(4300)
    );
    // Without the income the plan cannot check, and says so.
    let p = plan(&kendra_roth(""), mode(PlanMode::Contributions));
    assert!(p.contribution.unwrap().income_rule.is_none());
    assert!(
        p.notes.iter().any(|n| n.contains("[owner] magi")),
        "{:?}",
        p.notes
    );
}

#[test]
fn plan_high_earners_catch_up_cannot_go_to_a_traditional_401k() {
    // At 58 the 401(k) limit is 24,500 + 8,000. With 2025 wages of 200,000 (over 150,000)
    // the 8,000 catch-up must be Roth: the traditional 401(k) takes 24,500 of the 32,500.
    let text = HOUSEHOLD.replace("[owner]", "[owner]\nprior_year_wages = \"200000.00\"");
    let p = plan(&text, mode(PlanMode::Contributions));
    let c = p.contribution.as_ref().unwrap();
    assert!(!c.limit.as_ref().unwrap().exceeds);
    let r = c.income_rule.as_ref().unwrap();
    assert_eq!((r.allowed, r.exceeds), (dec!(24500), true));
    assert!(r.summary.contains("over by 8,000.00"), "{}", r.summary);
    assert!(p.warnings.iter().any(|w| w.contains("Roth 401(k)")));
    // At 150,000 exactly the test is not met: no rule, no warning.
    let text = HOUSEHOLD.replace("[owner]", "[owner]\nprior_year_wages = \"150000.00\"");
    let p = plan(&text, mode(PlanMode::Contributions));
    assert!(p.contribution.unwrap().income_rule.is_none());
    // Without the wages, a note asks for them.
    let p = plan(HOUSEHOLD, mode(PlanMode::Contributions));
    assert!(
        p.notes.iter().any(|n| n.contains("prior_year_wages")),
        "{:?}",
        p.notes
    );
}

#[test]
fn plan_income_inputs_must_be_dollar_amounts() {
    let e = parse_err(&kendra_roth("magi = \"-5.00\""));
    assert!(e.to_string().contains("owner.magi"), "{e}");
    let e = parse_err(&kendra_roth("prior_year_wages = 150000.5"));
    assert!(e.to_string().contains("owner.prior_year_wages"), "{e}");
}
