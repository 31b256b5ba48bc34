//! Retirement income outside the portfolio: Social Security (own and spousal benefits) and
//! pensions. Income is received during retirement; it either reduces what the portfolio must
//! pay (a spending-need rule) or adds to spending (a rule that sets the portfolio's share).
//!
//! Social Security rules: full retirement age by birth year, 42 U.S.C. §416(l); early
//! reduction of 5/9 of 1% a month for the first 36 months and 5/12 of 1% beyond; delayed
//! retirement credits of 2/3 of 1% a month (8% a year, birth years 1943 and later) up to 70;
//! spousal benefit up to 50% of the worker's PIA, reduced 25/36 of 1% a month for the first
//! 36 months early and 5/12 of 1% beyond, with no delayed credits (SSA, "Retirement age and
//! benefit reduction"; 20 CFR 404.410-404.413). Benefits follow the CPI (COLA).

/// Full retirement age in months for a birth year (people born on 1 January use the previous
/// year's row; that refinement is left to the user).
pub fn full_retirement_age_months(birth_year: i32) -> u32 {
    match birth_year {
        ..=1937 => 65 * 12,
        1938..=1942 => 65 * 12 + 2 * (birth_year - 1937) as u32,
        1943..=1954 => 66 * 12,
        1955..=1959 => 66 * 12 + 2 * (birth_year - 1954) as u32,
        _ => 67 * 12,
    }
}

/// Own benefit as a share of the primary insurance amount (PIA) when claiming at
/// `claim_months` of age (62 to 70 years).
pub fn own_benefit_factor(birth_year: i32, claim_months: u32) -> f64 {
    let fra = full_retirement_age_months(birth_year);
    if claim_months < fra {
        let early = f64::from(fra - claim_months);
        1.0 - (early.min(36.0) * 5.0 / 9.0 + (early - 36.0).max(0.0) * 5.0 / 12.0) / 100.0
    } else {
        let late = f64::from(claim_months.min(70 * 12) - fra);
        1.0 + late * (2.0 / 3.0) / 100.0
    }
}

/// Spousal benefit as a share of the WORKER's PIA when the spouse claims at `claim_months`.
pub fn spousal_benefit_factor(birth_year: i32, claim_months: u32) -> f64 {
    let fra = full_retirement_age_months(birth_year);
    let early = f64::from(fra.saturating_sub(claim_months));
    0.5 * (1.0 - (early.min(36.0) * 25.0 / 36.0 + (early - 36.0).max(0.0) * 5.0 / 12.0) / 100.0)
}

/// One stream of income.
#[derive(Clone, Debug, PartialEq)]
pub struct IncomeStream {
    pub name: String,
    /// Step at which payments start.
    pub start_step: u32,
    /// Annual amount in start-year dollars when `indexed`, else nominal dollars.
    pub annual: f64,
    /// Follows the CPI (Social Security COLA, a pension with COLA).
    pub indexed: bool,
    /// Social Security (taxed under IRC §86) rather than a pension (ordinary income).
    pub social_security: bool,
}

impl IncomeStream {
    /// Nominal payment in `step` given the price level `cpi` (relative to the start).
    #[inline]
    pub fn at(&self, step: u32, steps_per_year: u32, cpi: f64) -> f64 {
        if step < self.start_step {
            return 0.0;
        }
        let per_step = self.annual / f64::from(steps_per_year);
        if self.indexed {
            per_step * cpi
        } else {
            per_step
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn benefit_at_62_fra_and_70_for_a_1968_birth_year() {
        // FRA 67. At 62: 60 months early, 36 x 5/9% + 24 x 5/12% = 30% reduction.
        assert_eq!(full_retirement_age_months(1968), 67 * 12);
        assert!((own_benefit_factor(1968, 62 * 12) - 0.70).abs() < 1e-12);
        assert!((own_benefit_factor(1968, 67 * 12) - 1.00).abs() < 1e-12);
        // At 70: 36 months of 2/3% delayed credits = +24%.
        assert!((own_benefit_factor(1968, 70 * 12) - 1.24).abs() < 1e-12);
        // Credits stop at 70.
        assert!((own_benefit_factor(1968, 72 * 12) - 1.24).abs() < 1e-12);
        // Spousal: 50% at FRA, 32.5% at 62 (35% reduction of the 50%), no credits past FRA.
        assert!((spousal_benefit_factor(1968, 67 * 12) - 0.5).abs() < 1e-12);
        assert!((spousal_benefit_factor(1968, 62 * 12) - 0.325).abs() < 1e-12);
        assert!((spousal_benefit_factor(1968, 70 * 12) - 0.5).abs() < 1e-12);
    }

    #[test]
    fn full_retirement_ages_by_birth_year() {
        assert_eq!(full_retirement_age_months(1937), 780);
        assert_eq!(full_retirement_age_months(1940), 786);
        assert_eq!(full_retirement_age_months(1950), 792);
        assert_eq!(full_retirement_age_months(1957), 798);
        assert_eq!(full_retirement_age_months(1960), 804);
        // FRA 66 (1954): claiming at 62 is 48 months early: 20% + 12 x 5/12% = 25%.
        assert!((own_benefit_factor(1954, 62 * 12) - 0.75).abs() < 1e-12);
    }

    #[test]
    fn streams_start_on_time_and_follow_cpi() {
        let ss = IncomeStream {
            name: "ss".into(),
            start_step: 24,
            annual: 12_000.0,
            indexed: true,
            social_security: true,
        };
        assert_eq!(ss.at(23, 12, 1.5), 0.0);
        assert!((ss.at(24, 12, 1.5) - 1_500.0).abs() < 1e-9);
        let pension = IncomeStream {
            indexed: false,
            ..ss
        };
        assert!((pension.at(30, 12, 1.5) - 1_000.0).abs() < 1e-9);
    }
}
