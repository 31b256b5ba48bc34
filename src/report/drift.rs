//! Allocation drift on a few sample paths: the weights of every asset after each step, for
//! every strategy, on a handful of paths re-simulated after the run.
//!
//! This is the only report code that calls the engine, and it is not called by
//! [`super::write_report`] or by `driftlab report`: the CLI samples the paths right after
//! `engine::run` (a few paths take milliseconds), the report saves them as
//! `allocation_drift.{csv,parquet}`, and re-rendering reads that table back.
//! The paths are the run's own paths (same seed, same path index), so the sample shows
//! exactly what the aggregated statistics were computed from.

use polars::prelude::*;

use crate::engine::{self, Simulation, YearEndSink};
use crate::portfolio::Holdings;

/// Paths sampled by default.
pub const SAMPLE_PATHS: usize = 5;

/// Weights over time on sampled paths, for every strategy.
#[derive(Clone, Debug, PartialEq)]
pub struct AllocationSample {
    pub asset_names: Vec<String>,
    /// Target weight of each asset (fractions).
    pub targets: Vec<f64>,
    pub steps_per_year: u32,
    pub strategies: Vec<String>,
    /// One entry per sampled path.
    pub series: Vec<SamplePath>,
}

/// One sampled path.
#[derive(Clone, Debug, PartialEq)]
pub struct SamplePath {
    /// Path index in the run.
    pub path: usize,
    /// "1966-01" for a historical window, "path 123" for a Monte Carlo path.
    pub label: String,
    /// `weights[strategy]`: (step, weight of each asset) from step 0 (the start) to the
    /// last step; shorter if the strategy ran out of money on this path.
    pub weights: Vec<Vec<(u32, Vec<f64>)>>,
}

struct Recorder {
    assets: usize,
    weights: Vec<Vec<(u32, Vec<f64>)>>,
}

impl YearEndSink for Recorder {
    const WANTS_HOLDINGS: bool = true;

    fn record(&mut self, _: usize, _: u32, _: f64, _: f64, _: bool) {}

    fn holdings(&mut self, strategy: usize, step: u32, holdings: &Holdings) {
        if holdings.total() > 0.0
            && let Some(series) = self.weights.get_mut(strategy)
        {
            series.push((step, holdings.weights()[..self.assets].to_vec()));
        }
    }
}

/// Indices of `count` paths spread evenly over `0..paths` (first and last included).
pub fn sample_indices(paths: usize, count: usize) -> Vec<usize> {
    let k = count.min(paths);
    if k == 0 {
        return vec![];
    }
    if k == 1 {
        return vec![0];
    }
    let mut out: Vec<usize> = (0..k)
        .map(|i| ((i as f64) * (paths - 1) as f64 / (k - 1) as f64).round() as usize)
        .collect();
    out.dedup();
    out
}

/// Re-simulates `count` evenly spaced paths of `sim` and records the weights after every
/// step. Cheap: `count` paths, not the whole run.
pub fn sample_allocation_drift(sim: &Simulation, count: usize) -> AllocationSample {
    let assets = sim.asset_names.len();
    let start = sim.initial.weights()[..assets].to_vec();
    let series = sample_indices(sim.path_count(), count)
        .into_iter()
        .map(|path| {
            let mut rec = Recorder {
                assets,
                weights: vec![vec![(0, start.clone())]; sim.strategies.len()],
            };
            engine::simulate_one_path_with(sim, path, &mut rec);
            SamplePath {
                path,
                label: sim
                    .market
                    .path_label(path, sim.cash_flows.retirement_step as usize)
                    .unwrap_or_else(|| format!("path {path}")),
                weights: rec.weights,
            }
        })
        .collect();
    AllocationSample {
        asset_names: sim.asset_names.clone(),
        targets: sim.target.weights().to_vec(),
        steps_per_year: sim.steps_per_year,
        strategies: sim.strategies.iter().map(|s| s.name.clone()).collect(),
        series,
    }
}

/// Tidy table: `strategy, path, label, step, years, asset, target, weight`; one row per
/// strategy, sampled path, step and asset.
pub fn drift_frame(s: &AllocationSample) -> PolarsResult<DataFrame> {
    let mut strategy = vec![];
    let mut path = vec![];
    let mut label = vec![];
    let mut step = vec![];
    let mut years = vec![];
    let mut asset = vec![];
    let mut target = vec![];
    let mut weight = vec![];
    let spy = s.steps_per_year.max(1) as f64;
    for (si, name) in s.strategies.iter().enumerate() {
        for p in &s.series {
            let Some(points) = p.weights.get(si) else {
                continue;
            };
            for (st, w) in points {
                for (a, asset_name) in s.asset_names.iter().enumerate() {
                    strategy.push(name.clone());
                    path.push(p.path as u64);
                    label.push(p.label.clone());
                    step.push(*st);
                    years.push(*st as f64 / spy);
                    asset.push(asset_name.clone());
                    target.push(s.targets.get(a).copied().unwrap_or(f64::NAN));
                    weight.push(w.get(a).copied().unwrap_or(f64::NAN));
                }
            }
        }
    }
    DataFrame::new_infer_height(vec![
        Column::new("strategy".into(), strategy),
        Column::new("path".into(), path),
        Column::new("label".into(), label),
        Column::new("step".into(), step),
        Column::new("years".into(), years),
        Column::new("asset".into(), asset),
        Column::new("target".into(), target),
        Column::new("weight".into(), weight),
    ])
}

fn position<T: PartialEq>(list: &mut Vec<T>, item: T) -> usize {
    match list.iter().position(|x| *x == item) {
        Some(i) => i,
        None => {
            list.push(item);
            list.len() - 1
        }
    }
}

/// Reads [`drift_frame`]'s table back (strategies, paths and assets in order of first
/// appearance, which is the order they were written in).
pub fn drift_from_frame(df: &DataFrame, steps_per_year: u32) -> PolarsResult<AllocationSample> {
    let strategy = df.column("strategy")?.str()?;
    let path = df.column("path")?.u64()?;
    let label = df.column("label")?.str()?;
    let step = df.column("step")?.u32()?;
    let asset = df.column("asset")?.str()?;
    let target = df.column("target")?.f64()?;
    let weight = df.column("weight")?.f64()?;
    let mut out = AllocationSample {
        asset_names: vec![],
        targets: vec![],
        steps_per_year,
        strategies: vec![],
        series: vec![],
    };
    let mut path_ids: Vec<u64> = vec![];
    for row in 0..df.height() {
        let (Some(sn), Some(p), Some(st), Some(an)) = (
            strategy.get(row),
            path.get(row),
            step.get(row),
            asset.get(row),
        ) else {
            continue;
        };
        let si = position(&mut out.strategies, sn.to_string());
        let ai = position(&mut out.asset_names, an.to_string());
        if out.targets.len() < out.asset_names.len() {
            out.targets.push(target.get(row).unwrap_or(f64::NAN));
        }
        let pi = position(&mut path_ids, p);
        if out.series.len() < path_ids.len() {
            out.series.push(SamplePath {
                path: p as usize,
                label: label.get(row).unwrap_or_default().to_string(),
                weights: vec![],
            });
        }
        let series = &mut out.series[pi].weights;
        while series.len() <= si {
            series.push(vec![]);
        }
        let points = &mut series[si];
        if points.last().is_none_or(|(s, _)| *s != st) {
            points.push((st, vec![]));
        }
        if let Some((_, w)) = points.last_mut() {
            while w.len() < ai {
                w.push(f64::NAN);
            }
            w.push(weight.get(row).unwrap_or(f64::NAN));
        }
    }
    for p in &mut out.series {
        p.weights.resize(out.strategies.len(), vec![]);
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn indices_are_spread_and_distinct() {
        assert_eq!(sample_indices(0, 5), Vec::<usize>::new());
        assert_eq!(sample_indices(1, 5), vec![0]);
        assert_eq!(sample_indices(3, 5), vec![0, 1, 2]);
        assert_eq!(sample_indices(101, 5), vec![0, 25, 50, 75, 100]);
        assert_eq!(sample_indices(10_000, 1), vec![0]);
    }

    #[test]
    fn table_round_trips() {
        let s = AllocationSample {
            asset_names: vec!["stocks".into(), "bonds".into()],
            targets: vec![0.6, 0.4],
            steps_per_year: 12,
            strategies: vec!["a".into(), "b".into()],
            series: vec![
                SamplePath {
                    path: 0,
                    label: "path 0".into(),
                    weights: vec![
                        vec![(0, vec![0.6, 0.4]), (1, vec![0.61, 0.39])],
                        vec![(0, vec![0.6, 0.4])],
                    ],
                },
                SamplePath {
                    path: 9,
                    label: "path 9".into(),
                    weights: vec![vec![(0, vec![0.6, 0.4])], vec![(0, vec![0.6, 0.4])]],
                },
            ],
        };
        let df = drift_frame(&s).unwrap();
        assert_eq!(df.height(), (2 + 1 + 1 + 1) * 2);
        assert_eq!(drift_from_frame(&df, 12).unwrap(), s);
    }
}
