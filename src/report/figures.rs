//! The research charts: success rate with confidence intervals, paired differences against
//! the baseline, allocation drift on sample paths, and outcome by historical start date.
//! Same frame, fonts and colours as the first four charts ([`super::charts`]).

use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use super::charts::{
    ChartData, ChartKind, DrawResult, FAN_X_LABEL, bold, finite_runs, fit_text, font, frame, grid,
    horizontal_label, names_width, no_data, row_chart, value_range, vertical_label,
};
use super::theme::*;

/// z for a two-sided 95% interval.
const Z95: f64 = 1.959_963_984_540_054;

/// Wilson score 95% interval of a proportion `p` observed on `n` trials, clamped to [0, 1].
/// `(NaN, NaN)` when it cannot be computed.
pub fn wilson95(p: f64, n: usize) -> (f64, f64) {
    if n == 0 || !p.is_finite() {
        return (f64::NAN, f64::NAN);
    }
    let p = p.clamp(0.0, 1.0);
    let n = n as f64;
    let z2 = Z95 * Z95;
    let denom = 1.0 + z2 / n;
    let center = (p + z2 / (2.0 * n)) / denom;
    let half = Z95 * (p * (1.0 - p) / n + z2 / (4.0 * n * n)).sqrt() / denom;
    // At p = 0 (or 1) the bound is exactly 0 (or 1); rounding must not leave 1e-18.
    let lo = if p == 0.0 {
        0.0
    } else {
        (center - half).max(0.0)
    };
    let hi = if p == 1.0 {
        1.0
    } else {
        (center + half).min(1.0)
    };
    (lo, hi)
}

/// "1966" -> 1966.0, "1929-09" -> 1929 + 8/12; `None` for anything else.
pub fn label_position(label: &str) -> Option<f64> {
    let mut parts = label.trim().split('-');
    let year: f64 = parts.next()?.trim().parse::<u32>().ok()? as f64;
    match parts.next() {
        None => Some(year),
        Some(m) => {
            let month: u32 = m.trim().parse().ok()?;
            if !(1..=12).contains(&month) || parts.next().is_some() {
                return None;
            }
            Some(year + (month - 1) as f64 / 12.0)
        }
    }
}

fn percent_tick(v: f64) -> String {
    let r = (v * 10.0).round() / 10.0;
    if r.fract() == 0.0 {
        format!("{r:.0}%")
    } else {
        format!("{r:.1}%")
    }
}

/// Decimals that keep about six ticks over `span` distinct.
fn tick_decimals(span: f64) -> usize {
    let step = span / 6.0;
    if !step.is_finite() || step >= 1.0 {
        0
    } else if step >= 0.1 {
        1
    } else {
        2
    }
}

/// A number with `d` decimals, trailing zeros removed; "-0" becomes "0".
fn fixed(v: f64, d: usize) -> String {
    let s = format!("{v:.d$}");
    let s = if s.contains('.') {
        s.trim_end_matches('0').trim_end_matches('.').to_string()
    } else {
        s
    };
    if s == "-0" { "0".into() } else { s }
}

fn signed_dollars(v: f64) -> String {
    if v > 0.0 {
        format!("+{}", dollars_label(v))
    } else {
        dollars_label(v)
    }
}

fn signed_pp(v: f64) -> String {
    let s = format!("{v:.1}");
    if s == "-0.0" || s == "0.0" {
        "0.0pp".to_string()
    } else if v > 0.0 {
        format!("+{s}pp")
    } else {
        format!("{s}pp")
    }
}

/// A noisy dense series as a 2-pixel line: two 1-pixel lines `dy` (one pixel) apart.
/// plotters' bitmap backend turns thicker lines into polygons whose joins spike far past
/// the data at sharp reversals, which month-by-month series have; 1-pixel lines do not.
fn crisp(run: &[(f64, f64)], dy: f64) -> [Vec<(f64, f64)>; 2] {
    [
        run.iter().map(|&(x, y)| (x, y + dy)).collect(),
        run.to_vec(),
    ]
}

/// A one-line legend: a muted lead, then a colour swatch and label per item, from `x0`.
fn legend_row<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    lead: &str,
    items: &[(String, RGBColor)],
    x0: i32,
) -> DrawResult
where
    DB::ErrorType: 'static,
{
    let (w, h) = area.dim_in_pixel();
    let y = h as i32 / 2;
    let style = font(LEGEND_PX).pos(Pos::new(HPos::Left, VPos::Center));
    let mut x = x0;
    if !lead.is_empty() {
        area.draw_text(lead, &style.color(&MUTED), (x, y))?;
        x += area.estimate_text_size(lead, &style)?.0 as i32 + 16;
    }
    for (label, color) in items {
        let text = ellipsize(label, 24);
        let text_w = area.estimate_text_size(&text, &style)?.0 as i32;
        if x + 32 + text_w > w as i32 {
            break;
        }
        area.draw(&PathElement::new(
            vec![(x, y), (x + 26, y)],
            color.stroke_width(4),
        ))?;
        area.draw_text(&text, &style, (x + 32, y))?;
        x += 32 + text_w + 22;
    }
    Ok(())
}

// ---------------------------------------------------------------------------------------
// Dot-and-whisker rows (charts 5 and 6).

pub(super) struct DotRow {
    pub name: String,
    pub color: RGBColor,
    pub value: f64,
    pub lo: f64,
    pub hi: f64,
}

pub(super) struct DotPanel<'a> {
    pub title: &'a str,
    pub x_desc: &'a str,
    pub rows: Vec<DotRow>,
    /// Draw a reference line at zero (differences).
    pub zero: bool,
    /// Hard limits of the axis (e.g. 0..100 for percentages).
    pub bounds: Option<(f64, f64)>,
    /// Narrowest axis span, so that tiny differences are not blown up to the full width.
    pub min_span: f64,
    /// Tick label for a value, given the decimals that keep the ticks distinct.
    pub tick: &'a dyn Fn(f64, usize) -> String,
    pub label: &'a dyn Fn(&DotRow) -> String,
}

pub(super) fn dot_panel<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    p: &DotPanel,
    names_w: Option<u32>,
) -> DrawResult
where
    DB::ErrorType: 'static,
{
    let n = p.rows.len();
    let nf = n as f64;
    let include: &[f64] = if p.zero { &[0.0] } else { &[] };
    let (mut lo, mut hi) = value_range(
        p.rows.iter().flat_map(|r| [r.value, r.lo, r.hi]),
        include,
        0.15,
    );
    // value_range keeps a non-negative minimum at its value; pad both sides here, so a dot
    // at the minimum is not on the axis.
    let span = hi - lo;
    if lo >= 0.0 && !p.zero {
        lo -= span * 0.15;
    }
    let all_zero = p
        .rows
        .iter()
        .flat_map(|r| [r.value, r.lo, r.hi])
        .filter(|v| v.is_finite())
        .all(|v| v == 0.0);
    if p.zero && all_zero {
        (lo, hi) = (-p.min_span.max(1.0) / 2.0, p.min_span.max(1.0) / 2.0);
    }
    if hi - lo < p.min_span {
        let mid = (hi + lo) / 2.0;
        (lo, hi) = (mid - p.min_span / 2.0, mid + p.min_span / 2.0);
        if let Some((bmin, bmax)) = p.bounds {
            if hi > bmax {
                (lo, hi) = (bmax - p.min_span, bmax);
            }
            if lo < bmin {
                (lo, hi) = (bmin, bmin + p.min_span);
            }
        }
    }
    if let Some((bmin, bmax)) = p.bounds {
        lo = lo.max(bmin);
        hi = hi.min(bmax);
        if hi <= lo {
            (lo, hi) = (bmin, bmax);
        }
    }
    let decimals = tick_decimals(hi - lo);
    let names: Vec<String> = p.rows.iter().map(|r| ellipsize(&r.name, 28)).collect();
    let mut chart = row_chart(area, p.title, &names, names_w, lo..hi, p.x_desc, &|v| {
        (p.tick)(v, decimals)
    })?;
    if p.zero && lo < 0.0 && hi > 0.0 {
        chart.draw_series(std::iter::once(PathElement::new(
            vec![(0.0, 0.0), (0.0, nf)],
            AXIS.stroke_width(2),
        )))?;
    }
    let clamp = |v: f64| v.clamp(lo, hi);
    for (i, r) in p.rows.iter().enumerate() {
        let yc = nf - i as f64 - 0.5;
        if !r.value.is_finite() {
            let style = font(VALUE_LABEL_PX)
                .color(&MUTED)
                .pos(Pos::new(HPos::Left, VPos::Center));
            chart.draw_series(std::iter::once(
                EmptyElement::at((lo, yc)) + Text::new("n/a".to_string(), (6, 0), style),
            ))?;
            continue;
        }
        if r.lo.is_finite() && r.hi.is_finite() {
            let (a, b) = (clamp(r.lo), clamp(r.hi));
            let stroke = r.color.stroke_width(3);
            chart.draw_series(std::iter::once(PathElement::new(
                vec![(a, yc), (b, yc)],
                stroke,
            )))?;
            for x in [a, b] {
                chart.draw_series(std::iter::once(PathElement::new(
                    vec![(x, yc - 0.12), (x, yc + 0.12)],
                    stroke,
                )))?;
            }
        }
        let v = clamp(r.value);
        chart.draw_series(std::iter::once(Circle::new((v, yc), 7, r.color.filled())))?;
        // The label sits above the dot, anchored so it stays inside the plot.
        let frac = if hi > lo { (v - lo) / (hi - lo) } else { 0.5 };
        let h = if frac > 0.75 {
            HPos::Right
        } else if frac < 0.25 {
            HPos::Left
        } else {
            HPos::Center
        };
        let style = bold(VALUE_LABEL_PX)
            .color(&INK)
            .pos(Pos::new(h, VPos::Bottom));
        chart.draw_series(std::iter::once(
            EmptyElement::at((v, yc)) + Text::new((p.label)(r), (0, -14), style),
        ))?;
    }
    Ok(())
}

// ---------------------------------------------------------------------------------------
// 5. Success rate with a 95% Wilson interval.

pub fn draw_success_rate<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    data: &ChartData,
) -> DrawResult
where
    DB::ErrorType: 'static,
{
    let historical = !data.path_labels.is_empty();
    let what = if historical { "windows" } else { "paths" };
    let subtitle = if historical {
        format!(
            "Share of {} historical windows that never missed a withdrawal; whiskers: 95% Wilson interval (windows overlap: too narrow)",
            thousands(data.paths as u64)
        )
    } else {
        format!(
            "Share of {} {what} that never missed a withdrawal; whiskers: 95% Wilson interval",
            thousands(data.paths as u64)
        )
    };
    let body = frame(
        root,
        ChartKind::SuccessRate.title(),
        &subtitle,
        &data.source,
    )?;
    if data.strategies.is_empty() {
        return no_data(&body);
    }
    let rows = data
        .strategies
        .iter()
        .map(|s| {
            let (lo, hi) = wilson95(s.summary.success_rate, data.paths);
            DotRow {
                name: s.name.to_string(),
                color: s.color,
                value: s.summary.success_rate * 100.0,
                lo: lo * 100.0,
                hi: hi * 100.0,
            }
        })
        .collect();
    let names_w = names_width(&body, data)?;
    let panel = DotPanel {
        title: "",
        x_desc: if historical {
            "Windows that never missed a withdrawal (%)"
        } else {
            "Paths that never missed a withdrawal (%)"
        },
        rows,
        zero: false,
        bounds: Some((0.0, 100.0)),
        min_span: 2.0,
        tick: &|v, d| format!("{}%", fixed(v, d)),
        label: &|r| {
            if r.lo.is_finite() && r.hi.is_finite() {
                format!("{:.1}%  ({:.1}–{:.1})", r.value, r.lo, r.hi)
            } else {
                format!("{:.1}%", r.value)
            }
        },
    };
    dot_panel(&body, &panel, Some(names_w))
}

// ---------------------------------------------------------------------------------------
// 6. Paired differences against the baseline.

pub fn draw_paired<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    data: &ChartData,
) -> DrawResult
where
    DB::ErrorType: 'static,
{
    let baseline = data
        .pairs
        .first()
        .map(|p| p.baseline.as_str())
        .unwrap_or("the baseline");
    let historical = !data.path_labels.is_empty();
    let subtitle = format!(
        "Each strategy minus “{}” on the same {} {}; whiskers: 95% interval of the mean difference{}",
        ellipsize(baseline, 24),
        thousands(data.paths as u64),
        if historical { "windows" } else { "paths" },
        if historical {
            " (overlapping windows: too narrow)"
        } else {
            ""
        }
    );
    let body = frame(
        root,
        ChartKind::PairedDifferences.title(),
        &subtitle,
        &data.source,
    )?;
    if data.pairs.is_empty() {
        return no_data(&body);
    }
    let color_of = |name: &str| {
        data.strategies
            .iter()
            .find(|s| s.name == name)
            .map_or(INK, |s| s.color)
    };
    let wealth_rows = data
        .pairs
        .iter()
        .map(|p| DotRow {
            name: p.strategy.clone(),
            color: color_of(&p.strategy),
            value: p.terminal_real_mean_diff,
            lo: p.terminal_real_ci95.0,
            hi: p.terminal_real_ci95.1,
        })
        .collect();
    let success_rows = data
        .pairs
        .iter()
        .map(|p| DotRow {
            name: p.strategy.clone(),
            color: color_of(&p.strategy),
            value: p.success_rate_diff * 100.0,
            lo: p.success_rate_ci95.0 * 100.0,
            hi: p.success_rate_ci95.1 * 100.0,
        })
        .collect();
    let wealth = DotPanel {
        title: "Mean terminal wealth difference",
        x_desc: "Real (start-year dollars)",
        rows: wealth_rows,
        zero: true,
        bounds: None,
        min_span: 0.0,
        tick: &|v, _| {
            if v > 0.0 {
                format!("+{}", dollars_tick(v))
            } else {
                dollars_tick(v)
            }
        },
        label: &|r| signed_dollars(r.value),
    };
    let success = DotPanel {
        title: "Success rate difference",
        x_desc: "Percentage points",
        rows: success_rows,
        zero: true,
        bounds: None,
        min_span: 0.2,
        tick: &|v, d| {
            let s = fixed(v, d);
            if v > 0.0 { format!("+{s}") } else { s }
        },
        label: &|r| signed_pp(r.value),
    };
    let names_w = names_width(&body, data)?;
    let (w, _) = body.dim_in_pixel();
    let gap = 40;
    let plot_w = w.saturating_sub(names_w + gap) / 2;
    let (left, rest) = body.split_horizontally(names_w + plot_w);
    let (_, right) = rest.split_horizontally(gap);
    dot_panel(&left, &wealth, Some(names_w))?;
    dot_panel(&right, &success, None)?;
    Ok(())
}

// ---------------------------------------------------------------------------------------
// 7. Allocation drift on sample paths.

fn drift_y_label(asset: &str) -> String {
    format!("Weight of {} (% of portfolio)", ellipsize(asset, 30))
}

pub fn draw_drift<DB: DrawingBackend>(root: &DrawingArea<DB, Shift>, data: &ChartData) -> DrawResult
where
    DB::ErrorType: 'static,
{
    let Some(drift) = data.drift else {
        let body = frame(root, ChartKind::AllocationDrift.title(), "", &data.source)?;
        return no_data(&body);
    };
    let asset = drift.asset_names.first().map_or("", String::as_str);
    let target = drift.targets.first().copied().unwrap_or(f64::NAN) * 100.0;
    let k = drift.series.len();
    let subtitle = format!(
        "Weight of {} at the end of every step, after rebalancing, on {} of the run's {}; dashed: the {}% target",
        ellipsize(asset, 24),
        k,
        if data.path_labels.is_empty() {
            "paths"
        } else {
            "historical windows"
        },
        trim_number(target),
    );
    let body = frame(
        root,
        ChartKind::AllocationDrift.title(),
        &subtitle,
        &data.source,
    )?;
    let n = drift.strategies.len();
    if n == 0 || k == 0 || drift.asset_names.is_empty() {
        return no_data(&body);
    }
    let (body_w, body_h) = body.dim_in_pixel();
    let (legend, rest) = body.split_vertically(34);
    let (y_strip, rest) = rest.split_horizontally(30);
    let (grid_area, x_strip) = rest.split_vertically(body_h.saturating_sub(34 + 30));
    vertical_label(&y_strip, &drift_y_label(asset))?;
    horizontal_label(&x_strip, FAN_X_LABEL)?;

    // Legend: one swatch per sampled path.
    let path_color = |i: usize| PALETTE[i % PALETTE.len()];
    let items: Vec<(String, RGBColor)> = drift
        .series
        .iter()
        .enumerate()
        .map(|(i, p)| (p.label.clone(), path_color(i)))
        .collect();
    legend_row(&legend, "Sample paths:", &items, 34)?;

    let spy = drift.steps_per_year.max(1) as f64;
    let max_t = drift
        .series
        .iter()
        .flat_map(|p| p.weights.iter().flat_map(|w| w.last().map(|(s, _)| *s)))
        .max()
        .unwrap_or(0) as f64
        / spy;
    let max_t = if max_t > 0.0 { max_t } else { 1.0 };
    let (mut y_lo, mut y_hi) = value_range(
        drift.series.iter().flat_map(|p| {
            p.weights
                .iter()
                .flat_map(|w| {
                    w.iter()
                        .map(|(_, v)| v.first().copied().unwrap_or(f64::NAN))
                })
                .map(|v| v * 100.0)
        }),
        &[target],
        0.08,
    );
    let span = y_hi - y_lo;
    y_lo = (y_lo - span * 0.08).max(0.0);
    y_hi = y_hi.min(100.0);
    if y_hi <= y_lo {
        (y_lo, y_hi) = (0.0, 100.0);
    }

    let (rows, cols) = grid(n);
    let panels = grid_area.split_evenly((rows, cols));
    let caption_w = (body_w.saturating_sub(30) / cols as u32).saturating_sub(24);
    for (si, (panel, name)) in panels.iter().zip(&drift.strategies).enumerate() {
        let color = strategy_color(si);
        let caption_style = bold(PANEL_TITLE_PX).color(&color);
        let caption = fit_text(panel, name, &caption_style, caption_w)?;
        let mut chart = ChartBuilder::on(panel)
            .caption(caption, caption_style)
            .margin(6)
            .margin_right(18)
            .x_label_area_size(30)
            .y_label_area_size(56)
            .build_cartesian_2d(0f64..max_t, y_lo..y_hi)?;
        chart
            .configure_mesh()
            .x_labels(7)
            .y_labels(6)
            .x_label_formatter(&|v| trim_number(*v))
            .y_label_formatter(&|v| percent_tick(*v))
            .label_style(font(TICK_PX))
            .axis_style(AXIS)
            .bold_line_style(GRID)
            .light_line_style(TRANSPARENT)
            .draw()?;
        for (pi, p) in drift.series.iter().enumerate() {
            let Some(points) = p.weights.get(si) else {
                continue;
            };
            let pts: Vec<(f64, f64)> = points
                .iter()
                .map(|(s, w)| {
                    (
                        *s as f64 / spy,
                        w.first().copied().unwrap_or(f64::NAN) * 100.0,
                    )
                })
                .collect();
            let dy = (y_hi - y_lo) / chart.plotting_area().dim_in_pixel().1.max(1) as f64;
            for run in finite_runs(&pts) {
                for line in crisp(&run, dy) {
                    chart.draw_series(LineSeries::new(line, path_color(pi).stroke_width(1)))?;
                }
            }
        }
        // The target on top, so the paths do not hide it.
        if target.is_finite() {
            chart.draw_series(DashedLineSeries::new(
                vec![(0.0, target), (max_t, target)],
                10,
                6,
                INK.stroke_width(2),
            ))?;
        }
    }
    Ok(())
}

/// Up to two decimals, trailing zeros removed: 60 -> "60", 2.5 -> "2.5".
fn trim_number(v: f64) -> String {
    if !v.is_finite() {
        return "n/a".into();
    }
    let s = format!("{v:.2}");
    let s = s.trim_end_matches('0').trim_end_matches('.');
    if s == "-0" { "0".into() } else { s.into() }
}

// ---------------------------------------------------------------------------------------
// 8. Outcome by historical start date (rolling windows).

pub fn draw_by_start<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    data: &ChartData,
) -> DrawResult
where
    DB::ErrorType: 'static,
{
    let baseline = data.baseline();
    let subtitle = match baseline {
        Some(b) if data.strategies.len() > 1 => format!(
            "Top: terminal wealth of each historical window (failed windows end at $0) · bottom: each strategy minus “{}”",
            ellipsize(data.strategies[b].name, 24)
        ),
        _ => "Terminal wealth of each historical window; failed windows end at $0".to_string(),
    };
    let body = frame(
        root,
        ChartKind::OutcomeByStart.title(),
        &subtitle,
        &data.source,
    )?;
    let labels = data.path_labels;
    if labels.is_empty() || data.strategies.is_empty() {
        return no_data(&body);
    }
    let xs: Vec<f64> = labels
        .iter()
        .enumerate()
        .map(|(i, l)| label_position(l).unwrap_or(i as f64))
        .collect();
    let all_parsed = labels.iter().all(|l| label_position(l).is_some());
    let monthly = labels.iter().any(|l| l.contains('-'));
    let x_desc = match (all_parsed, monthly) {
        (false, _) => "Window (in order of start)",
        (true, true) => "First month of the window",
        (true, false) => "First year of the window",
    };
    let (x_lo, x_hi) = value_range(xs.iter().copied(), &[], 0.0);
    let series = |s: usize| -> Vec<(f64, f64)> {
        let v = data.by_path.get(s);
        xs.iter()
            .enumerate()
            .map(|(i, &x)| (x, v.and_then(|v| v.get(i)).copied().unwrap_or(f64::NAN)))
            .collect()
    };

    let two = baseline.is_some() && data.strategies.len() > 1;
    let (legend, body) = body.split_vertically(30);
    let items: Vec<(String, RGBColor)> = data
        .strategies
        .iter()
        .map(|s| (s.name.to_string(), s.color))
        .collect();
    legend_row(&legend, "", &items, 102)?;
    let (_, body_h) = body.dim_in_pixel();
    let (top, bottom) = if two {
        let (t, b) = body.split_vertically(body_h * 55 / 100);
        (t, Some(b))
    } else {
        (body.clone(), None)
    };

    let (y_lo, y_hi) = value_range(
        (0..data.strategies.len()).flat_map(|s| series(s).into_iter().map(|(_, y)| y)),
        &[0.0],
        0.04,
    );
    let mut chart = ChartBuilder::on(&top)
        .margin(6)
        .margin_right(30)
        .x_label_area_size(if two { 34 } else { 62 })
        .y_label_area_size(96)
        .build_cartesian_2d(x_lo..x_hi, y_lo..y_hi)?;
    let year_tick = |v: &f64| format!("{:.0}", v.floor());
    let mut mesh = chart.configure_mesh();
    mesh.x_labels(10)
        .y_labels(5)
        .x_label_formatter(&year_tick)
        .y_label_formatter(&|v| dollars_tick(*v))
        .label_style(font(TICK_PX))
        .y_desc("Terminal wealth, real ($)")
        .axis_desc_style(font(AXIS_LABEL_PX))
        .axis_style(AXIS)
        .bold_line_style(GRID)
        .light_line_style(TRANSPARENT);
    if !two {
        mesh.x_desc(x_desc);
    }
    mesh.draw()?;
    let dy_top = (y_hi - y_lo) / chart.plotting_area().dim_in_pixel().1.max(1) as f64;
    for (i, s) in data.strategies.iter().enumerate() {
        for run in finite_runs(&series(i)) {
            for line in crisp(&run, dy_top) {
                chart.draw_series(LineSeries::new(line, s.color.stroke_width(1)))?;
            }
        }
    }
    if let (Some(bottom), Some(b)) = (bottom, baseline) {
        let base = series(b);
        let diffs: Vec<(usize, Vec<(f64, f64)>)> = (0..data.strategies.len())
            .filter(|&s| s != b)
            .map(|s| {
                let d = series(s)
                    .into_iter()
                    .zip(&base)
                    .map(|((x, y), (_, yb))| (x, y - yb))
                    .collect();
                (s, d)
            })
            .collect();
        let (d_lo, d_hi) = value_range(
            diffs.iter().flat_map(|(_, d)| d.iter().map(|(_, y)| *y)),
            &[0.0],
            0.06,
        );
        let base_name = ellipsize(data.strategies[b].name, 16);
        let y_desc = format!("Minus {base_name} (real $)");
        let mut chart = ChartBuilder::on(&bottom)
            .margin(6)
            .margin_right(30)
            .x_label_area_size(62)
            .y_label_area_size(96)
            .build_cartesian_2d(x_lo..x_hi, d_lo..d_hi)?;
        chart
            .configure_mesh()
            .x_labels(10)
            .y_labels(5)
            .x_label_formatter(&year_tick)
            .y_label_formatter(&|v| {
                if *v > 0.0 {
                    format!("+{}", dollars_tick(*v))
                } else {
                    dollars_tick(*v)
                }
            })
            .label_style(font(TICK_PX))
            .x_desc(x_desc)
            .y_desc(y_desc)
            .axis_desc_style(font(AXIS_LABEL_PX))
            .axis_style(AXIS)
            .bold_line_style(GRID)
            .light_line_style(TRANSPARENT)
            .draw()?;
        if d_lo < 0.0 && d_hi > 0.0 {
            chart.draw_series(std::iter::once(PathElement::new(
                vec![(x_lo, 0.0), (x_hi, 0.0)],
                AXIS.stroke_width(2),
            )))?;
        }
        let dy = (d_hi - d_lo) / chart.plotting_area().dim_in_pixel().1.max(1) as f64;
        for (s, d) in diffs {
            let color = data.strategies[s].color;
            for run in finite_runs(&d) {
                for line in crisp(&run, dy) {
                    chart.draw_series(LineSeries::new(line, color.stroke_width(1)))?;
                }
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wilson_interval() {
        // p = 0.5, n = 100: the textbook values 0.4038 .. 0.5962.
        let (lo, hi) = wilson95(0.5, 100);
        assert!((lo - 0.403_831).abs() < 1e-5 && (hi - 0.596_169).abs() < 1e-5);
        // Never outside [0, 1], and not degenerate at the edges.
        let (lo, hi) = wilson95(1.0, 50);
        assert!(hi == 1.0 && lo > 0.9 && lo < 1.0);
        let (lo, hi) = wilson95(0.0, 50);
        assert!(lo == 0.0 && hi > 0.0 && hi < 0.1);
        assert!(wilson95(0.5, 0).0.is_nan());
    }

    #[test]
    fn start_labels_become_positions() {
        assert_eq!(label_position("1966"), Some(1966.0));
        assert_eq!(label_position("1929-09"), Some(1929.0 + 8.0 / 12.0));
        assert_eq!(label_position("1929-13"), None);
        assert_eq!(label_position("path 3"), None);
        assert_eq!(trim_number(60.0), "60");
        assert_eq!(trim_number(2.5), "2.5");
        assert_eq!(signed_pp(-0.0001), "0.0pp");
        assert_eq!(signed_pp(1.26), "+1.3pp");
    }
}
