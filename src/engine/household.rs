//! One path of a household with accounts: the same timeline as `path.rs` (contribution,
//! withdrawal, returns and fees, rebalancing, year end), but every move goes through the
//! strategy's [`AccountBook`], which knows where each dollar sits and what it costs in tax.
//!
//! Each strategy runs through the whole path in turn (as in `path.rs`). Per step:
//! 1. at a year's start: contribution limits, RMDs and Roth conversions for the year, then
//!    last year's tax is paid from the portfolio;
//! 2. contributions (before retirement); on retirement anniversaries the withdrawal rule
//!    sets the year's spending, paid each step from idle cash, then by the policy's order;
//! 3. returns and fees; in the taxable account dividends and interest are paid, taxed and
//!    reinvested;
//! 4. tax-loss harvesting, then the rebalancing rule (decided on household weights, traded
//!    in accounts by the policy), then wash-sale adjustments;
//! 5. at a year end: idle cash reinvested, the year's tax computed (due next year).
//!
//! At the horizon the last year's tax is paid, so terminal wealth is after all taxes owed.
//! The strategy state's `reserve` mirrors the book's idle cash (scenarios with accounts
//! have no cash reserve), so `StrategyState::wealth` is the book's total.

use super::Simulation;
use super::path::{
    PathScratch, StrategyRun, StrategyState, YearEndSink, end_step, finish_outcomes,
};
use crate::household::Household;
use crate::household::book::AccountBook;
use crate::rebalance::apply_rule;
use crate::withdrawal::YearContext;

/// Runs every strategy of path `path` (returns already in `scratch.returns`).
pub(crate) fn simulate<S: YearEndSink>(
    sim: &Simulation,
    hh: &Household,
    path: usize,
    scratch: &mut PathScratch,
    sink: &mut S,
) {
    // Households pay withdrawals at the start of a step only; the scenario check rejects
    // other timings with accounts, so a `Simulation` built in code must not ask for them.
    debug_assert_eq!(
        sim.cash_flows.withdrawal_timing,
        crate::cashflow::WithdrawalTiming::Start,
        "the household engine pays withdrawals at the start of a step only"
    );
    let spy = sim.steps_per_year;
    let steps = sim.steps();
    let retirement = sim.cash_flows.retirement_step.min(steps);
    let retirement_years = (steps - retirement) / spy;
    let end = end_step(sim, path);
    let n_assets = sim.asset_names.len();

    // Each strategy runs through the whole path in turn (its book stays in cache, and its
    // rule, routing and look period are resolved once).
    let calendar = &scratch.calendar;
    for (s, (st, book)) in scratch
        .states
        .iter_mut()
        .zip(scratch.books.iter_mut())
        .enumerate()
    {
        book.reset(hh);
        *st = StrategyState::new(book.household());
        sink.record(s, 0, book.total(), book.total(), true);
        let run = StrategyRun::new(sim, s);
        let fee = run.fees();
        let StrategyRun {
            strategy,
            rule,
            withdraws,
            period,
            ..
        } = run;
        let policy = &strategy.tax;
        let routing_out = strategy.withdrawals;
        let mut cpi = 1.0;
        // Income of the current year, for its tax: Social Security and pensions.
        let (mut social_security, mut pensions) = (0.0, 0.0);

        // Steps to the next look of the rule (a countdown: no division per step).
        let mut look_in = period;
        let mut due_per_step = st.withdrawal.annual / f64::from(spy);
        for (step, (ret, info)) in (0..end).zip(scratch.returns.iter().zip(calendar)) {
            let retired = info.retired;
            let year_end = info.year_end;
            // `info.year` is the year a year-end step closes; the step's own year is one less.
            let year = info.year - u32::from(year_end);
            let year_start = info.year_start;
            let anniversary = info.anniversary;
            let retirement_year = info.retirement_year;
            let look = period > 0 && {
                look_in -= 1;
                look_in == 0
            };
            if look {
                look_in = period;
            }
            let cpi_end = cpi * ret.inflation_gross;
            let mut income = 0.0;
            if retired {
                for (stream, &ss) in sim.income.iter().zip(&hh.social_security) {
                    let x = stream.at(step, spy, cpi);
                    income += x;
                    if ss {
                        social_security += x;
                    } else {
                        pensions += x;
                    }
                }
            }
            if st.out.failed {
                if year_end {
                    st.year_end(sink, s, year + 1, 0.0, 0.0, retired);
                }
                cpi = cpi_end;
                continue;
            }
            let target = sim.target_at(s, step);

            // 1. The year's start; last year's tax.
            if year_start {
                book.start_year(hh, policy, year, cpi, !retired, spy);
                let due = book.tax_due();
                let paid = book.pay_tax(hh, policy, step, year, cpi, target, routing_out);
                if paid < due - 1e-6 {
                    st.ruin(step, retirement.min(step), spy, cpi);
                    sync(st, book);
                    if year_end {
                        st.year_end(sink, s, year + 1, 0.0, 0.0, retired);
                    }
                    cpi = cpi_end;
                    continue;
                }
            }
            // 2. Cash flows.
            if !retired {
                st.out.contributions += book.contribute(hh, step, target, strategy.contributions);
            }
            if anniversary {
                st.anniversary(retirement_year, cpi);
            }
            if retired && withdraws {
                if anniversary {
                    let ctx = YearContext {
                        year: retirement_year,
                        years_left: retirement_years.saturating_sub(retirement_year).max(1),
                        wealth: book.total(),
                        cpi,
                        last_year_return: st.last_year_return(retirement_year),
                        age: sim.start_age.map(|a| a + year),
                    };
                    st.mark_anniversary_twr();
                    rule.annual_withdrawal(&mut st.withdrawal, &ctx);
                    // The year's amount changes only here: divide once a year, not a step.
                    due_per_step = st.withdrawal.annual / f64::from(spy);
                }
                let mut due = due_per_step;
                if rule.income_offsets() {
                    due = (due - income).max(0.0);
                }
                if due > 0.0 {
                    let paid = book.withdraw(hh, policy, due, step, year, target, routing_out);
                    st.out.withdrawals += paid;
                    if paid < due - 1e-6 {
                        st.spent(paid + income, cpi);
                        st.ruin(step, retirement, spy, cpi);
                        sync(st, book);
                        if year_end {
                            st.year_end(sink, s, year + 1, 0.0, 0.0, true);
                        }
                        cpi = cpi_end;
                        continue;
                    }
                }
                st.spent(due + income, cpi);
            }
            // 3. Returns and fees. What follows happens at the step's end, when its returns
            // are in: the same time as the next step's start, so lots bought now and sold
            // then (or at a later step's end) are dated by when they were really held.
            let closes = step + 1;
            let before = book.total();
            let (gains, fees) = book.grow(hh, &ret.gross[..n_assets], fee, step);
            let after = book.total();
            st.grew(before, after, after, gains, fees);
            // 4. Harvesting, rebalancing, wash sales.
            if let Some(threshold) = policy.harvest {
                book.harvest(threshold, closes);
            }
            if look {
                let mut desired = book.household();
                if apply_rule(&strategy.rule, &mut desired, target).is_some() {
                    let trades = book.rebalance(hh, policy, &desired, target, closes);
                    st.rebalanced(&trades, after);
                }
            }
            book.end_step();
            if S::WANTS_HOLDINGS {
                sync(st, book);
                sink.holdings(s, step + 1, &st.holdings);
            }
            // 5. Year end.
            if year_end {
                book.end_year(hh, year, closes, social_security, pensions);
                sink.record_taxes(s, year + 1, book.tax_due() / cpi_end);
                sync(st, book);
                st.year_end(sink, s, year + 1, book.total(), cpi_end, retired);
                social_security = 0.0;
                pensions = 0.0;
            }
            cpi = cpi_end;
        }
        // The horizon (or death): the last tax bill is paid from the estate.
        let last_year = end.saturating_sub(1) / spy;
        if !end.is_multiple_of(spy) && !st.out.failed {
            // A path that ends mid-year (never with whole-year horizons) closes its year.
            book.end_year(hh, last_year, end, social_security, pensions);
        }
        let target = sim.target_at(s, end.saturating_sub(1));
        book.pay_tax(hh, policy, end, last_year, cpi, target, routing_out);
        book.finish(hh, cpi);
        sync(st, book);
        st.out.tax = book.out;
    }
    let cpi = scratch
        .returns
        .iter()
        .take(end as usize)
        .fold(1.0, |c, r| c * r.inflation_gross);
    finish_outcomes(sim, scratch, sink, end, cpi);
}

/// Mirrors the book into the strategy state (holdings and idle cash).
fn sync(st: &mut StrategyState, book: &AccountBook) {
    st.holdings = book.household();
    st.reserve = book.total() - st.holdings.total();
}
