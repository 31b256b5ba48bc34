//! Errors from reading and validating historical data.

use std::fmt;

/// What is wrong with a date that does not follow the previous one.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SequenceProblem {
    /// One or more periods are missing between two rows.
    Gap,
    /// The same period appears twice.
    Duplicate,
    /// A date is earlier than the row before it.
    OutOfOrder,
}

impl fmt::Display for SequenceProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            SequenceProblem::Gap => "gap in dates",
            SequenceProblem::Duplicate => "duplicate date",
            SequenceProblem::OutOfOrder => "date out of order",
        })
    }
}

/// A problem found while reading a historical data file.
///
/// Every variant that concerns a place in a file names the file (`file`: the path or source
/// name that was passed in), the 1-based line number as seen in a text editor, and where it
/// applies the column name, and says what was found and what is allowed.
#[derive(Debug, thiserror::Error)]
pub enum DataError {
    /// The file could not be read.
    #[error("cannot read {path}: {source}")]
    Io {
        path: String,
        #[source]
        source: std::io::Error,
    },

    /// The file has no header and no data (empty or only blank/comment lines).
    #[error(
        "{file}, line 1: the file is empty; expected a header line `{expected_header}` followed by data rows"
    )]
    EmptyFile {
        file: String,
        expected_header: &'static str,
    },

    /// Fewer data rows than needed (for example a header with no rows below it).
    #[error(
        "{file}, line {line}: found {found} data row(s) after the header, need at least {needed}"
    )]
    TooFewRows {
        file: String,
        /// The header line.
        line: u64,
        found: usize,
        needed: usize,
    },

    /// A required column is missing from the header (absent or renamed).
    #[error(
        "{file}, line {line}, column `{column}`: required column is missing from the header (found: {found}); the header must contain the columns {expected}"
    )]
    MissingColumn {
        file: String,
        /// The header line.
        line: u64,
        column: &'static str,
        found: String,
        expected: &'static str,
    },

    /// A row has a different number of fields than the header.
    #[error(
        "{file}, line {line}, column count: the row has {found} field(s) but the header on line {header_line} has {expected}; every row needs exactly one value per header column"
    )]
    ColumnCount {
        file: String,
        line: u64,
        found: usize,
        expected: usize,
        header_line: u64,
    },

    /// A value that should be a number is not one.
    #[error(
        "{file}, line {line}, column `{column}`: `{text}` is not a number; expected a decimal number such as {example}"
    )]
    BadNumber {
        file: String,
        line: u64,
        column: &'static str,
        text: String,
        example: &'static str,
    },

    /// A number is NaN or infinite.
    #[error(
        "{file}, line {line}, column `{column}`: `{text}` is not a finite number; NaN and infinity are not allowed, every value must be a finite decimal number"
    )]
    NotFinite {
        file: String,
        line: u64,
        column: &'static str,
        text: String,
    },

    /// A value (read or computed from the row and the one before it) is implausible.
    #[error(
        "{file}, line {line}, column `{column}`: {what} is {value}, outside the plausible range: {allowed}"
    )]
    OutOfRange {
        file: String,
        line: u64,
        column: &'static str,
        /// What was checked, e.g. "annual return" or "monthly stock total return".
        what: &'static str,
        value: f64,
        /// The allowed range, in words.
        allowed: &'static str,
    },

    /// A date field cannot be parsed.
    #[error(
        "{file}, line {line}, column `{column}`: `{text}` is not a valid date; expected {expected}"
    )]
    BadDate {
        file: String,
        line: u64,
        column: &'static str,
        text: String,
        expected: &'static str,
    },

    /// A date does not directly follow the previous row's date.
    #[error(
        "{file}, line {line}, column `{column}`: {problem}: {found} follows {previous} (line {previous_line}); expected {expected}, as dates must be consecutive {unit} with no gaps, repeats or reordering"
    )]
    DateSequence {
        file: String,
        line: u64,
        column: &'static str,
        problem: SequenceProblem,
        found: String,
        previous: String,
        previous_line: u64,
        expected: String,
        /// "years" or "months".
        unit: &'static str,
    },

    /// [`HistoricalReturns::slice_years`](super::HistoricalReturns::slice_years) asked for
    /// years the data does not cover.
    #[error(
        "years {from} to {to} are not available in the {dataset} data, which covers {available}"
    )]
    YearsOutOfRange {
        dataset: &'static str,
        from: i32,
        to: i32,
        available: String,
    },
}
