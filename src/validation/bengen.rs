//! Bengen (1994): the highest inflation-adjusted withdrawal rate a 50/50 portfolio of stocks
//! and intermediate Treasuries sustained for 30 years from each start year, and the lowest
//! of those (SAFEMAX).
//!
//! driftlab setup: Damodaran annual data 1928-2025, S&P 500 and 10-year Treasuries (the
//! closest series to Bengen's intermediate-term governments), rebalanced every year end,
//! withdrawals at the start of each year. The maximum rate of each window is found by
//! bisection on the engine itself ([`crate::engine::simulate_one_path`]); [`closed_form`]
//! computes the same numbers directly from the data as an independent check.

use super::published::{BENGEN_SAFEMAX, BENGEN_START_YEARS, BENGEN_WORST_YEAR};
use super::{Section, StudyResult, parse_toml, pct, signed};
use crate::history::{self, Dataset, SeriesId};
use rayon::prelude::*;
use std::fmt::Write as _;

/// Data period (all of Damodaran's years).
pub const PERIOD: (i32, i32) = (1928, 2025);
pub const YEARS: u32 = 30;
/// Bisection bracket and steps: 0.30 / 2^30 < 1e-9.
const HIGH: f64 = 0.30;
const STEPS: u32 = 30;

/// Tolerance of the SAFEMAX test, percentage points.
pub const SAFEMAX_TOLERANCE_PP: f64 = 0.5;

pub fn scenario_toml(rate: f64) -> String {
    format!(
        r#"version = 1
name = "bengen-50-50"
description = "Bengen (1994): 50% S&P 500 / 50% Treasuries, 30 years, inflation-adjusted withdrawals"

[simulation]
years = {YEARS}
step = "annual"

[market]
model = "historical"
dataset = "damodaran"
period = [{}, {}]

[[asset]]
name = "stocks"
target = 0.5
series = "us_stocks"

[[asset]]
name = "treasuries"
target = 0.5
series = "tbonds_10y"

[cash_flows]
withdrawal_rate = {rate:?}
inflation_adjusted = true

[[strategy]]
name = "annual"
rebalance = "calendar"
frequency = "annual"
"#,
        PERIOD.0, PERIOD.1
    )
}

/// The maximum sustainable rate of every window.
#[derive(Clone, Debug, PartialEq)]
pub struct Bengen {
    /// (start year, highest rate that never ran out), in window order.
    pub by_year: Vec<(i32, f64)>,
}

/// Does the window `path` survive at `rate`?
fn survives(rate: f64, path: usize) -> StudyResult<bool> {
    let sc = parse_toml(&scenario_toml(rate), "bengen")?;
    let out = crate::engine::simulate_one_path(&sc.simulation, path);
    Ok(!out[0].failed)
}

/// Bisection per window on the engine.
pub fn compute() -> StudyResult<Bengen> {
    let sc = parse_toml(&scenario_toml(0.04), "bengen")?;
    let sim = &sc.simulation;
    let labels: Vec<String> = (0..sim.path_count())
        .map(|p| {
            sim.market
                .path_label(p, 0)
                .ok_or_else(|| format!("window {p} has no label"))
        })
        .collect::<StudyResult<_>>()?;
    let by_year = labels
        .par_iter()
        .enumerate()
        .map(|(path, label)| {
            let year: i32 = label
                .parse()
                .map_err(|_| format!("window label `{label}` is not a year"))?;
            let (mut lo, mut hi) = (0.0, HIGH);
            if survives(hi, path)? {
                return Err(format!("{year}: survives even at {}", pct(hi, 0)));
            }
            for _ in 0..STEPS {
                let mid = 0.5 * (lo + hi);
                if survives(mid, path)? {
                    lo = mid;
                } else {
                    hi = mid;
                }
            }
            Ok((year, lo))
        })
        .collect::<StudyResult<Vec<_>>>()?;
    Ok(Bengen { by_year })
}

impl Bengen {
    /// (lowest rate, its start year) over start years `from..=to`.
    pub fn safemax(&self, from: i32, to: i32) -> (f64, i32) {
        self.by_year
            .iter()
            .filter(|(y, _)| (from..=to).contains(y))
            .map(|&(y, r)| (r, y))
            .min_by(|a, b| a.0.total_cmp(&b.0))
            .unwrap_or((f64::NAN, 0))
    }

    pub fn first_year(&self) -> i32 {
        self.by_year.first().map_or(0, |x| x.0)
    }

    pub fn last_year(&self) -> i32 {
        self.by_year.last().map_or(0, |x| x.0)
    }

    /// The start years Bengen tested that Damodaran's data covers.
    pub fn bengen_years(&self) -> (i32, i32) {
        (
            BENGEN_START_YEARS.0.max(self.first_year()),
            BENGEN_START_YEARS.1,
        )
    }
}

/// The same maximum rates computed from the data without the engine: with annual
/// rebalancing and pro-rata withdrawals the portfolio's yearly return does not depend on its
/// size, so wealth is linear in the rate, `W_t = P_t - rate * Q_t`, and the window survives
/// while `W_t >= rate * c_t` (withdrawal `c_t` in real terms) for every year `t`.
pub fn closed_form() -> StudyResult<Vec<(i32, f64)>> {
    let data = history::load(Dataset::Damodaran, None)
        .map_err(|e| e.to_string())?
        .slice_years(PERIOD.0, PERIOD.1)
        .map_err(|e| e.to_string())?;
    let stocks = data.get(SeriesId::UsStocks).ok_or("no us_stocks")?;
    let bonds = data.get(SeriesId::Tbonds10y).ok_or("no tbonds_10y")?;
    let years = YEARS as usize;
    let mut out = Vec::new();
    for start in 0..=data.len().saturating_sub(years) {
        let (mut p, mut q, mut c) = (1.0_f64, 0.0_f64, 1.0_f64);
        let mut max_rate = f64::INFINITY;
        for t in start..start + years {
            max_rate = max_rate.min(p / (q + c));
            let gross = 0.5 * (1.0 + stocks[t]) + 0.5 * (1.0 + bonds[t]);
            p *= gross;
            q = (q + c) * gross;
            c *= 1.0 + data.inflation[t];
        }
        out.push((data.first_year + start as i32, max_rate));
    }
    Ok(out)
}

pub fn render(b: &Bengen) -> String {
    let mut s = String::new();
    let (bf, bl) = b.bengen_years();
    let (safe, worst) = b.safemax(bf, bl);
    let (safe_all, worst_all) = b.safemax(b.first_year(), b.last_year());
    let _ = writeln!(
        s,
        "| | published (Bengen 1994) | driftlab | difference |\n|---|---|---|---|"
    );
    let _ = writeln!(
        s,
        "| SAFEMAX, start years {bf}-{bl} | {:.2}% | {} | {} pp |",
        BENGEN_SAFEMAX,
        pct(safe, 2),
        signed(100.0 * safe - BENGEN_SAFEMAX, 2)
    );
    let _ = writeln!(
        s,
        "| worst start year | {BENGEN_WORST_YEAR} | {worst} | {} |",
        if worst == BENGEN_WORST_YEAR {
            "same year".to_string()
        } else {
            format!("{:+} years", worst - BENGEN_WORST_YEAR)
        }
    );
    let _ = writeln!(
        s,
        "| SAFEMAX, all start years {}-{} | (data ended 1992) | {} (start {worst_all}) | |",
        b.first_year(),
        b.last_year(),
        pct(safe_all, 2)
    );
    let _ = writeln!(s);
    let _ = writeln!(
        s,
        "Maximum sustainable rate by start year (driftlab, 30 years; **bold**: below 4.5%):"
    );
    let _ = writeln!(s);
    let groups = 3;
    let rows = b.by_year.len().div_ceil(groups);
    let _ = writeln!(
        s,
        "|{}\n|{}",
        " start | max rate |".repeat(groups),
        "---|---|".repeat(groups)
    );
    for i in 0..rows {
        let _ = write!(s, "|");
        for g in 0..groups {
            match b.by_year.get(g * rows + i) {
                Some(&(y, r)) => {
                    let cell = pct(r, 2);
                    if r < 0.045 {
                        let _ = write!(s, " {y} | **{cell}** |");
                    } else {
                        let _ = write!(s, " {y} | {cell} |");
                    }
                }
                None => {
                    let _ = write!(s, " | |");
                }
            }
        }
        let _ = writeln!(s);
    }
    s
}

pub fn sections(b: &Bengen) -> Vec<Section> {
    vec![Section {
        id: "bengen-1994",
        markdown: render(b),
    }]
}
