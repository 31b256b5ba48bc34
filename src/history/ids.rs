//! Names, descriptions and embedded files of the data sets and series.

use super::{Dataset, SeriesId};

impl SeriesId {
    /// Every series, in the column order of `us_annual_returns.csv`.
    pub const ALL: [SeriesId; 6] = [
        SeriesId::UsStocks,
        SeriesId::Tbills,
        SeriesId::Tbonds10y,
        SeriesId::BaaCorp,
        SeriesId::RealEstate,
        SeriesId::Gold,
    ];

    /// The stable key used in scenario files and as the CSV column name.
    pub fn key(self) -> &'static str {
        match self {
            SeriesId::UsStocks => "us_stocks",
            SeriesId::Tbills => "tbills",
            SeriesId::Tbonds10y => "tbonds_10y",
            SeriesId::BaaCorp => "baa_corp",
            SeriesId::RealEstate => "real_estate",
            SeriesId::Gold => "gold",
        }
    }

    /// The series with this key (exact, as returned by [`SeriesId::key`]).
    pub fn from_key(s: &str) -> Option<SeriesId> {
        SeriesId::ALL.into_iter().find(|id| id.key() == s)
    }

    /// A one-line human description, including the main caveat of the series.
    pub fn describe(self) -> &'static str {
        match self {
            SeriesId::UsStocks => {
                "US large-cap stocks (S&P 500 / S&P composite), total return with dividends"
            }
            SeriesId::Tbills => "3-month US Treasury bills (Damodaran: average rate over the year)",
            SeriesId::Tbonds10y => {
                "10-year US Treasury bond, total return (par bond repriced at the new yield)"
            }
            SeriesId::BaaCorp => {
                "Moody's Baa corporate bonds, total return (medium confidence, revised between editions)"
            }
            SeriesId::RealEstate => {
                "US home prices, price change only (rental income not included)"
            }
            SeriesId::Gold => "gold price change (price fixed before 1971)",
        }
    }
}

impl Dataset {
    /// Every shipped data set.
    pub const ALL: [Dataset; 2] = [Dataset::Damodaran, Dataset::Shiller];

    /// The stable key used in scenario files.
    pub fn key(self) -> &'static str {
        match self {
            Dataset::Damodaran => "damodaran",
            Dataset::Shiller => "shiller",
        }
    }

    /// The data set with this key (exact, as returned by [`Dataset::key`]).
    pub fn from_key(s: &str) -> Option<Dataset> {
        Dataset::ALL.into_iter().find(|d| d.key() == s)
    }

    /// One line of attribution: publisher, file, edition.
    pub fn citation(self) -> &'static str {
        match self {
            Dataset::Damodaran => {
                "Aswath Damodaran (NYU Stern), histretSP.xls \"Historical Returns on Stocks, Bonds and Bills\", January 2026 edition (annual, 1928-2025)"
            }
            Dataset::Shiller => {
                "Robert J. Shiller (Yale), ie_data.xls \"U.S. Stock Markets 1871-Present and CAPE Ratio\", May 2026 update (monthly, 1871-01 to 2026-03)"
            }
        }
    }

    /// The shipped CSV file, embedded in the binary.
    pub fn embedded_csv(self) -> &'static str {
        match self {
            Dataset::Damodaran => include_str!("../../data/us_annual_returns.csv"),
            Dataset::Shiller => include_str!("../../data/shiller_monthly.csv"),
        }
    }

    /// The file name of the shipped CSV, used as the source name in error messages.
    pub fn file_name(self) -> &'static str {
        match self {
            Dataset::Damodaran => "us_annual_returns.csv",
            Dataset::Shiller => "shiller_monthly.csv",
        }
    }
}
