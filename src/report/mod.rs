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
//! | `results.json` | the whole [`RunResults`] (what `driftlab report` reads back; non-finite numbers are `null`) |
//! | `terminal_real_sorted.parquet` | tidy: `strategy_index, rank, terminal_real`: each strategy's terminal real wealth, sorted (the CDF chart) |
//! | `by_start_period.parquet` | historical windows only: the same table as `by_start_period.csv` |
//! | `allocation_drift.csv/.parquet` | when sampled paths are given: `strategy, path, label, step, years, asset, target, weight` |
//! | `charts/*.png`, `charts/*.svg` | the [`ChartKind`]s that apply: `fan_real_wealth`, `strategy_comparison`, `terminal_wealth_cdf`, `rebalancing_activity`, `success_rate`, `paired_differences` (two or more strategies), `allocation_drift` (sampled paths), `outcome_by_start` (rolling windows) |
//! | `report.html` | one self-contained page: scenario echoed, seed, version, summary and paired tables, every chart as inline SVG |
//!
//! [`write_sweep_report`] writes a sweep folder (`sweep.csv/.parquet`, `sweep.json`,
//! `scenario.toml`, `charts/success_heatmap` or `charts/success_by_parameter`,
//! `report.html`), and [`rerender`] redraws the charts and `report.html` of either kind of
//! folder from its saved files, without simulating.
//!
//! Shares (success rate, turnover, solvent fraction) are fractions in [0, 1] in the tables
//! and percentages in the charts. Money is in dollars; "real" means start-year dollars.
//!
//! The folder appears complete or not at all: everything is written into a hidden sibling
//! temporary folder that is then renamed into place.

mod charts;
mod drift;
mod figures;
mod heatmap;
pub mod html;
mod retirement;
mod saved;
pub(crate) mod tables;
mod taxes;
mod theme;

use std::fs;
use std::io;
use std::path::{Path, PathBuf};

use crate::metrics::RunResults;

pub use charts::ChartKind;
pub use drift::{
    AllocationSample, SAMPLE_PATHS, SamplePath, sample_allocation_drift, sample_indices,
};
pub use figures::{label_position, wilson95};
pub use heatmap::SweepChart;
pub use saved::from_json;
pub use tables::SCHEMA_VERSION;
pub use theme::dollars_label;

use crate::sweep::SweepResults;

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
    /// A report folder to re-render is missing a file or holds an unreadable one.
    #[error("{}: {message}", path.display())]
    Input { path: PathBuf, message: String },
}

impl ReportError {
    /// The process exit code for this error (one place for the CLI to map them).
    pub fn exit_code(&self) -> u8 {
        match self {
            ReportError::OutputExists(_) => 3,
            ReportError::Io { .. } | ReportError::Polars(_) | ReportError::Chart { .. } => 3,
            // 128 + SIGINT, as a shell reports a process stopped by Ctrl-C.
            ReportError::Interrupted => 130,
            ReportError::Input { .. } => 2,
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
    write_run_report(out_dir, results, scenario_source, None, force)
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
    drift: Option<&AllocationSample>,
    force: bool,
    cancelled: &dyn Fn() -> bool,
) -> Result<Vec<PathBuf>, ReportError> {
    if cancelled() {
        return Err(ReportError::Interrupted);
    }
    write_folder(out_dir, force, |tmp| {
        write_all(tmp, results, scenario_source, drift, cancelled)
    })
}

/// As [`write_report_cancellable`], but only the summary: `summary.csv`, `summary.json`,
/// `run.json` and `scenario.toml` (`driftlab run --summary-only`). No yearly tables, charts
/// or page, so `driftlab report` cannot redraw such a folder.
pub fn write_summary_cancellable(
    out_dir: &Path,
    results: &RunResults,
    scenario_source: &str,
    force: bool,
    cancelled: &dyn Fn() -> bool,
) -> Result<Vec<PathBuf>, ReportError> {
    if cancelled() {
        return Err(ReportError::Interrupted);
    }
    write_folder(out_dir, force, |dir| {
        let mut summary = tables::summary_frame(&results.strategies)?;
        tables::write_csv(&mut summary, &dir.join("summary.csv"))?;
        if cancelled() {
            return Err(ReportError::Interrupted);
        }
        tables::write_json(
            &tables::SummaryJson::new(results),
            &dir.join("summary.json"),
        )?;
        tables::write_json(&tables::RunStamp::new(results), &dir.join("run.json"))?;
        let scenario = dir.join("scenario.toml");
        fs::write(&scenario, scenario_source).map_err(|e| io_err(&scenario, e))?;
        Ok(vec![
            "summary.csv".into(),
            "summary.json".into(),
            "run.json".into(),
            "scenario.toml".into(),
        ])
    })
}

/// As [`write_report`], with allocation weights on sampled paths (see
/// [`sample_allocation_drift`]) for the `allocation_drift` table and chart.
pub fn write_run_report(
    out_dir: &Path,
    results: &RunResults,
    scenario_source: &str,
    drift: Option<&AllocationSample>,
    force: bool,
) -> Result<Vec<PathBuf>, ReportError> {
    write_report_cancellable(out_dir, results, scenario_source, drift, force, &|| false)
}

/// Writes a sweep's folder: `sweep.csv`, `sweep.parquet`, `sweep.json`, `scenario.toml`,
/// the sweep chart and `report.html`. Same atomic and `force` rules as [`write_report`].
pub fn write_sweep_report(
    out_dir: &Path,
    sweep: &SweepResults,
    scenario_source: &str,
    force: bool,
) -> Result<Vec<PathBuf>, ReportError> {
    write_folder(out_dir, force, |dir| {
        let mut files: Vec<PathBuf> = vec![];
        let mut df = crate::sweep::table::sweep_frame(sweep)?;
        tables::write_csv(&mut df, &dir.join("sweep.csv"))?;
        files.push("sweep.csv".into());
        let stamp = tables::Stamp {
            tool_version: sweep.tool_version.clone(),
            seed: sweep.seed,
            scenario: sweep.scenario.clone(),
            paths: sweep.paths,
        };
        tables::write_parquet(&mut df, &dir.join("sweep.parquet"), &stamp)?;
        files.push("sweep.parquet".into());
        tables::write_json(sweep, &dir.join("sweep.json"))?;
        files.push("sweep.json".into());
        let scenario = dir.join("scenario.toml");
        fs::write(&scenario, scenario_source).map_err(|e| io_err(&scenario, e))?;
        files.push("scenario.toml".into());
        let chart_dir = dir.join("charts");
        fs::create_dir(&chart_dir).map_err(|e| io_err(&chart_dir, e))?;
        let figures = sweep_charts(&chart_dir, sweep)?;
        for f in &figures {
            files.push(format!("charts/{}.png", f.stem).into());
            files.push(format!("charts/{}.svg", f.stem).into());
        }
        let page = dir.join("report.html");
        let html = html::sweep_page(sweep, scenario_source, &figures);
        fs::write(&page, html).map_err(|e| io_err(&page, e))?;
        files.push("report.html".into());
        Ok(files)
    })
}

/// Builds a folder under a temporary name with `fill` and renames it into place.
fn write_folder(
    out_dir: &Path,
    force: bool,
    fill: impl FnOnce(&Path) -> Result<Vec<PathBuf>, ReportError>,
) -> Result<Vec<PathBuf>, ReportError> {
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

    let relative = match fill(&tmp) {
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
    drift: Option<&AllocationSample>,
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

    // What `driftlab report` reads back to re-render without simulating.
    tables::write_json(results, &dir.join("results.json"))?;
    files.push("results.json".into());
    let mut sorted = tables::terminal_sorted_frame(results)?;
    tables::write_parquet(
        &mut sorted,
        &dir.join("terminal_real_sorted.parquet"),
        &stamp,
    )?;
    files.push("terminal_real_sorted.parquet".into());
    if !results.path_labels.is_empty() {
        let mut by_start = tables::by_start_period_frame(results)?;
        tables::write_parquet(&mut by_start, &dir.join("by_start_period.parquet"), &stamp)?;
        files.push("by_start_period.parquet".into());
    }
    if let Some(d) = drift {
        let mut df = drift::drift_frame(d)?;
        tables::write_csv(&mut df, &dir.join("allocation_drift.csv"))?;
        files.push("allocation_drift.csv".into());
        tables::write_parquet(&mut df, &dir.join("allocation_drift.parquet"), &stamp)?;
        files.push("allocation_drift.parquet".into());
    }

    let chart_dir = dir.join("charts");
    fs::create_dir(&chart_dir).map_err(|e| io_err(&chart_dir, e))?;
    check()?;
    if retirement::applies(results) {
        files.extend(retirement::write_tables(dir, results)?);
    }
    if taxes::applies(results) {
        files.extend(taxes::write_tables(
            dir,
            results,
            &tables::Stamp::new(results),
        )?);
    }
    check()?;
    let figures = run_charts(&chart_dir, results, drift)?;
    for f in &figures {
        files.push(format!("charts/{}.png", f.stem).into());
        files.push(format!("charts/{}.svg", f.stem).into());
    }
    let page = dir.join("report.html");
    let html = html::run_page(results, scenario_source, &figures);
    fs::write(&page, html).map_err(|e| io_err(&page, e))?;
    files.push("report.html".into());
    Ok(files)
}

/// Draws every chart that applies into `chart_dir`; returns them with their SVG text for
/// the HTML page.
fn run_charts(
    chart_dir: &Path,
    results: &RunResults,
    drift: Option<&AllocationSample>,
) -> Result<Vec<html::HtmlFigure>, ReportError> {
    let data = charts::ChartData::new(results).with_drift(drift);
    let mut figures = vec![];
    for kind in ChartKind::ALL {
        if !kind.applies(&data) {
            continue;
        }
        let [_, svg] = charts::render(kind, &data, chart_dir)?;
        figures.push(html::HtmlFigure {
            stem: kind.stem().to_string(),
            title: kind.title().to_string(),
            svg: fs::read_to_string(&svg).map_err(|e| io_err(&svg, e))?,
        });
    }
    figures.extend(retirement::charts(chart_dir, results)?);
    figures.extend(taxes::charts(chart_dir, results)?);
    Ok(figures)
}

fn sweep_charts(
    chart_dir: &Path,
    sweep: &SweepResults,
) -> Result<Vec<html::HtmlFigure>, ReportError> {
    let Some(kind) = SweepChart::for_sweep(sweep) else {
        return Ok(vec![]);
    };
    let [_, svg] = charts::render_figure(&heatmap::SweepFigure { kind, data: sweep }, chart_dir)?;
    Ok(vec![html::HtmlFigure {
        stem: kind.stem().to_string(),
        title: kind.title().to_string(),
        svg: fs::read_to_string(&svg).map_err(|e| io_err(&svg, e))?,
    }])
}

fn input_err(path: &Path, message: impl std::fmt::Display) -> ReportError {
    ReportError::Input {
        path: path.to_path_buf(),
        message: message.to_string(),
    }
}

fn read_text(path: &Path) -> Result<String, ReportError> {
    fs::read_to_string(path).map_err(|e| input_err(path, format!("cannot read: {e}")))
}

fn read_parquet(path: &Path) -> Result<polars::prelude::DataFrame, ReportError> {
    use polars::prelude::{ParquetReader, SerReader};
    let file = fs::File::open(path).map_err(|e| input_err(path, format!("cannot read: {e}")))?;
    ParquetReader::new(file)
        .finish()
        .map_err(|e| input_err(path, e))
}

/// A run report read back from its folder (see [`rerender`]).
pub struct SavedRun {
    pub results: RunResults,
    pub drift: Option<AllocationSample>,
    pub scenario_source: String,
}

/// Reads `results.json`, `terminal_real_sorted.parquet`, `by_start_period.parquet` and
/// `allocation_drift.parquet` (when present) and `scenario.toml` from a run report.
pub fn read_run(dir: &Path) -> Result<SavedRun, ReportError> {
    let path = dir.join("results.json");
    let mut results: RunResults =
        saved::from_json(&read_text(&path)?).map_err(|e| input_err(&path, e))?;
    let sorted = dir.join("terminal_real_sorted.parquet");
    results.terminal_real_sorted =
        tables::terminal_sorted_from_frame(&read_parquet(&sorted)?, results.strategies.len())
            .map_err(|e| input_err(&sorted, e))?;
    let by_start = dir.join("by_start_period.parquet");
    if !results.path_labels.is_empty() && exists(&by_start) {
        results.terminal_real_by_path = tables::by_path_from_frame(&read_parquet(&by_start)?)
            .map_err(|e| input_err(&by_start, e))?;
    }
    let drift_path = dir.join("allocation_drift.parquet");
    let drift = if exists(&drift_path) {
        Some(
            drift::drift_from_frame(&read_parquet(&drift_path)?, results.steps_per_year)
                .map_err(|e| input_err(&drift_path, e))?,
        )
    } else {
        None
    };
    let scenario_source = read_text(&dir.join("scenario.toml"))?;
    Ok(SavedRun {
        results,
        drift,
        scenario_source,
    })
}

/// Redraws the charts and `report.html` of a report folder written by `driftlab run`
/// (it has `results.json`) or `driftlab sweep` (it has `sweep.json`) from its saved files,
/// without simulating. The new `charts/` folder replaces the old one only once every
/// chart is drawn. Returns the files written.
pub fn rerender(dir: &Path) -> Result<Vec<PathBuf>, ReportError> {
    if !dir.is_dir() {
        return Err(input_err(dir, "not a folder"));
    }
    let pid = std::process::id();
    let tmp_charts = dir.join(format!(".charts.tmp-{pid}"));
    if exists(&tmp_charts) {
        remove_any(&tmp_charts).map_err(|e| io_err(&tmp_charts, e))?;
    }
    let (figures, html) = if exists(&dir.join("results.json")) {
        let run = read_run(dir)?;
        fs::create_dir(&tmp_charts).map_err(|e| io_err(&tmp_charts, e))?;
        let figures = run_charts(&tmp_charts, &run.results, run.drift.as_ref());
        let figures = figures.inspect_err(|_| {
            let _ = fs::remove_dir_all(&tmp_charts);
        })?;
        let html = html::run_page(&run.results, &run.scenario_source, &figures);
        (figures, html)
    } else if exists(&dir.join("sweep.json")) {
        let path = dir.join("sweep.json");
        let sweep: SweepResults =
            saved::from_json(&read_text(&path)?).map_err(|e| input_err(&path, e))?;
        let source = read_text(&dir.join("scenario.toml"))?;
        fs::create_dir(&tmp_charts).map_err(|e| io_err(&tmp_charts, e))?;
        let figures = sweep_charts(&tmp_charts, &sweep).inspect_err(|_| {
            let _ = fs::remove_dir_all(&tmp_charts);
        })?;
        let html = html::sweep_page(&sweep, &source, &figures);
        (figures, html)
    } else {
        return Err(input_err(
            dir,
            "not a driftlab report folder: it has neither results.json (from `driftlab run`) \
             nor sweep.json (from `driftlab sweep`)",
        ));
    };

    let charts = dir.join("charts");
    let old = dir.join(format!(".charts.old-{pid}"));
    if exists(&charts) {
        fs::rename(&charts, &old).map_err(|e| io_err(&charts, e))?;
    }
    if let Err(e) = fs::rename(&tmp_charts, &charts) {
        let _ = fs::rename(&old, &charts);
        return Err(io_err(&charts, e));
    }
    if exists(&old) {
        remove_any(&old).map_err(|e| io_err(&old, e))?;
    }
    let page = dir.join("report.html");
    let tmp_page = dir.join(format!(".report.html.tmp-{pid}"));
    fs::write(&tmp_page, html).map_err(|e| io_err(&tmp_page, e))?;
    fs::rename(&tmp_page, &page).map_err(|e| io_err(&page, e))?;

    let mut files: Vec<PathBuf> = vec![];
    for f in &figures {
        files.push(charts.join(format!("{}.png", f.stem)));
        files.push(charts.join(format!("{}.svg", f.stem)));
    }
    files.push(page);
    Ok(files)
}

#[cfg(test)]
mod tests;
