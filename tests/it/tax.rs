//! `driftlab tax` end to end: JSON keys and values, and exit code 2 naming the bad flag.

use super::*;

#[test]
fn tax_json_has_the_documented_keys_and_values() {
    // Golden household "single_70_ira_ss" of src/tax/tests.rs (taxcalc 6.8.0 agrees).
    let o = driftlab(&[
        "tax",
        "--year",
        "2026",
        "--filing",
        "single",
        "--age",
        "70",
        "--ira-distributions",
        "40000",
        "--taxable-interest",
        "2000",
        "--ordinary-dividends",
        "3000",
        "--qualified-dividends",
        "2500",
        "--long-term-gains",
        "5000",
        "--social-security",
        "30000",
        "--format",
        "json",
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let v: serde_json::Value = serde_json::from_str(&stdout(&o)).expect("valid JSON");
    let expect = [
        ("agi", 75500.0),
        ("taxable_social_security", 25500.0),
        ("standard_deduction", 18150.0),
        ("senior_deduction", 5970.0),
        ("taxable_income", 51380.0),
        ("regular_tax", 5307.10),
        ("niit", 0.0),
        ("total_tax", 5307.10),
    ];
    for (key, value) in expect {
        let got = v[key]
            .as_f64()
            .unwrap_or_else(|| panic!("{key} is a number: {v}"));
        assert!((got - value).abs() < 0.001, "{key}: {got} != {value}");
    }
    assert_eq!(v["tool_version"], env!("CARGO_PKG_VERSION"));
}

#[test]
fn tax_losses_are_negative_flags_and_carry_forward_in_the_table() {
    let o = driftlab(&[
        "tax",
        "--year",
        "2026",
        "--filing",
        "mfj",
        "--age",
        "66",
        "--spouse-age",
        "64",
        "--wages",
        "50000",
        "--short-term-gains",
        "-2000",
        "--long-term-gains",
        "-10000",
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let text = stdout(&o);
    assert!(
        text.contains("Capital loss deducted") && text.contains("3,000.00"),
        "{text}"
    );
    assert!(text.contains("9,000.00"), "{text}");
}

#[test]
fn tax_bad_flags_exit_2_naming_the_flag() {
    let base = ["tax", "--year", "2026", "--filing", "single", "--age", "66"];
    let cases: [(&[&str], &str); 5] = [
        (&["--wages", "-5"], "--wages"),
        (&["--spouse-age", "60"], "--spouse-age"),
        (&["--social-security", "NaN"], "--social-security"),
        (
            &[
                "--qualified-dividends",
                "500",
                "--ordinary-dividends",
                "100",
            ],
            "--qualified-dividends",
        ),
        (&["--state-rate", "7"], "--state-rate"),
    ];
    for (extra, flag) in cases {
        let args: Vec<&str> = base.iter().chain(extra).copied().collect();
        let o = driftlab(&args);
        assert_eq!(o.status.code(), Some(2), "{args:?}: {}", stderr(&o));
        assert!(stderr(&o).contains(flag), "{args:?}: {}", stderr(&o));
    }
    let o = driftlab(&["tax", "--year", "2031", "--filing", "single", "--age", "66"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("--year 2031"), "{}", stderr(&o));
}
