//! The retirement part of a report, written when the scenario has withdrawals or stress tests:
//! - spending actually delivered, per strategy and per year;
//! - how much the first decade of returns decided the outcome;
//! - the stress tests side by side with the base case.

use std::path::{Path, PathBuf};

use plotters::coord::Shift;
use plotters::coord::types::RangedCoordf64;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};
use polars::prelude::*;

use super::ReportError;
use super::charts::{DrawResult, Figure, bold, font, frame, no_data, render_figure, value_range};
use super::html::HtmlFigure;
use super::tables::{f64_col, pct_columns, write_csv};
use super::theme::*;
use crate::metrics::{RunResults, StrategySummary};

/// True when the results carry anything this module reports.
pub fn applies(r: &RunResults) -> bool {
    !r.yearly_spending.is_empty() || !r.stresses.is_empty()
}

/// Success (1/0) per historical retirement start, one column per strategy.
fn by_start_frame(r: &RunResults) -> PolarsResult<DataFrame> {
    let mut cols = vec![Column::new(
        "retirement_start".into(),
        r.path_labels.clone(),
    )];
    for (s, st) in r.strategies.iter().enumerate() {
        if let Some(flags) = r.success_by_path.get(s) {
            cols.push(Column::new(
                format!("{} success", st.name).into(),
                flags.iter().map(|&b| u32::from(b)).collect::<Vec<_>>(),
            ));
        }
    }
    DataFrame::new_infer_height(cols)
}

/// Writes the retirement tables into `dir`; returns paths relative to `dir`.
pub fn write_tables(dir: &Path, r: &RunResults) -> Result<Vec<PathBuf>, ReportError> {
    let mut files = Vec::new();
    if !r.retirement.is_empty() {
        let mut cols = vec![
            Column::new(
                "strategy".into(),
                r.retirement
                    .iter()
                    .map(|x| x.strategy.clone())
                    .collect::<Vec<_>>(),
            ),
            f64_col(
                "spending_real_per_year_mean",
                r.retirement
                    .iter()
                    .map(|x| x.spending_real_per_year_mean)
                    .collect(),
            ),
        ];
        cols.extend(pct_columns("spending_real_total", &r.retirement, |x| {
            &x.spending_real_total
        }));
        cols.extend(pct_columns(
            "first_decade_real_return",
            &r.retirement,
            |x| &x.first_decade_real_return,
        ));
        cols.push(f64_col(
            "first_decade_r2",
            r.retirement
                .iter()
                .map(|x| x.first_decade_r2.unwrap_or(f64::NAN))
                .collect(),
        ));
        let mut df = DataFrame::new_infer_height(cols)?;
        write_csv(&mut df, &dir.join("retirement_summary.csv"))?;
        files.push("retirement_summary.csv".into());
    }
    if !r.yearly_spending.is_empty() {
        let ys = &r.yearly_spending;
        let mut cols = vec![
            Column::new(
                "strategy".into(),
                ys.iter().map(|x| x.strategy.clone()).collect::<Vec<_>>(),
            ),
            Column::new("year".into(), ys.iter().map(|x| x.year).collect::<Vec<_>>()),
        ];
        if let Some(age) = r.start_age {
            cols.push(Column::new(
                "age".into(),
                ys.iter().map(|x| x.year + age).collect::<Vec<_>>(),
            ));
        }
        cols.extend(pct_columns("", ys, |x| &x.real));
        cols.push(f64_col("mean", ys.iter().map(|x| x.real_mean).collect()));
        let mut df = DataFrame::new_infer_height(cols)?;
        write_csv(&mut df, &dir.join("yearly_spending_real.csv"))?;
        files.push("yearly_spending_real.csv".into());
    }
    if !r.path_labels.is_empty() && !r.success_by_path.is_empty() {
        let mut df = by_start_frame(r)?;
        write_csv(&mut df, &dir.join("success_by_start.csv"))?;
        files.push("success_by_start.csv".into());
    }
    if !r.stresses.is_empty() {
        let mut case = Vec::new();
        let mut description = Vec::new();
        let mut strategy = Vec::new();
        let mut rows: Vec<&StrategySummary> = Vec::new();
        let base = std::iter::once(("base", "the scenario's market as given", &r.strategies));
        let stressed = r
            .stresses
            .iter()
            .map(|s| (s.name.as_str(), s.description.as_str(), &s.strategies));
        for (name, desc, strategies) in base.chain(stressed) {
            for st in strategies {
                case.push(name.to_string());
                description.push(desc.to_string());
                strategy.push(st.name.clone());
                rows.push(st);
            }
        }
        let mut df = DataFrame::new_infer_height(vec![
            Column::new("case".into(), case),
            Column::new("description".into(), description),
            Column::new("strategy".into(), strategy),
            f64_col(
                "success_rate",
                rows.iter().map(|s| s.success_rate).collect(),
            ),
            f64_col(
                "terminal_real_p10",
                rows.iter().map(|s| s.terminal_real.p10).collect(),
            ),
            f64_col(
                "terminal_real_p50",
                rows.iter().map(|s| s.terminal_real.p50).collect(),
            ),
            f64_col(
                "terminal_real_p90",
                rows.iter().map(|s| s.terminal_real.p90).collect(),
            ),
            f64_col(
                "max_drawdown_p50",
                rows.iter().map(|s| s.max_drawdown.p50).collect(),
            ),
        ])?;
        write_csv(&mut df, &dir.join("stress_summary.csv"))?;
        files.push("stress_summary.csv".into());
    }
    Ok(files)
}

/// Draws the retirement charts that apply into `chart_dir`; returns them for report.html.
pub fn charts(chart_dir: &Path, r: &RunResults) -> Result<Vec<HtmlFigure>, ReportError> {
    let source = format!(
        "driftlab {} · {} · {} · {} paths · seed {}",
        r.tool_version,
        r.scenario_name,
        r.market,
        thousands(r.paths as u64),
        r.seed
    );
    let mut kinds: Vec<RetirementChart> = Vec::new();
    if !r.yearly_spending.is_empty() {
        kinds.push(RetirementChart::Outlook);
    }
    if !r.stresses.is_empty() {
        kinds.push(RetirementChart::Stress);
    }
    let mut out = Vec::new();
    for kind in kinds {
        let [_, svg] = render_figure(&(kind, r, source.as_str()), chart_dir)?;
        out.push(HtmlFigure {
            stem: kind.stem().to_string(),
            title: kind.title().to_string(),
            svg: std::fs::read_to_string(&svg).map_err(|e| super::io_err(&svg, e))?,
        });
    }
    Ok(out)
}

/// The retirement charts.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RetirementChart {
    /// Share of paths still solvent, and real spending, by age.
    Outlook,
    /// Success rate per strategy under each stress test, beside the base case.
    Stress,
}

impl RetirementChart {
    pub fn stem(self) -> &'static str {
        match self {
            RetirementChart::Outlook => "retirement_outlook",
            RetirementChart::Stress => "stress_tests",
        }
    }

    pub fn title(self) -> &'static str {
        match self {
            RetirementChart::Outlook => "Will the money last, and what does it pay?",
            RetirementChart::Stress => "Stress tests: success rate beside the base case",
        }
    }
}

impl Figure for (RetirementChart, &RunResults, &str) {
    fn stem(&self) -> String {
        self.0.stem().to_string()
    }

    fn draw_on<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> DrawResult
    where
        DB::ErrorType: 'static,
    {
        match self.0 {
            RetirementChart::Outlook => draw_outlook(root, self.1, self.2),
            RetirementChart::Stress => draw_stress(root, self.1, self.2),
        }
    }
}

fn draw_outlook<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    r: &RunResults,
    source: &str,
) -> DrawResult
where
    DB::ErrorType: 'static,
{
    let age0 = r.start_age.map(f64::from);
    let x_of = |year: u32| f64::from(year) + age0.unwrap_or(0.0);
    let x_label = if age0.is_some() {
        "Age"
    } else {
        "Years since start"
    };
    let area = frame(
        root,
        "Will the money last, and what does it pay?",
        "Left: share of paths not yet run out. Right: real spending per year (withdrawals plus income), median solid, 10th percentile dashed",
        source,
    )?;
    let panels = area.split_evenly((1, 2));
    let x_range = (x_of(0), x_of(r.years).max(x_of(0) + 1.0));
    let retire_x = x_of(r.retirement_year);

    // Left: survival, zoomed to where the lines are (the axis says where it starts).
    let lowest = r
        .yearly
        .iter()
        .map(|b| b.solvent_fraction * 100.0)
        .fold(100.0, f64::min);
    let y_floor = ((lowest - 5.0) / 10.0).floor().clamp(0.0, 9.0) * 10.0;
    {
        let mut chart = age_panel(
            &panels[0],
            "Still solvent (%)",
            x_label,
            x_range.0..x_range.1,
            y_floor..100.5,
            56,
            &|v| format!("{v:.0}%"),
        )?;
        chart.draw_series(LineSeries::new(
            [(retire_x, y_floor), (retire_x, 100.5)],
            GHOST.stroke_width(2),
        ))?;
        for (s, st) in r.strategies.iter().enumerate() {
            let pts: Vec<(f64, f64)> = r
                .yearly
                .iter()
                .filter(|b| b.strategy == st.name)
                .map(|b| (x_of(b.year), b.solvent_fraction * 100.0))
                .collect();
            let color = strategy_color(s);
            chart
                .draw_series(LineSeries::new(pts, color.stroke_width(3)))?
                .label(st.name.clone())
                .legend(move |(x, y)| {
                    PathElement::new([(x, y), (x + 18, y)], color.stroke_width(3))
                });
        }
        chart
            .configure_series_labels()
            .position(SeriesLabelPosition::LowerLeft)
            .background_style(BACKGROUND.mix(0.9))
            .border_style(GRID)
            .label_font(font(LEGEND_PX))
            .draw()?;
    }
    // Right: spending.
    {
        let ys = &r.yearly_spending;
        if ys.is_empty() {
            return no_data(&panels[1]);
        }
        let (_, hi) = value_range(
            ys.iter()
                .map(|b| b.real.p50)
                .chain(ys.iter().map(|b| b.real.p10)),
            &[0.0],
            0.08,
        );
        let mut chart = age_panel(
            &panels[1],
            "Real spending per year",
            x_label,
            x_range.0..x_range.1,
            0.0..hi,
            72,
            &|v| dollars_tick(v),
        )?;
        for (s, st) in r.strategies.iter().enumerate() {
            let color = strategy_color(s);
            let band: Vec<_> = ys.iter().filter(|b| b.strategy == st.name).collect();
            chart.draw_series(LineSeries::new(
                band.iter().map(|b| (x_of(b.year), b.real.p50)),
                color.stroke_width(3),
            ))?;
            chart.draw_series(DashedLineSeries::new(
                band.iter().map(|b| (x_of(b.year), b.real.p10)),
                8,
                6,
                color.stroke_width(2),
            ))?;
        }
    }
    Ok(())
}

/// One panel of the outlook chart: age (or years) across, its mesh in the house style,
/// `y_tick` formatting the y axis.
#[allow(clippy::too_many_arguments)]
fn age_panel<'a, DB: DrawingBackend>(
    area: &'a DrawingArea<DB, Shift>,
    title: &str,
    x_label: &str,
    x: std::ops::Range<f64>,
    y: std::ops::Range<f64>,
    y_label_width: u32,
    y_tick: &dyn Fn(f64) -> String,
) -> Result<
    ChartContext<'a, DB, Cartesian2d<RangedCoordf64, RangedCoordf64>>,
    Box<dyn std::error::Error + Send + Sync>,
>
where
    DB::ErrorType: 'static,
{
    let mut chart = ChartBuilder::on(area)
        .caption(title, bold(PANEL_TITLE_PX))
        .margin_right(16)
        .x_label_area_size(48)
        .y_label_area_size(y_label_width)
        .build_cartesian_2d(x, y)?;
    chart
        .configure_mesh()
        .light_line_style(TRANSPARENT)
        .bold_line_style(GRID)
        .axis_style(AXIS)
        .x_desc(x_label)
        .label_style(font(TICK_PX))
        .axis_desc_style(font(AXIS_LABEL_PX))
        .x_label_formatter(&|v| format!("{v:.0}"))
        .y_label_formatter(&|v| y_tick(*v))
        .draw()?;
    Ok(chart)
}

fn draw_stress<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    r: &RunResults,
    source: &str,
) -> DrawResult
where
    DB::ErrorType: 'static,
{
    let area = frame(
        root,
        "Stress tests: success rate beside the base case",
        "Share of paths that never missed a withdrawal, on the same paths reshaped by each stress",
        source,
    )?;
    let mut cases: Vec<(String, &Vec<StrategySummary>)> = vec![("base case".into(), &r.strategies)];
    cases.extend(r.stresses.iter().map(|s| (s.name.clone(), &s.strategies)));
    let n_cases = cases.len();
    let n_strat = r.strategies.len().max(1);
    if n_cases == 0 || r.strategies.is_empty() {
        return no_data(&area);
    }
    // A legend strip on top, then case names at the left of the bars.
    let (legend_area, area) = area.split_vertically(34);
    let mut x = 0;
    for (s, st) in r.strategies.iter().enumerate() {
        let name = ellipsize(&st.name, 24);
        legend_area.draw(&Rectangle::new(
            [(x, 8), (x + 14, 22)],
            strategy_color(s).filled(),
        ))?;
        legend_area.draw_text(
            &name,
            &font(LEGEND_PX - 2).pos(Pos::new(HPos::Left, VPos::Center)),
            (x + 20, 15),
        )?;
        let w = legend_area
            .estimate_text_size(&name, &font(LEGEND_PX - 2))?
            .0 as i32;
        x += 20 + w + 18;
    }
    let (names_area, plot_area) = area.split_horizontally(230);
    let mut chart = ChartBuilder::on(&plot_area)
        .margin_right(24)
        .x_label_area_size(48)
        .y_label_area_size(0)
        .build_cartesian_2d(0.0..100.0, 0.0..n_cases as f64)?;
    chart
        .configure_mesh()
        .disable_y_mesh()
        .light_line_style(TRANSPARENT)
        .bold_line_style(GRID)
        .axis_style(AXIS)
        .x_desc("Paths that never missed a withdrawal (%)")
        .x_label_formatter(&|v| format!("{v:.0}%"))
        .label_style(font(TICK_PX))
        .axis_desc_style(font(AXIS_LABEL_PX))
        .draw()?;
    let slot = 0.8 / n_strat as f64;
    for (c, (_, strategies)) in cases.iter().enumerate() {
        // Case 0 at the top.
        let top = (n_cases - c) as f64 - 0.1;
        for (s, st) in strategies.iter().enumerate() {
            let y1 = top - s as f64 * slot;
            let y0 = y1 - slot * 0.9;
            let v = (st.success_rate * 100.0).clamp(0.0, 100.0);
            let color = strategy_color(s);
            chart.draw_series(std::iter::once(Rectangle::new(
                [(0.0, y0), (v, y1)],
                color.filled(),
            )))?;
            if slot * 0.9 * 600.0 / n_cases as f64 >= 14.0 {
                let label = format!("{v:.1}%");
                let pos = chart.backend_coord(&(v, (y0 + y1) / 2.0));
                plot_area.draw_text(
                    &label,
                    &font(VALUE_LABEL_PX.min(14)).pos(Pos::new(HPos::Left, VPos::Center)),
                    (
                        pos.0 + 4 - plot_area.get_base_pixel().0,
                        pos.1 - plot_area.get_base_pixel().1,
                    ),
                )?;
            }
        }
    }
    // Case names at the left, strategy legend below them.
    let (_, h) = names_area.dim_in_pixel();
    let plot_h = h.saturating_sub(48) as f64;
    for (c, (name, _)) in cases.iter().enumerate() {
        let y = ((c as f64 + 0.5) / n_cases as f64 * plot_h) as i32;
        names_area.draw_text(
            &ellipsize(name, 24),
            &bold(TICK_PX + 1).pos(Pos::new(HPos::Right, VPos::Center)),
            (222, y),
        )?;
    }
    Ok(())
}
