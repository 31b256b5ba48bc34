//! Charts: one drawing function per chart, generic over the plotters backend, rendered to
//! PNG (1200x700) and SVG (the same drawing).
//!
//! Every function tolerates degenerate data (no strategies, one path, all-zero or NaN
//! values, huge values): non-finite values are skipped and empty ranges are widened.

use std::error::Error;
use std::path::{Path, PathBuf};

use plotters::coord::Shift;
use plotters::coord::ranged1d::{DefaultFormatting, KeyPointHint, Ranged};
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use super::drift::AllocationSample;
use super::figures;
use super::theme::*;
use super::{ReportError, io_err};
use crate::metrics::{PairedDifference, RunResults, StrategySummary, YearlyBand};

/// Result of a drawing function: any backend's error, boxed.
pub type DrawResult = Result<(), Box<dyn Error + Send + Sync>>;

/// Points per CDF curve after downsampling.
const CDF_POINTS: usize = 500;

/// The charts of a report. File names are `charts/{stem}.png` and `charts/{stem}.svg`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ChartKind {
    FanRealWealth,
    StrategyComparison,
    TerminalWealthCdf,
    RebalancingActivity,
    /// Success rate per strategy with a 95% Wilson interval.
    SuccessRate,
    /// Each strategy minus the baseline on the same paths, with 95% intervals.
    PairedDifferences,
    /// Weight of the first asset over time on a few re-simulated sample paths.
    AllocationDrift,
    /// Rolling historical windows: terminal real wealth by the window's first period.
    OutcomeByStart,
}

impl ChartKind {
    pub const ALL: [ChartKind; 8] = [
        ChartKind::FanRealWealth,
        ChartKind::StrategyComparison,
        ChartKind::TerminalWealthCdf,
        ChartKind::RebalancingActivity,
        ChartKind::SuccessRate,
        ChartKind::PairedDifferences,
        ChartKind::AllocationDrift,
        ChartKind::OutcomeByStart,
    ];

    pub fn stem(self) -> &'static str {
        match self {
            ChartKind::FanRealWealth => "fan_real_wealth",
            ChartKind::StrategyComparison => "strategy_comparison",
            ChartKind::TerminalWealthCdf => "terminal_wealth_cdf",
            ChartKind::RebalancingActivity => "rebalancing_activity",
            ChartKind::SuccessRate => "success_rate",
            ChartKind::PairedDifferences => "paired_differences",
            ChartKind::AllocationDrift => "allocation_drift",
            ChartKind::OutcomeByStart => "outcome_by_start",
        }
    }

    pub fn title(self) -> &'static str {
        match self {
            ChartKind::FanRealWealth => "Real wealth over time",
            ChartKind::StrategyComparison => "Strategy comparison",
            ChartKind::TerminalWealthCdf => "Distribution of terminal real wealth",
            ChartKind::RebalancingActivity => "Rebalancing activity",
            ChartKind::SuccessRate => "Success rate with 95% confidence interval",
            ChartKind::PairedDifferences => "Difference from the baseline on the same paths",
            ChartKind::AllocationDrift => "Allocation drift on sample paths",
            ChartKind::OutcomeByStart => "Outcome by historical start date",
        }
    }

    /// Whether this chart is drawn for `data`: the allocation drift needs sampled paths,
    /// the paired differences a second strategy, the start-date chart rolling windows.
    pub fn applies(self, data: &ChartData) -> bool {
        match self {
            ChartKind::PairedDifferences => !data.pairs.is_empty(),
            ChartKind::AllocationDrift => data.drift.is_some_and(|d| !d.series.is_empty()),
            ChartKind::OutcomeByStart => !data.path_labels.is_empty(),
            _ => true,
        }
    }

    /// Draws this chart on `root` (the whole canvas).
    pub fn draw<DB: DrawingBackend>(
        self,
        root: &DrawingArea<DB, Shift>,
        data: &ChartData,
    ) -> DrawResult
    where
        DB::ErrorType: 'static,
    {
        match self {
            ChartKind::FanRealWealth => draw_fan(root, data),
            ChartKind::StrategyComparison => draw_comparison(root, data),
            ChartKind::TerminalWealthCdf => draw_cdf(root, data),
            ChartKind::RebalancingActivity => draw_activity(root, data),
            ChartKind::SuccessRate => figures::draw_success_rate(root, data),
            ChartKind::PairedDifferences => figures::draw_paired(root, data),
            ChartKind::AllocationDrift => figures::draw_drift(root, data),
            ChartKind::OutcomeByStart => figures::draw_by_start(root, data),
        }
    }
}

/// One strategy's data as the charts need it.
pub struct StrategySeries<'a> {
    pub name: &'a str,
    pub color: RGBColor,
    pub summary: &'a StrategySummary,
    /// This strategy's yearly bands, sorted by year.
    pub yearly: Vec<&'a YearlyBand>,
    /// Finite terminal real wealth values, sorted ascending.
    pub terminal_sorted: Vec<f64>,
}

/// Everything the charts draw, prepared once from [`RunResults`].
pub struct ChartData<'a> {
    pub strategies: Vec<StrategySeries<'a>>,
    /// "driftlab 0.1.0 · scenario x · market · 10,000 paths · seed 42"
    pub source: String,
    /// Paths (or historical windows) behind every statistic.
    pub paths: usize,
    pub pairs: &'a [PairedDifference],
    /// Rolling windows: each path's start label; empty otherwise.
    pub path_labels: &'a [String],
    /// Rolling windows: terminal real wealth per strategy, in path order.
    pub by_path: &'a [Vec<f64>],
    /// Sampled allocation paths, when the report has them.
    pub drift: Option<&'a AllocationSample>,
}

impl<'a> ChartData<'a> {
    pub fn new(r: &'a RunResults) -> Self {
        let strategies = r
            .strategies
            .iter()
            .enumerate()
            .map(|(i, s)| {
                let mut yearly: Vec<&YearlyBand> =
                    r.yearly.iter().filter(|b| b.strategy == s.name).collect();
                yearly.sort_by_key(|b| b.year);
                let mut terminal_sorted: Vec<f64> = r
                    .terminal_real_sorted
                    .get(i)
                    .map(|v| v.iter().copied().filter(|x| x.is_finite()).collect())
                    .unwrap_or_default();
                if !terminal_sorted.is_sorted() {
                    terminal_sorted.sort_by(f64::total_cmp);
                }
                StrategySeries {
                    name: &s.name,
                    color: strategy_color(i),
                    summary: s,
                    yearly,
                    terminal_sorted,
                }
            })
            .collect();
        let source = format!(
            "driftlab {} · scenario {} · {} · {} {} · seed {}",
            r.tool_version,
            r.scenario_name,
            r.market,
            thousands(r.paths as u64),
            match (r.path_labels.is_empty(), r.paths == 1) {
                (true, true) => "path",
                (true, false) => "paths",
                (false, true) => "historical window",
                (false, false) => "historical windows",
            },
            r.seed
        );
        ChartData {
            strategies,
            source,
            paths: r.paths,
            pairs: &r.pairs,
            path_labels: &r.path_labels,
            by_path: &r.terminal_real_by_path,
            drift: None,
        }
    }

    /// Adds sampled allocation paths (for [`ChartKind::AllocationDrift`]).
    pub fn with_drift(mut self, drift: Option<&'a AllocationSample>) -> Self {
        self.drift = drift;
        self
    }

    /// Index of the strategy the pairs are measured against.
    pub fn baseline(&self) -> Option<usize> {
        let name = &self.pairs.first()?.baseline;
        self.strategies.iter().position(|s| s.name == name)
    }
}

/// A chart that can be drawn on any plotters backend.
pub(super) trait Figure {
    fn stem(&self) -> String;
    fn canvas(&self) -> (u32, u32) {
        CANVAS
    }
    fn draw_on<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> DrawResult
    where
        DB::ErrorType: 'static;
}

impl Figure for (ChartKind, &ChartData<'_>) {
    fn stem(&self) -> String {
        self.0.stem().to_string()
    }
    fn draw_on<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> DrawResult
    where
        DB::ErrorType: 'static,
    {
        self.0.draw(root, self.1)
    }
}

/// Renders `kind` to `{dir}/{stem}.png` and `{dir}/{stem}.svg`; returns both paths.
pub fn render(kind: ChartKind, data: &ChartData, dir: &Path) -> Result<[PathBuf; 2], ReportError> {
    render_figure(&(kind, data), dir)
}

/// Renders a figure to `{dir}/{stem}.png` and `{dir}/{stem}.svg`; returns both paths.
pub(super) fn render_figure<F: Figure>(fig: &F, dir: &Path) -> Result<[PathBuf; 2], ReportError> {
    let stem = fig.stem();
    ensure_fonts().map_err(|message| ReportError::Chart {
        chart: stem.clone(),
        message,
    })?;
    let png = dir.join(format!("{stem}.png"));
    let svg = dir.join(format!("{stem}.svg"));
    let chart_err = |path: &Path, e: Box<dyn Error + Send + Sync>| ReportError::Chart {
        chart: stem.clone(),
        message: format!("{}: {e}", path.display()),
    };
    let size = fig.canvas();
    {
        let root = BitMapBackend::new(&png, size).into_drawing_area();
        fig.draw_on(&root).map_err(|e| chart_err(&png, e))?;
        root.present().map_err(|e| chart_err(&png, e.into()))?;
    }
    {
        // The SVG backend writes its file on drop and swallows errors there, so render into
        // a string and write it ourselves.
        let mut text = String::new();
        {
            let root = SVGBackend::with_string(&mut text, size).into_drawing_area();
            fig.draw_on(&root).map_err(|e| chart_err(&svg, e))?;
            root.present().map_err(|e| chart_err(&svg, e.into()))?;
        }
        std::fs::write(&svg, text).map_err(|e| io_err(&svg, e))?;
    }
    Ok([png, svg])
}

// ---------------------------------------------------------------------------------------
// Shared pieces

pub(super) fn font(px: u32) -> TextStyle<'static> {
    TextStyle::from((FAMILY, px).into_font()).color(&INK)
}

pub(super) fn bold(px: u32) -> TextStyle<'static> {
    // A bold FontDesc must be built with the style in the tuple: `.style(Bold)` on an existing
    // font keeps the regular glyphs in the bitmap backend.
    TextStyle::from((FAMILY, px, FontStyle::Bold).into_font()).color(&INK)
}

/// `text` shortened with an ellipsis until it fits in `max_w` pixels at `style`.
pub(super) fn fit_text<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    text: &str,
    style: &TextStyle,
    max_w: u32,
) -> Result<String, Box<dyn Error + Send + Sync>>
where
    DB::ErrorType: 'static,
{
    let mut chars = text.chars().count();
    let mut candidate = text.to_string();
    while chars > 1 && area.estimate_text_size(&candidate, style)?.0 > max_w {
        chars -= 1;
        candidate = ellipsize(text, chars);
    }
    Ok(candidate)
}

/// White canvas, title, subtitle and source line; returns the area left for the plot.
pub(super) fn frame<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    title: &str,
    subtitle: &str,
    source: &str,
) -> Result<DrawingArea<DB, Shift>, Box<dyn Error + Send + Sync>>
where
    DB::ErrorType: 'static,
{
    root.fill(&BACKGROUND)?;
    let (w, h) = root.dim_in_pixel();
    let max_w = w.saturating_sub(2 * MARGIN as u32);
    let title_style = bold(TITLE_PX);
    let title = fit_text(root, title, &title_style, max_w)?;
    root.draw_text(&title, &title_style, (MARGIN, 18))?;
    let sub_style = font(SUBTITLE_PX).color(&MUTED);
    let subtitle = fit_text(root, subtitle, &sub_style, max_w)?;
    root.draw_text(&subtitle, &sub_style, (MARGIN, 18 + TITLE_PX as i32 + 10))?;
    let source_style = font(SOURCE_PX)
        .color(&MUTED)
        .pos(Pos::new(HPos::Left, VPos::Center));
    let source = fit_text(root, source, &source_style, max_w)?;
    root.draw_text(
        &source,
        &source_style,
        (MARGIN, h as i32 - FOOTER_H as i32 / 2),
    )?;
    Ok(root.margin(HEADER_H, FOOTER_H, MARGIN as u32, MARGIN as u32))
}

pub(super) fn no_data<DB: DrawingBackend>(area: &DrawingArea<DB, Shift>) -> DrawResult
where
    DB::ErrorType: 'static,
{
    let (w, h) = area.dim_in_pixel();
    let style = font(AXIS_LABEL_PX)
        .color(&MUTED)
        .pos(Pos::new(HPos::Center, VPos::Center));
    area.draw_text("No data to chart", &style, (w as i32 / 2, h as i32 / 2))?;
    Ok(())
}

/// A finite, non-empty range covering `values` (and `include`), padded by `pad` of its span.
pub(super) fn value_range(
    values: impl Iterator<Item = f64>,
    include: &[f64],
    pad: f64,
) -> (f64, f64) {
    let (mut lo, mut hi) = (f64::INFINITY, f64::NEG_INFINITY);
    for v in values
        .chain(include.iter().copied())
        .filter(|v| v.is_finite())
    {
        lo = lo.min(v);
        hi = hi.max(v);
    }
    if lo > hi {
        return (0.0, 1.0);
    }
    if hi - lo <= f64::EPSILON * hi.abs().max(lo.abs()).max(1.0) || !(hi - lo).is_finite() {
        let w = (hi.abs().max(lo.abs()) * 0.1).max(1.0);
        if !(hi + w).is_finite() {
            return (lo - w, hi);
        }
        return if lo >= 0.0 {
            (lo, hi + w)
        } else {
            (lo - w, hi + w)
        };
    }
    let span = hi - lo;
    let up = hi + span * pad;
    let down = lo - span * pad;
    (
        if lo >= 0.0 || !down.is_finite() {
            lo
        } else {
            down
        },
        if up.is_finite() { up } else { hi },
    )
}

/// Splits `points` into runs of consecutive finite values.
pub(super) fn finite_runs<T: Copy>(points: &[(T, f64)]) -> Vec<Vec<(T, f64)>> {
    let mut runs = vec![];
    let mut cur = vec![];
    for &(x, y) in points {
        if y.is_finite() {
            cur.push((x, y));
        } else if !cur.is_empty() {
            runs.push(std::mem::take(&mut cur));
        }
    }
    if !cur.is_empty() {
        runs.push(cur);
    }
    runs
}

/// A rotated axis title centred in `area` (used for a y label shared by several panels).
pub(super) fn vertical_label<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    text: &str,
) -> DrawResult
where
    DB::ErrorType: 'static,
{
    let (w, h) = area.dim_in_pixel();
    let style = font(AXIS_LABEL_PX)
        .transform(FontTransform::Rotate270)
        .pos(Pos::new(HPos::Center, VPos::Center));
    area.draw_text(text, &style, (w as i32 / 2, h as i32 / 2))?;
    Ok(())
}

pub(super) fn horizontal_label<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    text: &str,
) -> DrawResult
where
    DB::ErrorType: 'static,
{
    let (w, h) = area.dim_in_pixel();
    let style = font(AXIS_LABEL_PX).pos(Pos::new(HPos::Center, VPos::Center));
    area.draw_text(text, &style, (w as i32 / 2, h as i32 / 2))?;
    Ok(())
}

// ---------------------------------------------------------------------------------------
// 1. Fan chart of real wealth: small multiples, one panel per strategy, shared scales.

const FAN_Y_LABEL: &str = "Wealth, real (start-year dollars)";
pub(super) const FAN_X_LABEL: &str = "Years since start";

pub(super) fn grid(n: usize) -> (usize, usize) {
    match n {
        0 | 1 => (1, 1),
        2 | 3 => (1, n),
        4 => (2, 2),
        5 | 6 => (2, 3),
        _ => (n.div_ceil(4), 4),
    }
}

fn draw_fan<DB: DrawingBackend>(root: &DrawingArea<DB, Shift>, data: &ChartData) -> DrawResult
where
    DB::ErrorType: 'static,
{
    let n = data.strategies.len();
    let subtitle = if n > 1 {
        "Line: median · dark band: 10th–90th percentile · light band: 5th–95th · grey: other strategies' medians"
    } else {
        "Line: median · dark band: 10th–90th percentile of paths · light band: 5th–95th percentile"
    };
    let body = frame(
        root,
        ChartKind::FanRealWealth.title(),
        subtitle,
        &data.source,
    )?;
    if n == 0 {
        return no_data(&body);
    }
    let (body_w, body_h) = body.dim_in_pixel();
    let (y_strip, rest) = body.split_horizontally(30);
    let (grid_area, x_strip) = rest.split_vertically(body_h.saturating_sub(30));
    vertical_label(&y_strip, FAN_Y_LABEL)?;
    horizontal_label(&x_strip, FAN_X_LABEL)?;

    // Shared scales so panels compare at a glance.
    let max_year = data
        .strategies
        .iter()
        .flat_map(|s| s.yearly.iter().map(|b| b.year))
        .max()
        .unwrap_or(0)
        .max(1) as i32;
    let (y_lo, y_hi) = value_range(
        data.strategies.iter().flat_map(|s| {
            s.yearly
                .iter()
                .flat_map(|b| [b.real.p5, b.real.p50, b.real.p95])
        }),
        &[0.0],
        0.04,
    );

    let (rows, cols) = grid(n);
    let panels = grid_area.split_evenly((rows, cols));
    let caption_w = (body_w.saturating_sub(30) / cols as u32).saturating_sub(24);
    for (i, (panel, s)) in panels.iter().zip(&data.strategies).enumerate() {
        let caption_style = bold(PANEL_TITLE_PX).color(&s.color);
        let caption = fit_text(panel, s.name, &caption_style, caption_w)?;
        let mut chart = ChartBuilder::on(panel)
            .caption(caption, caption_style)
            .margin(6)
            .margin_right(18)
            .x_label_area_size(30)
            .y_label_area_size(76)
            .build_cartesian_2d(0i32..max_year, y_lo..y_hi)?;
        chart
            .configure_mesh()
            .x_labels(7)
            .y_labels(6)
            .x_label_formatter(&|v| v.to_string())
            .y_label_formatter(&|v| dollars_tick(*v))
            .label_style(font(TICK_PX))
            .axis_style(AXIS)
            .bold_line_style(GRID)
            .light_line_style(TRANSPARENT)
            .draw()?;

        let band = |lo: fn(&YearlyBand) -> f64, hi: fn(&YearlyBand) -> f64| {
            let pts: Vec<(i32, f64)> = s
                .yearly
                .iter()
                .map(|b| {
                    let (l, h) = (lo(b), hi(b));
                    let ok = l.is_finite() && h.is_finite();
                    (b.year as i32, if ok { 0.0 } else { f64::NAN })
                })
                .collect();
            // Runs of years where both bounds are finite, as closed polygons.
            finite_runs(&pts)
                .into_iter()
                .filter(|run| run.len() >= 2)
                .map(|run| {
                    let by_year = |y: i32| s.yearly.iter().find(|b| b.year as i32 == y);
                    let mut poly: Vec<(i32, f64)> = run
                        .iter()
                        .filter_map(|&(y, _)| by_year(y).map(|b| (y, hi(b))))
                        .collect();
                    poly.extend(
                        run.iter()
                            .rev()
                            .filter_map(|&(y, _)| by_year(y).map(|b| (y, lo(b)))),
                    );
                    poly
                })
                .collect::<Vec<_>>()
        };
        for poly in band(|b| b.real.p5, |b| b.real.p95) {
            chart.draw_series(std::iter::once(Polygon::new(
                poly,
                s.color.mix(0.16).filled(),
            )))?;
        }
        for poly in band(|b| b.real.p10, |b| b.real.p90) {
            chart.draw_series(std::iter::once(Polygon::new(
                poly,
                s.color.mix(0.32).filled(),
            )))?;
        }
        for (j, other) in data.strategies.iter().enumerate() {
            if j == i {
                continue;
            }
            let pts: Vec<(i32, f64)> = other
                .yearly
                .iter()
                .map(|b| (b.year as i32, b.real.p50))
                .collect();
            for run in finite_runs(&pts) {
                chart.draw_series(LineSeries::new(run, GHOST.stroke_width(2)))?;
            }
        }

        let median: Vec<(i32, f64)> = s
            .yearly
            .iter()
            .map(|b| (b.year as i32, b.real.p50))
            .collect();
        for run in finite_runs(&median) {
            if run.len() == 1 {
                chart.draw_series(std::iter::once(Circle::new(run[0], 4, s.color.filled())))?;
            } else {
                chart.draw_series(LineSeries::new(run, s.color.stroke_width(3)))?;
            }
        }
    }
    Ok(())
}

/// A categorical axis of `count` slots over 0..count (bar rows, heatmap cells), labelled
/// at slot centres, with at most `max_labels` labels (every k-th slot when crowded).
pub(super) struct CategoryAxis {
    pub(super) count: usize,
    pub(super) max_labels: usize,
}

impl CategoryAxis {
    /// A label at every slot.
    pub(super) fn every(count: usize) -> Self {
        Self {
            count,
            max_labels: count,
        }
    }
}

impl Ranged for CategoryAxis {
    type FormatOption = DefaultFormatting;
    type ValueType = f64;

    fn map(&self, v: &f64, limit: (i32, i32)) -> i32 {
        let frac = if self.count == 0 {
            0.5
        } else {
            v / self.count as f64
        };
        limit.0 + ((limit.1 - limit.0) as f64 * frac).round() as i32
    }

    fn key_points<H: KeyPointHint>(&self, hint: H) -> Vec<f64> {
        if hint.weight().allow_light_points() || self.count == 0 {
            return vec![];
        }
        let step = self.count.div_ceil(self.max_labels.max(1)).max(1);
        (0..self.count)
            .step_by(step)
            .map(|i| i as f64 + 0.5)
            .collect()
    }

    fn range(&self) -> std::ops::Range<f64> {
        0.0..self.count as f64
    }
}

// ---------------------------------------------------------------------------------------
// Horizontal bar panels (charts 2 and 4): strategy names down the left, one bar each.

/// A panel with one row per name (top to bottom) over the x range `x`, its mesh drawn in the
/// house style: names at the left when `names_w` leaves room for them, `tick` formatting the
/// x axis. Row `i` is centred at `rows - i - 0.5`.
#[allow(clippy::too_many_arguments)]
pub(super) fn row_chart<'a, DB: DrawingBackend>(
    area: &'a DrawingArea<DB, Shift>,
    title: &str,
    names: &[String],
    names_w: Option<u32>,
    x: std::ops::Range<f64>,
    x_desc: &str,
    tick: &dyn Fn(f64) -> String,
) -> Result<
    ChartContext<'a, DB, Cartesian2d<plotters::coord::types::RangedCoordf64, CategoryAxis>>,
    Box<dyn Error + Send + Sync>,
>
where
    DB::ErrorType: 'static,
{
    let n = names.len();
    let nf = n as f64;
    let name_of = |v: &f64| -> String {
        if names_w.is_none() {
            return String::new();
        }
        let i = (nf - v - 0.5).round();
        if i >= 0.0 && (i as usize) < n {
            names[i as usize].clone()
        } else {
            String::new()
        }
    };
    let mut chart = ChartBuilder::on(area)
        .caption(title, bold(PANEL_TITLE_PX))
        .margin(6)
        .margin_right(24)
        .x_label_area_size(62)
        .y_label_area_size(names_w.unwrap_or(4))
        .build_cartesian_2d(x, CategoryAxis::every(n))?;
    chart
        .configure_mesh()
        .disable_y_mesh()
        .x_labels(6)
        .x_label_formatter(&|v| tick(*v))
        .y_label_formatter(&name_of)
        .label_style(font(TICK_PX))
        .x_desc(x_desc)
        .axis_desc_style(font(AXIS_LABEL_PX))
        .axis_style(AXIS)
        .bold_line_style(GRID)
        .light_line_style(TRANSPARENT)
        .set_tick_mark_size(
            LabelAreaPosition::Left,
            if names_w.is_some() { 5 } else { 0 },
        )
        .draw()?;
    Ok(chart)
}

struct BarPanel<'a> {
    title: &'a str,
    x_desc: &'a str,
    values: Vec<f64>,
    /// Fixed axis maximum (e.g. 100 for percentages); otherwise from the data.
    x_max: Option<f64>,
    tick: &'a dyn Fn(f64) -> String,
    label: &'a dyn Fn(f64) -> String,
}

/// Width needed for the strategy names (ellipsized at 28 characters), clamped.
pub(super) fn names_width<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    data: &ChartData,
) -> Result<u32, Box<dyn Error + Send + Sync>>
where
    DB::ErrorType: 'static,
{
    names_width_of(area, data.strategies.iter().map(|s| s.name))
}

/// Width of a left margin that holds these row names.
pub(super) fn names_width_of<'n, DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    names: impl Iterator<Item = &'n str>,
) -> Result<u32, Box<dyn Error + Send + Sync>>
where
    DB::ErrorType: 'static,
{
    let style = font(TICK_PX);
    let mut w = 0;
    for name in names {
        w = w.max(area.estimate_text_size(&ellipsize(name, 28), &style)?.0);
    }
    Ok((w + 22).clamp(60, 320))
}

/// Two bar panels side by side sharing the strategy names on the left.
fn draw_bar_pair<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    data: &ChartData,
    title: &str,
    subtitle: &str,
    panels: [BarPanel; 2],
) -> DrawResult
where
    DB::ErrorType: 'static,
{
    let body = frame(root, title, subtitle, &data.source)?;
    if data.strategies.is_empty() {
        return no_data(&body);
    }
    let names_w = names_width(&body, data)?;
    let (w, _) = body.dim_in_pixel();
    let gap = 40;
    let plot_w = w.saturating_sub(names_w + gap) / 2;
    let (left, rest) = body.split_horizontally(names_w + plot_w);
    let (_, right) = rest.split_horizontally(gap);
    let [a, b] = panels;
    bar_panel(&left, data, &a, Some(names_w))?;
    bar_panel(&right, data, &b, None)?;
    Ok(())
}

fn bar_panel<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    data: &ChartData,
    p: &BarPanel,
    names_w: Option<u32>,
) -> DrawResult
where
    DB::ErrorType: 'static,
{
    let n = p.values.len();
    let nf = n as f64;
    let x_max = p.x_max.unwrap_or_else(|| {
        let (_, hi) = value_range(p.values.iter().copied(), &[0.0], 0.08);
        hi
    });
    let x_min = p
        .values
        .iter()
        .copied()
        .filter(|v| v.is_finite())
        .fold(0.0f64, f64::min);
    // Row i (scenario order) is drawn from the top: centre at nf - i - 0.5.
    let centers: Vec<f64> = (0..n).map(|i| nf - i as f64 - 0.5).collect();
    let names: Vec<String> = data
        .strategies
        .iter()
        .map(|s| ellipsize(s.name, 28))
        .collect();
    let mut chart = row_chart(
        area,
        p.title,
        &names,
        names_w,
        x_min..x_max,
        p.x_desc,
        &|v| (p.tick)(v),
    )?;

    // Bars fill 64% of their row, but at most ~64 px: with two strategies full-height bars
    // look like blocks.
    let row_px = chart.plotting_area().dim_in_pixel().1 as f64 / nf.max(1.0);
    let half_bar = 0.32f64.min(32.0 / row_px.max(1.0));
    let span = x_max - x_min;
    for (i, (&v, s)) in p.values.iter().zip(&data.strategies).enumerate() {
        let yc = centers[i];
        let half = half_bar;
        if !v.is_finite() {
            let style = font(VALUE_LABEL_PX)
                .color(&MUTED)
                .pos(Pos::new(HPos::Left, VPos::Center));
            chart.draw_series(std::iter::once(
                EmptyElement::at((0.0, yc)) + Text::new("n/a".to_string(), (6, 0), style),
            ))?;
            continue;
        }
        let end = v.min(x_max);
        chart.draw_series(std::iter::once(Rectangle::new(
            [(0.0, yc - half), (end, yc + half)],
            s.color.filled(),
        )))?;
        let text = (p.label)(v);
        // Long bars carry their label inside (white), short ones just past the end.
        let inside = v > 0.0 && span > 0.0 && (end - x_min) / span > 0.8;
        let on_bar = text_on(s.color);
        let (offset, style) = if inside {
            (
                -8,
                bold(VALUE_LABEL_PX)
                    .color(&on_bar)
                    .pos(Pos::new(HPos::Right, VPos::Center)),
            )
        } else {
            (
                8,
                bold(VALUE_LABEL_PX)
                    .color(&INK)
                    .pos(Pos::new(HPos::Left, VPos::Center)),
            )
        };
        let anchor = if v >= 0.0 { end } else { 0.0 };
        chart.draw_series(std::iter::once(
            EmptyElement::at((anchor, yc)) + Text::new(text, (offset, 0), style),
        ))?;
    }
    Ok(())
}

// ---------------------------------------------------------------------------------------
// 2. Strategy comparison: success rate and median terminal real wealth.

fn draw_comparison<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    data: &ChartData,
) -> DrawResult
where
    DB::ErrorType: 'static,
{
    let success = BarPanel {
        title: "Success rate",
        x_desc: "Paths that never missed a withdrawal (%)",
        values: data
            .strategies
            .iter()
            .map(|s| s.summary.success_rate * 100.0)
            .collect(),
        x_max: Some(100.0),
        tick: &|v| format!("{v:.0}%"),
        label: &|v| format!("{v:.1}%"),
    };
    let wealth = BarPanel {
        title: "Median terminal wealth",
        x_desc: "Real (start-year dollars)",
        values: data
            .strategies
            .iter()
            .map(|s| s.summary.terminal_real.p50)
            .collect(),
        x_max: None,
        tick: &dollars_tick,
        label: &dollars_label,
    };
    draw_bar_pair(
        root,
        data,
        ChartKind::StrategyComparison.title(),
        "Share of paths that never missed a withdrawal, and the median path's wealth at the end",
        [success, wealth],
    )
}

// ---------------------------------------------------------------------------------------
// 3. CDF of terminal real wealth.

const CDF_X_LABEL: &str = "Terminal wealth, real (start-year dollars)";
const CDF_Y_LABEL: &str = "Paths ending at or below (%)";

/// Empirical CDF of sorted finite values as (value, percent at or below), at most about
/// `max_points` steps.
fn cdf_points(sorted: &[f64], max_points: usize) -> Vec<(f64, f64)> {
    let n = sorted.len();
    if n == 0 {
        return vec![];
    }
    let m = n.min(max_points.max(2));
    let mut pts = Vec::with_capacity(m + 1);
    pts.push((sorted[0], 0.0));
    let mut last = usize::MAX;
    for k in 0..m {
        let idx = if m == 1 {
            0
        } else {
            ((k as f64) * (n - 1) as f64 / (m - 1) as f64).round() as usize
        };
        if idx == last {
            continue;
        }
        last = idx;
        pts.push((sorted[idx], (idx + 1) as f64 / n as f64 * 100.0));
    }
    pts
}

pub(super) fn quantile_sorted(sorted: &[f64], q: f64) -> Option<f64> {
    if sorted.is_empty() {
        return None;
    }
    let pos = q * (sorted.len() - 1) as f64;
    let (i, frac) = (pos.floor() as usize, pos.fract());
    let j = (i + 1).min(sorted.len() - 1);
    Some(sorted[i] + (sorted[j] - sorted[i]) * frac)
}

fn draw_cdf<DB: DrawingBackend>(root: &DrawingArea<DB, Shift>, data: &ChartData) -> DrawResult
where
    DB::ErrorType: 'static,
{
    // Long right tails squash the interesting part: cut the axis at the largest 99th
    // percentile when there are enough paths for that to mean something.
    let enough = data
        .strategies
        .iter()
        .any(|s| s.terminal_sorted.len() >= 200);
    let x_cut = data
        .strategies
        .iter()
        .filter_map(|s| {
            let q = if enough { 0.99 } else { 1.0 };
            quantile_sorted(&s.terminal_sorted, q)
        })
        .fold(f64::NEG_INFINITY, f64::max);
    let data_max = data
        .strategies
        .iter()
        .filter_map(|s| s.terminal_sorted.last().copied())
        .fold(f64::NEG_INFINITY, f64::max);
    let truncated = enough && x_cut < data_max;
    let subtitle = if truncated {
        "Share of paths ending at or below each level of wealth; further right is better (axis cut at the 99th percentile)"
    } else {
        "Share of paths ending at or below each level of wealth; further right is better"
    };
    let body = frame(
        root,
        ChartKind::TerminalWealthCdf.title(),
        subtitle,
        &data.source,
    )?;
    let has_data = data
        .strategies
        .iter()
        .any(|s| !s.terminal_sorted.is_empty());
    if !has_data {
        return no_data(&body);
    }
    let (x_lo, x_hi) = value_range(
        data.strategies
            .iter()
            .filter_map(|s| s.terminal_sorted.first().copied()),
        &[0.0, x_cut],
        0.02,
    );
    let mut chart = ChartBuilder::on(&body)
        .margin(6)
        .margin_right(30)
        .x_label_area_size(62)
        .y_label_area_size(90)
        .build_cartesian_2d(x_lo..x_hi, 0f64..100f64)?;
    chart
        .configure_mesh()
        .x_labels(8)
        .y_labels(6)
        .x_label_formatter(&|v| dollars_tick(*v))
        .y_label_formatter(&|v| format!("{v:.0}%"))
        .label_style(font(TICK_PX))
        .x_desc(CDF_X_LABEL)
        .y_desc(CDF_Y_LABEL)
        .axis_desc_style(font(AXIS_LABEL_PX))
        .axis_style(AXIS)
        .bold_line_style(GRID)
        .light_line_style(TRANSPARENT)
        .draw()?;

    for s in &data.strategies {
        let mut pts = vec![];
        for (x, y) in cdf_points(&s.terminal_sorted, CDF_POINTS) {
            if x > x_hi {
                // Leave the plot at its right edge, at the level reached so far.
                let prev = pts.last().map(|&(_, y)| y).unwrap_or(y);
                pts.push((x_hi, prev));
                break;
            }
            pts.push((x, y));
        }
        if pts.is_empty() {
            continue;
        }
        let color = s.color;
        chart
            .draw_series(LineSeries::new(pts, color.stroke_width(3)))?
            .label(ellipsize(s.name, 40))
            .legend(move |(x, y)| {
                PathElement::new(vec![(x, y), (x + 28, y)], color.stroke_width(4))
            });
    }
    chart
        .configure_series_labels()
        .position(SeriesLabelPosition::LowerRight)
        .margin(14)
        .legend_area_size(36)
        .label_font(font(LEGEND_PX))
        .background_style(WHITE.mix(0.92))
        .border_style(GRID)
        .draw()?;
    Ok(())
}

// ---------------------------------------------------------------------------------------
// 4. Rebalancing activity: rebalances per path and turnover per year.

fn draw_activity<DB: DrawingBackend>(root: &DrawingArea<DB, Shift>, data: &ChartData) -> DrawResult
where
    DB::ErrorType: 'static,
{
    let count_label = |v: f64| {
        if v.abs() >= 1000.0 {
            thousands(v.round() as u64)
        } else {
            format!("{v:.1}")
        }
    };
    let count_tick = |v: f64| {
        if v.abs() >= 1000.0 {
            thousands(v.round() as u64)
        } else if v.fract() == 0.0 {
            format!("{v:.0}")
        } else {
            format!("{v:.1}")
        }
    };
    let rebalances = BarPanel {
        title: "Rebalances per path",
        x_desc: "Mean rebalancing events per path",
        values: data
            .strategies
            .iter()
            .map(|s| s.summary.rebalances_per_path)
            .collect(),
        x_max: None,
        tick: &count_tick,
        label: &count_label,
    };
    let turnover = BarPanel {
        title: "Turnover per year",
        x_desc: "Mean one-way turnover (% of wealth per year)",
        values: data
            .strategies
            .iter()
            .map(|s| s.summary.turnover_per_year * 100.0)
            .collect(),
        x_max: None,
        tick: &|v| {
            if v.fract() == 0.0 {
                format!("{v:.0}%")
            } else {
                format!("{v:.1}%")
            }
        },
        label: &|v| format!("{v:.1}%"),
    };
    draw_bar_pair(
        root,
        data,
        ChartKind::RebalancingActivity.title(),
        "How often each rule trades, and how much of the portfolio it moves",
        [rebalances, turnover],
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cdf_downsamples_and_ends_at_100() {
        let v: Vec<f64> = (0..10_000).map(|i| i as f64).collect();
        let pts = cdf_points(&v, 500);
        assert!(pts.len() <= 501);
        assert_eq!(pts[0], (0.0, 0.0));
        assert_eq!(*pts.last().unwrap(), (9999.0, 100.0));
        assert!(pts.windows(2).all(|w| w[0].0 <= w[1].0 && w[0].1 <= w[1].1));
        assert_eq!(cdf_points(&[5.0], 500), vec![(5.0, 0.0), (5.0, 100.0)]);
        assert!(cdf_points(&[], 500).is_empty());
    }

    #[test]
    fn ranges_are_never_empty() {
        assert_eq!(value_range([0.0, 0.0].into_iter(), &[], 0.0), (0.0, 1.0));
        assert_eq!(value_range([f64::NAN].into_iter(), &[], 0.0), (0.0, 1.0));
        let (lo, hi) = value_range([5.0].into_iter(), &[5.0], 0.1);
        assert!(lo < hi && lo <= 5.0 && hi > 5.0);
        let (lo, hi) = value_range([1e300, f64::MAX].into_iter(), &[0.0], 0.1);
        assert!(lo.is_finite() && hi.is_finite() && lo < hi);
    }

    #[test]
    fn grid_fits_all_panels() {
        for n in 0..12 {
            let (r, c) = grid(n);
            assert!(r * c >= n.max(1));
        }
    }
}
