use super::*;
use crate::cashflow::WithdrawalTiming;
use crate::history::{Dataset, HistoricalReturns, SeriesId};
use crate::market::{HistoricalMode, HistoricalPaths, Parametric, Shocks};
use crate::rebalance::{Calendar, CashFlowRouting, RebalanceRule, RebalanceTo, ThresholdBand};
use crate::strategy::Strategy;
use crate::withdrawal::{FirstWithdrawal, WithdrawalRule};

fn strategy(name: &str, rule: RebalanceRule) -> Strategy {
    Strategy::rebalancing(name, rule)
}

fn constant_rate(rate: f64) -> WithdrawalRule {
    WithdrawalRule::Constant {
        first: FirstWithdrawal::Rate(rate),
        inflation_adjusted: true,
    }
}

/// Fills the fields a test does not care about.
#[allow(clippy::too_many_arguments)]
fn simulation(
    market: MarketModel,
    target: TargetAllocation,
    initial: f64,
    steps_per_year: u32,
    years: u32,
    cash_flows: CashFlowPlan,
    strategies: Vec<Strategy>,
    paths: usize,
) -> Simulation {
    let mut sim = Simulation {
        name: "test".into(),
        asset_names: (0..target.len()).map(|i| format!("asset{i}")).collect(),
        target,
        initial: Holdings::at_weights(initial, target.weights()),
        market,
        steps_per_year,
        years,
        cash_flows,
        strategies,
        paths,
        seed: 42,
        baseline: 0,
        income: Vec::new(),
        start_age: None,
        stresses: Vec::new(),
        mortality: None,
        household: None,
        fee_factors: vec![],
        targets: vec![],
        reserve_growth: vec![],
    };
    sim.refresh();
    sim
}

fn all_strategies() -> Vec<Strategy> {
    let band = ThresholdBand::Absolute(0.05);
    vec![
        strategy("annual", RebalanceRule::Calendar(Calendar::Annual)),
        strategy("none", RebalanceRule::Never),
        strategy(
            "band",
            RebalanceRule::Threshold {
                band,
                check: None,
                to: RebalanceTo::Target,
            },
        ),
        strategy(
            "hybrid-edge",
            RebalanceRule::Threshold {
                band,
                check: Some(Calendar::Quarterly),
                to: RebalanceTo::BandEdge,
            },
        ),
        Strategy {
            contributions: CashFlowRouting::TowardTarget,
            withdrawals: CashFlowRouting::MostOffTarget,
            ..Strategy::rebalancing("flows", RebalanceRule::Never)
        },
    ]
}

/// 60/40 parametric, monthly, contributions for 10 years then 4% withdrawals.
pub(crate) fn sample_simulation(paths: usize) -> Simulation {
    let market = Parametric::from_arithmetic(
        &[0.07, 0.03],
        &[0.17, 0.06],
        &[vec![1.0, 0.1], vec![0.1, 1.0]],
        0.025,
        0.01,
        12,
        Shocks::Normal,
    )
    .unwrap();
    let target = TargetAllocation::new(&[0.6, 0.4]).unwrap();
    let cash_flows = CashFlowPlan {
        contribution_per_year: 24_000.0,
        contribution_growth: 0.03,
        retirement_step: 120,
        withdrawal: constant_rate(0.045),
        expense_ratios: vec![0.0005, 0.001],
        withdrawal_timing: WithdrawalTiming::Start,
    };
    simulation(
        MarketModel::Parametric(market),
        target,
        500_000.0,
        12,
        40,
        cash_flows,
        all_strategies(),
        paths,
    )
}

#[test]
fn money_is_conserved_on_every_path_and_strategy() {
    let sim = sample_simulation(50);
    for path in 0..50 {
        for (s, o) in simulate_one_path(&sim, path).iter().enumerate() {
            let lhs = sim.initial.total() + o.contributions + o.market_gains;
            let rhs = o.terminal_nominal + o.withdrawals + o.fees;
            assert!(
                (lhs - rhs).abs() <= 1e-9 * lhs.abs().max(1.0),
                "path {path} strategy {s}: {lhs} vs {rhs}"
            );
            assert!(o.terminal_nominal >= 0.0);
            assert!(o.fees > 0.0 || o.failed);
        }
    }
}

#[test]
fn annual_calendar_rebalances_exactly_once_a_year() {
    let mut sim = sample_simulation(1);
    sim.cash_flows.withdrawal = WithdrawalRule::None;
    for path in 0..20 {
        let out = simulate_one_path(&sim, path);
        assert_eq!(out[0].rebalances, 40, "annual");
        assert_eq!(out[1].rebalances, 0, "none never trades");
        assert_eq!(out[4].rebalances, 0, "cash-flow routing never sells");
        // Quarterly looks can trade at most 4 times a year.
        assert!(out[3].rebalances <= 160);
    }
}

#[test]
fn results_are_identical_at_any_thread_count() {
    let sim = sample_simulation(700); // 3 chunks, the last one partial
    let run_with = |threads| {
        rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .unwrap()
            .install(|| run(&sim, &|_| {}))
    };
    let one = run_with(1);
    assert_eq!(one, run_with(2));
    assert_eq!(one, run_with(3));
    assert_eq!(one.paths, 700);
    // A path does not depend on how many paths run beside it.
    let mut small = sim.clone();
    small.paths = 10;
    assert_eq!(simulate_one_path(&small, 7), simulate_one_path(&sim, 7));
}

#[test]
fn progress_counts_every_path() {
    let sim = sample_simulation(300);
    let done = std::sync::atomic::AtomicU64::new(0);
    run(&sim, &|n| {
        done.fetch_add(n, std::sync::atomic::Ordering::Relaxed);
    });
    assert_eq!(done.into_inner(), 300);
}

/// Annual historical "data": the given stock returns, constant bond returns and inflation,
/// replayed as rolling windows (stocks asset 0, bonds asset 1).
fn toy_market(stocks: Vec<f64>, bond_return: f64, inflation: f64) -> MarketModel {
    let len = stocks.len();
    let data = HistoricalReturns {
        dataset: Dataset::Damodaran,
        steps_per_year: 1,
        first_year: 1990,
        first_month: 1,
        series: vec![
            (SeriesId::UsStocks, stocks),
            (SeriesId::Tbonds10y, vec![bond_return; len]),
        ],
        inflation: vec![inflation; len],
    };
    let paths = HistoricalPaths::new(
        &data,
        &[SeriesId::UsStocks, SeriesId::Tbonds10y],
        HistoricalMode::Rolling,
    );
    MarketModel::Historical(paths.expect("toy data maps to both series"))
}

/// Two assets, annual steps: stocks +20% then -10% forever; bonds +2%; no inflation.
fn toy_rolling(len: usize, years: u32, rule: RebalanceRule) -> Simulation {
    let market = toy_market(
        (0..len)
            .map(|k| if k % 2 == 0 { 0.2 } else { -0.1 })
            .collect(),
        0.02,
        0.0,
    );
    let target = TargetAllocation::new(&[0.6, 0.4]).unwrap();
    simulation(
        market,
        target,
        100.0,
        1,
        years,
        CashFlowPlan::none(2),
        vec![strategy("s", rule)],
        1,
    )
}

#[test]
fn hand_computed_two_year_path() {
    // Year 1: 60*1.2 = 72, 40*1.02 = 40.8 -> 112.8, rebalanced to 67.68/45.12.
    // Year 2: 67.68*0.9 = 60.912, 45.12*1.02 = 46.0224 -> 106.9344.
    let sim = toy_rolling(4, 2, RebalanceRule::Calendar(Calendar::Annual));
    assert_eq!(sim.path_count(), 3);
    let o = simulate_one_path(&sim, 0)[0];
    assert!((o.terminal_nominal - 106.9344).abs() < 1e-9);
    assert_eq!(o.rebalances, 2);
    // Traded in year 1: stocks 72 -> 67.68 (4.32 sold), bonds bought 4.32.
    let y1 = 2.0 * 4.32;
    // Year 2: 60.912 -> 64.16064 bought, bonds 46.0224 -> 42.77376 sold.
    let y2 = 2.0 * (106.9344 * 0.6 - 60.912);
    assert!((o.dollars_traded - (y1 + y2)).abs() < 1e-9);
    // Path 1 starts in 1991 with the -10% year.
    let o1 = simulate_one_path(&sim, 1)[0];
    let y1 = 60.0 * 0.9 + 40.0 * 1.02;
    let expected = y1 * 0.6 * 1.2 + y1 * 0.4 * 1.02;
    assert!((o1.terminal_nominal - expected).abs() < 1e-9);
    assert_eq!(sim.market.path_label(1, 0).as_deref(), Some("1991"));
}

#[test]
fn a_withdrawal_larger_than_the_portfolio_fails_the_path() {
    let mut sim = toy_rolling(10, 10, RebalanceRule::Never);
    sim.cash_flows.withdrawal = WithdrawalRule::Constant {
        first: FirstWithdrawal::Real(30.0),
        inflation_adjusted: true,
    };
    let o = simulate_one_path(&sim, 0)[0];
    assert!(o.failed);
    assert_eq!(o.terminal_nominal, 0.0);
    assert_eq!(o.max_drawdown, 1.0);
    // It failed in the year the $30 could no longer be paid, having paid out all it had.
    let step = o.failed_at_step.unwrap() as usize;
    assert!((3..10).contains(&step));
    assert!(
        (o.withdrawals - (30.0 * step as f64 + (100.0 + o.market_gains - 30.0 * step as f64)))
            .abs()
            < 1e-9
    );
}

#[test]
fn zero_start_balance_and_zero_volatility_complete() {
    let mut sim = sample_simulation(20);
    sim.initial = Holdings::at_weights(0.0, sim.target.weights());
    let r = run(&sim, &|_| {});
    assert_eq!(r.paths, 20);
    assert!(
        r.strategies
            .iter()
            .all(|s| s.terminal_nominal.p50.is_finite())
    );
}

mod property_tests {
    use super::*;
    use proptest::prelude::{
        Just, ProptestConfig, prop_assert, prop_assert_eq, prop_oneof, proptest,
    };
    use proptest::strategy::Strategy as Gen;

    fn rule_strategy() -> impl Gen<Value = Strategy> {
        let calendar = prop_oneof![
            Just(Calendar::Monthly),
            Just(Calendar::Quarterly),
            Just(Calendar::SemiAnnual),
            Just(Calendar::Annual)
        ];
        let band = prop_oneof![
            (0.01f64..0.2).prop_map(ThresholdBand::Absolute),
            (0.05f64..0.5).prop_map(ThresholdBand::Relative),
            (0.01f64..0.2, 0.05f64..0.5).prop_map(|(absolute, relative)| {
                ThresholdBand::FiveTwentyFive { absolute, relative }
            }),
        ];
        let to = prop_oneof![Just(RebalanceTo::Target), Just(RebalanceTo::BandEdge)];
        let rule = prop_oneof![
            Just(RebalanceRule::Never),
            calendar.clone().prop_map(RebalanceRule::Calendar),
            (band, proptest::option::of(calendar), to)
                .prop_map(|(band, check, to)| RebalanceRule::Threshold { band, check, to }),
        ];
        let routing = || {
            prop_oneof![
                Just(CashFlowRouting::ProRata),
                Just(CashFlowRouting::MostOffTarget),
                Just(CashFlowRouting::TowardTarget)
            ]
        };
        (rule, routing(), routing()).prop_map(|(rule, contributions, withdrawals)| Strategy {
            contributions,
            withdrawals,
            ..Strategy::rebalancing("p", rule)
        })
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(64))]

        /// Random markets (including -100% months), strategies, cash flows, step lengths and
        /// withdrawal timings: money is conserved, nothing goes negative, fees are
        /// non-negative.
        #[test]
        fn prop_money_conserved_and_nothing_negative(
            returns in proptest::collection::vec((-1.0f64..1.5, -0.3f64..0.3, -0.02f64..0.05), 24..60),
            strategies in proptest::collection::vec(rule_strategy(), 1..4),
            weights in (0.0f64..1.0),
            initial in 0.0f64..2e6,
            contribution in 0.0f64..50_000.0,
            rate in 0.0f64..0.2,
            retire in 0u32..3,
            timing in 0usize..4,
            annual in proptest::bool::ANY,
        ) {
            let len = returns.len();
            // Annual steps make the withdrawal timings differ most (monthly timing is start
            // timing with monthly steps).
            let spy = if annual { 1 } else { 12 };
            let data = HistoricalReturns {
                dataset: if annual { Dataset::Damodaran } else { Dataset::Shiller },
                steps_per_year: spy,
                first_year: 1900,
                first_month: 1,
                series: vec![
                    (SeriesId::UsStocks, returns.iter().map(|r| r.0).collect()),
                    (SeriesId::Tbonds10y, returns.iter().map(|r| r.1).collect()),
                ],
                inflation: returns.iter().map(|r| r.2).collect(),
            };
            let market = HistoricalPaths::new(&data, &[SeriesId::UsStocks, SeriesId::Tbonds10y], HistoricalMode::Rolling).unwrap();
            let target = TargetAllocation::new(&[weights, 1.0 - weights]).unwrap();
            let years = (len / spy as usize) as u32;
            let cash_flows = CashFlowPlan {
                contribution_per_year: contribution,
                contribution_growth: 0.02,
                retirement_step: retire.min(years) * spy,
                withdrawal: constant_rate(rate),
                expense_ratios: vec![0.001, 0.002],
                withdrawal_timing: [
                    WithdrawalTiming::Start,
                    WithdrawalTiming::Monthly,
                    WithdrawalTiming::End,
                    WithdrawalTiming::EndReal,
                ][timing],
            };
            let mut sim = simulation(MarketModel::Historical(market), target, initial, spy, years, cash_flows, strategies, 1);
            sim.initial = Holdings::at_weights(initial, &[0.5, 0.5]);
            for path in 0..sim.path_count() {
                for o in simulate_one_path(&sim, path) {
                    let lhs = sim.initial.total() + o.contributions + o.market_gains;
                    let rhs = o.terminal_nominal + o.withdrawals + o.fees;
                    prop_assert!((lhs - rhs).abs() <= 1e-9 * lhs.abs().max(rhs.abs()).max(1.0), "{lhs} vs {rhs}");
                    prop_assert!(o.terminal_nominal >= 0.0 && o.fees >= 0.0 && o.withdrawals >= 0.0);
                    prop_assert!(o.max_drawdown >= 0.0 && o.max_drawdown <= 1.0);
                    prop_assert_eq!(o.failed, o.failed_at_step.is_some());
                }
            }
        }
    }
}

#[test]
fn reversed_sequence_changes_the_outcome_only_with_withdrawals() {
    use crate::stress::Stress;
    // 20 annual returns with a crash early and a boom late; reversing keeps the average.
    let len = 20;
    let stocks: Vec<f64> = (0..len)
        .map(|k| {
            if k < 3 {
                -0.25
            } else if k > 16 {
                0.35
            } else {
                0.07
            }
        })
        .collect();
    let market = toy_market(stocks, 0.03, 0.02);
    let target = TargetAllocation::new(&[0.6, 0.4]).unwrap();
    let strategies = vec![
        strategy("annual", RebalanceRule::Calendar(Calendar::Annual)),
        strategy("never", RebalanceRule::Never),
    ];
    let mut sim = simulation(
        market,
        target,
        1_000_000.0,
        1,
        20,
        CashFlowPlan::none(2),
        strategies,
        1,
    );
    let reverse = Stress::Reverse;

    // Without cash flows the order of returns does not matter.
    let base = simulate_one_path_stressed(&sim, 0, &mut NoSink, None);
    let rev = simulate_one_path_stressed(&sim, 0, &mut NoSink, Some(&reverse));
    for (a, b) in base.iter().zip(&rev) {
        assert!(
            (a.terminal_nominal / b.terminal_nominal - 1.0).abs() < 1e-12,
            "{} vs {}",
            a.terminal_nominal,
            b.terminal_nominal
        );
    }

    // With 6% inflation-adjusted withdrawals, crashing first is far worse than last.
    sim.cash_flows.withdrawal = constant_rate(0.06);
    sim.refresh();
    let base = simulate_one_path_stressed(&sim, 0, &mut NoSink, None);
    let rev = simulate_one_path_stressed(&sim, 0, &mut NoSink, Some(&reverse));
    for (a, b) in base.iter().zip(&rev) {
        assert!(
            a.terminal_real < 0.8 * b.terminal_real,
            "crash-first {} vs crash-last {}",
            a.terminal_real,
            b.terminal_real
        );
    }
}

#[test]
fn glide_path_reserve_and_income_keep_money_conserved() {
    use crate::glide::GlidePath;
    use crate::income::IncomeStream;
    use crate::strategy::{CashReserve, Refill};
    use crate::withdrawal::Guardrails;
    let mut sim = sample_simulation(20);
    let from = TargetAllocation::new(&[0.9, 0.1]).unwrap();
    sim.strategies[1].glide = Some(GlidePath::gradual_return(from, sim.target, 36));
    sim.strategies[2].reserve = Some(CashReserve {
        years: 2.0,
        refill: Refill::AfterGains,
        rate: 0.02,
    });
    sim.strategies[3].withdrawal_rule =
        Some(WithdrawalRule::Guardrails(Guardrails::classic(0.055)));
    sim.strategies[4].withdrawal_rule = Some(WithdrawalRule::Constant {
        first: FirstWithdrawal::Real(45_000.0),
        inflation_adjusted: true,
    });
    sim.income = vec![IncomeStream {
        name: "ss".into(),
        start_step: 150,
        annual: 24_000.0,
        indexed: true,
        social_security: true,
    }];
    sim.refresh();
    for path in 0..20 {
        for (s, o) in simulate_one_path(&sim, path).iter().enumerate() {
            let lhs = sim.initial.total() + o.contributions + o.market_gains;
            let rhs = o.terminal_nominal + o.withdrawals + o.fees;
            assert!(
                (lhs - rhs).abs() <= 1e-9 * lhs.abs().max(1.0),
                "path {path} strategy {s}: {lhs} vs {rhs}"
            );
            // Spending counts income too, so it is at least what the portfolio paid in real terms
            // (deflated by at most the final price level).
            assert!(o.spending_real > 0.0);
            assert!(o.first_decade_real_return.is_some());
        }
    }
    // The glide path starts at 90/10: the first year's target differs from the base target.
    assert!((sim.target_at(1, 0).weights()[0] - 0.9).abs() < 1e-12);
    assert!((sim.target_at(1, 36).weights()[0] - 0.6).abs() < 1e-12);
    // Income offsets the need: the portfolio pays less than the need once Social Security starts.
    let r = run(&sim, &|_| {});
    assert!(r.retirement[4].spending_real_per_year_mean > 0.0);
    assert!(
        r.retirement
            .iter()
            .all(|x| x.first_decade_r2.is_some_and(|v| (0.0..=1.0).contains(&v)))
    );
}

#[test]
fn spending_per_year_counts_only_years_lived() {
    // A fixed real withdrawal of $40,000 from the start, flat market, no inflation: every
    // year lived pays exactly $40,000, so the mean per year lived is $40,000 with or without
    // a life table (dividing by the horizon would show less once people die).
    let market =
        Parametric::from_arithmetic(&[0.0], &[0.0], &[vec![1.0]], 0.0, 0.0, 12, Shocks::Normal)
            .unwrap();
    let target = TargetAllocation::new(&[1.0]).unwrap();
    let cash_flows = CashFlowPlan {
        withdrawal: WithdrawalRule::Constant {
            first: FirstWithdrawal::Real(40_000.0),
            inflation_adjusted: true,
        },
        ..CashFlowPlan::none(1)
    };
    let mut sim = simulation(
        MarketModel::Parametric(market),
        target,
        5_000_000.0,
        12,
        40,
        cash_flows,
        vec![strategy("hold", RebalanceRule::Never)],
        300,
    );
    sim.start_age = Some(70);
    sim.mortality = Some(crate::mortality::tests::synthetic());
    sim.refresh();
    let r = run(&sim, &|_| {});
    assert!((r.retirement[0].spending_real_per_year_mean - 40_000.0).abs() < 1e-6);
}

/// One asset pair growing 10% a year (both assets, so the mix does not matter), 3%
/// inflation, $100,000 and a 4% inflation-adjusted withdrawal, two annual steps.
fn flat_ten_percent(timing: WithdrawalTiming) -> Simulation {
    let mut sim = simulation(
        toy_market(vec![0.10; 2], 0.10, 0.03),
        TargetAllocation::new(&[0.6, 0.4]).unwrap(),
        100_000.0,
        1,
        2,
        CashFlowPlan {
            withdrawal: constant_rate(0.04),
            withdrawal_timing: timing,
            ..CashFlowPlan::none(2)
        },
        vec![strategy(
            "annual",
            RebalanceRule::Calendar(Calendar::Annual),
        )],
        1,
    );
    sim.refresh();
    sim
}

#[test]
fn withdrawal_timing_by_hand() {
    // The year's amount is set on the anniversary: $4,000, then $4,120 (3% inflation).
    let expect = |timing, terminal: f64, withdrawn: f64| {
        let o = simulate_one_path(&flat_ten_percent(timing), 0)[0];
        assert!(!o.failed, "{timing:?}");
        assert!(
            (o.terminal_nominal - terminal).abs() < 1e-6,
            "{timing:?}: {} vs {terminal}",
            o.terminal_nominal
        );
        assert!((o.withdrawals - withdrawn).abs() < 1e-9, "{timing:?}");
        // The money identity holds with every timing.
        let lhs = 100_000.0 + o.contributions + o.market_gains;
        let rhs = o.terminal_nominal + o.withdrawals + o.fees;
        assert!((lhs - rhs).abs() < 1e-9, "{timing:?}: {lhs} vs {rhs}");
        o
    };
    // Start: (100,000 - 4,000) x 1.1 = 105,600; (105,600 - 4,120) x 1.1 = 111,628.
    expect(WithdrawalTiming::Start, 111_628.0, 8_120.0);
    // Monthly: a twelfth at the start of each month while 10% a year accrues evenly, so the
    // k-th part (k = 0..11) would have grown by 1.1^((12-k)/12) by the year end:
    // S = sum_{j=1..12} 1.1^(j/12) = 12.640536612263757,
    // year 1: 110,000 - 4,000/12 x S = 105,786.48779591208,
    // year 2: 105,786.48779591208 x 1.1 - 4,120/12 x S = 112,025.21900529273.
    let o = expect(WithdrawalTiming::Monthly, 112_025.219_005_292_73, 8_120.0);
    // The withdrawals paid later earned 1.1^(j/12) - 1 each: 8,120 / 12 x (S - 12) more than
    // with start-of-year withdrawals, on top of the start case's gains.
    let start = simulate_one_path(&flat_ten_percent(WithdrawalTiming::Start), 0)[0];
    assert!(o.market_gains > start.market_gains);
    // End: 110,000 - 4,000 = 106,000; 106,000 x 1.1 - 4,120 = 112,480.
    expect(WithdrawalTiming::End, 112_480.0, 8_120.0);
    // End, real: the amounts carried to the year-end price level, 4,000 x 1.03 = 4,120 and
    // 4,000 x 1.03^2 = 4,243.60: 110,000 - 4,120 = 105,880; 105,880 x 1.1 - 4,243.6 =
    // 112,224.40.
    expect(WithdrawalTiming::EndReal, 112_224.4, 8_363.6);
}

#[test]
fn monthly_timing_equals_monthly_payments_also_at_ruin() {
    // One year, $100 at +10%, a need of $X paid a twelfth at the start of each month. Month
    // by month, the payments run out exactly when X/12 x sum_{k<12} 1.1^(-k/12) > 100, which
    // lies between X = 104.4 (99.975) and X = 104.5 (100.071).
    for need in [60.0, 104.0, 104.4, 104.5, 105.0, 130.0] {
        let mut sim = flat_ten_percent(WithdrawalTiming::Monthly);
        sim.years = 1;
        sim.market = toy_market(vec![0.10; 1], 0.10, 0.0);
        sim.initial = Holdings::at_weights(100.0, &[0.6, 0.4]);
        sim.cash_flows.withdrawal = WithdrawalRule::Constant {
            first: FirstWithdrawal::Real(need),
            inflation_adjusted: true,
        };
        sim.refresh();
        let o = simulate_one_path(&sim, 0)[0];
        let (mut w, mut failed) = (100.0_f64, false);
        for _ in 0..12 {
            if w < need / 12.0 {
                failed = true;
                break;
            }
            w = (w - need / 12.0) * 1.1_f64.powf(1.0 / 12.0);
        }
        assert_eq!(o.failed, failed, "need {need}");
        if failed {
            // What was left is paid out at once, as with start-of-step withdrawals.
            assert_eq!(o.terminal_nominal, 0.0);
            assert!((o.withdrawals - 100.0).abs() < 1e-12, "need {need}");
        } else {
            assert!((o.terminal_nominal - w).abs() < 1e-9, "need {need}");
            assert!((o.withdrawals - need).abs() < 1e-12);
        }
        assert_eq!(failed, need >= 104.5, "need {need}");
    }
}

#[test]
fn monthly_timing_with_monthly_steps_is_start_timing() {
    let mut a = sample_simulation(8);
    let mut b = sample_simulation(8);
    a.cash_flows.withdrawal_timing = WithdrawalTiming::Start;
    b.cash_flows.withdrawal_timing = WithdrawalTiming::Monthly;
    a.refresh();
    b.refresh();
    for path in 0..8 {
        assert_eq!(simulate_one_path(&a, path), simulate_one_path(&b, path));
    }
}

/// `sample_simulation` with annual steps, a cash reserve, income offsetting a spending need,
/// guardrails and a glide path on some strategies: everything a withdrawal timing touches.
fn annual_sample_with_every_feature(timing: WithdrawalTiming) -> Simulation {
    use crate::glide::GlidePath;
    use crate::income::IncomeStream;
    use crate::strategy::{CashReserve, Refill};
    use crate::withdrawal::Guardrails;
    let market = Parametric::from_arithmetic(
        &[0.07, 0.03],
        &[0.17, 0.06],
        &[vec![1.0, 0.1], vec![0.1, 1.0]],
        0.025,
        0.01,
        1,
        Shocks::Normal,
    )
    .unwrap();
    let mut sim = sample_simulation(40);
    sim.market = MarketModel::Parametric(market);
    sim.steps_per_year = 1;
    sim.cash_flows.retirement_step = 10;
    sim.cash_flows.withdrawal_timing = timing;
    let from = TargetAllocation::new(&[0.9, 0.1]).unwrap();
    sim.strategies[1].glide = Some(GlidePath::gradual_return(from, sim.target, 5));
    sim.strategies[2].reserve = Some(CashReserve {
        years: 2.0,
        refill: Refill::AfterGains,
        rate: 0.02,
    });
    sim.strategies[3].withdrawal_rule =
        Some(WithdrawalRule::Guardrails(Guardrails::classic(0.055)));
    sim.strategies[4].withdrawal_rule = Some(WithdrawalRule::Constant {
        first: FirstWithdrawal::Real(45_000.0),
        inflation_adjusted: true,
    });
    sim.strategies[4].reserve = Some(CashReserve {
        years: 0.5,
        refill: Refill::Always,
        rate: 0.04,
    });
    sim.income = vec![IncomeStream {
        name: "ss".into(),
        start_step: 15,
        annual: 24_000.0,
        indexed: true,
        social_security: true,
    }];
    sim.refresh();
    sim
}

#[test]
fn money_is_conserved_with_every_withdrawal_timing() {
    let mut failures = [0usize; 4];
    for (t, timing) in [
        WithdrawalTiming::Start,
        WithdrawalTiming::Monthly,
        WithdrawalTiming::End,
        WithdrawalTiming::EndReal,
    ]
    .into_iter()
    .enumerate()
    {
        let sim = annual_sample_with_every_feature(timing);
        for path in 0..40 {
            for (s, o) in simulate_one_path(&sim, path).iter().enumerate() {
                let lhs = sim.initial.total() + o.contributions + o.market_gains;
                let rhs = o.terminal_nominal + o.withdrawals + o.fees;
                assert!(
                    (lhs - rhs).abs() <= 1e-9 * lhs.abs().max(1.0),
                    "{timing:?} path {path} strategy {s}: {lhs} vs {rhs}"
                );
                assert!(o.terminal_nominal >= 0.0 && o.withdrawals >= 0.0);
                assert!(o.spending_real > 0.0);
                failures[t] += usize::from(o.failed);
            }
        }
    }
    // Some paths fail (so the ruin branches ran), and later withdrawals fail less often.
    assert!(failures[0] > 0, "{failures:?}");
    assert!(
        failures[0] >= failures[1] && failures[1] >= failures[2],
        "{failures:?}"
    );
}
