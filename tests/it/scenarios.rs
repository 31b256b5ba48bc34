//! Scenario files: the shipped ones are valid, and bad ones get exit code 2 with a message
//! naming the file, the line and the key.

use super::*;

const SHIPPED: &[&str] = &[
    "scenarios/annual-vs-5pct-band.toml",
    "scenarios/bench-hard.toml",
];

#[test]
fn shipped_scenarios_validate() {
    for s in SHIPPED {
        let o = driftlab(&["validate", s]);
        assert!(o.status.success(), "{s}: {}", stderr(&o));
        assert!(stdout(&o).contains(": ok:"), "{}", stdout(&o));
    }
}

const GOOD: &str = r#"version = 1
[simulation]
paths = 50
years = 5
[market]
model = "parametric"
[[asset]]
name = "stocks"
mean = 0.07
vol = 0.17
target = 0.6
[[asset]]
name = "bonds"
mean = 0.03
vol = 0.06
target = 0.4
[[strategy]]
name = "annual"
rebalance = "calendar"
frequency = "annual"
"#;

/// (what to change, expected line, expected key and message fragments)
fn cases() -> Vec<(String, Option<usize>, Vec<&'static str>)> {
    vec![
        (
            GOOD.replace("version = 1", "version = 2"),
            Some(1),
            vec!["`version`", "version 1"],
        ),
        (
            GOOD.replace("paths = 50", "paths = 1000000000000"),
            Some(3),
            vec!["`simulation.paths`", "1 to 5000000"],
        ),
        (
            GOOD.replace("paths = 50", "paths = \"many\""),
            Some(3),
            vec!["simulation.paths", "invalid type"],
        ),
        (
            GOOD.replace("paths = 50", "pathz = 50"),
            Some(3),
            vec!["unknown field `pathz`"],
        ),
        (
            GOOD.replace("target = 0.4", "target = 0.3"),
            Some(7),
            vec!["`asset`", "sum to 0.9"],
        ),
        (
            GOOD.replace("vol = 0.06", "vol = nan"),
            Some(15),
            vec!["`asset[1].vol`", "out of range"],
        ),
        (
            GOOD.replace("mean = 0.07", "mean = inf"),
            Some(9),
            vec!["`asset[0].mean`"],
        ),
        (
            GOOD.replace("years = 5", "years = 0"),
            Some(4),
            vec!["`simulation.years`", "1 to 150"],
        ),
        (
            GOOD.replace("model = \"parametric\"", "model = \"magic\""),
            Some(6),
            vec!["`market.model`", "\"historical\""],
        ),
        (
            GOOD.replace("frequency = \"annual\"", "frequency = \"weekly\""),
            Some(20),
            vec!["`strategy[0].frequency`", "\"quarterly\""],
        ),
        (
            GOOD.replace("frequency = \"annual\"", "band = 0.05"),
            Some(20),
            vec!["`strategy[0].band`", "hybrid"],
        ),
        (
            GOOD.replace(
                "rebalance = \"calendar\"\nfrequency = \"annual\"",
                "rebalance = \"threshold\"\nband = 0.45",
            ),
            Some(20),
            vec!["`strategy[0].band`", "wider than the 0.4 target of `bonds`"],
        ),
        (
            GOOD.replace("[simulation]", "[simulation]\nstep = \"annual\"")
                .replace("frequency = \"annual\"", "frequency = \"monthly\""),
            Some(21),
            vec!["finer than the annual step"],
        ),
        (
            GOOD.replace(
                "[[strategy]]",
                "[cash_flows]\nretire_after_years = 9\n[[strategy]]",
            ),
            Some(18),
            vec!["`cash_flows.retire_after_years`", "0 to the horizon"],
        ),
        (
            GOOD.replace(
                "model = \"parametric\"",
                "model = \"historical\"\ndataset = \"damodaran\"",
            ),
            Some(10),
            vec!["`asset[0].mean`", "series"],
        ),
        (
            GOOD.replace("[simulation]", "[simulation]\nbaseline = \"nope\""),
            Some(3),
            vec!["`simulation.baseline`", "\"annual\""],
        ),
        (
            GOOD.replace("target = 0.6", "target = 0.6\ninitial_weight = 0.8"),
            Some(13),
            vec!["`asset[1]`", "every asset or for none"],
        ),
        (
            "version = 1\n[market\nmodel = 1".to_string(),
            Some(2),
            vec!["`market`", "unclosed table"],
        ),
        (String::new(), None, vec!["missing field"]),
    ]
}

#[test]
fn bad_scenarios_name_file_line_and_key() {
    let dir = temp_dir("bad-scenarios");
    for (i, (text, line, fragments)) in cases().into_iter().enumerate() {
        let path = write(&dir, &format!("bad{i}.toml"), &text);
        let o = driftlab(&["validate", path.to_str().unwrap()]);
        let err = stderr(&o);
        assert_eq!(o.status.code(), Some(2), "case {i}: {err}");
        let file = format!("bad{i}.toml");
        assert!(err.contains(&file), "case {i} names the file: {err}");
        if let Some(line) = line {
            assert!(
                err.contains(&format!("{file}:{line}:")),
                "case {i} names line {line}: {err}"
            );
        }
        for f in fragments {
            assert!(err.contains(f), "case {i} says {f:?}: {err}");
        }
        assert!(!err.contains("panicked"), "case {i}: {err}");
    }
}

#[test]
fn missing_file_is_an_input_error() {
    let o = driftlab(&["validate", "scenarios/does-not-exist.toml"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("does-not-exist.toml"));
}

#[test]
fn historical_rolling_windows_from_damodaran() {
    let dir = temp_dir("historical");
    let text = GOOD
        .replace(
            "model = \"parametric\"",
            "model = \"historical\"\ndataset = \"damodaran\"\nperiod = [1928, 1995]",
        )
        .replace("mean = 0.07\nvol = 0.17", "series = \"us_stocks\"")
        .replace("mean = 0.03\nvol = 0.06", "series = \"baa_corp\"")
        .replace("years = 5", "years = 30\nstep = \"annual\"");
    let path = write(&dir, "hist.toml", &text);
    let o = driftlab(&["validate", path.to_str().unwrap()]);
    assert!(o.status.success(), "{}", stderr(&o));
    // Damodaran starts in 1928: 1928..=1995 is 68 years, so 39 windows of 30 years.
    assert!(stdout(&o).contains("39 paths x 30 years"), "{}", stdout(&o));
}

#[test]
fn shiller_monthly_windows_and_bootstrap() {
    let dir = temp_dir("shiller");
    let base = GOOD
        .replace("mean = 0.07\nvol = 0.17", "series = \"us_stocks\"")
        .replace("mean = 0.03\nvol = 0.06", "series = \"tbonds_10y\"")
        .replace("years = 5", "years = 30");
    let rolling = base.replace(
        "model = \"parametric\"",
        "model = \"historical\"\ndataset = \"shiller\"\nperiod = [1926, 2025]",
    );
    let o = driftlab(&[
        "validate",
        write(&dir, "rolling.toml", &rolling).to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    // 1926-01..2025-12 is 1200 months: 1200 - 360 + 1 = 841 monthly start dates.
    assert!(
        stdout(&o).contains("841 paths x 30 years"),
        "{}",
        stdout(&o)
    );
    let boot = base.replace(
        "model = \"parametric\"",
        "model = \"bootstrap\"\ndataset = \"shiller\"\nblock_length = 60",
    );
    let o = driftlab(&[
        "validate",
        write(&dir, "boot.toml", &boot).to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(
        stdout(&o).contains("50 paths") && stdout(&o).contains("60-step blocks"),
        "{}",
        stdout(&o)
    );
    // Shiller has no T-bills: the message lists what it has.
    let bills = rolling.replace("series = \"tbonds_10y\"", "series = \"tbills\"");
    let o = driftlab(&[
        "validate",
        write(&dir, "bills.toml", &bills).to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o)
            .contains("`tbills` is not in the shiller data set; available: us_stocks, tbonds_10y"),
        "{}",
        stderr(&o)
    );
}
