//! One strategy's accounts on one path: balances per account and asset, the taxable
//! account's lots, the year's taxable income, and what the household has paid in tax.
//!
//! Conventions (stated once): the tax year is the simulation year (the start is 1 January).
//! A year's tax is computed at its end and paid from the portfolio at the start of the next
//! year (as estimated payments and April's balance would be); the last year's tax is paid
//! at the horizon, so lifetime taxes are complete. Before retirement only the tax the
//! portfolio adds to the wage earner's bill is charged to it. RMDs and conversions happen
//! at the start of each year; an RMD beyond the year's spending is reinvested in the taxable
//! account at year end. Every `step` argument is a time on the path, in steps: step `s`
//! starts at `s` and ends at `s + 1`, so what happens after a step's returns (dividends,
//! harvests, rebalancing, year end) is dated `s + 1`, like the next step's start. Holding
//! periods and the wash-sale window are differences of these times.

use super::contributions::year_contributions;
use super::ledger::{YearLedger, medicare_surcharges, year_tax};
use super::lots::{LotBook, LotMethod, Realized};
use super::wash::WashSales;
use super::{AccountKind, AccountRebalancing, Household, TaxPolicy, Treatment, WithdrawalOrder};
use super::{ConversionAmount, treatment};
use crate::portfolio::{Holdings, MAX_ASSETS, TargetAllocation};
use crate::rebalance::{self, CashFlowRouting, Trades};
use crate::tax::LossCarry;
use crate::withdrawal::rmd_divisor;

/// Most accounts one household may have.
pub const MAX_ACCOUNTS: usize = 12;

/// Below this many dollars a trade leg is not a trade (float dust).
const DUST: f64 = 1e-9;

/// What taxes and accounts did on one path, for one strategy.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct TaxOutcome {
    /// Taxes paid from the portfolio, nominal and in start-year dollars.
    pub taxes: f64,
    pub taxes_real: f64,
    /// Net realized capital gains (losses negative), nominal.
    pub realized_gains: f64,
    /// Losses realized by tax-loss harvesting (positive), nominal.
    pub harvested_losses: f64,
    /// Harvested losses disallowed for good by purchases in IRAs (Rev. Rul. 2008-5).
    pub lost_to_ira: f64,
    /// 10% additional tax on early distributions (IRC §72(t)), included in `taxes`.
    pub penalties: f64,
    /// Medicare's income-related surcharges (IRMAA) the portfolio's income caused,
    /// included in `taxes`.
    pub medicare_surcharges: f64,
    /// Contributions above the legal limits, sent to the taxable account instead.
    pub excess_contributions: f64,
    pub rmds: f64,
    pub conversions: f64,
    /// Dollars traded (buys plus sells) in tax-deferred, tax-free and taxable accounts.
    pub traded: [f64; 3],
    /// Terminal wealth with traditional balances valued after tax, start-year dollars.
    pub after_tax_real: f64,
}

/// Per-path state of one strategy's accounts. Built once per worker and reset per path.
#[derive(Clone, Debug)]
pub struct AccountBook {
    accounts: Vec<Holdings>,
    lots: LotBook,
    wash: WashSales,
    /// Cash taken out (RMDs) and not yet spent; reinvested at year end.
    cash: f64,
    ledger: YearLedger,
    carry: LossCarry<f64>,
    /// Last year's tax, paid during the first step of this year.
    tax_due: f64,
    /// This year's contribution per step, per account, after limits; and the excess.
    contribution: Vec<f64>,
    excess: f64,
    /// Traditional withdrawals so far this year, and the bracket room for them.
    traditional_taken: f64,
    bracket_room: f64,
    /// The price level at the start of the current tax year relative to 2026: the year's
    /// tax law is the 2026 law indexed by it (so a 2026 start is taxed under the 2026 law
    /// as published), as are its contribution limits and bracket room.
    year_cpi: f64,
    /// The accounts in the order spending draws on them: taxable, traditional, Roth, HSA
    /// (in the scenario's order within each kind).
    spending_order: [u8; MAX_ACCOUNTS],
    /// Income is paid every `dividend_every` steps (quarterly), `payments` times a year.
    dividend_every: u32,
    payments: f64,
    /// The step the taxable account's starting holdings were bought (before the start).
    bought_before_start: i32,
    /// Last year's investment income (interest, dividends, net gains): the estimate of
    /// this year's in modified AGI when contributions are set at the year's start.
    portfolio_income: f64,
    /// Modified AGI of the last two years (last year first), with and without the
    /// portfolio: Medicare's surcharges are set on the return of two years before.
    magi_before: [(f64, f64); 2],
    /// Per person: after-tax money in their traditional IRAs (Form 8606 basis), and what
    /// this year's non-deductible contributions add to it each step.
    ira_basis: [f64; 2],
    basis_per_step: [f64; 2],
    pub out: TaxOutcome,
}

fn treatment_index(t: Treatment) -> usize {
    match t {
        Treatment::Deferred => 0,
        Treatment::TaxFree => 1,
        Treatment::Taxable => 2,
    }
}

impl AccountBook {
    pub fn new(hh: &Household, n_assets: usize, steps_per_year: u32) -> Self {
        Self {
            accounts: hh.accounts.iter().map(|a| a.initial).collect(),
            lots: LotBook::new(n_assets, steps_per_year),
            wash: WashSales::new(steps_per_year),
            cash: 0.0,
            ledger: YearLedger::default(),
            carry: LossCarry::default(),
            tax_due: 0.0,
            contribution: vec![0.0; hh.accounts.len()],
            excess: 0.0,
            traditional_taken: 0.0,
            bracket_room: 0.0,
            year_cpi: 1.0,
            spending_order: spending_order(hh),
            dividend_every: (steps_per_year / 4).max(1),
            payments: f64::from(steps_per_year / (steps_per_year / 4).max(1)),
            bought_before_start: match hh.accounts[hh.taxable].held_months {
                // Long held: a step more than a year back, long-term from the first day.
                None => -(steps_per_year as i32) - 1,
                Some(m) => -((m * f64::from(steps_per_year) / 12.0).round() as i32),
            },
            portfolio_income: 0.0,
            magi_before: [(0.0, 0.0); 2],
            ira_basis: [0.0; 2],
            basis_per_step: [0.0; 2],
            out: TaxOutcome::default(),
        }
    }

    /// Back to the start of a path.
    pub fn reset(&mut self, hh: &Household) {
        for (h, a) in self.accounts.iter_mut().zip(&hh.accounts) {
            *h = a.initial;
        }
        let t = &hh.accounts[hh.taxable];
        self.lots.reset(
            t.initial.values(),
            t.basis.values(),
            self.bought_before_start,
        );
        self.wash.reset();
        self.cash = 0.0;
        self.ledger = YearLedger::default();
        self.carry = LossCarry::default();
        self.tax_due = 0.0;
        self.contribution.fill(0.0);
        self.excess = 0.0;
        self.traditional_taken = 0.0;
        self.bracket_room = 0.0;
        self.year_cpi = hh.law_index;
        // The first year's: the starting holdings' yield.
        self.portfolio_income = t
            .initial
            .values()
            .iter()
            .zip(&hh.income)
            .map(|(v, i)| v * i.yield_rate)
            .sum();
        self.magi_before = [(0.0, 0.0); 2];
        self.ira_basis = [0, 1].map(|who| {
            hh.accounts
                .iter()
                .filter(|a| a.kind == AccountKind::TraditionalIra && a.owner.index() == who)
                .map(|a| a.basis.total())
                .sum()
        });
        self.basis_per_step = [0.0; 2];
        self.out = TaxOutcome::default();
    }

    /// The household's holdings: every account added up (cash excluded).
    #[inline]
    pub fn household(&self) -> Holdings {
        let mut h = self.accounts[0];
        for a in &self.accounts[1..] {
            h.add(a);
        }
        h
    }

    /// Everything the household owns in the portfolio, cash waiting to be spent included.
    #[inline]
    pub fn total(&self) -> f64 {
        self.accounts.iter().map(Holdings::total).sum::<f64>() + self.cash
    }

    /// Balance of one account (tests and reports).
    pub fn account(&self, i: usize) -> &Holdings {
        &self.accounts[i]
    }

    /// Tax owed for the year just ended and not yet paid.
    pub fn tax_due(&self) -> f64 {
        self.tax_due
    }

    #[inline]
    fn sync_taxable(&mut self, hh: &Household) {
        // Written in place: a `copy_from_slice` of a few values is a call to `memmove`,
        // which cost 3% of a taxed run.
        self.lots.values(self.accounts[hh.taxable].values_mut());
    }

    /// Person `who`'s traditional money: 401(k)s and IRAs.
    fn deferred_balance(&self, hh: &Household, who: usize) -> f64 {
        self.balance_of(hh, who, |k| treatment(k) == Treatment::Deferred)
    }

    /// Person `who`'s traditional IRAs (all of them count as one for the pro rata rule,
    /// IRC §408(d)(2)).
    fn ira_balance(&self, hh: &Household, who: usize) -> f64 {
        self.balance_of(hh, who, |k| k == AccountKind::TraditionalIra)
    }

    /// The balance of person `who`'s accounts of the kinds `kind` accepts.
    fn balance_of(&self, hh: &Household, who: usize, kind: impl Fn(AccountKind) -> bool) -> f64 {
        hh.accounts
            .iter()
            .zip(&self.accounts)
            .filter(|(a, _)| kind(a.kind) && a.owner.index() == who)
            .map(|(_, h)| h.total())
            .sum()
    }

    // ---- the year's start and end ------------------------------------------------------

    /// Start of simulation year `year`: this year's contributions (with limits), RMDs and
    /// Roth conversions. `cpi` is the price level now relative to the start; `working` is
    /// whether the primary person still earns wages this year.
    pub fn start_year(
        &mut self,
        hh: &Household,
        policy: &TaxPolicy,
        year: u32,
        cpi: f64,
        working: bool,
        steps_per_year: u32,
    ) {
        let caps = &hh.limits;
        self.traditional_taken = 0.0;
        // The law's amounts are 2026's indexed to this year: to the start, then by the
        // simulated price level.
        let law_cpi = cpi * hh.law_index;
        self.year_cpi = law_cpi;
        if working {
            let contributed = year_contributions(
                hh,
                year,
                law_cpi,
                steps_per_year,
                self.portfolio_income,
                &mut self.contribution,
            );
            self.excess = contributed.excess_per_step;
            self.ledger.wages = contributed.taxable_wages;
            self.basis_per_step = contributed.nondeductible_per_step;
            for (who, &b) in contributed.backdoor.iter().enumerate() {
                if b > 0.0 {
                    self.backdoor(hh, who, b);
                }
            }
        } else {
            self.contribution.fill(0.0);
            self.excess = 0.0;
            self.ledger.wages = 0.0;
            self.basis_per_step = [0.0; 2];
        }
        // Required minimum distributions (IRC §401(a)(9); Uniform Lifetime Table): the
        // prior year-end balance over the divisor for the age reached this year.
        for who in 0..2 {
            let Some(age) = hh.age(who, year) else {
                continue;
            };
            if age < hh.rmd_age[who] {
                continue;
            }
            let balance = self.deferred_balance(hh, who);
            let rmd = balance / rmd_divisor(age);
            if rmd > DUST {
                let (taken, taxable) = self.take_deferred(hh, who, rmd);
                self.cash += taken;
                self.ledger.ordinary += taxable;
                // Not in `traditional_taken`: the bracket room below already counts it.
                self.out.rmds += taken;
            }
        }
        // Roth conversions: traditional money moved to the Roth IRA, taxed as ordinary
        // income (no early-withdrawal penalty: IRC §72(t) does not apply to conversions
        // kept in the Roth for five years, which the simulation assumes).
        let age = hh.age(0, year).unwrap_or(0);
        if let Some(conv) = policy.conversion
            && (conv.from_age..=conv.to_age).contains(&age)
            && let Some(roth) = hh
                .accounts
                .iter()
                .position(|a| a.kind == AccountKind::RothIra)
        {
            let amount = match conv.amount {
                ConversionAmount::Fixed(real) => real * cpi,
                ConversionAmount::FillBracket(rate) => {
                    caps.bracket_room(hh, rate, year, law_cpi) - self.expected_ordinary()
                }
            };
            if amount > DUST {
                let mut left = amount;
                // Basis converted with IRA money is not income (Form 8606, part II).
                let mut recovered = 0.0;
                for who in 0..2 {
                    let after_tax = self.after_tax_share(hh, who);
                    // Into the person's own Roth IRA; the first one stands in for one they
                    // would open.
                    let into = hh
                        .accounts
                        .iter()
                        .position(|a| a.kind == AccountKind::RothIra && a.owner.index() == who)
                        .unwrap_or(roth);
                    for i in 0..hh.accounts.len() {
                        let a = &hh.accounts[i];
                        if left <= DUST
                            || a.owner.index() != who
                            || treatment(a.kind) != Treatment::Deferred
                        {
                            continue;
                        }
                        let bal = self.accounts[i].total();
                        let moved = left.min(bal);
                        if moved <= 0.0 {
                            continue;
                        }
                        let share = moved / bal;
                        for k in 0..self.accounts[i].len() {
                            let m = self.accounts[i].values()[k] * share;
                            self.accounts[i].values_mut()[k] -= m;
                            self.accounts[into].values_mut()[k] += m;
                        }
                        if a.kind == AccountKind::TraditionalIra {
                            recovered += moved - self.taxable_part(who, moved, after_tax);
                        }
                        left -= moved;
                    }
                }
                let converted = amount - left.max(0.0);
                self.ledger.ordinary += converted - recovered;
                self.out.conversions += converted;
            }
        }
        self.bracket_room = match policy.withdrawal_order {
            WithdrawalOrder::FillBracket(rate) => {
                (caps.bracket_room(hh, rate, year, law_cpi) - self.expected_ordinary()).max(0.0)
            }
            _ => 0.0,
        };
    }

    /// Ordinary income already certain this year (wages, RMDs, conversions), for bracket
    /// filling.
    fn expected_ordinary(&self) -> f64 {
        self.ledger.wages + self.ledger.ordinary
    }

    /// End of simulation year `year`: reinvest idle cash, compute the year's tax (due next
    /// year) under the law of the year's start price level, reset the ledger.
    pub fn end_year(
        &mut self,
        hh: &Household,
        year: u32,
        step: u32,
        social_security: f64,
        pensions: f64,
    ) {
        if self.cash > DUST {
            let cash = self.cash;
            self.cash = 0.0;
            let mut per_asset = [0.0; MAX_ASSETS];
            let h = self.household();
            let total = h.total();
            for (k, p) in per_asset[..h.len()].iter_mut().enumerate() {
                *p = if total > 0.0 {
                    cash * h.values()[k] / total
                } else {
                    cash / h.len() as f64
                };
            }
            self.buy_in(hh, hh.taxable, &per_asset[..h.len()], step);
            // A loss of this year that the purchase washes is this year's, not next year's.
            self.end_step();
        }
        self.ledger.social_security = social_security;
        self.ledger.ordinary += pensions;
        let l = &self.ledger;
        // Net capital losses count against other income up to $3,000, not indexed
        // (IRC §1211(b)).
        self.portfolio_income =
            l.interest + l.ordinary_dividends + (l.realized.short + l.realized.long).max(-3_000.0);
        let t = year_tax(hh, &self.ledger, &mut self.carry, year, self.year_cpi);
        // IRMAA on the return of two years before; the simulation's first two years stand
        // in for the returns before its start. Charged to the portfolio as the tax is: what
        // its income adds to the surcharges on wages alone.
        let now = (t.magi, t.wages_magi);
        let (magi, wages_magi) = match year {
            0 => now,
            1 => self.magi_before[0],
            _ => self.magi_before[1],
        };
        self.magi_before = [now, self.magi_before[0]];
        let surcharges = medicare_surcharges(hh, year, magi, self.year_cpi)
            - medicare_surcharges(hh, year, wages_magi, self.year_cpi);
        self.tax_due += t.tax + surcharges;
        self.out.penalties += t.penalty;
        self.out.medicare_surcharges += surcharges;
        self.out.realized_gains += self.ledger.realized.short + self.ledger.realized.long;
        self.ledger = YearLedger::default();
    }

    /// Pays the tax due (at the start of a year, or at the horizon). Returns what was paid;
    /// less than due only when the portfolio is exhausted.
    #[allow(clippy::too_many_arguments)]
    pub fn pay_tax(
        &mut self,
        hh: &Household,
        policy: &TaxPolicy,
        step: u32,
        year: u32,
        cpi: f64,
        target: &TargetAllocation,
        routing: CashFlowRouting,
    ) -> f64 {
        let due = self.tax_due;
        self.tax_due = 0.0;
        if due <= 0.0 {
            // A refund: the portfolio's losses lowered the tax on wages.
            self.cash -= due;
            self.out.taxes += due;
            self.out.taxes_real += due / cpi;
            return due;
        }
        let paid = self.withdraw(hh, policy, due, step, year, target, routing);
        self.out.taxes += paid;
        self.out.taxes_real += paid / cpi;
        paid
    }

    /// Values the estate at the horizon: after-tax wealth in start-year dollars.
    pub fn finish(&mut self, hh: &Household, cpi: f64) {
        // IRA basis left comes out tax-free.
        let deferred: f64 = (0..2)
            .map(|w| self.deferred_balance(hh, w) - self.ira_basis[w].min(self.ira_balance(hh, w)))
            .sum();
        self.out.after_tax_real = (self.total() - deferred * hh.after_tax_rate) / cpi;
    }

    // ---- cash flows --------------------------------------------------------------------

    /// This step's contributions into every account; returns the dollars contributed
    /// (own money, employer match and the excess sent to the taxable account).
    #[inline]
    pub fn contribute(
        &mut self,
        hh: &Household,
        step: u32,
        target: &TargetAllocation,
        routing: CashFlowRouting,
    ) -> f64 {
        let mut total = 0.0;
        self.ira_basis[0] += self.basis_per_step[0];
        self.ira_basis[1] += self.basis_per_step[1];
        for i in 0..self.accounts.len() {
            let amount = self.contribution[i];
            if amount > 0.0 {
                self.buy_routed(hh, i, amount, step, target, routing);
                total += amount;
            }
        }
        if self.excess > 0.0 {
            let amount = self.excess;
            self.buy_routed(hh, hh.taxable, amount, step, target, routing);
            self.out.excess_contributions += amount;
            total += amount;
        }
        total
    }

    /// Raises `amount` in cash for spending or tax, from idle cash first and then from the
    /// accounts in the policy's order. Returns the dollars raised (short only when every
    /// account is empty).
    #[allow(clippy::too_many_arguments)]
    #[inline]
    pub fn withdraw(
        &mut self,
        hh: &Household,
        policy: &TaxPolicy,
        amount: f64,
        step: u32,
        year: u32,
        target: &TargetAllocation,
        routing: CashFlowRouting,
    ) -> f64 {
        let from_cash = amount.min(self.cash);
        self.cash -= from_cash;
        let mut need = amount - from_cash;
        if need <= DUST {
            return amount;
        }
        let n = self.accounts.len();
        match policy.withdrawal_order {
            WithdrawalOrder::Proportional => {
                let total: f64 = self.accounts.iter().map(Holdings::total).sum();
                if total > 0.0 {
                    let share = (need / total).min(1.0);
                    for i in 0..n {
                        let part = self.accounts[i].total() * share;
                        need -= self.take(hh, policy, i, part, step, year, target, routing);
                    }
                }
            }
            WithdrawalOrder::FillBracket(_) => {
                let room = (self.bracket_room - self.traditional_taken).max(0.0);
                let first = need.min(room);
                let mut got = 0.0;
                for i in 0..n {
                    if treatment(hh.accounts[i].kind) == Treatment::Deferred && first - got > DUST {
                        got += self.take(hh, policy, i, first - got, step, year, target, routing);
                    }
                }
                need -= got;
            }
            WithdrawalOrder::TaxableFirst => {}
        }
        // Then taxable, traditional, Roth, HSA (also the fallback of the other orders).
        for o in 0..n {
            if need <= DUST {
                break;
            }
            let i = usize::from(self.spending_order[o]);
            // An empty account (the taxable one once spent) gives nothing: skip the call.
            if self.accounts[i].total() > DUST {
                need -= self.take(hh, policy, i, need, step, year, target, routing);
            }
        }
        amount - need.max(0.0)
    }

    /// Takes up to `amount` from account `i`: the assets the household routing would sell,
    /// as far as this account holds them, the rest pro rata. Records the tax facts; taxable
    /// lots are relieved by the policy's lot method.
    #[allow(clippy::too_many_arguments)]
    #[inline]
    fn take(
        &mut self,
        hh: &Household,
        policy: &TaxPolicy,
        i: usize,
        amount: f64,
        step: u32,
        year: u32,
        target: &TargetAllocation,
        routing: CashFlowRouting,
    ) -> f64 {
        let held = self.accounts[i].total();
        let amount = amount.min(held);
        if amount <= DUST {
            return 0.0;
        }
        // The household routing's choice of assets, capped by this account.
        let mut h = self.household();
        let before = h;
        rebalance::withdraw(&mut h, amount, target, routing);
        let n = h.len();
        let (before, after, here) = (before.values(), h.values(), self.accounts[i].values());
        let mut sell = [0.0; MAX_ASSETS];
        let mut got = 0.0;
        for k in 0..n {
            sell[k] = (before[k] - after[k]).min(here[k]);
            got += sell[k];
        }
        let rest = amount - got;
        let left = held - got;
        if rest > DUST && left > 0.0 {
            let share = (rest / left).min(1.0);
            for k in 0..n {
                sell[k] += (here[k] - sell[k]) * share;
            }
        }
        let a = &hh.accounts[i];
        let who = a.owner.index();
        let after_tax = if a.kind == AccountKind::TraditionalIra {
            self.after_tax_share(hh, who)
        } else {
            0.0
        };
        let sold = self.sell_in(hh, i, &sell[..n], step, policy);
        if treatment(a.kind) == Treatment::Deferred {
            // Only the taxable part is income, and only it owes the 10% (IRC §72(t)(1)).
            let taxable = self.taxable_part(who, sold, after_tax);
            self.ledger.ordinary += taxable;
            self.traditional_taken += taxable;
            if early_distribution(hh, a.kind, who, year) {
                self.ledger.early += taxable;
            }
        }
        sold
    }

    /// Takes `amount` from the deferred accounts of person `who`, pro rata (RMDs). Returns
    /// the dollars taken and their taxable part (IRA basis comes out tax-free).
    fn take_deferred(&mut self, hh: &Household, who: usize, amount: f64) -> (f64, f64) {
        let balance = self.deferred_balance(hh, who);
        if balance <= 0.0 {
            return (0.0, 0.0);
        }
        let after_tax = self.after_tax_share(hh, who);
        let share = (amount / balance).min(1.0);
        let mut from_iras = 0.0;
        for (a, h) in hh.accounts.iter().zip(self.accounts.iter_mut()) {
            if treatment(a.kind) == Treatment::Deferred && a.owner.index() == who {
                for v in h.values_mut() {
                    let m = *v * share;
                    if a.kind == AccountKind::TraditionalIra {
                        from_iras += m;
                    }
                    *v -= m;
                }
            }
        }
        let taken = balance * share;
        let recovered = from_iras - self.taxable_part(who, from_iras, after_tax);
        (taken, taken - recovered)
    }

    /// A backdoor Roth of `amount` for person `who`, at the year's start: a non-deductible
    /// traditional IRA contribution, converted at once. The conversion is taxed pro rata
    /// (IRC §408(d)(2)): tax-free with no pre-tax IRA money, mostly taxable beside a large
    /// pre-tax IRA. (The dollars reach the Roth IRA with its contributions through the
    /// year; the traditional IRA's balance is unchanged.)
    fn backdoor(&mut self, hh: &Household, who: usize, amount: f64) {
        self.ira_basis[who] += amount;
        let balance = self.ira_balance(hh, who) + amount;
        let after_tax = (self.ira_basis[who] / balance).min(1.0);
        let taxable = self.taxable_part(who, amount, after_tax);
        self.ledger.ordinary += taxable;
        self.out.conversions += amount;
    }

    /// The after-tax share of person `who`'s traditional IRA money now: their basis over
    /// their IRAs' balance (Form 8606, taken at each distribution rather than at year end).
    fn after_tax_share(&self, hh: &Household, who: usize) -> f64 {
        let basis = self.ira_basis[who];
        if basis <= 0.0 {
            return 0.0;
        }
        let balance = self.ira_balance(hh, who);
        if balance > 0.0 {
            (basis / balance).min(1.0)
        } else {
            1.0
        }
    }

    /// Of `amount` distributed from person `who`'s traditional IRAs with `after_tax` share,
    /// the taxable part; the basis it carries out is used up (IRC §72, §408(d)(1)).
    fn taxable_part(&mut self, who: usize, amount: f64, after_tax: f64) -> f64 {
        if after_tax <= 0.0 {
            return amount;
        }
        let free = (amount * after_tax).min(self.ira_basis[who]);
        self.ira_basis[who] -= free;
        amount - free
    }

    // ---- markets -----------------------------------------------------------------------

    /// One step of returns and fees: `gross` total returns and `fee` factors per asset
    /// (`None`: no fees). In the taxable account each asset's yield is paid out, taxed this
    /// year and reinvested. Returns (market gains, fees) in dollars.
    #[inline]
    pub fn grow(
        &mut self,
        hh: &Household,
        gross: &[f64],
        fee: Option<&[f64]>,
        step: u32,
    ) -> (f64, f64) {
        let mut gains = 0.0;
        let mut fees = 0.0;
        let t = hh.taxable;
        for (i, h) in self.accounts.iter_mut().enumerate() {
            if i != t {
                h.grow(gross, fee, &mut gains, &mut fees);
            }
        }
        // Taxable: price growth on the lots; income paid at the end of each quarter (as
        // index funds distribute), taxed this year and reinvested.
        if (step + 1).is_multiple_of(self.dividend_every) {
            self.grow_taxable_paying(hh, gross, fee, step, &mut gains, &mut fees);
        } else {
            // No income this step (two in three with monthly steps): price growth only, the
            // paying formulas with a zero yield term for term.
            let values = self.accounts[t].values_mut();
            for (k, (&g, out)) in gross.iter().zip(values).enumerate() {
                let v = self.lots.value(k);
                gains += v * g - v;
                let f = match fee {
                    Some(f) => {
                        let price_part = v * g;
                        fees += price_part - price_part * f[k];
                        g * f[k]
                    }
                    None => g,
                };
                *out = self.lots.grow_asset(k, f);
            }
        }
        (gains, fees)
    }

    /// The taxable account's step when it pays income (kept out of line: with monthly steps
    /// one step in three).
    #[inline(never)]
    fn grow_taxable_paying(
        &mut self,
        hh: &Household,
        gross: &[f64],
        fee: Option<&[f64]>,
        step: u32,
        gains: &mut f64,
        fees: &mut f64,
    ) {
        let n = gross.len();
        let mut price = [1.0; MAX_ASSETS];
        let mut paid = [0.0; MAX_ASSETS];
        let payments = self.payments;
        for k in 0..n {
            let v = self.lots.value(k);
            let y = (hh.income[k].yield_rate / payments).min(gross[k].max(0.0));
            paid[k] = v * y;
            let price_part = v * (gross[k] - y);
            *gains += v * gross[k] - v;
            price[k] = match fee {
                Some(f) => {
                    *fees += price_part - price_part * f[k];
                    (gross[k] - y) * f[k]
                }
                None => gross[k] - y,
            };
            if hh.income[k].qualified {
                self.ledger.qualified_dividends += paid[k];
                self.ledger.ordinary_dividends += paid[k];
            } else {
                self.ledger.interest += paid[k];
            }
        }
        self.lots.grow(&price[..n]);
        for (k, &p) in paid[..n].iter().enumerate() {
            if p > 0.0 {
                // Paid at the step's end: dated as the next step's start.
                self.lots.buy(k, p, step + 1, &mut self.wash);
            }
        }
        self.sync_taxable(hh);
    }

    /// Tax-loss harvesting in the taxable account, at the end of a step.
    /// A harvest swaps funds at market value: the account's values do not change.
    #[inline]
    pub fn harvest(&mut self, threshold: f64, step: u32) {
        let r = self.lots.harvest(step, threshold, &mut self.wash);
        self.out.harvested_losses -= (r.short + r.long).min(0.0);
        self.ledger.realized += r;
    }

    /// Ends a step: losses the wash-sale rule disallowed go back into the year's gains.
    /// (Basis moves, values do not.)
    #[inline]
    pub fn end_step(&mut self) {
        let back = self.wash.take_disallowed();
        self.ledger.realized += back;
        self.out.lost_to_ira = self.wash.lost_to_ira();
    }

    // ---- rebalancing -------------------------------------------------------------------

    /// Moves the household to `desired` (same total as now) by trading inside accounts.
    pub fn rebalance(
        &mut self,
        hh: &Household,
        policy: &TaxPolicy,
        desired: &Holdings,
        target: &TargetAllocation,
        step: u32,
    ) -> Trades {
        let n = desired.len();
        let mut trades = Trades::default();
        match policy.rebalancing {
            AccountRebalancing::PerAccount => {
                for i in 0..self.accounts.len() {
                    let h = self.accounts[i];
                    let total = h.total();
                    let mut sell = [0.0; MAX_ASSETS];
                    let mut buy = [0.0; MAX_ASSETS];
                    for k in 0..n {
                        let d = total * target.weights()[k] - h.values()[k];
                        if d > 0.0 {
                            buy[k] = d;
                        } else {
                            sell[k] = -d;
                        }
                    }
                    self.trade(hh, i, &sell[..n], &buy[..n], step, policy, &mut trades);
                }
            }
            AccountRebalancing::AdvantagedFirst => {
                let now = self.household();
                let mut delta = [0.0; MAX_ASSETS];
                for ((d, &want), &have) in delta.iter_mut().zip(desired.values()).zip(now.values())
                {
                    *d = want - have;
                }
                // Seed 004's decision table: an overweight position at a loss in the taxable
                // account is sold there first (a harvest that rebalances at no tax cost).
                let t = hh.taxable;
                let mut sell = [0.0; MAX_ASSETS];
                let losses_first = policy.lot_method == LotMethod::TaxOptimal;
                for (k, s) in sell[..n].iter_mut().enumerate() {
                    if losses_first && delta[k] < 0.0 {
                        *s = (-delta[k]).min(self.loss_value(k));
                    }
                }
                let amount: f64 = sell[..n]
                    .iter()
                    .sum::<f64>()
                    .min(delta[..n].iter().map(|d| d.max(0.0)).sum::<f64>());
                if amount > DUST {
                    let total: f64 = sell[..n].iter().sum();
                    let to_buy: f64 = delta[..n].iter().map(|d| d.max(0.0)).sum();
                    let mut buy = [0.0; MAX_ASSETS];
                    for k in 0..n {
                        sell[k] *= amount / total;
                        buy[k] = delta[k].max(0.0) * amount / to_buy;
                        delta[k] += sell[k] - buy[k];
                    }
                    self.trade(hh, t, &sell[..n], &buy[..n], step, policy, &mut trades);
                }
                let mut order = [0usize; MAX_ACCOUNTS];
                let m = self.accounts.len();
                for (i, o) in order[..m].iter_mut().enumerate() {
                    *o = i;
                }
                order[..m].sort_by_key(|&i| (hh.accounts[i].kind.trade_order(), i));
                for &i in &order[..m] {
                    let h = &self.accounts[i];
                    let can_sell: f64 = (0..n)
                        .map(|k| (-delta[k]).max(0.0).min(h.values()[k]))
                        .sum();
                    let to_buy: f64 = delta[..n].iter().map(|d| d.max(0.0)).sum();
                    let amount = can_sell.min(to_buy);
                    if amount <= DUST {
                        continue;
                    }
                    let mut sell = [0.0; MAX_ASSETS];
                    let mut buy = [0.0; MAX_ASSETS];
                    for k in 0..n {
                        sell[k] = (-delta[k]).max(0.0).min(h.values()[k]) * amount / can_sell;
                        buy[k] = delta[k].max(0.0) * amount / to_buy;
                        delta[k] += sell[k] - buy[k];
                    }
                    self.trade(hh, i, &sell[..n], &buy[..n], step, policy, &mut trades);
                }
            }
        }
        trades
    }

    #[allow(clippy::too_many_arguments)]
    fn trade(
        &mut self,
        hh: &Household,
        i: usize,
        sell: &[f64],
        buy: &[f64],
        step: u32,
        policy: &TaxPolicy,
        trades: &mut Trades,
    ) {
        let sold = self.sell_in(hh, i, sell, step, policy);
        let bought: f64 = buy.iter().sum();
        // Buys are scaled to what the sells raised (equal up to float dust).
        if bought > 0.0 {
            let scale = sold / bought;
            let mut b = [0.0; MAX_ASSETS];
            for (x, &y) in b.iter_mut().zip(buy) {
                *x = y * scale;
            }
            self.buy_in(hh, i, &b[..buy.len()], step);
        }
        let legs = sell.iter().chain(buy).filter(|&&x| x > DUST).count() as u32;
        trades.legs += legs;
        trades.dollars += sold + sold.min(bought);
        self.out.traded[treatment_index(treatment(hh.accounts[i].kind))] += sold + sold.min(bought);
    }

    /// Value of the taxable account's lots of `asset` that stand below their cost basis.
    fn loss_value(&self, asset: usize) -> f64 {
        let price = self.lots.price(asset);
        self.lots
            .lots_of(asset)
            .iter()
            .map(|l| l.shares * price)
            .zip(self.lots.lots_of(asset).iter().map(|l| l.basis))
            .filter(|(value, basis)| value < basis)
            .map(|(value, _)| value)
            .sum()
    }

    // ---- the two primitive moves -------------------------------------------------------

    /// Sells `sell[k]` dollars of each asset in account `i`; returns the proceeds. In the
    /// taxable account lots are relieved by the policy's method and gains recorded.
    #[inline]
    fn sell_in(&mut self, hh: &Household, i: usize, sell: &[f64], step: u32, p: &TaxPolicy) -> f64 {
        let mut proceeds = 0.0;
        if i == hh.taxable {
            let mut realized = Realized::default();
            for (k, &s) in sell.iter().enumerate() {
                if s > DUST {
                    let before = self.lots.value(k);
                    realized +=
                        self.lots
                            .sell(k, s, step, p.lot_method, p.sale_rates, &mut self.wash);
                    proceeds += before - self.lots.value(k);
                }
            }
            self.ledger.realized += realized;
            self.sync_taxable(hh);
        } else {
            for (v, &s) in self.accounts[i].values_mut().iter_mut().zip(sell) {
                let s = s.min(*v).max(0.0);
                *v -= s;
                proceeds += s;
            }
        }
        proceeds
    }

    /// Buys `buy[k]` dollars of each asset in account `i`.
    #[inline]
    fn buy_in(&mut self, hh: &Household, i: usize, buy: &[f64], step: u32) {
        if i == hh.taxable {
            for (k, &b) in buy.iter().enumerate() {
                if b > DUST {
                    self.lots.buy(k, b, step, &mut self.wash);
                }
            }
            self.sync_taxable(hh);
        } else {
            for (k, (v, &b)) in self.accounts[i]
                .values_mut()
                .iter_mut()
                .zip(buy)
                .enumerate()
            {
                *v += b;
                if b > DUST {
                    // A purchase of the same fund in an IRA or 401(k) inside the window
                    // disallows a taxable loss for good (Rev. Rul. 2008-5).
                    self.wash.record_ira_purchase(k, 0, step, b);
                }
            }
        }
    }

    /// Buys `amount` in account `i`, split over assets as the routing would for the whole
    /// household (so contributions move the household toward target). (Index loop on
    /// purpose: the zipped form measured 0.7% more instructions in a taxed run.)
    #[allow(clippy::needless_range_loop)]
    #[inline]
    fn buy_routed(
        &mut self,
        hh: &Household,
        i: usize,
        amount: f64,
        step: u32,
        target: &TargetAllocation,
        routing: CashFlowRouting,
    ) {
        let mut h = self.household();
        let before = h;
        rebalance::contribute(&mut h, amount, target, routing);
        let n = h.len();
        let mut buy = [0.0; MAX_ASSETS];
        for k in 0..n {
            buy[k] = h.values()[k] - before.values()[k];
        }
        self.buy_in(hh, i, &buy[..n], step);
    }
}

/// The accounts by the rank spending draws on them, stable within a rank.
fn spending_order(hh: &Household) -> [u8; MAX_ACCOUNTS] {
    assert!(
        hh.accounts.len() <= MAX_ACCOUNTS,
        "at most {MAX_ACCOUNTS} accounts"
    );
    let mut order = [0u8; MAX_ACCOUNTS];
    for (o, i) in order.iter_mut().zip(0u8..) {
        *o = i;
    }
    let n = hh.accounts.len();
    order[..n].sort_by_key(|&i| hh.accounts[usize::from(i)].kind.spending_order());
    order
}

/// Whether a distribution from this account in this year owes the 10% additional tax of
/// IRC §72(t): before age 59½, except from the 401(k) of an employee who left the employer
/// in or after the year they turned 55 (the "rule of 55", 401(k) only, not IRAs).
fn early_distribution(hh: &Household, kind: AccountKind, who: usize, year: u32) -> bool {
    let Some(age) = hh.age(who, year) else {
        return false;
    };
    // Ages are at year end; a person who turns 60 this year reached 59½ during it (the
    // simulation does not know birthdays, so the year they turn 60 counts as free).
    if age >= 60 {
        return false;
    }
    // The rule of 55 needs the separation from service behind (no in-service withdrawal
    // is spared) and to have happened in or after the year the owner turned 55. Both
    // people stop working in the household's retirement year.
    let rule_of_55 = kind == AccountKind::K401
        && year >= hh.retire_year
        && hh.age(who, hh.retire_year).is_some_and(|a| a >= 55);
    !rule_of_55
}

#[cfg(test)]
mod tests {
    //! Seed 004's decision table for which account absorbs a rebalancing trade.
    use super::*;
    use crate::scenario;
    use std::path::Path;

    /// Seed 003's household, 70/30: a 401(k) of $300k, a taxable account of $400k (all
    /// stocks after location) at cost basis `basis` x value. Monthly steps, flat market.
    fn household(basis: f64) -> (Household, TargetAllocation) {
        let toml = format!(
            r#"
version = 1
[simulation]
paths = 1
years = 1
[market]
model = "parametric"
inflation_mean = 0.0
[[asset]]
name = "stocks"
target = 0.7
mean = 0.0
vol = 0.0
[[asset]]
name = "bonds"
target = 0.3
mean = 0.0
vol = 0.0
yield = 0.04
income = "ordinary"
[household]
age = 60
[[account]]
name = "401k"
kind = "401k"
balance = 300000
[[account]]
name = "brokerage"
kind = "taxable"
balance = 400000
basis = {basis}
[[strategy]]
name = "s"
rebalance = "none"
"#
        );
        parse(&toml)
    }

    /// The household and target of a scenario's text.
    fn parse(toml: &str) -> (Household, TargetAllocation) {
        let sim = scenario::parse(toml, "t.toml", "t", Path::new("."))
            .unwrap()
            .simulation;
        (sim.household.unwrap(), sim.target)
    }

    /// Stocks move by `stock_gross` (bonds flat), then the household rebalances to target.
    fn drift_and_rebalance(basis: f64, stock_gross: f64) -> (AccountBook, Household) {
        let (hh, target) = household(basis);
        let mut book = AccountBook::new(&hh, 2, 12);
        book.reset(&hh);
        // The 401(k) holds all the bonds (210k) and 90k of stocks; taxable 400k stocks.
        assert_eq!(book.account(0).values(), &[90_000.0, 210_000.0]);
        let no_yield = Household {
            income: [crate::household::AssetIncome {
                yield_rate: 0.0,
                qualified: true,
            }; MAX_ASSETS],
            ..hh.clone()
        };
        book.grow(&no_yield, &[stock_gross, 1.0], None, 0);
        let total = book.total();
        let desired = Holdings::at_weights(total, target.weights());
        book.rebalance(&hh, &TaxPolicy::default(), &desired, &target, 0);
        let h = book.household();
        assert!((h.values()[0] - 0.7 * total).abs() < 1e-6);
        (book, hh)
    }

    /// A household from its `[household]` body and a 401(k) for each person.
    fn couple(household: &str) -> Household {
        let accounts = r#"
[[account]]
name = "401k"
kind = "401k"
balance = 100000
[[account]]
name = "spouse 401k"
kind = "401k"
owner = "spouse"
balance = 100000
[[account]]
name = "ira"
kind = "traditional_ira"
balance = 100000
"#;
        let people = format!("[household]\n{household}\n[taxes]\nfiling_status = \"mfj\"");
        crate::household::test_household(&people, accounts, 10)
    }

    #[test]
    fn the_rule_of_55_needs_separation_from_service_in_or_after_the_year_of_55() {
        // 50 and 57, retiring in two years (the primary is then 52, the spouse 59).
        let hh = couple(
            "age = 50
spouse_age = 57
retirement_age = 52",
        );
        let early = |who, kind, year| early_distribution(&hh, kind, who, year);
        let k401 = AccountKind::K401;
        // Still working: an in-service withdrawal is early for both, 57 or not.
        assert!(early(0, k401, 0) && early(1, k401, 1));
        // Separated: the spouse (59 in the separation year) is spared in the 401(k) only;
        // the primary (52) is not.
        assert!(!early(1, k401, 2));
        assert!(early(1, AccountKind::TraditionalIra, 2));
        assert!(early(0, k401, 2) && early(0, k401, 7));
        // 59 1/2: the year the primary turns 60 is free.
        assert!(!early(0, k401, 10));
    }

    #[test]
    fn tax_ages_come_from_the_birth_year() {
        // 64 on 1 January 2026, born 1961: 65 at the end of 2026, RMDs from 75 (2036).
        let hh = couple(
            "age = 64
birth_year = 1961
spouse_age = 60",
        );
        assert_eq!(hh.age(0, 0), Some(65));
        assert_eq!(hh.rmd_age[0], 75);
        assert_eq!(hh.age(1, 3), Some(63));
        // Without a birth year the age given is the age reached in 2026.
        assert_eq!(
            couple(
                "age = 64
spouse_age = 60"
            )
            .age(0, 0),
            Some(64)
        );
    }

    #[test]
    fn a_drift_the_401k_can_absorb_is_corrected_there_at_no_tax() {
        // Stocks +10%: 539k of 749k (72%); selling 14.7k of stocks fits in the 401(k).
        let (book, _) = drift_and_rebalance(0.5, 1.1);
        assert_eq!(book.out.traded[2], 0.0);
        assert!(book.out.traded[0] > 0.0);
        assert_eq!(book.ledger.realized.short + book.ledger.realized.long, 0.0);
    }

    #[test]
    fn a_drift_beyond_the_401k_spills_into_taxable_only_for_the_rest() {
        // Stocks x3: 1.47M of 1.68M, so 294k must be sold; the 401(k) holds 270k of them.
        let (book, _) = drift_and_rebalance(0.5, 3.0);
        let total = 1_470_000.0 + 210_000.0;
        let sell = 1_470_000.0 - 0.7 * total;
        assert!((book.out.traded[0] - 2.0 * 270_000.0).abs() < 1e-6);
        // The taxable account sells only what the 401(k) could not: the rest.
        assert!((book.out.traded[2] - 2.0 * (sell - 270_000.0)).abs() < 1e-6);
        // Its gain: basis is half of the starting value, so (1 - 0.5/3) of the proceeds.
        let gain = book.ledger.realized.short + book.ledger.realized.long;
        assert!((gain - (sell - 270_000.0) * (1.0 - 0.5 / 3.0)).abs() < 1e-6);
    }

    /// A spending withdrawal from the taxable account sells the lots the strategy's lot
    /// method picks. Two stock lots: 400k bought at step 0 at basis 0.5 (200k), grown to
    /// 800k; then 100k bought a year later (step 12; buys within a year merge) at today's
    /// price. $50k is withdrawn at step 14. Returns the realized (short, long) gains.
    fn withdrawal_gains(lot_method: LotMethod) -> (f64, f64) {
        let (hh, target) = household(0.5);
        let mut book = AccountBook::new(&hh, 2, 12);
        book.reset(&hh);
        book.lots.grow(&[2.0, 1.0]);
        book.lots.buy(0, 100_000.0, 12, &mut book.wash);
        book.sync_taxable(&hh);
        let policy = TaxPolicy {
            lot_method,
            ..TaxPolicy::default()
        };
        let routing = CashFlowRouting::MostOffTarget;
        let paid = book.withdraw(&hh, &policy, 50_000.0, 14, 1, &target, routing);
        assert_eq!(paid, 50_000.0);
        // Taxable first: the 401(k) is untouched, the stocks came out of the brokerage.
        assert_eq!(book.account(0).values(), &[90_000.0, 210_000.0]);
        assert!((book.account(1).values()[0] - 850_000.0).abs() < 1e-6);
        (book.ledger.realized.short, book.ledger.realized.long)
    }

    #[test]
    fn a_withdrawal_sells_the_lots_the_strategys_lot_method_picks() {
        // FIFO: the old lot, long-term, 3/4 of it gain.
        let (short, long) = withdrawal_gains(LotMethod::Fifo);
        assert_eq!(short, 0.0);
        assert!((long - 37_500.0).abs() < 1e-6, "{long}");
        // HIFO and tax-optimal: the new lot, bought at today's price, so no gain.
        for method in [LotMethod::Hifo, LotMethod::TaxOptimal] {
            let (short, long) = withdrawal_gains(method);
            assert!(
                short.abs() < 1e-6 && long == 0.0,
                "{method:?}: {short} {long}"
            );
        }
    }

    #[test]
    fn an_overweight_position_at_a_loss_in_taxable_is_sold_there_first() {
        // Basis 1.5x value: the taxable stocks stand at a loss; stocks +10% leaves them still
        // below basis (1.1 < 1.5). The rebalance sells them in taxable and realizes a loss.
        let (book, _) = drift_and_rebalance(1.5, 1.1);
        assert!(book.out.traded[2] > 0.0);
        assert_eq!(book.out.traded[0], 0.0);
        assert!(book.ledger.realized.short + book.ledger.realized.long < 0.0);
    }

    #[test]
    fn a_loss_washed_by_the_year_end_reinvestment_is_added_back_in_the_same_year() {
        // The loss sale above (value 440k against basis 600k: 160 / 440 of every dollar sold
        // is loss), then $10,000 of idle cash reinvested at year end at the household's 70/30:
        // $7,000 of the same stock fund on the same step washes the loss on $7,000 of the
        // proceeds, 7,000 x 160 / 440 = 2,545.45, which belongs to this year's gains.
        let (mut book, hh) = drift_and_rebalance(1.5, 1.1);
        let loss = book.ledger.realized.short + book.ledger.realized.long;
        book.cash = 10_000.0;
        book.end_year(&hh, 0, 1, 0.0, 0.0);
        let washed = book.out.realized_gains - loss;
        assert!((washed - 7_000.0 * 160.0 / 440.0).abs() < 1e-6, "{washed}");
    }

    /// A fresh book for `people` (their `[household]` text) and `accounts` over `years`,
    /// with the household and a one-asset target.
    fn fresh_book(
        people: &str,
        accounts: &str,
        years: u32,
    ) -> (AccountBook, Household, TargetAllocation) {
        let hh = crate::household::test_household(people, accounts, years);
        let mut book = AccountBook::new(&hh, 1, 12);
        book.reset(&hh);
        (book, hh, TargetAllocation::new(&[1.0]).unwrap())
    }

    /// A single person of `age` (retired) with `accounts`.
    fn retiree(age: u32, accounts: &str) -> (AccountBook, Household, TargetAllocation) {
        let people = format!("[household]\nage = {age}\nretirement_age = {age}");
        fresh_book(&people, accounts, 10)
    }

    /// A policy converting $20,000 a year to Roth from 60 to 70.
    fn converting_20k() -> TaxPolicy {
        TaxPolicy {
            conversion: Some(crate::household::RothConversion {
                amount: ConversionAmount::Fixed(20_000.0),
                from_age: 60,
                to_age: 70,
            }),
            ..TaxPolicy::default()
        }
    }

    const IRA_WITH_BASIS: &str =
        "[[account]]\nname = \"ira\"\nkind = \"traditional_ira\"\nbalance = 100000\nbasis = 0.25\n";

    #[test]
    fn ira_basis_comes_out_pro_rata_and_tax_free() {
        // $25,000 of after-tax money in a $100,000 IRA (Form 8606): a quarter of every
        // withdrawal is tax-free, and the share stays a quarter as the basis is used up.
        let (mut book, hh, target) = retiree(66, IRA_WITH_BASIS);
        let p = TaxPolicy::default();
        let routing = CashFlowRouting::ProRata;
        for taken in [10_000.0, 20_000.0] {
            assert!(close(
                book.withdraw(&hh, &p, 10_000.0, 0, 0, &target, routing),
                10_000.0
            ));
            assert!(
                close(book.ledger.ordinary, taken * 0.75),
                "{}",
                book.ledger.ordinary
            );
        }
        assert!(close(book.ira_basis[0], 20_000.0));
        // After tax at the horizon: the basis left is not taxed again.
        book.finish(&hh, 1.0);
        let want = 80_000.0 - 60_000.0 * hh.after_tax_rate;
        assert!(
            close(book.out.after_tax_real, want),
            "{}",
            book.out.after_tax_real
        );
        // Before 59 1/2 only the taxable part owes the 10%.
        let (mut book, hh, target) = retiree(50, IRA_WITH_BASIS);
        book.withdraw(&hh, &p, 10_000.0, 0, 0, &target, routing);
        assert!(close(book.ledger.early, 7_500.0), "{}", book.ledger.early);
    }

    #[test]
    fn rmds_and_conversions_carry_ira_basis_out_pro_rata() {
        // 75 with a $100,000 401(k) and the IRA above: the RMD, 200,000 / 24.6, comes half
        // from each; a quarter of the IRA half is basis.
        let accounts = format!(
            "[[account]]\nname = \"401k\"\nkind = \"401k\"\nbalance = 100000\n{IRA_WITH_BASIS}"
        );
        let (mut book, hh, _) = retiree(75, &accounts);
        book.start_year(&hh, &TaxPolicy::default(), 0, 1.0, false, 12);
        let rmd = 200_000.0 / 24.6;
        assert!(close(book.out.rmds, rmd), "{}", book.out.rmds);
        assert!(close(book.ledger.ordinary, rmd - rmd / 2.0 * 0.25));
        assert!(close(book.ira_basis[0], 25_000.0 - rmd / 2.0 * 0.25));
        // A $20,000 conversion from the IRA (listed before the Roth): $5,000 is basis.
        let accounts = format!(
            "{IRA_WITH_BASIS}[[account]]\nname = \"roth\"\nkind = \"roth_ira\"\nbalance = 0\n"
        );
        let (mut book, hh, _) = retiree(66, &accounts);
        book.start_year(&hh, &converting_20k(), 0, 1.0, false, 12);
        assert!(close(book.out.conversions, 20_000.0));
        assert!(
            close(book.ledger.ordinary, 15_000.0),
            "{}",
            book.ledger.ordinary
        );
        assert!(close(book.account(1).total(), 20_000.0) && close(book.ira_basis[0], 20_000.0));
    }

    #[test]
    fn non_deductible_ira_contributions_become_basis_step_by_step() {
        // The contributions module's case: 50, $100,000 of pay, $10,000 into the 401(k),
        // $7,500 into the IRA of which $6,640 is not deductible, paid in twelve steps.
        let people = "[household]\nage = 50\nretirement_age = 60\nwages = 100000";
        let accounts = "[[account]]\nname = \"401k\"\nkind = \"401k\"\nbalance = 0\n\
            contribution = 10000\n[[account]]\nname = \"ira\"\nkind = \"traditional_ira\"\n\
            balance = 0\ncontribution = 7500\n";
        let (mut book, hh, target) = fresh_book(people, accounts, 10);
        book.start_year(&hh, &TaxPolicy::default(), 0, 1.0, true, 12);
        for step in 0..12 {
            book.contribute(&hh, step, &target, CashFlowRouting::ProRata);
        }
        assert!(close(book.ira_basis[0], 6_640.0), "{}", book.ira_basis[0]);
        assert!(close(book.ledger.wages, 89_140.0), "{}", book.ledger.wages);
        assert!(close(book.account(1).total(), 7_500.0));
    }

    #[test]
    fn a_conversion_goes_to_the_owners_own_roth_ira() {
        // The spouse's IRA converts into the spouse's Roth IRA, not the first one listed.
        let people = "[household]\nage = 66\nspouse_age = 64\nretirement_age = 66\n\
            [taxes]\nfiling_status = \"mfj\"";
        let accounts = "[[account]]\nname = \"roth\"\nkind = \"roth_ira\"\nbalance = 0\n\
            [[account]]\nname = \"ira\"\nkind = \"traditional_ira\"\nowner = \"spouse\"\n\
            balance = 50000\n[[account]]\nname = \"spouse roth\"\nkind = \"roth_ira\"\n\
            owner = \"spouse\"\nbalance = 0\n";
        let (mut book, hh, _) = fresh_book(people, accounts, 10);
        book.start_year(&hh, &converting_20k(), 0, 1.0, false, 12);
        assert_eq!(book.account(0).total(), 0.0);
        assert!(
            close(book.account(2).total(), 20_000.0) && close(book.account(1).total(), 30_000.0)
        );
        assert!(close(book.ledger.ordinary, 20_000.0));
    }

    #[test]
    fn a_backdoor_roth_is_tax_free_only_without_pre_tax_ira_money() {
        // $7,500 through the back door at MAGI 200,000: with no other IRA the conversion is
        // all basis; beside a $92,500 pre-tax IRA only 7,500 / 100,000 of it is (the pro
        // rata rule): $562.50 is tax-free, $6,937.50 is income, and $6,937.50 of basis
        // stays in the traditional IRA.
        let people = "[household]\nage = 45\nretirement_age = 60\nwages = 200000";
        let roth = "[[account]]\nname = \"roth\"\nkind = \"roth_ira\"\nbalance = 0\n\
            contribution = 7500\nbackdoor = true\n";
        let ira = "[[account]]\nname = \"ira\"\nkind = \"traditional_ira\"\nbalance = 92500\n";
        for (accounts, income, basis_left) in [
            (roth.to_string(), 0.0, 0.0),
            (format!("{roth}{ira}"), 6_937.5, 6_937.5),
        ] {
            let (mut book, hh, _) = fresh_book(people, &accounts, 30);
            book.start_year(&hh, &TaxPolicy::default(), 0, 1.0, true, 12);
            assert!(
                close(book.ledger.ordinary, income),
                "{}",
                book.ledger.ordinary
            );
            assert!(
                close(book.ira_basis[0], basis_left),
                "{}",
                book.ira_basis[0]
            );
            assert!(close(book.out.conversions, 7_500.0) && close(book.excess, 0.0));
            assert!(close(book.contribution[0] * 12.0, 7_500.0));
        }
    }

    fn close(got: f64, want: f64) -> bool {
        (got - want).abs() < 1e-6
    }
}
