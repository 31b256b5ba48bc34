//! The simulation driver: paths in parallel (rayon), each path's random stream derived from
//! (seed, path index), statistics aggregated while paths run.
//!
//! Determinism: paths are processed in fixed chunks of [`CHUNK_PATHS`]; per-path results are
//! written to their own slots; floating-point sums are kept per chunk and added in chunk
//! order; histogram counts are integers. So results are bit-identical at any thread count.
//!
//! Memory: per-path storage is two `f64` per path and strategy (terminal wealth, nominal
//! and real); everything per year is a histogram or a sum. Nothing grows with
//! paths x steps.

mod batch;
mod household;
mod path;

pub use path::{NoSink, PathOutcome, YearEndSink};

use crate::cashflow::{CashFlowPlan, fee_factors};
use crate::household::Household;
use crate::income::IncomeStream;
use crate::market::MarketModel;
use crate::metrics::accumulate::{ChunkSums, DeferredCounts, Histograms};
use crate::metrics::{RunResults, StressSummary, summarize};
use crate::mortality::LifeTable;
use crate::portfolio::{Holdings, TargetAllocation};
use crate::simd::InstructionSet;
use crate::strategy::Strategy;
use crate::stress::{NamedStress, Stress};
use path::{PathScratch, simulate_path};
use rand::SeedableRng;
use rand_xoshiro::Xoshiro256PlusPlus;
use rayon::prelude::*;
use std::sync::Mutex;

/// Paths per unit of parallel work (also the unit of progress reporting).
pub const CHUNK_PATHS: usize = 256;

/// A validated, ready-to-run simulation. Built by the scenario loader (or by hand in tests).
#[derive(Clone, Debug)]
pub struct Simulation {
    pub name: String,
    pub asset_names: Vec<String>,
    pub target: TargetAllocation,
    /// Holdings at the start (nominal dollars), usually at target weights.
    pub initial: Holdings,
    pub market: MarketModel,
    /// 1 (annual steps) or 12 (monthly).
    pub steps_per_year: u32,
    pub years: u32,
    pub cash_flows: CashFlowPlan,
    pub strategies: Vec<Strategy>,
    /// Paths to simulate (ignored for rolling historical windows: one path per window).
    pub paths: usize,
    pub seed: u64,
    /// Index of the strategy the others are compared with.
    pub baseline: usize,
    /// Income during retirement (Social Security, pensions).
    pub income: Vec<IncomeStream>,
    /// The household's age at the start, when the scenario has a household.
    pub start_age: Option<u32>,
    /// Stress tests run beside the base case.
    pub stresses: Vec<NamedStress>,
    /// Probabilistic lifetimes (needs `start_age`); `None` runs every path to the horizon.
    pub mortality: Option<LifeTable>,
    /// Accounts, tax lots and taxes; `None` simulates one untaxed portfolio.
    pub household: Option<Household>,
    /// Derived by [`Simulation::refresh`]: per-step fee multipliers.
    pub fee_factors: Vec<f64>,
    /// Derived: each strategy's target per step (one entry when it never moves).
    pub targets: Vec<Vec<TargetAllocation>>,
    /// Derived: each strategy's cash-reserve interest per step.
    pub reserve_growth: Vec<f64>,
}

impl Simulation {
    /// Total steps of one path.
    pub fn steps(&self) -> u32 {
        self.years * self.steps_per_year
    }

    /// Paths this run will simulate.
    pub fn path_count(&self) -> usize {
        self.market
            .fixed_path_count(self.steps() as usize)
            .unwrap_or(self.paths)
    }

    /// Recomputes the derived fields; call after changing the plan or the strategies.
    pub fn refresh(&mut self) {
        self.fee_factors = fee_factors(&self.cash_flows.expense_ratios, self.steps_per_year);
        let steps = self.steps();
        self.targets = self
            .strategies
            .iter()
            .map(|s| match &s.glide {
                Some(g) => g.schedule(steps).unwrap_or_else(|_| vec![self.target]),
                None => vec![self.target],
            })
            .collect();
        self.reserve_growth = self
            .strategies
            .iter()
            .map(|s| {
                s.reserve.map_or(0.0, |r| {
                    (1.0 + r.rate).powf(1.0 / f64::from(self.steps_per_year)) - 1.0
                })
            })
            .collect();
    }

    /// Strategy `s`'s target at `step`.
    #[inline]
    pub fn target_at(&self, s: usize, step: u32) -> &TargetAllocation {
        let t = &self.targets[s];
        &t[(step as usize).min(t.len() - 1)]
    }
}

/// splitmix64: a bijective mixer, so distinct (seed, path) pairs give well-separated seeds.
fn splitmix64(mut z: u64) -> u64 {
    z = z.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// The random stream of one path: a pure function of (seed, path index), so a path is the
/// same whatever the thread count or the number of paths in the run.
pub fn path_rng(seed: u64, path: usize) -> Xoshiro256PlusPlus {
    Xoshiro256PlusPlus::seed_from_u64(path_seed(seed, path))
}

/// The 64-bit seed of a path's stream.
pub fn path_seed(seed: u64, path: usize) -> u64 {
    splitmix64(seed ^ splitmix64(path as u64))
}

/// Simulates one path for every strategy and returns their outcomes (for inspection/tests).
pub fn simulate_one_path(sim: &Simulation, path: usize) -> Vec<PathOutcome> {
    simulate_one_path_with(sim, path, &mut NoSink)
}

/// As [`simulate_one_path`], sending year-end wealth to `sink`.
pub fn simulate_one_path_with<S: YearEndSink>(
    sim: &Simulation,
    path: usize,
    sink: &mut S,
) -> Vec<PathOutcome> {
    simulate_one_path_stressed(sim, path, sink, None)
}

/// As [`simulate_one_path_with`], under a stress test.
pub fn simulate_one_path_stressed<S: YearEndSink>(
    sim: &Simulation,
    path: usize,
    sink: &mut S,
    stress: Option<&Stress>,
) -> Vec<PathOutcome> {
    let mut scratch = PathScratch::new(sim);
    let mut rng = path_rng(sim.seed, path);
    simulate_path(sim, path, &mut rng, &mut scratch, sink, stress);
    scratch.out
}

/// What one worker thread keeps across its chunks.
struct Worker {
    hist: Histograms,
    batch: Option<batch::Batch>,
    scratch: Option<PathScratch>,
    /// The path-by-path engine's histogram inserts of the current chunk.
    deferred: Option<DeferredCounts>,
}

/// Runs the base case and then every stress test of the scenario on the same paths.
/// `progress` counts paths over all runs (`path_count() * (1 + stresses)`).
pub fn run_all(sim: &Simulation, progress: &(dyn Fn(u64) + Sync)) -> RunResults {
    let mut results = run(sim, progress);
    results.stresses = sim
        .stresses
        .iter()
        .map(|named| {
            let r = run_stressed(sim, Some(&named.stress), progress);
            StressSummary {
                name: named.name.clone(),
                description: named.stress.describe(),
                strategies: r.strategies,
            }
        })
        .collect();
    results
}

/// Runs every path and aggregates the results. `progress` is called with the number of
/// paths just finished (from worker threads).
pub fn run(sim: &Simulation, progress: &(dyn Fn(u64) + Sync)) -> RunResults {
    run_stressed(sim, None, progress)
}

/// Runs every path under `stress` (or none) and aggregates the results.
pub fn run_stressed(
    sim: &Simulation,
    stress: Option<&Stress>,
    progress: &(dyn Fn(u64) + Sync),
) -> RunResults {
    run_with(sim, stress, progress, batch::covers(sim))
}

/// [`run`] through the path-by-path engine only, which covers every feature; [`run`] uses
/// the lockstep kernel wherever it covers the scenario, with the same results bit for bit.
/// For tests and benchmarks that compare the two.
pub fn run_path_by_path(sim: &Simulation, progress: &(dyn Fn(u64) + Sync)) -> RunResults {
    run_with(sim, None, progress, false)
}

/// [`run_stressed`], with the lockstep kernel ([`batch`]) or path by path. Both give the
/// same bits; the choice exists so tests can compare them.
fn run_with(
    sim: &Simulation,
    stress: Option<&Stress>,
    progress: &(dyn Fn(u64) + Sync),
    lockstep: bool,
) -> RunResults {
    run_kernel(sim, stress, progress, lockstep.then(InstructionSet::widest))
}

/// [`run_with`], the lockstep kernel compiled for a given instruction set (`None`: path by
/// path).
fn run_kernel(
    sim: &Simulation,
    stress: Option<&Stress>,
    progress: &(dyn Fn(u64) + Sync),
    lockstep: Option<InstructionSet>,
) -> RunResults {
    let n_strat = sim.strategies.len();
    let paths = sim.path_count();
    let years = sim.years;
    let n_chunks = paths.div_ceil(CHUNK_PATHS);
    let mut terminal_real = vec![0.0; paths * n_strat];
    // One byte per path and strategy; reported only for labelled (historical) runs.
    let labelled = sim.market.fixed_path_count(sim.steps() as usize).is_some();
    let mut succeeded = vec![false; paths * n_strat];
    let mut terminal_nominal = vec![0.0; paths * n_strat];
    let mut chunk_sums: Vec<ChunkSums> = (0..n_chunks)
        .map(|_| ChunkSums::new(n_strat, years))
        .collect();
    // One worker state per thread: histograms (integer counts merge exactly in any order)
    // and working space, allocated once per thread rather than per chunk.
    let slots: Vec<Mutex<Worker>> = (0..rayon::current_num_threads().max(1))
        .map(|_| {
            Mutex::new(Worker {
                hist: Histograms::new(n_strat, years, sim.household.is_some()),
                batch: None,
                scratch: None,
                deferred: None,
            })
        })
        .collect();

    terminal_real
        .par_chunks_mut(CHUNK_PATHS * n_strat.max(1))
        .zip(terminal_nominal.par_chunks_mut(CHUNK_PATHS * n_strat.max(1)))
        .zip(chunk_sums.par_iter_mut())
        .zip(succeeded.par_chunks_mut(CHUNK_PATHS * n_strat.max(1)))
        .enumerate()
        .for_each(|(chunk, (((real, nominal), sums), flags))| {
            let slot = rayon::current_thread_index().unwrap_or(0) % slots.len();
            let mut worker = match slots[slot].lock() {
                Ok(guard) => guard,
                Err(poisoned) => poisoned.into_inner(),
            };
            let Worker {
                hist,
                batch,
                scratch,
                deferred,
            } = &mut *worker;
            let first = chunk * CHUNK_PATHS;
            let count = real.len() / n_strat.max(1);
            let mut keep =
                |k: usize, out: &[PathOutcome], hist: &mut Histograms, sums: &mut ChunkSums| {
                    for (s, o) in out.iter().enumerate() {
                        real[k * n_strat + s] = o.terminal_real;
                        nominal[k * n_strat + s] = o.terminal_nominal;
                        flags[k * n_strat + s] = !o.failed;
                        hist.add_path(s, o);
                    }
                    sums.add_path(out, sim.baseline);
                };
            if let Some(isa) = lockstep {
                let batch = batch.get_or_insert_with(|| batch::Batch::new(sim, isa));
                batch.simulate_chunk(sim, first, count, stress);
                for (k, out) in batch.chunk_out.chunks(n_strat.max(1)).enumerate() {
                    keep(k, out, hist, sums);
                }
                batch.records.replay(count, &mut sums.year_sink(hist));
            } else {
                let scratch = scratch.get_or_insert_with(|| PathScratch::new(sim));
                let deferred = deferred
                    .get_or_insert_with(|| DeferredCounts::new(hist, CHUNK_PATHS.min(paths)));
                for k in 0..count {
                    let path = first + k;
                    let mut rng = path_rng(sim.seed, path);
                    simulate_path(
                        sim,
                        path,
                        &mut rng,
                        scratch,
                        &mut sums.year_sink_deferred(hist, deferred),
                        stress,
                    );
                    keep(k, &scratch.out, hist, sums);
                }
                deferred.flush(hist);
            }
            progress(count as u64);
        });

    // Counts merge exactly in any order: into the first worker's histograms.
    let mut workers = slots.into_iter().map(|slot| match slot.into_inner() {
        Ok(w) => w.hist,
        Err(poisoned) => poisoned.into_inner().hist,
    });
    let mut hist = workers
        .next()
        .unwrap_or_else(|| Histograms::new(n_strat, years, sim.household.is_some()));
    for h in workers {
        hist.merge(&h);
    }
    let mut total = ChunkSums::new(n_strat, years);
    for sums in &chunk_sums {
        total.merge(sums);
    }
    let labels = if labelled {
        (0..paths)
            .map(|p| {
                sim.market
                    .path_label(p, sim.cash_flows.retirement_step as usize)
                    .unwrap_or_default()
            })
            .collect()
    } else {
        Vec::new()
    };
    let mut results = summarize(
        sim,
        paths,
        &terminal_real,
        &terminal_nominal,
        &hist,
        &total,
        labels,
    );
    if labelled {
        results.success_by_path = (0..n_strat)
            .map(|s| {
                succeeded
                    .iter()
                    .skip(s)
                    .step_by(n_strat.max(1))
                    .copied()
                    .collect()
            })
            .collect();
    }
    results
}

#[cfg(test)]
mod batch_tests;
#[cfg(test)]
mod household_tests;
#[cfg(test)]
mod tests;
