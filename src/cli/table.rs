//! The comparison table printed by `driftlab run`.

use crate::metrics::RunResults;
use crate::report::dollars_label as dollars;
use std::fmt::Write;
use std::path::Path;

fn pct(x: f64) -> String {
    if x.is_finite() {
        format!("{:.1}%", x * 100.0)
    } else {
        "n/a".into()
    }
}

/// Renders the summary and paired differences as aligned text.
pub fn render(r: &RunResults, out_dir: &Path) -> String {
    let mut s = String::new();
    let _ = writeln!(
        s,
        "{}: {} paths x {} years ({}), seed {}",
        r.scenario_name,
        r.paths,
        r.years,
        if r.steps_per_year == 12 {
            "monthly steps"
        } else {
            "annual steps"
        },
        r.seed
    );
    let _ = writeln!(s, "market: {}", r.market);
    let _ = writeln!(
        s,
        "terminal wealth in real (start-year) dollars; failed paths count as $0\n"
    );
    let header = [
        "strategy",
        "success",
        "p10",
        "median",
        "p90",
        "CAGR p50",
        "vol p50",
        "maxDD p50",
        "rebal/path",
        "turnover/yr",
    ];
    let rows: Vec<[String; 10]> = r
        .strategies
        .iter()
        .map(|st| {
            [
                st.name.clone(),
                pct(st.success_rate),
                dollars(st.terminal_real.p10),
                dollars(st.terminal_real.p50),
                dollars(st.terminal_real.p90),
                pct(st.cagr.p50),
                pct(st.volatility.p50),
                pct(st.max_drawdown.p50),
                format!("{:.1}", st.rebalances_per_path),
                pct(st.turnover_per_year),
            ]
        })
        .collect();
    let widths: Vec<usize> = (0..header.len())
        .map(|c| {
            rows.iter()
                .map(|row| row[c].chars().count())
                .chain([header[c].len()])
                .max()
                .unwrap_or(0)
        })
        .collect();
    let line = |cells: &[String]| {
        let mut l = String::new();
        for (c, cell) in cells.iter().enumerate() {
            if c == 0 {
                let _ = write!(l, "{cell:<w$}", w = widths[c]);
            } else {
                let _ = write!(l, "  {cell:>w$}", w = widths[c]);
            }
        }
        l.trim_end().to_string()
    };
    let _ = writeln!(s, "{}", line(&header.map(String::from)));
    for row in &rows {
        let _ = writeln!(s, "{}", line(row));
    }
    if !r.notes.is_empty() {
        let _ = writeln!(s, "\nnotes:");
        for n in &r.notes {
            let _ = writeln!(s, "  - {n}");
        }
    }
    if !r.pairs.is_empty() {
        let _ = writeln!(
            s,
            "\npaired with `{}` on the same paths (mean difference, 95% CI):",
            r.pairs[0].baseline
        );
        for p in &r.pairs {
            let _ = writeln!(
                s,
                "  {:<w$}  terminal real {} [{} .. {}]   success {:+.1}pp [{:+.1} .. {:+.1}]   ahead on {} of paths",
                p.strategy,
                dollars(p.terminal_real_mean_diff),
                dollars(p.terminal_real_ci95.0),
                dollars(p.terminal_real_ci95.1),
                p.success_rate_diff * 100.0,
                p.success_rate_ci95.0 * 100.0,
                p.success_rate_ci95.1 * 100.0,
                pct(p.share_paths_ahead),
                w = widths[0]
            );
        }
    }
    if !r.yearly_spending.is_empty() {
        let _ = writeln!(
            s,
            "\nspending delivered (withdrawals plus income, real) and how much the first decade of retirement decided:"
        );
        for x in &r.retirement {
            let _ = writeln!(
                s,
                "  {:<w$}  {}/yr on average; lifetime p10 {}   first-decade real return p50 {}   R^2 {}",
                x.strategy,
                dollars(x.spending_real_per_year_mean),
                dollars(x.spending_real_total.p10),
                pct(x.first_decade_real_return.p50),
                x.first_decade_r2
                    .map_or("n/a".into(), |v| format!("{v:.2}")),
                w = widths[0]
            );
        }
    }
    if !r.stresses.is_empty() {
        let _ = writeln!(s, "\nsuccess under stress (same paths):");
        let mut head = format!("  {:<w$}  {:>9}", "strategy", "base", w = widths[0]);
        for st in &r.stresses {
            let _ = write!(
                head,
                "  {:>w$}",
                st.name,
                w = st.name.chars().count().max(7)
            );
        }
        let _ = writeln!(s, "{head}");
        for (i, base) in r.strategies.iter().enumerate() {
            let mut line = format!(
                "  {:<w$}  {:>9}",
                base.name,
                pct(base.success_rate),
                w = widths[0]
            );
            for st in &r.stresses {
                let v = st.strategies.get(i).map_or(f64::NAN, |x| x.success_rate);
                let _ = write!(line, "  {:>w$}", pct(v), w = st.name.chars().count().max(7));
            }
            let _ = writeln!(s, "{line}");
        }
    }
    if !r.taxes.is_empty() {
        let _ = writeln!(
            s,
            "\ntaxes (lifetime tax and after-tax wealth in start-year dollars, the rest nominal; means per path; traditional balances valued after {:.0}% tax):",
            r.taxes[0].after_tax_rate * 100.0
        );
        for t in &r.taxes {
            let _ = writeln!(
                s,
                "  {:<w$}  lifetime tax {} (p10 {}, p90 {})   after-tax wealth p50 {}   realized gains {}   harvested {}   sold in taxable {}   IRMAA {}",
                t.strategy,
                dollars(t.taxes_real_mean),
                dollars(t.taxes_real_total.p10),
                dollars(t.taxes_real_total.p90),
                dollars(t.after_tax_terminal_real.p50),
                dollars(t.realized_gains_mean),
                dollars(t.harvested_losses_mean),
                dollars(t.traded_taxable_mean),
                dollars(t.medicare_surcharges_mean),
                w = widths[0]
            );
        }
        let excess = r
            .taxes
            .iter()
            .map(|t| t.excess_contributions_mean)
            .fold(0.0, f64::max);
        if excess > 0.0 {
            let _ = writeln!(
                s,
                "  note: contributions above the legal limits went to the taxable account ({} per path on average)",
                dollars(excess)
            );
        }
    }
    let _ = writeln!(s, "\nreport: {}", out_dir.display());
    s
}
