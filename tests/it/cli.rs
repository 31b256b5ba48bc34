//! `driftlab run` end to end: files written, exit codes, --force, determinism.

use super::*;

fn small_run(out: &Path, extra: &[&str]) -> Output {
    let mut args = vec![
        "run",
        "scenarios/annual-vs-5pct-band.toml",
        "--paths",
        "300",
        "--out",
        out.to_str().unwrap(),
    ];
    args.extend_from_slice(extra);
    driftlab(&args)
}

#[test]
fn run_writes_a_complete_report_and_refuses_to_overwrite() {
    let dir = temp_dir("run");
    let out = dir.join("report");
    let o = small_run(&out, &[]);
    assert!(o.status.success(), "{}", stderr(&o));
    let table = stdout(&o);
    for name in [
        "annual",
        "5pp band",
        "hybrid",
        "never",
        "contributions",
        "paired with `annual`",
    ] {
        assert!(table.contains(name), "{table}");
    }
    for f in [
        "summary.csv",
        "summary.parquet",
        "summary.json",
        "yearly_real_wealth.csv",
        "yearly_real_wealth.parquet",
        "yearly_nominal_wealth.csv",
        "paired_differences.csv",
        "scenario.toml",
        "run.json",
        "charts/fan_real_wealth.png",
        "charts/fan_real_wealth.svg",
        "charts/strategy_comparison.png",
        "charts/strategy_comparison.svg",
    ] {
        assert!(out.join(f).is_file(), "missing {f}");
    }
    let before = std::fs::read(out.join("summary.json")).unwrap();

    let again = small_run(&out, &["--seed", "5"]);
    assert_eq!(again.status.code(), Some(3));
    assert!(stderr(&again).contains("--force"), "{}", stderr(&again));
    assert_eq!(
        std::fs::read(out.join("summary.json")).unwrap(),
        before,
        "untouched without --force"
    );

    let forced = small_run(&out, &["--seed", "5", "--force"]);
    assert!(forced.status.success(), "{}", stderr(&forced));
    assert_ne!(std::fs::read(out.join("summary.json")).unwrap(), before);
}

#[test]
fn json_output_and_thread_count_independence() {
    let dir = temp_dir("json");
    let one = small_run(&dir.join("a"), &["--format", "json", "--threads", "1"]);
    let two = small_run(&dir.join("b"), &["--format", "json", "--threads", "2"]);
    assert!(one.status.success(), "{}", stderr(&one));
    assert_eq!(
        stdout(&one),
        stdout(&two),
        "same numbers at 1 and 2 threads"
    );
    let v: serde_json::Value = serde_json::from_str(&stdout(&one)).unwrap();
    assert_eq!(v["seed"], 20261122);
    assert_eq!(v["paths"], 300);
    let strategies = v["strategies"].as_array().unwrap();
    assert_eq!(strategies.len(), 5);
    assert_eq!(strategies[0]["name"], "annual");
    // Annual calendar over 30 years: exactly 30 rebalancing events on every path.
    assert_eq!(strategies[0]["rebalances_per_path"], 30.0);
    assert_eq!(strategies[3]["rebalances_per_path"], 0.0);
    let s = strategies[0]["success_rate"].as_f64().unwrap();
    assert!((0.0..=1.0).contains(&s));
}

#[test]
fn bad_flags_are_input_errors() {
    let dir = temp_dir("flags");
    let o = small_run(&dir.join("x"), &["--threads", "0"]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    let o = driftlab(&["run", "scenarios/annual-vs-5pct-band.toml", "--paths", "0"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("--paths 0"));
    let o = driftlab(&[
        "run",
        "scenarios/annual-vs-5pct-band.toml",
        "--format",
        "xml",
    ]);
    assert_eq!(o.status.code(), Some(2));
    assert!(!dir.join("x").exists(), "nothing written on bad input");
}
