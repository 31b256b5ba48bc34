//! Households with accounts end to end: the shipped tax scenario runs, writes its tax
//! tables and the "taxes paid by strategy" chart, and bad account inputs are named.

use super::*;

#[test]
fn age_58_taxes_reports_taxes_by_strategy() {
    let dir = temp_dir("age58tax");
    let out = dir.join("report");
    let o = driftlab(&[
        "run",
        "scenarios/age-58-taxes.toml",
        "--paths",
        "300",
        "--out",
        out.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let table = stdout(&o);
    for needle in [
        "taxes (lifetime tax and after-tax wealth in start-year dollars",
        "lifetime tax",
        "after-tax wealth",
        "IRMAA",
    ] {
        assert!(table.contains(needle), "missing {needle:?} in\n{table}");
    }
    for f in [
        "taxes.csv",
        "taxes.parquet",
        "yearly_taxes.csv",
        "charts/taxes_by_strategy.png",
        "charts/taxes_by_strategy.svg",
    ] {
        assert!(out.join(f).is_file(), "missing {f}");
    }
    let svg = std::fs::read_to_string(out.join("charts/taxes_by_strategy.svg")).unwrap();
    for label in [
        "Taxes paid by strategy",
        "Lifetime taxes paid",
        "start-year $",
    ] {
        assert!(svg.contains(label), "chart lacks {label:?}");
    }
    let html = std::fs::read_to_string(out.join("report.html")).unwrap();
    assert!(html.contains("Taxes paid by strategy"));
    // Rebalancing every account on its own sells far more in the taxable account than
    // trading in the sheltered accounts first (which sells there only lots at a loss, or
    // what the sheltered accounts cannot absorb), and costs more tax.
    let taxes = std::fs::read_to_string(out.join("taxes.csv")).unwrap();
    let header: Vec<&str> = taxes.lines().next().unwrap().split(',').collect();
    let col = |name: &str| header.iter().position(|h| *h == name).unwrap();
    let row = |strategy: &str| -> Vec<f64> {
        let line = taxes
            .lines()
            .find(|l| l.starts_with(&format!("{strategy},")))
            .unwrap();
        line.split(',')
            .skip(1)
            .map(|x| x.parse().unwrap())
            .collect()
    };
    let (tax, sold) = (col("taxes_real_mean") - 1, col("traded_taxable_mean") - 1);
    let sheltered = row("sheltered first");
    let every = row("every account");
    assert!(every[sold] > 3.0 * sheltered[sold], "{taxes}");
    assert!(every[tax] > sheltered[tax], "{taxes}");
}

#[test]
fn bad_account_inputs_name_the_field() {
    let dir = temp_dir("badaccounts");
    let base = std::fs::read_to_string(repo().join("scenarios/age-58-taxes.toml")).unwrap();
    for (from, to, key) in [
        (
            "kind = \"traditional_ira\"",
            "kind = \"ira\"",
            "account[1].kind",
        ),
        ("basis = 0.5", "basis = -1", "account[3].basis"),
        // 401(k) money comes out of pay: no wages, no 401(k) contribution.
        ("wages = 150000", "wages = 0", "account[0].contribution"),
        ("basis = 0.5", "held_months = -3", "account[3].held_months"),
        // An IRA's after-tax basis is a share of its balance, and a Roth IRA has none to track.
        (
            "balance = 150000",
            "balance = 150000\nbasis = 1.5",
            "account[1].basis",
        ),
        (
            "balance = 100000",
            "balance = 100000\nbasis = 0.2",
            "account[2].basis",
        ),
        (
            "contribution = 24000",
            "contribution = 24000\nbackdoor = true",
            "account[0].backdoor",
        ),
        (
            "balance = 150000",
            "balance = 150000\nheld_months = 6",
            "account[1].held_months",
        ),
        (
            "filing_status = \"mfj\"",
            "filing_status = \"single\"",
            "household.spouse_age",
        ),
        // Married filing separately is two returns; the simulation does not fake it with one.
        (
            "filing_status = \"mfj\"",
            "filing_status = \"mfs\"",
            "taxes.filing_status",
        ),
        (
            "harvest_losses = 0.10",
            "harvest_losses = 2",
            "strategy[2].harvest_losses",
        ),
        (
            "fill_bracket = 0.12",
            "fill_bracket = 0.15",
            "strategy[4].fill_bracket",
        ),
    ] {
        assert!(base.contains(from), "{from}");
        let path = write(&dir, "s.toml", &base.replacen(from, to, 1));
        let o = driftlab(&["run", path.to_str().unwrap(), "--paths", "10"]);
        assert_eq!(o.status.code(), Some(2), "{from}: {}", stderr(&o));
        assert!(stderr(&o).contains(key), "{from}: {}", stderr(&o));
    }
}

#[test]
fn a_sweep_over_tax_keys_reports_taxes_per_point() {
    let dir = temp_dir("taxsweep");
    let out = dir.join("sweep");
    let o = driftlab(&[
        "sweep",
        "scenarios/age-58-taxes.toml",
        "--param",
        "taxes.state_rate=0,0.08",
        "--paths",
        "100",
        "--out",
        out.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let csv = std::fs::read_to_string(out.join("sweep.csv")).unwrap();
    // Columns: point, the swept key, strategy, ... (the rule text may hold commas), and the
    // two tax columns last.
    let header: Vec<&str> = csv.lines().next().unwrap().split(',').collect();
    assert_eq!(header[1], "taxes.state_rate");
    assert_eq!(header[header.len() - 2], "taxes_real_mean");
    let taxes = |state: f64| -> f64 {
        csv.lines()
            .skip(1)
            .map(|l| l.split(',').collect::<Vec<_>>())
            .find(|f| f[1].parse::<f64>().unwrap() == state && f[2] == "sheltered first")
            .map(|f| f[f.len() - 2].parse().unwrap())
            .unwrap()
    };
    // An 8% state tax on the same paths costs more tax than none.
    assert!(taxes(0.08) > taxes(0.0), "{csv}");
}
