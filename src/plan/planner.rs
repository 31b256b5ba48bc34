//! Builds a trade plan from validated holdings for one mode: full rebalance, contributions
//! only, one-time over-contribution, or bands. The result ([`Plan`]) is what every output
//! format renders.

use super::PlanMode;
use super::date::Date;
use super::error::PlanError;
use super::holdings::{AccountKind, BandTarget, BandsInput, FilingStatus, Holdings, HsaCoverage};
use super::limits::{self, IncomeRule, IraDeduction, LIMITS_YEAR, LimitCheck, LimitGroup};
use super::lots;
use super::money::{self, Rounding, cents, fmt_money, split_exact};
use super::tax::{self, Rates, TaxEstimate};
use super::trades::{self, Allocation};
use super::wash;
use crate::tax::income_limits::{ROTH_CATCH_UP_WAGES, roth_ira_range};
use rust_decimal::Decimal;
use serde::Serialize;

/// Choices that override the holdings file (from the command line).
#[derive(Debug, Clone, Default)]
pub struct Options {
    pub mode: Option<PlanMode>,
    pub plan_date: Option<Date>,
    pub rounding: Option<Rounding>,
    pub contribution: Option<Decimal>,
    pub account: Option<String>,
    /// Band half-widths as fractions (0.05 = 5 percentage points / 5% of the target).
    pub band_absolute: Option<Decimal>,
    pub band_relative: Option<Decimal>,
    pub band_to: Option<BandTarget>,
}

/// Buy or sell.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Action {
    Buy,
    Sell,
}

impl Action {
    pub fn name(self) -> &'static str {
        match self {
            Action::Buy => "buy",
            Action::Sell => "sell",
        }
    }
}

/// One asset class of the household, before and after the plan.
#[derive(Debug, Clone, Serialize)]
pub struct AssetRow {
    pub asset: String,
    #[serde(rename = "target_pct", serialize_with = "money::ser_pct")]
    pub target: Decimal,
    #[serde(serialize_with = "money::ser_money")]
    pub before: Decimal,
    #[serde(rename = "before_pct", serialize_with = "money::ser_pct")]
    pub before_share: Decimal,
    /// Net household trade (+ buy, - sell).
    #[serde(serialize_with = "money::ser_money")]
    pub trade: Decimal,
    #[serde(serialize_with = "money::ser_money")]
    pub after: Decimal,
    #[serde(rename = "after_pct", serialize_with = "money::ser_pct")]
    pub after_share: Decimal,
    /// Bands mode: the band (as fractions) and whether the class was outside it.
    #[serde(
        rename = "band_low_pct",
        serialize_with = "money::ser_opt_pct",
        skip_serializing_if = "Option::is_none"
    )]
    pub band_low: Option<Decimal>,
    #[serde(
        rename = "band_high_pct",
        serialize_with = "money::ser_opt_pct",
        skip_serializing_if = "Option::is_none"
    )]
    pub band_high: Option<Decimal>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub outside_band: Option<bool>,
}

/// One asset class within an account.
#[derive(Debug, Clone, Serialize)]
pub struct AccountAsset {
    pub asset: String,
    #[serde(serialize_with = "money::ser_money")]
    pub before: Decimal,
    #[serde(serialize_with = "money::ser_money")]
    pub trade: Decimal,
    #[serde(serialize_with = "money::ser_money")]
    pub after: Decimal,
}

/// One account, before and after the plan.
#[derive(Debug, Clone, Serialize)]
pub struct AccountPlan {
    pub name: String,
    pub kind: AccountKind,
    pub assets: Vec<AccountAsset>,
    #[serde(serialize_with = "money::ser_money")]
    pub total_before: Decimal,
    #[serde(serialize_with = "money::ser_money")]
    pub total_after: Decimal,
    #[serde(serialize_with = "money::ser_money")]
    pub sold: Decimal,
    #[serde(serialize_with = "money::ser_money")]
    pub bought: Decimal,
    /// New money added to this account (contribution modes).
    #[serde(serialize_with = "money::ser_money")]
    pub new_money: Decimal,
}

/// One trade, in the order to place them (per account: sells first, then buys).
#[derive(Debug, Clone, Serialize)]
pub struct TradeRow {
    pub account: String,
    pub kind: AccountKind,
    pub action: Action,
    pub asset: String,
    #[serde(serialize_with = "money::ser_money")]
    pub amount: Decimal,
}

/// The part of one lot sold.
#[derive(Debug, Clone, Serialize)]
pub struct LotSaleRow {
    pub account: String,
    pub asset: String,
    /// The lot's TOML path, e.g. `accounts[3].lots[1]`.
    pub lot: String,
    pub acquired: Date,
    #[serde(serialize_with = "money::ser_money")]
    pub amount: Decimal,
    #[serde(serialize_with = "money::ser_money")]
    pub basis: Decimal,
    #[serde(serialize_with = "money::ser_money")]
    pub gain: Decimal,
    /// `long-term` or `short-term`.
    pub term: &'static str,
    pub whole_lot: bool,
}

/// Realized gains and the tax estimate.
#[derive(Debug, Clone, Serialize)]
pub struct TaxReport {
    pub rates: Rates,
    pub lot_order: String,
    #[serde(flatten)]
    pub estimate: TaxEstimate,
}

/// How new money is split (contributions and over-contribution modes).
#[derive(Debug, Clone, Serialize)]
pub struct SplitRow {
    pub asset: String,
    #[serde(serialize_with = "money::ser_money")]
    pub amount: Decimal,
    /// Share of the contribution, as a fraction (the allocation to give the plan's
    /// contribution election, seed 001's "change future allocations").
    #[serde(rename = "share_pct", serialize_with = "money::ser_pct")]
    pub share: Decimal,
}

#[derive(Debug, Clone, Serialize)]
pub struct ContributionReport {
    pub account: String,
    pub kind: AccountKind,
    #[serde(serialize_with = "money::ser_money")]
    pub amount: Decimal,
    pub split: Vec<SplitRow>,
    /// New money that brings the household exactly to target without selling.
    #[serde(serialize_with = "money::ser_opt_money")]
    pub needed_to_reach_target: Option<Decimal>,
    pub reaches_target: bool,
    pub limit: Option<LimitCheck>,
    /// The Roth IRA income limit or the Roth catch-up wage test, when it applies.
    pub income_rule: Option<IncomeRule>,
    /// A traditional IRA contribution's deductible part, when the file gives what it needs.
    pub ira_deduction: Option<IraDeduction>,
    pub method: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct BandReport {
    #[serde(rename = "absolute_pp", serialize_with = "money::ser_opt_pct")]
    pub absolute: Option<Decimal>,
    #[serde(rename = "relative_pct", serialize_with = "money::ser_opt_pct")]
    pub relative: Option<Decimal>,
    pub rebalance_to: BandTarget,
    pub outside: Vec<String>,
}

/// A complete trade plan.
#[derive(Debug, Clone, Serialize)]
pub struct Plan {
    pub file: String,
    pub name: Option<String>,
    pub mode: PlanMode,
    pub plan_date: Date,
    /// Where the plan date came from: the file, the command line, or today's date.
    pub plan_date_from: &'static str,
    pub rounding: &'static str,
    pub rounding_rule: String,
    #[serde(serialize_with = "money::ser_money")]
    pub total_before: Decimal,
    #[serde(serialize_with = "money::ser_money")]
    pub new_money: Decimal,
    #[serde(serialize_with = "money::ser_money")]
    pub total_after: Decimal,
    pub household: Vec<AssetRow>,
    pub accounts: Vec<AccountPlan>,
    pub trades: Vec<TradeRow>,
    pub lot_sales: Vec<LotSaleRow>,
    pub taxes: Option<TaxReport>,
    pub contribution: Option<ContributionReport>,
    pub bands: Option<BandReport>,
    pub warnings: Vec<String>,
    pub notes: Vec<String>,
}

impl Plan {
    /// The trade of `asset` in account `account` (0 if none), by name; for tests and tools.
    pub fn trade(&self, account: &str, asset: &str) -> Decimal {
        self.accounts
            .iter()
            .find(|a| a.name == account)
            .and_then(|a| a.assets.iter().find(|x| x.asset == asset))
            .map(|x| x.trade)
            .unwrap_or(Decimal::ZERO)
    }

    /// The household row of `asset`.
    pub fn asset(&self, asset: &str) -> Option<&AssetRow> {
        self.household.iter().find(|a| a.asset == asset)
    }
}

fn share(part: Decimal, whole: Decimal) -> Decimal {
    if whole.is_zero() {
        Decimal::ZERO
    } else {
        part / whole
    }
}

/// The owner's age on 31 December of the plan year (the age catch-ups are judged at).
fn owner_age(h: &Holdings, year: i32) -> Result<Option<u32>, PlanError> {
    let o = &h.owner;
    let from_birth = match o.birth_year {
        Some(b) => {
            let age = year - b;
            if age < 0 {
                return Err(h.error(
                    "owner.birth_year",
                    o.age_span.clone(),
                    format!("birth year {b} is after the plan year {year}"),
                ));
            }
            u32::try_from(age).ok()
        }
        None => None,
    };
    match (o.age, from_birth) {
        (Some(a), Some(b)) if a != b => Err(h.error(
            "owner.age",
            o.age_span.clone(),
            format!("age {a} does not match birth_year (age {b} on 31 December {year}); give one of them, or make them agree"),
        )),
        (Some(a), _) => Ok(Some(a)),
        (None, b) => Ok(b),
    }
}

/// The rule of income that narrows `c`'s limit for a contribution to an account of `kind`,
/// if one applies and the holdings file gives the income it needs (else a note says so).
fn income_rule(
    h: &Holdings,
    kind: AccountKind,
    c: &LimitCheck,
    amount: Decimal,
    notes: &mut Vec<String>,
) -> Option<IncomeRule> {
    let already = |k: AccountKind| contributed_this_year(h, k);
    match kind {
        AccountKind::RothIra => {
            let Some(magi) = h.owner.magi else {
                let range = |f| {
                    let (low, high) = roth_ira_range::<Decimal>(f);
                    format!("{}-{}", fmt_money(low), fmt_money(high))
                };
                notes.push(format!(
                    "Roth IRA contributions phase out with modified AGI (2026: {} single, {} married filing jointly): give [owner] magi to check",
                    range(FilingStatus::Single),
                    range(FilingStatus::Mfj)
                ));
                return None;
            };
            let filing = filing_or_single(h, "Roth IRA", notes);
            Some(limits::roth_ira_rule(
                c.limit.total,
                magi,
                filing,
                already(AccountKind::RothIra),
                amount,
            ))
        }
        AccountKind::K401 if !c.limit.catch_up.is_zero() => {
            let traditional = already(AccountKind::K401);
            match h.owner.prior_year_wages {
                Some(w) => limits::roth_catch_up_rule(c.limit.base, w, traditional, amount),
                None => {
                    if traditional + amount > c.limit.base {
                        notes.push(format!(
                            "this uses catch-up room in a traditional 401(k): if last year's FICA wages from this employer exceeded {}, catch-ups must go to a Roth 401(k) (SECURE 2.0 §603); give [owner] prior_year_wages to check",
                            fmt_money(Decimal::from(ROTH_CATCH_UP_WAGES))
                        ));
                    }
                    None
                }
            }
        }
        _ => None,
    }
}

/// The filing status whose phase-out range applies: the file's, or single with a note
/// naming the `rule` that assumed it.
fn filing_or_single(h: &Holdings, rule: &str, notes: &mut Vec<String>) -> FilingStatus {
    h.tax.filing_status.unwrap_or_else(|| {
        notes.push(format!(
            "the {rule} phase-out uses the single range; set [tax] filing_status if not single"
        ));
        FilingStatus::Single
    })
}

/// This year's contributions to the accounts of `kind`.
fn contributed_this_year(h: &Holdings, kind: AccountKind) -> Decimal {
    h.accounts
        .iter()
        .filter(|a| a.kind == kind)
        .map(|a| a.contributed_this_year)
        .sum()
}

/// How much of a traditional IRA contribution `amount` is deductible, if the holdings file
/// gives the modified AGI and workplace-plan coverage it needs (else a note says so).
fn ira_deduction(
    h: &Holdings,
    c: &LimitCheck,
    amount: Decimal,
    notes: &mut Vec<String>,
) -> Option<IraDeduction> {
    let (Some(magi), Some(plan)) = (h.owner.magi, h.owner.workplace_plan) else {
        notes.push("a traditional IRA contribution phases out of deductibility with modified AGI when the owner or a spouse is covered by a workplace plan (IRC §219(g)): give [owner] magi and workplace_plan to check".into());
        return None;
    };
    let filing = filing_or_single(h, "IRA deduction", notes);
    Some(limits::ira_deduction(
        c.limit.total,
        magi,
        filing,
        plan,
        contributed_this_year(h, AccountKind::TraditionalIra),
        c.limit.total - c.already_contributed,
        amount,
    ))
}

/// Which account receives a contribution.
fn contribution_account(h: &Holdings, o: &Options) -> Result<usize, PlanError> {
    if let Some(name) = &o.account {
        return h.account_index(name).ok_or_else(|| {
            PlanError::flag(
                "--account",
                format!(
                    "no account is named {name:?}; allowed: {}",
                    h.account_names()
                ),
            )
        });
    }
    if let Some(i) = h.contribution_account {
        return Ok(i);
    }
    if h.accounts.len() == 1 {
        return Ok(0);
    }
    Err(h.error(
        "contribution.account",
        None,
        format!(
            "this file has several accounts; name the one that receives the contribution with [contribution] account = \"...\" or --account (allowed: {})",
            h.account_names()
        ),
    ))
}

/// Builds the plan.
pub fn build(h: &Holdings, o: &Options) -> Result<Plan, PlanError> {
    let mode = o.mode.or(h.mode).unwrap_or(PlanMode::Rebalance);
    let r = o.rounding.or(h.rounding).unwrap_or_default();
    let (date, date_from) = match (o.plan_date, h.plan_date) {
        (Some(d), _) => (d, "command line"),
        (None, Some(d)) => (d, "file"),
        (None, None) => (
            Date::today_utc().ok_or_else(|| {
                h.error(
                    "plan_date",
                    None,
                    "no plan_date and the system clock is unusable; add plan_date = 2026-03-02",
                )
            })?,
            "today (UTC)",
        ),
    };
    for a in &h.accounts {
        for l in &a.lots {
            if l.acquired > date {
                return Err(h.error(
                    &format!("accounts[{}].lots[{}].acquired", a.index, l.index),
                    l.acquired_span.clone(),
                    format!("lot acquired {} is after the plan date {date}; allowed: a date on or before the plan date", l.acquired),
                ));
            }
        }
    }

    let n = h.assets.len();
    let hh = h.household();
    let total = h.total();
    let rates = Rates::from_input(&h.tax);
    let mut warnings = Vec::new();
    let mut notes = Vec::new();
    let mut contribution = None;
    let mut band_report = None;
    let mut band_rows: Option<(Vec<Decimal>, Vec<Decimal>, Vec<bool>)> = None;

    let alloc: Allocation = match mode {
        PlanMode::Rebalance | PlanMode::Bands => {
            let delta = if mode == PlanMode::Rebalance {
                let goals = trades::goals(&h.weights, total, r);
                goals
                    .iter()
                    .zip(&hh)
                    .map(|(g, x)| g - x)
                    .collect::<Vec<_>>()
            } else {
                let file = h.bands.clone().unwrap_or_default();
                let b = BandsInput {
                    absolute: o.band_absolute.or(if o.band_relative.is_some() {
                        None
                    } else {
                        file.absolute
                    }),
                    relative: o.band_relative.or(if o.band_absolute.is_some() {
                        None
                    } else {
                        file.relative
                    }),
                    to: o.band_to.unwrap_or(file.to),
                };
                if b.absolute.is_none() && b.relative.is_none() {
                    return Err(h.error(
                        "bands",
                        None,
                        "bands mode needs a band: [bands] absolute = \"5\" (percentage points) and/or relative = \"25\" (percent of the target), or --band / --band-relative",
                    ));
                }
                let (exact, outside) = trades::bands_trades(&hh, &h.weights, &b);
                let widths: Vec<Decimal> = h
                    .weights
                    .iter()
                    .map(|w| trades::band_half_width(*w, &b))
                    .collect();
                let lows = (0..n)
                    .map(|i| (h.weights[i] - widths[i]).max(Decimal::ZERO))
                    .collect();
                let highs = (0..n).map(|i| h.weights[i] + widths[i]).collect();
                band_rows = Some((lows, highs, outside.clone()));
                let names: Vec<String> = (0..n)
                    .filter(|&i| outside[i])
                    .map(|i| h.assets[i].clone())
                    .collect();
                if names.is_empty() {
                    notes.push("every asset class is inside its band: no trades".into());
                }
                band_report = Some(BandReport {
                    absolute: b.absolute,
                    relative: b.relative,
                    rebalance_to: b.to,
                    outside: names,
                });
                split_exact(&exact, Decimal::ZERO, r)
            };
            trades::allocate(h, &delta, date, &rates, r)?
        }
        PlanMode::Contributions | PlanMode::OverContribution => {
            let acct = contribution_account(h, o)?;
            let needed = trades::money_to_reach_target(&hh, &h.weights).map(|x| cents(x, r));
            let amount = if mode == PlanMode::Contributions {
                o.contribution.or(h.contribution_amount).ok_or_else(|| {
                    h.error("contribution.amount", None, "contributions mode needs the amount of new money: [contribution] amount = \"6000.00\" or --contribution 6000.00")
                })?
            } else {
                needed.ok_or_else(|| {
                    let i = (0..n).find(|&i| h.weights[i].is_zero() && hh[i] > Decimal::ZERO).unwrap_or(0);
                    h.error(
                        &format!("target.{}", super::source::key_segment(&h.assets[i])),
                        None,
                        format!("{:?} has a 0% target but is held; new money alone can never bring it to 0%, so an over-contribution cannot reach the target (use rebalance mode)", h.assets[i]),
                    )
                })?
            };
            let exact = trades::fill_buys(&hh, &h.weights, amount, &vec![true; n]);
            let buys = split_exact(&exact, amount, r);
            let mut t = vec![vec![Decimal::ZERO; n]; h.accounts.len()];
            t[acct] = buys.clone();
            let account = &h.accounts[acct];
            let limit = match LimitGroup::of(account.kind) {
                None => {
                    notes.push("taxable accounts have no contribution limit".into());
                    None
                }
                Some(group) => {
                    let age = owner_age(h, date.year())?;
                    if age.is_none() {
                        notes.push("owner age unknown: the limit check allows no catch-up contribution; give [owner] age or birth_year".into());
                    }
                    if date.year() != LIMITS_YEAR {
                        warnings.push(format!("the contribution limits used are the {LIMITS_YEAR} figures, but the plan date is in {}", date.year()));
                    }
                    let coverage = h.owner.hsa_coverage.unwrap_or(HsaCoverage::SelfOnly);
                    if group == LimitGroup::Hsa && h.owner.hsa_coverage.is_none() {
                        notes.push("HSA limit assumes self-only coverage; set [owner] hsa_coverage = \"family\" if not".into());
                    }
                    let already: Decimal = h
                        .accounts
                        .iter()
                        .filter(|a| LimitGroup::of(a.kind) == Some(group))
                        .map(|a| a.contributed_this_year)
                        .sum();
                    let c = limits::check(group, age, coverage, already, amount);
                    if c.exceeds {
                        warnings.push(format!(
                            "contribution limit: {}; {}",
                            c.summary, c.limit.source
                        ));
                    }
                    Some(c)
                }
            };
            let income_rule = limit
                .as_ref()
                .and_then(|c| income_rule(h, account.kind, c, amount, &mut notes));
            if let Some(r) = income_rule.as_ref().filter(|r| r.exceeds) {
                warnings.push(format!("{}; {}", r.summary, r.source));
            }
            let ira_deduction = match (account.kind, limit.as_ref()) {
                (AccountKind::TraditionalIra, Some(c)) => ira_deduction(h, c, amount, &mut notes),
                _ => None,
            };
            let reaches = needed.is_some_and(|x| amount >= x);
            let method = if mode == PlanMode::OverContribution {
                "one-time over-contribution (seed 001): keep the most overweight class as it is and add new money to the others until all are at target: new total = max(holding / target weight), amount = new total - current total".to_string()
            } else {
                "no selling: the most underweight classes (relative to target) are filled first until they are equally underweight; money beyond what reaches the target is split by target weight".to_string()
            };
            contribution = Some(ContributionReport {
                account: account.name.clone(),
                kind: account.kind,
                amount,
                split: (0..n)
                    .map(|i| SplitRow {
                        asset: h.assets[i].clone(),
                        amount: buys[i],
                        share: share(buys[i], amount),
                    })
                    .collect(),
                needed_to_reach_target: needed,
                reaches_target: reaches,
                limit,
                income_rule,
                ira_deduction,
                method,
            });
            Allocation {
                trades: t,
                lot_sales: Vec::new(),
            }
        }
    };

    // Per-account and household results; every account must balance exactly.
    let mut order: Vec<usize> = (0..h.accounts.len()).collect();
    order.sort_by_key(|&a| (h.accounts[a].kind.trade_order(), a));
    let mut accounts = Vec::new();
    let mut trade_rows = Vec::new();
    let mut buys_for_wash = Vec::new();
    let mut after = vec![Decimal::ZERO; n];
    let mut new_money = Decimal::ZERO;
    for (a, acct) in h.accounts.iter().enumerate() {
        let t = &alloc.trades[a];
        let sold: Decimal = t.iter().filter(|x| x.is_sign_negative()).map(|x| -x).sum();
        let bought: Decimal = t.iter().filter(|x| x.is_sign_positive()).sum();
        let added = bought - sold;
        let is_contribution_account = contribution
            .as_ref()
            .is_some_and(|c| c.account == acct.name);
        if added != Decimal::ZERO && !is_contribution_account {
            return Err(h.error("", None, format!("internal: account {:?} does not balance ({}); please report this holdings file", acct.name, fmt_money(added))));
        }
        new_money += added;
        let assets = (0..n)
            .map(|i| {
                after[i] += acct.holdings[i] + t[i];
                AccountAsset {
                    asset: h.assets[i].clone(),
                    before: acct.holdings[i],
                    trade: t[i],
                    after: acct.holdings[i] + t[i],
                }
            })
            .collect();
        accounts.push(AccountPlan {
            name: acct.name.clone(),
            kind: acct.kind,
            assets,
            total_before: acct.total(),
            total_after: acct.total() + added,
            sold,
            bought,
            new_money: added,
        });
    }
    for &a in &order {
        let acct = &h.accounts[a];
        let t = &alloc.trades[a];
        for (action, pick) in [(Action::Sell, true), (Action::Buy, false)] {
            for (i, &x) in t.iter().enumerate() {
                if x.is_zero() || x.is_sign_negative() != pick {
                    continue;
                }
                if action == Action::Buy {
                    buys_for_wash.push((a, i, x));
                }
                trade_rows.push(TradeRow {
                    account: acct.name.clone(),
                    kind: acct.kind,
                    action,
                    asset: h.assets[i].clone(),
                    amount: x.abs(),
                });
            }
        }
    }
    let total_after = total + new_money;
    let household = (0..n)
        .map(|i| AssetRow {
            asset: h.assets[i].clone(),
            target: h.weights[i],
            before: hh[i],
            before_share: share(hh[i], total),
            trade: after[i] - hh[i],
            after: after[i],
            after_share: share(after[i], total_after),
            band_low: band_rows.as_ref().map(|b| b.0[i]),
            band_high: band_rows.as_ref().map(|b| b.1[i]),
            outside_band: band_rows.as_ref().map(|b| b.2[i]),
        })
        .collect();

    // Lots, gains and tax.
    let lot_sales: Vec<LotSaleRow> = alloc
        .lot_sales
        .iter()
        .map(|s| LotSaleRow {
            account: h.accounts[s.account].name.clone(),
            asset: h.assets[s.asset].clone(),
            lot: format!("accounts[{}].lots[{}]", h.accounts[s.account].index, s.lot),
            acquired: s.acquired,
            amount: s.amount,
            basis: s.basis,
            gain: s.gain,
            term: if s.long_term {
                "long-term"
            } else {
                "short-term"
            },
            whole_lot: s.whole,
        })
        .collect();
    let taxes = match mode {
        PlanMode::Rebalance | PlanMode::Bands => {
            let st: Decimal = alloc
                .lot_sales
                .iter()
                .filter(|s| !s.long_term)
                .map(|s| s.gain)
                .sum();
            let lt: Decimal = alloc
                .lot_sales
                .iter()
                .filter(|s| s.long_term)
                .map(|s| s.gain)
                .sum();
            Some(TaxReport {
                lot_order: lots::rule(&rates),
                estimate: tax::estimate(st, lt, &h.tax, &rates, h.owner.magi, r),
                rates: rates.clone(),
            })
        }
        _ => None,
    };
    if matches!(mode, PlanMode::Rebalance | PlanMode::Bands) && !trade_rows.is_empty() {
        let taxable_touched = !alloc.lot_sales.is_empty();
        let has_taxable = h.accounts.iter().any(|a| a.kind.is_taxable());
        if has_taxable && !taxable_touched {
            notes.push("the tax-advantaged accounts absorbed every trade: nothing is sold in taxable accounts, so no gains are realized".into());
        }
        // Losses left unharvested in taxable accounts (seed 004: a loss sale can rebalance at no tax).
        for (a, acct) in h
            .accounts
            .iter()
            .enumerate()
            .filter(|(_, a)| a.kind.is_taxable())
        {
            for l in &acct.lots {
                let sold_down = household_sells(&alloc, l.asset);
                let used = alloc
                    .lot_sales
                    .iter()
                    .any(|s| s.account == a && s.lot == l.index);
                if sold_down && !used && l.basis > l.amount {
                    notes.push(format!(
                        "accounts[{a}].lots[{}] ({}, acquired {}) has an unrealized loss of {}: selling it instead of trading in a tax-advantaged account would harvest the loss (mind the wash-sale rule)",
                        l.index,
                        h.assets[l.asset],
                        l.acquired,
                        fmt_money(l.basis - l.amount)
                    ));
                }
            }
        }
    }
    let (w, nt) = wash::check(h, date, &buys_for_wash, &alloc.lot_sales);
    warnings.extend(w);
    notes.extend(nt);
    let weight_sum: Decimal = h.target_pct.iter().sum();
    if weight_sum != Decimal::ONE_HUNDRED {
        notes.push(format!(
            "the target weights add up to {weight_sum}%; they were scaled to add up to exactly 100%"
        ));
    }
    if date_from == "today (UTC)" {
        notes.push(format!(
            "no plan_date in the file: planned for today, {date}"
        ));
    }

    Ok(Plan {
        file: h.src.file.clone(),
        name: h.name.clone(),
        mode,
        plan_date: date,
        plan_date_from: date_from,
        rounding: r.name(),
        rounding_rule: r.describe(),
        total_before: total,
        new_money,
        total_after,
        household,
        accounts,
        trades: trade_rows,
        lot_sales,
        taxes,
        contribution,
        bands: band_report,
        warnings,
        notes,
    })
}

fn household_sells(alloc: &Allocation, asset: usize) -> bool {
    alloc.trades.iter().any(|t| t[asset] < Decimal::ZERO)
}
