//! The tidy sweep table, `sweep.{csv,parquet}`: one row per grid point and strategy.
//!
//! Columns: `point` (1-based, grid order), one column per swept key (named by the key, e.g.
//! `cash_flows.withdrawal_rate`), `strategy`, `rule`, `paths`, `success_rate`,
//! `success_ci95_lo`, `success_ci95_hi` (95% Wilson interval), then every column of
//! `summary.csv` after `success_rate`, then the paired difference against the baseline on
//! the same paths: `baseline`, `terminal_real_mean_diff`, `terminal_real_diff_ci95_lo`,
//! `terminal_real_diff_ci95_hi`, `success_rate_diff`, `success_rate_diff_ci95_lo`,
//! `success_rate_diff_ci95_hi`, `share_paths_ahead` (empty on the baseline's own rows);
//! with accounts, `taxes_real_mean` and `after_tax_terminal_real_p50` last.

use polars::prelude::*;

use super::SweepResults;
use crate::report::tables::summary_frame;
use crate::report::wilson95;

pub fn sweep_frame(s: &SweepResults) -> PolarsResult<DataFrame> {
    let mut point = vec![];
    let mut values: Vec<Vec<f64>> = vec![vec![]; s.params.len()];
    let mut paths = vec![];
    let mut lo = vec![];
    let mut hi = vec![];
    let mut rows = vec![];
    let mut baseline: Vec<Option<String>> = vec![];
    let mut pair_cols: Vec<Vec<Option<f64>>> = vec![vec![]; 7];
    for (i, p) in s.points.iter().enumerate() {
        for st in &p.strategies {
            point.push(i as u32 + 1);
            for (k, col) in values.iter_mut().enumerate() {
                col.push(p.values.get(k).copied().unwrap_or(f64::NAN));
            }
            paths.push(p.paths as u64);
            let (l, h) = wilson95(st.success_rate, p.paths);
            lo.push(l);
            hi.push(h);
            rows.push(st.clone());
            let pair = p.pairs.iter().find(|d| d.strategy == st.name);
            baseline.push(pair.map(|d| d.baseline.clone()));
            let fields = pair.map(|d| {
                [
                    d.terminal_real_mean_diff,
                    d.terminal_real_ci95.0,
                    d.terminal_real_ci95.1,
                    d.success_rate_diff,
                    d.success_rate_ci95.0,
                    d.success_rate_ci95.1,
                    d.share_paths_ahead,
                ]
            });
            for (k, col) in pair_cols.iter_mut().enumerate() {
                col.push(fields.map(|f| f[k]).filter(|x| x.is_finite()));
            }
        }
    }
    let summary = summary_frame(&rows)?;
    let mut cols = vec![Column::new("point".into(), point)];
    for (a, v) in s.params.iter().zip(values) {
        cols.push(Column::new(a.key.as_str().into(), v));
    }
    for c in summary.columns() {
        let mut c = c.clone();
        match c.name().as_str() {
            "name" => {
                c.rename("strategy".into());
                cols.push(c);
            }
            "rule" => {
                cols.push(c);
                cols.push(Column::new("paths".into(), std::mem::take(&mut paths)));
            }
            "success_rate" => {
                cols.push(c);
                cols.push(Column::new(
                    "success_ci95_lo".into(),
                    std::mem::take(&mut lo),
                ));
                cols.push(Column::new(
                    "success_ci95_hi".into(),
                    std::mem::take(&mut hi),
                ));
            }
            _ => cols.push(c),
        }
    }
    cols.push(Column::new("baseline".into(), baseline));
    for (name, v) in [
        "terminal_real_mean_diff",
        "terminal_real_diff_ci95_lo",
        "terminal_real_diff_ci95_hi",
        "success_rate_diff",
        "success_rate_diff_ci95_lo",
        "success_rate_diff_ci95_hi",
        "share_paths_ahead",
    ]
    .into_iter()
    .zip(pair_cols)
    {
        cols.push(Column::new(name.into(), v));
    }
    if s.points.iter().any(|p| !p.taxes.is_empty()) {
        let tax = |f: &dyn Fn(&crate::metrics::TaxSummary) -> f64| -> Vec<Option<f64>> {
            s.points
                .iter()
                .flat_map(|p| {
                    p.strategies
                        .iter()
                        .map(|st| p.taxes.iter().find(|t| t.strategy == st.name).map(f))
                })
                .collect()
        };
        cols.push(Column::new(
            "taxes_real_mean".into(),
            tax(&|t| t.taxes_real_mean),
        ));
        cols.push(Column::new(
            "after_tax_terminal_real_p50".into(),
            tax(&|t| t.after_tax_terminal_real.p50),
        ));
    }
    DataFrame::new_infer_height(cols)
}
