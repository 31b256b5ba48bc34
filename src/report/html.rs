//! `report.html`: one self-contained page per report folder. Every chart is inlined as SVG,
//! the style sheet is inline, and nothing is fetched (no scripts, fonts or images from
//! anywhere), so the file can be mailed, archived or opened offline.
//!
//! The page echoes the scenario file, states the tool version, seed and paths, gives the
//! command that reproduces it, and holds the summary table and every chart.

use std::fmt::Write as _;

use super::figures::wilson95;
use super::theme::{dollars_label, thousands};
use crate::metrics::RunResults;
use crate::sweep::SweepResults;

/// A chart as the page shows it.
pub struct HtmlFigure {
    pub stem: String,
    pub title: String,
    /// The chart's SVG document.
    pub svg: String,
}

/// Escapes text for HTML element content and attribute values.
pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            _ => out.push(c),
        }
    }
    out
}

const STYLE: &str = r#"
:root { color-scheme: light; }
body { font-family: "DejaVu Sans", system-ui, -apple-system, "Segoe UI", Roboto, sans-serif;
  color: #212121; background: #fff; margin: 0; line-height: 1.45; }
main { max-width: 1240px; margin: 0 auto; padding: 24px 28px 64px; }
h1 { font-size: 1.9rem; margin: 0.2em 0 0.1em; }
h2 { font-size: 1.35rem; margin: 2em 0 0.6em; border-bottom: 1px solid #e1e1e1; padding-bottom: 0.2em; }
p.lead { color: #555; margin-top: 0; }
table { border-collapse: collapse; font-size: 0.92rem; margin: 0.4em 0 1em; }
th, td { padding: 0.35em 0.7em; border-bottom: 1px solid #e6e6e6; text-align: right; white-space: nowrap; }
th { background: #f5f5f5; font-weight: 600; }
th:first-child, td:first-child, td.text, th.text { text-align: left; }
td.text { white-space: normal; min-width: 16em; }
table.meta td, table.meta th { text-align: left; white-space: normal; }
.scroll { overflow-x: auto; }
figure { margin: 1.2em 0 2.4em; }
figure svg { display: block; width: 100%; height: auto; border: 1px solid #eee; }
figcaption { color: #555; font-size: 0.92rem; margin-top: 0.4em; }
pre { background: #f7f7f7; border: 1px solid #e6e6e6; padding: 12px 14px; overflow-x: auto; font-size: 0.85rem; }
code { font-family: "DejaVu Sans Mono", ui-monospace, Menlo, Consolas, monospace; }
nav ol { columns: 2; padding-left: 1.4em; }
footer { color: #777; font-size: 0.85rem; margin-top: 3em; }
"#;

fn head(title: &str) -> String {
    format!(
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <meta name=\"generator\" content=\"driftlab {}\">\n<title>{}</title>\n<style>{STYLE}</style>\n\
         </head>\n<body>\n<main>\n",
        escape(env!("CARGO_PKG_VERSION")),
        escape(title)
    )
}

/// The chart's SVG ready to inline: no XML prolog, scalable, labelled for screen readers.
fn inline_svg(f: &HtmlFigure) -> String {
    let svg = f.svg.trim_start();
    let svg = match svg.strip_prefix("<?xml") {
        Some(rest) => rest.split_once("?>").map_or(rest, |(_, r)| r).trim_start(),
        None => svg,
    };
    match svg.strip_prefix("<svg") {
        Some(rest) => format!(
            "<svg class=\"chart\" role=\"img\" aria-label=\"{}\"{rest}",
            escape(&f.title)
        ),
        None => format!("<p>chart {} is not an SVG</p>", escape(&f.stem)),
    }
}

fn figures_nav(out: &mut String, figures: &[HtmlFigure]) {
    if figures.is_empty() {
        return;
    }
    out.push_str("<nav><h2>Figures</h2><ol>\n");
    for f in figures {
        let _ = writeln!(
            out,
            "<li><a href=\"#fig-{}\">{}</a></li>",
            escape(&f.stem),
            escape(&f.title)
        );
    }
    out.push_str("</ol></nav>\n");
}

fn figures_section(out: &mut String, figures: &[HtmlFigure]) {
    out.push_str("<h2>Charts</h2>\n");
    for (i, f) in figures.iter().enumerate() {
        let _ = writeln!(
            out,
            "<figure id=\"fig-{stem}\" data-chart=\"{stem}\">\n{svg}\n<figcaption>Figure {n}. {title}. \
             Files: <a href=\"charts/{stem}.png\">charts/{stem}.png</a>, \
             <a href=\"charts/{stem}.svg\">charts/{stem}.svg</a>.</figcaption>\n</figure>",
            stem = escape(&f.stem),
            svg = inline_svg(f),
            n = i + 1,
            title = escape(&f.title),
        );
    }
}

fn pct(v: f64, decimals: usize) -> String {
    if v.is_finite() {
        format!("{:.decimals$}%", v * 100.0)
    } else {
        "n/a".into()
    }
}

/// A share in percent with one decimal, or more where one decimal would round a share
/// below 100% up to "100.0%" (or one above 0% down to "0.0%").
pub fn share(v: f64) -> String {
    if !v.is_finite() {
        return "n/a".into();
    }
    let mut d = 1;
    while d < 4 {
        let text = format!("{:.d$}", v * 100.0);
        let shown: f64 = text.parse().unwrap_or(v * 100.0);
        let misleading = (v < 1.0 && shown >= 100.0) || (v > 0.0 && shown <= 0.0);
        if !misleading {
            break;
        }
        d += 1;
    }
    format!("{:.d$}%", v * 100.0)
}

fn meta_row(out: &mut String, key: &str, value: &str) {
    let _ = writeln!(out, "<tr><th>{}</th><td>{}</td></tr>", escape(key), value);
}

fn scenario_section(out: &mut String, scenario_source: &str) {
    out.push_str("<h2 id=\"scenario\">Scenario file</h2>\n");
    out.push_str(
        "<p>The scenario exactly as run (also saved as <code>scenario.toml</code> in this folder).</p>\n",
    );
    let _ = writeln!(out, "<pre><code>{}</code></pre>", escape(scenario_source));
}

fn footer(out: &mut String) {
    let _ = writeln!(
        out,
        "<footer>Written by driftlab {}. Charts use DejaVu Sans where installed. \
         This page loads nothing from the network.</footer>\n</main>\n</body>\n</html>",
        escape(env!("CARGO_PKG_VERSION"))
    );
}

/// The page of a `driftlab run` report.
pub fn run_page(r: &RunResults, scenario_source: &str, figures: &[HtmlFigure]) -> String {
    let mut out = head(&format!("{} · driftlab report", r.scenario_name));
    let historical = !r.path_labels.is_empty();
    let _ = writeln!(out, "<h1>{}</h1>", escape(&r.scenario_name));
    let _ = writeln!(
        out,
        "<p class=\"lead\">{} strategies on {} {} of {} years · {}</p>",
        r.strategies.len(),
        thousands(r.paths as u64),
        if historical {
            "historical windows"
        } else {
            "paths"
        },
        r.years,
        escape(&r.market)
    );

    out.push_str("<table class=\"meta\">\n");
    meta_row(&mut out, "Scenario", &escape(&r.scenario_name));
    meta_row(
        &mut out,
        "Tool",
        &format!("driftlab {}", escape(&r.tool_version)),
    );
    meta_row(&mut out, "Seed", &r.seed.to_string());
    meta_row(
        &mut out,
        if historical { "Windows" } else { "Paths" },
        &thousands(r.paths as u64),
    );
    meta_row(
        &mut out,
        "Horizon",
        &format!("{} years, {} steps per year", r.years, r.steps_per_year),
    );
    meta_row(&mut out, "Market", &escape(&r.market));
    meta_row(
        &mut out,
        "Reproduce",
        &format!(
            "<code>driftlab run scenario.toml --seed {} --paths {}</code> (with the <code>scenario.toml</code> of this folder)",
            r.seed, r.paths
        ),
    );
    out.push_str("</table>\n");
    figures_nav(&mut out, figures);

    out.push_str("<h2 id=\"summary\">Summary</h2>\n");
    out.push_str(
        "<p>Terminal wealth is real (start-year dollars); failed paths count as $0. Success: \
         the path never missed a withdrawal; the interval is a 95% Wilson interval. CAGR, \
         volatility and drawdown are medians across paths.</p>\n",
    );
    out.push_str("<div class=\"scroll\"><table class=\"summary\">\n<thead><tr><th>Strategy</th><th class=\"text\">Rule</th><th>Success</th><th>95% interval</th><th>p10</th><th>Median</th><th>p90</th><th>Mean</th><th>CAGR</th><th>Volatility</th><th>Max drawdown</th><th>Rebalances / path</th><th>Turnover / year</th><th>Fees / path</th></tr></thead>\n<tbody>\n");
    for s in &r.strategies {
        let (lo, hi) = wilson95(s.success_rate, r.paths);
        let _ = writeln!(
            out,
            "<tr><td>{}</td><td class=\"text\">{}</td><td>{}</td><td>{} – {}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{:.1}</td><td>{}</td><td>{}</td></tr>",
            escape(&s.name),
            escape(&s.rule),
            share(s.success_rate),
            share(lo),
            share(hi),
            dollars_label(s.terminal_real.p10),
            dollars_label(s.terminal_real.p50),
            dollars_label(s.terminal_real.p90),
            dollars_label(s.terminal_real_mean),
            pct(s.cagr.p50, 1),
            pct(s.volatility.p50, 1),
            pct(s.max_drawdown.p50, 1),
            s.rebalances_per_path,
            pct(s.turnover_per_year, 1),
            dollars_label(s.fees_per_path),
        );
    }
    out.push_str("</tbody></table></div>\n");

    if !r.pairs.is_empty() {
        out.push_str("<h2 id=\"paired\">Paired with the baseline</h2>\n");
        let _ = writeln!(
            out,
            "<p>Each strategy minus <strong>{}</strong> on the same {} (common random numbers); 95% confidence intervals of the mean difference{}.</p>",
            escape(&r.pairs[0].baseline),
            if historical { "windows" } else { "paths" },
            if historical {
                ". Historical windows overlap, so these intervals are too narrow"
            } else {
                ""
            }
        );
        out.push_str("<div class=\"scroll\"><table class=\"pairs\">\n<thead><tr><th>Strategy</th><th>Terminal real wealth</th><th>95% interval</th><th>Success rate</th><th>95% interval</th><th>Ahead on</th></tr></thead>\n<tbody>\n");
        for p in &r.pairs {
            let signed = |v: f64| {
                if v > 0.0 {
                    format!("+{}", dollars_label(v))
                } else {
                    dollars_label(v)
                }
            };
            let pp = |v: f64| {
                if v.is_finite() {
                    format!("{:+.2}pp", v * 100.0)
                } else {
                    "n/a".into()
                }
            };
            let _ = writeln!(
                out,
                "<tr><td>{}</td><td>{}</td><td>{} – {}</td><td>{}</td><td>{} – {}</td><td>{}</td></tr>",
                escape(&p.strategy),
                signed(p.terminal_real_mean_diff),
                signed(p.terminal_real_ci95.0),
                signed(p.terminal_real_ci95.1),
                pp(p.success_rate_diff),
                pp(p.success_rate_ci95.0),
                pp(p.success_rate_ci95.1),
                pct(p.share_paths_ahead, 1),
            );
        }
        out.push_str("</tbody></table></div>\n");
    }

    figures_section(&mut out, figures);
    scenario_section(&mut out, scenario_source);
    footer(&mut out);
    out
}

/// The page of a `driftlab sweep` report.
pub fn sweep_page(s: &SweepResults, scenario_source: &str, figures: &[HtmlFigure]) -> String {
    let mut out = head(&format!("{} sweep · driftlab report", s.scenario));
    let _ = writeln!(out, "<h1>{} — parameter sweep</h1>", escape(&s.scenario));
    let _ = writeln!(
        out,
        "<p class=\"lead\">{} grid points, {} paths each, the same seed at every point · {}</p>",
        s.points.len(),
        thousands(s.paths as u64),
        escape(&s.market)
    );
    out.push_str("<table class=\"meta\">\n");
    meta_row(&mut out, "Scenario", &escape(&s.scenario));
    meta_row(
        &mut out,
        "Tool",
        &format!("driftlab {}", escape(&s.tool_version)),
    );
    meta_row(&mut out, "Seed", &s.seed.to_string());
    meta_row(&mut out, "Paths per point", &thousands(s.paths as u64));
    meta_row(
        &mut out,
        "Horizon",
        &format!("{} years, {} steps per year", s.years, s.steps_per_year),
    );
    meta_row(&mut out, "Market", &escape(&s.market));
    for p in &s.params {
        let values: Vec<String> = p.values.iter().map(|v| p.format(*v)).collect();
        meta_row(
            &mut out,
            "Swept",
            &format!(
                "<code>{}</code>: {}",
                escape(&p.key),
                escape(&values.join(", "))
            ),
        );
    }
    let params: Vec<String> = s
        .params
        .iter()
        .map(|p| format!("--param '{}'", escape(&p.spec)))
        .collect();
    meta_row(
        &mut out,
        "Reproduce",
        &format!(
            "<code>driftlab sweep scenario.toml {} --seed {} --paths {}</code> (with the <code>scenario.toml</code> of this folder)",
            params.join(" "),
            s.seed,
            s.paths
        ),
    );
    out.push_str("</table>\n");
    figures_nav(&mut out, figures);
    if figures.is_empty() {
        out.push_str("<p>No chart: charts are drawn for sweeps of one or two parameters. The table below and <code>sweep.csv</code> hold every grid point.</p>\n");
    }
    figures_section(&mut out, figures);

    out.push_str("<h2 id=\"grid\">Success rate by grid point</h2>\n");
    out.push_str("<p>Every metric of every grid point and strategy is in <code>sweep.csv</code> and <code>sweep.parquet</code>.</p>\n");
    out.push_str("<div class=\"scroll\"><table class=\"grid\">\n<thead><tr><th>Point</th>");
    for p in &s.params {
        let _ = write!(out, "<th>{}</th>", escape(&p.key));
    }
    let names: Vec<String> = s
        .points
        .first()
        .map(|p| p.strategies.iter().map(|x| x.name.clone()).collect())
        .unwrap_or_default();
    for n in &names {
        let _ = write!(out, "<th>{}</th>", escape(n));
    }
    out.push_str("</tr></thead>\n<tbody>\n");
    for (i, pt) in s.points.iter().enumerate() {
        let _ = write!(out, "<tr><td>{}</td>", i + 1);
        for (p, v) in s.params.iter().zip(&pt.values) {
            let _ = write!(out, "<td>{}</td>", escape(&p.format(*v)));
        }
        for st in &pt.strategies {
            let _ = write!(out, "<td>{}</td>", share(st.success_rate));
        }
        out.push_str("</tr>\n");
    }
    out.push_str("</tbody></table></div>\n");
    scenario_section(&mut out, scenario_source);
    footer(&mut out);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shares_never_round_to_certainty() {
        assert_eq!(share(0.998), "99.8%");
        assert_eq!(share(0.9996), "99.96%");
        assert_eq!(share(0.99999), "99.999%");
        assert_eq!(share(1.0), "100.0%");
        assert_eq!(share(0.0004), "0.04%");
        assert_eq!(share(0.0), "0.0%");
        assert_eq!(share(f64::NAN), "n/a");
    }

    #[test]
    fn escaping_and_inlining() {
        assert_eq!(escape("a<b & \"c\""), "a&lt;b &amp; &quot;c&quot;");
        let f = HtmlFigure {
            stem: "x".into(),
            title: "T <1>".into(),
            svg: "<?xml version=\"1.0\"?>\n<svg width=\"10\" viewBox=\"0 0 10 10\"><text>a</text></svg>".into(),
        };
        let s = inline_svg(&f);
        assert!(
            s.starts_with(
                "<svg class=\"chart\" role=\"img\" aria-label=\"T &lt;1&gt;\" width=\"10\""
            ),
            "{s}"
        );
        assert!(!s.contains("<?xml"));
    }
}
