//! The lockstep kernel against the path-by-path engine: whole runs must be bit-identical
//! (outcomes, histograms, sums), whatever the rule, routing, fees, glide path, stress,
//! market or path count.

use super::path::NoSink;
use super::{CHUNK_PATHS, Simulation, batch, run_kernel, simulate_one_path_stressed};
use crate::scenario;
use crate::simd::InstructionSet;
use crate::stress::Stress;
use std::path::Path;

fn sim(toml: &str) -> Simulation {
    match scenario::parse(toml, "test.toml", "test", Path::new(".")) {
        Ok(s) => s.simulation,
        Err(e) => panic!("{e}"),
    }
}

/// Runs `sim` (and its stresses) path by path and with the kernel compiled for every
/// instruction set this processor has, and asserts the same results.
fn same_both_ways(sim: &Simulation) {
    assert!(batch::covers(sim), "the kernel should cover this scenario");
    let mut stresses = vec![None];
    stresses.extend(sim.stresses.iter().map(|s| Some(&s.stress)));
    for stress in stresses {
        let scalar = run_kernel(sim, stress, &|_| {}, None);
        for isa in InstructionSet::available() {
            let lockstep = run_kernel(sim, stress, &|_| {}, Some(isa));
            assert_eq!(
                lockstep, scalar,
                "{}: lockstep ({isa:?}) and scalar runs differ",
                sim.name
            );
            same_outcomes(sim, stress, isa);
        }
    }
}

/// Every field of every path's outcome (withdrawals, fees, gains, ...; a run's results
/// report only some of them), for the first chunk's paths.
fn same_outcomes(sim: &Simulation, stress: Option<&Stress>, isa: InstructionSet) {
    let paths = sim.path_count().min(CHUNK_PATHS);
    let mut kernel = batch::Batch::new(sim, isa);
    for first in (0..paths).step_by(batch::LANES) {
        let lanes = (paths - first).min(batch::LANES);
        let slots: Vec<usize> = (first..first + lanes).collect();
        kernel.simulate(sim, 0, &slots, stress);
        for lane in 0..lanes {
            let path = first + lane;
            let scalar = simulate_one_path_stressed(sim, path, &mut NoSink, stress);
            assert_eq!(
                kernel.out[lane], scalar,
                "{}: path {path} differs ({isa:?})",
                sim.name
            );
        }
    }
}

const MARKET: &str = r#"
[market]
model = "parametric"
correlations = [[1.0, 0.7, 0.1], [0.7, 1.0, 0.0], [0.1, 0.0, 1.0]]
inflation_mean = 0.03
inflation_vol = 0.015
[[asset]]
name = "US"
mean = 0.07
vol = 0.18
target = 0.45
expense_ratio = 0.0004
[[asset]]
name = "INTL"
mean = 0.065
vol = 0.20
target = 0.2
[[asset]]
name = "BOND"
mean = 0.03
vol = 0.06
target = 0.35
expense_ratio = 0.001
"#;

fn scenario(simulation: &str, cash_flows: &str, strategies: &str) -> Simulation {
    sim(&format!(
        "version = 1\nname = \"lockstep\"\n[simulation]\n{simulation}\n{MARKET}\n\
         [portfolio]\ninitial_balance = 400000\n[cash_flows]\n{cash_flows}\n{strategies}"
    ))
}

const EVERY_RULE: &str = r#"
[[strategy]]
name = "never"
rebalance = "none"
contributions = "most_underweight"
withdrawals = "most_overweight"
[[strategy]]
name = "annual"
rebalance = "calendar"
frequency = "annual"
[[strategy]]
name = "band"
rebalance = "threshold"
band = 0.05
contributions = "most_underweight"
withdrawals = "most_overweight"
[[strategy]]
name = "hybrid edge"
rebalance = "hybrid"
frequency = "quarterly"
band = 0.04
to = "band_edge"
contributions = "toward_target"
withdrawals = "toward_target"
[[strategy]]
name = "five-twenty-five"
rebalance = "threshold"
band = 0.05
relative_band = 0.25
withdrawals = "most_overweight"
"#;

/// [`EVERY_RULE`] with annual looks (for annual steps).
const EVERY_RULE_ANNUAL: &str = r#"
[[strategy]]
name = "never"
rebalance = "none"
withdrawals = "most_overweight"
[[strategy]]
name = "annual"
rebalance = "calendar"
frequency = "annual"
[[strategy]]
name = "band"
rebalance = "threshold"
band = 0.05
withdrawals = "most_overweight"
[[strategy]]
name = "hybrid edge"
rebalance = "hybrid"
frequency = "annual"
band = 0.04
to = "band_edge"
withdrawals = "toward_target"
"#;

#[test]
fn monthly_steps_every_rule_and_routing() {
    // 203 paths: the last batch of a chunk is short.
    let sim = scenario(
        "paths = 203\nseed = 7\nyears = 30\nstep = \"monthly\"",
        "retire_after_years = 8\ncontribution = 18000\ncontribution_growth = 0.02\n\
         withdrawal_rate = 0.045",
        EVERY_RULE,
    );
    same_both_ways(&sim);
}

#[test]
fn ruin_on_many_paths_and_annual_steps() {
    // 9% withdrawals fail most paths: ruin, the withdrawal of everything, zero records.
    let sim = scenario(
        "paths = 77\nseed = 3\nyears = 35\nstep = \"annual\"",
        "withdrawal_rate = 0.09",
        EVERY_RULE_ANNUAL,
    );
    let failures: usize = super::run(&sim, &|_| {})
        .strategies
        .iter()
        .map(|s| ((1.0 - s.success_rate) * 77.0).round() as usize)
        .sum();
    assert!(
        failures > 100,
        "the test needs ruined paths, got {failures}"
    );
    same_both_ways(&sim);
}

#[test]
fn withdrawal_rules_glide_paths_and_stresses() {
    let sim = sim(&format!(
        r#"
version = 1
name = "lockstep rules"
[simulation]
paths = 45
seed = 11
years = 30
step = "monthly"
{MARKET}
[portfolio]
initial_balance = 1000000
[cash_flows]
withdrawal_amount = 48000
[[glide_path]]
name = "down"
points = [
  {{ year = 0, weights = [0.6, 0.2, 0.2] }},
  {{ year = 30, weights = [0.3, 0.1, 0.6] }},
]
[[stress]]
name = "crash"
kind = "crash"
drop = 0.35
assets = ["US", "INTL"]
[[stress]]
name = "worst first"
kind = "worst_years_first"
years = 5
[[strategy]]
name = "constant real"
rebalance = "calendar"
frequency = "annual"
[[strategy]]
name = "guardrails"
rebalance = "threshold"
band = 0.05
withdrawal = {{ rule = "guardrails", rate = 0.055 }}
[[strategy]]
name = "vpw glide"
rebalance = "calendar"
frequency = "quarterly"
glide_path = "down"
withdrawal = {{ rule = "vpw" }}
[[strategy]]
name = "percent"
rebalance = "hybrid"
frequency = "semiannual"
band = 0.03
withdrawals = "most_overweight"
withdrawal = {{ rule = "percent", rate = 0.05 }}
"#
    ));
    same_both_ways(&sim);
}

/// Social Security and a pension without COLA: a spending need the income partly covers
/// (constant real), and in some years wholly (a need below the income), the percent rule
/// (income does not offset it); cash reserves refilled always or after gains, under every
/// routing and the guardrails rule; a life table; ruin on some paths, and lanes left empty.
#[test]
fn income_streams_cash_reserves_and_a_life_table() {
    let toml = |need: u32| {
        format!(
            r#"
version = 1
name = "lockstep income"
[household]
age = 60
birth_year = 1966
retirement_age = 63
horizon_age = 95
[simulation]
paths = 77
seed = 5
step = "monthly"
{MARKET}
[portfolio]
initial_balance = 600000
[cash_flows]
contribution = 12000
withdrawal_amount = {need}
[[income]]
name = "Social Security"
kind = "social_security"
pia = 2600
claim_age = 67
[[income]]
name = "pension"
kind = "pension"
amount = 9000
start_age = 65
[[strategy]]
name = "need"
rebalance = "threshold"
band = 0.05
contributions = "most_underweight"
withdrawals = "most_overweight"
[[strategy]]
name = "need, pro rata"
rebalance = "calendar"
frequency = "annual"
[[strategy]]
name = "percent"
rebalance = "none"
withdrawal = {{ rule = "percent", rate = 0.045 }}
[[strategy]]
name = "reserve, always"
rebalance = "threshold"
band = 0.05
withdrawals = "most_overweight"
cash_reserve = {{ years = 2, refill = "always", rate = 0.02 }}
[[strategy]]
name = "reserve after gains, toward target"
rebalance = "none"
contributions = "toward_target"
withdrawals = "toward_target"
cash_reserve = {{ years = 1, refill = "after_gains", rate = 0.03 }}
[[strategy]]
name = "guardrails with a reserve"
rebalance = "calendar"
frequency = "annual"
withdrawal = {{ rule = "guardrails", rate = 0.06 }}
cash_reserve = {{ years = 1, refill = "after_gains", rate = 0.0 }}
"#
        )
    };
    let mut failures = 0;
    for need in [30_000, 70_000] {
        let mut sim = sim(&toml(need));
        // Some paths also end at a drawn death (after or before ruin), on the even need.
        if need == 70_000 {
            sim.mortality = Some(crate::mortality::tests::synthetic());
            let ends = (0..77).map(|p| super::path::end_step(&sim, p));
            assert!(
                ends.filter(|&e| e < sim.steps()).count() > 20,
                "deaths needed"
            );
            // Paths draw returns only for the steps they live; a stress test draws them
            // all. A stress that changes nothing (a 0% crash) must give the same results.
            let no_op = Stress::Crash {
                drop: 0.0,
                assets: vec![0],
            };
            for kernel in [None, Some(InstructionSet::widest())] {
                assert_eq!(
                    run_kernel(&sim, Some(&no_op), &|_| {}, kernel),
                    run_kernel(&sim, None, &|_| {}, kernel),
                    "{kernel:?}"
                );
            }
        }
        assert!(!sim.income.is_empty());
        let results = run_kernel(&sim, None, &|_| {}, None);
        failures += results
            .strategies
            .iter()
            .map(|s| ((1.0 - s.success_rate) * 77.0).round() as u32)
            .sum::<u32>();
        same_both_ways(&sim);
    }
    assert!(failures > 0, "the test needs some ruined paths");
}

#[test]
fn shipped_scenarios_the_kernel_covers() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios");
    let mut covered = 0;
    for entry in std::fs::read_dir(&dir).unwrap() {
        let path = entry.unwrap().path();
        // Files without [simulation] hold a household's holdings for `driftlab plan`.
        let is_scenario = path.extension().and_then(|e| e.to_str()) == Some("toml")
            && std::fs::read_to_string(&path)
                .unwrap()
                .contains("\n[simulation]");
        if !is_scenario {
            continue;
        }
        let mut sim = match scenario::load(&path) {
            Ok(s) => s.simulation,
            Err(e) => panic!("{}: {e}", path.display()),
        };
        if !batch::covers(&sim) {
            continue;
        }
        sim.paths = sim.paths.min(61);
        same_both_ways(&sim);
        covered += 1;
    }
    assert!(covered >= 3, "only {covered} shipped scenarios covered");
}

#[test]
fn what_the_kernel_leaves_to_the_scalar_engine() {
    let base = "paths = 9\nseed = 1\nyears = 20\nstep = \"annual\"";
    let plain = scenario(base, "withdrawal_rate = 0.04", EVERY_RULE_ANNUAL);
    assert!(batch::covers(&plain));
    let monthly = scenario(
        base,
        "withdrawal_rate = 0.04\nwithdrawal_timing = \"monthly\"",
        EVERY_RULE_ANNUAL,
    );
    assert!(
        !batch::covers(&monthly),
        "withdrawal timing is not in the kernel"
    );
    let reserve = scenario(
        base,
        "withdrawal_rate = 0.04",
        &format!("{EVERY_RULE_ANNUAL}\ncash_reserve = {{ years = 2 }}"),
    );
    assert!(batch::covers(&reserve), "cash reserves are in the kernel");
    same_both_ways(&reserve);
}
