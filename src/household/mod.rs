//! A household's accounts inside the simulation: which accounts hold what, how they are
//! taxed, and the rules a strategy chooses for trading, withdrawing and converting across
//! them. Pure types; the per-path state is [`book::AccountBook`], stepped by
//! `engine::household`.
//!
//! Money here is `f64` (hot loop). The exact one-year estimate lives in [`crate::tax`] with
//! `Decimal`; both use the same rules.

pub mod book;
mod contributions;
mod ledger;
pub mod lots;
pub mod placement;
pub mod wash;

pub use ledger::Limits;

pub use crate::plan::holdings::{AccountKind, HsaCoverage};
use crate::portfolio::{Holdings, MAX_ASSETS};
use crate::tax::{FilingStatus, TaxLaw};
use lots::{LotMethod, SaleRates};

/// Whose account it is (ages for catch-ups, RMDs and the 59½ rule are the owner's).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Owner {
    Primary,
    Spouse,
}

impl Owner {
    pub fn index(self) -> usize {
        match self {
            Owner::Primary => 0,
            Owner::Spouse => 1,
        }
    }
}

/// How an account's money is taxed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Treatment {
    /// Traditional 401(k) and IRA: deductible in, ordinary income out.
    Deferred,
    /// Roth accounts and the HSA: nothing taxed on the way out (qualified withdrawals).
    TaxFree,
    /// Brokerage account: dividends, interest and realized gains taxed every year.
    Taxable,
}

pub fn treatment(kind: AccountKind) -> Treatment {
    match kind {
        AccountKind::K401 | AccountKind::TraditionalIra => Treatment::Deferred,
        AccountKind::Roth401k | AccountKind::RothIra | AccountKind::Hsa => Treatment::TaxFree,
        AccountKind::Taxable => Treatment::Taxable,
    }
}

/// One account as the scenario describes it.
#[derive(Clone, Debug, PartialEq)]
pub struct Account {
    pub name: String,
    pub kind: AccountKind,
    pub owner: Owner,
    /// Dollars per asset at the start.
    pub initial: Holdings,
    /// Cost basis of the starting holdings, per asset (dollars): in the taxable account the
    /// lots' basis; in a traditional IRA the after-tax money (non-deductible contributions,
    /// Form 8606); zero in the other accounts.
    pub basis: Holdings,
    /// Taxable account: months the starting holdings have been held; `None`, more than a
    /// year (their gains and losses are long-term from the start).
    pub held_months: Option<f64>,
    /// The owner's own contribution per year in start-year nominal dollars, growing like
    /// wages; capped at the legal limit each year, the excess going to the taxable account.
    pub contribution: f64,
    /// Employer match: dollars matched per dollar contributed ...
    pub employer_match: f64,
    /// ... on contributions up to this share of the owner's wages.
    pub match_cap: f64,
    /// HSA coverage (sets its limit).
    pub coverage: HsaCoverage,
    /// Roth IRA: the "backdoor Roth", what the income phase-out keeps out contributed to a
    /// traditional IRA without deduction and converted at once.
    pub backdoor: bool,
}

/// How an asset class pays income in a taxable account.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct AssetIncome {
    /// Income paid per year as a share of value (the rest of the total return is price).
    pub yield_rate: f64,
    /// Qualified dividends (0/15/20% rates) or ordinary income (interest, REIT dividends).
    pub qualified: bool,
}

/// The household and its tax facts: everything about accounts that does not depend on the
/// strategy.
#[derive(Clone, Debug, PartialEq)]
pub struct Household {
    pub filing: FilingStatus,
    /// Calendar year of the simulation start (2026 or later: the tax law's base year).
    pub start_year: i32,
    /// Birth years: the primary person and the spouse, if any. Tax rules use ages from
    /// them ([`Household::age`]), since an age at the start may be a birthday short.
    pub birth_years: [Option<i32>; 2],
    /// The first simulation year without wages: both people separate from service at its
    /// start (wages and contributions stop).
    pub retire_year: u32,
    /// Wages per person per year, start-year dollars, until retirement.
    pub wages: [f64; 2],
    /// Annual nominal growth of wages and contributions.
    pub wage_growth: f64,
    /// Accounts; exactly one is taxable (an empty one is added when the scenario has none,
    /// to receive excess contributions and surplus RMDs).
    pub accounts: Vec<Account>,
    pub taxable: usize,
    pub income: [AssetIncome; MAX_ASSETS],
    /// Which of the simulation's income streams are Social Security (taxed under IRC §86);
    /// the others are pensions (ordinary income).
    pub social_security: Vec<bool>,
    /// Flat state income tax on federal taxable income.
    pub state_rate: f64,
    /// Rate at which traditional balances are valued in after-tax wealth.
    pub after_tax_rate: f64,
    /// First year of RMDs per person, as an age (SECURE 2.0 §107).
    pub rmd_age: [u32; 2],
    /// Contribution limits by age (2026, indexed by the simulated CPI).
    pub limits: Limits,
    /// The 2026 tax law ([`TaxLaw::y2026`]), built once: every simulated year's law is
    /// projected from it.
    pub law_2026: TaxLaw<f64>,
    /// The price level at the start relative to 2026, by which the 2026 law and limits are
    /// indexed before the simulation's own inflation: 1 for a 2026 start, otherwise the
    /// scenario's expected inflation compounded from 2026 to the start year.
    pub law_index: f64,
}

impl Household {
    /// Age of person `who` at the end of simulation year `year` (the age tax rules use), if
    /// that person exists.
    pub fn age(&self, who: usize, year: u32) -> Option<u32> {
        self.birth_years[who].map(|b| (self.start_year - b) as u32 + year)
    }

    pub fn married(&self) -> bool {
        self.birth_years[1].is_some()
    }
}

/// A household for tests: a 2026 scenario of `years` with one flat asset class, a strategy
/// that never trades, `people` (its `[household]` and `[taxes]` text) and `accounts`.
#[cfg(test)]
pub(crate) fn test_household(people: &str, accounts: &str, years: u32) -> Household {
    let toml = format!(
        r#"
version = 1
[simulation]
paths = 1
years = {years}
[market]
model = "parametric"
[[asset]]
name = "stocks"
target = 1.0
mean = 0.0
vol = 0.0
{people}
{accounts}
[[strategy]]
name = "s"
rebalance = "none"
"#
    );
    match crate::scenario::parse(&toml, "t.toml", "t", std::path::Path::new(".")) {
        Ok(s) => s.simulation.household.expect("the scenario has accounts"),
        Err(e) => panic!("{e}"),
    }
}

/// RMD starting age by birth year: IRC §401(a)(9)(C) as amended by SECURE 2.0 §107; 1959
/// per the 2024 proposed regulations (REG-103529-23).
pub fn rmd_start_age(birth_year: i32) -> u32 {
    match birth_year {
        ..=1950 => 72,
        1951..=1959 => 73,
        _ => 75,
    }
}

/// Where a rebalance trades when the household is off target.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AccountRebalancing {
    /// Household-level trades placed in tax-deferred accounts first, then tax-free, then
    /// taxable last (seed 004's decision table): gains are realized only when the
    /// sheltered accounts cannot absorb the trade.
    AdvantagedFirst,
    /// Every account back to the household target on its own (the naive approach, which
    /// realizes gains in the taxable account at every rebalance).
    PerAccount,
}

/// Which accounts pay for spending and taxes.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum WithdrawalOrder {
    /// Taxable, then traditional, then Roth and HSA: the conventional order.
    TaxableFirst,
    /// From every account in proportion to its balance.
    Proportional,
    /// Traditional money up to the top of the bracket with this rate (e.g. 0.12), then
    /// taxable, then the rest of traditional, then Roth.
    FillBracket(f64),
}

/// A Roth conversion policy.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct RothConversion {
    pub amount: ConversionAmount,
    /// Ages of the primary person (inclusive) during which to convert.
    pub from_age: u32,
    pub to_age: u32,
}

#[derive(Clone, Copy, Debug, PartialEq)]
pub enum ConversionAmount {
    /// This much per year in start-year dollars.
    Fixed(f64),
    /// Up to the top of the bracket with this rate.
    FillBracket(f64),
}

/// A strategy's tax choices (used only when the scenario has accounts).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct TaxPolicy {
    pub rebalancing: AccountRebalancing,
    pub withdrawal_order: WithdrawalOrder,
    pub lot_method: LotMethod,
    /// Assumed marginal rates that order lots for the tax-optimal method.
    pub sale_rates: SaleRates,
    /// Tax-loss harvesting: sell a lot whose loss exceeds this share of its basis.
    pub harvest: Option<f64>,
    pub conversion: Option<RothConversion>,
}

impl Default for TaxPolicy {
    fn default() -> Self {
        Self {
            rebalancing: AccountRebalancing::AdvantagedFirst,
            withdrawal_order: WithdrawalOrder::TaxableFirst,
            lot_method: LotMethod::TaxOptimal,
            sale_rates: SaleRates {
                short: 0.24,
                long: 0.15,
            },
            harvest: None,
            conversion: None,
        }
    }
}

impl TaxPolicy {
    pub fn describe(&self) -> String {
        let mut s = match self.rebalancing {
            AccountRebalancing::AdvantagedFirst => "trades in tax-advantaged accounts first",
            AccountRebalancing::PerAccount => "every account rebalanced on its own",
        }
        .to_string();
        s.push_str(match self.withdrawal_order {
            WithdrawalOrder::TaxableFirst => "; withdrawals taxable first",
            WithdrawalOrder::Proportional => "; withdrawals pro rata across accounts",
            WithdrawalOrder::FillBracket(_) => {
                "; withdrawals fill a bracket with traditional money"
            }
        });
        if let Some(t) = self.harvest {
            s.push_str(&format!("; harvests losses over {:.0}%", t * 100.0));
        }
        if self.conversion.is_some() {
            s.push_str("; Roth conversions");
        }
        s
    }
}
