//! Turns the aggregates of a finished run into [`RunResults`].

use super::accumulate::{ChunkSums, Histograms};
use super::quantile::percentiles_sorted;
use super::{
    PairedDifference, RetirementSummary, RunResults, SpendingBand, StrategySummary, TaxSummary,
    YearlyBand,
};
use crate::engine::Simulation;

/// z for a two-sided 95% normal interval.
const Z95: f64 = 1.959_963_984_540_054;

/// Builds the results. `terminal_*` are path-major (`path * strategies + strategy`).
pub(crate) fn summarize(
    sim: &Simulation,
    paths: usize,
    terminal_real: &[f64],
    terminal_nominal: &[f64],
    hist: &Histograms,
    sums: &ChunkSums,
    path_labels: Vec<String>,
) -> RunResults {
    let n_strat = sim.strategies.len();
    let n = paths.max(1) as f64;
    let column = |data: &[f64], s: usize| -> Vec<f64> {
        data.iter()
            .skip(s)
            .step_by(n_strat.max(1))
            .copied()
            .collect()
    };
    let mean = |v: &[f64]| v.iter().sum::<f64>() / n;
    let years = sim.years as f64;

    let mut strategies = Vec::with_capacity(n_strat);
    let mut sorted_real = Vec::with_capacity(n_strat);
    let mut by_path = Vec::new();
    for (s, strategy) in sim.strategies.iter().enumerate() {
        let mut real = column(terminal_real, s);
        let mut nominal = column(terminal_nominal, s);
        let real_mean = mean(&real);
        let nominal_mean = mean(&nominal);
        if !path_labels.is_empty() {
            by_path.push(real.clone());
        }
        real.sort_by(f64::total_cmp);
        nominal.sort_by(f64::total_cmp);
        strategies.push(StrategySummary {
            name: strategy.name.clone(),
            rule: strategy.describe(),
            success_rate: sums.successes[s] as f64 / n,
            terminal_nominal: percentiles_sorted(&nominal),
            terminal_nominal_mean: nominal_mean,
            terminal_real: percentiles_sorted(&real),
            terminal_real_mean: real_mean,
            cagr: hist.cagr[s].percentiles(),
            volatility: hist.volatility[s].percentiles(),
            max_drawdown: hist.max_drawdown[s].percentiles(),
            rebalances_per_path: sums.rebalances[s] as f64 / n,
            trades_per_path: sums.legs[s] as f64 / n,
            turnover_per_year: if years > 0.0 {
                sums.turnover[s] / n / years
            } else {
                0.0
            },
            dollars_traded_per_path: sums.dollars_traded[s] / n,
            fees_per_path: sums.fees[s] / n,
        });
        sorted_real.push(real);
    }

    let mut yearly = Vec::with_capacity(n_strat * (sim.years as usize + 1));
    for (s, strategy) in sim.strategies.iter().enumerate() {
        for year in 0..=sim.years {
            let cell = hist.cell(s, year);
            yearly.push(YearlyBand {
                strategy: strategy.name.clone(),
                year,
                real: hist.real[cell].percentiles(),
                nominal: hist.nominal[cell].percentiles(),
                real_mean: sums.year_real[cell] / n,
                solvent_fraction: hist.solvent[cell] as f64 / n,
            });
        }
    }

    let baseline = &sim.strategies[sim.baseline.min(n_strat.saturating_sub(1))];
    let interval = |sum: f64, sum_sq: f64| -> (f64, f64, (f64, f64)) {
        let m = sum / n;
        let var = if paths > 1 {
            ((sum_sq - sum * sum / n) / (n - 1.0)).max(0.0)
        } else {
            0.0
        };
        let half = Z95 * (var / n).sqrt();
        (m, half, (m - half, m + half))
    };
    let pairs = (0..n_strat)
        .filter(|&s| s != sim.baseline)
        .map(|s| {
            let (d, _, ci) = interval(sums.diff[s], sums.diff_sq[s]);
            let (sd, _, sci) = interval(sums.success_diff[s], sums.success_diff_sq[s]);
            PairedDifference {
                strategy: sim.strategies[s].name.clone(),
                baseline: baseline.name.clone(),
                terminal_real_mean_diff: d,
                terminal_real_ci95: ci,
                success_rate_diff: sd,
                success_rate_ci95: sci,
                share_paths_ahead: sums.ahead[s] as f64 / n,
            }
        })
        .collect();

    let years_retired = f64::from(
        sim.steps()
            .saturating_sub(sim.cash_flows.retirement_step.min(sim.steps())),
    ) / f64::from(sim.steps_per_year);
    let retirement = sim
        .strategies
        .iter()
        .enumerate()
        .map(|(s, strategy)| RetirementSummary {
            strategy: strategy.name.clone(),
            spending_real_total: hist.spending_total[s].percentiles(),
            spending_real_per_year_mean: {
                // Over the retirement years actually lived (all of them without a life
                // table): one spending record per path and year lived.
                let lived: u64 = (1..=sim.years)
                    .map(|y| hist.spending[hist.cell(s, y)].count())
                    .sum();
                if years_retired > 0.0 && lived > 0 {
                    sums.spending[s] / lived as f64
                } else {
                    0.0
                }
            },
            first_decade_real_return: hist.first_decade[s].percentiles(),
            first_decade_r2: r_squared(sums.decade_n[s], &sums.decade_sums[s]),
        })
        .collect();
    let mut yearly_spending = Vec::new();
    for (s, strategy) in sim.strategies.iter().enumerate() {
        for year in 1..=sim.years {
            let cell = hist.cell(s, year);
            if hist.spending[cell].count() == 0 {
                continue;
            }
            yearly_spending.push(SpendingBand {
                strategy: strategy.name.clone(),
                year,
                real: hist.spending[cell].percentiles(),
                // Over the paths still alive that year (all of them without a life table).
                real_mean: sums.year_spending[cell] / hist.spending[cell].count() as f64,
            });
        }
    }

    let (taxes, yearly_taxes) = match &sim.household {
        Some(hh) => tax_summaries(sim, hh.after_tax_rate, hist, sums, n),
        None => (Vec::new(), Vec::new()),
    };
    let mut results = RunResults {
        scenario_name: sim.name.clone(),
        tool_version: env!("CARGO_PKG_VERSION").to_string(),
        seed: sim.seed,
        paths,
        years: sim.years,
        steps_per_year: sim.steps_per_year,
        market: match &sim.mortality {
            Some(t) => format!("{}; lifetimes from {}", sim.market.describe(), t.source),
            None => sim.market.describe(),
        },
        strategies,
        yearly,
        pairs,
        terminal_real_sorted: sorted_real,
        path_labels,
        terminal_real_by_path: by_path,
        success_by_path: Vec::new(),
        start_age: sim.start_age,
        retirement_year: sim.cash_flows.retirement_step / sim.steps_per_year,
        retirement,
        yearly_spending,
        stresses: Vec::new(),
        taxes,
        yearly_taxes,
        notes: Vec::new(),
    };
    results.notes = super::notes::scenario_notes(sim);
    results.notes.extend(super::notes::notes(&results));
    results
}

/// R squared of a least-squares line through (x, y) given n and the sums of x, y, x^2, y^2
/// and xy; `None` with fewer than three points or no variance.
fn r_squared(n: u64, s: &[f64; 5]) -> Option<f64> {
    if n < 3 {
        return None;
    }
    let n = n as f64;
    let sxx = s[2] - s[0] * s[0] / n;
    let syy = s[3] - s[1] * s[1] / n;
    let sxy = s[4] - s[0] * s[1] / n;
    if sxx <= 0.0 || syy <= 0.0 {
        return None;
    }
    Some((sxy * sxy / (sxx * syy)).clamp(0.0, 1.0))
}

/// Per-strategy tax figures and per-year tax bands (households with accounts).
fn tax_summaries(
    sim: &Simulation,
    after_tax_rate: f64,
    hist: &Histograms,
    sums: &ChunkSums,
    n: f64,
) -> (Vec<TaxSummary>, Vec<SpendingBand>) {
    let summaries = sim
        .strategies
        .iter()
        .enumerate()
        .map(|(s, strategy)| {
            let t = &sums.tax[s];
            TaxSummary {
                strategy: strategy.name.clone(),
                taxes_real_total: hist.taxes_total[s].percentiles(),
                taxes_real_mean: t.taxes_real / n,
                after_tax_terminal_real: hist.after_tax[s].percentiles(),
                after_tax_terminal_real_mean: t.after_tax_real / n,
                after_tax_rate,
                realized_gains_mean: t.realized_gains / n,
                harvested_losses_mean: t.harvested_losses / n,
                lost_to_ira_mean: t.lost_to_ira / n,
                penalties_mean: t.penalties / n,
                medicare_surcharges_mean: t.medicare_surcharges / n,
                rmds_mean: t.rmds / n,
                conversions_mean: t.conversions / n,
                excess_contributions_mean: t.excess_contributions / n,
                traded_deferred_mean: t.traded[0] / n,
                traded_tax_free_mean: t.traded[1] / n,
                traded_taxable_mean: t.traded[2] / n,
            }
        })
        .collect();
    let mut yearly = Vec::new();
    for (s, strategy) in sim.strategies.iter().enumerate() {
        for year in 1..=sim.years {
            let cell = hist.cell(s, year);
            let h = &hist.taxes[cell];
            if h.count() == 0 {
                continue;
            }
            yearly.push(SpendingBand {
                strategy: strategy.name.clone(),
                year,
                real: h.percentiles(),
                real_mean: sums.year_taxes[cell] / h.count() as f64,
            });
        }
    }
    (summaries, yearly)
}
