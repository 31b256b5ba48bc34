//! The hard workload (scenarios/bench-hard.toml, the same as ../shared/bench/numpy_ref.py):
//! 10,000 paths x 480 monthly steps x 3 assets x 4 strategies, plus one path and one step's
//! worth of rebalancing arithmetic. Run with `cargo bench`; compare with NumPy with
//! `bash benches/compare_numpy.sh`.

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use driftlab::engine::{Simulation, run, simulate_one_path};
use driftlab::portfolio::{Holdings, TargetAllocation};
use driftlab::rebalance::{
    CashFlowRouting, ThresholdBand, band_breached, contribute, to_target, withdraw,
};
use std::hint::black_box;
use std::path::Path;

fn bench_hard() -> Simulation {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/bench-hard.toml");
    driftlab::scenario::load(&path)
        .expect("bench-hard.toml is valid")
        .simulation
}

fn full_workload(c: &mut Criterion) {
    let sim = bench_hard();
    let mut g = c.benchmark_group("hard_workload");
    g.sample_size(10);
    let path_steps = (sim.paths as u64) * u64::from(sim.steps()) * sim.strategies.len() as u64;
    g.throughput(Throughput::Elements(path_steps));
    g.bench_function("10k_paths_40y_monthly_4_strategies", |b| {
        b.iter(|| black_box(run(&sim, &|_| {})))
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

criterion_group!(benches, full_workload, one_path, one_step);
criterion_main!(benches);
