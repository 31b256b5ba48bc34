//! Tables: flat CSV/Parquet files for spreadsheets and notebooks, and JSON for programs.
//!
//! Column names are part of the output contract; see the module docs of [`crate::report`].

use std::collections::HashSet;
use std::fs::File;
use std::path::Path;

use polars::prelude::*;
use serde::Serialize;

use super::{ReportError, io_err};
use crate::metrics::{PairedDifference, Percentiles, RunResults, StrategySummary, YearlyBand};

/// Version of the `summary.json` and `run.json` shapes. Bump on any incompatible change.
pub const SCHEMA_VERSION: u32 = 1;

const PCT_NAMES: [&str; 7] = ["p5", "p10", "p25", "p50", "p75", "p90", "p95"];

pub(super) fn f64_col(name: &str, values: Vec<f64>) -> Column {
    Column::new(name.into(), values)
}

/// All seven percentile columns of one metric: `{prefix}_p5` .. `{prefix}_p95`, or plain
/// `p5` .. `p95` when `prefix` is empty.
pub(super) fn pct_columns<T>(
    prefix: &str,
    rows: &[T],
    get: impl Fn(&T) -> &Percentiles,
) -> Vec<Column> {
    PCT_NAMES
        .iter()
        .enumerate()
        .map(|(k, p)| {
            let name = if prefix.is_empty() {
                p.to_string()
            } else {
                format!("{prefix}_{p}")
            };
            f64_col(&name, rows.iter().map(|s| get(s).as_array()[k]).collect())
        })
        .collect()
}

/// One row per strategy, flat columns (see [`crate::report`] for the list).
pub fn summary_frame(strategies: &[StrategySummary]) -> PolarsResult<DataFrame> {
    let s = strategies;
    let scalar =
        |name: &str, get: fn(&StrategySummary) -> f64| f64_col(name, s.iter().map(get).collect());
    let mut cols = vec![
        Column::new(
            "name".into(),
            s.iter().map(|x| x.name.clone()).collect::<Vec<_>>(),
        ),
        Column::new(
            "rule".into(),
            s.iter().map(|x| x.rule.clone()).collect::<Vec<_>>(),
        ),
        scalar("success_rate", |x| x.success_rate),
    ];
    cols.extend(pct_columns("terminal_real", s, |x| &x.terminal_real));
    cols.push(scalar("terminal_real_mean", |x| x.terminal_real_mean));
    cols.extend(pct_columns("terminal_nominal", s, |x| &x.terminal_nominal));
    cols.push(scalar("terminal_nominal_mean", |x| x.terminal_nominal_mean));
    cols.extend(pct_columns("cagr", s, |x| &x.cagr));
    cols.extend([
        scalar("volatility_p5", |x| x.volatility.p5),
        scalar("volatility_p50", |x| x.volatility.p50),
        scalar("volatility_p95", |x| x.volatility.p95),
        scalar("max_drawdown_p5", |x| x.max_drawdown.p5),
        scalar("max_drawdown_p50", |x| x.max_drawdown.p50),
        scalar("max_drawdown_p95", |x| x.max_drawdown.p95),
        scalar("rebalances_per_path", |x| x.rebalances_per_path),
        scalar("trades_per_path", |x| x.trades_per_path),
        scalar("turnover_per_year", |x| x.turnover_per_year),
        scalar("dollars_traded_per_path", |x| x.dollars_traded_per_path),
        scalar("fees_per_path", |x| x.fees_per_path),
    ]);
    DataFrame::new_infer_height(cols)
}

/// Which wealth measure a yearly table holds.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Wealth {
    Real,
    Nominal,
}

/// Tidy per-year bands: strategy, year, p5..p95, mean (real only), solvent_fraction.
/// Rows in the order of `results.yearly` (strategies in scenario order, years ascending).
pub fn yearly_frame(yearly: &[YearlyBand], which: Wealth) -> PolarsResult<DataFrame> {
    let pick = |b: &YearlyBand| match which {
        Wealth::Real => b.real.as_array(),
        Wealth::Nominal => b.nominal.as_array(),
    };
    let mut cols = vec![
        Column::new(
            "strategy".into(),
            yearly
                .iter()
                .map(|b| b.strategy.clone())
                .collect::<Vec<_>>(),
        ),
        Column::new(
            "year".into(),
            yearly.iter().map(|b| b.year).collect::<Vec<u32>>(),
        ),
    ];
    for (k, p) in PCT_NAMES.iter().enumerate() {
        cols.push(f64_col(p, yearly.iter().map(|b| pick(b)[k]).collect()));
    }
    if which == Wealth::Real {
        cols.push(f64_col(
            "mean",
            yearly.iter().map(|b| b.real_mean).collect(),
        ));
    }
    cols.push(f64_col(
        "solvent_fraction",
        yearly.iter().map(|b| b.solvent_fraction).collect(),
    ));
    DataFrame::new_infer_height(cols)
}

/// One row per (strategy, baseline) pair; confidence intervals split into `_lo`/`_hi`.
pub fn paired_frame(pairs: &[PairedDifference]) -> PolarsResult<DataFrame> {
    let col = |name: &str, get: fn(&PairedDifference) -> f64| {
        f64_col(name, pairs.iter().map(get).collect())
    };
    DataFrame::new_infer_height(vec![
        Column::new(
            "strategy".into(),
            pairs.iter().map(|p| p.strategy.clone()).collect::<Vec<_>>(),
        ),
        Column::new(
            "baseline".into(),
            pairs.iter().map(|p| p.baseline.clone()).collect::<Vec<_>>(),
        ),
        col("terminal_real_mean_diff", |p| p.terminal_real_mean_diff),
        col("terminal_real_ci95_lo", |p| p.terminal_real_ci95.0),
        col("terminal_real_ci95_hi", |p| p.terminal_real_ci95.1),
        col("success_rate_diff", |p| p.success_rate_diff),
        col("success_rate_ci95_lo", |p| p.success_rate_ci95.0),
        col("success_rate_ci95_hi", |p| p.success_rate_ci95.1),
        col("share_paths_ahead", |p| p.share_paths_ahead),
    ])
}

/// Unique column names for strategies: a repeated name gets " (2)", " (3)", ... and no
/// strategy column may be called like a fixed column in `taken`.
fn unique_names<'a>(names: impl Iterator<Item = &'a str>, taken: &[&str]) -> Vec<String> {
    let mut used: HashSet<String> = taken.iter().map(|s| s.to_string()).collect();
    names
        .map(|n| {
            let mut candidate = n.to_string();
            let mut k = 2;
            while used.contains(&candidate) {
                candidate = format!("{n} ({k})");
                k += 1;
            }
            used.insert(candidate.clone());
            candidate
        })
        .collect()
}

/// Historical rolling windows: one row per start period, one column of terminal real wealth
/// per strategy. Missing or non-finite values are written as empty cells (null).
pub fn by_start_period_frame(results: &RunResults) -> PolarsResult<DataFrame> {
    let n = results.path_labels.len();
    let mut cols = vec![Column::new("label".into(), results.path_labels.clone())];
    // Strategy names come from the summaries; a by-path vector without a summary still
    // gets a column.
    let count = results
        .terminal_real_by_path
        .len()
        .max(results.strategies.len());
    let raw_names: Vec<String> = (0..count)
        .map(|i| {
            results
                .strategies
                .get(i)
                .map(|s| s.name.clone())
                .unwrap_or_else(|| format!("strategy_{}", i + 1))
        })
        .collect();
    let names = unique_names(raw_names.iter().map(String::as_str), &["label"]);
    for (i, name) in names.iter().enumerate() {
        let values = results.terminal_real_by_path.get(i);
        let column: Vec<Option<f64>> = (0..n)
            .map(|row| {
                values
                    .and_then(|v| v.get(row))
                    .copied()
                    .filter(|x| x.is_finite())
            })
            .collect();
        cols.push(Column::new(name.as_str().into(), column));
    }
    DataFrame::new_infer_height(cols)
}

/// Every strategy's sorted terminal real wealth, tidy: `strategy_index, rank,
/// terminal_real` (rank 0 is the lowest; names are in `results.json`). 16 bytes a row, like
/// the engine's own per-path storage. `driftlab report` reads it back for the CDF.
pub fn terminal_sorted_frame(results: &RunResults) -> PolarsResult<DataFrame> {
    let n: usize = results.terminal_real_sorted.iter().map(Vec::len).sum();
    let mut index = Vec::with_capacity(n);
    let mut rank = Vec::with_capacity(n);
    let mut value = Vec::with_capacity(n);
    for (i, v) in results.terminal_real_sorted.iter().enumerate() {
        for (r, x) in v.iter().enumerate() {
            index.push(i as u32);
            rank.push(r as u32);
            value.push(*x);
        }
    }
    DataFrame::new_infer_height(vec![
        Column::new("strategy_index".into(), index),
        Column::new("rank".into(), rank),
        Column::new("terminal_real".into(), value),
    ])
}

/// Reads [`terminal_sorted_frame`] back: one vector per strategy (at least `strategies`).
pub fn terminal_sorted_from_frame(
    df: &DataFrame,
    strategies: usize,
) -> PolarsResult<Vec<Vec<f64>>> {
    let index = df.column("strategy_index")?.u32()?;
    let value = df.column("terminal_real")?.f64()?;
    let mut out: Vec<Vec<f64>> = vec![vec![]; strategies];
    for row in 0..df.height() {
        let Some(i) = index.get(row) else { continue };
        let i = i as usize;
        if out.len() <= i {
            out.resize(i + 1, vec![]);
        }
        out[i].push(value.get(row).unwrap_or(f64::NAN));
    }
    Ok(out)
}

/// Reads `by_start_period.parquet` back: the strategy columns, in order, as vectors
/// (empty cells become NaN).
pub fn by_path_from_frame(df: &DataFrame) -> PolarsResult<Vec<Vec<f64>>> {
    df.columns()
        .iter()
        .skip(1)
        .map(|c| {
            let c = c.cast(&DataType::Float64)?;
            let v = c.f64()?;
            Ok((0..v.len()).map(|i| v.get(i).unwrap_or(f64::NAN)).collect())
        })
        .collect()
}

pub fn write_csv(df: &mut DataFrame, path: &Path) -> Result<(), ReportError> {
    let file = File::create(path).map_err(|e| io_err(path, e))?;
    CsvWriter::new(file).include_header(true).finish(df)?;
    Ok(())
}

/// Who wrote a table: stored in every Parquet file's key-value metadata (`driftlab.*` keys)
/// so that a table copied out of its report folder still says how to reproduce it.
pub struct Stamp {
    pub tool_version: String,
    pub seed: u64,
    pub scenario: String,
    pub paths: usize,
}

impl Stamp {
    pub fn new(r: &RunResults) -> Self {
        Stamp {
            tool_version: r.tool_version.clone(),
            seed: r.seed,
            scenario: r.scenario_name.clone(),
            paths: r.paths,
        }
    }

    fn key_values(&self) -> Vec<(String, String)> {
        vec![
            ("driftlab.tool".into(), "driftlab".into()),
            ("driftlab.tool_version".into(), self.tool_version.clone()),
            ("driftlab.seed".into(), self.seed.to_string()),
            ("driftlab.scenario".into(), self.scenario.clone()),
            ("driftlab.paths".into(), self.paths.to_string()),
        ]
    }
}

pub fn write_parquet(df: &mut DataFrame, path: &Path, stamp: &Stamp) -> Result<(), ReportError> {
    let file = File::create(path).map_err(|e| io_err(path, e))?;
    ParquetWriter::new(file)
        .with_compression(ParquetCompression::Zstd(None))
        .with_key_value_metadata(Some(KeyValueMetadata::from_static(stamp.key_values())))
        .finish(df)?;
    Ok(())
}

/// The documented shape of `summary.json`. Field order is the key order in the file.
#[derive(Serialize)]
pub struct SummaryJson<'a> {
    pub schema_version: u32,
    pub scenario: &'a str,
    pub tool_version: &'a str,
    pub seed: u64,
    pub paths: usize,
    pub years: u32,
    pub steps_per_year: u32,
    pub market: &'a str,
    pub strategies: &'a [StrategySummary],
    pub paired_differences: &'a [PairedDifference],
    /// Plain-language notes on the run (see [`crate::metrics::notes`]); left out when empty.
    #[serde(skip_serializing_if = "<[String]>::is_empty")]
    pub notes: &'a [String],
}

impl<'a> SummaryJson<'a> {
    pub fn new(r: &'a RunResults) -> Self {
        SummaryJson {
            schema_version: SCHEMA_VERSION,
            scenario: &r.scenario_name,
            tool_version: &r.tool_version,
            seed: r.seed,
            paths: r.paths,
            years: r.years,
            steps_per_year: r.steps_per_year,
            market: &r.market,
            strategies: &r.strategies,
            paired_differences: &r.pairs,
            notes: &r.notes,
        }
    }
}

/// The reproducibility stamp, `run.json`: what is needed to run the same thing again.
#[derive(Serialize)]
pub struct RunStamp<'a> {
    pub schema_version: u32,
    pub tool: &'static str,
    pub tool_version: &'a str,
    pub scenario: &'a str,
    /// The scenario file as given, echoed next to this file.
    pub scenario_file: &'static str,
    pub seed: u64,
    pub paths: usize,
    pub years: u32,
    pub steps_per_year: u32,
    pub market: &'a str,
}

impl<'a> RunStamp<'a> {
    pub fn new(r: &'a RunResults) -> Self {
        RunStamp {
            schema_version: SCHEMA_VERSION,
            tool: "driftlab",
            tool_version: &r.tool_version,
            scenario: &r.scenario_name,
            scenario_file: "scenario.toml",
            seed: r.seed,
            paths: r.paths,
            years: r.years,
            steps_per_year: r.steps_per_year,
            market: &r.market,
        }
    }
}

/// Pretty JSON with a trailing newline. Non-finite numbers become `null` (serde_json).
pub fn write_json<T: Serialize>(value: &T, path: &Path) -> Result<(), ReportError> {
    let mut bytes =
        serde_json::to_vec_pretty(value).map_err(|e| io_err(path, std::io::Error::from(e)))?;
    bytes.push(b'\n');
    std::fs::write(path, bytes).map_err(|e| io_err(path, e))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn duplicate_strategy_names_get_suffixes() {
        let names = unique_names(["a", "label", "a", "a (2)"].into_iter(), &["label"]);
        assert_eq!(names, ["a", "label (2)", "a (2)", "a (2) (2)"]);
    }
}
