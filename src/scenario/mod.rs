//! Scenario files: the versioned TOML format users write, and its lowering into a validated
//! [`Simulation`]. This is the I/O edge of the engine: it reads the scenario and any data
//! file it names; everything after it is pure.

mod accounts;
mod error;
mod file;
mod household;

pub use error::ScenarioError;
pub use file::{FORMAT_VERSION, ScenarioFile};

use crate::cashflow::{CashFlowPlan, WithdrawalTiming};
use crate::engine::Simulation;
use crate::glide::GlidePath;
use crate::history::{self, Dataset, HistoricalReturns, SeriesId};
use crate::market::{HistoricalMode, HistoricalPaths, MarketModel, Parametric, Shocks};
use crate::portfolio::{Holdings, MAX_ASSETS, TargetAllocation};
use crate::rebalance::{Calendar, CashFlowRouting, RebalanceRule, RebalanceTo, ThresholdBand};
use crate::strategy::Strategy;
use crate::withdrawal::WithdrawalRule;
use error::Locator;
use file::{AssetSpec, MarketSpec, StrategySpec};
use household::Timeline;
use std::path::Path;

/// Most paths one run may ask for (memory: 16 bytes per path and strategy).
pub const MAX_PATHS: i64 = 5_000_000;
/// Longest horizon in years.
pub const MAX_YEARS: i64 = 150;
/// Most strategies one scenario may compare.
pub const MAX_STRATEGIES: usize = 16;

/// A scenario read from a file and validated.
#[derive(Clone, Debug)]
pub struct Scenario {
    pub name: String,
    pub description: String,
    /// The file's text, echoed into reports.
    pub source: String,
    pub simulation: Simulation,
}

/// Reads and validates a scenario file.
pub fn load(path: &Path) -> Result<Scenario, ScenarioError> {
    let file = path.display().to_string();
    let src = std::fs::read_to_string(path).map_err(|e| ScenarioError {
        file: file.clone(),
        line: None,
        key: String::new(),
        message: if e.kind() == std::io::ErrorKind::InvalidData {
            "cannot read the scenario file: it is not UTF-8 text; a scenario is a TOML text file (UTF-8)".into()
        } else {
            format!("cannot read the scenario file: {e}")
        },
    })?;
    let stem = path
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_else(|| "scenario".into());
    let base = path.parent().unwrap_or(Path::new("."));
    parse(&src, &file, &stem, base)
}

/// Validates scenario text. `file` names it in errors, `default_name` is used when the file
/// has no `name`, and `base_dir` resolves relative data file paths.
pub fn parse(
    src: &str,
    file: &str,
    default_name: &str,
    base_dir: &Path,
) -> Result<Scenario, ScenarioError> {
    let loc = Locator::new(file, src);
    let spec: ScenarioFile = toml::from_str(src).map_err(|e| loc.toml_error(&e))?;
    Lowering {
        loc: &loc,
        base_dir,
    }
    .scenario(spec, default_name, src)
}

struct Lowering<'a> {
    loc: &'a Locator<'a>,
    base_dir: &'a Path,
}

fn one_of(value: &str, allowed: &[&str]) -> String {
    format!(
        "`{value}` is not allowed; use one of: {}",
        allowed
            .iter()
            .map(|a| format!("\"{a}\""))
            .collect::<Vec<_>>()
            .join(", ")
    )
}

/// A name safe to use as a folder name.
fn check_name(name: &str) -> Result<(), String> {
    if name.trim().is_empty() {
        return Err("must not be empty".into());
    }
    if name.contains(['/', '\\'])
        || name == "."
        || name == ".."
        || name.chars().any(char::is_control)
    {
        return Err(format!(
            "`{name}` cannot be used as a report folder name: no slashes, control characters, \".\" or \"..\""
        ));
    }
    Ok(())
}

impl Lowering<'_> {
    fn err(&self, key: &str, msg: impl Into<String>) -> ScenarioError {
        self.loc.err(key, msg)
    }

    fn finite(
        &self,
        key: &str,
        v: f64,
        lo: f64,
        hi: f64,
        what: &str,
    ) -> Result<f64, ScenarioError> {
        if !v.is_finite() || v < lo || v > hi {
            return Err(self.err(
                key,
                format!("{v} is out of range: {what} must be a number from {lo} to {hi}"),
            ));
        }
        Ok(v)
    }

    fn scenario(
        &self,
        spec: ScenarioFile,
        default_name: &str,
        src: &str,
    ) -> Result<Scenario, ScenarioError> {
        if spec.version != FORMAT_VERSION {
            return Err(self.err(
                "version",
                format!(
                    "version {} is not supported; this driftlab reads version {FORMAT_VERSION}",
                    spec.version
                ),
            ));
        }
        let name = spec
            .name
            .clone()
            .unwrap_or_else(|| default_name.to_string());
        check_name(&name).map_err(|m| self.err("name", m))?;

        let sim = &spec.simulation;
        let paths = sim.paths;
        if !(1..=MAX_PATHS).contains(&paths) {
            return Err(self.err(
                "simulation.paths",
                format!("{paths} paths: use 1 to {MAX_PATHS}"),
            ));
        }
        if sim.seed < 0 {
            return Err(self.err(
                "simulation.seed",
                format!("{}: the seed must be 0 or more", sim.seed),
            ));
        }
        let timeline = self.timeline(&spec)?;
        let years = timeline.years;
        let steps_per_year = match sim.step.as_str() {
            "monthly" => 12,
            "annual" => 1,
            other => return Err(self.err("simulation.step", one_of(other, &["monthly", "annual"]))),
        };

        // Assets and targets.
        if spec.assets.is_empty() {
            return Err(self.err("asset", "at least one [[asset]] is needed"));
        }
        if spec.assets.len() > MAX_ASSETS {
            return Err(self.err(
                "asset",
                format!(
                    "{} assets: at most {MAX_ASSETS} are supported",
                    spec.assets.len()
                ),
            ));
        }
        for (i, a) in spec.assets.iter().enumerate() {
            check_name(&a.name).map_err(|m| self.err(&format!("asset[{i}].name"), m))?;
            if spec.assets[..i].iter().any(|b| b.name == a.name) {
                return Err(self.err(
                    &format!("asset[{i}].name"),
                    format!("`{}` is used twice; asset names must be unique", a.name),
                ));
            }
            self.finite(
                &format!("asset[{i}].target"),
                a.target,
                0.0,
                1.0,
                "a target weight",
            )?;
            self.finite(
                &format!("asset[{i}].expense_ratio"),
                a.expense_ratio,
                0.0,
                0.1,
                "an annual expense ratio",
            )?;
        }
        let targets: Vec<f64> = spec.assets.iter().map(|a| a.target).collect();
        let target = TargetAllocation::new(&targets).map_err(|e| {
            self.err(
                "asset",
                format!(
                    "{e}; the targets are {}",
                    targets
                        .iter()
                        .map(|t| t.to_string())
                        .collect::<Vec<_>>()
                        .join(" + ")
                ),
            )
        })?;

        let initial_balance = self.finite(
            "portfolio.initial_balance",
            spec.portfolio.initial_balance,
            0.0,
            1e12,
            "the starting balance in dollars",
        )?;
        let mut initial = self.initial_holdings(&spec.assets, initial_balance)?;
        let household = match self.household_accounts(&spec, &timeline, &initial)? {
            Some((hh, holdings)) => {
                initial = holdings;
                Some(hh)
            }
            None => None,
        };
        let market = self.market(&spec.market, &spec.assets, steps_per_year, &timeline)?;
        let cash_flows = self.cash_flows(&spec, &timeline, steps_per_year)?;
        let glide_paths = self.glide_paths(
            &spec.glide_paths,
            &timeline,
            steps_per_year,
            spec.assets.len(),
        )?;
        let mut strategies = Vec::with_capacity(spec.strategies.len());
        for (i, s) in spec.strategies.iter().enumerate() {
            let mut strategy = self.strategy(i, s, &target, &spec.assets, steps_per_year)?;
            strategy.tax = self.tax_policy(i, s, household.is_some())?;
            if strategy.tax.conversion.is_some()
                && !spec.accounts.iter().any(|a| a.kind == "roth_ira")
            {
                return Err(self.err(
                    &format!("strategy[{i}].roth_conversion"),
                    "conversions go to a Roth IRA: add an [[account]] with kind = \"roth_ira\"",
                ));
            }
            if strategies
                .iter()
                .any(|o: &Strategy| o.name == strategy.name)
            {
                return Err(self.err(
                    &format!("strategy[{i}].name"),
                    format!("`{}` is used twice; strategy names must be unique (reports key rows by name)", strategy.name),
                ));
            }
            self.strategy_plan(
                i,
                s,
                &mut strategy,
                &glide_paths,
                &initial,
                &target,
                steps_per_year,
                timeline.age.is_some(),
            )?;
            strategies.push(strategy);
        }
        self.check_withdrawal_timing(&cash_flows, &strategies, household.is_some())?;
        let income = self.incomes(&spec.incomes, &timeline, steps_per_year)?;
        let stresses = self.stresses(&spec.stresses, &spec.assets)?;
        let mortality = self.life_table(&spec)?;
        if strategies.is_empty() {
            return Err(self.err("strategy", "at least one [[strategy]] is needed"));
        }
        if strategies.len() > MAX_STRATEGIES {
            return Err(self.err(
                "strategy",
                format!("{} strategies: at most {MAX_STRATEGIES}", strategies.len()),
            ));
        }
        // Reports key rows, columns and paired differences by strategy name.
        if let Some((i, s)) = strategies.iter().enumerate().find(|(i, s)| {
            strategies[..*i]
                .iter()
                .any(|t| t.name.trim() == s.name.trim())
        }) {
            return Err(self.err(
                &format!("strategy[{i}].name"),
                format!(
                    "`{}` is used twice; strategy names must be unique, because reports key their rows by name",
                    s.name
                ),
            ));
        }
        let baseline = match &sim.baseline {
            None => 0,
            Some(b) => strategies
                .iter()
                .position(|s| &s.name == b)
                .ok_or_else(|| {
                    self.err(
                        "simulation.baseline",
                        one_of(
                            b,
                            &strategies
                                .iter()
                                .map(|s| s.name.as_str())
                                .collect::<Vec<_>>(),
                        ),
                    )
                })?,
        };
        let mut simulation = Simulation {
            name: name.clone(),
            asset_names: spec.assets.iter().map(|a| a.name.clone()).collect(),
            target,
            initial,
            market,
            steps_per_year,
            years,
            cash_flows,
            strategies,
            paths: paths as usize,
            seed: sim.seed as u64,
            baseline,
            income,
            start_age: timeline.age,
            stresses,
            mortality,
            household,
            fee_factors: Vec::new(),
            targets: Vec::new(),
            reserve_growth: Vec::new(),
        };
        simulation.refresh();
        Ok(Scenario {
            name: name.clone(),
            description: spec.description.clone(),
            source: src.to_string(),
            simulation,
        })
    }

    fn initial_holdings(
        &self,
        assets: &[AssetSpec],
        balance: f64,
    ) -> Result<Holdings, ScenarioError> {
        let given = assets.iter().filter(|a| a.initial_weight.is_some()).count();
        if given == 0 {
            let w: Vec<f64> = assets.iter().map(|a| a.target).collect();
            let sum: f64 = w.iter().sum();
            return Ok(Holdings::at_weights(
                balance,
                &w.iter().map(|x| x / sum).collect::<Vec<_>>(),
            ));
        }
        let mut w = Vec::with_capacity(assets.len());
        for (i, a) in assets.iter().enumerate() {
            match a.initial_weight {
                None => {
                    return Err(self.err(
                        &format!("asset[{i}]"),
                        "initial_weight is set for some assets but not this one: set it for every asset or for none",
                    ));
                }
                Some(x) => w.push(self.finite(
                    &format!("asset[{i}].initial_weight"),
                    x,
                    0.0,
                    1.0,
                    "a starting weight",
                )?),
            }
        }
        let sum: f64 = w.iter().sum();
        if (sum - 1.0).abs() > 1e-6 {
            return Err(self.err(
                "asset",
                format!("initial weights sum to {sum}: they must sum to 1"),
            ));
        }
        Ok(Holdings::at_weights(
            balance,
            &w.iter().map(|x| x / sum).collect::<Vec<_>>(),
        ))
    }

    fn dataset(&self, key: &str, value: Option<&str>) -> Result<Dataset, ScenarioError> {
        let v = value.ok_or_else(|| self.err(key, "a data set is needed: \"damodaran\" (annual 1928-2025) or \"shiller\" (monthly 1871-2026)"))?;
        Dataset::from_key(v).ok_or_else(|| self.err(key, one_of(v, &["damodaran", "shiller"])))
    }

    /// Loads the data set (embedded or the user's file), slices the period and converts it
    /// to the step frequency.
    fn history(
        &self,
        m: &MarketSpec,
        dataset: Dataset,
        steps_per_year: u32,
    ) -> Result<HistoricalReturns, ScenarioError> {
        let path = m.data_file.as_ref().map(|f| self.base_dir.join(f));
        let mut data = history::load(dataset, path.as_deref()).map_err(|e| {
            self.err(
                if m.data_file.is_some() {
                    "market.data_file"
                } else {
                    "market.dataset"
                },
                e.to_string(),
            )
        })?;
        if steps_per_year == 1 {
            data = data.to_annual();
        } else if data.steps_per_year != steps_per_year {
            return Err(self.err(
                "simulation.step",
                format!("the {} data set is annual: use step = \"annual\" with it, or the \"shiller\" data set for monthly steps", dataset.key()),
            ));
        }
        if let Some(p) = &m.period {
            if p.len() != 2 || p[0] > p[1] {
                return Err(self.err(
                    "market.period",
                    "give [first_year, last_year] with first_year <= last_year, e.g. [1926, 2025]",
                ));
            }
            data = data
                .slice_years(p[0] as i32, p[1] as i32)
                .map_err(|e| self.err("market.period", e.to_string()))?;
        }
        Ok(data)
    }

    fn series(&self, assets: &[AssetSpec]) -> Result<Vec<SeriesId>, ScenarioError> {
        assets
            .iter()
            .enumerate()
            .map(|(i, a)| {
                let key = format!("asset[{i}].series");
                let s = a.series.as_deref().ok_or_else(|| {
                    self.err(&format!("asset[{i}]"), "this market model reads history: give the asset a `series` (us_stocks, tbills, tbonds_10y, baa_corp, real_estate, gold)")
                })?;
                SeriesId::from_key(s).ok_or_else(|| {
                    self.err(&key, one_of(s, &SeriesId::ALL.map(SeriesId::key)))
                })
            })
            .collect()
    }

    fn forbid(&self, key: &str, present: bool, why: &str) -> Result<(), ScenarioError> {
        if present {
            Err(self.err(key, format!("not used here: {why}")))
        } else {
            Ok(())
        }
    }

    fn market(
        &self,
        m: &MarketSpec,
        assets: &[AssetSpec],
        steps_per_year: u32,
        timeline: &Timeline,
    ) -> Result<MarketModel, ScenarioError> {
        let steps = (timeline.years * steps_per_year) as usize;
        match m.model.as_str() {
            "historical" | "bootstrap" => {
                let rolling = m.model == "historical";
                for (key, present) in [
                    ("market.distribution", m.distribution.is_some()),
                    ("market.degrees_of_freedom", m.degrees_of_freedom.is_some()),
                    ("market.estimate_from", m.estimate_from.is_some()),
                    ("market.correlations", m.correlations.is_some()),
                    ("market.inflation_mean", m.inflation_mean.is_some()),
                    ("market.inflation_vol", m.inflation_vol.is_some()),
                ] {
                    self.forbid(key, present, "only the parametric model takes it")?;
                }
                for (i, a) in assets.iter().enumerate() {
                    self.forbid(
                        &format!("asset[{i}].mean"),
                        a.mean.is_some(),
                        "historical models take returns from the data set's `series`",
                    )?;
                    self.forbid(
                        &format!("asset[{i}].vol"),
                        a.vol.is_some(),
                        "historical models take returns from the data set's `series`",
                    )?;
                }
                let dataset = self.dataset("market.dataset", m.dataset.as_deref())?;
                let series = self.series(assets)?;
                let data = self.history(m, dataset, steps_per_year)?;
                let mode = if rolling {
                    self.forbid("market.block_length", m.block_length.is_some(), "rolling windows replay history in order; use model = \"bootstrap\" for blocks")?;
                    if data.len() < steps {
                        return Err(self.err(
                            "simulation.years",
                            format!(
                                "the horizon needs {steps} steps but the period has {} ({} to {}): shorten the horizon or widen market.period",
                                data.len(),
                                data.label(0),
                                data.label(data.len().saturating_sub(1))
                            ),
                        ));
                    }
                    HistoricalMode::Rolling
                } else {
                    let block = m.block_length.unwrap_or(1);
                    if block < 1 || block as usize > data.len() {
                        return Err(self.err(
                            "market.block_length",
                            format!(
                                "{block}: use 1 to {} steps (the length of the period)",
                                data.len()
                            ),
                        ));
                    }
                    HistoricalMode::Bootstrap {
                        block_steps: block as usize,
                    }
                };
                let mut paths = HistoricalPaths::new(&data, &series, mode)
                    .map_err(|e| self.err("asset", e.to_string()))?;
                if let Some(cohorts) = &m.cohorts {
                    if !rolling {
                        return Err(self.err("market.cohorts", "not used here: cohorts replay history in order; use model = \"historical\""));
                    }
                    if cohorts.is_empty() || cohorts.iter().any(|y| !(1000..=3000).contains(y)) {
                        return Err(self.err(
                            "market.cohorts",
                            "give calendar years of retirement, e.g. [1929, 1966, 2000]",
                        ));
                    }
                    let years: Vec<i32> = cohorts.iter().map(|&y| y as i32).collect();
                    paths = paths
                        .with_cohorts(
                            &years,
                            (timeline.retire_after * steps_per_year) as usize,
                            steps,
                        )
                        .map_err(|e| self.err("market.cohorts", e))?;
                }
                Ok(MarketModel::Historical(paths))
            }
            "parametric" => {
                self.forbid(
                    "market.block_length",
                    m.block_length.is_some(),
                    "only the bootstrap model takes it",
                )?;
                let shocks = match m.distribution.as_deref().unwrap_or("lognormal") {
                    "lognormal" => {
                        self.forbid(
                            "market.degrees_of_freedom",
                            m.degrees_of_freedom.is_some(),
                            "set distribution = \"student_t\" to use it",
                        )?;
                        Shocks::Normal
                    }
                    "student_t" => {
                        let dof = m.degrees_of_freedom.unwrap_or(5.0);
                        if !(dof.is_finite() && dof > 2.0 && dof <= 1000.0) {
                            return Err(self.err("market.degrees_of_freedom", format!("{dof}: must be greater than 2 (finite variance) and at most 1000")));
                        }
                        Shocks::StudentT { dof }
                    }
                    other => {
                        return Err(self.err(
                            "market.distribution",
                            one_of(other, &["lognormal", "student_t"]),
                        ));
                    }
                };
                if let Some(source) = &m.estimate_from {
                    for (key, present) in [
                        ("market.correlations", m.correlations.is_some()),
                        ("market.inflation_mean", m.inflation_mean.is_some()),
                        ("market.inflation_vol", m.inflation_vol.is_some()),
                        ("market.dataset", m.dataset.is_some()),
                    ] {
                        self.forbid(
                            key,
                            present,
                            "with estimate_from, parameters come from the data set",
                        )?;
                    }
                    for (i, a) in assets.iter().enumerate() {
                        self.forbid(
                            &format!("asset[{i}].mean"),
                            a.mean.is_some(),
                            "with estimate_from, means come from the data set",
                        )?;
                        self.forbid(
                            &format!("asset[{i}].vol"),
                            a.vol.is_some(),
                            "with estimate_from, vols come from the data set",
                        )?;
                    }
                    let dataset = self.dataset("market.estimate_from", Some(source))?;
                    let series = self.series(assets)?;
                    let native = match dataset {
                        Dataset::Damodaran => 1,
                        Dataset::Shiller => 12,
                    };
                    let data = self.history(m, dataset, native)?;
                    let p = Parametric::from_history(&data, &series, steps_per_year, shocks)
                        .map_err(|e| self.err("market.estimate_from", e.to_string()))?;
                    return Ok(MarketModel::Parametric(p));
                }
                for (key, present) in [
                    ("market.dataset", m.dataset.is_some()),
                    ("market.data_file", m.data_file.is_some()),
                    ("market.period", m.period.is_some()),
                    ("market.cohorts", m.cohorts.is_some()),
                ] {
                    self.forbid(
                        key,
                        present,
                        "the parametric model uses data only with estimate_from",
                    )?;
                }
                let mut means = Vec::new();
                let mut vols = Vec::new();
                for (i, a) in assets.iter().enumerate() {
                    self.forbid(
                        &format!("asset[{i}].series"),
                        a.series.is_some(),
                        "the parametric model takes `mean` and `vol` (or market.estimate_from)",
                    )?;
                    let need = |v: Option<f64>, k: &str| {
                        v.ok_or_else(|| self.err(&format!("asset[{i}]"), format!("the parametric model needs `{k}` for every asset (annual, e.g. mean = 0.07, vol = 0.17)")))
                    };
                    means.push(self.finite(
                        &format!("asset[{i}].mean"),
                        need(a.mean, "mean")?,
                        -0.99,
                        10.0,
                        "an annual mean return",
                    )?);
                    vols.push(self.finite(
                        &format!("asset[{i}].vol"),
                        need(a.vol, "vol")?,
                        0.0,
                        5.0,
                        "an annual standard deviation",
                    )?);
                }
                let n = assets.len();
                let corr = m.correlations.clone().unwrap_or_else(|| {
                    (0..n)
                        .map(|i| (0..n).map(|j| if i == j { 1.0 } else { 0.0 }).collect())
                        .collect()
                });
                let infl_mean = self.finite(
                    "market.inflation_mean",
                    m.inflation_mean.unwrap_or(0.025),
                    -0.5,
                    1.0,
                    "annual inflation",
                )?;
                let infl_vol = self.finite(
                    "market.inflation_vol",
                    m.inflation_vol.unwrap_or(0.0),
                    0.0,
                    1.0,
                    "the standard deviation of annual inflation",
                )?;
                let p = Parametric::from_arithmetic(
                    &means,
                    &vols,
                    &corr,
                    infl_mean,
                    infl_vol,
                    steps_per_year,
                    shocks,
                )
                .map_err(|e| self.err("market.correlations", e.to_string()))?;
                Ok(MarketModel::Parametric(p))
            }
            other => Err(self.err(
                "market.model",
                one_of(other, &["parametric", "historical", "bootstrap"]),
            )),
        }
    }

    fn cash_flows(
        &self,
        spec: &ScenarioFile,
        timeline: &Timeline,
        steps_per_year: u32,
    ) -> Result<CashFlowPlan, ScenarioError> {
        let c = &spec.cash_flows;
        let contribution = self.finite(
            "cash_flows.contribution",
            c.contribution,
            0.0,
            1e10,
            "dollars per year",
        )?;
        let growth = self.finite(
            "cash_flows.contribution_growth",
            c.contribution_growth,
            -0.5,
            1.0,
            "annual growth",
        )?;
        let withdrawal = self.withdrawal_rule(
            "cash_flows.withdrawal",
            &c.withdrawal.clone().unwrap_or_default(),
            (c.withdrawal_rate, c.withdrawal_amount, c.inflation_adjusted),
            timeline.age.is_some(),
        )?;
        let withdrawal_timing = match c.withdrawal_timing.as_deref() {
            None => WithdrawalTiming::Start,
            Some(key) => WithdrawalTiming::from_key(key).ok_or_else(|| {
                self.err(
                    "cash_flows.withdrawal_timing",
                    one_of(key, &WithdrawalTiming::KEYS),
                )
            })?,
        };
        Ok(CashFlowPlan {
            contribution_per_year: contribution,
            contribution_growth: growth,
            retirement_step: timeline.retire_after * steps_per_year,
            withdrawal,
            expense_ratios: spec.assets.iter().map(|a| a.expense_ratio).collect(),
            withdrawal_timing,
        })
    }

    /// The combinations `withdrawal_timing` does not support: a household's accounts (their
    /// withdrawals go through the account book at the start of each step), and `end_real`
    /// with a rule whose amount is not a constant inflation-adjusted one (carrying a share
    /// of the portfolio or a nominal amount to the day's price level would change the rule).
    fn check_withdrawal_timing(
        &self,
        plan: &CashFlowPlan,
        strategies: &[Strategy],
        has_accounts: bool,
    ) -> Result<(), ScenarioError> {
        let key = "cash_flows.withdrawal_timing";
        let timing = plan.withdrawal_timing;
        if has_accounts && timing != WithdrawalTiming::Start {
            return Err(self.err(
                key,
                format!(
                    "`{}` is not supported with [[account]] tables: a household's withdrawals are taken at the start of each step; remove the key or use \"start\"",
                    timing.key()
                ),
            ));
        }
        if timing == WithdrawalTiming::EndReal {
            for s in strategies {
                let rule = s.withdrawal_rule.as_ref().unwrap_or(&plan.withdrawal);
                let indexed = matches!(
                    rule,
                    WithdrawalRule::None
                        | WithdrawalRule::Constant {
                            inflation_adjusted: true,
                            ..
                        }
                );
                if !indexed {
                    return Err(self.err(
                        key,
                        format!(
                            "\"end_real\" carries a constant inflation-adjusted withdrawal to the price level of the day it is paid; strategy `{}` withdraws by another rule ({}): use \"end\" or a constant inflation-adjusted rule",
                            s.name,
                            rule.describe()
                        ),
                    ));
                }
            }
        }
        Ok(())
    }

    /// A strategy's withdrawal rule, glide path and cash reserve.
    #[allow(clippy::too_many_arguments)]
    fn strategy_plan(
        &self,
        i: usize,
        s: &StrategySpec,
        strategy: &mut Strategy,
        glide_paths: &[(String, GlidePath)],
        initial: &Holdings,
        target: &TargetAllocation,
        steps_per_year: u32,
        has_age: bool,
    ) -> Result<(), ScenarioError> {
        let key = |k: &str| format!("strategy[{i}].{k}");
        if let Some(w) = &s.withdrawal {
            strategy.withdrawal_rule =
                Some(self.withdrawal_rule(&key("withdrawal"), w, (None, None, None), has_age)?);
        }
        match (&s.glide_path, s.return_to_target_months) {
            (Some(_), Some(_)) => {
                return Err(self.err(
                    &key("return_to_target_months"),
                    "give glide_path or return_to_target_months, not both",
                ));
            }
            (Some(name), None) => {
                let g = glide_paths.iter().find(|(n, _)| n == name).ok_or_else(|| {
                    self.err(
                        &key("glide_path"),
                        one_of(
                            name,
                            &glide_paths
                                .iter()
                                .map(|(n, _)| n.as_str())
                                .collect::<Vec<_>>(),
                        ),
                    )
                })?;
                strategy.glide = Some(g.1.clone());
            }
            (None, Some(months)) => {
                if !(1..=600).contains(&months) {
                    return Err(self.err(
                        &key("return_to_target_months"),
                        format!("{months}: use 1 to 600 months"),
                    ));
                }
                let from =
                    TargetAllocation::new(&initial.weights()[..initial.len()]).unwrap_or(*target);
                let steps = ((months as f64) * f64::from(steps_per_year) / 12.0)
                    .round()
                    .max(1.0) as u32;
                strategy.glide = Some(GlidePath::gradual_return(from, *target, steps));
            }
            (None, None) => {}
        }
        if let Some(r) = &s.cash_reserve {
            strategy.reserve = Some(self.cash_reserve(&key("cash_reserve"), r)?);
        }
        Ok(())
    }

    fn strategy(
        &self,
        i: usize,
        s: &StrategySpec,
        target: &TargetAllocation,
        assets: &[AssetSpec],
        steps_per_year: u32,
    ) -> Result<Strategy, ScenarioError> {
        let key = |k: &str| format!("strategy[{i}].{k}");
        check_name(&s.name).map_err(|m| self.err(&key("name"), m))?;
        let calendar = |k: &str, v: &str| -> Result<Calendar, ScenarioError> {
            let c = match v {
                "monthly" => Calendar::Monthly,
                "quarterly" => Calendar::Quarterly,
                "semiannual" => Calendar::SemiAnnual,
                "annual" => Calendar::Annual,
                other => {
                    return Err(self.err(
                        &key(k),
                        one_of(other, &["monthly", "quarterly", "semiannual", "annual"]),
                    ));
                }
            };
            if c.period_steps(steps_per_year).is_none() {
                return Err(self.err(&key(k), format!("\"{v}\" is finer than the annual step: use \"annual\", or simulation.step = \"monthly\"")));
            }
            Ok(c)
        };
        let band = || -> Result<ThresholdBand, ScenarioError> {
            let abs = s
                .band
                .map(|b| {
                    self.finite(
                        &key("band"),
                        b,
                        1e-9,
                        0.5,
                        "a band half-width in weight (0.05 = 5 percentage points)",
                    )
                })
                .transpose()?;
            let rel = s
                .relative_band
                .map(|b| {
                    self.finite(
                        &key("relative_band"),
                        b,
                        1e-9,
                        1.0,
                        "a relative band (0.25 = 25% of each target)",
                    )
                })
                .transpose()?;
            if let Some(a) = abs
                && rel.is_none()
                && let Some((j, t)) = target
                    .weights()
                    .iter()
                    .enumerate()
                    .find(|(_, t)| **t > 0.0 && a > **t + 1e-12)
            {
                return Err(self.err(
                    &key("band"),
                    format!(
                        "the {a} band is wider than the {t} target of `{}`: that asset could fall to zero without a rebalance; narrow the band, or use relative_band (or band with relative_band, the 5/25 rule)",
                        assets[j].name
                    ),
                ));
            }
            match (abs, rel) {
                (Some(a), None) => Ok(ThresholdBand::Absolute(a)),
                (None, Some(r)) => Ok(ThresholdBand::Relative(r)),
                (Some(a), Some(r)) => Ok(ThresholdBand::FiveTwentyFive { absolute: a, relative: r }),
                (None, None) => Err(self.err(&format!("strategy[{i}]"), "a threshold or hybrid rule needs `band` (e.g. 0.05) and/or `relative_band` (e.g. 0.25)")),
            }
        };
        let to = match s.to.as_deref() {
            None | Some("target") => RebalanceTo::Target,
            Some("band_edge") => RebalanceTo::BandEdge,
            Some(other) => {
                return Err(self.err(&key("to"), one_of(other, &["target", "band_edge"])));
            }
        };
        let no_band = |why: &str| -> Result<(), ScenarioError> {
            self.forbid(&key("band"), s.band.is_some(), why)?;
            self.forbid(&key("relative_band"), s.relative_band.is_some(), why)?;
            self.forbid(&key("to"), s.to.is_some(), why)
        };
        let rule = match s.rebalance.as_str() {
            "none" => {
                self.forbid(
                    &key("frequency"),
                    s.frequency.is_some(),
                    "rebalance = \"none\" never looks",
                )?;
                no_band("rebalance = \"none\" never trades")?;
                RebalanceRule::Never
            }
            "calendar" => {
                no_band(
                    "a calendar rule trades whatever the drift; use rebalance = \"hybrid\" for a band checked on a calendar",
                )?;
                let f = s.frequency.as_deref().ok_or_else(|| self.err(&format!("strategy[{i}]"), "a calendar rule needs `frequency`: \"monthly\", \"quarterly\", \"semiannual\" or \"annual\""))?;
                RebalanceRule::Calendar(calendar("frequency", f)?)
            }
            "threshold" => {
                self.forbid(&key("frequency"), s.frequency.is_some(), "a threshold rule looks every step; use rebalance = \"hybrid\" to look on a calendar")?;
                RebalanceRule::Threshold {
                    band: band()?,
                    check: None,
                    to,
                }
            }
            "hybrid" => {
                let f = s.frequency.as_deref().ok_or_else(|| {
                    self.err(
                        &format!("strategy[{i}]"),
                        "a hybrid rule needs `frequency` (how often to look) and a band",
                    )
                })?;
                RebalanceRule::Threshold {
                    band: band()?,
                    check: Some(calendar("frequency", f)?),
                    to,
                }
            }
            other => {
                return Err(self.err(
                    &key("rebalance"),
                    one_of(other, &["none", "calendar", "threshold", "hybrid"]),
                ));
            }
        };
        let contributions = match s.contributions.as_deref() {
            None | Some("pro_rata") => CashFlowRouting::ProRata,
            Some("most_underweight") => CashFlowRouting::MostOffTarget,
            Some("toward_target") => CashFlowRouting::TowardTarget,
            Some(other) => {
                return Err(self.err(
                    &key("contributions"),
                    one_of(other, &["pro_rata", "most_underweight", "toward_target"]),
                ));
            }
        };
        let withdrawals = match s.withdrawals.as_deref() {
            None | Some("pro_rata") => CashFlowRouting::ProRata,
            Some("most_overweight") => CashFlowRouting::MostOffTarget,
            Some("toward_target") => CashFlowRouting::TowardTarget,
            Some(other) => {
                return Err(self.err(
                    &key("withdrawals"),
                    one_of(other, &["pro_rata", "most_overweight", "toward_target"]),
                ));
            }
        };
        Ok(Strategy {
            name: s.name.clone(),
            rule,
            contributions,
            withdrawals,
            withdrawal_rule: None,
            glide: None,
            reserve: None,
            tax: crate::household::TaxPolicy::default(),
        })
    }
}
