//! One path: every strategy stepped through the same returns (common random numbers).
//!
//! Order within a step (the same for every strategy):
//! 1. the market draws the step's returns and inflation;
//! 2. cash flow at the start of the step: a contribution before retirement, a withdrawal
//!    after (a withdrawal larger than the portfolio fails the path: what is left is paid out
//!    and the portfolio stays at zero);
//! 3. returns, then fees (expense ratio / steps per year);
//! 4. the rebalancing rule looks, if this step ends one of its periods;
//! 5. at a year end, wealth is recorded for the per-year percentile bands.

use super::Simulation;
use crate::market::StepReturns;
use crate::portfolio::Holdings;
use crate::rebalance::{self, apply_rule};
use rand::Rng;

/// What one strategy did on one path. Money identity, per path:
/// `initial + contributions + market_gains = terminal_nominal + withdrawals + fees`.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct PathOutcome {
    /// Missed (part of) a withdrawal.
    pub failed: bool,
    /// Step at which the path failed.
    pub failed_at_step: Option<u32>,
    pub terminal_nominal: f64,
    pub terminal_real: f64,
    /// Time-weighted annualised return while the portfolio was alive.
    pub cagr: f64,
    /// Annualised standard deviation of step returns.
    pub volatility: f64,
    /// Largest fall of nominal wealth from a running peak (cash flows included).
    pub max_drawdown: f64,
    pub rebalances: u32,
    pub legs: u32,
    pub dollars_traded: f64,
    /// Sum over rebalancing events of half the dollars traded over wealth.
    pub turnover: f64,
    pub fees: f64,
    pub contributions: f64,
    pub withdrawals: f64,
    /// Dollars earned from returns (before fees).
    pub market_gains: f64,
}

/// Per-strategy state while a path runs.
#[derive(Clone, Copy, Debug)]
pub(crate) struct StrategyState {
    holdings: Holdings,
    /// Nominal withdrawal for the current retirement year.
    annual_withdrawal: f64,
    /// Nominal withdrawal of the first retirement year.
    withdrawal_base: f64,
    peak: f64,
    twr: f64,
    sum_r: f64,
    sum_r2: f64,
    live_steps: u32,
    out: PathOutcome,
}

impl StrategyState {
    pub(crate) fn new(initial: Holdings) -> Self {
        Self {
            holdings: initial,
            annual_withdrawal: 0.0,
            withdrawal_base: 0.0,
            peak: initial.total(),
            twr: 1.0,
            sum_r: 0.0,
            sum_r2: 0.0,
            live_steps: 0,
            out: PathOutcome::default(),
        }
    }
}

/// Receives year-end wealth as the path runs (the aggregation hook; no per-path storage).
pub trait YearEndSink {
    fn record(&mut self, strategy: usize, year: u32, nominal: f64, real: f64, solvent: bool);

    /// Receives a strategy's holdings (nominal dollars per asset, scenario order) at the
    /// end of every step, after rebalancing, while the strategy is solvent. `step` counts
    /// from 1, so the time is `step / steps_per_year` years; the start is `sim.initial`.
    /// Optional: the default ignores it, so the aggregation sink pays nothing. Used to
    /// chart allocation drift on a few re-simulated paths
    /// ([`crate::report::sample_allocation_drift`]).
    fn holdings(&mut self, _strategy: usize, _step: u32, _holdings: &Holdings) {}
}

/// Ignores year-end records (for single-path inspection).
pub struct NoSink;

impl YearEndSink for NoSink {
    fn record(&mut self, _: usize, _: u32, _: f64, _: f64, _: bool) {}
}

/// Runs path `path` for every strategy. `states` is scratch reused across paths (one per
/// strategy); outcomes are written to `out`.
pub(crate) fn simulate_path<R: Rng + ?Sized, S: YearEndSink>(
    sim: &Simulation,
    path: usize,
    rng: &mut R,
    states: &mut [StrategyState],
    sink: &mut S,
    out: &mut [PathOutcome],
) {
    let spy = sim.steps_per_year;
    let steps = sim.steps();
    let target = &sim.target;
    let plan = &sim.cash_flows;
    let fee = &sim.fee_factors;

    for (s, state) in states.iter_mut().enumerate() {
        *state = StrategyState::new(sim.initial);
        sink.record(s, 0, sim.initial.total(), sim.initial.total(), true);
    }
    let mut cursor = sim.market.start_path(path, rng);
    let mut ret = StepReturns::default();
    let mut cpi = 1.0; // price level relative to the start
    let mut cpi_at_retirement = 1.0;
    let withdrawals = plan.has_withdrawals();

    for step in 0..steps {
        sim.market.next_step(&mut cursor, rng, &mut ret);
        let contribution = plan.contribution_at(step, spy);
        let retired = withdrawals && step >= plan.retirement_step;
        if retired && step == plan.retirement_step {
            cpi_at_retirement = cpi;
        }
        let anniversary = retired && (step - plan.retirement_step) % spy == 0;
        let cpi_end = cpi * ret.inflation_gross;
        let year_end = (step + 1) % spy == 0;

        for (s, st) in states.iter_mut().enumerate() {
            let strategy = &sim.strategies[s];
            if st.out.failed {
                if year_end {
                    sink.record(s, (step + 1) / spy, 0.0, 0.0, false);
                }
                continue;
            }
            // 2. Cash flow.
            if contribution > 0.0 {
                rebalance::contribute(
                    &mut st.holdings,
                    contribution,
                    target,
                    strategy.contributions,
                );
                st.out.contributions += contribution;
            }
            if retired {
                if anniversary {
                    if step == plan.retirement_step {
                        st.withdrawal_base = plan.first_withdrawal(st.holdings.total(), cpi);
                        st.annual_withdrawal = st.withdrawal_base;
                    } else if plan.inflation_adjusted {
                        st.annual_withdrawal = st.withdrawal_base * cpi / cpi_at_retirement;
                    }
                }
                let due = st.annual_withdrawal / spy as f64;
                if due > 0.0 {
                    let total = st.holdings.total();
                    if total < due {
                        st.out.withdrawals += total;
                        st.holdings.clear();
                        st.out.failed = true;
                        st.out.failed_at_step = Some(step);
                        st.out.max_drawdown = 1.0;
                        if year_end {
                            sink.record(s, (step + 1) / spy, 0.0, 0.0, false);
                        }
                        continue;
                    }
                    st.out.withdrawals +=
                        rebalance::withdraw(&mut st.holdings, due, target, strategy.withdrawals);
                }
            }
            // 3. Returns, then fees.
            let before = st.holdings.total();
            let mut gains = 0.0;
            let mut fees = 0.0;
            for (i, v) in st.holdings.values_mut().iter_mut().enumerate() {
                let grown = *v * ret.gross[i];
                gains += grown - *v;
                let after_fee = grown * fee[i];
                fees += grown - after_fee;
                *v = after_fee;
            }
            st.out.market_gains += gains;
            st.out.fees += fees;
            let after = st.holdings.total();
            if before > 0.0 {
                let r = after / before - 1.0;
                st.twr *= 1.0 + r;
                st.sum_r += r;
                st.sum_r2 += r * r;
                st.live_steps += 1;
            }
            if after > st.peak {
                st.peak = after;
            } else if st.peak > 0.0 {
                let dd = 1.0 - after / st.peak;
                if dd > st.out.max_drawdown {
                    st.out.max_drawdown = dd;
                }
            }
            // 4. Rebalancing.
            if let Some(period) = strategy.rule.look_period(spy)
                && (step + 1) % period == 0
                && let Some(trades) = apply_rule(&strategy.rule, &mut st.holdings, target)
            {
                st.out.rebalances += 1;
                st.out.legs += trades.legs;
                st.out.dollars_traded += trades.dollars;
                if after > 0.0 {
                    st.out.turnover += 0.5 * trades.dollars / after;
                }
            }
            sink.holdings(s, step + 1, &st.holdings);
            // 5. Year-end record.
            if year_end {
                sink.record(s, (step + 1) / spy, after, after / cpi_end, true);
            }
        }
        cpi = cpi_end;
    }

    let years_f = |live: u32| live as f64 / spy as f64;
    for (st, o) in states.iter().zip(out.iter_mut()) {
        let mut outcome = st.out;
        outcome.terminal_nominal = st.holdings.total();
        outcome.terminal_real = outcome.terminal_nominal / cpi;
        outcome.cagr = if st.live_steps > 0 && st.twr > 0.0 {
            st.twr.powf(1.0 / years_f(st.live_steps)) - 1.0
        } else {
            0.0
        };
        outcome.volatility = if st.live_steps > 1 {
            let n = st.live_steps as f64;
            let var = (st.sum_r2 - st.sum_r * st.sum_r / n) / (n - 1.0);
            (var.max(0.0) * spy as f64).sqrt()
        } else {
            0.0
        };
        *o = outcome;
    }
}
