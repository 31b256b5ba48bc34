//! The scenario file as written by the user (serde DTOs). Every field's default is stated
//! here and in the README; unknown keys are errors.

use serde::Deserialize;

/// Current scenario format version.
pub const FORMAT_VERSION: u32 = 1;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ScenarioFile {
    /// Format version; must be 1.
    pub version: u32,
    /// Name used in reports; default: the file name without extension.
    pub name: Option<String>,
    /// Free text echoed in reports.
    #[serde(default)]
    pub description: String,
    #[serde(default)]
    pub simulation: SimulationSpec,
    pub market: MarketSpec,
    #[serde(rename = "asset")]
    pub assets: Vec<AssetSpec>,
    #[serde(default)]
    pub portfolio: PortfolioSpec,
    #[serde(default)]
    pub cash_flows: CashFlowSpec,
    #[serde(rename = "strategy")]
    pub strategies: Vec<StrategySpec>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SimulationSpec {
    /// Monte Carlo paths (default 10,000). Ignored by rolling historical windows.
    #[serde(default = "default_paths")]
    pub paths: i64,
    /// Random seed (default 1). Same scenario + same seed = same numbers.
    #[serde(default = "default_seed")]
    pub seed: i64,
    /// Horizon in years (default 30).
    #[serde(default = "default_years")]
    pub years: i64,
    /// "monthly" (default) or "annual".
    #[serde(default = "default_step")]
    pub step: String,
    /// Strategy the others are compared with (default: the first).
    pub baseline: Option<String>,
}

fn default_paths() -> i64 {
    10_000
}
fn default_seed() -> i64 {
    1
}
fn default_years() -> i64 {
    30
}
fn default_step() -> String {
    "monthly".into()
}

impl Default for SimulationSpec {
    fn default() -> Self {
        Self {
            paths: default_paths(),
            seed: default_seed(),
            years: default_years(),
            step: default_step(),
            baseline: None,
        }
    }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MarketSpec {
    /// "parametric", "historical" (rolling windows) or "bootstrap".
    pub model: String,
    /// Historical data set: "damodaran" (annual 1928-2025) or "shiller" (monthly 1871-).
    pub dataset: Option<String>,
    /// Your own copy of the data set's CSV, relative to the scenario file.
    pub data_file: Option<String>,
    /// Inclusive calendar years of history to use, e.g. [1926, 2025]; default all.
    pub period: Option<Vec<i64>>,
    /// Bootstrap block length in steps (default 1 = iid bootstrap).
    pub block_length: Option<i64>,
    /// Parametric: "lognormal" (default) or "student_t".
    pub distribution: Option<String>,
    /// Parametric Student-t degrees of freedom (default 5; must exceed 2).
    pub degrees_of_freedom: Option<f64>,
    /// Parametric: estimate means, vols, correlations and inflation from this data set
    /// instead of giving them.
    pub estimate_from: Option<String>,
    /// Parametric: correlations of the assets' log returns (default: identity).
    pub correlations: Option<Vec<Vec<f64>>>,
    /// Parametric: annual inflation mean (default 0.025).
    pub inflation_mean: Option<f64>,
    /// Parametric: annual inflation standard deviation (default 0).
    pub inflation_vol: Option<f64>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AssetSpec {
    pub name: String,
    /// Household target weight, a fraction (targets must sum to 1).
    pub target: f64,
    /// Historical series: us_stocks, tbills, tbonds_10y, baa_corp, real_estate, gold.
    pub series: Option<String>,
    /// Parametric: annual arithmetic mean return.
    pub mean: Option<f64>,
    /// Parametric: annual standard deviation.
    pub vol: Option<f64>,
    /// Annual expense ratio, a fraction (default 0).
    #[serde(default)]
    pub expense_ratio: f64,
    /// Starting weight if the portfolio has drifted (default: the target).
    pub initial_weight: Option<f64>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PortfolioSpec {
    /// Starting balance in dollars (default 1,000,000).
    #[serde(default = "default_balance")]
    pub initial_balance: f64,
}

fn default_balance() -> f64 {
    1_000_000.0
}

impl Default for PortfolioSpec {
    fn default() -> Self {
        Self {
            initial_balance: default_balance(),
        }
    }
}

#[derive(Debug, Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub struct CashFlowSpec {
    /// Years of contributions before withdrawals start (default 0).
    #[serde(default)]
    pub retire_after_years: i64,
    /// Contribution per year, nominal dollars (default 0).
    #[serde(default)]
    pub contribution: f64,
    /// Annual growth of contributions (default 0).
    #[serde(default)]
    pub contribution_growth: f64,
    /// First-year withdrawal as a share of wealth at retirement, e.g. 0.04.
    pub withdrawal_rate: Option<f64>,
    /// Withdrawal per year in start-of-simulation dollars.
    pub withdrawal_amount: Option<f64>,
    /// Raise withdrawals with inflation each retirement year (default true).
    #[serde(default = "default_true")]
    pub inflation_adjusted: bool,
}

fn default_true() -> bool {
    true
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StrategySpec {
    pub name: String,
    /// "none", "calendar", "threshold" or "hybrid".
    pub rebalance: String,
    /// calendar: how often to trade; hybrid: how often to look.
    /// "monthly", "quarterly", "semiannual" or "annual".
    pub frequency: Option<String>,
    /// Absolute band half-width in weight, e.g. 0.05 for +/-5 percentage points.
    pub band: Option<f64>,
    /// Relative band as a share of each target, e.g. 0.25. With `band` too: the 5/25 rule.
    pub relative_band: Option<f64>,
    /// threshold/hybrid: "target" (default) or "band_edge".
    pub to: Option<String>,
    /// Where contributions go: "pro_rata" (default), "most_underweight", "toward_target".
    pub contributions: Option<String>,
    /// Where withdrawals come from: "pro_rata" (default), "most_overweight", "toward_target".
    pub withdrawals: Option<String>,
}
