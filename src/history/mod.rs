//! Historical return series shipped in `data/`: Damodaran's annual US returns (1928-2025)
//! and Shiller's monthly S&P composite and GS10 data (1871-).
//!
//! The CSV files are embedded in the binary (they are small), so a run never depends on the
//! working directory; a scenario may point at its own copy instead. Every loader validates
//! what it reads: no gaps in dates, plausible ranges, no missing values.
//! Provenance and the total-return formulas are in `data/SOURCES.md`.

/// The shipped data sets.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Dataset {
    /// Aswath Damodaran, NYU Stern, `histretSP.xls`, January 2026 edition: annual, 1928-2025.
    Damodaran,
    /// Robert J. Shiller, `ie_data.xls`, May 2026 update: monthly, 1871-01 to 2026-03.
    Shiller,
}

/// A return series an asset class can be mapped to.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum SeriesId {
    /// S&P 500 / S&P composite total return (price plus dividends).
    UsStocks,
    /// 3-month Treasury bills.
    Tbills,
    /// 10-year constant-maturity Treasury, total return.
    Tbonds10y,
    /// Moody's Baa corporate bonds, total return.
    BaaCorp,
    /// US home prices (price only, no rent).
    RealEstate,
    /// Gold price change.
    Gold,
}

/// Periodic simple returns and inflation, aligned step by step.
#[derive(Clone, Debug, PartialEq)]
pub struct HistoricalReturns {
    pub dataset: Dataset,
    /// 1 (annual) or 12 (monthly).
    pub steps_per_year: u32,
    /// Calendar year of the first step.
    pub first_year: i32,
    /// Calendar month (1-12) of the first step; 1 for annual data.
    pub first_month: u32,
    /// Simple returns per step for each available series, all of the same length.
    pub series: Vec<(SeriesId, Vec<f64>)>,
    /// CPI change per step (simple), same length as the series.
    pub inflation: Vec<f64>,
}

mod error;
mod ids;
mod load;
mod returns;

pub use error::{DataError, SequenceProblem};
pub use load::*;

#[cfg(test)]
mod tests;
