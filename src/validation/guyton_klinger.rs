//! Guyton and Klinger (2006), "Decision Rules and Maximum Initial Withdrawal Rates",
//! Journal of Financial Planning 19(3): the rule mechanics on a hand-made path.
//!
//! The path is built so that each rule fires once: the inflation raise, the skipped raise
//! after a losing year, the capital-preservation cut (rate above 120% of the initial rate
//! with more than 15 years left), the prosperity raise (rate below 80%), and no cut within
//! the final 15 years. The expected withdrawals were computed by hand and are written out
//! here as constants; the engine's rule must match them to the cent.

use super::Section;
use crate::withdrawal::{Guardrails, WithdrawalRule, WithdrawalState, YearContext};
use std::fmt::Write;

/// One retirement year of the hand-made path.
pub struct Year {
    pub year: u32,
    pub years_left: u32,
    /// Portfolio at the anniversary, before the withdrawal.
    pub wealth: f64,
    pub cpi: f64,
    pub last_year_return: Option<f64>,
    /// Which rule should fire, in words.
    pub expect_rule: &'static str,
    /// The withdrawal computed by hand.
    pub by_hand: f64,
}

/// 5% initial rate on $1,000,000; CPI 3% a year for three years, then flat, then 2%.
pub const PATH: [Year; 6] = [
    Year {
        year: 0,
        years_left: 30,
        wealth: 1_000_000.0,
        cpi: 1.0,
        last_year_return: None,
        expect_rule: "initial: 5% x $1,000,000",
        by_hand: 50_000.00,
    },
    Year {
        year: 1,
        years_left: 29,
        wealth: 1_050_000.0,
        cpi: 1.03,
        last_year_return: Some(0.10),
        expect_rule: "inflation raise (+3%); rate 4.90% inside 4%-6%",
        by_hand: 51_500.00,
    },
    Year {
        year: 2,
        years_left: 28,
        wealth: 950_000.0,
        cpi: 1.0609,
        last_year_return: Some(-0.05),
        expect_rule: "no raise after a losing year; rate 5.42%",
        by_hand: 51_500.00,
    },
    Year {
        year: 3,
        years_left: 27,
        wealth: 700_000.0,
        cpi: 1.092727,
        last_year_return: Some(0.02),
        expect_rule: "raise to 53,045, rate 7.58% > 6%: capital-preservation cut of 10%",
        by_hand: 47_740.50,
    },
    Year {
        year: 4,
        years_left: 26,
        wealth: 1_600_000.0,
        cpi: 1.092727,
        last_year_return: Some(0.50),
        expect_rule: "rate 2.98% < 4%: prosperity raise of 10%",
        by_hand: 52_514.55,
    },
    Year {
        year: 20,
        years_left: 10,
        wealth: 600_000.0,
        cpi: 1.11458154,
        last_year_return: Some(0.01),
        expect_rule: "raise 2% to 53,564.84; rate 8.93% > 6% but only 10 years left: no cut",
        by_hand: 53_564.84,
    },
];

/// The engine's withdrawal for each year of [`PATH`], in order.
pub fn compute() -> Vec<f64> {
    let rule = WithdrawalRule::Guardrails(Guardrails::classic(0.05));
    let mut state = WithdrawalState::default();
    PATH.iter()
        .map(|y| {
            let ctx = YearContext {
                year: y.year,
                years_left: y.years_left,
                wealth: y.wealth,
                cpi: y.cpi,
                last_year_return: y.last_year_return,
                age: None,
            };
            rule.annual_withdrawal(&mut state, &ctx)
        })
        .collect()
}

/// Largest difference from the hand computation, in dollars.
pub fn max_error(engine: &[f64]) -> f64 {
    PATH.iter()
        .zip(engine)
        .map(|(y, e)| (y.by_hand - e).abs())
        .fold(0.0, f64::max)
}

pub fn sections(engine: &[f64]) -> Vec<Section> {
    let mut m = String::new();
    let _ = writeln!(
        m,
        "| retirement year | portfolio | last year's return | CPI | what should happen | by hand | driftlab | difference |"
    );
    let _ = writeln!(m, "|---|---|---|---|---|---|---|---|");
    for (y, e) in PATH.iter().zip(engine) {
        let _ = writeln!(
            m,
            "| {} | ${:.0} | {} | {:.6} | {} | ${:.2} | ${:.2} | ${:.2} |",
            y.year,
            y.wealth,
            y.last_year_return
                .map_or("".into(), |r| format!("{:+.0}%", r * 100.0)),
            y.cpi,
            y.expect_rule,
            y.by_hand,
            e,
            e - y.by_hand
        );
    }
    vec![Section {
        id: "guyton-klinger",
        markdown: m,
    }]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn engine_matches_the_hand_computation_to_the_cent() {
        let e = compute();
        assert!(max_error(&e) < 0.005, "{e:?}");
    }
}
