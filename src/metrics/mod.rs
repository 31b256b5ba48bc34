//! What a run produces: per-strategy summary statistics, per-year percentile bands and
//! paired differences between strategies, aggregated while paths run.
//!
//! These types are the contract between the engine and the reports: `report` renders them
//! and never re-simulates.

use serde::{Deserialize, Serialize};

/// The percentiles every distribution is reported at.
pub const PERCENTILES: [f64; 7] = [0.05, 0.10, 0.25, 0.50, 0.75, 0.90, 0.95];

/// A distribution summarised at [`PERCENTILES`].
#[derive(Clone, Copy, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Percentiles {
    pub p5: f64,
    pub p10: f64,
    pub p25: f64,
    pub p50: f64,
    pub p75: f64,
    pub p90: f64,
    pub p95: f64,
}

/// Everything reported about one strategy over all paths.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct StrategySummary {
    pub name: String,
    /// Human description of the rule, e.g. "threshold 5pp, checked monthly, to target".
    pub rule: String,
    /// Share of paths that never missed a withdrawal.
    pub success_rate: f64,
    /// Terminal wealth in nominal dollars (failed paths count as 0).
    pub terminal_nominal: Percentiles,
    pub terminal_nominal_mean: f64,
    /// Terminal wealth in start-of-simulation dollars.
    pub terminal_real: Percentiles,
    pub terminal_real_mean: f64,
    /// Time-weighted annualised return of the portfolio (nominal, after fees), across paths.
    pub cagr: Percentiles,
    /// Annualised volatility of the portfolio's step returns, across paths.
    pub volatility: Percentiles,
    /// Largest peak-to-trough fall of nominal wealth (cash flows included), across paths.
    pub max_drawdown: Percentiles,
    /// Mean number of rebalancing events per path.
    pub rebalances_per_path: f64,
    /// Mean number of asset legs traded per path.
    pub trades_per_path: f64,
    /// Mean one-way turnover per year: half the dollars traded over wealth, summed, per year.
    pub turnover_per_year: f64,
    /// Mean nominal dollars traded per path (buys plus sells).
    pub dollars_traded_per_path: f64,
    /// Mean nominal fees paid per path.
    pub fees_per_path: f64,
}

/// Percentiles of wealth across paths at the end of one simulated year.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct YearlyBand {
    pub strategy: String,
    /// Years since the start (0 = start).
    pub year: u32,
    pub real: Percentiles,
    pub nominal: Percentiles,
    pub real_mean: f64,
    /// Share of paths that have not failed by the end of this year.
    pub solvent_fraction: f64,
}

/// Paired difference of one strategy against a baseline on the same paths.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PairedDifference {
    pub strategy: String,
    pub baseline: String,
    /// Mean over paths of (strategy - baseline) terminal real wealth.
    pub terminal_real_mean_diff: f64,
    /// 95% confidence interval of that mean (normal approximation).
    pub terminal_real_ci95: (f64, f64),
    /// Success rate difference (strategy - baseline).
    pub success_rate_diff: f64,
    pub success_rate_ci95: (f64, f64),
    /// Share of paths where the strategy ends with more real wealth than the baseline.
    pub share_paths_ahead: f64,
}

/// Everything a run produced, ready for reports. `Default` exists so hand-built results
/// (tests, re-rendering) can name only what they need.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct RunResults {
    pub scenario_name: String,
    pub tool_version: String,
    pub seed: u64,
    pub paths: usize,
    pub years: u32,
    pub steps_per_year: u32,
    /// Market model description, e.g. "parametric lognormal (3 assets)" or
    /// "historical rolling windows, Shiller 1871-2026".
    pub market: String,
    pub strategies: Vec<StrategySummary>,
    /// One entry per strategy and year (0..=years), strategies in scenario order.
    pub yearly: Vec<YearlyBand>,
    pub pairs: Vec<PairedDifference>,
    /// Terminal real wealth per strategy, sorted ascending (for distribution charts).
    /// One value per path: memory grows with paths only, never with paths x steps.
    #[serde(skip)]
    pub terminal_real_sorted: Vec<Vec<f64>>,
    /// For historical rolling windows: the label of each path's start ("1966", "1929-09").
    #[serde(skip_serializing_if = "Vec::is_empty", default)]
    pub path_labels: Vec<String>,
    /// For historical rolling windows: terminal real wealth per strategy, in path order.
    #[serde(skip)]
    pub terminal_real_by_path: Vec<Vec<f64>>,
    /// For historical rolling windows: whether each path succeeded, per strategy.
    #[serde(skip)]
    pub success_by_path: Vec<Vec<bool>>,
    /// The household's age at the start, when the scenario has one (for age axes).
    #[serde(default)]
    pub start_age: Option<u32>,
    /// Years from the start to retirement (0 when withdrawals start at once).
    #[serde(default)]
    pub retirement_year: u32,
    /// Spending and sequence-risk figures per strategy, in scenario order.
    #[serde(default)]
    pub retirement: Vec<RetirementSummary>,
    /// Real spending (withdrawals plus income) per strategy and retirement year.
    #[serde(default)]
    pub yearly_spending: Vec<SpendingBand>,
    /// The scenario's stress tests, each run on the same paths as the base case.
    #[serde(default)]
    pub stresses: Vec<StressSummary>,
    /// Taxes and account activity per strategy (households with accounts; else empty).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub taxes: Vec<TaxSummary>,
    /// Tax owed per strategy and year, in start-year dollars (households with accounts).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub yearly_taxes: Vec<SpendingBand>,
    /// What a reader should know about these numbers, in plain words: "all paths are
    /// identical", "every path failed by year 12", ... (see [`notes::notes`]). Empty for an
    /// unremarkable run, and then left out of JSON.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub notes: Vec<String>,
}

/// Spending actually delivered, and how much the first decade of returns decided.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct RetirementSummary {
    pub strategy: String,
    /// Lifetime spending (withdrawals plus income) in start-year dollars, across paths.
    pub spending_real_total: Percentiles,
    /// Real spending per retirement year lived, averaged over paths and years (with a life
    /// table, years after death do not count).
    pub spending_real_per_year_mean: f64,
    /// Annualised real portfolio return over the first ten years of retirement, across paths.
    pub first_decade_real_return: Percentiles,
    /// Share of the variance of terminal real wealth across paths explained by that return
    /// (R squared of a linear fit); `None` when it cannot be computed.
    pub first_decade_r2: Option<f64>,
}

/// What taxes cost one strategy, across paths. Money is in start-year dollars where the
/// name says `real`, else nominal; means are per path.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct TaxSummary {
    pub strategy: String,
    /// Lifetime taxes paid from the portfolio (federal, state, penalties, Medicare's
    /// income-related surcharges).
    pub taxes_real_total: Percentiles,
    pub taxes_real_mean: f64,
    /// Terminal wealth with traditional balances valued after tax at `after_tax_rate`.
    pub after_tax_terminal_real: Percentiles,
    pub after_tax_terminal_real_mean: f64,
    pub after_tax_rate: f64,
    pub realized_gains_mean: f64,
    pub harvested_losses_mean: f64,
    /// Harvested losses lost for good to purchases in IRAs (Rev. Rul. 2008-5).
    pub lost_to_ira_mean: f64,
    pub penalties_mean: f64,
    /// Medicare's income-related surcharges (IRMAA) the portfolio's income caused (absent
    /// from results written before they were modelled).
    #[serde(default)]
    pub medicare_surcharges_mean: f64,
    pub rmds_mean: f64,
    pub conversions_mean: f64,
    pub excess_contributions_mean: f64,
    /// Dollars traded per path in tax-deferred, tax-free and taxable accounts.
    pub traded_deferred_mean: f64,
    pub traded_tax_free_mean: f64,
    pub traded_taxable_mean: f64,
}

/// Percentiles of real spending (or tax) across paths in one year.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SpendingBand {
    pub strategy: String,
    /// Years since the start (the year ending then).
    pub year: u32,
    pub real: Percentiles,
    pub real_mean: f64,
}

/// One stress test's outcome per strategy.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct StressSummary {
    pub name: String,
    pub description: String,
    pub strategies: Vec<StrategySummary>,
}

pub mod accumulate;
pub mod notes;
pub mod quantile;
mod summary;

pub(crate) use summary::summarize;
