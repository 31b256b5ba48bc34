//! Historical data loaders: CSV parsing, validation and total-return construction.
//!
//! Both formats are plain comma-separated text with a header line (numbers only, so no
//! quoting is needed: a field wrapped in double quotes is unwrapped, but a comma inside quotes
//! is not supported). Columns are found by name (case and surrounding spaces ignored; extra
//! columns are allowed and ignored), blank lines and lines starting with `#` are skipped, LF
//! and CRLF line ends both work, and every row must have exactly as many fields as the
//! header. Line numbers in errors are 1-based, as shown in a text editor.

// A `DataError` is built once, when a file fails to load: its size (the date-sequence
// error's four strings) costs nothing, and boxing it would put a box in every caller's match.
#![allow(clippy::result_large_err)]

use std::path::Path;

use super::{DataError, Dataset, HistoricalReturns, SequenceProblem, SeriesId};

/// Columns of `us_annual_returns.csv`, in shipped order.
pub const DAMODARAN_HEADER: &str = "year,us_stocks,tbills,tbonds_10y,baa_corp,real_estate,gold,cpi";
/// Columns of `shiller_monthly.csv`, in shipped order (`earnings` is not used).
pub const SHILLER_HEADER: &str = "date,sp_price,dividend,earnings,cpi,gs10";

/// Plausible annual return, as a decimal fraction: -100% to +300%.
pub const ANNUAL_RETURN_RANGE: (f64, f64) = (-1.0, 3.0);
/// Plausible annual inflation: -50% to +100%.
pub const ANNUAL_INFLATION_RANGE: (f64, f64) = (-0.5, 1.0);
/// Plausible monthly stock total return: -60% to +100%.
pub const MONTHLY_STOCK_RANGE: (f64, f64) = (-0.6, 1.0);
/// Plausible monthly CPI change: -50% to +100% (the shipped data stays within -7%..+8%).
pub const MONTHLY_INFLATION_RANGE: (f64, f64) = (-0.5, 1.0);
/// Plausible GS10 yield in percent: above 0, at most 30.
pub const GS10_MAX_PERCENT: f64 = 30.0;

const ANNUAL_RETURN_ALLOWED: &str =
    "-1 to 3 (-100% to +300%); values are decimal fractions, e.g. 0.05 for 5%";
const ANNUAL_INFLATION_ALLOWED: &str =
    "-0.5 to 1 (-50% to +100%); values are decimal fractions, e.g. 0.03 for 3%";
const MONTHLY_STOCK_ALLOWED: &str = "-0.6 to 1 (-60% to +100% in one month), computed as (sp_price + dividend/12) / previous sp_price - 1; check sp_price on this line and the line before";
const MONTHLY_INFLATION_ALLOWED: &str = "-0.5 to 1 (-50% to +100% in one month), computed as cpi / previous cpi - 1; check cpi on this line and the line before";
const POSITIVE_ALLOWED: &str = "greater than 0";
const NON_NEGATIVE_ALLOWED: &str = "0 or more (annualized dividends per share)";
const GS10_ALLOWED: &str = "greater than 0 and at most 30 (percent per year, e.g. 4.25)";

/// Reads a data set: the embedded copy for `None`, or a user's file in the same format.
pub fn load(dataset: Dataset, path: Option<&Path>) -> Result<HistoricalReturns, DataError> {
    match path {
        None => parse(dataset, dataset.embedded_csv(), dataset.file_name()),
        Some(path) => {
            let name = path.display().to_string();
            let text = std::fs::read_to_string(path).map_err(|source| DataError::Io {
                path: name.clone(),
                source,
            })?;
            parse(dataset, &text, &name)
        }
    }
}

/// Parses text in the format of `dataset`; `source` names it in error messages.
pub fn parse(dataset: Dataset, text: &str, source: &str) -> Result<HistoricalReturns, DataError> {
    match dataset {
        Dataset::Damodaran => parse_damodaran(text, source),
        Dataset::Shiller => parse_shiller(text, source),
    }
}

/// Parses Damodaran's annual returns (`us_annual_returns.csv` format): all six series and
/// inflation from the `cpi` column, one step per calendar year.
pub fn parse_damodaran(text: &str, source: &str) -> Result<HistoricalReturns, DataError> {
    const COLUMNS: [&str; 8] = [
        "year",
        "us_stocks",
        "tbills",
        "tbonds_10y",
        "baa_corp",
        "real_estate",
        "gold",
        "cpi",
    ];
    let table = Table::read(text, source, &COLUMNS, DAMODARAN_HEADER, 1)?;
    let mut first_year = 0;
    let mut prev: Option<(i64, u64)> = None;
    let mut series: Vec<(SeriesId, Vec<f64>)> = SeriesId::ALL
        .iter()
        .map(|&id| (id, Vec::with_capacity(table.rows.len())))
        .collect();
    let mut inflation = Vec::with_capacity(table.rows.len());

    for row in &table.rows {
        let text_year = table.field(row, 0);
        let year = parse_year(text_year)
            .ok_or_else(|| table.bad_date(row, 0, "a calendar year such as 1928"))?;
        let year = i64::from(year);
        table.check_sequence(row, 0, prev, year, "years", |y| y.to_string())?;
        if prev.is_none() {
            first_year = year;
        }
        prev = Some((year, row.line));

        for (k, (_, values)) in series.iter_mut().enumerate() {
            let col = k + 1;
            let r = table.number(row, col, "0.0523")?;
            table.check_range(
                row,
                col,
                "annual return",
                r,
                ANNUAL_RETURN_RANGE,
                ANNUAL_RETURN_ALLOWED,
            )?;
            values.push(r);
        }
        let cpi = table.number(row, 7, "0.0312")?;
        table.check_range(
            row,
            7,
            "annual inflation",
            cpi,
            ANNUAL_INFLATION_RANGE,
            ANNUAL_INFLATION_ALLOWED,
        )?;
        inflation.push(cpi);
    }

    Ok(HistoricalReturns {
        dataset: Dataset::Damodaran,
        steps_per_year: 1,
        first_year: i32::try_from(first_year).unwrap_or_default(),
        first_month: 1,
        series,
        inflation,
    })
}

/// Parses Shiller's monthly data (`shiller_monthly.csv` format) into monthly returns.
///
/// Step `k` is the return earned during calendar month (first_year, first_month) + k, from
/// the previous month's row to this month's row; the first row only provides starting values,
/// so the shipped file (1871-01..2026-03) gives steps 1871-02..2026-03. For a month `t`:
/// * `UsStocks`: `(P_t + D_t/12) / P_{t-1} - 1` (monthly average prices, annualized dividends);
/// * `Tbonds10y`: a 10-year par bond bought at `y_{t-1}` and sold as a 119-month bond at
///   `y_t` (with `y = gs10 / 100`), plus one month of coupon:
///   `y_{t-1}/12 + (y_{t-1}/y_t) (1 - (1 + y_t/12)^-119) + (1 + y_t/12)^-119 - 1`.
///   This is Shiller's "Monthly Total Bond Returns" column, which his workbook stores one row
///   earlier (in the row of month t-1); here it is aligned with the stock return of month t.
/// * inflation: `CPI_t / CPI_{t-1} - 1`.
pub fn parse_shiller(text: &str, source: &str) -> Result<HistoricalReturns, DataError> {
    const COLUMNS: [&str; 5] = ["date", "sp_price", "dividend", "cpi", "gs10"];
    const DATE: usize = 0;
    const PRICE: usize = 1;
    const DIVIDEND: usize = 2;
    const CPI: usize = 3;
    const GS10: usize = 4;
    let table = Table::read(text, source, &COLUMNS, SHILLER_HEADER, 2)?;

    let n = table.rows.len();
    let mut stocks = Vec::with_capacity(n);
    let mut bonds = Vec::with_capacity(n);
    let mut inflation = Vec::with_capacity(n);
    let mut first: Option<i64> = None;
    let mut prev: Option<(i64, u64)> = None;
    // (price, cpi, yield as a fraction) of the previous row.
    let mut prev_values: Option<(f64, f64, f64)> = None;

    for row in &table.rows {
        let month = parse_year_month(table.field(row, DATE))
            .ok_or_else(|| table.bad_date(row, DATE, "YYYY-MM, e.g. 1871-01"))?;
        table.check_sequence(row, DATE, prev, month, "months", format_month_index)?;
        prev = Some((month, row.line));

        let price = table.number(row, PRICE, "4.44")?;
        table.check_range(
            row,
            PRICE,
            "the S&P composite price",
            price,
            (f64::MIN_POSITIVE, f64::MAX),
            POSITIVE_ALLOWED,
        )?;
        let dividend = table.number(row, DIVIDEND, "0.26")?;
        table.check_range(
            row,
            DIVIDEND,
            "the dividend",
            dividend,
            (0.0, f64::MAX),
            NON_NEGATIVE_ALLOWED,
        )?;
        let cpi = table.number(row, CPI, "12.46")?;
        table.check_range(
            row,
            CPI,
            "the CPI",
            cpi,
            (f64::MIN_POSITIVE, f64::MAX),
            POSITIVE_ALLOWED,
        )?;
        let gs10 = table.number(row, GS10, "5.32")?;
        table.check_range(
            row,
            GS10,
            "the GS10 yield",
            gs10,
            (f64::MIN_POSITIVE, GS10_MAX_PERCENT),
            GS10_ALLOWED,
        )?;
        let y = gs10 / 100.0;

        if let Some((p0, c0, y0)) = prev_values {
            if first.is_none() {
                first = Some(month);
            }
            let r = (price + dividend / 12.0) / p0 - 1.0;
            table.check_range(
                row,
                PRICE,
                "the monthly stock total return",
                r,
                MONTHLY_STOCK_RANGE,
                MONTHLY_STOCK_ALLOWED,
            )?;
            let infl = cpi / c0 - 1.0;
            table.check_range(
                row,
                CPI,
                "the monthly CPI change",
                infl,
                MONTHLY_INFLATION_RANGE,
                MONTHLY_INFLATION_ALLOWED,
            )?;
            stocks.push(r);
            bonds.push(bond_month_return(y0, y));
            inflation.push(infl);
        }
        prev_values = Some((price, cpi, y));
    }

    let (first_year, first_month) = split(first.unwrap_or_default());
    Ok(HistoricalReturns {
        dataset: Dataset::Shiller,
        steps_per_year: 12,
        first_year,
        first_month,
        series: vec![(SeriesId::UsStocks, stocks), (SeriesId::Tbonds10y, bonds)],
        inflation,
    })
}

/// Total return over one month of a 10-year par bond bought at yield `y0` and sold a month
/// later, as a bond with 119 months left, at yield `y1` (both annual, as fractions; monthly
/// coupons `y0/12`). Shiller's formula; see `data/SOURCES.md`.
pub fn bond_month_return(y0: f64, y1: f64) -> f64 {
    let discount = (1.0 + y1 / 12.0).powi(-119);
    y0 / 12.0 + (y0 / y1) * (1.0 - discount) + discount - 1.0
}

// ----------------------------------------------------------------------------------------
// CSV table with line numbers.

struct Row {
    line: u64,
    fields: Vec<String>,
}

struct Table<'a> {
    file: &'a str,
    /// For each requested column, its position among the row's fields.
    positions: Vec<usize>,
    /// The requested column names, in request order.
    names: &'a [&'static str],
    rows: Vec<Row>,
}

impl<'a> Table<'a> {
    /// Reads the header and all rows, checks that the required columns exist, that each row
    /// has as many fields as the header and that there are at least `min_rows` rows.
    fn read(
        text: &str,
        file: &'a str,
        names: &'a [&'static str],
        expected_header: &'static str,
        min_rows: usize,
    ) -> Result<Table<'a>, DataError> {
        let text = text.strip_prefix('\u{feff}').unwrap_or(text);
        let mut header: Option<(u64, Vec<String>)> = None;
        let mut rows = Vec::new();
        for (index, raw) in text.split('\n').enumerate() {
            let line = u64::try_from(index).unwrap_or(u64::MAX).saturating_add(1);
            let raw = raw.trim();
            if raw.is_empty() || raw.starts_with('#') {
                continue;
            }
            let fields: Vec<String> = raw.split(',').map(unquote).collect();
            if header.is_none() {
                header = Some((line, fields));
            } else {
                rows.push(Row { line, fields });
            }
        }

        let Some((header_line, header)) = header else {
            return Err(DataError::EmptyFile {
                file: file.to_string(),
                expected_header,
            });
        };
        let mut positions = Vec::with_capacity(names.len());
        for &name in names {
            let pos = header.iter().position(|h| h.eq_ignore_ascii_case(name));
            let Some(pos) = pos else {
                return Err(DataError::MissingColumn {
                    file: file.to_string(),
                    line: header_line,
                    column: name,
                    found: header.join(","),
                    expected: expected_header,
                });
            };
            positions.push(pos);
        }
        for row in &rows {
            if row.fields.len() != header.len() {
                return Err(DataError::ColumnCount {
                    file: file.to_string(),
                    line: row.line,
                    found: row.fields.len(),
                    expected: header.len(),
                    header_line,
                });
            }
        }
        if rows.len() < min_rows {
            return Err(DataError::TooFewRows {
                file: file.to_string(),
                line: header_line,
                found: rows.len(),
                needed: min_rows,
            });
        }
        Ok(Table {
            file,
            positions,
            names,
            rows,
        })
    }

    fn name(&self, col: usize) -> &'static str {
        self.names.get(col).copied().unwrap_or("?")
    }

    fn field<'r>(&self, row: &'r Row, col: usize) -> &'r str {
        self.positions
            .get(col)
            .and_then(|&p| row.fields.get(p))
            .map_or("", String::as_str)
    }

    fn number(&self, row: &Row, col: usize, example: &'static str) -> Result<f64, DataError> {
        let text = self.field(row, col);
        match text.parse::<f64>() {
            Ok(v) if v.is_finite() => Ok(v),
            Ok(_) => Err(DataError::NotFinite {
                file: self.file.to_string(),
                line: row.line,
                column: self.name(col),
                text: text.to_string(),
            }),
            Err(_) => Err(DataError::BadNumber {
                file: self.file.to_string(),
                line: row.line,
                column: self.name(col),
                text: shown(text),
                example,
            }),
        }
    }

    fn check_range(
        &self,
        row: &Row,
        col: usize,
        what: &'static str,
        value: f64,
        (lo, hi): (f64, f64),
        allowed: &'static str,
    ) -> Result<(), DataError> {
        if (lo..=hi).contains(&value) {
            Ok(())
        } else {
            Err(DataError::OutOfRange {
                file: self.file.to_string(),
                line: row.line,
                column: self.name(col),
                what,
                value,
                allowed,
            })
        }
    }

    fn bad_date(&self, row: &Row, col: usize, expected: &'static str) -> DataError {
        let text = self.field(row, col);
        DataError::BadDate {
            file: self.file.to_string(),
            line: row.line,
            column: self.name(col),
            text: shown(text),
            expected,
        }
    }

    /// Checks that `current` is exactly one period after the previous row's date.
    fn check_sequence(
        &self,
        row: &Row,
        col: usize,
        prev: Option<(i64, u64)>,
        current: i64,
        unit: &'static str,
        show: impl Fn(i64) -> String,
    ) -> Result<(), DataError> {
        let Some((previous, previous_line)) = prev else {
            return Ok(());
        };
        let expected = previous + 1;
        let problem = match current.cmp(&expected) {
            std::cmp::Ordering::Equal => return Ok(()),
            std::cmp::Ordering::Greater => SequenceProblem::Gap,
            std::cmp::Ordering::Less if current == previous => SequenceProblem::Duplicate,
            std::cmp::Ordering::Less => SequenceProblem::OutOfOrder,
        };
        Err(DataError::DateSequence {
            file: self.file.to_string(),
            line: row.line,
            column: self.name(col),
            problem,
            found: show(current),
            previous: show(previous),
            previous_line,
            expected: show(expected),
            unit,
        })
    }
}

/// A field with surrounding spaces and one pair of surrounding double quotes removed.
fn unquote(field: &str) -> String {
    let field = field.trim();
    field
        .strip_prefix('"')
        .and_then(|f| f.strip_suffix('"'))
        .map_or(field, str::trim)
        .to_string()
}

/// A four-digit calendar year.
fn parse_year(s: &str) -> Option<i32> {
    if s.len() != 4 || !s.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    s.parse().ok()
}

/// "YYYY-MM" (month 1-12, one or two digits) as a month index year * 12 + month - 1.
fn parse_year_month(s: &str) -> Option<i64> {
    let (y, m) = s.split_once('-')?;
    let year = parse_year(y)?;
    if m.is_empty() || m.len() > 2 || !m.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let month: i64 = m.parse().ok()?;
    if !(1..=12).contains(&month) {
        return None;
    }
    Some(i64::from(year) * 12 + month - 1)
}

fn split(month_index: i64) -> (i32, u32) {
    let year = i32::try_from(month_index.div_euclid(12)).unwrap_or_default();
    let month = u32::try_from(month_index.rem_euclid(12) + 1).unwrap_or(1);
    (year, month)
}

fn format_month_index(m: i64) -> String {
    let (y, mo) = split(m);
    format!("{y}-{mo:02}")
}

/// A field's text for an error message; an empty field is shown as "(empty)".
fn shown(text: &str) -> String {
    if text.is_empty() {
        "(empty)".to_string()
    } else {
        text.to_string()
    }
}
