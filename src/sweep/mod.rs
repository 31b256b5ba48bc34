//! Parameter sweeps: one scenario run on a grid of parameter values.
//!
//! Every grid point is the scenario's TOML document with the swept keys set (see
//! [`grid`] for the key syntax and how asset targets are rescaled), validated by
//! [`crate::scenario::parse`] like any scenario file, and run with the same seed: common
//! random numbers, so neighbouring grid points differ by the parameter, not by luck.
//! All grid points are validated before the first one runs.
//!
//! The result is [`SweepResults`]: per grid point and strategy, the summary metrics and the
//! paired difference against the baseline. [`table::sweep_frame`] flattens it into the
//! tidy table `sweep.{csv,parquet}` (one row per grid point and strategy).

pub mod grid;
pub mod table;

use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::engine::Simulation;
use crate::metrics::{PairedDifference, StrategySummary, TaxSummary};
use crate::scenario::{self, Scenario};
pub use grid::{KeyPath, Param, parse_param};

/// Version of the `sweep.json` shape.
pub const SWEEP_SCHEMA_VERSION: u32 = 1;

/// Why a sweep cannot run. All are input errors (exit code 2).
#[derive(Debug, thiserror::Error)]
pub enum SweepError {
    #[error("{0}")]
    Param(String),
    #[error("{0}")]
    Scenario(#[from] scenario::ScenarioError),
    #[error("{file}: {message}")]
    Document { file: String, message: String },
    #[error("{file}: grid point {index} ({point}): {message}")]
    Point {
        file: String,
        index: usize,
        point: String,
        message: String,
    },
}

/// One swept parameter as saved and charted.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ParamAxis {
    /// Canonical key, also the column name: `cash_flows.withdrawal_rate`.
    pub key: String,
    /// `KEY=SPEC` as given on the command line.
    pub spec: String,
    pub values: Vec<f64>,
}

impl ParamAxis {
    /// A readable axis title with its unit.
    pub fn title(&self) -> String {
        let parts: Vec<&str> = self.key.split('.').collect();
        let last = parts.last().copied().unwrap_or("");
        let named = |i: usize| parts.get(i).map(|s| s.trim_matches('"')).unwrap_or("");
        match (parts.first().copied().unwrap_or(""), last) {
            ("cash_flows", "withdrawal_rate") => {
                "Initial withdrawal rate (% of wealth at retirement)".into()
            }
            ("cash_flows", "contribution") => "Contribution per year (nominal $)".into(),
            ("cash_flows", "withdrawal_amount") => "Withdrawal per year (real $)".into(),
            ("cash_flows", "retire_after_years") => "Years until retirement".into(),
            ("portfolio", "initial_balance") => "Initial balance ($)".into(),
            ("simulation", "years") => "Horizon (years)".into(),
            ("market", "inflation_mean") => "Mean inflation (% per year)".into(),
            ("asset", "target") => format!("Target weight of {} (%)", named(1)),
            ("asset", "expense_ratio") => format!("Expense ratio of {} (% per year)", named(1)),
            ("asset", "mean") => format!("Mean return of {} (% per year)", named(1)),
            ("asset", "vol") => format!("Volatility of {} (% per year)", named(1)),
            ("strategy", "band") => format!("Band of {} (± percentage points)", named(1)),
            ("strategy", "relative_band") => {
                format!("Relative band of {} (% of target)", named(1))
            }
            _ => self.key.clone(),
        }
    }

    /// Whether values are fractions best shown as percentages.
    pub fn is_percent(&self) -> bool {
        let last = self.key.rsplit('.').next().unwrap_or("");
        matches!(
            last,
            "withdrawal_rate"
                | "target"
                | "band"
                | "relative_band"
                | "expense_ratio"
                | "mean"
                | "vol"
                | "inflation_mean"
                | "inflation_vol"
                | "contribution_growth"
                | "initial_weight"
        )
    }

    /// A value as shown on an axis: "3.25%" for fractions, "$20k" for dollars, else plain.
    pub fn format(&self, v: f64) -> String {
        if self.is_percent() {
            let s = format!("{:.2}", v * 100.0);
            let s = s.trim_end_matches('0').trim_end_matches('.');
            format!("{s}%")
        } else if self.key.ends_with("initial_balance")
            || self.key.ends_with(".contribution")
            || self.key.ends_with("withdrawal_amount")
        {
            crate::report::dollars_label(v)
        } else {
            let s = format!("{v:.4}");
            s.trim_end_matches('0').trim_end_matches('.').to_string()
        }
    }
}

/// What one grid point produced.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PointResult {
    /// One value per parameter, in parameter order.
    pub values: Vec<f64>,
    /// Paths (or historical windows) of this point.
    pub paths: usize,
    pub strategies: Vec<StrategySummary>,
    pub pairs: Vec<PairedDifference>,
    /// With accounts: each strategy's taxes (else empty).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub taxes: Vec<TaxSummary>,
}

/// A finished sweep: `sweep.json`, and what `driftlab report` re-renders from.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SweepResults {
    pub schema_version: u32,
    pub scenario: String,
    pub tool_version: String,
    pub seed: u64,
    /// Paths per grid point as asked (`--paths` or the scenario); see each point's `paths`.
    pub paths: usize,
    pub years: u32,
    pub steps_per_year: u32,
    pub market: String,
    pub baseline: String,
    pub params: Vec<ParamAxis>,
    /// Grid points, the first parameter varying slowest.
    pub points: Vec<PointResult>,
}

/// A grid ready to run: the base scenario and one validated simulation per point.
pub struct Grid {
    pub base: Scenario,
    pub params: Vec<Param>,
    pub points: Vec<(Vec<f64>, Simulation)>,
}

/// Overrides applied to every grid point, as `driftlab run` applies them.
#[derive(Clone, Copy, Debug, Default)]
pub struct Overrides {
    pub paths: Option<usize>,
    pub seed: Option<u64>,
}

/// Reads the scenario file and builds every grid point (all validated before returning).
pub fn build(path: &Path, params: Vec<Param>, over: Overrides) -> Result<Grid, SweepError> {
    let base = scenario::load(path)?;
    let file = path.display().to_string();
    let stem = path
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_else(|| "scenario".into());
    let base_dir = path.parent().unwrap_or(Path::new("."));
    build_from(base, &file, &stem, base_dir, params, over)
}

/// As [`build`], from a scenario already read (`base.source` is its text).
pub fn build_from(
    base: Scenario,
    file: &str,
    default_name: &str,
    base_dir: &Path,
    params: Vec<Param>,
    over: Overrides,
) -> Result<Grid, SweepError> {
    grid::check_params(&params).map_err(SweepError::Param)?;
    let doc: toml::Table =
        base.source
            .parse()
            .map_err(|e: toml::de::Error| SweepError::Document {
                file: file.to_string(),
                message: e.to_string(),
            })?;
    grid::check_against(&doc, &params).map_err(|message| SweepError::Document {
        file: file.to_string(),
        message,
    })?;
    let mut points = vec![];
    for (index, values) in grid::grid_points(&params).into_iter().enumerate() {
        let point = grid::describe_point(&params, &values);
        let fail = |message: String| SweepError::Point {
            file: file.to_string(),
            index: index + 1,
            point: point.clone(),
            message,
        };
        let edited = grid::apply_point(&doc, &params, &values).map_err(&fail)?;
        let text = toml::to_string(&edited).map_err(|e| fail(e.to_string()))?;
        let label = format!("{file} [{point}]");
        let mut sc = scenario::parse(&text, &label, default_name, base_dir).map_err(|e| {
            // The edited document's line numbers mean nothing to the user: keep key and
            // message only.
            fail(if e.key.is_empty() {
                e.message.clone()
            } else {
                format!("`{}`: {}", e.key, e.message)
            })
        })?;
        if let Some(p) = over.paths {
            sc.simulation.paths = p;
        }
        if let Some(s) = over.seed {
            sc.simulation.seed = s;
        }
        points.push((values, sc.simulation));
    }
    let mut base = base;
    if let Some(p) = over.paths {
        base.simulation.paths = p;
    }
    if let Some(s) = over.seed {
        base.simulation.seed = s;
    }
    Ok(Grid {
        base,
        params,
        points,
    })
}

impl Grid {
    /// Paths simulated over the whole grid (for a progress bar).
    pub fn total_paths(&self) -> u64 {
        self.points
            .iter()
            .map(|(_, sim)| sim.path_count() as u64)
            .sum()
    }

    /// Runs every grid point in order. `progress` gets paths finished (from worker threads);
    /// `point_done` is called after each point with its index (from 0).
    pub fn run(
        &self,
        progress: &(dyn Fn(u64) + Sync),
        point_done: &mut dyn FnMut(usize),
    ) -> SweepResults {
        let sim = &self.base.simulation;
        let mut points = Vec::with_capacity(self.points.len());
        for (i, (values, sim)) in self.points.iter().enumerate() {
            let r = crate::engine::run(sim, progress);
            points.push(PointResult {
                values: values.clone(),
                paths: r.paths,
                strategies: r.strategies,
                pairs: r.pairs,
                taxes: r.taxes,
            });
            point_done(i);
        }
        SweepResults {
            schema_version: SWEEP_SCHEMA_VERSION,
            scenario: self.base.name.clone(),
            tool_version: env!("CARGO_PKG_VERSION").to_string(),
            seed: sim.seed,
            paths: sim.path_count(),
            years: sim.years,
            steps_per_year: sim.steps_per_year,
            market: sim.market.describe(),
            baseline: sim
                .strategies
                .get(sim.baseline)
                .map(|s| s.name.clone())
                .unwrap_or_default(),
            params: self
                .params
                .iter()
                .map(|p| ParamAxis {
                    key: p.key(),
                    spec: p.spec.clone(),
                    values: p.values.clone(),
                })
                .collect(),
            points,
        }
    }
}

/// The text printed by `driftlab sweep`: success rate per grid point and strategy.
pub fn render_text(s: &SweepResults) -> String {
    let mut header: Vec<String> = s.params.iter().map(|p| p.key.clone()).collect();
    let names: Vec<String> = s
        .points
        .first()
        .map(|p| p.strategies.iter().map(|x| x.name.clone()).collect())
        .unwrap_or_default();
    header.extend(names.iter().cloned());
    let mut rows: Vec<Vec<String>> = vec![];
    for p in &s.points {
        let mut row: Vec<String> = s
            .params
            .iter()
            .zip(&p.values)
            .map(|(a, v)| a.format(*v))
            .collect();
        row.extend(
            p.strategies
                .iter()
                .map(|x| crate::report::html::share(x.success_rate)),
        );
        rows.push(row);
    }
    let widths: Vec<usize> = (0..header.len())
        .map(|c| {
            rows.iter()
                .map(|r| r.get(c).map_or(0, |x| x.chars().count()))
                .chain(std::iter::once(header[c].chars().count()))
                .max()
                .unwrap_or(0)
        })
        .collect();
    let line = |cells: &[String]| -> String {
        cells
            .iter()
            .zip(&widths)
            .map(|(c, w)| format!("{c:>w$}"))
            .collect::<Vec<_>>()
            .join("  ")
            .trim_end()
            .to_string()
    };
    let mut out = format!(
        "success rate by grid point ({} points x {} strategies, {} paths each, seed {}):\n",
        s.points.len(),
        names.len(),
        s.paths,
        s.seed
    );
    out.push_str(&line(&header));
    out.push('\n');
    for r in &rows {
        out.push_str(&line(r));
        out.push('\n');
    }
    out
}
