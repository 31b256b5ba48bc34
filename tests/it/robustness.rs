//! Issue 8, robustness: hostile inputs (`tests/bad_inputs/`), invariants (proptest),
//! determinism, safe outputs (seed and version recorded, Ctrl-C) and extreme markets.
//!
//! Simulations are built from scenario TOML text with `driftlab::scenario::parse`, not from
//! engine structs, so these tests follow the scenario format rather than engine internals.

use super::*;
use driftlab::plan::lots::{self, Candidate};
use driftlab::plan::tax::Rates;
use driftlab::plan::{Date, Holdings as HoldingsFile, Options, PlanMode, planner};
use driftlab::portfolio::{Holdings, TargetAllocation};
use driftlab::rebalance::{
    self, Calendar, CashFlowRouting, RebalanceRule, RebalanceTo, ThresholdBand,
};
use proptest::collection::vec;
use proptest::prelude::*;
use rust_decimal::Decimal;
use std::collections::BTreeMap;

// ---------------------------------------------------------------------------------------------
// The bad-input corpus.

/// What a corpus file must produce. Text files carry it in their first three lines:
/// `# expect: <fragment of the message>`, `# key: <key or none>`, `# line: <n or none>`.
#[derive(Debug)]
struct Expectation {
    fragment: String,
    key: Option<String>,
    line: Option<usize>,
}

/// Files that cannot carry a header (empty, or not UTF-8 text): (path, fragment, key).
const SIDECAR: &[(&str, &str, Option<&str>)] = &[
    (
        "scenarios/empty.toml",
        "missing field `version`: this key is required",
        Some("version"),
    ),
    (
        "scenarios/binary_garbage.toml",
        "not UTF-8 text; a scenario is a TOML text file",
        None,
    ),
    (
        "scenarios/utf16.toml",
        "not UTF-8 text; a scenario is a TOML text file",
        None,
    ),
    (
        "holdings/empty.toml",
        "missing field `target`: this field is required",
        Some("target"),
    ),
    (
        "holdings/binary_garbage.toml",
        "not UTF-8 text; a holdings file is a TOML text file",
        None,
    ),
];

fn expectation(rel: &str, bytes: &[u8]) -> Expectation {
    if let Some((_, fragment, key)) = SIDECAR.iter().find(|(p, _, _)| *p == rel) {
        return Expectation {
            fragment: fragment.to_string(),
            key: key.map(str::to_string),
            line: None,
        };
    }
    let text = std::str::from_utf8(bytes)
        .unwrap_or_else(|_| panic!("{rel}: not UTF-8 and not in SIDECAR"));
    let mut lines = text.lines();
    let mut field = |name: &str| -> String {
        let l = lines.next().unwrap_or_default();
        l.strip_prefix(&format!("# {name}:"))
            .unwrap_or_else(|| panic!("{rel}: the header needs a `# {name}:` line, found {l:?}"))
            .trim()
            .to_string()
    };
    let fragment = field("expect");
    let key = field("key");
    let line = field("line");
    assert!(!fragment.is_empty(), "{rel}: empty `# expect:`");
    Expectation {
        fragment,
        key: (key != "none").then_some(key),
        line: (line != "none").then(|| line.parse().expect("`# line:` is a number or none")),
    }
}

fn toml_files(dir: &Path) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "toml"))
        .collect();
    files.sort();
    files
}

/// Every corpus file gets exit code 2 and a message naming the file, the line (where one
/// applies) and the key, with the expected explanation, and no panic. Scenarios are checked
/// with `validate` and with `run` (which must write nothing), holdings with `plan`.
#[test]
fn every_bad_input_is_rejected_with_file_line_key_and_reason() {
    let out_root = temp_dir("bad-inputs-run");
    let mut problems = Vec::new();
    let mut checked = BTreeMap::new();
    for (folder, command) in [("scenarios", "validate"), ("holdings", "plan")] {
        for path in toml_files(&repo().join("tests/bad_inputs").join(folder)) {
            let name = path.file_name().unwrap().to_string_lossy().to_string();
            let rel = format!("{folder}/{name}");
            let arg = format!("tests/bad_inputs/{rel}");
            let exp = expectation(&rel, &std::fs::read(&path).unwrap());
            let mut runs = vec![(command, driftlab(&[command, &arg]))];
            if folder == "scenarios" {
                let out = out_root.join(name.trim_end_matches(".toml"));
                runs.push((
                    "run",
                    driftlab(&["run", &arg, "--out", out.to_str().unwrap(), "-q"]),
                ));
                if out.exists() {
                    problems.push(format!("{rel}: `run` wrote {}", out.display()));
                }
            }
            for (cmd, o) in runs {
                let err = stderr(&o);
                let mut fail = |what: &str| problems.push(format!("{rel} ({cmd}): {what}\n{err}"));
                if o.status.code() != Some(2) {
                    fail(&format!("exit code {:?}, expected 2", o.status.code()));
                }
                if err.contains("panicked") {
                    fail("panicked");
                }
                if !err.contains(&arg) {
                    fail("does not name the file");
                }
                if let Some(line) = exp.line
                    && !err.contains(&format!("{arg}:{line}:"))
                {
                    fail(&format!("does not name line {line}"));
                }
                if let Some(key) = &exp.key
                    && !err.contains(&format!("`{key}`"))
                {
                    fail(&format!("does not name the key `{key}`"));
                }
                if !err.contains(&exp.fragment) {
                    fail(&format!("does not say {:?}", exp.fragment));
                }
                if !stdout(&o).is_empty() {
                    fail("wrote to stdout");
                }
            }
            *checked.entry(folder).or_insert(0) += 1;
        }
    }
    // Inputs that once crashed the loaders (found by the fuzzer): both commands reject them.
    for path in toml_files(&repo().join("tests/bad_inputs/fuzz")) {
        let arg = format!(
            "tests/bad_inputs/fuzz/{}",
            path.file_name().unwrap().to_string_lossy()
        );
        for command in ["validate", "plan"] {
            let o = driftlab(&[command, &arg]);
            let err = stderr(&o);
            if o.status.code() != Some(2) || err.contains("panicked") || !err.contains(&arg) {
                problems.push(format!(
                    "{arg} ({command}): exit {:?}\n{err}",
                    o.status.code()
                ));
            }
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n\n"));
    let total: usize = checked.values().sum();
    assert!(
        total >= 30 && checked["scenarios"] >= 15 && checked["holdings"] >= 15,
        "{checked:?}"
    );
}

/// Absurd command-line values are input errors (exit 2) caught before any work, and an
/// output path that cannot be a folder is an output error (exit 3); never a panic.
#[test]
fn hostile_command_line_values_are_rejected() {
    let dir = temp_dir("hostile-flags");
    let out = dir.join("r");
    let scenario = "scenarios/annual-vs-5pct-band.toml";
    let out_arg = out.to_str().unwrap();
    for (flags, fragment) in [
        (
            vec!["--threads", "100000"],
            "--threads 100000: use 1 to 1024",
        ),
        (vec!["--threads", "0"], "--threads 0: use 1 to 1024"),
        (
            vec!["--paths", "5000001"],
            "--paths 5000001: use 1 to 5000000",
        ),
        (vec!["--paths", "1e12"], "invalid value '1e12'"),
        (vec!["--paths", "-5"], "unexpected argument '-5'"),
        (vec!["--seed", "18446744073709551616"], "invalid value"),
        (vec!["--seed", "nan"], "invalid value 'nan'"),
    ] {
        let mut args = vec!["run", scenario, "--out", out_arg, "-q"];
        args.extend(flags.iter().copied());
        let started = std::time::Instant::now();
        let o = driftlab(&args);
        let err = stderr(&o);
        assert_eq!(o.status.code(), Some(2), "{flags:?}: {err}");
        assert!(err.contains(fragment), "{flags:?}: {err}");
        assert!(!err.contains("panicked"), "{flags:?}: {err}");
        assert!(
            started.elapsed() < std::time::Duration::from_secs(20),
            "{flags:?} was slow"
        );
        assert!(!out.exists(), "{flags:?} wrote a report");
    }
    // The report folder's parent is a file.
    let file = write(&dir, "plain-file", "x");
    let o = driftlab(&[
        "run",
        scenario,
        "--paths",
        "10",
        "--out",
        file.join("report").to_str().unwrap(),
        "-q",
    ]);
    assert_eq!(o.status.code(), Some(3), "{}", stderr(&o));
    assert!(!stderr(&o).contains("panicked"));
}

// ---------------------------------------------------------------------------------------------
// Invariants (proptest).

/// A two-asset parametric scenario with one withdrawal rate and pro-rata cash flows.
#[allow(clippy::too_many_arguments)]
fn withdrawal_scenario(
    seed: u64,
    annual_step: bool,
    vols: (f64, f64, f64),
    retire: u32,
    contribution: f64,
    rule: &str,
    rate: f64,
) -> String {
    format!(
        r#"version = 1
[simulation]
paths = 160
seed = {seed}
years = 25
step = "{step}"
[market]
model = "parametric"
correlations = [[1.0, 0.2], [0.2, 1.0]]
inflation_vol = {infl}
[[asset]]
name = "stocks"
target = 0.6
mean = 0.07
vol = {vs}
[[asset]]
name = "bonds"
target = 0.4
mean = 0.03
vol = {vb}
[cash_flows]
retire_after_years = {retire}
contribution = {contribution}
withdrawal_rate = {rate}
[[strategy]]
name = "annual"
rebalance = "calendar"
frequency = "annual"
[[strategy]]
name = "never"
rebalance = "none"
[[strategy]]
name = "rule"
{rule}
"#,
        step = if annual_step { "annual" } else { "monthly" },
        infl = vols.2,
        vs = vols.0,
        vb = vols.1,
    )
}

fn success_rates(text: &str) -> Vec<f64> {
    let sc = driftlab::scenario::parse(text, "prop.toml", "prop", Path::new("."))
        .unwrap_or_else(|e| panic!("{e}\n{text}"));
    let r = driftlab::engine::run(&sc.simulation, &|_| {});
    r.strategies.iter().map(|s| s.success_rate).collect()
}

fn band_rule() -> impl Strategy<Value = String> {
    (0.02f64..0.2, any::<bool>(), any::<bool>()).prop_map(|(band, hybrid, edge)| {
        let to = if edge { "band_edge" } else { "target" };
        if hybrid {
            format!("rebalance = \"hybrid\"\nfrequency = \"annual\"\nband = {band}\nto = \"{to}\"")
        } else {
            format!("rebalance = \"threshold\"\nband = {band}\nto = \"{to}\"")
        }
    })
}

fn routing() -> impl Strategy<Value = CashFlowRouting> {
    prop_oneof![
        Just(CashFlowRouting::ProRata),
        Just(CashFlowRouting::MostOffTarget),
        Just(CashFlowRouting::TowardTarget),
    ]
}

fn threshold_band() -> impl Strategy<Value = ThresholdBand> {
    prop_oneof![
        (0.001f64..0.5).prop_map(ThresholdBand::Absolute),
        (0.01f64..1.0).prop_map(ThresholdBand::Relative),
        (0.001f64..0.5, 0.01f64..1.0)
            .prop_map(|(absolute, relative)| ThresholdBand::FiveTwentyFive { absolute, relative }),
    ]
}

/// 1 to 8 holdings (some zero, some tiny, some large) and target weights of the same count
/// (some zero).
fn portfolio() -> impl Strategy<Value = (Vec<f64>, Vec<f64>)> {
    (1usize..=8).prop_flat_map(|n| {
        let value = prop_oneof![
            1 => Just(0.0),
            1 => 0.0f64..1e-3,
            6 => 0.0f64..1e7,
            1 => 1e7f64..1e12,
        ];
        let weight = prop_oneof![1 => Just(0.0), 6 => 0.001f64..1.0];
        (vec(value, n), vec(weight, n))
    })
}

fn target_of(raw: &[f64]) -> TargetAllocation {
    let mut w = raw.to_vec();
    if w.iter().sum::<f64>() <= 0.0 {
        w[0] = 1.0;
    }
    let sum: f64 = w.iter().sum();
    let w: Vec<f64> = w.iter().map(|x| x / sum).collect();
    TargetAllocation::new(&w).expect("normalised weights are a valid target")
}

fn close(a: f64, b: f64, rel: f64) -> bool {
    (a - b).abs() <= rel * a.abs().max(b.abs()).max(1.0)
}

fn check_weights(h: &Holdings, before_total: f64, what: &str) -> Result<(), TestCaseError> {
    prop_assert!(
        h.values().iter().all(|v| *v >= 0.0 && v.is_finite()),
        "{what}: negative or non-finite holding {:?}",
        h.values()
    );
    prop_assert!(
        close(h.total(), before_total, 1e-9),
        "{what}: total {} became {}",
        before_total,
        h.total()
    );
    if h.total() > 0.0 {
        let sum: f64 = h.weights()[..h.len()].iter().sum();
        prop_assert!((sum - 1.0).abs() <= 1e-9, "{what}: weights sum to {sum}");
    }
    Ok(())
}

/// A holdings file with one taxable account whose stocks are the given lots (cents of value,
/// cents of basis, days held before the plan date) and `bonds` cents of bonds.
fn lots_file(lots: &[(i64, i64, i64)], bonds: i64, stocks_target: u32) -> String {
    let cents = |c: i64| format!("{}.{:02}", c / 100, c % 100);
    let date = Date::parse("2026-03-02").unwrap();
    let stocks: i64 = lots.iter().map(|l| l.0).sum();
    let mut s = format!(
        "plan_date = 2026-03-02\n[target]\nstocks = \"{stocks_target}\"\nbonds = \"{}\"\n[tax]\nordinary_rate = \"24\"\nlong_term_rate = \"15\"\n[[accounts]]\nname = \"Brokerage\"\nkind = \"taxable\"\nholdings = {{ stocks = \"{}\", bonds = \"{}\" }}\n",
        100 - stocks_target,
        cents(stocks),
        cents(bonds)
    );
    if bonds > 0 {
        s.push_str(&format!(
            "[[accounts.lots]]\nasset = \"bonds\"\nacquired = 2020-01-02\namount = \"{0}\"\nbasis = \"{0}\"\n",
            cents(bonds)
        ));
    }
    for (amount, basis, held) in lots {
        s.push_str(&format!(
            "[[accounts.lots]]\nasset = \"stocks\"\nacquired = {}\namount = \"{}\"\nbasis = \"{}\"\n",
            date.add_days(-held),
            cents(*amount),
            cents(*basis)
        ));
    }
    s
}

/// The account's stock lots (asset 0) in the plan's selling order.
fn stock_lots_in_order(a: &driftlab::plan::holdings::Account, date: Date) -> Vec<Candidate<'_>> {
    lots::order(
        a.lots
            .iter()
            .filter(|l| l.asset == 0)
            .map(|lot| Candidate { account: 0, lot })
            .collect(),
        date,
        &Rates::default(),
    )
}

fn lot_strategy() -> impl Strategy<Value = Vec<(i64, i64, i64)>> {
    vec((1i64..100_000_000, 0i64..150_000_000, 0i64..4000), 1..6)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(24))]

    /// On common random numbers (same seed, same market), a higher withdrawal rate never
    /// raises the success rate. With pro-rata cash flows this holds path by path: every
    /// step's wealth is lower under the higher rate, so a path that fails at one rate fails at
    /// every higher rate.
    #[test]
    fn prop_success_rate_monotone_in_withdrawal_rate(
        seed in 0u64..1_000_000,
        annual_step in any::<bool>(),
        vols in (0.0f64..0.35, 0.0f64..0.12, 0.0f64..0.03),
        retire in 0u32..6,
        contribution in 0.0f64..40_000.0,
        rule in band_rule(),
        steps in vec(0u32..40, 2..6),
    ) {
        // Rates on a grid of half a percent, so two rates never differ only by rounding.
        let mut rates: Vec<u32> = steps;
        rates.sort_unstable();
        rates.dedup();
        let mut previous: Option<(f64, Vec<f64>)> = None;
        for k in rates {
            let rate = f64::from(k) * 0.005;
            let text = withdrawal_scenario(seed, annual_step, vols, retire, contribution, &rule, rate);
            let now = success_rates(&text);
            if let Some((r0, before)) = &previous {
                for (s, (a, b)) in before.iter().zip(&now).enumerate() {
                    prop_assert!(b <= a, "strategy {s}: success {a} at rate {r0} but {b} at rate {rate}");
                }
            }
            previous = Some((rate, now));
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    /// Every rebalance keeps the money, leaves nothing negative, and leaves weights summing
    /// to 1; to target means exactly at target, and to the band edge means inside the band.
    #[test]
    fn prop_rebalancing_keeps_money_and_weights(
        (values, raw_target) in portfolio(),
        band in threshold_band(),
    ) {
        let target = target_of(&raw_target);
        let start = Holdings::from_values(&values);
        let total = start.total();

        let mut h = start;
        rebalance::to_target(&mut h, &target);
        check_weights(&h, total, "to_target")?;
        if total > 0.0 {
            for (w, t) in h.weights()[..h.len()].iter().zip(target.weights()) {
                prop_assert!((w - t).abs() <= 1e-9, "to_target: weight {w} for target {t}");
            }
        }

        let mut h = start;
        rebalance::to_band_edge(&mut h, &target, band);
        check_weights(&h, total, "to_band_edge")?;
        if total > 0.0 {
            for (w, t) in h.weights()[..h.len()].iter().zip(target.weights()) {
                let half = band.half_width(*t);
                prop_assert!(
                    (w - t).abs() <= half + 1e-9,
                    "to_band_edge: weight {w} outside {t} +/- {half} ({band:?}, from {:?})",
                    start.weights()
                );
            }
        }

        for rule in [
            RebalanceRule::Never,
            RebalanceRule::Calendar(Calendar::Quarterly),
            RebalanceRule::Threshold { band, check: None, to: RebalanceTo::Target },
            RebalanceRule::Threshold { band, check: Some(Calendar::Annual), to: RebalanceTo::BandEdge },
        ] {
            let mut h = start;
            rebalance::apply_rule(&rule, &mut h, &target);
            check_weights(&h, total, &format!("{rule:?}"))?;
        }
    }

    /// Contributions and withdrawals, routed any way, never leave a negative holding, add or
    /// take exactly what they say, and never take more than is there.
    #[test]
    fn prop_cash_flow_routing_never_goes_negative(
        (values, raw_target) in portfolio(),
        contribution_routing in routing(),
        withdrawal_routing in routing(),
        contribution in prop_oneof![Just(0.0), 0.0f64..1e6, 1e6f64..1e10],
        share in prop_oneof![Just(0.0), 0.0f64..1.0, Just(1.0), 1.0f64..3.0],
    ) {
        let target = target_of(&raw_target);
        let mut h = Holdings::from_values(&values);
        let before = h.total();
        rebalance::contribute(&mut h, contribution, &target, contribution_routing);
        prop_assert!(h.values().iter().all(|v| *v >= 0.0), "contribute {contribution_routing:?}: {:?}", h.values());
        prop_assert!(close(h.total(), before + contribution, 1e-12), "contributed {contribution}: {before} -> {}", h.total());

        let before = h.total();
        let amount = share * before;
        let taken = rebalance::withdraw(&mut h, amount, &target, withdrawal_routing);
        prop_assert!(
            h.values().iter().all(|v| *v >= 0.0),
            "withdraw {amount} of {before} {withdrawal_routing:?}: {:?}",
            h.values()
        );
        prop_assert!(taken <= amount.max(0.0) + 1e-9 * before.max(1.0), "took {taken} of {amount}");
        prop_assert!(close(taken, amount.min(before), 1e-9), "took {taken}, asked {amount} of {before}");
        prop_assert!(
            close(before - taken, h.total(), 1e-9),
            "{withdrawal_routing:?}: {before} - {taken} != {}",
            h.total()
        );
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    /// Selling lots in two steps (part now, the rest later from what is left) relieves each
    /// lot's basis exactly: sold basis + remaining basis = original basis, to the cent, and
    /// the same for amounts. A partial sale carries its pro-rata basis within half a cent.
    #[test]
    fn prop_basis_is_conserved_through_lot_sales(
        lots in lot_strategy(),
        first_share in 0.0f64..=1.0,
        bonds in 0i64..100_000_000,
    ) {
        let date = Date::parse("2026-03-02").unwrap();
        let text = lots_file(&lots, bonds, 50);
        let h = HoldingsFile::parse("lots.toml", &text).unwrap_or_else(|e| panic!("{e}\n{text}"));
        let account = &h.accounts[0];
        // Stock lots only (the bonds lot, if any, comes first in the file).
        let order = |a| stock_lots_in_order(a, date);
        let offset = account.lots.len() - lots.len();
        let total: Decimal = account.lots.iter().filter(|l| l.asset == 0).map(|l| l.amount).sum();
        let first = (total * Decimal::from_f64_retain(first_share).unwrap()).round_dp(2).min(total);
        let (sold, left) = lots::sell(&order(account), first, date, driftlab::plan::Rounding::HalfEven);
        prop_assert_eq!(left, Decimal::ZERO);
        let mut sold_amount = vec![Decimal::ZERO; lots.len()];
        let mut sold_basis = vec![Decimal::ZERO; lots.len()];
        for s in &sold {
            let lot = &account.lots[s.lot];
            let k = s.lot - offset;
            prop_assert!(s.basis >= Decimal::ZERO && s.basis <= lot.basis, "{s:?} of {lot:?}");
            prop_assert_eq!(s.gain, s.amount - s.basis);
            prop_assert_eq!(s.whole, s.amount == lot.amount);
            if s.whole {
                prop_assert_eq!(s.basis, lot.basis);
            } else {
                let exact = lot.basis * s.amount / lot.amount;
                prop_assert!((s.basis - exact).abs() <= Decimal::new(5, 3), "{} vs exact {exact}", s.basis);
            }
            sold_amount[k] += s.amount;
            sold_basis[k] += s.basis;
        }
        prop_assert_eq!(sold_amount.iter().copied().sum::<Decimal>(), first);

        // What is left, as a new holdings file, sold in full.
        let remaining: Vec<(i64, i64, i64)> = lots
            .iter()
            .enumerate()
            .map(|(i, l)| {
                let c = |d: Decimal| -> i64 { (d * Decimal::ONE_HUNDRED).try_into().unwrap() };
                (l.0 - c(sold_amount[i]), l.1 - c(sold_basis[i]), l.2)
            })
            .collect();
        prop_assert!(remaining.iter().all(|r| r.0 >= 0 && r.1 >= 0), "{remaining:?}");
        let text2 = lots_file(&remaining, bonds, 50);
        let h2 = HoldingsFile::parse("rest.toml", &text2).unwrap_or_else(|e| panic!("{e}\n{text2}"));
        let rest_total: Decimal = h2.accounts[0].lots.iter().filter(|l| l.asset == 0).map(|l| l.amount).sum();
        let (rest, left) = lots::sell(&order(&h2.accounts[0]), rest_total, date, driftlab::plan::Rounding::HalfEven);
        prop_assert_eq!(left, Decimal::ZERO);
        let offset2 = h2.accounts[0].lots.len() - lots.len();
        for s in &rest {
            sold_amount[s.lot - offset2] += s.amount;
            sold_basis[s.lot - offset2] += s.basis;
        }
        for (i, lot) in account.lots[offset..].iter().enumerate() {
            prop_assert_eq!(sold_amount[i], lot.amount, "lot {}", i);
            prop_assert_eq!(sold_basis[i], lot.basis, "lot {}", i);
        }
    }

    /// A whole plan: the lot sales in a taxable account add up to its sales of that asset to
    /// the cent, each sale carries at most its lot's basis, and buys equal sales per account.
    #[test]
    fn prop_plan_lot_sales_match_trades_and_basis(
        lots in lot_strategy(),
        bonds in 0i64..100_000_000,
        stocks_target in 0u32..=100,
        mode in prop_oneof![Just(PlanMode::Rebalance), Just(PlanMode::Bands)],
    ) {
        let text = lots_file(&lots, bonds, stocks_target);
        let text = if mode == PlanMode::Bands { format!("{text}[bands]\nabsolute = \"5\"\n") } else { text };
        let h = HoldingsFile::parse("plan.toml", &text).unwrap_or_else(|e| panic!("{e}\n{text}"));
        let options = Options { mode: Some(mode), ..Options::default() };
        let plan = planner::build(&h, &options).unwrap_or_else(|e| panic!("{e}\n{text}"));
        for asset in ["stocks", "bonds"] {
            let sold: Decimal = plan
                .trades
                .iter()
                .filter(|t| t.asset == asset && t.action == planner::Action::Sell)
                .map(|t| t.amount)
                .sum();
            let lot_total: Decimal = plan.lot_sales.iter().filter(|s| s.asset == asset).map(|s| s.amount).sum();
            prop_assert_eq!(lot_total, sold, "{}", asset);
        }
        for s in &plan.lot_sales {
            let index: usize = s.lot.trim_end_matches(']').rsplit('[').next().unwrap().parse().unwrap();
            let lot = &h.accounts[0].lots[index];
            prop_assert!(s.amount <= lot.amount && s.basis <= lot.basis && s.basis >= Decimal::ZERO, "{s:?}");
            prop_assert_eq!(s.gain, s.amount - s.basis);
            if s.whole_lot {
                prop_assert_eq!(s.basis, lot.basis);
            }
        }
        for a in &plan.accounts {
            prop_assert_eq!(a.sold, a.bought, "{}", a.name);
            prop_assert!(a.assets.iter().all(|x| x.after >= Decimal::ZERO), "{:?}", a.assets);
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Determinism and what every output records.

fn files_under(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    let mut out = BTreeMap::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                stack.push(p);
            } else {
                let rel = p.strip_prefix(dir).unwrap().to_string_lossy().to_string();
                out.insert(rel, std::fs::read(&p).unwrap());
            }
        }
    }
    out
}

const HISTORICAL: &str = r#"version = 1
name = "rolling"
[simulation]
years = 20
step = "annual"
seed = 99
[market]
model = "historical"
dataset = "damodaran"
[[asset]]
name = "stocks"
target = 0.6
series = "us_stocks"
[[asset]]
name = "bonds"
target = 0.4
series = "tbonds_10y"
[cash_flows]
withdrawal_rate = 0.045
[[strategy]]
name = "annual"
rebalance = "calendar"
frequency = "annual"
[[strategy]]
name = "band"
rebalance = "threshold"
band = 0.1
to = "band_edge"
"#;

/// The same scenario and seed give byte-identical reports (every table, JSON file and chart)
/// at 1, 2 and 8 threads and on a second run; every JSON file records the seed and the tool
/// version, every Parquet file carries them as metadata and every chart prints them.
#[test]
fn identical_outputs_at_any_thread_count_and_across_runs_with_seed_and_version() {
    let dir = temp_dir("determinism");
    let historical = write(&dir, "rolling.toml", HISTORICAL);
    let version = env!("CARGO_PKG_VERSION");
    for (scenario, paths, seed) in [
        (
            repo().join("scenarios/annual-vs-5pct-band.toml"),
            Some("700"),
            "20261122",
        ),
        (historical, None, "99"),
    ] {
        let mut reports = Vec::new();
        for (k, threads) in ["1", "2", "8", "1"].iter().enumerate() {
            let out = dir.join(format!(
                "{}-{k}",
                scenario.file_stem().unwrap().to_string_lossy()
            ));
            let mut args = vec![
                "run",
                scenario.to_str().unwrap(),
                "--threads",
                threads,
                "--out",
                out.to_str().unwrap(),
                "--format",
                "json",
                "-q",
            ];
            if let Some(p) = paths {
                args.extend(["--paths", p]);
            }
            let o = driftlab(&args);
            assert!(o.status.success(), "{}", stderr(&o));
            let files = files_under(&out);
            assert_eq!(
                stdout(&o).as_bytes(),
                &files["summary.json"][..],
                "stdout is summary.json"
            );
            reports.push((threads.to_string(), files));
        }
        let (_, first) = &reports[0];
        assert!(first.len() >= 18, "{:?}", first.keys());
        for (threads, files) in &reports[1..] {
            assert_eq!(
                first.keys().collect::<Vec<_>>(),
                files.keys().collect::<Vec<_>>()
            );
            for (name, bytes) in first {
                assert!(
                    &files[name] == bytes,
                    "{name} differs at {threads} threads ({})",
                    scenario.display()
                );
            }
        }

        // Seed and version, wherever the format has room for them.
        for json in ["summary.json", "run.json"] {
            let v: serde_json::Value = serde_json::from_slice(&first[json]).unwrap();
            assert_eq!(v["seed"].to_string(), seed, "{json}");
            assert_eq!(v["tool_version"], version, "{json}");
        }
        for (name, bytes) in first {
            let text = String::from_utf8_lossy(bytes);
            if name.ends_with(".parquet") {
                for needle in ["driftlab.tool_version", version, "driftlab.seed", seed] {
                    assert!(text.contains(needle), "{name} lacks {needle}");
                }
            }
            if name.ends_with(".svg") {
                assert!(
                    text.contains(&format!("driftlab {version}"))
                        && text.contains(&format!("seed {seed}")),
                    "{name} lacks the source line"
                );
            }
        }
        // CSV has no place for metadata: run.json sits next to every table.
        assert!(first.contains_key("run.json"));
    }
}

// ---------------------------------------------------------------------------------------------
// Ctrl-C.

#[cfg(unix)]
fn interrupt_after(args: &[&str], delay: std::time::Duration) -> Output {
    let child = Command::new(env!("CARGO_BIN_EXE_driftlab"))
        .args(args)
        .current_dir(repo())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("driftlab starts");
    std::thread::sleep(delay);
    // The process may already have finished; then there is nothing to interrupt.
    let _ = Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status();
    child.wait_with_output().expect("driftlab exits")
}

/// Leftovers of an interrupted write next to `out`: `.name.tmp-*` or `.name.old-*`.
#[cfg(unix)]
fn leftovers(out: &Path) -> Vec<String> {
    let name = out.file_name().unwrap().to_string_lossy().to_string();
    std::fs::read_dir(out.parent().unwrap())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().to_string())
        .filter(|n| n.starts_with(&format!(".{name}.")))
        .collect()
}

/// A run interrupted mid-way leaves no half-written report and no temporary folder, and
/// exits with 130. Interrupted at any moment, a report folder is either complete or absent,
/// and an existing report replaced with `--force` survives intact.
#[cfg(unix)]
#[test]
fn ctrl_c_leaves_no_report_and_no_temporary_folder() {
    use std::time::Duration;
    let dir = temp_dir("ctrl-c");
    let scenario = "scenarios/annual-vs-5pct-band.toml";

    // Mid-simulation: a big run, interrupted after a second.
    let out = dir.join("big");
    let o = interrupt_after(
        &[
            "run",
            scenario,
            "--paths",
            "2000000",
            "--out",
            out.to_str().unwrap(),
            "-q",
        ],
        Duration::from_secs(1),
    );
    assert_eq!(o.status.code(), Some(130), "{}", stderr(&o));
    assert!(stderr(&o).contains("interrupted"), "{}", stderr(&o));
    assert!(!stderr(&o).contains("panicked"));
    assert!(!out.exists(), "no report folder");
    assert!(leftovers(&out).is_empty(), "{:?}", leftovers(&out));

    // At many moments of a small run (simulating, writing tables, drawing charts, done).
    let complete = |out: &Path| {
        [
            "summary.json",
            "run.json",
            "summary.parquet",
            "scenario.toml",
            "charts/rebalancing_activity.svg",
        ]
        .iter()
        .all(|f| out.join(f).is_file())
    };
    for (k, ms) in [50u64, 250, 500, 800, 1200, 1700, 2500].iter().enumerate() {
        let out = dir.join(format!("small-{k}"));
        let o = interrupt_after(
            &[
                "run",
                scenario,
                "--paths",
                "200",
                "--out",
                out.to_str().unwrap(),
                "-q",
            ],
            Duration::from_millis(*ms),
        );
        let code = o.status.code();
        assert!(matches!(code, Some(0 | 130)), "{code:?}: {}", stderr(&o));
        if code == Some(130) && !stderr(&o).contains("report was complete") {
            assert!(!out.exists(), "after {ms} ms: a report folder was left");
        } else {
            assert!(complete(&out), "after {ms} ms: an incomplete report");
        }
        assert!(
            leftovers(&out).is_empty(),
            "after {ms} ms: {:?}",
            leftovers(&out)
        );
    }

    // Replacing an existing report with --force: interrupted, the old one is untouched.
    let out = dir.join("existing");
    let o = driftlab(&[
        "run",
        scenario,
        "--paths",
        "100",
        "--out",
        out.to_str().unwrap(),
        "-q",
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let before = std::fs::read(out.join("summary.json")).unwrap();
    for ms in [300u64, 900, 1500] {
        let o = interrupt_after(
            &[
                "run",
                scenario,
                "--paths",
                "150",
                "--seed",
                "5",
                "--force",
                "--out",
                out.to_str().unwrap(),
                "-q",
            ],
            Duration::from_millis(ms),
        );
        assert!(complete(&out), "after {ms} ms: {}", stderr(&o));
        let now = std::fs::read(out.join("summary.json")).unwrap();
        if o.status.code() == Some(130) && !stderr(&o).contains("report was complete") {
            assert_eq!(now, before, "after {ms} ms: the old report changed");
        }
        assert!(
            leftovers(&out).is_empty(),
            "after {ms} ms: {:?}",
            leftovers(&out)
        );
        if now != before {
            break; // replaced: later runs would compare against another report
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Extreme markets: each run completes and the report says what happened.

/// Runs `text` (written next to `files`) and returns the process output and `summary.json`.
fn run_extreme(name: &str, text: &str, files: &[(&str, &str)]) -> (Output, serde_json::Value) {
    let dir = temp_dir(&format!("extreme-{name}"));
    for (f, content) in files {
        write(&dir, f, content);
    }
    let path = write(&dir, &format!("{name}.toml"), text);
    let out = dir.join("report");
    let o = driftlab(&[
        "run",
        path.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
        "-q",
    ]);
    assert_eq!(o.status.code(), Some(0), "{name}: {}", stderr(&o));
    assert!(!stderr(&o).contains("panicked"));
    let v: serde_json::Value =
        serde_json::from_slice(&std::fs::read(out.join("summary.json")).unwrap()).unwrap();
    (o, v)
}

fn notes(v: &serde_json::Value) -> Vec<String> {
    v["notes"]
        .as_array()
        .map(|a| a.iter().map(|n| n.as_str().unwrap().to_string()).collect())
        .unwrap_or_default()
}

fn parametric(body: &str) -> String {
    format!(
        r#"version = 1
[simulation]
paths = 300
seed = 5
{body}
[[strategy]]
name = "annual"
rebalance = "calendar"
frequency = "annual"
[[strategy]]
name = "never"
rebalance = "none"
"#
    )
}

const TWO_ASSETS: &str = r#"[[asset]]
name = "stocks"
target = 0.6
mean = 0.07
vol = 0.17
[[asset]]
name = "bonds"
target = 0.4
mean = 0.03
vol = 0.06
"#;

#[test]
fn a_minus_100_percent_year_wipes_out_the_windows_that_contain_it() {
    let data = std::fs::read_to_string(repo().join("data/us_annual_returns.csv")).unwrap();
    let crash: String = data
        .lines()
        .map(|l| match l.strip_prefix("1931,") {
            Some(rest) => format!("1931,-1.0,{}", rest.split_once(',').unwrap().1),
            None => l.to_string(),
        })
        .collect::<Vec<_>>()
        .join("\n");
    assert!(crash.contains("1931,-1.0,"));
    let text = r#"version = 1
[simulation]
years = 10
step = "annual"
[market]
model = "historical"
dataset = "damodaran"
data_file = "crash.csv"
[[asset]]
name = "stocks"
target = 1.0
series = "us_stocks"
[[strategy]]
name = "hold"
rebalance = "none"
"#;
    let (o, v) = run_extreme("minus100", text, &[("crash.csv", &crash)]);
    // Windows starting 1928 to 1931 hold 1931: 4 of the 89 ten-year windows in 1928-2025.
    assert_eq!(v["paths"], 89);
    assert_eq!(v["strategies"][0]["success_rate"], 1.0);
    let by_start = std::fs::read_to_string(
        std::env::temp_dir()
            .join(format!(
                "driftlab-it-{}-extreme-minus100",
                std::process::id()
            ))
            .join("report/by_start_period.csv"),
    )
    .unwrap();
    let rows: Vec<&str> = by_start.lines().skip(1).collect();
    for (k, row) in rows.iter().enumerate() {
        let (label, wealth) = row.split_once(',').unwrap();
        let wealth: f64 = wealth.parse().unwrap();
        assert_eq!(label, (1928 + k).to_string());
        assert_eq!(wealth == 0.0, k < 4, "{row}");
    }
    let n = notes(&v);
    assert!(
        n.iter()
            .any(|n| n.contains("4.5% of paths ended with nothing without missing a withdrawal")),
        "{n:?}"
    );
    assert!(stdout(&o).contains("notes:"), "{}", stdout(&o));
}

#[test]
fn a_collapsing_parametric_market_completes() {
    let body = "years = 30\n[market]\nmodel = \"parametric\"\n[[asset]]\nname = \"junk\"\ntarget = 1.0\nmean = -0.99\nvol = 5\n[cash_flows]\nretire_after_years = 10\ncontribution = 1000\nwithdrawal_rate = 0.04";
    let (_, v) = run_extreme("collapse", &parametric(body), &[]);
    let s = &v["strategies"][0];
    assert!(s["success_rate"].as_f64().unwrap() < 0.5, "{s}");
    assert!(s["terminal_real"]["p50"].as_f64().unwrap() < 1000.0, "{s}");
}

#[test]
fn zero_volatility_makes_every_path_identical() {
    let body = format!(
        "years = 30\n[market]\nmodel = \"parametric\"\n{}\n[cash_flows]\nwithdrawal_rate = 0.04",
        TWO_ASSETS
            .replace("vol = 0.17", "vol = 0.0")
            .replace("vol = 0.06", "vol = 0.0")
    );
    let (o, v) = run_extreme("zero-vol", &parametric(&body), &[]);
    for s in v["strategies"].as_array().unwrap() {
        for metric in [
            "terminal_real",
            "terminal_nominal",
            "cagr",
            "volatility",
            "max_drawdown",
        ] {
            let p = &s[metric];
            assert_eq!(p["p5"], p["p95"], "{metric}: {s}");
        }
        let success = s["success_rate"].as_f64().unwrap();
        assert!(success == 0.0 || success == 1.0, "{s}");
    }
    let n = notes(&v);
    assert!(
        n.iter()
            .any(|n| n.starts_with("all 300 paths are identical")),
        "{n:?}"
    );
    assert!(
        stdout(&o).contains("all 300 paths are identical"),
        "{}",
        stdout(&o)
    );
}

#[test]
fn a_hundred_year_horizon_completes() {
    let body = format!(
        "years = 100\nstep = \"annual\"\n[market]\nmodel = \"parametric\"\n{TWO_ASSETS}\n[cash_flows]\nretire_after_years = 40\ncontribution = 10000\nwithdrawal_rate = 0.035"
    );
    let (_, v) = run_extreme("century", &parametric(&body), &[]);
    assert_eq!(v["years"], 100);
    assert!(v["strategies"][0]["terminal_real"]["p50"].as_f64().unwrap() >= 0.0);

    // Runaway growth for a century: the per-year bands top out, and the report says so.
    let fast = body.replace("mean = 0.07", "mean = 1.0");
    let (_, v) = run_extreme("century-fast", &parametric(&fast), &[]);
    let n = notes(&v);
    assert!(n.iter().any(|n| n.contains("beyond $10 trillion")), "{n:?}");
}

#[test]
fn a_zero_starting_balance_with_contributions() {
    let body = format!(
        "years = 30\n[market]\nmodel = \"parametric\"\n{TWO_ASSETS}\n[portfolio]\ninitial_balance = 0\n[cash_flows]\nretire_after_years = 20\ncontribution = 12000\nwithdrawal_rate = 0.04"
    );
    let (_, v) = run_extreme("zero-start", &parametric(&body), &[]);
    assert!(v["strategies"][0]["terminal_real"]["p50"].as_f64().unwrap() > 0.0);
    let n = notes(&v);
    assert!(
        n.iter()
            .any(|n| n.starts_with("the starting balance is zero")),
        "{n:?}"
    );
}

#[test]
fn withdrawing_all_wealth_fails_every_path_and_says_when() {
    let body = format!(
        "years = 30\n[market]\nmodel = \"parametric\"\n{TWO_ASSETS}\n[cash_flows]\nwithdrawal_rate = 1.0"
    );
    let (o, v) = run_extreme("withdraw-all", &parametric(&body), &[]);
    for s in v["strategies"].as_array().unwrap() {
        assert_eq!(s["success_rate"], 0.0, "{s}");
    }
    let n = notes(&v);
    // One note for all strategies when they ran out in the same year, else one each.
    assert!(
        n.iter().any(|n| n
            .starts_with("every path failed under every strategy: no path had money left by year"))
            || n.iter()
                .filter(|n| n.starts_with("every path of `"))
                .count()
                == 2,
        "{n:?}"
    );
    assert!(stdout(&o).contains("every path failed"), "{}", stdout(&o));
}
