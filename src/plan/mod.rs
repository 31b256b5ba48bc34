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
pub mod money;
pub mod source;

pub use date::Date;
pub use error::{InputError, PlanError};
pub use money::Rounding;
