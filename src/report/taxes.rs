//! The tax part of a report, written when the scenario has a household with accounts:
//! `taxes.csv`/`.parquet` (one row per strategy), `yearly_taxes.csv` and the chart "Taxes
//! paid by strategy" (lifetime taxes beside after-tax terminal wealth).

use std::path::{Path, PathBuf};

use plotters::coord::Shift;
use plotters::prelude::*;
use polars::prelude::*;

use super::ReportError;
use super::charts::{DrawResult, Figure, frame, names_width_of, no_data, render_figure};
use super::figures::{DotPanel, DotRow, dot_panel};
use super::html::HtmlFigure;
use super::tables::{Stamp, f64_col, pct_columns, write_csv, write_parquet};
use super::theme::*;
use crate::metrics::RunResults;

/// File stem of the chart.
pub const STEM: &str = "taxes_by_strategy";
const TITLE: &str = "Taxes paid by strategy";

/// True when the results carry taxes.
pub fn applies(r: &RunResults) -> bool {
    !r.taxes.is_empty()
}

fn summary_frame(r: &RunResults) -> PolarsResult<DataFrame> {
    let col = |name: &str, f: &dyn Fn(&crate::metrics::TaxSummary) -> f64| {
        f64_col(name, r.taxes.iter().map(f).collect())
    };
    let mut cols = vec![Column::new(
        "strategy".into(),
        r.taxes
            .iter()
            .map(|t| t.strategy.clone())
            .collect::<Vec<_>>(),
    )];
    cols.push(col("taxes_real_mean", &|t| t.taxes_real_mean));
    cols.extend(pct_columns("taxes_real", &r.taxes, |t| &t.taxes_real_total));
    cols.push(col("after_tax_terminal_real_mean", &|t| {
        t.after_tax_terminal_real_mean
    }));
    cols.extend(pct_columns("after_tax_terminal_real", &r.taxes, |t| {
        &t.after_tax_terminal_real
    }));
    cols.push(col("after_tax_rate", &|t| t.after_tax_rate));
    cols.push(col("realized_gains_mean", &|t| t.realized_gains_mean));
    cols.push(col("harvested_losses_mean", &|t| t.harvested_losses_mean));
    cols.push(col("lost_to_ira_mean", &|t| t.lost_to_ira_mean));
    cols.push(col("penalties_mean", &|t| t.penalties_mean));
    cols.push(col("medicare_surcharges_mean", &|t| {
        t.medicare_surcharges_mean
    }));
    cols.push(col("rmds_mean", &|t| t.rmds_mean));
    cols.push(col("conversions_mean", &|t| t.conversions_mean));
    cols.push(col("excess_contributions_mean", &|t| {
        t.excess_contributions_mean
    }));
    cols.push(col("traded_deferred_mean", &|t| t.traded_deferred_mean));
    cols.push(col("traded_tax_free_mean", &|t| t.traded_tax_free_mean));
    cols.push(col("traded_taxable_mean", &|t| t.traded_taxable_mean));
    DataFrame::new_infer_height(cols)
}

fn yearly_frame(r: &RunResults) -> PolarsResult<DataFrame> {
    let y = &r.yearly_taxes;
    let mut cols = vec![
        Column::new(
            "strategy".into(),
            y.iter().map(|b| b.strategy.clone()).collect::<Vec<_>>(),
        ),
        Column::new("year".into(), y.iter().map(|b| b.year).collect::<Vec<_>>()),
        f64_col("tax_real_mean", y.iter().map(|b| b.real_mean).collect()),
    ];
    cols.extend(pct_columns("tax_real", y, |b| &b.real));
    DataFrame::new_infer_height(cols)
}

/// Writes the tax tables into `dir`; returns paths relative to `dir`.
pub fn write_tables(
    dir: &Path,
    r: &RunResults,
    stamp: &Stamp,
) -> Result<Vec<PathBuf>, ReportError> {
    let mut df = summary_frame(r)?;
    write_csv(&mut df, &dir.join("taxes.csv"))?;
    write_parquet(&mut df, &dir.join("taxes.parquet"), stamp)?;
    let mut yearly = yearly_frame(r)?;
    write_csv(&mut yearly, &dir.join("yearly_taxes.csv"))?;
    Ok(vec![
        "taxes.csv".into(),
        "taxes.parquet".into(),
        "yearly_taxes.csv".into(),
    ])
}

/// Draws the chart into `chart_dir`; returns it for report.html.
pub fn charts(chart_dir: &Path, r: &RunResults) -> Result<Vec<HtmlFigure>, ReportError> {
    if !applies(r) {
        return Ok(Vec::new());
    }
    let source = format!(
        "driftlab {} · {} · {} · {} paths · seed {}",
        r.tool_version,
        r.scenario_name,
        r.market,
        thousands(r.paths as u64),
        r.seed
    );
    let [_, svg] = render_figure(&TaxChart(r, &source), chart_dir)?;
    Ok(vec![HtmlFigure {
        stem: STEM.to_string(),
        title: TITLE.to_string(),
        svg: std::fs::read_to_string(&svg).map_err(|e| super::io_err(&svg, e))?,
    }])
}

struct TaxChart<'a>(&'a RunResults, &'a str);

impl Figure for TaxChart<'_> {
    fn stem(&self) -> String {
        STEM.to_string()
    }

    fn draw_on<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> DrawResult
    where
        DB::ErrorType: 'static,
    {
        let r = self.0;
        let subtitle = format!(
            "Median across paths, whiskers 10th-90th percentile; start-year dollars; traditional balances valued after tax at {:.0}%",
            r.taxes.first().map_or(0.0, |t| t.after_tax_rate * 100.0)
        );
        let body = frame(root, TITLE, &subtitle, self.1)?;
        if r.taxes.is_empty() {
            return no_data(&body);
        }
        let names_w = names_width_of(&body, r.taxes.iter().map(|t| t.strategy.as_str()))?;
        let rows = |f: &dyn Fn(&crate::metrics::TaxSummary) -> &crate::metrics::Percentiles| {
            r.taxes
                .iter()
                .enumerate()
                .map(|(i, t)| DotRow {
                    name: t.strategy.clone(),
                    color: strategy_color(i),
                    value: f(t).p50,
                    lo: f(t).p10,
                    hi: f(t).p90,
                })
                .collect::<Vec<_>>()
        };
        let tick = |v: f64, _: usize| dollars_tick(v);
        let label = |row: &DotRow| dollars_label(row.value);
        let (left, right) = body.split_horizontally(body.dim_in_pixel().0 / 2 + names_w / 2);
        dot_panel(
            &left,
            &DotPanel {
                title: "Lifetime taxes paid",
                x_desc: "Federal and state income tax, penalties, IRMAA (start-year $)",
                rows: rows(&|t| &t.taxes_real_total),
                zero: false,
                bounds: None,
                min_span: 1.0,
                tick: &tick,
                label: &label,
            },
            Some(names_w),
        )?;
        dot_panel(
            &right,
            &DotPanel {
                title: "After-tax wealth at the horizon",
                x_desc: "Terminal wealth after tax (start-year $)",
                rows: rows(&|t| &t.after_tax_terminal_real),
                zero: false,
                bounds: None,
                min_span: 1.0,
                tick: &tick,
                label: &label,
            },
            None,
        )
    }
}
