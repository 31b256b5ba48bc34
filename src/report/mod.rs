//! Report writer: turns a finished run's [`RunResults`] into tables and charts.
//!
//! [`write_report`] writes one folder:
//!
//! | file | content |
//! |---|---|
//! | `summary.csv`, `summary.parquet` | one row per strategy: `name, rule, success_rate, terminal_real_p5..p95, terminal_real_mean, terminal_nominal_p5..p95, terminal_nominal_mean, cagr_p5..p95, volatility_p5/p50/p95, max_drawdown_p5/p50/p95, rebalances_per_path, trades_per_path, turnover_per_year, dollars_traded_per_path, fees_per_path` |
//! | `summary.json` | `{"schema_version":1, "scenario", "tool_version", "seed", "paths", "years", "steps_per_year", "market", "strategies":[StrategySummary...], "paired_differences":[PairedDifference...]}`; non-finite numbers are `null` |
//! | `yearly_real_wealth.csv/.parquet` | tidy: `strategy, year, p5, p10, p25, p50, p75, p90, p95, mean, solvent_fraction` |
//! | `yearly_nominal_wealth.csv/.parquet` | as above without `mean` |
//! | `paired_differences.csv` | `strategy, baseline, terminal_real_mean_diff, terminal_real_ci95_lo/hi, success_rate_diff, success_rate_ci95_lo/hi, share_paths_ahead` |
//! | `by_start_period.csv` | historical windows only: `label`, then one column of terminal real wealth per strategy |
//! | `scenario.toml` | the scenario source, byte for byte |
//! | `run.json` | reproducibility stamp: tool version, scenario, seed, paths, years, market |
//! | `charts/*.png`, `charts/*.svg` | `fan_real_wealth`, `strategy_comparison`, `terminal_wealth_cdf`, `rebalancing_activity` |
//!
//! Shares (success rate, turnover, solvent fraction) are fractions in [0, 1] in the tables
//! and percentages in the charts. Money is in dollars; "real" means start-year dollars.
//!
//! The folder appears complete or not at all: everything is written into a hidden sibling
//! temporary folder that is then renamed into place.

mod charts;
mod retirement;
mod tables;
mod theme;

use std::fs;
use std::io;
use std::path::{Path, PathBuf};

use crate::metrics::RunResults;

pub use charts::ChartKind;
pub use tables::SCHEMA_VERSION;
pub use theme::dollars_label;

/// The `summary.json` document as text (what `driftlab run --format json` prints).
pub fn summary_json(results: &RunResults) -> serde_json::Result<String> {
    serde_json::to_string_pretty(&tables::SummaryJson::new(results))
}

/// Why a report could not be written. Every variant maps to exit code 3 ([`Self::exit_code`]).
#[derive(Debug, thiserror::Error)]
pub enum ReportError {
    /// The output folder exists and `force` was not given; nothing was written.
    #[error(
        "output folder {} already exists; pass --force to replace it",
        .0.display()
    )]
    OutputExists(PathBuf),
    #[error("cannot write {}: {source}", path.display())]
    Io {
        path: PathBuf,
        #[source]
        source: io::Error,
    },
    #[error("cannot write a table: {0}")]
    Polars(#[from] polars::error::PolarsError),
    #[error("cannot draw chart {chart}: {message}")]
    Chart { chart: String, message: String },
    /// Cancelled (Ctrl-C) while writing; the temporary folder was removed.
    #[error("interrupted: the report was not written and its temporary folder was removed")]
    Interrupted,
}

impl ReportError {
    /// The process exit code for this error (one place for the CLI to map them).
    pub fn exit_code(&self) -> u8 {
        match self {
            ReportError::OutputExists(_) => 3,
            ReportError::Io { .. } | ReportError::Polars(_) | ReportError::Chart { .. } => 3,
            // 128 + SIGINT, as a shell reports a process stopped by Ctrl-C.
            ReportError::Interrupted => 130,
        }
    }
}

pub(crate) fn io_err(path: &Path, source: io::Error) -> ReportError {
    ReportError::Io {
        path: path.to_path_buf(),
        source,
    }
}

/// Writes the full report for `results` into `out_dir` and returns the files written
/// (paths inside `out_dir`, in writing order).
///
/// `scenario_source` is echoed as `scenario.toml`. If `out_dir` exists, nothing is done
/// and [`ReportError::OutputExists`] is returned unless `force` is true, in which case the
/// old folder is replaced only after the new report is complete. Parent folders are
/// created as needed.
pub fn write_report(
    out_dir: &Path,
    results: &RunResults,
    scenario_source: &str,
    force: bool,
) -> Result<Vec<PathBuf>, ReportError> {
    write_report_cancellable(out_dir, results, scenario_source, force, &|| false)
}

/// The hidden temporary folder a report for `out_dir` is built in by this process
/// (`.<name>.tmp-<pid>` next to it); `None` if `out_dir` has no folder name.
pub fn temp_dir_for(out_dir: &Path) -> Option<PathBuf> {
    let name = out_dir.file_name()?.to_string_lossy();
    let parent = match out_dir.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    };
    Some(parent.join(format!(".{name}.tmp-{}", std::process::id())))
}

/// As [`write_report`], checking `cancelled` before every file. Once it returns true, the
/// temporary folder is removed and [`ReportError::Interrupted`] returned: nothing is left
/// behind and an existing report is untouched. Once the finished folder is being moved into
/// place, the move completes.
pub fn write_report_cancellable(
    out_dir: &Path,
    results: &RunResults,
    scenario_source: &str,
    force: bool,
    cancelled: &dyn Fn() -> bool,
) -> Result<Vec<PathBuf>, ReportError> {
    if cancelled() {
        return Err(ReportError::Interrupted);
    }
    if exists(out_dir) && !force {
        return Err(ReportError::OutputExists(out_dir.to_path_buf()));
    }
    let name = out_dir.file_name().ok_or_else(|| {
        io_err(
            out_dir,
            io::Error::new(
                io::ErrorKind::InvalidInput,
                "output path must end in a folder name",
            ),
        )
    })?;
    let name = name.to_string_lossy();
    let parent = match out_dir.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    };
    fs::create_dir_all(&parent).map_err(|e| io_err(&parent, e))?;

    let tmp = parent.join(format!(".{name}.tmp-{}", std::process::id()));
    if exists(&tmp) {
        // Left over from an earlier crash of a process with the same id.
        remove_any(&tmp).map_err(|e| io_err(&tmp, e))?;
    }
    fs::create_dir(&tmp).map_err(|e| io_err(&tmp, e))?;

    let relative = match write_all(&tmp, results, scenario_source, cancelled) {
        Ok(files) => files,
        Err(e) => {
            let _ = fs::remove_dir_all(&tmp);
            return Err(e);
        }
    };

    if let Err(e) = swap_into_place(&tmp, out_dir, &parent, &name, force) {
        let _ = fs::remove_dir_all(&tmp);
        return Err(e);
    }
    Ok(relative.into_iter().map(|r| out_dir.join(r)).collect())
}

fn exists(p: &Path) -> bool {
    fs::symlink_metadata(p).is_ok()
}

fn remove_any(p: &Path) -> io::Result<()> {
    if fs::symlink_metadata(p)?.is_dir() {
        fs::remove_dir_all(p)
    } else {
        fs::remove_file(p)
    }
}

/// Moves the finished `tmp` folder to `out_dir`, replacing an existing one if `force`.
fn swap_into_place(
    tmp: &Path,
    out_dir: &Path,
    parent: &Path,
    name: &str,
    force: bool,
) -> Result<(), ReportError> {
    if !exists(out_dir) {
        return fs::rename(tmp, out_dir).map_err(|e| io_err(out_dir, e));
    }
    if !force {
        // Someone created it while we were writing.
        return Err(ReportError::OutputExists(out_dir.to_path_buf()));
    }
    let old = parent.join(format!(".{name}.old-{}", std::process::id()));
    if exists(&old) {
        remove_any(&old).map_err(|e| io_err(&old, e))?;
    }
    fs::rename(out_dir, &old).map_err(|e| io_err(out_dir, e))?;
    if let Err(e) = fs::rename(tmp, out_dir) {
        // Put the old report back rather than leave nothing.
        let _ = fs::rename(&old, out_dir);
        return Err(io_err(out_dir, e));
    }
    remove_any(&old).map_err(|e| io_err(&old, e))
}

/// Writes every file into `dir`; returns their paths relative to `dir`.
fn write_all(
    dir: &Path,
    results: &RunResults,
    scenario_source: &str,
    cancelled: &dyn Fn() -> bool,
) -> Result<Vec<PathBuf>, ReportError> {
    use tables::Wealth;
    let check = || {
        if cancelled() {
            Err(ReportError::Interrupted)
        } else {
            Ok(())
        }
    };
    let stamp = tables::Stamp::new(results);
    let mut files: Vec<PathBuf> = vec![];
    let mut csv = |df: &mut polars::prelude::DataFrame, name: &str| -> Result<(), ReportError> {
        check()?;
        tables::write_csv(df, &dir.join(name))?;
        files.push(name.into());
        Ok(())
    };

    let mut summary = tables::summary_frame(&results.strategies)?;
    let mut real = tables::yearly_frame(&results.yearly, Wealth::Real)?;
    let mut nominal = tables::yearly_frame(&results.yearly, Wealth::Nominal)?;
    let mut pairs = tables::paired_frame(&results.pairs)?;
    csv(&mut summary, "summary.csv")?;
    csv(&mut real, "yearly_real_wealth.csv")?;
    csv(&mut nominal, "yearly_nominal_wealth.csv")?;
    csv(&mut pairs, "paired_differences.csv")?;
    if !results.path_labels.is_empty() {
        let mut by_start = tables::by_start_period_frame(results)?;
        csv(&mut by_start, "by_start_period.csv")?;
    }

    for (df, name) in [
        (&mut summary, "summary.parquet"),
        (&mut real, "yearly_real_wealth.parquet"),
        (&mut nominal, "yearly_nominal_wealth.parquet"),
    ] {
        check()?;
        tables::write_parquet(df, &dir.join(name), &stamp)?;
        files.push(name.into());
    }

    check()?;
    tables::write_json(
        &tables::SummaryJson::new(results),
        &dir.join("summary.json"),
    )?;
    files.push("summary.json".into());
    tables::write_json(&tables::RunStamp::new(results), &dir.join("run.json"))?;
    files.push("run.json".into());
    let scenario = dir.join("scenario.toml");
    fs::write(&scenario, scenario_source).map_err(|e| io_err(&scenario, e))?;
    files.push("scenario.toml".into());

    let chart_dir = dir.join("charts");
    fs::create_dir(&chart_dir).map_err(|e| io_err(&chart_dir, e))?;
    let data = charts::ChartData::new(results);
    for kind in ChartKind::ALL {
        check()?;
        for path in charts::render(kind, &data, &chart_dir)? {
            let rel = path.strip_prefix(dir).unwrap_or(&path).to_path_buf();
            files.push(rel);
        }
    }
    if retirement::applies(results) {
        files.extend(retirement::write(dir, results)?);
    }
    Ok(files)
}

#[cfg(test)]
mod tests;
