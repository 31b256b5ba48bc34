//! Plain-language notes on a finished run, for runs whose numbers need a word of explanation:
//! every path identical, every path failed, nothing invested at the start, portfolios wiped out
//! by the market, statistics that cannot be computed. Derived from the results only.

use super::{Percentiles, RunResults, StrategySummary};
use crate::engine::Simulation;

/// Per-year wealth bands stop at this value (the top of the wealth histogram).
const BAND_CAP: f64 = 1e13;

/// The notes for `r`, in a fixed order (empty for an unremarkable run).
pub fn notes(r: &RunResults) -> Vec<String> {
    let mut out = Vec::new();
    let all = |f: &dyn Fn(usize, &StrategySummary) -> bool| {
        !r.strategies.is_empty() && r.strategies.iter().enumerate().all(|(i, s)| f(i, s))
    };

    let start = r.yearly.iter().filter(|b| b.year == 0);
    let zero_start = r.yearly.iter().any(|b| b.year == 0)
        && start
            .clone()
            .all(|b| b.nominal.p95 == 0.0 && b.nominal.p5 == 0.0);
    if zero_start {
        out.push(
            "the starting balance is zero: all wealth comes from contributions (returns, CAGR and drawdowns start with the first contribution)"
                .to_string(),
        );
    }

    // Every path the same: equal terminal wealth (exact), and equal CAGR and drawdown (the
    // histograms report identical values exactly). Equal terminal wealth alone is not enough:
    // when every path fails, every path ends at zero.
    let identical = |i: usize| {
        let s = &r.strategies[i];
        r.terminal_real_sorted
            .get(i)
            .and_then(|v| Some((v.first()?, v.last()?)))
            .is_some_and(|(lo, hi)| lo == hi)
            && s.cagr.p5 == s.cagr.p95
            && s.max_drawdown.p5 == s.max_drawdown.p95
    };
    if r.paths > 1 && all(&|i, _| identical(i)) {
        out.push(format!(
            "all {} paths are identical: the market has no randomness (zero volatility), so every percentile is the same number and the success rate is 0% or 100%",
            r.paths
        ));
    }

    // Every path failed: by which year no path of the strategy was left.
    let failed_by = |s: &StrategySummary| -> Option<u32> {
        r.yearly
            .iter()
            .filter(|b| b.strategy == s.name && b.solvent_fraction == 0.0)
            .map(|b| b.year)
            .min()
    };
    let failed: Vec<(&StrategySummary, Option<u32>)> = r
        .strategies
        .iter()
        .filter(|s| s.success_rate == 0.0)
        .map(|s| (s, failed_by(s)))
        .collect();
    if !failed.is_empty() && failed.len() == r.strategies.len() && r.strategies.len() > 1 {
        let years: Vec<Option<u32>> = failed.iter().map(|(_, y)| *y).collect();
        if years.iter().all(|y| *y == years[0]) {
            out.push(match years[0] {
                Some(y) => format!(
                    "every path failed under every strategy: no path had money left by year {y}"
                ),
                None => "every path failed under every strategy".to_string(),
            });
        } else {
            for (s, y) in &failed {
                out.push(failed_note(s, *y));
            }
        }
    } else {
        for (s, y) in &failed {
            out.push(failed_note(s, *y));
        }
    }

    // Wiped out by the market (a -100% return) rather than by withdrawals.
    if !zero_start {
        for (i, s) in r.strategies.iter().enumerate() {
            let Some(v) = r.terminal_real_sorted.get(i) else {
                continue;
            };
            let n = v.len().max(1) as f64;
            let zeros = v.iter().filter(|x| **x == 0.0).count() as f64;
            let failed_paths = ((1.0 - s.success_rate) * n).round();
            if zeros > failed_paths {
                out.push(format!(
                    "`{}`: {:.1}% of paths ended with nothing without missing a withdrawal: the market wiped the portfolio out (a -100% return)",
                    s.name,
                    100.0 * (zeros - failed_paths) / n
                ));
            }
        }
    }

    let capped = r.yearly.iter().any(|b| {
        percentile_values(&b.nominal)
            .iter()
            .chain(percentile_values(&b.real).iter())
            .any(|x| *x >= BAND_CAP)
    });
    if capped {
        out.push(
            "some paths grew beyond $10 trillion: the per-year bands stop there (terminal wealth figures are exact)"
                .to_string(),
        );
    }

    for s in &r.strategies {
        let missing = non_finite_fields(s);
        if !missing.is_empty() {
            out.push(format!(
                "`{}`: {} could not be computed (shown as n/a, null in JSON)",
                s.name,
                missing.join(", ")
            ));
        }
    }
    out
}

/// Notes on the scenario itself, for choices the model treats in a way a reader could miss.
/// Income that starts before the retirement date is not added to the portfolio: the
/// engine assumes it is spent (the README says so; a planner who claims Social Security at
/// 62 while working to 65 should hear it).
pub fn scenario_notes(sim: &Simulation) -> Vec<String> {
    let spy = sim.steps_per_year;
    let retirement = sim.cash_flows.retirement_step.min(sim.steps());
    let at = |step: u32| -> String {
        let years = f64::from(step) / f64::from(spy);
        match sim.start_age {
            Some(age) => format!("age {}", fmt_years(f64::from(age) + years)),
            None => format!("year {}", fmt_years(years)),
        }
    };
    sim.income
        .iter()
        .filter(|i| i.start_step < retirement)
        .map(|i| {
            format!(
                "{} starts at {}, before retirement at {}: payments before retirement are assumed spent, not saved",
                i.name,
                at(i.start_step),
                at(retirement)
            )
        })
        .collect()
}

/// Whole years as `62`, fractions as `62.5`.
fn fmt_years(y: f64) -> String {
    if y.fract() == 0.0 {
        format!("{y:.0}")
    } else {
        format!("{y:.1}")
    }
}

fn failed_note(s: &StrategySummary, year: Option<u32>) -> String {
    match year {
        Some(y) => format!(
            "every path of `{}` failed: no path had money left by year {y}",
            s.name
        ),
        None => format!("every path of `{}` failed", s.name),
    }
}

fn percentile_values(p: &Percentiles) -> [f64; 7] {
    [p.p5, p.p10, p.p25, p.p50, p.p75, p.p90, p.p95]
}

/// Names of the summary statistics of `s` that are NaN or infinite.
fn non_finite_fields(s: &StrategySummary) -> Vec<&'static str> {
    let bad_p = |p: &Percentiles| percentile_values(p).iter().any(|x| !x.is_finite());
    let mut out = Vec::new();
    for (name, bad) in [
        ("success rate", !s.success_rate.is_finite()),
        (
            "terminal wealth",
            bad_p(&s.terminal_nominal)
                || bad_p(&s.terminal_real)
                || !s.terminal_nominal_mean.is_finite()
                || !s.terminal_real_mean.is_finite(),
        ),
        ("CAGR", bad_p(&s.cagr)),
        ("volatility", bad_p(&s.volatility)),
        ("max drawdown", bad_p(&s.max_drawdown)),
        (
            "trading statistics",
            !(s.rebalances_per_path.is_finite()
                && s.trades_per_path.is_finite()
                && s.turnover_per_year.is_finite()
                && s.dollars_traded_per_path.is_finite()),
        ),
        ("fees", !s.fees_per_path.is_finite()),
    ] {
        if bad {
            out.push(name);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::metrics::YearlyBand;

    /// The shipped age-58 stress test with Social Security claimed at `claim` (it retires
    /// at 65).
    fn age_58_claiming_at(claim: &str) -> Simulation {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios");
        let text = std::fs::read_to_string(dir.join("age-58-stress-test.toml")).unwrap();
        assert!(text.contains("claim_age = 67"));
        let text = text.replace("claim_age = 67", &format!("claim_age = {claim}"));
        crate::scenario::parse(&text, "t.toml", "t", &dir)
            .unwrap()
            .simulation
    }

    #[test]
    fn income_claimed_before_retirement_gets_a_note_and_later_income_none() {
        let early = scenario_notes(&age_58_claiming_at("62"));
        assert_eq!(early.len(), 1, "{early:?}");
        assert!(
            early[0].contains("starts at age 62, before retirement at age 65")
                && early[0].contains("assumed spent"),
            "{}",
            early[0]
        );
        let half = scenario_notes(&age_58_claiming_at("63.5"));
        assert!(half[0].contains("starts at age 63.5"), "{}", half[0]);
        assert!(scenario_notes(&age_58_claiming_at("65")).is_empty());
        assert!(scenario_notes(&age_58_claiming_at("67")).is_empty());
    }

    fn pct(x: f64) -> Percentiles {
        Percentiles::from_fn(|_| x)
    }

    fn summary(name: &str, success: f64) -> StrategySummary {
        StrategySummary {
            name: name.into(),
            rule: "r".into(),
            success_rate: success,
            terminal_nominal: pct(1.0),
            terminal_nominal_mean: 1.0,
            terminal_real: pct(1.0),
            terminal_real_mean: 1.0,
            cagr: pct(0.05),
            volatility: pct(0.1),
            max_drawdown: pct(0.2),
            rebalances_per_path: 1.0,
            trades_per_path: 2.0,
            turnover_per_year: 0.1,
            dollars_traded_per_path: 5.0,
            fees_per_path: 1.0,
        }
    }

    fn band(name: &str, year: u32, wealth: f64, solvent: f64) -> YearlyBand {
        YearlyBand {
            strategy: name.into(),
            year,
            real: pct(wealth),
            nominal: pct(wealth),
            real_mean: wealth,
            solvent_fraction: solvent,
        }
    }

    fn results(strategies: Vec<StrategySummary>, terminal: Vec<Vec<f64>>) -> RunResults {
        let yearly = strategies
            .iter()
            .flat_map(|s| {
                [
                    band(&s.name, 0, 100.0, 1.0),
                    band(&s.name, 1, 50.0, s.success_rate.max(0.5)),
                    band(&s.name, 2, 0.0, s.success_rate),
                ]
            })
            .collect();
        RunResults {
            scenario_name: "n".into(),
            tool_version: "0".into(),
            seed: 1,
            paths: terminal.first().map_or(0, Vec::len),
            years: 2,
            steps_per_year: 1,
            market: "m".into(),
            strategies,
            yearly,
            pairs: vec![],
            terminal_real_sorted: terminal,
            path_labels: vec![],
            terminal_real_by_path: vec![],
            ..Default::default()
        }
    }

    #[test]
    fn an_ordinary_run_has_no_notes() {
        // One path of four ended at zero, and it is the one that failed.
        let r = results(vec![summary("a", 0.75)], vec![vec![0.0, 1.0, 2.0, 3.0]]);
        assert!(notes(&r).is_empty(), "{:?}", notes(&r));
    }

    #[test]
    fn identical_paths_and_total_failure() {
        let r = results(
            vec![summary("a", 0.0), summary("b", 0.0)],
            vec![vec![0.0; 5], vec![0.0; 5]],
        );
        let n = notes(&r);
        assert!(n[0].starts_with("all 5 paths are identical"), "{n:?}");
        assert!(
            n[1].contains(
                "every path failed under every strategy: no path had money left by year 2"
            ),
            "{n:?}"
        );
        assert_eq!(n.len(), 2, "{n:?}");

        // Every path failed, but the paths differed on the way: not "identical".
        let mut r = r;
        for s in &mut r.strategies {
            s.cagr.p5 = -0.5;
        }
        let n = notes(&r);
        assert_eq!(n.len(), 1, "{n:?}");
        assert!(n[0].starts_with("every path failed"), "{n:?}");
    }

    #[test]
    fn zero_start_and_non_finite_statistics() {
        let mut r = results(vec![summary("a", 1.0)], vec![vec![1.0, 2.0]]);
        for b in r.yearly.iter_mut().filter(|b| b.year == 0) {
            b.nominal = pct(0.0);
        }
        r.strategies[0].cagr.p50 = f64::NAN;
        let n = notes(&r);
        assert!(n[0].starts_with("the starting balance is zero"), "{n:?}");
        assert!(n[1].contains("`a`: CAGR could not be computed"), "{n:?}");
    }

    #[test]
    fn wiped_out_and_capped_bands() {
        let mut r = results(vec![summary("a", 1.0)], vec![vec![0.0, 0.0, 5.0, 6.0]]);
        r.yearly[1].nominal.p95 = 2e13;
        let n = notes(&r);
        assert!(n[0].contains("50.0% of paths ended with nothing"), "{n:?}");
        assert!(n[1].contains("beyond $10 trillion"), "{n:?}");
    }
}
