//! `driftlab plan` end to end: the seeds' figures to the cent, formats and exit codes.

use super::*;

#[test]
fn kendra_full_rebalance_and_over_contribution() {
    let o = driftlab(&["plan", "scenarios/kendra-401k.toml"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let text = stdout(&o);
    assert!(text.contains("sell    stocks  1,250.00"), "{text}");
    assert!(text.contains("buy     bonds   1,250.00"), "{text}");
    assert!(
        text.contains("15,750.00") && text.contains("5,250.00"),
        "{text}"
    );

    let o = driftlab(&[
        "plan",
        "scenarios/kendra-401k.toml",
        "--mode",
        "over-contribution",
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(stdout(&o).contains("1,666.67"), "{}", stdout(&o));
}

#[test]
fn household_plan_as_json_balances_every_account() {
    let o = driftlab(&[
        "plan",
        "scenarios/age-58-household.toml",
        "--format",
        "json",
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let v: serde_json::Value = serde_json::from_str(&stdout(&o)).expect("valid JSON");
    assert_eq!(v["tool_version"], env!("CARGO_PKG_VERSION"));
    let text = v.to_string();
    // Seed 000: $850,000 at 82/14/4 back to 70/25/5 sells $102,000 of stocks.
    assert!(text.contains("102000.00"), "{text}");
}

#[test]
fn bad_holdings_are_input_errors_naming_the_field() {
    let dir = temp_dir("plan-bad");
    let good = std::fs::read_to_string(repo().join("scenarios/kendra-401k.toml")).unwrap();
    let bad = good.replacen("\"17000.00\"", "\"-17000.00\"", 1);
    assert_ne!(bad, good, "the fixture has the amount to corrupt");
    let path = write(&dir, "neg.toml", &bad);
    let o = driftlab(&["plan", path.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    let err = stderr(&o);
    assert!(
        err.contains("neg.toml") && err.contains("holdings.stocks"),
        "{err}"
    );
}
