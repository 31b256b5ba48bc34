//! One path: every strategy stepped through the same returns (common random numbers).
//!
//! The path's returns are drawn first into a buffer (so a stress test can reshape them),
//! then every strategy steps through the buffer. Order within a step:
//! 1. cash flow at the start of the step: a contribution before retirement; after it, on
//!    each retirement anniversary the withdrawal rule sets the year's amount (and a cash
//!    reserve is refilled), then the step's share is paid, from the reserve first. Income
//!    (Social Security, pensions) reduces a spending need or adds to spending. A withdrawal
//!    larger than everything left fails the path: what is left is paid out and the path
//!    stays at zero. With `withdrawal_timing = "monthly"` the step's share is paid in
//!    monthly parts, taken now at their present value ([`pay_monthly`]); with `"end"` and
//!    `"end_real"` it is paid after step 2 instead;
//! 2. returns, then fees (expense ratio / steps per year);
//! 3. the rebalancing rule looks, if this step ends one of its periods, against the
//!    strategy's target for this step (a glide path moves it);
//! 4. at a year end, wealth and the year's spending are recorded for the per-year bands.

use super::Simulation;
use crate::cashflow::{WithdrawalTiming, monthly_split};
use crate::household::book::{AccountBook, TaxOutcome};
use crate::market::{DrawScratch, StepReturns};
use crate::portfolio::{Holdings, TargetAllocation};
use crate::rebalance::{self, CashFlowRouting, apply_rule};
use crate::strategy::{Refill, Strategy};
use crate::stress::Stress;
use crate::withdrawal::{WithdrawalRule, WithdrawalState, YearContext};
use rand::Rng;

/// Years over which the first-decade return is measured.
const DECADE_YEARS: u32 = 10;

/// What one strategy did on one path. Money identity, per path:
/// `initial + contributions + market_gains = terminal_nominal + withdrawals + fees`.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct PathOutcome {
    /// Missed (part of) a withdrawal.
    pub failed: bool,
    /// Step at which the path failed.
    pub failed_at_step: Option<u32>,
    /// Portfolio plus cash reserve at the end.
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
    /// Paid out of the portfolio and the reserve.
    pub withdrawals: f64,
    /// Dollars earned from returns (before fees), reserve interest included.
    pub market_gains: f64,
    /// Withdrawals plus income, in start-year dollars, over the whole retirement.
    pub spending_real: f64,
    /// Annualised real time-weighted return of the portfolio over the first ten years of
    /// retirement (fewer if the path is shorter or fails).
    pub first_decade_real_return: Option<f64>,
    /// Taxes and account activity (zero unless the scenario has accounts). With accounts
    /// the money identity gains a term: `... = terminal + withdrawals + fees + tax.taxes`.
    pub tax: TaxOutcome,
}

/// Per-strategy state while a path runs.
#[derive(Clone, Copy, Debug)]
pub(crate) struct StrategyState {
    pub(crate) holdings: Holdings,
    pub(crate) reserve: f64,
    pub(crate) withdrawal: WithdrawalState,
    pub(super) peak: f64,
    pub(super) twr: f64,
    twr_at_anniversary: f64,
    twr_at_retirement: f64,
    cpi_at_retirement: f64,
    pub(super) sum_r: f64,
    pub(super) sum_r2: f64,
    pub(super) live_steps: u32,
    pub(super) year_spending_real: f64,
    pub(crate) out: PathOutcome,
}

impl StrategyState {
    pub(crate) fn new(initial: Holdings) -> Self {
        Self {
            holdings: initial,
            reserve: 0.0,
            withdrawal: WithdrawalState::default(),
            peak: initial.total(),
            twr: 1.0,
            twr_at_anniversary: 1.0,
            twr_at_retirement: 1.0,
            cpi_at_retirement: 1.0,
            sum_r: 0.0,
            sum_r2: 0.0,
            live_steps: 0,
            year_spending_real: 0.0,
            out: PathOutcome::default(),
        }
    }

    pub(super) fn wealth(&self) -> f64 {
        self.holdings.total() + self.reserve
    }

    /// The portfolio's time-weighted return over the retirement year just ended (none in
    /// the first).
    pub(crate) fn last_year_return(&self, retirement_year: u32) -> Option<f64> {
        (retirement_year > 0).then(|| self.twr / self.twr_at_anniversary - 1.0)
    }

    /// Starts measuring the new retirement year's return.
    pub(crate) fn mark_anniversary_twr(&mut self) {
        self.twr_at_anniversary = self.twr;
    }

    /// Marks a retirement anniversary for the first-decade measurement.
    pub(crate) fn anniversary(&mut self, retirement_year: u32, cpi: f64) {
        if retirement_year == 0 {
            self.twr_at_retirement = self.twr;
            self.cpi_at_retirement = cpi;
        }
        if retirement_year == DECADE_YEARS {
            self.close_decade(cpi, f64::from(DECADE_YEARS));
        }
    }

    /// Records a step's growth: `before` and `after` are the invested wealth around the
    /// returns and fees, `wealth` the whole wealth after them.
    pub(crate) fn grew(&mut self, before: f64, after: f64, wealth: f64, gains: f64, fees: f64) {
        self.out.market_gains += gains;
        self.out.fees += fees;
        if before > 0.0 {
            let r = after / before - 1.0;
            self.twr *= 1.0 + r;
            self.sum_r += r;
            self.sum_r2 += r * r;
            self.live_steps += 1;
        }
        if wealth > self.peak {
            self.peak = wealth;
        } else if self.peak > 0.0 {
            let dd = 1.0 - wealth / self.peak;
            if dd > self.out.max_drawdown {
                self.out.max_drawdown = dd;
            }
        }
    }

    /// The path is ruined at `step`: it stays at zero from here on.
    pub(crate) fn ruin(&mut self, step: u32, retirement: u32, spy: u32, cpi: f64) {
        self.ruin_after(step, step - retirement, spy, cpi);
    }

    /// The path is ruined at the end of `step` (a withdrawal paid after the step's returns),
    /// so the step's return counts in the first decade; `cpi` is the price level then.
    pub(crate) fn ruin_at_step_end(&mut self, step: u32, retirement: u32, spy: u32, cpi: f64) {
        self.ruin_after(step, step + 1 - retirement, spy, cpi);
    }

    fn ruin_after(&mut self, step: u32, retired_steps: u32, spy: u32, cpi: f64) {
        self.out.failed = true;
        self.out.failed_at_step = Some(step);
        self.out.max_drawdown = 1.0;
        self.close_decade(cpi, retired_steps as f64 / f64::from(spy));
    }

    /// Counts a rebalancing event's trades; `wealth` is the invested wealth it traded.
    pub(crate) fn rebalanced(&mut self, trades: &rebalance::Trades, wealth: f64) {
        self.out.rebalances += 1;
        self.out.legs += trades.legs;
        self.out.dollars_traded += trades.dollars;
        if wealth > 0.0 {
            self.out.turnover += 0.5 * trades.dollars / wealth;
        }
    }

    /// Records year-end `year` of strategy `s`: wealth (nominal, at price level `cpi`;
    /// a failed path records zero) and, in retirement, the year's spending.
    pub(crate) fn year_end<S: YearEndSink>(
        &mut self,
        sink: &mut S,
        s: usize,
        year: u32,
        wealth: f64,
        cpi: f64,
        retired: bool,
    ) {
        if self.out.failed {
            sink.record(s, year, 0.0, 0.0, false);
        } else {
            sink.record(s, year, wealth, wealth / cpi, true);
        }
        if retired {
            sink.record_spending(s, year, self.year_spending_real);
            self.year_spending_real = 0.0;
        }
    }

    /// Adds spending (nominal dollars paid, at price level `cpi`) to the year and the path.
    pub(crate) fn spent(&mut self, nominal: f64, cpi: f64) {
        let real = nominal / cpi;
        self.year_spending_real += real;
        self.out.spending_real += real;
    }

    /// Closes the first-decade measurement (at ten years, at failure or at the end).
    pub(super) fn close_decade(&mut self, cpi: f64, years: f64) {
        if self.out.first_decade_real_return.is_none() && years > 0.0 {
            let growth = (self.twr / self.twr_at_retirement) / (cpi / self.cpi_at_retirement);
            self.out.first_decade_real_return = Some(growth.max(0.0).powf(1.0 / years) - 1.0);
        }
    }
}

/// Receives year-end figures as the path runs (the aggregation hook; no per-path storage).
pub trait YearEndSink {
    fn record(&mut self, strategy: usize, year: u32, nominal: f64, real: f64, solvent: bool);
    /// Spending (withdrawals plus income) during retirement year-end `year`, in start-year
    /// dollars. Called only for years inside retirement.
    fn record_spending(&mut self, _strategy: usize, _year: u32, _real: f64) {}

    /// Tax owed for year-end `year` (households with accounts only), start-year dollars.
    fn record_taxes(&mut self, _strategy: usize, _year: u32, _real: f64) {}

    /// Receives a strategy's holdings (nominal dollars per asset, scenario order) at the
    /// end of every step, after rebalancing, while the strategy is solvent. `step` counts
    /// from 1, so the time is `step / steps_per_year` years; the start is `sim.initial`.
    /// Optional: the default ignores it, so the aggregation sink pays nothing; a sink that
    /// implements it sets [`YearEndSink::WANTS_HOLDINGS`]. Used to
    /// chart allocation drift on a few re-simulated paths
    /// ([`crate::report::sample_allocation_drift`]).
    fn holdings(&mut self, _strategy: usize, _step: u32, _holdings: &Holdings) {}

    /// Whether [`YearEndSink::holdings`] does anything: when it does not, the household
    /// engine skips adding up the accounts after every step.
    const WANTS_HOLDINGS: bool = false;
}

/// Ignores year-end records (for single-path inspection).
pub struct NoSink;

impl YearEndSink for NoSink {
    fn record(&mut self, _: usize, _: u32, _: f64, _: f64, _: bool) {}
}

/// Working space of one worker, reused across paths.
pub(crate) struct PathScratch {
    pub(crate) states: Vec<StrategyState>,
    pub(crate) out: Vec<PathOutcome>,
    /// Each strategy's accounts, when the scenario has a household with accounts.
    pub(crate) books: Vec<AccountBook>,
    pub(crate) returns: Vec<StepReturns>,
    stress: Vec<StepReturns>,
    draws: DrawScratch,
    /// The calendar of a path (the same for every path): one entry per step.
    pub(super) calendar: Vec<StepInfo>,
    /// Price level at the start of each step, and at the end (`steps + 1` entries).
    cpi: Vec<f64>,
    /// Income paid in each step (empty without income streams).
    income: Vec<f64>,
}

impl PathScratch {
    pub(crate) fn new(sim: &Simulation) -> Self {
        let steps = sim.steps() as usize;
        Self {
            states: vec![StrategyState::new(sim.initial); sim.strategies.len()],
            out: vec![PathOutcome::default(); sim.strategies.len()],
            books: match &sim.household {
                Some(hh) => vec![
                    AccountBook::new(hh, sim.asset_names.len(), sim.steps_per_year);
                    sim.strategies.len()
                ],
                None => Vec::new(),
            },
            returns: vec![StepReturns::default(); steps],
            stress: Vec::with_capacity(steps),
            draws: DrawScratch::default(),
            calendar: StepInfo::calendar(sim),
            cpi: Vec::with_capacity(steps + 1),
            income: Vec::with_capacity(if sim.income.is_empty() { 0 } else { steps }),
        }
    }
}

/// What a step is in the calendar: everything the step loop would otherwise derive with a
/// division or a `powi` every step.
#[derive(Clone, Copy, Debug, Default)]
pub(super) struct StepInfo {
    /// Contribution at the start of the step (zero from retirement on).
    pub(super) contribution: f64,
    /// Retirement year the step falls in (0 before retirement).
    pub(super) retirement_year: u32,
    /// `(step + 1) / steps_per_year`: the year a year-end step closes.
    pub(super) year: u32,
    pub(super) retired: bool,
    /// First step of a retirement year.
    pub(super) anniversary: bool,
    /// Last step of a year.
    pub(super) year_end: bool,
    /// First step of a year.
    pub(super) year_start: bool,
}

impl StepInfo {
    pub(super) fn calendar(sim: &Simulation) -> Vec<StepInfo> {
        let spy = sim.steps_per_year;
        let steps = sim.steps();
        let retirement = sim.cash_flows.retirement_step.min(steps);
        (0..steps)
            .map(|step| {
                let retired = step >= retirement;
                StepInfo {
                    contribution: sim.cash_flows.contribution_at(step, spy),
                    retirement_year: if retired {
                        (step - retirement) / spy
                    } else {
                        0
                    },
                    year: (step + 1) / spy,
                    retired,
                    anniversary: retired && (step - retirement).is_multiple_of(spy),
                    year_end: (step + 1).is_multiple_of(spy),
                    year_start: step.is_multiple_of(spy),
                }
            })
            .collect()
    }
}

/// Runs path `path` for every strategy, optionally under a stress; outcomes land in
/// `scratch.out`.
///
/// The path's returns and price levels are computed first; then each strategy runs through
/// all the steps in turn (strategy-major), so its rule, routing and fee switches are looked
/// up once per path, not once per step. The sink sees each strategy's records in step order
/// (strategies one after another).
pub(crate) fn simulate_path<R: Rng + ?Sized, S: YearEndSink>(
    sim: &Simulation,
    path: usize,
    rng: &mut R,
    scratch: &mut PathScratch,
    sink: &mut S,
    stress: Option<&Stress>,
) {
    let spy = sim.steps_per_year;
    let steps = sim.steps();
    let plan = &sim.cash_flows;
    let retirement = plan.retirement_step.min(steps);

    // 1. The path's returns, drawn once for every strategy.
    let end_step = end_step(sim, path);
    let returns = &mut scratch.returns[..drawn_steps(sim, end_step, stress)];
    sim.market.fill_path(path, rng, returns, &mut scratch.draws);
    if let Some(stress) = stress {
        stress.apply(returns, &mut scratch.stress, spy, retirement, &sim.target);
    }

    if let Some(hh) = &sim.household {
        super::household::simulate(sim, hh, path, scratch, sink);
        return;
    }

    // Price level at the start of every step (relative to the start), then at the end.
    scratch.cpi.clear();
    let mut cpi = 1.0;
    for ret in &scratch.returns[..end_step as usize] {
        scratch.cpi.push(cpi);
        cpi *= ret.inflation_gross;
    }
    scratch.cpi.push(cpi);
    scratch.income.clear();
    if !sim.income.is_empty() {
        for step in 0..end_step {
            let info = &scratch.calendar[step as usize];
            scratch.income.push(if info.retired {
                let cpi = scratch.cpi[step as usize];
                sim.income.iter().map(|i| i.at(step, spy, cpi)).sum()
            } else {
                0.0
            });
        }
    }

    let ctx = PathContext {
        sim,
        returns: &scratch.returns[..end_step as usize],
        calendar: &scratch.calendar[..end_step as usize],
        cpi: &scratch.cpi,
        income: &scratch.income,
        retirement,
    };
    for (s, st) in scratch.states.iter_mut().enumerate() {
        *st = StrategyState::new(sim.initial);
        sink.record(s, 0, sim.initial.total(), sim.initial.total(), true);
        ctx.run_strategy(s, st, sink);
    }
    let cpi = scratch.cpi[end_step as usize];

    finish_outcomes(sim, scratch, sink, end_step, cpi);
}

/// How many steps of returns a path needs: those it lives (`end_step`). Draws are
/// sequential, so the steps drawn are the same numbers either way; a stress test reshapes
/// the whole path, so it needs all of them.
pub(super) fn drawn_steps(sim: &Simulation, end_step: u32, stress: Option<&Stress>) -> usize {
    match stress {
        None => end_step as usize,
        Some(_) => sim.steps() as usize,
    }
}

/// The step at which path `path` ends: the horizon, or with a life table the end of the
/// year of death.
pub(crate) fn end_step(sim: &Simulation, path: usize) -> u32 {
    let spy = sim.steps_per_year;
    let steps = sim.steps();
    match (&sim.mortality, sim.start_age) {
        (Some(table), Some(age)) => {
            ((table.death_age(age, sim.seed, path) - age + 1) * spy).min(steps)
        }
        _ => steps,
    }
}

/// Turns every strategy's state at the end of the path into its outcome. After death the
/// estate stays as it was: later year-ends record it unchanged.
pub(crate) fn finish_outcomes<S: YearEndSink>(
    sim: &Simulation,
    scratch: &mut PathScratch,
    sink: &mut S,
    end_step: u32,
    cpi: f64,
) {
    finish_states(
        sim,
        &mut scratch.states,
        &mut scratch.out,
        sink,
        end_step,
        cpi,
    );
}

/// [`finish_outcomes`] on explicit states and outcome slots (one per strategy).
pub(super) fn finish_states<S: YearEndSink>(
    sim: &Simulation,
    states: &mut [StrategyState],
    outs: &mut [PathOutcome],
    sink: &mut S,
    end_step: u32,
    cpi: f64,
) {
    let spy = sim.steps_per_year;
    let steps = sim.steps();
    let retirement = sim.cash_flows.retirement_step.min(steps);
    for year in (end_step / spy + 1)..=(steps / spy) {
        for (s, st) in states.iter().enumerate() {
            let wealth = st.wealth();
            sink.record(s, year, wealth, wealth / cpi, !st.out.failed);
        }
    }
    let years_f = |live: u32| f64::from(live) / f64::from(spy);
    for (st, o) in states.iter_mut().zip(outs.iter_mut()) {
        if !st.out.failed {
            let years = f64::from(end_step.saturating_sub(retirement)) / f64::from(spy);
            st.close_decade(cpi, years.min(f64::from(DECADE_YEARS)));
        }
        let mut outcome = st.out;
        outcome.terminal_nominal = st.wealth();
        outcome.terminal_real = outcome.terminal_nominal / cpi;
        outcome.cagr = if st.live_steps == 0 {
            0.0
        } else if st.twr > 0.0 {
            st.twr.powf(1.0 / years_f(st.live_steps)) - 1.0
        } else {
            -1.0 // wiped out by a -100% return
        };
        outcome.volatility = if st.live_steps > 1 {
            let n = f64::from(st.live_steps);
            let var = (st.sum_r2 - st.sum_r * st.sum_r / n) / (n - 1.0);
            (var.max(0.0) * f64::from(spy)).sqrt()
        } else {
            0.0
        };
        *o = outcome;
    }
}

/// On a retirement anniversary, after the year's withdrawal (`annual`) is set: tops the
/// strategy's cash reserve (if it has one) up to its years of spending from the portfolio,
/// if its refill rule allows (`last_year_return`: the portfolio's return over the year just
/// ended).
pub(super) fn refill_reserve(
    st: &mut StrategyState,
    strategy: &Strategy,
    annual: f64,
    last_year_return: Option<f64>,
    target: &TargetAllocation,
) {
    let Some(reserve) = strategy.reserve else {
        return;
    };
    let allowed = match reserve.refill {
        Refill::Always => true,
        Refill::AfterGains => last_year_return.is_none_or(|r| r > 0.0),
    };
    let want = reserve.years * annual - st.reserve;
    if allowed && want > 0.0 {
        let move_in = want.min(st.holdings.total());
        rebalance::withdraw(&mut st.holdings, move_in, target, strategy.withdrawals);
        st.reserve += move_in;
    }
}

/// Pays `due` at once: from the cash reserve first, then from the portfolio by `routing`.
/// When the portfolio cannot pay its part, everything left is paid out (counted as
/// withdrawn), the strategy holds nothing, and `Err` carries the dollars paid.
#[inline]
pub(super) fn pay_withdrawal(
    st: &mut StrategyState,
    due: f64,
    target: &TargetAllocation,
    routing: CashFlowRouting,
) -> Result<(), f64> {
    let from_reserve = due.min(st.reserve);
    st.reserve -= from_reserve;
    let rest = due - from_reserve;
    let portfolio = st.holdings.total();
    if portfolio < rest {
        let paid = from_reserve + portfolio;
        st.out.withdrawals += paid;
        st.holdings.clear();
        st.reserve = 0.0;
        return Err(paid);
    }
    st.out.withdrawals +=
        from_reserve + rebalance::withdraw(&mut st.holdings, rest, target, routing);
    Ok(())
}

/// Pays `due` in `months` equal parts at the start of each month of the step, the step's
/// return accruing evenly over its months, the cash reserve paying first
/// ([`monthly_split`]). Rather than step month by month, it takes each side's present value
/// now, discounted at its own growth over the step: the portfolio's after-fee gross return
/// with its current weights (`gross`, `fee`), the reserve's interest. That leaves exactly
/// what the monthly payments would (for pro-rata withdrawals; other routings take the
/// present value as one withdrawal). The parts are paid in full, so `due` counts as
/// withdrawn and spent, and `due` minus the present values is what the money earned
/// before it was paid: market gains (which keeps the money identity exact).
///
/// The payments run out in some month exactly when the portfolio is below its present
/// value: then what is left is paid out and `Err` carries the dollars paid, as at the start.
#[allow(clippy::too_many_arguments)]
#[inline]
fn pay_monthly(
    st: &mut StrategyState,
    due: f64,
    months: u32,
    gross: &[f64],
    fee: &[f64],
    reserve_growth: f64,
    target: &TargetAllocation,
    routing: CashFlowRouting,
) -> Result<(), f64> {
    let portfolio = st.holdings.total();
    let growth = if portfolio > 0.0 {
        st.holdings
            .values()
            .iter()
            .enumerate()
            .map(|(i, v)| v * gross[i] * fee.get(i).copied().unwrap_or(1.0))
            .sum::<f64>()
            / portfolio
    } else {
        1.0
    };
    let reserve = st.reserve;
    let split = monthly_split(due, months, reserve, reserve_growth, growth);
    if portfolio < split.portfolio_pv {
        // The reserve was used up before the portfolio had to pay anything.
        let paid = split.reserve_paid + portfolio;
        st.out.market_gains += split.reserve_paid - reserve;
        st.out.withdrawals += paid;
        st.holdings.clear();
        st.reserve = 0.0;
        return Err(paid);
    }
    st.reserve = (reserve - split.reserve_pv).max(0.0);
    let taken = rebalance::withdraw(&mut st.holdings, split.portfolio_pv, target, routing);
    st.out.market_gains += due - (reserve - st.reserve) - taken;
    st.out.withdrawals += due;
    Ok(())
}

/// What a strategy's run through a path looks up once, not once per step (shared by the
/// path-by-path, lockstep and household loops).
pub(super) struct StrategyRun<'a> {
    pub(super) strategy: &'a Strategy,
    /// The strategy's target per step (one entry when it never moves).
    pub(super) targets: &'a [TargetAllocation],
    /// The strategy's withdrawal rule, or the scenario's.
    pub(super) rule: &'a WithdrawalRule,
    pub(super) withdraws: bool,
    pub(super) income_offsets: bool,
    /// Per-step fee factor per asset.
    pub(super) fee: &'a [f64],
    pub(super) no_fees: bool,
    /// Steps between the rebalancing rule's looks (0: never looks).
    pub(super) period: u32,
    /// The cash reserve's interest per step (0 without a reserve).
    pub(super) reserve_growth: f64,
}

impl<'a> StrategyRun<'a> {
    pub(super) fn new(sim: &'a Simulation, s: usize) -> Self {
        let strategy = &sim.strategies[s];
        let rule = strategy
            .withdrawal_rule
            .as_ref()
            .unwrap_or(&sim.cash_flows.withdrawal);
        let fee = &sim.fee_factors[..sim.initial.len().min(sim.fee_factors.len())];
        Self {
            strategy,
            targets: &sim.targets[s],
            rule,
            withdraws: !matches!(rule, WithdrawalRule::None),
            income_offsets: rule.income_offsets(),
            fee,
            no_fees: fee.iter().all(|&f| f == 1.0),
            period: strategy.rule.look_period(sim.steps_per_year).unwrap_or(0),
            reserve_growth: sim.reserve_growth[s],
        }
    }

    /// The fee factors, or `None` when every one is 1 (no fee terms to compute).
    pub(super) fn fees(&self) -> Option<&'a [f64]> {
        (!self.no_fees).then_some(self.fee)
    }
}

/// One path's shared series, read by every strategy.
struct PathContext<'a> {
    sim: &'a Simulation,
    /// Returns of the steps the path lives.
    returns: &'a [StepReturns],
    calendar: &'a [StepInfo],
    /// Price level at the start of each step.
    cpi: &'a [f64],
    /// Income per step (empty: none).
    income: &'a [f64],
    retirement: u32,
}

impl PathContext<'_> {
    /// Steps strategy `s` through the path.
    #[inline(always)]
    fn run_strategy<S: YearEndSink>(&self, s: usize, st: &mut StrategyState, sink: &mut S) {
        let sim = self.sim;
        let spy = sim.steps_per_year;
        let plan = &sim.cash_flows;
        let retirement = self.retirement;
        let retirement_years = (sim.steps() - retirement) / spy;
        let run = StrategyRun::new(sim, s);
        let fee_terms = run.fees();
        let StrategyRun {
            strategy,
            targets,
            rule,
            withdraws,
            income_offsets,
            fee,
            period,
            reserve_growth,
            ..
        } = run;
        // Months per step: with monthly steps, monthly withdrawals are start-of-step ones.
        let months = 12 / spy.max(1);
        let timing = match plan.withdrawal_timing {
            WithdrawalTiming::Monthly if months <= 1 => WithdrawalTiming::Start,
            t => t,
        };
        // Price level on the current retirement year's anniversary (`EndReal` carries the
        // year's amount from it to the day of payment).
        let mut year_cpi = 1.0;
        // Steps until the rule's next look (0: never looks).
        let mut look_in = period;
        // A drawdown is recomputed only once wealth falls below this (the running maximum
        // can only change there; the margin keeps the exact test in charge).
        let mut dd_trigger = st.peak;

        for (step, info) in self.calendar.iter().enumerate() {
            let step = step as u32;
            let target = &targets[(step as usize).min(targets.len() - 1)];
            if period > 0 {
                look_in -= 1;
            }
            let looks = period > 0 && look_in == 0;
            if looks {
                look_in = period;
            }
            let year_end = info.year_end;
            let retired = info.retired;
            if st.out.failed {
                if year_end {
                    st.year_end(sink, s, info.year, 0.0, 0.0, retired);
                }
                continue;
            }
            let cpi = self.cpi[step as usize];
            let income = self.income.get(step as usize).copied().unwrap_or(0.0);
            // 1. Cash flow.
            let contribution = info.contribution;
            if contribution > 0.0 {
                rebalance::contribute(
                    &mut st.holdings,
                    contribution,
                    target,
                    strategy.contributions,
                );
                st.out.contributions += contribution;
            }
            let retirement_year = info.retirement_year;
            if info.anniversary {
                st.anniversary(retirement_year, cpi);
            }
            // A withdrawal paid after this step's returns (`End`, `EndReal`).
            let mut due_at_end = None;
            if retired && withdraws {
                if info.anniversary {
                    year_cpi = cpi;
                    let ctx = YearContext {
                        year: retirement_year,
                        years_left: retirement_years.saturating_sub(retirement_year).max(1),
                        wealth: st.wealth(),
                        cpi,
                        last_year_return: st.last_year_return(retirement_year),
                        age: sim.start_age.map(|a| a + step / spy),
                    };
                    st.mark_anniversary_twr();
                    let annual = rule.annual_withdrawal(&mut st.withdrawal, &ctx);
                    refill_reserve(st, strategy, annual, ctx.last_year_return, target);
                }
                let mut due = st.withdrawal.annual / f64::from(spy);
                if timing == WithdrawalTiming::EndReal {
                    // The year's amount was set at the anniversary's price level; paid at the
                    // end of this step, it is carried to that day's price level.
                    due *= self.cpi[step as usize + 1] / year_cpi;
                }
                if income_offsets {
                    due = (due - income).max(0.0);
                }
                match timing {
                    WithdrawalTiming::Start => {
                        if due > 0.0
                            && let Err(paid) = pay_withdrawal(st, due, target, strategy.withdrawals)
                        {
                            // Ruin: what was left is paid out; the path stays at zero.
                            st.spent(paid + income, cpi);
                            st.ruin(step, retirement, spy, cpi);
                            if year_end {
                                st.year_end(sink, s, info.year, 0.0, 0.0, true);
                            }
                            continue;
                        }
                        st.spent(due + income, cpi);
                    }
                    WithdrawalTiming::Monthly => {
                        if due > 0.0
                            && let Err(paid) = pay_monthly(
                                st,
                                due,
                                months,
                                &self.returns[step as usize].gross,
                                fee,
                                1.0 + reserve_growth,
                                target,
                                strategy.withdrawals,
                            )
                        {
                            st.spent(paid + income, cpi);
                            st.ruin(step, retirement, spy, cpi);
                            if year_end {
                                st.year_end(sink, s, info.year, 0.0, 0.0, true);
                            }
                            continue;
                        }
                        st.spent(due + income, cpi);
                    }
                    WithdrawalTiming::End | WithdrawalTiming::EndReal => {
                        // Income arrives now; the withdrawal after the returns.
                        st.spent(income, cpi);
                        due_at_end = Some(due);
                    }
                }
            }
            // 2. Returns, then fees.
            let ret = &self.returns[step as usize];
            let before = st.holdings.total();
            let mut gains = 0.0;
            let mut fees = 0.0;
            st.holdings
                .grow(&ret.gross, fee_terms, &mut gains, &mut fees);
            if fee_terms.is_some() {
                st.out.fees += fees;
            }
            if st.reserve > 0.0 {
                let interest = st.reserve * reserve_growth;
                st.reserve += interest;
                gains += interest;
            }
            st.out.market_gains += gains;
            let after = st.holdings.total();
            if before > 0.0 {
                let r = after / before - 1.0;
                st.twr *= 1.0 + r;
                st.sum_r += r;
                st.sum_r2 += r * r;
                st.live_steps += 1;
            }
            // An end-of-step withdrawal, after returns and fees, before rebalancing.
            let mut invested = after;
            if let Some(due) = due_at_end {
                let cpi_end = self.cpi[step as usize + 1];
                if due > 0.0
                    && let Err(paid) = pay_withdrawal(st, due, target, strategy.withdrawals)
                {
                    st.spent(paid, cpi_end);
                    st.ruin_at_step_end(step, retirement, spy, cpi_end);
                    if year_end {
                        st.year_end(sink, s, info.year, 0.0, 0.0, true);
                    }
                    continue;
                }
                st.spent(due, cpi_end);
                invested = st.holdings.total();
            }
            let wealth = invested + st.reserve;
            if wealth > st.peak {
                st.peak = wealth;
                dd_trigger = wealth * ((1.0 - st.out.max_drawdown) + 1e-9);
            } else if wealth < dd_trigger && st.peak > 0.0 {
                let dd = 1.0 - wealth / st.peak;
                if dd > st.out.max_drawdown {
                    st.out.max_drawdown = dd;
                    dd_trigger = st.peak * ((1.0 - dd) + 1e-9);
                }
            }
            // 3. Rebalancing, against this step's target.
            if looks && let Some(trades) = apply_rule(&strategy.rule, &mut st.holdings, target) {
                st.rebalanced(&trades, invested);
            }
            sink.holdings(s, step + 1, &st.holdings);
            // 4. Year-end record.
            if year_end {
                st.year_end(
                    sink,
                    s,
                    info.year,
                    wealth,
                    self.cpi[step as usize + 1],
                    retired,
                );
            }
        }
    }
}
