//! Tests of the historical loaders against real numbers from `data/SOURCES.md`.

use super::*;

fn damodaran() -> HistoricalReturns {
    load(Dataset::Damodaran, None).expect("embedded Damodaran data parses")
}

fn shiller() -> HistoricalReturns {
    load(Dataset::Shiller, None).expect("embedded Shiller data parses")
}

fn series(h: &HistoricalReturns, id: SeriesId) -> &[f64] {
    h.get(id).expect("series present")
}

/// The value of `id` in calendar `year` of annual data.
fn annual(h: &HistoricalReturns, id: SeriesId, year: i32) -> f64 {
    let i = usize::try_from(year - h.first_year).expect("year in range");
    series(h, id)[i]
}

fn annual_cpi(h: &HistoricalReturns, year: i32) -> f64 {
    let i = usize::try_from(year - h.first_year).expect("year in range");
    h.inflation[i]
}

fn close(a: f64, b: f64, tol: f64) -> bool {
    (a - b).abs() <= tol
}

// ---------------------------------------------------------------------------------------
// Damodaran

#[test]
fn damodaran_calendar() {
    let d = damodaran();
    assert_eq!(d.dataset, Dataset::Damodaran);
    assert_eq!(d.len(), 98);
    assert!(!d.is_empty());
    assert_eq!(d.steps_per_year, 1);
    assert_eq!(d.first_year, 1928);
    assert_eq!(d.first_month, 1);
    assert_eq!(d.label(0), "1928");
    assert_eq!(d.label(97), "2025");
    assert_eq!(d.last_year_month(), (2025, 12));
    assert_eq!(d.year_range(), Some((1928, 2025)));
    assert_eq!(d.series_ids(), SeriesId::ALL.to_vec());
    for id in SeriesId::ALL {
        assert_eq!(series(&d, id).len(), 98, "{id:?}");
    }
    assert_eq!(d.inflation.len(), 98);
}

#[test]
fn damodaran_spot_checks_from_sources_md() {
    let d = damodaran();
    // SOURCES.md gives these to 4 decimals of a percent; the CSV has 8 decimals.
    let checks = [
        (SeriesId::UsStocks, 2008, -0.365523),
        (SeriesId::UsStocks, 1931, -0.438375),
        (SeriesId::UsStocks, 1954, 0.525633),
        (SeriesId::UsStocks, 2022, -0.180375),
        (SeriesId::Tbonds10y, 2009, -0.111167),
        (SeriesId::Tbonds10y, 2022, -0.178282),
        (SeriesId::Gold, 2025, 0.662158),
        (SeriesId::Gold, 1979, 1.265487),
    ];
    for (id, year, expected) in checks {
        let got = annual(&d, id, year);
        assert!(
            close(got, expected, 5e-7),
            "{id:?} {year}: {got} vs {expected}"
        );
    }
    assert!(close(annual_cpi(&d, 1980), 0.125163, 5e-7));
    // D4: the published (preliminary) 2025 CPI is kept.
    assert!(close(annual_cpi(&d, 2025), 0.027351, 5e-7));
}

#[test]
fn damodaran_geometric_mean_matches_sources_md() {
    let d = damodaran();
    let g = geometric_mean(series(&d, SeriesId::UsStocks));
    assert!(
        close(g, 0.1002, 0.0005),
        "Damodaran 1928-2025 geometric mean {g}"
    );
}

#[test]
fn annual_to_annual_is_identity() {
    let d = damodaran();
    assert_eq!(d.to_annual(), d);
}

// ---------------------------------------------------------------------------------------
// Shiller

#[test]
fn shiller_calendar() {
    let s = shiller();
    assert_eq!(s.dataset, Dataset::Shiller);
    assert_eq!(s.steps_per_year, 12);
    assert_eq!(s.len(), 1862);
    assert_eq!((s.first_year, s.first_month), (1871, 2));
    assert_eq!(s.label(0), "1871-02");
    assert_eq!(s.label(11), "1872-01");
    assert_eq!(s.label(1861), "2026-03");
    assert_eq!(s.last_year_month(), (2026, 3));
    assert_eq!(s.first_year_month(), (1871, 2));
    assert_eq!(
        s.series_ids(),
        vec![SeriesId::UsStocks, SeriesId::Tbonds10y]
    );
    assert_eq!(s.get(SeriesId::Gold), None);
    assert_eq!(series(&s, SeriesId::UsStocks).len(), 1862);
    assert_eq!(series(&s, SeriesId::Tbonds10y).len(), 1862);
}

#[test]
fn shiller_first_step_by_hand() {
    let s = shiller();
    // 1871-01: P 4.44, D 0.26, CPI 12.464061, GS10 5.32
    // 1871-02: P 4.50, D 0.26, CPI 12.844641, GS10 5.323333
    let stock = (4.50 + 0.26 / 12.0) / 4.44 - 1.0;
    assert!(close(stock, 0.018393393, 1e-9));
    assert!(close(series(&s, SeriesId::UsStocks)[0], stock, 1e-15));

    let (y0, y1) = (0.0532, 0.05323333);
    let d = (1.0 + y1 / 12.0_f64).powf(-119.0);
    let bond = y0 / 12.0 + (y0 / y1) * (1.0 - d) + d - 1.0;
    assert!(close(bond, 0.0041769613, 1e-9), "{bond}");
    assert!(close(series(&s, SeriesId::Tbonds10y)[0], bond, 1e-14));

    assert!(close(s.inflation[0], 12.844641 / 12.464061 - 1.0, 1e-15));
}

#[test]
fn shiller_bond_return_by_hand_1981() {
    // 1981-09 GS10 15.32 (the peak) -> 1981-10 GS10 15.15: a price gain plus the coupon.
    let s = shiller();
    let i = (1981 - 1871) * 12 + (10 - 2); // step of 1981-10
    assert_eq!(s.label(i), "1981-10");
    let (y0, y1) = (0.1532, 0.1515);
    let d = (1.0 + y1 / 12.0_f64).powf(-119.0);
    let bond = y0 / 12.0 + (y0 / y1) * (1.0 - d) + d - 1.0;
    assert!(bond > 0.02, "yield fell, the bond gains: {bond}");
    assert!(close(series(&s, SeriesId::Tbonds10y)[i], bond, 1e-14));
}

#[test]
fn shiller_bond_and_stock_are_aligned() {
    // The yield jumps and the price jumps in the same month (March): both returns must show up
    // in the same step, the one labelled 2000-03.
    let text = "date,sp_price,dividend,earnings,cpi,gs10\n\
                2000-01,100,0,1,100,5\n\
                2000-02,100,0,1,100,5\n\
                2000-03,110,0,1,100,6\n\
                2000-04,110,0,1,101,6\n";
    let s = parse_shiller(text, "aligned.csv").unwrap();
    assert_eq!(s.len(), 3);
    assert_eq!(s.label(1), "2000-03");
    let stocks = series(&s, SeriesId::UsStocks);
    let bonds = series(&s, SeriesId::Tbonds10y);
    assert!(close(stocks[0], 0.0, 1e-15) && close(stocks[2], 0.0, 1e-15));
    assert!(close(stocks[1], 0.1, 1e-12));
    // An unchanged yield earns exactly the coupon: y/12.
    assert!(close(bonds[0], 0.05 / 12.0, 1e-15));
    assert!(close(bonds[2], 0.06 / 12.0, 1e-15));
    assert!(
        bonds[1] < -0.06,
        "the yield rise from 5% to 6% is a loss: {}",
        bonds[1]
    );
    assert!(close(bonds[1], bond_month_return(0.05, 0.06), 1e-15));
    assert_eq!(&s.inflation[..2], &[0.0, 0.0]);
    assert!(close(s.inflation[2], 0.01, 1e-15));
}

#[test]
fn shiller_annual_geometric_mean_near_sources_md() {
    let s = shiller().slice_years(1928, 2025).unwrap().to_annual();
    assert_eq!(s.len(), 98);
    assert_eq!(s.first_year, 1928);
    assert_eq!(s.last_year_month(), (2025, 12));
    let g = geometric_mean(series(&s, SeriesId::UsStocks));
    // SOURCES.md: 10.06% (built from December averages); compounding monthly steps gives 10.18%.
    assert!(
        close(g, 0.1006, 0.003),
        "Shiller 1928-2025 geometric mean {g}"
    );
    let damodaran_g = geometric_mean(series(&damodaran(), SeriesId::UsStocks));
    assert!(close(g, damodaran_g, 0.003), "{g} vs {damodaran_g}");
}

#[test]
fn shiller_december_inflation_matches_damodaran_cpi() {
    let s = shiller().to_annual();
    let d = damodaran();
    for year in [1929, 1933, 1946, 1974, 1980, 2008, 2021, 2024] {
        let (a, b) = (annual_cpi(&s, year), annual_cpi(&d, year));
        assert!(close(a, b, 1e-6), "{year}: Shiller {a} vs Damodaran {b}");
    }
    assert!(close(annual_cpi(&s, 1980), 0.125163, 1e-6));
    // Every year 1928-2024 agrees (SOURCES.md: within 5e-8).
    for year in 1928..=2024 {
        let (a, b) = (annual_cpi(&s, year), annual_cpi(&d, year));
        assert!(close(a, b, 1e-6), "{year}: Shiller {a} vs Damodaran {b}");
    }
    // D4: Damodaran's 2025 figure is preliminary (2.7351%); the final BLS number is 2.6771%.
    assert!(close(annual_cpi(&s, 2025), 0.0267708, 1e-6));
    assert!((annual_cpi(&s, 2025) - annual_cpi(&d, 2025)).abs() > 5e-4);
}

#[test]
fn shiller_to_annual_keeps_only_complete_years() {
    let s = shiller();
    let a = s.to_annual();
    // 1871 starts in February and 2026 stops in March: 1872..=2025.
    assert_eq!(a.len(), 154);
    assert_eq!(
        (a.first_year, a.first_month, a.steps_per_year),
        (1872, 1, 1)
    );
    assert_eq!(a.label(0), "1872");
    assert_eq!(a.last_year_month(), (2025, 12));
    assert_eq!(series(&a, SeriesId::Tbonds10y).len(), 154);
    // The 1872 return is the product of its twelve monthly steps (indices 11..23).
    let expected = series(&s, SeriesId::UsStocks)[11..23]
        .iter()
        .fold(1.0, |acc, r| acc * (1.0 + r))
        - 1.0;
    assert!(close(series(&a, SeriesId::UsStocks)[0], expected, 1e-15));
    // 2008 from monthly averages: about -38.7%... as a compounded Jan-Dec monthly return.
    let r2008 = annual(&a, SeriesId::UsStocks, 2008);
    assert!((-0.42..-0.35).contains(&r2008), "{r2008}");

    // One partial year only: nothing complete.
    let partial = s.slice_years(2026, 2026).unwrap();
    assert_eq!(partial.len(), 3);
    let none = partial.to_annual();
    assert!(none.is_empty());
    assert_eq!(none.series.len(), 2);
}

#[test]
fn slice_years_annual_and_monthly() {
    let d = damodaran();
    let s = d.slice_years(1966, 1970).unwrap();
    assert_eq!(s.len(), 5);
    assert_eq!((s.first_year, s.first_month), (1966, 1));
    assert_eq!(s.label(0), "1966");
    assert_eq!(s.last_year_month(), (1970, 12));
    assert_eq!(
        series(&s, SeriesId::Gold),
        &series(&d, SeriesId::Gold)[38..43]
    );
    assert_eq!(s.inflation, d.inflation[38..43].to_vec());
    assert_eq!(d.slice_years(1928, 2025).unwrap(), d);

    let m = shiller();
    let first = m.slice_years(1871, 1871).unwrap();
    assert_eq!(first.len(), 11);
    assert_eq!(first.label(0), "1871-02");
    let y = m.slice_years(1966, 1966).unwrap();
    assert_eq!(y.len(), 12);
    assert_eq!(y.label(0), "1966-01");
    assert_eq!(y.label(11), "1966-12");
    assert_eq!(y.to_annual().len(), 1);
}

#[test]
fn slice_years_out_of_range_names_available_range() {
    let d = damodaran();
    for (from, to) in [(1927, 1930), (2000, 2026), (1990, 1980)] {
        let msg = d.slice_years(from, to).unwrap_err().to_string();
        assert!(msg.contains(&format!("{from} to {to}")), "{msg}");
        assert!(
            msg.contains("damodaran") && msg.contains("1928 to 2025"),
            "{msg}"
        );
    }
    let msg = shiller().slice_years(1850, 1900).unwrap_err().to_string();
    assert!(
        msg.contains("shiller") && msg.contains("1871-02 to 2026-03"),
        "{msg}"
    );
}

// ---------------------------------------------------------------------------------------
// Keys, citations, loading from a path

#[test]
fn keys_round_trip() {
    let keys: Vec<_> = SeriesId::ALL.iter().map(|id| id.key()).collect();
    assert_eq!(
        keys,
        [
            "us_stocks",
            "tbills",
            "tbonds_10y",
            "baa_corp",
            "real_estate",
            "gold"
        ]
    );
    for id in SeriesId::ALL {
        assert_eq!(SeriesId::from_key(id.key()), Some(id));
        assert!(!id.describe().is_empty());
    }
    assert_eq!(SeriesId::from_key("stocks"), None);
    assert_eq!(Dataset::from_key("damodaran"), Some(Dataset::Damodaran));
    assert_eq!(Dataset::from_key("shiller"), Some(Dataset::Shiller));
    assert_eq!(Dataset::from_key("fama_french"), None);
    assert!(Dataset::Damodaran.citation().contains("January 2026"));
    assert!(Dataset::Shiller.citation().contains("May 2026"));
    for ds in Dataset::ALL {
        assert_eq!(Dataset::from_key(ds.key()), Some(ds));
        assert!(!ds.citation().contains('\n'));
    }
    assert!(
        Dataset::Damodaran
            .embedded_csv()
            .starts_with("year,us_stocks,")
    );
    assert!(
        Dataset::Shiller
            .embedded_csv()
            .starts_with("date,sp_price,")
    );
}

#[test]
fn load_from_path_and_io_error() {
    let dir = std::env::temp_dir().join(format!("driftlab-history-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("my_shiller.csv");
    std::fs::write(&path, Dataset::Shiller.embedded_csv()).unwrap();
    assert_eq!(load(Dataset::Shiller, Some(&path)).unwrap(), shiller());

    // Errors in a user's file name the path.
    let bad = dir.join("bad.csv");
    std::fs::write(&bad, "year,us_stocks\n").unwrap();
    let msg = load(Dataset::Damodaran, Some(&bad))
        .unwrap_err()
        .to_string();
    assert!(msg.contains(&bad.display().to_string()), "{msg}");

    let missing = dir.join("does_not_exist.csv");
    let err = load(Dataset::Damodaran, Some(&missing)).unwrap_err();
    assert!(matches!(err, DataError::Io { .. }), "{err:?}");
    let msg = err.to_string();
    assert!(
        msg.contains("does_not_exist.csv") && msg.contains("cannot read"),
        "{msg}"
    );
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn header_order_case_spaces_crlf_comments_and_extra_columns() {
    let text = "# my copy\r\n\
                Year , CPI, gold,real_estate,baa_corp,tbonds_10y,tbills,us_stocks,note\r\n\
                \r\n\
                2000,0.03,0.1,0.2,0.3,0.4,0.05,-0.1,x\r\n\
                2001,0.02,0.1,0.2,0.3,0.4,0.05,-0.2,y\r\n";
    let d = parse_damodaran(text, "mine.csv").unwrap();
    assert_eq!(d.len(), 2);
    assert_eq!(d.first_year, 2000);
    assert_eq!(series(&d, SeriesId::UsStocks), &[-0.1, -0.2]);
    assert_eq!(series(&d, SeriesId::Tbills), &[0.05, 0.05]);
    assert_eq!(d.inflation, vec![0.03, 0.02]);

    // Quoted fields (as some spreadsheets write them) are unwrapped.
    let quoted = "\"date\",\"sp_price\",\"dividend\",\"earnings\",\"cpi\",\"gs10\"\n\
                  \"1871-01\",\"4.44\",\"0.26\",\"0.4\",\"12.464061\",\"5.32\"\n\
                  \"1871-02\",\"4.5\",\"0.26\",\"0.4\",\"12.844641\",\"5.323333\"\n";
    let q = parse_shiller(quoted, "quoted.csv").unwrap();
    assert_eq!(q.label(0), "1871-02");
    assert_eq!(
        q.get(SeriesId::UsStocks),
        shiller()
            .slice_years(1871, 1871)
            .unwrap()
            .get(SeriesId::UsStocks)
            .map(|v| &v[..1])
    );

    // Line numbers count the comment and blank lines.
    let text = text.replace("2001,0.02", "2001,zz");
    let msg = parse_damodaran(&text, "mine.csv").unwrap_err().to_string();
    assert!(msg.starts_with("mine.csv, line 5, column `cpi`"), "{msg}");
}

// ---------------------------------------------------------------------------------------
// Bad input: every error names the source, the line and (where one applies) the column.

/// The shipped Damodaran file with the line for `year` replaced by `f(line)`.
fn damodaran_with(year: i32, f: impl Fn(&str) -> String) -> String {
    edit_lines(Dataset::Damodaran.embedded_csv(), |l| {
        if l.starts_with(&format!("{year},")) {
            Some(f(l))
        } else {
            Some(l.to_string())
        }
    })
}

/// The shipped Shiller file with the line for `date` replaced by `f(line)`.
fn shiller_with(date: &str, f: impl Fn(&str) -> String) -> String {
    edit_lines(Dataset::Shiller.embedded_csv(), |l| {
        if l.starts_with(&format!("{date},")) {
            Some(f(l))
        } else {
            Some(l.to_string())
        }
    })
}

fn edit_lines(text: &str, f: impl Fn(&str) -> Option<String>) -> String {
    text.lines().filter_map(f).collect::<Vec<_>>().join("\n") + "\n"
}

/// Replaces field `col` (0-based) of a CSV line.
fn set_field(line: &str, col: usize, value: &str) -> String {
    let mut fields: Vec<&str> = line.split(',').collect();
    fields[col] = value;
    fields.join(",")
}

/// Damodaran line number (1-based, header on line 1) of a year.
fn dline(year: u64) -> u64 {
    year - 1926
}

/// Shiller line number of a month.
fn sline(year: u64, month: u64) -> u64 {
    (year - 1871) * 12 + month + 1
}

fn assert_names(err: &DataError, source: &str, line: u64, column: Option<&str>) {
    let msg = err.to_string();
    assert!(
        msg.starts_with(source),
        "source {source} not named first: {msg}"
    );
    assert!(
        msg.contains(&format!("line {line}")),
        "line {line} not named: {msg}"
    );
    if let Some(column) = column {
        assert!(
            msg.contains(&format!("column `{column}`")),
            "column {column} not named: {msg}"
        );
    }
}

#[test]
fn error_gap_duplicate_and_order_in_years() {
    // Gap: 1950 removed, so 1951 follows 1949 on the line where 1950 was.
    let text = edit_lines(Dataset::Damodaran.embedded_csv(), |l| {
        (!l.starts_with("1950,")).then(|| l.to_string())
    });
    let err = parse_damodaran(&text, "gap.csv").unwrap_err();
    assert!(
        matches!(err, DataError::DateSequence { problem: SequenceProblem::Gap, line, .. } if line == dline(1950)),
        "{err:?}"
    );
    assert_names(&err, "gap.csv", dline(1950), Some("year"));
    let msg = err.to_string();
    assert!(
        msg.contains("1951 follows 1949") && msg.contains("expected 1950"),
        "{msg}"
    );

    let text = damodaran_with(1950, |l| l.replacen("1950", "1949", 1));
    let err = parse_damodaran(&text, "dup.csv").unwrap_err();
    assert!(
        matches!(
            err,
            DataError::DateSequence {
                problem: SequenceProblem::Duplicate,
                ..
            }
        ),
        "{err:?}"
    );
    assert_names(&err, "dup.csv", dline(1950), Some("year"));

    let text = damodaran_with(1950, |l| l.replacen("1950", "1940", 1));
    let err = parse_damodaran(&text, "order.csv").unwrap_err();
    assert!(
        matches!(
            err,
            DataError::DateSequence {
                problem: SequenceProblem::OutOfOrder,
                ..
            }
        ),
        "{err:?}"
    );
    assert_names(&err, "order.csv", dline(1950), Some("year"));
}

#[test]
fn error_duplicate_gap_and_bad_months() {
    let text = shiller_with("1871-03", |l| l.replacen("1871-03", "1871-02", 1));
    let err = parse_shiller(&text, "dup.csv").unwrap_err();
    assert!(
        matches!(
            err,
            DataError::DateSequence {
                problem: SequenceProblem::Duplicate,
                ..
            }
        ),
        "{err:?}"
    );
    assert_names(&err, "dup.csv", sline(1871, 3), Some("date"));
    assert!(
        err.to_string().contains("1871-02 follows 1871-02 (line 3)"),
        "{err}"
    );

    let text = edit_lines(Dataset::Shiller.embedded_csv(), |l| {
        (!l.starts_with("1999-12,")).then(|| l.to_string())
    });
    let err = parse_shiller(&text, "gap.csv").unwrap_err();
    assert!(
        matches!(
            err,
            DataError::DateSequence {
                problem: SequenceProblem::Gap,
                ..
            }
        ),
        "{err:?}"
    );
    assert_names(&err, "gap.csv", sline(1999, 12), Some("date"));
    assert!(err.to_string().contains("2000-01 follows 1999-11"), "{err}");

    for bad in ["1871-13", "1871-00", "1871.03", "71-03", "March 1871", ""] {
        let text = shiller_with("1871-03", |l| set_field(l, 0, bad));
        let err = parse_shiller(&text, "date.csv").unwrap_err();
        assert!(matches!(err, DataError::BadDate { .. }), "{bad}: {err:?}");
        assert_names(&err, "date.csv", 4, Some("date"));
        assert!(err.to_string().contains("YYYY-MM"), "{err}");
    }
    let text = damodaran_with(1930, |l| set_field(l, 0, "193O"));
    let err = parse_damodaran(&text, "year.csv").unwrap_err();
    assert!(matches!(err, DataError::BadDate { .. }), "{err:?}");
    assert_names(&err, "year.csv", dline(1930), Some("year"));
}

#[test]
fn error_text_in_a_number() {
    let text = damodaran_with(2008, |l| set_field(l, 1, "-36.55%"));
    let err = parse_damodaran(&text, "pct.csv").unwrap_err();
    assert!(matches!(err, DataError::BadNumber { .. }), "{err:?}");
    assert_names(&err, "pct.csv", dline(2008), Some("us_stocks"));
    assert!(
        err.to_string().contains("`-36.55%` is not a number"),
        "{err}"
    );

    let text = damodaran_with(2008, |l| set_field(l, 6, ""));
    let err = parse_damodaran(&text, "empty-field.csv").unwrap_err();
    assert_names(&err, "empty-field.csv", dline(2008), Some("gold"));
    assert!(err.to_string().contains("(empty)"), "{err}");

    let text = shiller_with("2009-03", |l| set_field(l, 5, "n/a"));
    let err = parse_shiller(&text, "gs10.csv").unwrap_err();
    assert!(matches!(err, DataError::BadNumber { .. }), "{err:?}");
    assert_names(&err, "gs10.csv", sline(2009, 3), Some("gs10"));
}

#[test]
fn error_nan_and_infinity() {
    for bad in ["NaN", "nan", "inf", "-infinity"] {
        let text = damodaran_with(1990, |l| set_field(l, 3, bad));
        let err = parse_damodaran(&text, "nan.csv").unwrap_err();
        assert!(matches!(err, DataError::NotFinite { .. }), "{bad}: {err:?}");
        assert_names(&err, "nan.csv", dline(1990), Some("tbonds_10y"));
    }
    let text = shiller_with("1950-06", |l| set_field(l, 4, "NaN"));
    let err = parse_shiller(&text, "nan.csv").unwrap_err();
    assert!(matches!(err, DataError::NotFinite { .. }), "{err:?}");
    assert_names(&err, "nan.csv", sline(1950, 6), Some("cpi"));
}

#[test]
fn error_out_of_range_annual() {
    let text = damodaran_with(1931, |l| set_field(l, 1, "-1.5"));
    let err = parse_damodaran(&text, "crash.csv").unwrap_err();
    assert!(
        matches!(err, DataError::OutOfRange { value, .. } if value == -1.5),
        "{err:?}"
    );
    assert_names(&err, "crash.csv", dline(1931), Some("us_stocks"));
    let msg = err.to_string();
    assert!(
        msg.contains("-1.5") && msg.contains("-100% to +300%"),
        "{msg}"
    );

    // Percent instead of a fraction.
    let text = damodaran_with(1979, |l| set_field(l, 6, "126.55"));
    let err = parse_damodaran(&text, "percent.csv").unwrap_err();
    assert_names(&err, "percent.csv", dline(1979), Some("gold"));
    let text = damodaran_with(1980, |l| set_field(l, 7, "12.5"));
    let err = parse_damodaran(&text, "cpi.csv").unwrap_err();
    assert!(matches!(err, DataError::OutOfRange { .. }), "{err:?}");
    assert_names(&err, "cpi.csv", dline(1980), Some("cpi"));
    // -100% itself is allowed (a total loss).
    let text = damodaran_with(1931, |l| set_field(l, 5, "-1"));
    assert!(parse_damodaran(&text, "ok.csv").is_ok());
}

#[test]
fn error_out_of_range_monthly() {
    // A price typo: 757.13 -> 75.713 is a -90% month.
    let text = shiller_with("2009-03", |l| set_field(l, 1, "75.713"));
    let err = parse_shiller(&text, "typo.csv").unwrap_err();
    assert!(matches!(err, DataError::OutOfRange { .. }), "{err:?}");
    assert_names(&err, "typo.csv", sline(2009, 3), Some("sp_price"));
    assert!(
        err.to_string().contains("monthly stock total return"),
        "{err}"
    );

    let cases = [
        ("1900-01", 1, "0", "sp_price"),
        ("1900-01", 1, "-3", "sp_price"),
        ("1900-01", 2, "-0.1", "dividend"),
        ("1900-01", 4, "0", "cpi"),
        ("1900-01", 4, "1.2", "cpi"), // a -90% month of CPI
        ("1900-01", 5, "0", "gs10"),
        ("1900-01", 5, "31", "gs10"),
        ("1900-01", 5, "-1", "gs10"),
    ];
    for (date, col, value, name) in cases {
        let text = shiller_with(date, |l| set_field(l, col, value));
        let err = parse_shiller(&text, "range.csv").unwrap_err();
        assert!(
            matches!(err, DataError::OutOfRange { .. }),
            "{name}={value}: {err:?}"
        );
        assert_names(&err, "range.csv", sline(1900, 1), Some(name));
    }
}

#[test]
fn error_missing_or_renamed_column() {
    let text = Dataset::Damodaran
        .embedded_csv()
        .replacen(",gold,", ",gld,", 1);
    let err = parse_damodaran(&text, "renamed.csv").unwrap_err();
    assert!(
        matches!(err, DataError::MissingColumn { column: "gold", .. }),
        "{err:?}"
    );
    assert_names(&err, "renamed.csv", 1, Some("gold"));
    assert!(
        err.to_string()
            .contains("found: year,us_stocks,tbills,tbonds_10y,baa_corp,real_estate,gld,cpi"),
        "{err}"
    );

    let text = Dataset::Shiller
        .embedded_csv()
        .replacen(",gs10", ",long_rate", 1);
    let err = parse_shiller(&text, "shiller.csv").unwrap_err();
    assert_names(&err, "shiller.csv", 1, Some("gs10"));

    // A Damodaran file fed to the Shiller parser.
    let err = parse_shiller(Dataset::Damodaran.embedded_csv(), "swapped.csv").unwrap_err();
    assert!(
        matches!(err, DataError::MissingColumn { column: "date", .. }),
        "{err:?}"
    );
}

#[test]
fn error_wrong_column_count() {
    let text = damodaran_with(1960, |l| l.rsplit_once(',').unwrap().0.to_string());
    let err = parse_damodaran(&text, "short.csv").unwrap_err();
    assert!(
        matches!(
            err,
            DataError::ColumnCount {
                found: 7,
                expected: 8,
                ..
            }
        ),
        "{err:?}"
    );
    assert_names(&err, "short.csv", dline(1960), None);

    let text = shiller_with("1920-05", |l| format!("{l},1"));
    let err = parse_shiller(&text, "long.csv").unwrap_err();
    assert!(
        matches!(
            err,
            DataError::ColumnCount {
                found: 7,
                expected: 6,
                ..
            }
        ),
        "{err:?}"
    );
    assert_names(&err, "long.csv", sline(1920, 5), None);
}

#[test]
fn error_empty_file_and_header_only() {
    for text in ["", "\n\n", "# only a comment\n", "\u{feff}"] {
        let err = parse_damodaran(text, "empty.csv").unwrap_err();
        assert!(matches!(err, DataError::EmptyFile { .. }), "{err:?}");
        assert_names(&err, "empty.csv", 1, None);
        assert!(err.to_string().contains(DAMODARAN_HEADER), "{err}");
    }
    let err = parse_damodaran(&(DAMODARAN_HEADER.to_string() + "\n"), "header.csv").unwrap_err();
    assert!(
        matches!(
            err,
            DataError::TooFewRows {
                found: 0,
                needed: 1,
                ..
            }
        ),
        "{err:?}"
    );
    assert_names(&err, "header.csv", 1, None);

    let err = parse_shiller(SHILLER_HEADER, "header.csv").unwrap_err();
    assert!(
        matches!(
            err,
            DataError::TooFewRows {
                found: 0,
                needed: 2,
                ..
            }
        ),
        "{err:?}"
    );
    // One monthly row gives no return.
    let one = format!("{SHILLER_HEADER}\n1871-01,4.44,0.26,0.4,12.464061,5.32\n");
    let err = parse_shiller(&one, "one.csv").unwrap_err();
    assert!(
        matches!(
            err,
            DataError::TooFewRows {
                found: 1,
                needed: 2,
                ..
            }
        ),
        "{err:?}"
    );
    assert_names(&err, "one.csv", 1, None);
    assert!(
        parse_shiller(
            &(one + "1871-02,4.5,0.26,0.4,12.844641,5.323333\n"),
            "two.csv"
        )
        .unwrap()
        .len()
            == 1
    );
}

#[test]
fn errors_from_the_embedded_file_name_it() {
    // A user's copy loaded by path is named by its path; the embedded one by its file name.
    let err = parse(Dataset::Damodaran, "", Dataset::Damodaran.file_name()).unwrap_err();
    assert!(
        err.to_string().starts_with("us_annual_returns.csv"),
        "{err}"
    );
}

fn geometric_mean(returns: &[f64]) -> f64 {
    let growth: f64 = returns.iter().map(|r| (1.0 + r).ln()).sum();
    (growth / returns.len() as f64).exp() - 1.0
}

// ---------------------------------------------------------------------------------------
// No panics on any input.

mod no_panic {
    use super::super::*;
    use proptest::prelude::*;

    fn head(text: &str, lines: usize) -> String {
        text.lines().take(lines).collect::<Vec<_>>().join("\n")
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(200))]

        #[test]
        fn arbitrary_text(text in "\\PC{0,200}") {
            let _ = parse_damodaran(&text, "fuzz");
            let _ = parse_shiller(&text, "fuzz");
        }

        #[test]
        fn csv_like_text(text in "[0-9a-z.,\\-_\n\"# eEnNiI]{0,300}") {
            let _ = parse_damodaran(&text, "fuzz");
            let _ = parse_shiller(&text, "fuzz");
        }

        #[test]
        fn mutated_real_files(at in 0usize..2000, junk in "[0-9,.\\-eE\n\"]{0,12}") {
            for ds in Dataset::ALL {
                let text = head(ds.embedded_csv(), 40);
                let at = text.char_indices().map(|(i, _)| i).nth(at % text.len().max(1)).unwrap_or(0);
                let mutated = format!("{}{}{}", &text[..at], junk, &text[at..]);
                if let Ok(h) = parse(ds, &mutated, "fuzz") {
                    // Whatever parses is consistent.
                    for (_, v) in &h.series {
                        prop_assert_eq!(v.len(), h.len());
                        prop_assert!(v.iter().all(|r| r.is_finite()));
                    }
                    let _ = h.label(h.len());
                    let _ = h.to_annual();
                    let _ = h.slice_years(h.first_year, h.last_year_month().0);
                }
            }
        }
    }
}
