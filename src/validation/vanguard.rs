//! Vanguard (Jaconetti, Kinniry and Zilbering 2010): a 60/40 portfolio from 1926 to 2009,
//! no cash flows, looked at monthly, quarterly or annually and rebalanced to target when
//! the stock weight has drifted past 0%, 1%, 5% or 10%, against never rebalancing.
//!
//! driftlab setup: `scenarios/validation/vanguard-2010.toml` (Shiller monthly data,
//! 1926-01 to 2009-12, one window of 1,008 months, S&P composite and 10-year Treasuries).
//! A 0% threshold on a calendar is driftlab's calendar rule; monthly monitoring with a
//! band is its threshold rule (which looks every step); quarterly and annual monitoring
//! with a band is its hybrid rule.
//!
//! The engine reports rebalancing events and turnover but not the average stock weight, so
//! [`replay`] steps the same window itself, in the engine's order (returns, then the rule
//! if this month ends a look period), and records the stock weight at every month end
//! before any trade. The integration test checks that the replay's event counts, turnover
//! and terminal wealth equal the engine's.

use super::published::{VANGUARD_2010, VanguardColumn};
use super::{Section, StudyResult, parse_toml, signed};
use crate::history::{self, Dataset, SeriesId};
use crate::metrics::RunResults;
use std::fmt::Write as _;

/// The scenario file (also runnable with `driftlab run`).
pub const SCENARIO: &str = include_str!("../../scenarios/validation/vanguard-2010.toml");
pub const PERIOD: (i32, i32) = (1926, 2009);
pub const STOCK_TARGET: f64 = 0.60;

/// What the replay measured for one column.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Measured {
    pub events: u32,
    /// Mean month-end stock weight (before any trade that month end), fraction.
    pub avg_equity: f64,
    /// Half the dollars traded over wealth, summed over events, per year (fraction).
    pub turnover_per_year: f64,
    /// Compound annual growth rate (nominal).
    pub cagr: f64,
    /// Annualised standard deviation of monthly returns.
    pub volatility: f64,
    /// Wealth at the end per dollar at the start (nominal).
    pub terminal: f64,
}

/// Steps the 1926-2009 window for one column of the table.
pub fn replay_column(col: &VanguardColumn, stocks: &[f64], bonds: &[f64]) -> Measured {
    let (mut s, mut b) = (STOCK_TARGET, 1.0 - STOCK_TARGET);
    let mut events = 0u32;
    let mut turnover = 0.0;
    let mut weight_sum = 0.0;
    let (mut sum_r, mut sum_r2) = (0.0, 0.0);
    let n = stocks.len();
    for k in 0..n {
        let before = s + b;
        s *= 1.0 + stocks[k];
        b *= 1.0 + bonds[k];
        let total = s + b;
        let r = total / before - 1.0;
        sum_r += r;
        sum_r2 += r * r;
        let w = s / total;
        weight_sum += w;
        if let Some(months) = col.monitor_months
            && (k + 1) % months as usize == 0
        {
            let band = f64::from(col.threshold_pp) / 100.0;
            let trade = col.threshold_pp == 0 || (w - STOCK_TARGET).abs() > band;
            if trade {
                let new_s = total * STOCK_TARGET;
                let dollars = 2.0 * (new_s - s).abs();
                turnover += 0.5 * dollars / total;
                events += 1;
                s = new_s;
                b = total - new_s;
            }
        }
    }
    let years = n as f64 / 12.0;
    let nf = n as f64;
    let var = (sum_r2 - sum_r * sum_r / nf) / (nf - 1.0);
    let terminal = s + b;
    Measured {
        events,
        avg_equity: weight_sum / nf,
        turnover_per_year: turnover / years,
        cagr: terminal.powf(1.0 / years) - 1.0,
        volatility: (var.max(0.0) * 12.0).sqrt(),
        terminal,
    }
}

/// The replay of every column, in [`VANGUARD_2010`] order.
pub fn replay() -> StudyResult<Vec<Measured>> {
    let data = history::load(Dataset::Shiller, None)
        .map_err(|e| e.to_string())?
        .slice_years(PERIOD.0, PERIOD.1)
        .map_err(|e| e.to_string())?;
    let stocks = data.get(SeriesId::UsStocks).ok_or("no us_stocks")?;
    let bonds = data.get(SeriesId::Tbonds10y).ok_or("no tbonds_10y")?;
    Ok(VANGUARD_2010
        .iter()
        .map(|c| replay_column(c, stocks, bonds))
        .collect())
}

/// The engine's run of the scenario file (one path, 13 strategies in table order).
pub fn engine_run() -> StudyResult<RunResults> {
    let sc = parse_toml(SCENARIO, "vanguard-2010")?;
    Ok(crate::engine::run(&sc.simulation, &|_| {}))
}

fn monitoring(col: &VanguardColumn) -> &'static str {
    match col.monitor_months {
        Some(1) => "monthly",
        Some(3) => "quarterly",
        Some(12) => "annually",
        Some(_) => "other",
        None => "never",
    }
}

/// The shape the published table has and the reproduction must keep. Returns the checks
/// that fail (empty when the shape holds).
pub fn shape_violations(m: &[Measured]) -> Vec<String> {
    let cols = &VANGUARD_2010;
    let mut bad = Vec::new();
    let find = |months: Option<u32>, pp: u32| {
        cols.iter()
            .position(|c| c.monitor_months == months && c.threshold_pp == pp)
    };
    // Calendar rules trade at every look: 1,008, 336 and 84 events in 84 years.
    for (months, expect) in [(1, 1008), (3, 336), (12, 84)] {
        if let Some(i) = find(Some(months), 0)
            && m[i].events != expect
        {
            bad.push(format!(
                "every {months} months at 0%: {} events, expected {expect}",
                m[i].events
            ));
        }
    }
    // Wider thresholds never trade more often.
    for months in [1, 3, 12] {
        let idx: Vec<usize> = [0, 1, 5, 10]
            .iter()
            .filter_map(|&pp| find(Some(months), pp))
            .collect();
        for w in idx.windows(2) {
            if m[w[1]].events > m[w[0]].events {
                bad.push(format!(
                    "every {months} months: {} events at {}% but {} at {}%",
                    m[w[1]].events,
                    cols[w[1]].threshold_pp,
                    m[w[0]].events,
                    cols[w[0]].threshold_pp
                ));
            }
        }
    }
    // Looking less often never trades more often (same threshold).
    for pp in [1, 5, 10] {
        if let (Some(a), Some(b)) = (find(Some(1), pp), find(Some(12), pp))
            && m[b].events > m[a].events
        {
            bad.push(format!("{pp}%: annual monitoring trades more than monthly"));
        }
    }
    // Annual monitoring with 5-10% thresholds: tens of events in 84 years.
    for pp in [5, 10] {
        if let Some(i) = find(Some(12), pp)
            && !(5..=60).contains(&m[i].events)
        {
            bad.push(format!(
                "annual {pp}%: {} events, expected tens (5 to 60)",
                m[i].events
            ));
        }
    }
    // Every rebalanced portfolio stays near 60% stocks; never rebalancing drifts to ~84%.
    for (c, x) in cols.iter().zip(m) {
        match c.monitor_months {
            Some(_) => {
                if !(0.59..=0.66).contains(&x.avg_equity) {
                    bad.push(format!(
                        "{} {}%: average stock weight {:.1}%, expected 59-66%",
                        monitoring(c),
                        c.threshold_pp,
                        100.0 * x.avg_equity
                    ));
                }
            }
            None => {
                if x.events != 0 || !(0.78..=0.90).contains(&x.avg_equity) {
                    bad.push(format!(
                        "never: {} events, average stock weight {:.1}%, expected 0 and 78-90%",
                        x.events,
                        100.0 * x.avg_equity
                    ));
                }
            }
        }
    }
    // Never rebalancing is the most volatile.
    if let Some(never) = find(None, 0) {
        for (c, x) in cols.iter().zip(m) {
            if c.monitor_months.is_some() && x.volatility >= m[never].volatility {
                bad.push(format!(
                    "{} {}%: volatility {:.2}% not below never's {:.2}%",
                    monitoring(c),
                    c.threshold_pp,
                    100.0 * x.volatility,
                    100.0 * m[never].volatility
                ));
            }
        }
    }
    bad
}

fn pub_or_dash(v: Option<f64>, decimals: usize) -> String {
    v.map_or("—".into(), |x| format!("{x:.decimals$}%"))
}

pub fn render(m: &[Measured]) -> String {
    let mut s = String::new();
    let _ = writeln!(
        s,
        "Each pair: **published / driftlab**. Return: compound annual (nominal); volatility: \
         annualised standard deviation of monthly returns; turnover: half the dollars traded \
         over wealth, summed over events, per year. \"—\": not in the published table."
    );
    let _ = writeln!(s);
    let _ = writeln!(
        s,
        "| monitoring | threshold | rebalancing events | average stock weight | turnover / year | annualised return | volatility |"
    );
    let _ = writeln!(s, "|---|---|---|---|---|---|---|");
    for (c, x) in VANGUARD_2010.iter().zip(m) {
        let events = match c.events {
            Some(e) => format!("{e} / {}", x.events),
            None => format!("— / {}", x.events),
        };
        let threshold = if c.monitor_months.is_none() {
            "—".to_string()
        } else {
            format!("{}%", c.threshold_pp)
        };
        let _ = writeln!(
            s,
            "| {} | {threshold} | {events} | {} / {:.1}% | {} / {:.2}% | {} / {:.1}% | {} / {:.1}% |",
            monitoring(c),
            pub_or_dash(c.avg_equity_pct, 1),
            100.0 * x.avg_equity,
            pub_or_dash(c.annual_turnover_pct, 1),
            100.0 * x.turnover_per_year,
            pub_or_dash(c.annualized_return_pct, 1),
            100.0 * x.cagr,
            pub_or_dash(c.volatility_pct, 1),
            100.0 * x.volatility,
        );
    }
    let _ = writeln!(s);
    // Differences in the columns that have published figures.
    let with_pub: Vec<(&VanguardColumn, &Measured)> = VANGUARD_2010
        .iter()
        .zip(m)
        .filter(|(c, _)| c.volatility_pct.is_some())
        .collect();
    let mean_diff = |f: &dyn Fn(&VanguardColumn, &Measured) -> f64| {
        with_pub.iter().map(|(c, x)| f(c, x)).sum::<f64>() / with_pub.len() as f64
    };
    let _ = writeln!(
        s,
        "Mean difference (driftlab minus published) over the 11 published columns: average \
         stock weight {} pp, annualised return {} pp, volatility {} pp.",
        signed(
            mean_diff(&|c, x| 100.0 * x.avg_equity - c.avg_equity_pct.unwrap_or(0.0)),
            1
        ),
        signed(
            mean_diff(&|c, x| 100.0 * x.cagr - c.annualized_return_pct.unwrap_or(0.0)),
            1
        ),
        signed(
            mean_diff(&|c, x| 100.0 * x.volatility - c.volatility_pct.unwrap_or(0.0)),
            1
        ),
    );
    let _ = writeln!(s);
    let bad = shape_violations(m);
    if bad.is_empty() {
        let _ = writeln!(
            s,
            "Shape checks (asserted by the test): calendar rules trade 1,008 / 336 / 84 times; \
             wider thresholds and rarer looks never trade more; annual 5% and 10% trade tens \
             of times; rebalanced portfolios average 59-66% stocks and never rebalancing \
             78-90%; never rebalancing is the most volatile. **All hold.**"
        );
    } else {
        let _ = writeln!(s, "Shape checks that FAIL:");
        for b in bad {
            let _ = writeln!(s, "- {b}");
        }
    }
    s
}

pub fn sections(m: &[Measured]) -> Vec<Section> {
    vec![Section {
        id: "vanguard-2010",
        markdown: render(m),
    }]
}
