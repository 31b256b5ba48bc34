//! `driftlab plan HOLDINGS.toml`: an exact trade list, to the cent, for today's holdings.
//!
//! Independent of the simulation, and in `rust_decimal` money throughout:
//!
//! * [`holdings`]: the holdings file format and its validation (errors name the field).
//! * [`trades`]: the rebalancing arithmetic and the per-account trade allocation.
//! * [`lots`]: lot selection in taxable accounts and realized gains.
//! * [`tax`]: marginal rates (given or from the 2026 brackets) and the tax estimate.
//! * [`limits`]: 2026 contribution limits by account kind and age.
//! * [`wash`]: wash-sale warnings.
//! * [`planner`]: puts the above together for one mode into a [`Plan`].
//! * [`render`]: the human table, CSV and JSON.
//! * [`money`], [`date`], [`source`], [`error`]: exact money, dates, spans, errors.

pub mod date;
pub mod error;
pub mod holdings;
pub mod limits;
pub mod lots;
pub mod money;
pub mod planner;
pub mod render;
pub mod source;
pub mod tax;
pub mod trades;
pub mod wash;

#[cfg(test)]
mod tests;

pub use date::Date;
pub use error::{InputError, PlanError};
pub use holdings::{AccountKind, BandTarget, Holdings};
pub use money::Rounding;
pub use planner::{Options, Plan};

use std::path::PathBuf;

/// What the plan does.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum, serde::Deserialize, serde::Serialize,
)]
#[serde(rename_all = "kebab-case")]
pub enum PlanMode {
    /// Sell overweight and buy underweight asset classes back to the target.
    Rebalance,
    /// Split new money (no selling) as close to the target as possible.
    #[serde(alias = "contribution")]
    Contributions,
    /// The one-time contribution that reaches the target without selling, checked against the
    /// contribution limit.
    #[serde(alias = "over_contribution", alias = "overcontribution")]
    OverContribution,
    /// Trade only asset classes outside their band, to the target or the band edge.
    Bands,
}

/// Output format.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum)]
pub enum PlanFormat {
    /// A readable table.
    #[default]
    Human,
    /// One row per trade (one per lot for taxable sales).
    Csv,
    /// The whole plan.
    Json,
}

/// `driftlab plan`: an exact trade list for today's holdings.
#[derive(Debug, clap::Args)]
pub struct PlanArgs {
    /// Holdings file (TOML)
    pub holdings: PathBuf,
    /// Output format: human | csv | json
    #[arg(long, value_enum, default_value = "human")]
    pub format: PlanFormat,
    /// Override the file's mode: rebalance | contributions | over-contribution | bands
    #[arg(long, value_enum)]
    pub mode: Option<PlanMode>,
    /// New money to split in contributions mode, in dollars (e.g. 6000 or 6000.00); implies
    /// --mode contributions
    #[arg(long, value_name = "AMOUNT")]
    pub contribution: Option<String>,
    /// The account (by name) that receives a contribution
    #[arg(long, value_name = "NAME")]
    pub account: Option<String>,
    /// Absolute band in percentage points (5 = +/-5 points around the target); implies --mode bands
    #[arg(long, value_name = "POINTS")]
    pub band: Option<String>,
    /// Relative band in percent of the target weight (25 = +/-25% of the target); implies --mode bands
    #[arg(long, value_name = "PERCENT")]
    pub band_relative: Option<String>,
    /// Rebalance out-of-band classes to the target or only to the band edge; implies --mode bands
    #[arg(long, value_enum, value_name = "TO")]
    pub band_to: Option<BandTarget>,
    /// Rounding rule for cents: half-even (banker's, default) | half-up
    #[arg(long, value_enum)]
    pub rounding: Option<Rounding>,
    /// Plan date (YYYY-MM-DD); default: the file's plan_date, else today
    #[arg(long, value_name = "DATE")]
    pub date: Option<String>,
}

fn band_flag(flag: &str, v: &Option<String>) -> Result<Option<rust_decimal::Decimal>, PlanError> {
    let Some(s) = v else { return Ok(None) };
    let p = money::parse_percent(s).map_err(|m| PlanError::flag(flag, m))?;
    if p <= rust_decimal::Decimal::ZERO || p >= rust_decimal::Decimal::ONE_HUNDRED {
        return Err(PlanError::flag(
            flag,
            format!("{p} is out of range; allowed: more than 0 and less than 100"),
        ));
    }
    Ok(Some(p / rust_decimal::Decimal::ONE_HUNDRED))
}

impl PlanArgs {
    /// The command-line choices that override the file.
    pub fn options(&self) -> Result<Options, PlanError> {
        let contribution = match &self.contribution {
            Some(s) => {
                let v = money::parse_money(s).map_err(|m| PlanError::flag("--contribution", m))?;
                if v.is_sign_negative() && !v.is_zero() {
                    return Err(PlanError::flag(
                        "--contribution",
                        format!("{v} is negative; allowed: zero or a positive dollar amount"),
                    ));
                }
                Some(v)
            }
            None => None,
        };
        let plan_date = match &self.date {
            Some(s) => Some(Date::parse(s).ok_or_else(|| {
                PlanError::flag(
                    "--date",
                    format!("{s:?} is not a valid date; allowed: YYYY-MM-DD, e.g. 2026-03-02"),
                )
            })?),
            None => None,
        };
        // A band or a contribution on the command line implies its mode unless --mode says otherwise.
        let implied =
            if self.band.is_some() || self.band_relative.is_some() || self.band_to.is_some() {
                Some(PlanMode::Bands)
            } else if self.contribution.is_some() {
                Some(PlanMode::Contributions)
            } else {
                None
            };
        Ok(Options {
            mode: self.mode.or(implied),
            plan_date,
            rounding: self.rounding,
            contribution,
            account: self.account.clone(),
            band_absolute: band_flag("--band", &self.band)?,
            band_relative: band_flag("--band-relative", &self.band_relative)?,
            band_to: self.band_to,
        })
    }
}

/// Reads and validates a holdings file and builds its plan.
pub fn plan_file(path: &std::path::Path, options: &Options) -> Result<Plan, PlanError> {
    let file = path.display().to_string();
    let text = std::fs::read_to_string(path).map_err(|source| {
        if source.kind() == std::io::ErrorKind::InvalidData {
            PlanError::input(InputError {
                file: file.clone(),
                path: None,
                line: None,
                column: None,
                message: "it is not UTF-8 text; a holdings file is a TOML text file (UTF-8)".into(),
                excerpt: None,
            })
        } else {
            PlanError::Read {
                file: file.clone(),
                source,
            }
        }
    })?;
    let holdings = Holdings::parse(&file, &text)?;
    planner::build(&holdings, options)
}

/// Writes a plan in `format`.
pub fn write_plan(
    plan: &Plan,
    format: PlanFormat,
    out: &mut dyn std::io::Write,
) -> Result<(), PlanError> {
    match format {
        PlanFormat::Human => out
            .write_all(render::human(plan).as_bytes())
            .map_err(PlanError::Output),
        PlanFormat::Csv => render::csv(plan, out),
        PlanFormat::Json => render::json(plan, out),
    }
}

/// The `driftlab plan` command: reads the holdings, plans, writes the plan to `out`.
pub fn run_command(args: &PlanArgs, out: &mut dyn std::io::Write) -> Result<(), PlanError> {
    let options = args.options()?;
    let plan = plan_file(&args.holdings, &options)?;
    write_plan(&plan, args.format, out)?;
    out.flush().map_err(PlanError::Output)
}
