//! Sweep charts: the success-rate heatmap over two swept parameters (one panel per
//! strategy, one colour scale), or success rate against the parameter when one is swept.

use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use super::charts::{
    CategoryAxis, DrawResult, Figure, bold, finite_runs, fit_text, font, frame, grid,
    horizontal_label, no_data, vertical_label,
};
use super::figures::wilson95;
use super::theme::*;
use crate::sweep::SweepResults;

/// The chart a sweep gets, by the number of swept parameters.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SweepChart {
    /// Two parameters: `charts/success_heatmap`.
    Heatmap,
    /// One parameter: `charts/success_by_parameter`.
    Line,
}

impl SweepChart {
    /// The chart for this sweep; `None` for three or more parameters (table only).
    pub fn for_sweep(s: &SweepResults) -> Option<SweepChart> {
        match s.params.len() {
            1 => Some(SweepChart::Line),
            2 => Some(SweepChart::Heatmap),
            _ => None,
        }
    }

    pub fn stem(self) -> &'static str {
        match self {
            SweepChart::Heatmap => "success_heatmap",
            SweepChart::Line => "success_by_parameter",
        }
    }

    pub fn title(self) -> &'static str {
        match self {
            SweepChart::Heatmap => "Success rate over the parameter grid",
            SweepChart::Line => "Success rate across the parameter",
        }
    }
}

pub(super) struct SweepFigure<'a> {
    pub kind: SweepChart,
    pub data: &'a SweepResults,
}

impl Figure for SweepFigure<'_> {
    fn stem(&self) -> String {
        self.kind.stem().to_string()
    }
    fn canvas(&self) -> (u32, u32) {
        match self.kind {
            SweepChart::Heatmap => (1200, 860),
            SweepChart::Line => CANVAS,
        }
    }
    fn draw_on<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> DrawResult
    where
        DB::ErrorType: 'static,
    {
        match self.kind {
            SweepChart::Heatmap => draw_heatmap(root, self.data),
            SweepChart::Line => draw_line(root, self.data),
        }
    }
}

fn source(s: &SweepResults) -> String {
    format!(
        "driftlab {} · scenario {} · {} · {} {} per grid point · seed {}",
        s.tool_version,
        s.scenario,
        s.market,
        thousands(s.paths as u64),
        if s.paths == 1 { "path" } else { "paths" },
        s.seed
    )
}

/// Viridis (perceptually uniform, colour-blind safe), `t` in [0, 1].
pub fn viridis(t: f64) -> RGBColor {
    const STOPS: [(u8, u8, u8); 9] = [
        (68, 1, 84),
        (71, 44, 122),
        (59, 81, 139),
        (44, 113, 142),
        (33, 144, 141),
        (39, 173, 129),
        (92, 200, 99),
        (170, 220, 50),
        (253, 231, 37),
    ];
    let t = if t.is_finite() {
        t.clamp(0.0, 1.0)
    } else {
        0.0
    };
    let x = t * (STOPS.len() - 1) as f64;
    let i = (x.floor() as usize).min(STOPS.len() - 2);
    let f = x - i as f64;
    let (a, b) = (STOPS[i], STOPS[i + 1]);
    let mix = |p: u8, q: u8| (p as f64 + (q as f64 - p as f64) * f).round() as u8;
    RGBColor(mix(a.0, b.0), mix(a.1, b.1), mix(a.2, b.2))
}

/// Success rate (fraction) of strategy `s` at grid point `(i, j)` of the first two params.
fn cell_value(d: &SweepResults, i: usize, j: usize, s: usize) -> f64 {
    let ny = d.params.get(1).map_or(1, |p| p.values.len());
    d.points
        .get(i * ny + j)
        .and_then(|p| p.strategies.get(s))
        .map_or(f64::NAN, |x| x.success_rate)
}

fn strategy_names(d: &SweepResults) -> Vec<String> {
    d.points
        .first()
        .map(|p| p.strategies.iter().map(|s| s.name.clone()).collect())
        .unwrap_or_default()
}

fn draw_heatmap<DB: DrawingBackend>(root: &DrawingArea<DB, Shift>, d: &SweepResults) -> DrawResult
where
    DB::ErrorType: 'static,
{
    let subtitle = format!(
        "Cells: % of {} paths that never missed a withdrawal; every grid point uses the same seed (common random numbers)",
        thousands(d.paths as u64)
    );
    let body = frame(root, SweepChart::Heatmap.title(), &subtitle, &source(d))?;
    let names = strategy_names(d);
    if d.params.len() < 2 || names.is_empty() || d.points.is_empty() {
        return no_data(&body);
    }
    let (px, py) = (&d.params[0], &d.params[1]);
    let (nx, ny) = (px.values.len(), py.values.len());

    // One colour scale for every panel: from the lowest success rate (rounded down to
    // 10%) to 100%.
    let n_strat = names.len();
    let min = (0..nx)
        .flat_map(|i| (0..ny).flat_map(move |j| (0..n_strat).map(move |s| (i, j, s))))
        .map(|(i, j, s)| cell_value(d, i, j, s))
        .filter(|v| v.is_finite())
        .fold(f64::INFINITY, f64::min);
    let lo = if min.is_finite() {
        ((min * 10.0).floor() / 10.0).min(0.9)
    } else {
        0.0
    };
    let scale = |v: f64| (v - lo) / (1.0 - lo);

    let (body_w, body_h) = body.dim_in_pixel();
    let (main, bar) = body.split_horizontally(body_w.saturating_sub(96));
    let (y_strip, rest) = main.split_horizontally(30);
    let (grid_area, x_strip) = rest.split_vertically(body_h.saturating_sub(30));
    vertical_label(&y_strip, &py.title())?;
    horizontal_label(&x_strip, &px.title())?;

    let (rows, cols) = grid(names.len());
    let panels = grid_area.split_evenly((rows, cols));
    let caption_w = (body_w.saturating_sub(126) / cols as u32).saturating_sub(24);
    for (s, (panel, name)) in panels.iter().zip(&names).enumerate() {
        let color = strategy_color(s);
        let caption_style = bold(PANEL_TITLE_PX).color(&color);
        let caption = fit_text(panel, name, &caption_style, caption_w)?;
        let (pw, ph) = panel.dim_in_pixel();
        let x_labels = ((pw.saturating_sub(80)) / 56).max(2) as usize;
        let y_labels = ((ph.saturating_sub(80)) / 22).max(2) as usize;
        let mut chart = ChartBuilder::on(panel)
            .caption(caption, caption_style)
            .margin(6)
            .margin_right(12)
            .x_label_area_size(28)
            .y_label_area_size(62)
            .build_cartesian_2d(
                CategoryAxis {
                    count: nx,
                    max_labels: x_labels,
                },
                CategoryAxis {
                    count: ny,
                    max_labels: y_labels,
                },
            )?;
        let fmt_x = |v: &f64| {
            let i = v.floor() as usize;
            px.values.get(i).map_or(String::new(), |x| px.format(*x))
        };
        let fmt_y = |v: &f64| {
            let j = v.floor() as usize;
            py.values.get(j).map_or(String::new(), |y| py.format(*y))
        };
        chart
            .configure_mesh()
            .disable_mesh()
            .x_label_formatter(&fmt_x)
            .y_label_formatter(&fmt_y)
            .label_style(font(TICK_PX - 2))
            .axis_style(AXIS)
            .draw()?;
        let (cw, chh) = chart.plotting_area().dim_in_pixel();
        let cell_w = cw as f64 / nx.max(1) as f64;
        let cell_h = chh as f64 / ny.max(1) as f64;
        let label_px = if cell_w >= 40.0 && cell_h >= 18.0 {
            Some(13)
        } else if cell_w >= 28.0 && cell_h >= 14.0 {
            Some(11)
        } else {
            None
        };
        for i in 0..nx {
            for j in 0..ny {
                let v = cell_value(d, i, j, s);
                let (x0, y0) = (i as f64, j as f64);
                if !v.is_finite() {
                    chart.draw_series(std::iter::once(Rectangle::new(
                        [(x0, y0), (x0 + 1.0, y0 + 1.0)],
                        GRID.filled(),
                    )))?;
                    continue;
                }
                let c = viridis(scale(v));
                chart.draw_series(std::iter::once(Rectangle::new(
                    [(x0, y0), (x0 + 1.0, y0 + 1.0)],
                    c.filled(),
                )))?;
                if let Some(px_size) = label_px {
                    let pct = v * 100.0;
                    // Above 99%, one decimal, truncated: 99.96% reads "99.9", never "100",
                    // which is kept for paths that all succeeded.
                    let text = if pct >= 100.0 {
                        "100".to_string()
                    } else if cell_w >= 40.0 && pct > 99.0 {
                        format!("{:.1}", (pct * 10.0).floor() / 10.0)
                    } else {
                        format!("{:.0}", pct.floor().max(pct.round().min(99.0)))
                    };
                    let ink = text_on(c);
                    let style = font(px_size)
                        .color(&ink)
                        .pos(Pos::new(HPos::Center, VPos::Center));
                    chart.draw_series(std::iter::once(Text::new(
                        text,
                        (x0 + 0.5, y0 + 0.5),
                        style,
                    )))?;
                }
            }
        }
    }

    // Colour bar.
    let (bw, bh) = bar.dim_in_pixel();
    let top = 40i32;
    let bottom = bh as i32 - 60;
    let x0 = 18i32;
    let x1 = 42i32;
    // Bands a few pixels high that overlap by one pixel: 1-pixel bands leave anti-aliasing
    // seams (stripes) when a browser scales the SVG.
    let span = (bottom - top).max(1);
    let bands = 64;
    for k in 0..bands {
        let y0 = top + span * k / bands;
        let y1 = (top + span * (k + 1) / bands + 1).min(bottom);
        let t = 1.0 - (k as f64 + 0.5) / bands as f64;
        bar.draw(&Rectangle::new([(x0, y0), (x1, y1)], viridis(t).filled()))?;
    }
    bar.draw(&Rectangle::new([(x0, top), (x1, bottom)], AXIS))?;
    let tick_style = font(TICK_PX - 2).pos(Pos::new(HPos::Left, VPos::Center));
    // Ticks every 10 (or 20) percentage points down from 100%; `lo` is a multiple of 10%.
    let span_pp = ((1.0 - lo) * 100.0).round() as i64;
    let step_pp = if span_pp <= 70 { 10 } else { 20 };
    let lo_pp = (lo * 100.0).round() as i64;
    let mut ticks: Vec<i64> = (0..)
        .map(|k| 100 - k * step_pp)
        .take_while(|&t| t >= lo_pp)
        .collect();
    if ticks.last() != Some(&lo_pp) {
        ticks.push(lo_pp);
    }
    for pp in ticks {
        let v = pp as f64 / 100.0;
        let frac = if lo < 1.0 { (v - lo) / (1.0 - lo) } else { 1.0 };
        let y = bottom - ((bottom - top) as f64 * frac).round() as i32;
        bar.draw(&PathElement::new(vec![(x1, y), (x1 + 5, y)], AXIS))?;
        bar.draw_text(&format!("{:.0}%", v * 100.0), &tick_style, (x1 + 8, y))?;
    }
    let title_style = font(TICK_PX - 2)
        .color(&MUTED)
        .pos(Pos::new(HPos::Center, VPos::Bottom));
    bar.draw_text("Success", &title_style, (bw as i32 / 2, top - 8))?;
    Ok(())
}

fn draw_line<DB: DrawingBackend>(root: &DrawingArea<DB, Shift>, d: &SweepResults) -> DrawResult
where
    DB::ErrorType: 'static,
{
    let subtitle = format!(
        "Share of {} paths that never missed a withdrawal; whiskers: 95% Wilson interval; the same seed at every point",
        thousands(d.paths as u64)
    );
    let body = frame(root, SweepChart::Line.title(), &subtitle, &source(d))?;
    let names = strategy_names(d);
    let Some(p) = d.params.first() else {
        return no_data(&body);
    };
    if names.is_empty() || d.points.is_empty() {
        return no_data(&body);
    }
    let xs: Vec<f64> = d
        .points
        .iter()
        .map(|pt| pt.values.first().copied().unwrap_or(f64::NAN))
        .collect();
    let (x_lo, x_hi) = super::charts::value_range(xs.iter().copied(), &[], 0.0);
    // Room for the nudged whiskers at both ends.
    let pad = (x_hi - x_lo) * 0.03;
    let (x_lo, x_hi) = (x_lo - pad, x_hi + pad);
    let all: Vec<f64> = d
        .points
        .iter()
        .flat_map(|pt| {
            pt.strategies
                .iter()
                .map(move |s| wilson95(s.success_rate, pt.paths).0 * 100.0)
        })
        .filter(|v| v.is_finite())
        .collect();
    let y_min = all.iter().copied().fold(100.0f64, f64::min);
    let y_lo = ((y_min - 2.0) / 10.0).floor().max(0.0) * 10.0;
    let mut chart = ChartBuilder::on(&body)
        .margin(6)
        .margin_right(30)
        .x_label_area_size(62)
        .y_label_area_size(90)
        .build_cartesian_2d(x_lo..x_hi, y_lo..100.0)?;
    chart
        .configure_mesh()
        .x_labels(8)
        .y_labels(6)
        .x_label_formatter(&|v| p.format(*v))
        .y_label_formatter(&|v| format!("{v:.0}%"))
        .label_style(font(TICK_PX))
        .x_desc(p.title())
        .y_desc("Paths that never missed a withdrawal (%)")
        .axis_desc_style(font(AXIS_LABEL_PX))
        .axis_style(AXIS)
        .bold_line_style(GRID)
        .light_line_style(TRANSPARENT)
        .draw()?;
    // Sideways offset between strategies' whiskers: a small share of the grid step.
    let step = if xs.len() > 1 {
        (x_hi - x_lo) / (xs.len() - 1) as f64
    } else {
        x_hi - x_lo
    };
    let dodge = step * 0.25 / names.len().max(1) as f64;
    for (s, name) in names.iter().enumerate() {
        let color = strategy_color(s);
        let pts: Vec<(f64, f64, f64, f64)> = d
            .points
            .iter()
            .zip(&xs)
            .filter_map(|(pt, &x)| {
                let r = pt.strategies.get(s)?.success_rate;
                let (l, h) = wilson95(r, pt.paths);
                Some((x, r * 100.0, l * 100.0, h * 100.0))
            })
            .filter(|(x, y, _, _)| x.is_finite() && y.is_finite())
            .collect();
        // Intervals as whiskers, nudged sideways per strategy so they do not overlap.
        let nudge = (s as f64 - (names.len() as f64 - 1.0) / 2.0) * dodge;
        for &(x, _, l, h) in &pts {
            if l.is_finite() && h.is_finite() {
                chart.draw_series(std::iter::once(PathElement::new(
                    vec![(x + nudge, l), (x + nudge, h)],
                    color.mix(0.7).stroke_width(2),
                )))?;
            }
        }
        let line: Vec<(f64, f64)> = pts.iter().map(|p| (p.0, p.1)).collect();
        let mut first = true;
        for run in finite_runs(&line) {
            let drawn = chart.draw_series(LineSeries::new(run.clone(), color.stroke_width(3)))?;
            if first {
                drawn.label(ellipsize(name, 30)).legend(move |(x, y)| {
                    PathElement::new(vec![(x, y), (x + 26, y)], color.stroke_width(4))
                });
                first = false;
            }
            chart.draw_series(run.into_iter().map(|pt| Circle::new(pt, 4, color.filled())))?;
        }
    }
    chart
        .configure_series_labels()
        .position(SeriesLabelPosition::LowerLeft)
        .margin(14)
        .legend_area_size(36)
        .label_font(font(LEGEND_PX))
        .background_style(WHITE.mix(0.92))
        .border_style(GRID)
        .draw()?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn viridis_ends() {
        assert_eq!(viridis(0.0), RGBColor(68, 1, 84));
        assert_eq!(viridis(1.0), RGBColor(253, 231, 37));
        assert_eq!(viridis(f64::NAN), RGBColor(68, 1, 84));
        assert_eq!(viridis(0.5), RGBColor(33, 144, 141));
    }
}
