//! Cash flows over a simulated lifetime: contributions until retirement, withdrawals after
//! (by a [`WithdrawalRule`]), and fund fees every step.
//!
//! Conventions (stated once, used everywhere): amounts are per year and spread evenly over
//! the steps of a year; contributions grow at a nominal rate on each anniversary of the
//! start; withdrawals are set once per retirement year, on its anniversary (for a constant
//! inflation-adjusted rule, by the CPI change since retirement: the Trinity-study and Bengen
//! convention). Cash flows happen at the start of a step, before its returns, except that
//! [`WithdrawalTiming`] can move a withdrawal later within its step.

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
    /// When a step's withdrawal leaves the portfolio within the step.
    pub withdrawal_timing: WithdrawalTiming,
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
            withdrawal_timing: WithdrawalTiming::Start,
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

/// When a step's withdrawal is paid, within the step (`[cash_flows] withdrawal_timing`).
///
/// The withdrawal rule always sets the year's amount on the retirement anniversary, at that
/// day's price level; the timing only moves the moment a step's share leaves the portfolio
/// (and [`WithdrawalTiming::EndReal`] carries it to the price level of that moment). The
/// choice matters with annual steps, where a whole year's withdrawal is one payment: the
/// Trinity papers say they withdrew monthly, a public reproduction of them withdraws a fixed
/// real amount at each year end, and the default takes the year's amount on its first day
/// (VALIDATION.md compares all of them).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum WithdrawalTiming {
    /// At the start of the step, before its returns (the default).
    #[default]
    Start,
    /// In equal parts at the start of each month of the step, while the step's return
    /// accrues evenly (geometrically) over its months. With monthly steps this is `Start`.
    Monthly,
    /// At the end of the step, after its returns and fees and before rebalancing.
    End,
    /// At the end of the step, like `End`, with the amount carried to the price level at the
    /// end of the step: a fixed real amount for a constant inflation-adjusted rule (the
    /// convention of real returns with a real withdrawal at each year end).
    EndReal,
}

impl WithdrawalTiming {
    /// Every value's scenario spelling, in the order of the docs.
    pub const KEYS: [&'static str; 4] = ["start", "monthly", "end", "end_real"];

    pub fn from_key(key: &str) -> Option<Self> {
        match key {
            "start" => Some(Self::Start),
            "monthly" => Some(Self::Monthly),
            "end" => Some(Self::End),
            "end_real" => Some(Self::EndReal),
            _ => None,
        }
    }

    pub fn key(self) -> &'static str {
        match self {
            Self::Start => "start",
            Self::Monthly => "monthly",
            Self::End => "end",
            Self::EndReal => "end_real",
        }
    }

    /// Whether the withdrawal is paid after the step's returns.
    pub fn at_end(self) -> bool {
        matches!(self, Self::End | Self::EndReal)
    }
}

/// The present value, at the start of a step, of `due` paid in `months` equal parts at the
/// start of each month, discounted at a growth of `growth` over the whole step (so
/// `growth^(1/months)` a month): `due / m * sum_{k<m} growth^(-k/m)`.
///
/// Taking this at the start of the step and letting the rest grow by `growth` leaves exactly
/// what paying the parts month by month would leave: `g * (W - pv)`. And the monthly payments
/// run out in some month exactly when `W < pv`, because the partial sums only grow. A growth
/// of zero or less (a -100% step) makes every later part unpayable: infinite.
pub fn monthly_present_value(due: f64, months: u32, growth: f64) -> f64 {
    monthly_split(due, months, 0.0, 1.0, growth).portfolio_pv
}

/// A step's withdrawal paid in monthly parts, from a cash reserve first and then from the
/// portfolio, turned into amounts taken at the start of the step ([`monthly_split`]).
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct MonthlySplit {
    /// Taken from the reserve at the start of the step (present value of its parts).
    pub reserve_pv: f64,
    /// Nominal dollars of the withdrawal the reserve pays (its parts, undiscounted).
    pub reserve_paid: f64,
    /// Taken from the portfolio at the start of the step (present value of its parts); the
    /// portfolio pays `due - reserve_paid` nominal.
    pub portfolio_pv: f64,
}

/// Splits `due`, paid in `months` equal parts at the start of each month, between a cash
/// reserve (balance `reserve`, gross growth `reserve_growth` over the step) and the portfolio
/// (gross growth `growth` over the step). The reserve pays the first parts, as long as it
/// lasts (a part it can pay only in part is finished by the portfolio), the portfolio the
/// rest. Each side's parts are discounted at its own growth, month by month, so taking the
/// present values at the start of the step and growing both for the whole step leaves
/// exactly what the monthly payments would.
pub fn monthly_split(
    due: f64,
    months: u32,
    reserve: f64,
    reserve_growth: f64,
    growth: f64,
) -> MonthlySplit {
    if months <= 1 || due <= 0.0 {
        // One payment at the start: nothing to discount.
        let from_reserve = due.min(reserve).max(0.0);
        return MonthlySplit {
            reserve_pv: from_reserve,
            reserve_paid: from_reserve,
            portfolio_pv: due - from_reserve,
        };
    }
    let m = f64::from(months);
    let part = due / m;
    // Discount factors per month; a step that loses everything (growth <= 0) leaves nothing
    // to pay later parts with, so they are worth infinitely much today.
    let monthly = |g: f64| {
        if g > 0.0 {
            g.powf(-1.0 / m)
        } else {
            f64::INFINITY
        }
    };
    let (reserve_q, portfolio_q) = (monthly(reserve_growth), monthly(growth));
    let (mut reserve_d, mut portfolio_d) = (1.0, 1.0);
    let mut left = reserve.max(0.0);
    let mut out = MonthlySplit::default();
    for _ in 0..months {
        if left > 0.0 {
            let need = part * reserve_d;
            if left >= need {
                left -= need;
                out.reserve_pv += need;
                out.reserve_paid += part;
            } else {
                let share = left / need;
                out.reserve_pv += left;
                out.reserve_paid += share * part;
                out.portfolio_pv += (1.0 - share) * part * portfolio_d;
                left = 0.0;
            }
        } else {
            out.portfolio_pv += part * portfolio_d;
        }
        reserve_d *= reserve_q;
        portfolio_d *= portfolio_q;
    }
    out
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
    fn monthly_present_value_by_hand() {
        // No growth: the parts are worth what they are; one part: nothing to discount.
        assert_eq!(monthly_present_value(1200.0, 12, 1.0), 1200.0);
        assert_eq!(monthly_present_value(1200.0, 1, 1.1), 1200.0);
        // 10% a year: 100 x sum_{k<12} 1.1^(-k/12) = 1,149.1396920239783.
        assert!((monthly_present_value(1200.0, 12, 1.1) - 1_149.139_692_023_978_3).abs() < 1e-9);
        // A step that loses everything cannot pay the later parts.
        assert_eq!(monthly_present_value(1200.0, 12, 0.0), f64::INFINITY);
        assert_eq!(monthly_present_value(0.0, 12, 0.0), 0.0);
    }

    #[test]
    fn monthly_split_pays_from_the_reserve_first() {
        // Flat: a reserve of 250 pays the first two parts of 100 and half the third.
        let s = monthly_split(1200.0, 12, 250.0, 1.0, 1.0);
        assert_eq!(
            (s.reserve_pv, s.reserve_paid, s.portfolio_pv),
            (250.0, 250.0, 950.0)
        );
        // The reserve earns 12% a year (q = 1.12^(-1/12) = 0.9906003979430034 a month): it
        // pays part 0 (100), part 1 (100 q today) and a share (250 - 100 - 100 q) / (100 q^2)
        // = 0.519112641656199 of part 2, so 251.9112641656199 of the 1,200. The portfolio,
        // at 10% a year (p = 1.1^(-1/12)), pays the rest of part 2 and parts 3-11:
        // (1 - 0.5191...) x 100 p^2 + sum_{k=3..11} 100 p^k = 898.8376305498589 today.
        let s = monthly_split(1200.0, 12, 250.0, 1.12, 1.1);
        assert!((s.reserve_pv - 250.0).abs() < 1e-12);
        assert!((s.reserve_paid - 251.911_264_165_619_9).abs() < 1e-9);
        assert!((s.portfolio_pv - 898.837_630_549_858_9).abs() < 1e-9);
        // A reserve larger than the year's parts keeps the rest.
        let s = monthly_split(1200.0, 12, 5000.0, 1.0, 1.1);
        assert_eq!(
            (s.reserve_pv, s.reserve_paid, s.portfolio_pv),
            (1200.0, 1200.0, 0.0)
        );
    }

    #[test]
    fn withdrawal_timing_keys_round_trip() {
        for key in WithdrawalTiming::KEYS {
            assert_eq!(WithdrawalTiming::from_key(key).map(|t| t.key()), Some(key));
        }
        assert_eq!(WithdrawalTiming::from_key("Monthly"), None);
        assert_eq!(WithdrawalTiming::default(), WithdrawalTiming::Start);
    }
}
