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
        notes: vec![],
    }
}

fn sample() -> RunResults {
    results_with(&["Annual", "Threshold 5pp", "Never"], 5, 1000)
}

/// Every file of a Monte Carlo report (`by_start_period.csv` is only for historical runs).
const EXPECTED_FILES: [&str; 18] = [
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
    "charts/fan_real_wealth.png",
    "charts/fan_real_wealth.svg",
    "charts/strategy_comparison.png",
    "charts/strategy_comparison.svg",
    "charts/terminal_wealth_cdf.png",
    "charts/terminal_wealth_cdf.svg",
    "charts/rebalancing_activity.png",
    "charts/rebalancing_activity.svg",
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
}
