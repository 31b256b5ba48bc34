//! The hard workload (scenarios/bench-hard.toml, the same as ../shared/bench/numpy_ref.py):
//! 10,000 paths x 480 monthly steps x 3 assets x 4 strategies; the random-number floor of
//! that workload (its variates alone, same generator and method, same chunks and threads);
//! the same workload with accounts, lots and taxes (scenarios/bench-hard-taxed.toml);
//! one path; one step's worth of cash-flow and rebalancing arithmetic; and a Decimal lot
//! sale over 500 lots (`driftlab plan`). Run with `cargo bench`; compare with NumPy with
//! `bash benches/compare_numpy.sh`. Figures are in BENCHMARKS.md.

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use driftlab::engine::{
    CHUNK_PATHS, Simulation, path_rng, run, run_path_by_path, simulate_one_path,
};
use driftlab::market::{DrawScratch, StepReturns};
use driftlab::plan::Date;
use driftlab::plan::holdings::Lot;
use driftlab::plan::lots::{Candidate, order, sell};
use driftlab::plan::money::Rounding;
use driftlab::plan::tax::Rates;
use driftlab::portfolio::{Holdings, TargetAllocation};
use driftlab::rebalance::{
    CashFlowRouting, ThresholdBand, band_breached, contribute, to_target, withdraw,
};
use rayon::prelude::*;
use rust_decimal::Decimal;
use std::hint::black_box;
use std::path::Path;

fn scenario(file: &str) -> Simulation {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("scenarios")
        .join(file);
    driftlab::scenario::load(&path)
        .expect("shipped benchmark scenarios are valid")
        .simulation
}

fn bench_hard() -> Simulation {
    scenario("bench-hard.toml")
}

/// The workload's random variates alone: every path's generator, 3 normals, the Cholesky
/// product and 3 `exp`s per path-month, through the engine's own `MarketModel::fill_path`,
/// in the engine's chunks on the same threads. Nothing is simulated.
pub fn draw_only(sim: &Simulation) -> f64 {
    let paths = sim.path_count();
    let steps = sim.steps() as usize;
    (0..paths.div_ceil(CHUNK_PATHS))
        .into_par_iter()
        .map(|chunk| {
            let mut buf = vec![StepReturns::default(); steps];
            let mut scratch = DrawScratch::default();
            let mut acc = 0.0;
            for path in chunk * CHUNK_PATHS..((chunk + 1) * CHUNK_PATHS).min(paths) {
                let mut rng = path_rng(sim.seed, path);
                sim.market.fill_path(path, &mut rng, &mut buf, &mut scratch);
                acc += buf[steps - 1].gross[0];
            }
            acc
        })
        .sum()
}

fn full_workload(c: &mut Criterion) {
    let sim = bench_hard();
    let mut g = c.benchmark_group("hard_workload");
    g.sample_size(10);
    let path_steps = (sim.paths as u64) * u64::from(sim.steps()) * sim.strategies.len() as u64;
    g.throughput(Throughput::Elements(path_steps));
    // The floor first and then the workload, in the same run (BENCHMARKS.md reports the
    // ratio).
    g.bench_function("rng_floor_10k_paths_draws_only", |b| {
        b.iter(|| black_box(draw_only(&sim)))
    });
    g.bench_function("10k_paths_40y_monthly_4_strategies", |b| {
        b.iter(|| black_box(run(&sim, &|_| {})))
    });
    // The same through the path-by-path engine (what `run` uses for households, income,
    // reserves and life tables; the lockstep kernel gives the same bits).
    g.bench_function("path_by_path_10k_paths_40y_monthly_4_strategies", |b| {
        b.iter(|| black_box(run_path_by_path(&sim, &|_| {})))
    });
    // Issue #9's taxed variant: the same market, strategies and cash flows with a
    // household's accounts, lots and yearly taxes (scenarios/bench-hard-taxed.toml).
    let taxed = scenario("bench-hard-taxed.toml");
    g.bench_function("taxed_10k_paths_40y_monthly_4_strategies", |b| {
        b.iter(|| black_box(run(&taxed, &|_| {})))
    });
    g.finish();
}

fn one_path(c: &mut Criterion) {
    let sim = bench_hard();
    c.bench_function("one_path_480_steps_4_strategies", |b| {
        let mut p = 0;
        b.iter(|| {
            p += 1;
            black_box(simulate_one_path(&sim, p))
        })
    });
}

fn one_step(c: &mut Criterion) {
    let target = TargetAllocation::new(&[0.42, 0.18, 0.40]).unwrap();
    let band = ThresholdBand::Absolute(0.05);
    c.bench_function("step_cash_flows_band_check_rebalance", |b| {
        b.iter(|| {
            let mut h = Holdings::from_values(&[260_000.0, 80_000.0, 160_000.0]);
            contribute(
                &mut h,
                black_box(2_000.0),
                &target,
                CashFlowRouting::MostOffTarget,
            );
            withdraw(
                &mut h,
                black_box(1_500.0),
                &target,
                CashFlowRouting::MostOffTarget,
            );
            if band_breached(&h, &target, band) {
                black_box(to_target(&mut h, &target));
            }
            black_box(h)
        })
    });
}

/// A sale across 500 taxable lots: order them by estimated tax, then sell $600,000 (most
/// of them, with one partial lot), all in `Decimal` cents.
fn lot_sale(c: &mut Criterion) {
    let start = Date::parse("2015-01-02").unwrap();
    let lots: Vec<Lot> = (0..500)
        .map(|i| {
            let amount = Decimal::new(100_000 + (i as i64 * 7_919) % 400_000, 2) * Decimal::TEN;
            // Gains and losses: basis from 60% to 130% of the value.
            let basis_pct = Decimal::new(60 + (i as i64 * 37) % 71, 2);
            Lot::new(
                i,
                0,
                start.add_days((i as i64 * 13) % 4_000),
                amount,
                (amount * basis_pct).round_dp(2),
            )
        })
        .collect();
    let rates = Rates {
        ordinary: Some(Decimal::new(32, 2)),
        long_term: Some(Decimal::new(15, 2)),
        source: "bench".into(),
    };
    let date = Date::parse("2026-11-23").unwrap();
    let amount = Decimal::new(60_000_000, 2); // $600,000.00
    c.bench_function("lot_sale_500_lots_decimal", |b| {
        b.iter(|| {
            let cands: Vec<Candidate> = lots
                .iter()
                .map(|lot| Candidate { account: 0, lot })
                .collect();
            let ordered = order(cands, date, &rates);
            black_box(sell(&ordered, black_box(amount), date, Rounding::HalfEven))
        })
    });
}

criterion_group!(benches, full_workload, one_path, one_step, lot_sale);
criterion_main!(benches);
