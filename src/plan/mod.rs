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
pub mod source;
pub mod tax;
pub mod trades;

pub use date::Date;
pub use error::{InputError, PlanError};
pub use holdings::{AccountKind, BandTarget, Holdings};
pub use money::Rounding;

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
