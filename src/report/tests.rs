//! Tests of the whole report: files, table values, JSON shape, chart text, overwrite rules
//! and degenerate data.

use std::path::{Path, PathBuf};

use polars::prelude::*;

use super::*;
use crate::metrics::{PairedDifference, Percentiles, StrategySummary, YearlyBand};

const SCENARIO: &str = "# test scenario\nname = \"unit\"\nyears = 5\n";

/// A fresh, unique folder path under the system temp dir (not created).
fn temp_out(tag: &str) -> PathBuf {
    use std::sync::atomic::{AtomicUsize, Ordering};
    static N: AtomicUsize = AtomicUsize::new(0);
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_nanos())
        .unwrap_or(0);
    std::env::temp_dir().join(format!(
        "driftlab-report-{tag}-{}-{}-{nanos}",
        std::process::id(),
        N.fetch_add(1, Ordering::Relaxed)
    ))
}

/// Removes the folder (and its parent when it is one of ours) when the test ends.
struct Cleanup(PathBuf);
impl Drop for Cleanup {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn pct(p50: f64, spread: f64) -> Percentiles {
    Percentiles {
        p5: p50 * (1.0 - 0.6 * spread),
        p10: p50 * (1.0 - 0.45 * spread),
        p25: p50 * (1.0 - 0.2 * spread),
        p50,
        p75: p50 * (1.0 + 0.3 * spread),
        p90: p50 * (1.0 + 0.7 * spread),
        p95: p50 * (1.0 + 1.0 * spread),
    }
}

fn strategy(name: &str, rule: &str, success: f64, median: f64, k: f64) -> StrategySummary {
    StrategySummary {
        name: name.into(),
        rule: rule.into(),
        success_rate: success,
        terminal_nominal: pct(median * 1.3, 0.8),
        terminal_nominal_mean: median * 1.45,
        terminal_real: pct(median, 0.8),
        terminal_real_mean: median * 1.1,
        cagr: pct(0.05 + 0.002 * k, 0.5),
        volatility: pct(0.11, 0.2),
        max_drawdown: pct(0.3, 0.5),
        rebalances_per_path: 5.0 * k,
        trades_per_path: 10.0 * k,
        turnover_per_year: 0.02 * k,
        dollars_traded_per_path: 150_000.0 * k,
        fees_per_path: 75.0 * k,
    }
}

/// `names` strategies over `years` years, with `paths` terminal values each.
fn results_with(names: &[&str], years: u32, paths: usize) -> RunResults {
    let strategies: Vec<StrategySummary> = names
        .iter()
        .enumerate()
        .map(|(i, n)| {
            let k = i as f64 + 1.0;
            strategy(
                n,
                &format!("rule {n}"),
                0.95 - 0.03 * i as f64,
                1_000_000.0 + 150_000.0 * i as f64,
                k,
            )
        })
        .collect();
    let mut yearly = vec![];
    for (i, s) in strategies.iter().enumerate() {
        for year in 0..=years {
            let growth = 1.0 + (0.04 + 0.004 * i as f64) * year as f64;
            let spread = 0.08 * year as f64;
            yearly.push(YearlyBand {
                strategy: s.name.clone(),
                year,
                real: pct(1_000_000.0 * growth, spread),
                nominal: pct(1_000_000.0 * growth * (1.0 + 0.025 * year as f64), spread),
                real_mean: 1_000_000.0 * growth * 1.05,
                solvent_fraction: 1.0 - 0.01 * year as f64,
            });
        }
    }
    let pairs = strategies
        .iter()
        .skip(1)
        .map(|s| PairedDifference {
            strategy: s.name.clone(),
            baseline: strategies[0].name.clone(),
            terminal_real_mean_diff: 12_345.5,
            terminal_real_ci95: (1_000.0, 23_691.0),
            success_rate_diff: -0.03,
            success_rate_ci95: (-0.05, -0.01),
            share_paths_ahead: 0.55,
        })
        .collect();
    let terminal_real_sorted = strategies
        .iter()
        .enumerate()
        .map(|(i, _)| {
            let mut v: Vec<f64> = (0..paths)
                .map(|p| {
                    let u = (p as f64 + 0.5) / paths as f64;
                    // Skewed and with a point mass at zero for failed paths.
                    if u < 0.05 + 0.03 * i as f64 {
                        0.0
                    } else {
                        1_000_000.0 * (1.0 + i as f64 * 0.1) * (-(1.0 - u).ln()).powf(1.3)
                    }
                })
                .collect();
            v.sort_by(f64::total_cmp);
            v
        })
        .collect();
    RunResults {
        scenario_name: "unit".into(),
        tool_version: "0.1.0".into(),
        seed: 42,
        paths,
        years,
        steps_per_year: 12,
        market: "parametric lognormal (3 assets)".into(),
        strategies,
        yearly,
        pairs,
        terminal_real_sorted,
        path_labels: vec![],
        terminal_real_by_path: vec![],
        ..Default::default()
    }
}

fn sample() -> RunResults {
    results_with(&["Annual", "Threshold 5pp", "Never"], 5, 1000)
}

/// Every file of a Monte Carlo report without sampled paths (`by_start_period.*` is only
/// for historical runs, `allocation_drift.*` only with sampled paths).
const EXPECTED_FILES: [&str; 25] = [
    "summary.csv",
    "yearly_real_wealth.csv",
    "yearly_nominal_wealth.csv",
    "paired_differences.csv",
    "summary.parquet",
    "yearly_real_wealth.parquet",
    "yearly_nominal_wealth.parquet",
    "summary.json",
    "run.json",
    "scenario.toml",
    "results.json",
    "terminal_real_sorted.parquet",
    "charts/fan_real_wealth.png",
    "charts/fan_real_wealth.svg",
    "charts/strategy_comparison.png",
    "charts/strategy_comparison.svg",
    "charts/terminal_wealth_cdf.png",
    "charts/terminal_wealth_cdf.svg",
    "charts/rebalancing_activity.png",
    "charts/rebalancing_activity.svg",
    "charts/success_rate.png",
    "charts/success_rate.svg",
    "charts/paired_differences.png",
    "charts/paired_differences.svg",
    "report.html",
];

fn read_csv(path: &Path) -> DataFrame {
    CsvReadOptions::default()
        .with_has_header(true)
        .try_into_reader_with_file_path(Some(path.to_path_buf()))
        .unwrap()
        .finish()
        .unwrap()
}

fn str_at(df: &DataFrame, col: &str, row: usize) -> String {
    df.column(col)
        .unwrap()
        .str()
        .unwrap()
        .get(row)
        .unwrap()
        .to_string()
}

fn f64_at(df: &DataFrame, col: &str, row: usize) -> f64 {
    df.column(col).unwrap().f64().unwrap().get(row).unwrap()
}

#[test]
fn writes_every_file_and_nothing_else() {
    let out = temp_out("files");
    let _c = Cleanup(out.clone());
    let written = write_report(&out, &sample(), SCENARIO, false).unwrap();
    let expected: Vec<PathBuf> = EXPECTED_FILES.iter().map(|f| out.join(f)).collect();
    let mut got = written.clone();
    got.sort();
    let mut want = expected.clone();
    want.sort();
    assert_eq!(got, want);
    for f in &written {
        let len = std::fs::metadata(f).unwrap().len();
        assert!(len > 0, "{} is empty", f.display());
    }
    // No temporary folder left next to the report.
    let parent = out.parent().unwrap();
    let name = out.file_name().unwrap().to_string_lossy().to_string();
    for entry in std::fs::read_dir(parent).unwrap() {
        let entry_name = entry.unwrap().file_name().to_string_lossy().to_string();
        assert!(
            !entry_name.starts_with(&format!(".{name}.")),
            "left behind {entry_name}"
        );
    }
    assert_eq!(
        std::fs::read_to_string(out.join("scenario.toml")).unwrap(),
        SCENARIO
    );
    assert!(!out.join("by_start_period.csv").exists());
}

#[test]
fn summary_csv_has_flat_columns_and_exact_values() {
    let out = temp_out("csv");
    let _c = Cleanup(out.clone());
    write_report(&out, &sample(), SCENARIO, false).unwrap();
    let df = read_csv(&out.join("summary.csv"));
    assert_eq!(df.height(), 3);
    let names: Vec<String> = df
        .get_column_names()
        .iter()
        .map(|s| s.to_string())
        .collect();
    for c in [
        "name",
        "rule",
        "success_rate",
        "terminal_real_p5",
        "terminal_real_p50",
        "terminal_real_p95",
        "terminal_real_mean",
        "terminal_nominal_p5",
        "terminal_nominal_p95",
        "terminal_nominal_mean",
        "cagr_p5",
        "cagr_p50",
        "cagr_p95",
        "volatility_p50",
        "max_drawdown_p5",
        "max_drawdown_p50",
        "max_drawdown_p95",
        "rebalances_per_path",
        "trades_per_path",
        "turnover_per_year",
        "dollars_traded_per_path",
        "fees_per_path",
    ] {
        assert!(names.iter().any(|n| n == c), "missing column {c}");
    }
    assert_eq!(names[0], "name");
    assert_eq!(str_at(&df, "name", 0), "Annual");
    assert_eq!(str_at(&df, "name", 1), "Threshold 5pp");
    assert_eq!(str_at(&df, "rule", 2), "rule Never");
    assert_eq!(f64_at(&df, "success_rate", 0), 0.95);
    assert_eq!(f64_at(&df, "terminal_real_p50", 1), 1_150_000.0);
    assert_eq!(f64_at(&df, "fees_per_path", 2), 225.0);

    // The Parquet twin holds the same table.
    let pq = ParquetReader::new(std::fs::File::open(out.join("summary.parquet")).unwrap())
        .finish()
        .unwrap();
    assert_eq!(pq.height(), 3);
    assert_eq!(f64_at(&pq, "terminal_real_p50", 1), 1_150_000.0);

    // Tidy yearly tables: one row per strategy and year; mean only for real wealth.
    let real = read_csv(&out.join("yearly_real_wealth.csv"));
    assert_eq!(real.height(), 3 * 6);
    let cols: Vec<String> = real
        .get_column_names()
        .iter()
        .map(|s| s.to_string())
        .collect();
    assert_eq!(
        cols,
        [
            "strategy",
            "year",
            "p5",
            "p10",
            "p25",
            "p50",
            "p75",
            "p90",
            "p95",
            "mean",
            "solvent_fraction"
        ]
    );
    assert_eq!(str_at(&real, "strategy", 6), "Threshold 5pp");
    assert_eq!(f64_at(&real, "p50", 0), 1_000_000.0);
    let nominal = read_csv(&out.join("yearly_nominal_wealth.csv"));
    assert!(nominal.column("mean").is_err());
    assert_eq!(nominal.height(), 18);

    let pairs = read_csv(&out.join("paired_differences.csv"));
    assert_eq!(pairs.height(), 2);
    assert_eq!(str_at(&pairs, "baseline", 0), "Annual");
    assert_eq!(f64_at(&pairs, "terminal_real_ci95_hi", 1), 23_691.0);
}

#[test]
fn summary_json_has_the_documented_shape() {
    let out = temp_out("json");
    let _c = Cleanup(out.clone());
    write_report(&out, &sample(), SCENARIO, false).unwrap();
    let text = std::fs::read_to_string(out.join("summary.json")).unwrap();
    let v: serde_json::Value = serde_json::from_str(&text).unwrap();
    let keys: Vec<&str> = v.as_object().unwrap().keys().map(|k| k.as_str()).collect();
    let mut want = vec![
        "schema_version",
        "scenario",
        "tool_version",
        "seed",
        "paths",
        "years",
        "steps_per_year",
        "market",
        "strategies",
        "paired_differences",
    ];
    let mut got = keys.clone();
    got.sort();
    want.sort();
    assert_eq!(got, want);
    assert_eq!(v["schema_version"], 1);
    assert_eq!(v["seed"], 42);
    assert_eq!(v["paths"], 1000);
    assert_eq!(v["scenario"], "unit");
    assert_eq!(v["strategies"].as_array().unwrap().len(), 3);
    assert_eq!(v["strategies"][1]["name"], "Threshold 5pp");
    assert_eq!(v["strategies"][0]["terminal_real"]["p50"], 1_000_000.0);
    assert_eq!(
        v["paired_differences"][0]["terminal_real_ci95"][1],
        23_691.0
    );
    // Floats are written in shortest round-trip form (serde_json's own parser is not
    // correctly rounded without its `float_roundtrip` feature, so check the text).
    assert!(
        text.contains("\"success_rate\": 0.9199999999999999"),
        "{text}"
    );
    // The strategies deserialize into the metrics type.
    let back: Vec<StrategySummary> = serde_json::from_value(v["strategies"].clone()).unwrap();
    let names: Vec<&str> = back.iter().map(|s| s.name.as_str()).collect();
    assert_eq!(names, ["Annual", "Threshold 5pp", "Never"]);

    let run: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("run.json")).unwrap()).unwrap();
    assert_eq!(run["seed"], 42);
    assert_eq!(run["tool_version"], "0.1.0");
    assert_eq!(run["scenario"], "unit");
    assert_eq!(run["paths"], 1000);
}

#[test]
fn svg_charts_carry_titles_and_axis_labels() {
    let out = temp_out("svg");
    let _c = Cleanup(out.clone());
    write_report(&out, &sample(), SCENARIO, false).unwrap();
    let checks: [(&str, &[&str]); 4] = [
        (
            "fan_real_wealth",
            &[
                "Real wealth over time",
                "Wealth, real (start-year dollars)",
                "Years since start",
                "Threshold 5pp",
            ],
        ),
        (
            "strategy_comparison",
            &[
                "Strategy comparison",
                "Paths that never missed a withdrawal (%)",
                "Real (start-year dollars)",
                "95.0%",
            ],
        ),
        (
            "terminal_wealth_cdf",
            &[
                "Distribution of terminal real wealth",
                "Terminal wealth, real (start-year dollars)",
                "Paths ending at or below (%)",
                "Never",
            ],
        ),
        (
            "rebalancing_activity",
            &[
                "Rebalancing activity",
                "Mean rebalancing events per path",
                "Mean one-way turnover (% of wealth per year)",
            ],
        ),
    ];
    for (stem, texts) in checks {
        let svg = std::fs::read_to_string(out.join("charts").join(format!("{stem}.svg"))).unwrap();
        assert!(svg.starts_with("<svg"), "{stem}.svg is not an SVG");
        for t in texts {
            assert!(svg.contains(t), "{stem}.svg lacks {t:?}");
        }
        // Every chart carries the source line.
        assert!(svg.contains("seed 42"), "{stem}.svg lacks the source line");
        assert!(svg.contains("1,000 paths"));
        let png = std::fs::read(out.join("charts").join(format!("{stem}.png"))).unwrap();
        assert_eq!(&png[..8], b"\x89PNG\r\n\x1a\n");
    }
}

#[test]
fn existing_output_needs_force() {
    let out = temp_out("force");
    let _c = Cleanup(out.clone());
    write_report(&out, &sample(), SCENARIO, false).unwrap();
    let before = std::fs::read(out.join("run.json")).unwrap();

    let mut other = sample();
    other.seed = 7;
    let err = write_report(&out, &other, "changed", false).unwrap_err();
    assert!(matches!(err, ReportError::OutputExists(_)), "{err:?}");
    assert_eq!(err.exit_code(), 3);
    let msg = err.to_string();
    assert!(msg.contains(&out.display().to_string()), "{msg}");
    assert!(msg.contains("--force"), "{msg}");
    assert_eq!(std::fs::read(out.join("run.json")).unwrap(), before);
    assert_eq!(
        std::fs::read_to_string(out.join("scenario.toml")).unwrap(),
        SCENARIO
    );

    // A stray file in the old report must not survive a forced rewrite.
    std::fs::write(out.join("stray.txt"), "x").unwrap();
    write_report(&out, &other, "changed", true).unwrap();
    let run: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("run.json")).unwrap()).unwrap();
    assert_eq!(run["seed"], 7);
    assert_eq!(
        std::fs::read_to_string(out.join("scenario.toml")).unwrap(),
        "changed"
    );
    assert!(!out.join("stray.txt").exists());
    let parent = out.parent().unwrap();
    let name = out.file_name().unwrap().to_string_lossy().to_string();
    assert!(std::fs::read_dir(parent).unwrap().all(|e| {
        !e.unwrap()
            .file_name()
            .to_string_lossy()
            .starts_with(&format!(".{name}."))
    }));
}

#[test]
fn creates_parent_folders() {
    let root = temp_out("parents");
    let _c = Cleanup(root.clone());
    let out = root.join("a").join("b").join("report");
    write_report(&out, &sample(), SCENARIO, false).unwrap();
    assert!(out.join("summary.csv").is_file());
}

#[test]
fn historical_runs_get_a_by_start_period_table() {
    let out = temp_out("history");
    let _c = Cleanup(out.clone());
    let mut r = results_with(&["Annual", "label"], 5, 3);
    r.path_labels = vec!["1966".into(), "1967".into(), "1968".into()];
    r.terminal_real_by_path = vec![vec![1.5, 2.5, f64::NAN], vec![4.0, 5.0, 6.0]];
    let written = write_report(&out, &r, SCENARIO, false).unwrap();
    assert!(written.contains(&out.join("by_start_period.csv")));
    let text = std::fs::read_to_string(out.join("by_start_period.csv")).unwrap();
    let mut lines = text.lines();
    assert_eq!(lines.next(), Some("label,Annual,label (2)"));
    assert_eq!(lines.next(), Some("1966,1.5,4.0"));
    assert_eq!(lines.next(), Some("1967,2.5,5.0"));
    assert_eq!(lines.next(), Some("1968,,6.0"));
    assert_eq!(lines.next(), None);
}

/// Data that breaks naive charting code: each case must render without error or panic.
fn degenerate_cases() -> Vec<(&'static str, RunResults)> {
    let mut cases = vec![];

    cases.push(("one_path", results_with(&["A", "B"], 5, 1)));
    cases.push(("single_strategy", results_with(&["Only"], 5, 100)));
    cases.push(("no_strategies", {
        let mut r = results_with(&[], 5, 0);
        r.paths = 0;
        r
    }));
    cases.push(("zero_years", results_with(&["A", "B"], 0, 10)));

    let mut zero = results_with(&["A", "B"], 5, 50);
    for s in &mut zero.strategies {
        s.success_rate = 0.0;
        s.terminal_real = Percentiles::default();
        s.terminal_nominal = Percentiles::default();
        s.rebalances_per_path = 0.0;
        s.turnover_per_year = 0.0;
    }
    for b in &mut zero.yearly {
        b.real = Percentiles::default();
        b.nominal = Percentiles::default();
        b.real_mean = 0.0;
    }
    for v in &mut zero.terminal_real_sorted {
        v.iter_mut().for_each(|x| *x = 0.0);
    }
    cases.push(("all_zero", zero));

    let mut same = results_with(&["A", "B", "C"], 5, 100);
    let first = same.strategies[0].clone();
    for (i, s) in same.strategies.iter_mut().enumerate() {
        *s = StrategySummary {
            name: s.name.clone(),
            ..first.clone()
        };
        same.terminal_real_sorted[i] = same.terminal_real_sorted[0].clone();
    }
    cases.push(("identical", same));

    let mut nan = results_with(&["A", "B"], 5, 100);
    nan.strategies[0].success_rate = f64::NAN;
    nan.strategies[1].terminal_real.p50 = f64::NAN;
    nan.strategies[0].turnover_per_year = f64::INFINITY;
    nan.yearly[2].real.p50 = f64::NAN;
    nan.yearly[3].real.p10 = f64::NAN;
    nan.yearly[8].real = Percentiles {
        p5: f64::NAN,
        ..nan.yearly[8].real
    };
    nan.terminal_real_sorted[0].push(f64::NAN);
    nan.terminal_real_sorted[1] = vec![f64::NAN; 10];
    cases.push(("nan", nan));

    let mut huge = results_with(&["A", "B"], 5, 100);
    for s in &mut huge.strategies {
        s.terminal_real.p50 = 1e18;
        s.rebalances_per_path = 1e9;
    }
    for b in &mut huge.yearly {
        b.real.p95 = 1e300;
    }
    huge.terminal_real_sorted[0].push(f64::MAX);
    cases.push(("huge", huge));

    let mut many = results_with(
        &[
            "Annual to target",
            "Quarterly to target",
            "Threshold 5pp to band edge, checked monthly",
            "Threshold 10pp",
            "Cash flows only, never sell anything at all whatsoever",
            "Never",
            "Seventh",
        ],
        30,
        5000,
    );
    many.strategies[4].rule = "a long one".into();
    cases.push(("seven_long_names", many));
    cases
}

#[test]
fn degenerate_data_renders_without_error() {
    for (tag, results) in degenerate_cases() {
        let out = temp_out(tag);
        let _c = Cleanup(out.clone());
        let files = write_report(&out, &results, SCENARIO, false)
            .unwrap_or_else(|e| panic!("case {tag}: {e}"));
        assert!(
            files.iter().all(|f| f.exists()),
            "case {tag}: missing files"
        );
    }
}

/// Rolling-window results: labels by start month and terminal wealth per window.
fn historical() -> RunResults {
    let mut r = results_with(&["Annual", "Band", "Cash flows"], 30, 240);
    r.market = "historical rolling windows, shiller 1871-02-2026-03".into();
    r.path_labels = (0..240)
        .map(|i| format!("{}-{:02}", 1900 + i / 12, i % 12 + 1))
        .collect();
    r.terminal_real_by_path = (0..3)
        .map(|s| {
            (0..240)
                .map(|i| {
                    if i % 50 == 7 && s == 2 {
                        0.0
                    } else {
                        1e6 * (1.0 + 0.5 * ((i as f64) / 20.0).sin()) + 10_000.0 * s as f64
                    }
                })
                .collect()
        })
        .collect();
    r
}

/// Sampled weights for `names`: calendar-like sawtooth around a 60/40 target.
fn drift_sample(names: &[&str], paths: usize, steps: u32) -> AllocationSample {
    AllocationSample {
        asset_names: vec!["US stocks".into(), "bonds".into()],
        targets: vec![0.6, 0.4],
        steps_per_year: 12,
        strategies: names.iter().map(|n| n.to_string()).collect(),
        series: (0..paths)
            .map(|p| SamplePath {
                path: p * 10,
                label: format!("{}-01", 1900 + 10 * p),
                weights: names
                    .iter()
                    .enumerate()
                    .map(|(s, _)| {
                        (0..=steps)
                            .map(|t| {
                                let w = 0.6 + 0.002 * (t % 12) as f64 * (1.0 + p as f64 + s as f64);
                                (t, vec![w, 1.0 - w])
                            })
                            .collect()
                    })
                    .collect(),
            })
            .collect(),
    }
}

fn svg_text(out: &Path, stem: &str) -> String {
    std::fs::read_to_string(out.join("charts").join(format!("{stem}.svg")))
        .unwrap_or_else(|e| panic!("{stem}.svg: {e}"))
}

#[test]
fn research_charts_carry_titles_axis_labels_and_source() {
    let out = temp_out("research");
    let _c = Cleanup(out.clone());
    let r = historical();
    let d = drift_sample(&["Annual", "Band", "Cash flows"], 5, 360);
    write_run_report(&out, &r, SCENARIO, Some(&d), false).unwrap();
    let checks: [(&str, &[&str]); 4] = [
        (
            "success_rate",
            &[
                "Success rate with 95% confidence interval",
                "Windows that never missed a withdrawal (%)",
                "95% Wilson interval",
                "Cash flows",
                "95.0%",
            ],
        ),
        (
            "paired_differences",
            &[
                "Difference from the baseline on the same paths",
                "Mean terminal wealth difference",
                "Real (start-year dollars)",
                "Percentage points",
                "minus “Annual”",
                "+$12.3k",
                "-3.0pp",
            ],
        ),
        (
            "allocation_drift",
            &[
                "Allocation drift on sample paths",
                "Weight of US stocks (% of portfolio)",
                "Years since start",
                "the 60% target",
                "Sample paths:",
                "1900-01",
                "1940-01",
            ],
        ),
        (
            "outcome_by_start",
            &[
                "Outcome by historical start date",
                "Terminal wealth, real ($)",
                "Minus Annual (real $)",
                "First month of the window",
                "Band",
            ],
        ),
    ];
    for (stem, texts) in checks {
        let svg = svg_text(&out, stem);
        assert!(svg.starts_with("<svg"), "{stem}.svg is not an SVG");
        for t in texts {
            assert!(svg.contains(t), "{stem}.svg lacks {t:?}");
        }
        assert!(
            svg.contains("seed 42") && svg.contains("240 historical windows"),
            "{stem}.svg lacks the source line"
        );
        assert!(
            svg.contains("scenario unit"),
            "{stem}.svg lacks the scenario"
        );
        assert!(
            svg.contains("shiller 1871-02-2026-03"),
            "{stem}.svg lacks the data set"
        );
        let png = std::fs::read(out.join("charts").join(format!("{stem}.png"))).unwrap();
        assert_eq!(&png[..8], b"\x89PNG\r\n\x1a\n");
    }
}

/// The tables behind the research charts hold exactly what was given.
#[test]
fn research_tables_hold_the_values() {
    let out = temp_out("research-tables");
    let _c = Cleanup(out.clone());
    let r = historical();
    let d = drift_sample(&["Annual", "Band", "Cash flows"], 2, 24);
    let files = write_run_report(&out, &r, SCENARIO, Some(&d), false).unwrap();
    for f in [
        "allocation_drift.csv",
        "allocation_drift.parquet",
        "by_start_period.parquet",
        "charts/allocation_drift.svg",
        "charts/outcome_by_start.svg",
    ] {
        assert!(files.contains(&out.join(f)), "missing {f}");
    }
    let drift = read_csv(&out.join("allocation_drift.csv"));
    let cols: Vec<String> = drift
        .get_column_names()
        .iter()
        .map(|s| s.to_string())
        .collect();
    assert_eq!(
        cols,
        [
            "strategy", "path", "label", "step", "years", "asset", "target", "weight"
        ]
    );
    // 3 strategies x 2 paths x 25 steps (0..=24) x 2 assets.
    assert_eq!(drift.height(), 3 * 2 * 25 * 2);
    assert_eq!(str_at(&drift, "strategy", 0), "Annual");
    assert_eq!(str_at(&drift, "asset", 0), "US stocks");
    assert_eq!(str_at(&drift, "label", 0), "1900-01");
    assert_eq!(f64_at(&drift, "target", 1), 0.4);
    // Row 2k+1 is step k's bonds weight of Annual on the first path: 1 - stocks.
    assert_eq!(f64_at(&drift, "weight", 2 * 5), 0.6 + 0.002 * 5.0);
    assert_eq!(f64_at(&drift, "years", 2 * 6), 0.5);

    let sorted =
        ParquetReader::new(std::fs::File::open(out.join("terminal_real_sorted.parquet")).unwrap())
            .finish()
            .unwrap();
    assert_eq!(sorted.height(), 3 * 240);
    let by_start = read_csv(&out.join("by_start_period.csv"));
    assert_eq!(by_start.height(), 240);
    assert_eq!(str_at(&by_start, "label", 13), "1901-02");
    assert_eq!(f64_at(&by_start, "Cash flows", 7), 0.0);

    let saved = read_run(&out).unwrap();
    assert_eq!(saved.results.strategies, r.strategies);
    assert_eq!(saved.results.yearly, r.yearly);
    assert_eq!(saved.results.pairs, r.pairs);
    assert_eq!(saved.results.path_labels, r.path_labels);
    assert_eq!(saved.results.terminal_real_sorted, r.terminal_real_sorted);
    assert_eq!(saved.results.terminal_real_by_path, r.terminal_real_by_path);
    assert_eq!(saved.drift.as_ref(), Some(&d));
    assert_eq!(saved.scenario_source, SCENARIO);
}

/// Every chart of the folder is inlined in report.html, with the scenario, seed and
/// version, and the page refers to nothing outside the folder.
fn check_html(out: &Path, must_contain: &[&str]) {
    let html = std::fs::read_to_string(out.join("report.html")).unwrap();
    let charts: Vec<String> = std::fs::read_dir(out.join("charts"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().to_string())
        .filter_map(|n| n.strip_suffix(".svg").map(str::to_string))
        .collect();
    assert!(!charts.is_empty());
    assert_eq!(
        html.matches("<svg class=\"chart\"").count(),
        charts.len(),
        "one inline SVG per chart"
    );
    for stem in &charts {
        let fig = format!("<figure id=\"fig-{stem}\"");
        let start = html
            .find(&fig)
            .unwrap_or_else(|| panic!("no figure for {stem}"));
        // The figure holds the chart's own drawing: its title text.
        let svg = svg_text(out, stem);
        let first_text = svg
            .split("<text")
            .nth(1)
            .and_then(|t| t.split_once('>'))
            .map(|(_, rest)| rest.split('<').next().unwrap_or(""))
            .unwrap();
        assert!(html[start..].contains(first_text), "{stem}: {first_text}");
    }
    for t in must_contain {
        assert!(html.contains(t), "report.html lacks {t:?}");
    }
    assert!(html.starts_with("<!DOCTYPE html>"));
    assert!(html.trim_end().ends_with("</html>"));
    for banned in ["<script", "<link", "<img", "<iframe", "@import", "url("] {
        assert!(!html.contains(banned), "report.html has {banned}");
    }
    let without_ns = html.replace("xmlns=\"http://www.w3.org/2000/svg\"", "");
    assert!(
        !without_ns.contains("http://") && !without_ns.contains("https://"),
        "report.html refers to the network"
    );
}

#[test]
fn html_holds_every_chart_and_the_run_stamp() {
    let out = temp_out("html");
    let _c = Cleanup(out.clone());
    let r = historical();
    let d = drift_sample(&["Annual", "Band", "Cash flows"], 3, 60);
    let scenario = "# a <scenario> & \"quotes\"\nname = \"unit\"\n";
    write_run_report(&out, &r, scenario, Some(&d), false).unwrap();
    check_html(
        &out,
        &[
            "# a &lt;scenario&gt; &amp; &quot;quotes&quot;",
            "<th>Seed</th><td>42</td>",
            "driftlab 0.1.0",
            "driftlab run scenario.toml --seed 42 --paths 240",
            "<td>Cash flows</td>",
            "95.0%",
            "Paired with the baseline",
        ],
    );
    let html = std::fs::read_to_string(out.join("report.html")).unwrap();
    assert_eq!(html.matches("<figure").count(), ChartKind::ALL.len());
}

/// `driftlab report` re-renders byte-identical charts and page from the saved files.
#[test]
fn rerender_reproduces_the_charts_and_page_exactly() {
    for (tag, r, d) in [
        (
            "rerender-hist",
            historical(),
            Some(drift_sample(&["Annual", "Band", "Cash flows"], 4, 48)),
        ),
        ("rerender-mc", sample(), None),
        ("rerender-nan", degenerate_cases().remove(6).1, None),
    ] {
        let out = temp_out(tag);
        let _c = Cleanup(out.clone());
        let written = write_run_report(&out, &r, SCENARIO, d.as_ref(), false).unwrap();
        let before: Vec<(PathBuf, Vec<u8>)> = written
            .iter()
            .filter(|f| {
                f.extension()
                    .is_some_and(|e| e == "svg" || e == "png" || e == "html")
            })
            .map(|f| (f.clone(), std::fs::read(f).unwrap()))
            .collect();
        std::fs::remove_dir_all(out.join("charts")).unwrap();
        std::fs::remove_file(out.join("report.html")).unwrap();
        let again = rerender(&out).unwrap();
        assert_eq!(again.len(), before.len(), "{tag}");
        for (f, bytes) in before {
            assert!(
                std::fs::read(&f).unwrap() == bytes,
                "{tag}: {} differs after re-rendering",
                f.display()
            );
        }
        let leftovers: Vec<String> = std::fs::read_dir(&out)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().to_string())
            .filter(|n| n.starts_with('.'))
            .collect();
        assert!(leftovers.is_empty(), "{tag}: {leftovers:?}");
    }
}

#[test]
fn rerender_refuses_a_folder_that_is_not_a_report() {
    let out = temp_out("not-a-report");
    let _c = Cleanup(out.clone());
    std::fs::create_dir_all(&out).unwrap();
    let e = rerender(&out).unwrap_err();
    assert_eq!(e.exit_code(), 2);
    assert!(e.to_string().contains("results.json"), "{e}");
    std::fs::write(out.join("results.json"), "{not json").unwrap();
    let e = rerender(&out).unwrap_err();
    assert_eq!(e.exit_code(), 2);
    assert!(e.to_string().contains("results.json"), "{e}");
    assert!(rerender(&out.join("missing")).is_err());
}

/// A hand-made sweep: 3 withdrawal rates x 2 stock targets, 2 strategies.
fn sweep_sample() -> crate::sweep::SweepResults {
    use crate::sweep::{ParamAxis, PointResult, SweepResults};
    let params = vec![
        ParamAxis {
            key: "cash_flows.withdrawal_rate".into(),
            spec: "cash_flows.withdrawal_rate=0.03..0.05:0.01".into(),
            values: vec![0.03, 0.04, 0.05],
        },
        ParamAxis {
            key: "asset.stocks.target".into(),
            spec: "asset.stocks.target=0.4,0.6".into(),
            values: vec![0.4, 0.6],
        },
    ];
    let mut points = vec![];
    for (i, w) in [0.03, 0.04, 0.05].into_iter().enumerate() {
        for (j, t) in [0.4, 0.6].into_iter().enumerate() {
            let base = 1.0 - 0.2 * i as f64 + 0.05 * j as f64;
            let a = strategy(
                "annual",
                "calendar, annual",
                (base - 0.5).min(1.0),
                1e6,
                1.0,
            );
            let b = strategy("band", "5pp band", (base - 0.48).min(1.0), 1.1e6, 2.0);
            points.push(PointResult {
                values: vec![w, t],
                paths: 100,
                taxes: Vec::new(),
                pairs: vec![PairedDifference {
                    strategy: "band".into(),
                    baseline: "annual".into(),
                    terminal_real_mean_diff: 1000.0 * (i + j) as f64,
                    terminal_real_ci95: (-10.0, 2000.0),
                    success_rate_diff: 0.02,
                    success_rate_ci95: (0.0, 0.04),
                    share_paths_ahead: 0.6,
                }],
                strategies: vec![a, b],
            });
        }
    }
    SweepResults {
        schema_version: 1,
        scenario: "unit".into(),
        tool_version: "0.1.0".into(),
        seed: 42,
        paths: 100,
        years: 30,
        steps_per_year: 12,
        market: "parametric lognormal (2 assets)".into(),
        baseline: "annual".into(),
        params,
        points,
    }
}

#[test]
fn sweep_report_table_heatmap_and_page() {
    let out = temp_out("sweep");
    let _c = Cleanup(out.clone());
    let s = sweep_sample();
    let files = write_sweep_report(&out, &s, SCENARIO, false).unwrap();
    let mut names: Vec<String> = files
        .iter()
        .map(|f| f.strip_prefix(&out).unwrap().to_string_lossy().to_string())
        .collect();
    names.sort();
    assert_eq!(
        names,
        [
            "charts/success_heatmap.png",
            "charts/success_heatmap.svg",
            "report.html",
            "scenario.toml",
            "sweep.csv",
            "sweep.json",
            "sweep.parquet"
        ]
    );
    let df = read_csv(&out.join("sweep.csv"));
    assert_eq!(df.height(), 6 * 2);
    let cols: Vec<String> = df
        .get_column_names()
        .iter()
        .map(|s| s.to_string())
        .collect();
    assert_eq!(
        cols[..9],
        [
            "point",
            "cash_flows.withdrawal_rate",
            "asset.stocks.target",
            "strategy",
            "rule",
            "paths",
            "success_rate",
            "success_ci95_lo",
            "success_ci95_hi"
        ]
    );
    assert_eq!(cols[9], "terminal_real_p5");
    assert!(cols.ends_with(&[
        "baseline".to_string(),
        "terminal_real_mean_diff".to_string(),
        "terminal_real_diff_ci95_lo".to_string(),
        "terminal_real_diff_ci95_hi".to_string(),
        "success_rate_diff".to_string(),
        "success_rate_diff_ci95_lo".to_string(),
        "success_rate_diff_ci95_hi".to_string(),
        "share_paths_ahead".to_string(),
    ]));
    // Row 5 (0-based): point 3 (w = 0.04, stocks 0.4), strategy band.
    assert_eq!(df.column("point").unwrap().i64().unwrap().get(5), Some(3));
    assert_eq!(f64_at(&df, "cash_flows.withdrawal_rate", 5), 0.04);
    assert_eq!(f64_at(&df, "asset.stocks.target", 5), 0.4);
    assert_eq!(str_at(&df, "strategy", 5), "band");
    // success = 1 - 0.2 - 0.48 = 0.32 on 100 paths; Wilson: 0.23669 .. 0.41663.
    assert!((f64_at(&df, "success_rate", 5) - 0.32).abs() < 1e-12);
    assert!((f64_at(&df, "success_ci95_lo", 5) - 0.236_691_47).abs() < 1e-8);
    assert!((f64_at(&df, "success_ci95_hi", 5) - 0.416_626_19).abs() < 1e-8);
    assert_eq!(f64_at(&df, "terminal_real_mean_diff", 5), 1000.0);
    assert_eq!(str_at(&df, "baseline", 5), "annual");
    // The baseline's own rows have no paired difference.
    let diff = df.column("terminal_real_mean_diff").unwrap();
    assert_eq!(diff.null_count(), 6);
    let pq = ParquetReader::new(std::fs::File::open(out.join("sweep.parquet")).unwrap())
        .finish()
        .unwrap();
    assert_eq!(pq.height(), 12);

    let svg = svg_text(&out, "success_heatmap");
    for t in [
        "Success rate over the parameter grid",
        "Initial withdrawal rate (% of wealth at retirement)",
        "Target weight of stocks (%)",
        "annual",
        "band",
        "Success",
        "4%",
        "60%",
        "seed 42",
        "100 paths per grid point",
    ] {
        assert!(svg.contains(t), "heatmap lacks {t:?}");
    }
    check_html(
        &out,
        &[
            "driftlab sweep scenario.toml --param 'cash_flows.withdrawal_rate=0.03..0.05:0.01'",
            "<th>Seed</th><td>42</td>",
            "32.0%",
        ],
    );

    // Re-rendering from sweep.json gives the same chart and page.
    let before = std::fs::read(out.join("charts/success_heatmap.svg")).unwrap();
    let page = std::fs::read(out.join("report.html")).unwrap();
    std::fs::remove_dir_all(out.join("charts")).unwrap();
    rerender(&out).unwrap();
    assert_eq!(
        std::fs::read(out.join("charts/success_heatmap.svg")).unwrap(),
        before
    );
    assert_eq!(std::fs::read(out.join("report.html")).unwrap(), page);

    // One parameter: a line chart instead of the heatmap; three: no chart.
    let mut one = sweep_sample();
    one.params.truncate(1);
    one.points = one.points.into_iter().step_by(2).collect();
    for p in &mut one.points {
        p.values.truncate(1);
    }
    let out1 = temp_out("sweep1");
    let _c1 = Cleanup(out1.clone());
    write_sweep_report(&out1, &one, SCENARIO, false).unwrap();
    let svg = svg_text(&out1, "success_by_parameter");
    assert!(svg.contains("Paths that never missed a withdrawal (%)"));
    assert!(svg.contains("Initial withdrawal rate (% of wealth at retirement)"));
    check_html(&out1, &[]);
    assert!(SweepChart::for_sweep(&one) == Some(SweepChart::Line));
}

#[test]
fn degenerate_research_charts_render() {
    let mut cases = vec![];
    // No sampled path, one asset, one strategy, NaN weights, no steps.
    cases.push((
        "empty-drift",
        sample(),
        drift_sample(&["Annual", "Threshold 5pp", "Never"], 0, 10),
    ));
    let mut one = drift_sample(&["Only"], 1, 0);
    one.asset_names.truncate(1);
    one.targets.truncate(1);
    cases.push(("one-step", results_with(&["Only"], 5, 10), one));
    let mut nan = drift_sample(&["A", "B"], 2, 12);
    nan.series[0].weights[0][3].1[0] = f64::NAN;
    nan.targets[0] = f64::NAN;
    nan.series[1].weights[1].clear();
    let mut r = results_with(&["A", "B"], 1, 3);
    r.path_labels = vec!["x".into(), "y".into(), "z".into()];
    r.terminal_real_by_path = vec![vec![f64::NAN, 1.0, 2.0], vec![]];
    cases.push(("nan-drift-odd-labels", r, nan));
    for (tag, r, d) in cases {
        let out = temp_out(tag);
        let _c = Cleanup(out.clone());
        write_run_report(&out, &r, SCENARIO, Some(&d), false)
            .unwrap_or_else(|e| panic!("case {tag}: {e}"));
        check_html(&out, &[]);
    }
    // Sweeps with no points or no strategies.
    let mut s = sweep_sample();
    s.points.clear();
    let out = temp_out("sweep-empty");
    let _c = Cleanup(out.clone());
    write_sweep_report(&out, &s, SCENARIO, false).unwrap();
}

/// Writes sample reports to `$TMPDIR/driftlab-report-preview/` to look at the charts:
/// `cargo test --lib report::tests::preview -- --ignored`.
#[test]
#[ignore]
fn preview() {
    let base = std::env::temp_dir().join("driftlab-report-preview");
    write_report(&base.join("sample"), &sample(), SCENARIO, true).unwrap();
    for (tag, r) in degenerate_cases() {
        write_report(&base.join(tag), &r, SCENARIO, true).unwrap();
    }
    let mut four = results_with(
        &["Annual", "Threshold 5pp", "Threshold 10pp", "Never"],
        30,
        10_000,
    );
    four.market = "historical rolling windows, Shiller 1871-2026".into();
    write_report(&base.join("four"), &four, SCENARIO, true).unwrap();
    let d = drift_sample(&["Annual", "Band", "Cash flows"], 5, 360);
    write_run_report(
        &base.join("historical"),
        &historical(),
        SCENARIO,
        Some(&d),
        true,
    )
    .unwrap();
    write_sweep_report(&base.join("sweep"), &sweep_sample(), SCENARIO, true).unwrap();
}
