//! driftlab: when to rebalance, where, what it costs, and what it does to the odds.
//!
//! The library is layered so that each module is one concept of the domain:
//!
//! * [`history`]: the shipped historical return series (Damodaran annual, Shiller monthly),
//!   parsed and validated.
//! * [`market`]: market models that turn history or parameters into per-path returns.
//! * [`portfolio`]: target allocations and the holdings of one simulated portfolio.
//! * [`rebalance`]: rebalancing rules (calendar, threshold bands, hybrid) and where new
//!   money goes / withdrawals come from.
//! * [`cashflow`]: contributions and fees over time.
//! * [`withdrawal`]: withdrawal rules (constant real, percent of portfolio, guardrails,
//!   VPW, floor-and-ceiling, RMD method).
//! * [`glide`]: target allocations that move over time.
//! * [`income`]: Social Security and pensions.
//! * [`mortality`]: probabilistic lifetimes from a period life table.
//! * [`strategy`]: a named combination of the rules above, compared on the same paths.
//! * [`stress`]: sequence-of-returns stress tests (crash, worst years first, reversal).
//! * [`engine`]: the Monte Carlo / backtest driver (rayon over paths, deterministic).
//! * [`metrics`]: streaming aggregation of path outcomes into summary statistics.
//! * [`scenario`]: the versioned TOML scenario format and its validation.
//! * [`report`]: tables (CSV, Parquet, JSON), charts (PNG, SVG) and `report.html` from results.
//! * [`sweep`]: parameter sweeps: one scenario on a grid of values, on common random numbers.
//! * [`plan`]: `driftlab plan`, an exact trade list (rust_decimal, to the cent) for today's
//!   holdings; independent of the simulation.
//! * [`tax`]: one year of US federal income tax (brackets, Social Security, capital gains,
//!   NIIT, senior deduction), generic over `f64` (simulation) and `Decimal` (estimate).
//! * [`validation`]: `driftlab validate-studies`, reproductions of published studies
//!   (Trinity, Bengen, Vanguard, Early Retirement Now) that regenerate `VALIDATION.md`.
//! * [`cli`]: the `driftlab` command line, a thin shell over the above.
//!
//! The simulation core (`market`, `portfolio`, `rebalance`, `cashflow`, `engine`, `metrics`)
//! does no I/O and uses `f64` money; exact money lives in the trade-plan code.

pub mod cashflow;
pub mod cli;
pub mod engine;
pub mod glide;
pub mod history;
pub mod household;
pub mod income;
pub mod market;
pub mod metrics;
pub mod mortality;
pub mod plan;
pub mod portfolio;
pub mod rebalance;
pub mod report;
pub mod scenario;
mod simd;
pub mod strategy;
pub mod stress;
pub mod sweep;
pub mod tax;
pub mod validation;
pub mod withdrawal;
