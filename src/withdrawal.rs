//! Withdrawal rules: how much a retiree takes out of the portfolio each retirement year.
//!
//! A rule is evaluated once per retirement year, on the anniversary of the retirement date,
//! with the wealth and price level at that moment. The year's amount is then taken in equal
//! parts over the year's steps. Amounts are nominal dollars; "real" means start-of-simulation
//! dollars.

/// How the first year's withdrawal of a constant rule is set.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum FirstWithdrawal {
    /// A share of wealth at the retirement date (the "4% rule").
    Rate(f64),
    /// A spending need in start-year dollars per year. Income (Social Security, pensions)
    /// covers part of it, and the portfolio pays the rest.
    Real(f64),
}

/// Guyton and Klinger (2006), "Decision Rules and Maximum Initial Withdrawal Rates",
/// Journal of Financial Planning 19(3).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Guardrails {
    /// First-year withdrawal as a share of wealth at retirement.
    pub initial_rate: f64,
    /// Capital-preservation rule: cut by `cut` when the current rate exceeds
    /// `upper x initial_rate`, while more than `no_cut_final_years` years remain.
    pub upper: f64,
    pub cut: f64,
    pub no_cut_final_years: u32,
    /// Prosperity rule: raise by `raise` when the current rate falls below
    /// `lower x initial_rate`.
    pub lower: f64,
    pub raise: f64,
}

impl Guardrails {
    /// The 2006 parameters: guardrails at 120% and 80% of the initial rate, 10% cuts and
    /// raises, no cuts in the final 15 years.
    pub fn classic(initial_rate: f64) -> Self {
        Self {
            initial_rate,
            upper: 1.2,
            cut: 0.10,
            no_cut_final_years: 15,
            lower: 0.8,
            raise: 0.10,
        }
    }
}

/// A withdrawal rule.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum WithdrawalRule {
    None,
    /// A constant withdrawal, raised with inflation each year when `inflation_adjusted`
    /// (Bengen 1994; the Trinity study).
    Constant {
        first: FirstWithdrawal,
        inflation_adjusted: bool,
    },
    /// A fixed share of the portfolio each year: never fails, spending floats.
    PercentOfPortfolio {
        rate: f64,
    },
    Guardrails(Guardrails),
    /// Variable percentage withdrawal (Bogleheads VPW): the payment that would exhaust the
    /// portfolio over the remaining years at an assumed real return.
    Vpw {
        real_return: f64,
    },
    /// A share of the portfolio, kept between `floor` and `ceiling` times the first year's
    /// real withdrawal.
    FloorCeiling {
        rate: f64,
        floor: f64,
        ceiling: f64,
    },
    /// Wealth divided by the IRS Uniform Lifetime Table divisor for the retiree's age
    /// (the "RMD method"). Needs the household's age.
    Rmd,
}

/// What a rule sees at a retirement anniversary.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct YearContext {
    /// Retirement year, 0 for the first.
    pub year: u32,
    /// Retirement years left, this one included.
    pub years_left: u32,
    /// Nominal wealth now.
    pub wealth: f64,
    /// Price level relative to the simulation start.
    pub cpi: f64,
    /// Portfolio return over the past year (time-weighted, nominal), if a year has passed.
    pub last_year_return: Option<f64>,
    /// The retiree's age this year, when the scenario has a household.
    pub age: Option<u32>,
}

/// Per-path memory of a rule.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct WithdrawalState {
    /// This year's nominal withdrawal.
    pub annual: f64,
    /// The first year's nominal withdrawal.
    first_nominal: f64,
    /// CPI at the first retirement year and at the previous anniversary.
    cpi_first: f64,
    cpi_last: f64,
}

/// Uniform Lifetime Table divisors for ages 72 to 120, Treas. Reg. §1.401(a)(9)-9(c) as
/// revised by T.D. 9930 (distribution years 2022 on); IRS Pub. 590-B Table III.
pub const UNIFORM_LIFETIME: [f64; 49] = [
    27.4, 26.5, 25.5, 24.6, 23.7, 22.9, 22.0, 21.1, 20.2, 19.4, 18.5, 17.7, 16.8, 16.0, 15.2, 14.4,
    13.7, 12.9, 12.2, 11.5, 10.8, 10.1, 9.5, 8.9, 8.4, 7.8, 7.3, 6.8, 6.4, 6.0, 5.6, 5.2, 4.9, 4.6,
    4.3, 4.1, 3.9, 3.7, 3.5, 3.4, 3.3, 3.1, 3.0, 2.9, 2.8, 2.7, 2.5, 2.3, 2.0,
];

/// The RMD-method divisor for `age`. Below 72 the table does not apply; the divisor is
/// extended by one year per year of age (the table falls by about 0.9 a year near 72), an
/// approximation stated in the README.
pub fn rmd_divisor(age: u32) -> f64 {
    if age < 72 {
        UNIFORM_LIFETIME[0] + f64::from(72 - age)
    } else {
        UNIFORM_LIFETIME[((age - 72) as usize).min(UNIFORM_LIFETIME.len() - 1)]
    }
}

/// Payment per dollar that exhausts a portfolio in `n` years at real return `r`
/// (payments at the start of each year).
pub fn vpw_rate(r: f64, n: u32) -> f64 {
    let n = f64::from(n.max(1));
    if r.abs() < 1e-12 {
        1.0 / n
    } else {
        r / ((1.0 + r) * (1.0 - (1.0 + r).powf(-n)))
    }
}

impl WithdrawalRule {
    /// Sets and returns this retirement year's nominal withdrawal.
    pub fn annual_withdrawal(&self, st: &mut WithdrawalState, ctx: &YearContext) -> f64 {
        let first = ctx.year == 0;
        if first {
            st.cpi_first = ctx.cpi;
            st.cpi_last = ctx.cpi;
        }
        let w = ctx.wealth.max(0.0);
        let annual = match *self {
            WithdrawalRule::None => 0.0,
            WithdrawalRule::Constant {
                first: FirstWithdrawal::Rate(rate),
                inflation_adjusted,
            } => {
                if first {
                    st.first_nominal = rate * w;
                }
                if inflation_adjusted {
                    st.first_nominal * ctx.cpi / st.cpi_first
                } else {
                    st.first_nominal
                }
            }
            WithdrawalRule::Constant {
                first: FirstWithdrawal::Real(amount),
                inflation_adjusted,
            } => {
                if first {
                    st.first_nominal = amount * ctx.cpi;
                }
                if inflation_adjusted {
                    amount * ctx.cpi
                } else {
                    st.first_nominal
                }
            }
            WithdrawalRule::PercentOfPortfolio { rate } => rate * w,
            WithdrawalRule::Guardrails(g) => {
                if first {
                    g.initial_rate * w
                } else {
                    // Withdrawal rule: inflation raise, skipped after a losing year.
                    let mut a = st.annual;
                    if ctx.last_year_return.is_none_or(|r| r >= 0.0) {
                        a *= ctx.cpi / st.cpi_last;
                    }
                    let rate = if w > 0.0 { a / w } else { f64::INFINITY };
                    if rate > g.upper * g.initial_rate && ctx.years_left > g.no_cut_final_years {
                        a *= 1.0 - g.cut; // capital preservation
                    } else if rate < g.lower * g.initial_rate {
                        a *= 1.0 + g.raise; // prosperity
                    }
                    a
                }
            }
            WithdrawalRule::Vpw { real_return } => w * vpw_rate(real_return, ctx.years_left),
            WithdrawalRule::FloorCeiling {
                rate,
                floor,
                ceiling,
            } => {
                if first {
                    st.first_nominal = rate * w;
                    st.first_nominal
                } else {
                    let real_first = st.first_nominal * ctx.cpi / st.cpi_first;
                    (rate * w).clamp(floor * real_first, ceiling * real_first)
                }
            }
            WithdrawalRule::Rmd => w / rmd_divisor(ctx.age.unwrap_or(72)),
        };
        st.annual = annual;
        st.cpi_last = ctx.cpi;
        annual
    }

    /// Whether income reduces what the portfolio pays (a spending need), rather than adding
    /// to it (a rule that sets the portfolio withdrawal).
    pub fn income_offsets(&self) -> bool {
        matches!(
            self,
            WithdrawalRule::Constant {
                first: FirstWithdrawal::Real(_),
                ..
            }
        )
    }

    pub fn describe(&self) -> String {
        match self {
            WithdrawalRule::None => "no withdrawals".into(),
            WithdrawalRule::Constant {
                first,
                inflation_adjusted,
            } => {
                let adj = if *inflation_adjusted {
                    "inflation-adjusted"
                } else {
                    "fixed nominal"
                };
                match first {
                    FirstWithdrawal::Rate(r) => {
                        format!("constant {adj}, {:.2}% of initial wealth", r * 100.0)
                    }
                    FirstWithdrawal::Real(a) => format!("constant {adj}, ${a:.0}/yr need"),
                }
            }
            WithdrawalRule::PercentOfPortfolio { rate } => {
                format!("{:.2}% of the portfolio each year", rate * 100.0)
            }
            WithdrawalRule::Guardrails(g) => format!(
                "Guyton-Klinger guardrails, {:.2}% initial",
                g.initial_rate * 100.0
            ),
            WithdrawalRule::Vpw { real_return } => {
                format!("VPW at {:.1}% real", real_return * 100.0)
            }
            WithdrawalRule::FloorCeiling {
                rate,
                floor,
                ceiling,
            } => format!(
                "{:.2}% of the portfolio, floor {:.0}% / ceiling {:.0}% of the first year",
                rate * 100.0,
                floor * 100.0,
                ceiling * 100.0
            ),
            WithdrawalRule::Rmd => "RMD method (Uniform Lifetime Table)".into(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ctx(year: u32, years_left: u32, wealth: f64, cpi: f64, last: Option<f64>) -> YearContext {
        YearContext {
            year,
            years_left,
            wealth,
            cpi,
            last_year_return: last,
            age: Some(65 + year),
        }
    }

    #[test]
    fn guyton_klinger_rules_trigger_on_hand_made_paths() {
        let gk = WithdrawalRule::Guardrails(Guardrails::classic(0.05));
        let mut st = WithdrawalState::default();
        // Year 0: 5% of $1,000,000.
        assert_eq!(
            gk.annual_withdrawal(&mut st, &ctx(0, 30, 1_000_000.0, 1.0, None)),
            50_000.0
        );
        // Year 1, +10% return and 3% inflation: raised to 51,500; rate 51.5k/1.05M = 4.9%
        // is inside the 4%-6% guardrails.
        let a = gk.annual_withdrawal(&mut st, &ctx(1, 29, 1_050_000.0, 1.03, Some(0.10)));
        assert!((a - 51_500.0).abs() < 1e-9);
        // Year 2, a losing year: no inflation raise (3% inflation skipped); wealth 950k,
        // rate 5.42% is inside the guardrails.
        let a = gk.annual_withdrawal(&mut st, &ctx(2, 28, 950_000.0, 1.0609, Some(-0.05)));
        assert!((a - 51_500.0).abs() < 1e-9);
        // Year 3, a crash: wealth 700k -> rate 51.5k x 1.03 / 700k = 7.58% > 6%: cut 10%.
        let a = gk.annual_withdrawal(&mut st, &ctx(3, 27, 700_000.0, 1.092727, Some(0.02)));
        let raised = 51_500.0 * 1.092727 / 1.0609;
        assert!((a - raised * 0.9).abs() < 1e-6, "{a}");
        // Year 4, a boom: wealth 1.6M -> rate ~2.9% < 4%: raise 10% (after inflation).
        let before = st.annual;
        let a = gk.annual_withdrawal(&mut st, &ctx(4, 26, 1_600_000.0, 1.092727, Some(0.5)));
        assert!((a - before * 1.1).abs() < 1e-6, "{a}");
        // Within the final 15 years, no capital-preservation cut even at a high rate.
        let mut late = WithdrawalState {
            annual: 80_000.0,
            cpi_last: 1.0,
            ..Default::default()
        };
        let a = gk.annual_withdrawal(&mut late, &ctx(20, 10, 700_000.0, 1.0, Some(0.01)));
        assert_eq!(a, 80_000.0);
    }

    #[test]
    fn constant_rules_follow_inflation_or_not() {
        let real = WithdrawalRule::Constant {
            first: FirstWithdrawal::Rate(0.04),
            inflation_adjusted: true,
        };
        let mut st = WithdrawalState::default();
        assert_eq!(
            real.annual_withdrawal(&mut st, &ctx(0, 30, 1e6, 1.2, None)),
            40_000.0
        );
        assert!(
            (real.annual_withdrawal(&mut st, &ctx(1, 29, 5e5, 1.26, None)) - 42_000.0).abs() < 1e-9
        );
        let nominal = WithdrawalRule::Constant {
            first: FirstWithdrawal::Rate(0.04),
            inflation_adjusted: false,
        };
        let mut st = WithdrawalState::default();
        nominal.annual_withdrawal(&mut st, &ctx(0, 30, 1e6, 1.2, None));
        assert_eq!(
            nominal.annual_withdrawal(&mut st, &ctx(1, 29, 5e5, 1.26, None)),
            40_000.0
        );
        let need = WithdrawalRule::Constant {
            first: FirstWithdrawal::Real(50_000.0),
            inflation_adjusted: true,
        };
        let mut st = WithdrawalState::default();
        assert!(
            (need.annual_withdrawal(&mut st, &ctx(0, 30, 1e6, 1.1, None)) - 55_000.0).abs() < 1e-9
        );
        assert!(need.income_offsets() && !real.income_offsets());
    }

    #[test]
    fn vpw_floor_ceiling_and_rmd() {
        // One year left: take everything. Zero return over 4 years: a quarter.
        assert!((vpw_rate(0.05, 1) - 1.0).abs() < 1e-12);
        assert!((vpw_rate(0.0, 4) - 0.25).abs() < 1e-12);
        // 30 years at 3% real: payment per dollar (annuity due) = 0.04953.
        assert!((vpw_rate(0.03, 30) - 0.049533).abs() < 1e-6);
        let fc = WithdrawalRule::FloorCeiling {
            rate: 0.05,
            floor: 0.9,
            ceiling: 1.2,
        };
        let mut st = WithdrawalState::default();
        assert_eq!(
            fc.annual_withdrawal(&mut st, &ctx(0, 30, 1e6, 1.0, None)),
            50_000.0
        );
        assert_eq!(
            fc.annual_withdrawal(&mut st, &ctx(1, 29, 5e5, 1.0, None)),
            45_000.0
        ); // floor
        assert_eq!(
            fc.annual_withdrawal(&mut st, &ctx(2, 28, 2e6, 1.0, None)),
            60_000.0
        ); // ceiling
        assert_eq!(
            fc.annual_withdrawal(&mut st, &ctx(3, 27, 1.1e6, 1.0, None)),
            55_000.0
        ); // inside
        // RMD method: age 75 divisor 24.6 (IRS Pub. 590-B Table III).
        let mut st = WithdrawalState::default();
        let c = YearContext {
            age: Some(75),
            ..ctx(0, 20, 246_000.0, 1.0, None)
        };
        assert!((WithdrawalRule::Rmd.annual_withdrawal(&mut st, &c) - 10_000.0).abs() < 1e-9);
        assert_eq!(rmd_divisor(120), 2.0);
        assert_eq!(rmd_divisor(130), 2.0);
        assert_eq!(rmd_divisor(70), 29.4);
    }
}
