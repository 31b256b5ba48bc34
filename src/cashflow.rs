//! Cash flows over a simulated lifetime: contributions until retirement, withdrawals after,
//! and fund fees every step.
//!
//! Conventions (stated once, used everywhere): amounts are per year and spread evenly over
//! the steps of a year; contributions grow at a nominal rate on each anniversary of the
//! start; withdrawals are fixed for each retirement year and, when inflation-adjusted, reset
//! on each retirement anniversary by the CPI change since retirement (the Trinity-study and
//! Bengen convention). Cash flows happen at the start of a step, before its returns.

/// How the first year's withdrawal is set.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum WithdrawalAmount {
    /// No withdrawals.
    None,
    /// A share of wealth at the retirement date, e.g. 0.04 for the 4% rule.
    RateOfInitialWealth(f64),
    /// Dollars per year, in start-of-simulation dollars (converted by CPI to the
    /// retirement date).
    Real(f64),
}

/// The household's contribution and withdrawal plan.
#[derive(Clone, Debug, PartialEq)]
pub struct CashFlowPlan {
    /// Nominal dollars per year in the first year.
    pub contribution_per_year: f64,
    /// Annual nominal growth of contributions, e.g. 0.03 for 3% raises.
    pub contribution_growth: f64,
    /// Step index at which contributions stop and withdrawals start.
    pub retirement_step: u32,
    pub withdrawal: WithdrawalAmount,
    /// Raise withdrawals with inflation (on each retirement anniversary).
    pub inflation_adjusted: bool,
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
            withdrawal: WithdrawalAmount::None,
            inflation_adjusted: true,
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

    /// The first retirement year's withdrawal in nominal dollars, given wealth and CPI
    /// (relative to the start) at the retirement date.
    pub fn first_withdrawal(&self, wealth_at_retirement: f64, cpi_at_retirement: f64) -> f64 {
        match self.withdrawal {
            WithdrawalAmount::None => 0.0,
            WithdrawalAmount::RateOfInitialWealth(rate) => rate * wealth_at_retirement,
            WithdrawalAmount::Real(amount) => amount * cpi_at_retirement,
        }
    }

    pub fn has_withdrawals(&self) -> bool {
        !matches!(self.withdrawal, WithdrawalAmount::None)
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

    #[test]
    fn first_withdrawal_by_rule() {
        let mut plan = CashFlowPlan::none(1);
        plan.withdrawal = WithdrawalAmount::RateOfInitialWealth(0.04);
        assert_eq!(plan.first_withdrawal(1_000_000.0, 1.3), 40_000.0);
        plan.withdrawal = WithdrawalAmount::Real(40_000.0);
        assert!((plan.first_withdrawal(1_000_000.0, 1.25) - 50_000.0).abs() < 1e-9);
    }
}
