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
    /// The people: ages set the horizon, the retirement date and income start dates.
    pub household: Option<HouseholdSpec>,
    #[serde(default, rename = "income")]
    pub incomes: Vec<IncomeSpec>,
    #[serde(default, rename = "glide_path")]
    pub glide_paths: Vec<GlidePathSpec>,
    #[serde(default, rename = "stress")]
    pub stresses: Vec<StressSpec>,
    /// The household's accounts; with them the simulation tracks accounts, tax lots and
    /// taxes (needs [household]).
    #[serde(default, rename = "account")]
    pub accounts: Vec<AccountSpec>,
    /// Tax facts for a household with accounts.
    pub taxes: Option<TaxesSpec>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AccountSpec {
    pub name: String,
    /// "401k", "roth_401k", "traditional_ira", "roth_ira", "taxable" or "hsa".
    pub kind: String,
    /// "self" (default) or "spouse".
    pub owner: Option<String>,
    /// Balance at the start, dollars; spread over assets by [taxes] location ...
    pub balance: Option<f64>,
    /// ... or dollars per asset, in [[asset]] order.
    pub holdings: Option<Vec<f64>>,
    /// Taxable account: cost basis as a share of the starting value (default 1: no gain).
    /// Traditional IRA: the after-tax share of the balance, from non-deductible
    /// contributions (Form 8606; default 0).
    pub basis: Option<f64>,
    /// Taxable account: months the starting holdings have been held (default: more than a
    /// year, so long-term from the start).
    pub held_months: Option<f64>,
    /// The owner's contribution per year, start-year dollars (default 0); grows with
    /// cash_flows.contribution_growth, capped at the legal limit.
    pub contribution: Option<f64>,
    /// Employer match per dollar contributed (e.g. 0.5) ...
    pub employer_match: Option<f64>,
    /// ... on contributions up to this share of wages (e.g. 0.06).
    pub match_cap: Option<f64>,
    /// HSA: "self_only" (default) or "family".
    pub coverage: Option<String>,
    /// Roth IRA: what the income phase-out keeps out goes in through the back door, a
    /// non-deductible traditional IRA contribution converted at once (default false).
    pub backdoor: Option<bool>,
}

#[derive(Debug, Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub struct TaxesSpec {
    /// "single" (default), "mfj" or "hoh" ("mfs" is rejected: see the loader).
    pub filing_status: Option<String>,
    /// Flat state income tax on federal taxable income (default 0).
    pub state_rate: Option<f64>,
    /// Rate at which traditional balances are valued in after-tax wealth (default 0.22).
    pub after_tax_rate: Option<f64>,
    /// Where assets sit at the start when accounts give a `balance`: "tax_efficient"
    /// (default: income-paying assets in tax-deferred accounts first) or "pro_rata".
    pub location: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HouseholdSpec {
    /// Age at the start of the simulation.
    pub age: i64,
    /// Default: start_year - age.
    pub birth_year: Option<i64>,
    /// Calendar year of the start (default 2026).
    pub start_year: Option<i64>,
    /// Withdrawals start at this age (instead of cash_flows.retire_after_years).
    pub retirement_age: Option<i64>,
    /// The plan must last to this age (instead of simulation.years).
    pub horizon_age: Option<i64>,
    /// A period life table (`age,qx` CSV with a `# source: ...` line), relative to the
    /// scenario file: each path then ends at a drawn age of death (at most horizon_age).
    pub mortality_file: Option<String>,
    /// A spouse's age at the start (accounts and taxes).
    pub spouse_age: Option<i64>,
    /// Wages per year in start-year dollars until retirement (accounts and taxes).
    pub wages: Option<f64>,
    pub spouse_wages: Option<f64>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct IncomeSpec {
    pub name: String,
    /// "social_security", "spousal" or "pension".
    pub kind: String,
    /// Social Security: monthly primary insurance amount at full retirement age, in
    /// start-year dollars. Spousal: the worker's PIA.
    pub pia: Option<f64>,
    /// Spousal: the spouse's own PIA (default 0).
    pub own_pia: Option<f64>,
    /// Birth year of the person receiving it (default: the household's).
    pub birth_year: Option<i64>,
    /// Social Security / spousal: claiming age, 62 to 70 (fractions allowed, e.g. 66.5).
    pub claim_age: Option<f64>,
    /// Pension: dollars per year.
    pub amount: Option<f64>,
    /// Pension: age at which it starts (household age).
    pub start_age: Option<i64>,
    /// Pension: raised with inflation (default false: fixed nominal).
    pub cola: Option<bool>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GlidePathSpec {
    pub name: String,
    /// "linear" (default) or "step".
    pub interpolation: Option<String>,
    pub points: Vec<GlidePointSpec>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GlidePointSpec {
    /// Household age of this point (needs [household]) ...
    pub age: Option<f64>,
    /// ... or years from the start.
    pub year: Option<f64>,
    /// One weight per asset, in [[asset]] order, summing to 1.
    pub weights: Vec<f64>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StressSpec {
    pub name: String,
    /// "crash", "worst_years_first" or "reverse".
    pub kind: String,
    /// crash: the fall, e.g. 0.3 for -30%.
    pub drop: Option<f64>,
    /// crash: names of the assets that fall.
    pub assets: Option<Vec<String>>,
    /// worst_years_first: how many years.
    pub years: Option<i64>,
}

/// A withdrawal rule and its parameters (in [cash_flows] or a strategy's `withdrawal`).
#[derive(Debug, Deserialize, Default, Clone)]
#[serde(deny_unknown_fields)]
pub struct WithdrawalSpec {
    /// "constant" (default), "percent", "guardrails", "vpw", "floor_ceiling" or "rmd".
    pub rule: Option<String>,
    /// First-year rate (constant, guardrails) or yearly rate (percent, floor_ceiling).
    pub rate: Option<f64>,
    /// constant: spending need in start-year dollars per year (instead of `rate`).
    pub amount: Option<f64>,
    /// constant: raise with inflation (default true).
    pub inflation_adjusted: Option<bool>,
    /// vpw: assumed real return (default 0.03).
    pub real_return: Option<f64>,
    /// floor_ceiling: bounds as shares of the first year's real withdrawal
    /// (defaults 0.9 and 1.2).
    pub floor: Option<f64>,
    pub ceiling: Option<f64>,
    /// guardrails: 1.2, 0.8, 0.10, 0.10 and 15 by default (Guyton and Klinger 2006).
    pub upper: Option<f64>,
    pub lower: Option<f64>,
    pub cut: Option<f64>,
    pub raise: Option<f64>,
    pub no_cut_final_years: Option<i64>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CashReserveSpec {
    /// Years of withdrawals to hold in cash.
    pub years: f64,
    /// "always" (default) or "after_gains".
    pub refill: Option<String>,
    /// Annual interest on the reserve (default 0).
    pub rate: Option<f64>,
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
    /// Horizon in years (default 30, or from household.horizon_age).
    pub years: Option<i64>,
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
fn default_step() -> String {
    "monthly".into()
}

impl Default for SimulationSpec {
    fn default() -> Self {
        Self {
            paths: default_paths(),
            seed: default_seed(),
            years: None,
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
    /// Historical rolling windows only: replay just these retirement cohorts, e.g.
    /// [1929, 1966, 2000]: each path's retirement starts in January of that year.
    pub cohorts: Option<Vec<i64>>,
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
    /// With accounts: income paid per year as a share of value (default 0), taxed each
    /// year in the taxable account ...
    #[serde(rename = "yield")]
    pub income_yield: Option<f64>,
    /// ... as "qualified" dividends (default) or "ordinary" income (interest).
    pub income: Option<String>,
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
    /// Years of contributions before withdrawals start (default 0, or from
    /// household.retirement_age).
    pub retire_after_years: Option<i64>,
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
    pub inflation_adjusted: Option<bool>,
    /// The withdrawal rule and its parameters; `withdrawal_rate`/`withdrawal_amount` above
    /// are the `rate`/`amount` of the default "constant" rule.
    pub withdrawal: Option<WithdrawalSpec>,
    /// When a step's withdrawal is paid: "start" (default), "monthly", "end" or "end_real".
    pub withdrawal_timing: Option<String>,
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
    /// This strategy's withdrawal rule (default: the one in [cash_flows]).
    pub withdrawal: Option<WithdrawalSpec>,
    /// Name of a [[glide_path]] the target follows.
    pub glide_path: Option<String>,
    /// Move from the assets' initial weights to the target in a straight line over this
    /// many months (a gradual return to target).
    pub return_to_target_months: Option<i64>,
    /// Hold some years of withdrawals in cash.
    pub cash_reserve: Option<CashReserveSpec>,
    /// With accounts: "advantaged_first" (default) or "per_account".
    pub accounts: Option<String>,
    /// With accounts: "taxable_first" (default), "proportional" or "fill_bracket".
    pub withdrawal_order: Option<String>,
    /// fill_bracket: the bracket's rate (default 0.12).
    pub fill_bracket: Option<f64>,
    /// With accounts: "tax_optimal" (default), "hifo" or "fifo".
    pub lot_method: Option<String>,
    /// Tax-loss harvesting: sell lots whose loss exceeds this share of basis (e.g. 0.05).
    pub harvest_losses: Option<f64>,
    pub roth_conversion: Option<RothConversionSpec>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RothConversionSpec {
    /// Dollars per year in start-year dollars ...
    pub amount: Option<f64>,
    /// ... or up to the top of the bracket with this rate, e.g. 0.22.
    pub fill_bracket: Option<f64>,
    /// Ages of the primary person (inclusive) during which to convert.
    pub from_age: i64,
    pub to_age: i64,
}
