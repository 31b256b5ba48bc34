//! A strategy: everything one household could decide differently on the same market
//! paths. That is when and how to rebalance, where cash flows go, how much to withdraw,
//! how the target moves over time, and whether to hold a cash reserve.

use crate::glide::GlidePath;
use crate::household::TaxPolicy;
use crate::rebalance::{CashFlowRouting, RebalanceRule};
use crate::withdrawal::WithdrawalRule;

/// When a cash reserve is topped up from the portfolio.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Refill {
    /// Every retirement anniversary.
    Always,
    /// Only after a year in which the portfolio gained (so stocks are not sold after a fall).
    AfterGains,
}

/// A bucket of cash outside the invested portfolio, holding some years of withdrawals.
/// Withdrawals are paid from it first.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct CashReserve {
    /// Years of the current withdrawal to hold (e.g. 2.0).
    pub years: f64,
    pub refill: Refill,
    /// Annual nominal interest on the reserve.
    pub rate: f64,
}

/// A named strategy.
#[derive(Clone, Debug, PartialEq)]
pub struct Strategy {
    pub name: String,
    pub rule: RebalanceRule,
    pub contributions: CashFlowRouting,
    pub withdrawals: CashFlowRouting,
    /// Overrides the scenario's withdrawal rule.
    pub withdrawal_rule: Option<WithdrawalRule>,
    /// A moving target; `None` keeps the scenario's target.
    pub glide: Option<GlidePath>,
    pub reserve: Option<CashReserve>,
    /// Where trades, withdrawals and conversions happen across accounts (used only when
    /// the scenario has a household with accounts).
    pub tax: TaxPolicy,
}

impl Strategy {
    /// A strategy with only a rebalancing rule; everything else as the scenario says.
    pub fn rebalancing(name: &str, rule: RebalanceRule) -> Self {
        Self {
            name: name.into(),
            rule,
            contributions: CashFlowRouting::ProRata,
            withdrawals: CashFlowRouting::ProRata,
            withdrawal_rule: None,
            glide: None,
            reserve: None,
            tax: TaxPolicy::default(),
        }
    }

    pub fn describe(&self) -> String {
        let mut s = self.rule.describe();
        if self.contributions != CashFlowRouting::ProRata {
            s.push_str(&format!("; contributions {}", self.contributions.key()));
        }
        if self.withdrawals != CashFlowRouting::ProRata {
            s.push_str(&format!("; withdrawals {}", self.withdrawals.key()));
        }
        if let Some(w) = &self.withdrawal_rule {
            s.push_str(&format!("; {}", w.describe()));
        }
        if self.glide.is_some() {
            s.push_str("; glide path");
        }
        if let Some(r) = &self.reserve {
            s.push_str(&format!("; {:.1}-year cash reserve", r.years));
        }
        s
    }
}
