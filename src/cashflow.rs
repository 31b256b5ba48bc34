//! Cash flows over a simulated lifetime: contributions until retirement, withdrawals after
//! (by a [`WithdrawalRule`]), and fund fees every step.
//!
//! Conventions (stated once, used everywhere): amounts are per year and spread evenly over
//! the steps of a year; contributions grow at a nominal rate on each anniversary of the
//! start; withdrawals are set once per retirement year, on its anniversary (for a constant
//! inflation-adjusted rule, by the CPI change since retirement: the Trinity-study and Bengen
//! convention). Cash flows happen at the start of a step, before its returns.

use crate::withdrawal::WithdrawalRule;

/// The household's contribution and withdrawal plan.
#[derive(Clone, Debug, PartialEq)]
pub struct CashFlowPlan {
    /// Nominal dollars per year in the first year.
    pub contribution_per_year: f64,
    /// Annual nominal growth of contributions, e.g. 0.03 for 3% raises.
    pub contribution_growth: f64,
    /// Step index at which contributions stop and withdrawals start.
    pub retirement_step: u32,
    /// The scenario's withdrawal rule (a strategy may override it).
    pub withdrawal: WithdrawalRule,
    /// Annual expense ratio per asset class (fraction), charged pro rata each step.
    pub expense_ratios: Vec<f64>,
}

impl CashFlowPlan {
    /// A plan with no flows and no fees for `n` assets.
    pub fn none(n: usize) -> Self {
        Self {
            contribution_per_year: 0.0,
            contribution_growth: 0.0,
            retirement_step: 0,
            withdrawal: WithdrawalRule::None,
            expense_ratios: vec![0.0; n],
        }
    }

    /// Contribution in step `step` (nominal), zero from retirement on.
    pub fn contribution_at(&self, step: u32, steps_per_year: u32) -> f64 {
        if step >= self.retirement_step || self.contribution_per_year <= 0.0 {
            return 0.0;
        }
        let year = step / steps_per_year;
        self.contribution_per_year / steps_per_year as f64
            * (1.0 + self.contribution_growth).powi(year as i32)
    }
}

/// Per-step fee factors `1 - er / steps_per_year` for each asset.
pub fn fee_factors(expense_ratios: &[f64], steps_per_year: u32) -> Vec<f64> {
    expense_ratios
        .iter()
        .map(|er| 1.0 - er / steps_per_year as f64)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn contributions_grow_yearly_and_stop_at_retirement() {
        let plan = CashFlowPlan {
            contribution_per_year: 24_000.0,
            contribution_growth: 0.05,
            retirement_step: 24,
            ..CashFlowPlan::none(2)
        };
        assert_eq!(plan.contribution_at(0, 12), 2_000.0);
        assert_eq!(plan.contribution_at(11, 12), 2_000.0);
        assert!((plan.contribution_at(12, 12) - 2_100.0).abs() < 1e-9);
        assert_eq!(plan.contribution_at(24, 12), 0.0);
    }
}
