//! One year of US federal income tax for a household of one or two people (pure, no I/O).
//!
//! The rules are written once, generic over [`Amount`], and serve two callers: the Monte
//! Carlo engine in `f64` (allocation-free, for the inner loop) and the exact one-year
//! estimate of `driftlab tax` in `rust_decimal::Decimal`.
//!
//! * [`amount`]: the numeric trait.
//! * [`filing`]: the filing status, [`FilingStatus`].
//! * [`law`]: [`TaxLaw`], one year's parameters (2025, 2026, or 2026 indexed by a price level).
//! * [`brackets`]: ordinary brackets and the qualified dividends / capital gain worksheet.
//! * [`social_security`]: the taxable part of benefits (Pub. 915).
//! * [`capital`]: gain and loss netting, the $3,000 limit and the carry-forward.
//! * [`income_limits`]: the Roth IRA phase-out and the Roth catch-up wage test.
//! * [`deductions`]: standard deduction with the 65+ add-on, and the senior deduction.
//! * [`year`]: [`compute`], putting the above together in the order of the law.
//!
//! Not modelled: itemized deductions, credits, AMT, FICA, tax-exempt interest, blindness,
//! state tax rules beyond a flat rate on federal taxable income.

pub mod amount;
pub mod brackets;
pub mod capital;
pub mod deductions;
pub mod filing;
pub mod income_limits;
pub mod law;
pub mod social_security;
pub mod year;

#[cfg(test)]
mod tests;

pub use amount::Amount;
pub use capital::LossCarry;
pub use filing::FilingStatus;
pub use law::TaxLaw;
pub use year::{TaxBreakdown, YearIncome, compute, marginal_rate};
