//! Early Retirement Now, "The Ultimate Guide to Safe Withdrawal Rates - Part 1" (2016):
//! 50% stocks / 50% 10-year Treasuries, 4% of the initial portfolio a year adjusted for
//! inflation, 30 years, every start month of 1871-2015.
//!
//! driftlab setup: `scenarios/validation/ern-swr-part1.toml` (Shiller monthly data, one
//! window per start month, monthly withdrawals of 1/12 of the annual amount at the start of
//! each month, the annual amount reset by CPI on each retirement anniversary, rebalanced
//! monthly).

use super::published::ERN_SUCCESS_50_50_4PCT_30Y;
use super::{Section, StudyResult, run_toml, signed};
use crate::metrics::RunResults;
use std::fmt::Write as _;

pub const SCENARIO: &str = include_str!("../../scenarios/validation/ern-swr-part1.toml");

/// Tolerance of the test, percentage points.
pub const TOLERANCE_PP: f64 = 3.0;

pub struct Ern {
    pub results: RunResults,
}

impl Ern {
    pub fn success_pct(&self) -> f64 {
        100.0 * self.results.strategies[0].success_rate
    }

    pub fn windows(&self) -> usize {
        self.results.paths
    }

    /// Start months whose window ran out of money (terminal wealth 0).
    pub fn failed_starts(&self) -> Vec<&str> {
        self.results.terminal_real_by_path[0]
            .iter()
            .zip(&self.results.path_labels)
            .filter(|(w, _)| **w <= 0.0)
            .map(|(_, l)| l.as_str())
            .collect()
    }
}

pub fn compute() -> StudyResult<Ern> {
    Ok(Ern {
        results: run_toml(SCENARIO, "ern-swr-part1")?,
    })
}

/// Consecutive start months grouped into ranges, e.g. "1965-01 to 1966-09 (21)".
fn runs(labels: &[&str]) -> Vec<String> {
    let month = |l: &str| -> Option<i32> {
        let (y, m) = l.split_once('-')?;
        Some(y.parse::<i32>().ok()? * 12 + m.parse::<i32>().ok()? - 1)
    };
    let mut out = Vec::new();
    let mut i = 0;
    while i < labels.len() {
        let mut j = i;
        while j + 1 < labels.len()
            && matches!((month(labels[j]), month(labels[j + 1])), (Some(a), Some(b)) if b == a + 1)
        {
            j += 1;
        }
        if i == j {
            out.push(labels[i].to_string());
        } else {
            out.push(format!("{} to {} ({})", labels[i], labels[j], j - i + 1));
        }
        i = j + 1;
    }
    out
}

pub fn render(e: &Ern) -> String {
    let mut s = String::new();
    let labels = &e.results.path_labels;
    let failed = e.failed_starts();
    let _ = writeln!(
        s,
        "| | published (ERN part 1) | driftlab | difference |\n|---|---|---|---|"
    );
    let _ = writeln!(
        s,
        "| success rate, 50/50, 4%, 30 years | about {:.0}% | {:.2}% | {} pp |",
        ERN_SUCCESS_50_50_4PCT_30Y,
        e.success_pct(),
        signed(e.success_pct() - ERN_SUCCESS_50_50_4PCT_30Y, 2)
    );
    let _ = writeln!(
        s,
        "| windows (start months) | 1871-01 to 1985-12 | {} to {} ({}) | |",
        labels.first().map_or("", String::as_str),
        labels.last().map_or("", String::as_str),
        e.windows()
    );
    let _ = writeln!(s);
    let _ = writeln!(
        s,
        "driftlab's {} failing start months: {}.",
        failed.len(),
        runs(&failed).join("; ")
    );
    s
}

pub fn sections(e: &Ern) -> Vec<Section> {
    vec![Section {
        id: "ern-part1",
        markdown: render(e),
    }]
}

#[cfg(test)]
mod tests {
    #[test]
    fn runs_group_consecutive_months() {
        assert_eq!(
            super::runs(&[
                "1929-08", "1929-09", "1929-10", "1937-02", "1965-12", "1966-01"
            ]),
            vec![
                "1929-08 to 1929-10 (3)",
                "1937-02",
                "1965-12 to 1966-01 (2)"
            ]
        );
    }
}
