//! Retirement planning end to end: the age-58 scenarios run, write their tables and charts,
//! and bad household inputs are named.

use super::*;

#[test]
fn age_58_stress_test_answers_its_questions() {
    let dir = temp_dir("age58");
    let out = dir.join("report");
    let o = driftlab(&[
        "run",
        "scenarios/age-58-stress-test.toml",
        "--paths",
        "400",
        "--out",
        out.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let table = stdout(&o);
    for needle in [
        "as is",
        "back to target now",
        "gradually, 24 months",
        "contributions only",
        "rising-equity glide",
        "guardrails",
        "spending delivered",
        "R^2",
        "success under stress",
        "30% crash at 65",
        "worst 5 years first",
    ] {
        assert!(table.contains(needle), "missing {needle:?} in\n{table}");
    }
    for f in [
        "retirement_summary.csv",
        "yearly_spending_real.csv",
        "stress_summary.csv",
        "charts/retirement_outlook.png",
        "charts/retirement_outlook.svg",
        "charts/stress_tests.png",
        "charts/stress_tests.svg",
    ] {
        assert!(out.join(f).is_file(), "missing {f}");
    }
    // Spending per year starts at age 66 (the first retirement year ends then) and the age
    // column is there.
    let spending = std::fs::read_to_string(out.join("yearly_spending_real.csv")).unwrap();
    assert!(spending.starts_with("strategy,year,age,p5"), "{spending}");
    assert!(
        spending.lines().nth(1).unwrap().starts_with("as is,8,66,"),
        "{spending}"
    );
    // Three cases (base and two stresses) x seven strategies.
    let stress = std::fs::read_to_string(out.join("stress_summary.csv")).unwrap();
    assert_eq!(stress.lines().count(), 1 + 3 * 7, "{stress}");
    // A 30% crash at retirement can only hurt a strategy that holds stocks then.
    let success = |case: &str, strategy: &str| -> f64 {
        stress
            .lines()
            .find(|l| l.starts_with(&format!("{case},")) && l.contains(&format!(",{strategy},")))
            .and_then(|l| l.split(',').nth(3))
            .and_then(|v| v.parse().ok())
            .unwrap()
    };
    assert!(success("30% crash at 65", "as is") <= success("base", "as is"));
    assert!(success("worst 5 years first", "as is") <= success("base", "as is"));
    let svg = std::fs::read_to_string(out.join("charts/stress_tests.svg")).unwrap();
    assert!(svg.contains("Stress tests") && svg.contains("worst 5 years first"));
}

#[test]
fn cohorts_replay_named_retirement_years() {
    let dir = temp_dir("cohorts");
    let out = dir.join("report");
    let o = driftlab(&[
        "run",
        "scenarios/age-58-cohorts.toml",
        "--out",
        out.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(stdout(&o).contains("6 paths x 37 years"), "{}", stdout(&o));
    let by_start = std::fs::read_to_string(out.join("success_by_start.csv")).unwrap();
    let labels: Vec<&str> = by_start
        .lines()
        .skip(1)
        .map(|l| l.split(',').next().unwrap())
        .collect();
    assert_eq!(
        labels,
        [
            "retire 1929",
            "retire 1937",
            "retire 1966",
            "retire 1973",
            "retire 2000 (wraps after 2026-03)",
            "retire 2008 (wraps after 2026-03)"
        ]
    );
}

#[test]
fn history_scenario_labels_paths_by_retirement_start() {
    let o = driftlab(&["validate", "scenarios/age-58-history.toml"]);
    assert!(o.status.success(), "{}", stderr(&o));
    // 1871-02..2026-03 is 1862 months; a 444-month horizon leaves 1419 windows.
    assert!(
        stdout(&o).contains("1419 paths x 37 years"),
        "{}",
        stdout(&o)
    );
}

#[test]
fn bad_household_inputs_are_named() {
    let dir = temp_dir("household-bad");
    let base = std::fs::read_to_string(repo().join("scenarios/age-58-stress-test.toml")).unwrap();
    let cases: [(&str, &str, &str); 6] = [
        (
            "retirement_age = 65",
            "retirement_age = 50",
            "before the current age 58",
        ),
        (
            "horizon_age = 95",
            "horizon_age = 50",
            "`household.horizon_age`",
        ),
        ("claim_age = 67", "claim_age = 61", "`income[0].claim_age`"),
        (
            "{ age = 65, weights = [0.50, 0.40, 0.10] }",
            "{ age = 65, weights = [0.50, 0.40] }",
            "2 weights for 3 assets",
        ),
        (
            "glide_path = \"target-date\"",
            "glide_path = \"nope\"",
            "`strategy[4].glide_path`",
        ),
        (
            "withdrawal = { rule = \"guardrails\", rate = 0.05 }",
            "withdrawal = { rule = \"guardrails\" }",
            "needs `rate`",
        ),
    ];
    for (i, (from, to, expect)) in cases.iter().enumerate() {
        assert!(base.contains(from), "fixture lacks {from}");
        let path = write(&dir, &format!("h{i}.toml"), &base.replacen(from, to, 1));
        let o = driftlab(&["validate", path.to_str().unwrap()]);
        assert_eq!(o.status.code(), Some(2), "case {i}: {}", stderr(&o));
        let err = stderr(&o);
        assert!(
            err.contains(&format!("h{i}.toml:")),
            "case {i} names file and line: {err}"
        );
        assert!(err.contains(expect), "case {i} says {expect:?}: {err}");
    }
}

#[test]
fn mortality_table_ends_paths_at_a_drawn_death() {
    let dir = temp_dir("mortality");
    // A synthetic table for this test only: 2% a year below 80, 20% from 80, certain at 100.
    let mut table = String::from("# source: synthetic test table (not real mortality)\nage,qx\n");
    for a in 0..=100 {
        let q = if a < 80 {
            0.02
        } else if a < 100 {
            0.2
        } else {
            1.0
        };
        table.push_str(&format!("{a},{q}\n"));
    }
    write(&dir, "life.csv", &table);
    let base = std::fs::read_to_string(repo().join("scenarios/age-58-stress-test.toml")).unwrap();
    let with_table = base.replacen(
        "horizon_age = 95",
        "horizon_age = 100\nmortality_file = \"life.csv\"",
        1,
    );
    let path = write(&dir, "m.toml", &with_table);
    let out = dir.join("report");
    let o = driftlab(&[
        "run",
        path.to_str().unwrap(),
        "--paths",
        "300",
        "--out",
        out.to_str().unwrap(),
        "--format",
        "json",
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let v: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
    assert!(
        v["market"]
            .as_str()
            .unwrap()
            .contains("lifetimes from synthetic test table"),
        "{}",
        v["market"]
    );
    // Deaths end paths early, so fewer run out of money than when everyone lives to 100.
    let to_100 = write(
        &dir,
        "n.toml",
        &base.replacen("horizon_age = 95", "horizon_age = 100", 1),
    );
    let o2 = driftlab(&[
        "run",
        to_100.to_str().unwrap(),
        "--paths",
        "300",
        "--out",
        dir.join("r2").to_str().unwrap(),
        "--format",
        "json",
    ]);
    let v2: serde_json::Value = serde_json::from_str(&stdout(&o2)).unwrap();
    let s = |v: &serde_json::Value| v["strategies"][0]["success_rate"].as_f64().unwrap();
    assert!(
        s(&v) >= s(&v2),
        "with deaths {} vs to 100 {}",
        s(&v),
        s(&v2)
    );

    // The source line is required.
    write(&dir, "nosource.csv", "age,qx\n0,0.1\n");
    let bad = write(
        &dir,
        "b.toml",
        &base.replacen(
            "horizon_age = 95",
            "horizon_age = 95\nmortality_file = \"nosource.csv\"",
            1,
        ),
    );
    let o = driftlab(&["validate", bad.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("`household.mortality_file`") && stderr(&o).contains("# source:"),
        "{}",
        stderr(&o)
    );
}

#[test]
fn withdrawal_timing_runs_and_bad_combinations_name_the_key() {
    let dir = temp_dir("withdrawal-timing");
    let base = std::fs::read_to_string(repo().join("scenarios/age-58-stress-test.toml")).unwrap();
    let anchor = "withdrawal_amount = 72000\n";
    assert!(base.contains(anchor));
    let with = |value: &str| {
        base.replacen(
            anchor,
            &format!("{anchor}withdrawal_timing = \"{value}\"\n"),
            1,
        )
    };
    // An unknown value, and end_real beside a strategy whose rule is not a constant
    // inflation-adjusted amount (this scenario has guardrails and VPW strategies).
    for (value, expect) in [
        (
            "quarterly",
            "use one of: \"start\", \"monthly\", \"end\", \"end_real\"",
        ),
        ("end_real", "withdraws by another rule"),
    ] {
        let path = write(&dir, &format!("{value}.toml"), &with(value));
        let o = driftlab(&["validate", path.to_str().unwrap()]);
        assert_eq!(o.status.code(), Some(2), "{value}: {}", stderr(&o));
        let err = stderr(&o);
        assert!(
            err.contains(&format!("{value}.toml:")),
            "{value} names the file: {err}"
        );
        assert!(
            err.contains("cash_flows.withdrawal_timing"),
            "{value} names the key: {err}"
        );
        assert!(err.contains(expect), "{value}: {err}");
    }
    // The supported values run (monthly steps: "end" pays each month's share at its end).
    for value in ["start", "monthly", "end"] {
        let path = write(&dir, &format!("{value}.toml"), &with(value));
        let o = driftlab(&["validate", path.to_str().unwrap()]);
        assert_eq!(o.status.code(), Some(0), "{value}: {}", stderr(&o));
    }
    // With accounts only "start" is supported.
    let taxes = std::fs::read_to_string(repo().join("scenarios/age-58-taxes.toml")).unwrap();
    assert!(taxes.contains(anchor));
    let path = write(
        &dir,
        "accounts.toml",
        &taxes.replacen(
            anchor,
            &format!("{anchor}withdrawal_timing = \"monthly\"\n"),
            1,
        ),
    );
    let o = driftlab(&["validate", path.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    let err = stderr(&o);
    assert!(
        err.contains("accounts.toml:") && err.contains("cash_flows.withdrawal_timing"),
        "{err}"
    );
    assert!(err.contains("[[account]]"), "{err}");
}
