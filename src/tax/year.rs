//! One year of federal income tax for a household of one or two people, in the order of
//! section 9 of the reference: capital netting → other income → taxable Social Security →
//! AGI → senior deduction → taxable income → QDCG worksheet → NIIT; then the early-withdrawal
//! penalty and the optional flat state tax.

use super::amount::Amount;
use super::brackets::{bracket_rate, regular_tax};
use super::capital::{self, LossCarry};
use super::deductions::{senior_deduction, standard_deduction};
use super::filing::FilingStatus;
use super::law::TaxLaw;
use super::social_security::taxable_benefits;

/// A household's income for one year. Amounts are for the whole return (both spouses on a
/// joint return) and must be finite; all but the gains should be non-negative (the CLI
/// checks; the library does not panic on other values but their result is not meaningful).
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct YearIncome<M> {
    /// Wages and salaries.
    pub wages: M,
    /// Taxable interest.
    pub taxable_interest: M,
    /// Ordinary dividends, in total (qualified dividends included).
    pub ordinary_dividends: M,
    /// The qualified part of `ordinary_dividends` (at most `ordinary_dividends`).
    pub qualified_dividends: M,
    /// Taxable distributions from traditional accounts, Roth conversions and pensions.
    pub ira_distributions: M,
    /// The part of `ira_distributions` taken early with no exception, subject to the 10%
    /// additional tax (IRC §72(t)). Not added to income again.
    pub early_distributions: M,
    /// Net short-term capital gain (negative: loss) realized this year.
    pub short_term_gains: M,
    /// Net long-term capital gain (negative: loss) realized this year.
    pub long_term_gains: M,
    /// Social Security benefits received (total, not the taxable part).
    pub social_security: M,
    /// Taxpayer's age on 31 December.
    pub age: u32,
    /// Spouse's age on 31 December; counted only on a joint return.
    pub spouse_age: Option<u32>,
}

/// The tax on one year's income, line by line. All amounts are in the numeric type of the
/// computation, unrounded (see [`TaxBreakdown::to_cents`] for the estimate's rounding).
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct TaxBreakdown<M> {
    /// Adjusted gross income; also MAGI for these households (no foreign income).
    pub agi: M,
    /// The taxable part of Social Security benefits (Pub. 915), included in `agi`.
    pub taxable_social_security: M,
    /// Standard deduction, with the additional amount for each person 65+.
    pub standard_deduction: M,
    /// OBBBA senior deduction (2025–2028), after its phase-out.
    pub senior_deduction: M,
    /// Taxable income: AGI less both deductions, not below zero.
    pub taxable_income: M,
    /// Part of taxable income taxed at the ordinary brackets.
    pub ordinary_income: M,
    /// Part of taxable income (qualified dividends and net long-term gain) taxed at 0/15/20%.
    pub preferential_income: M,
    /// Tax on `ordinary_income`.
    pub ordinary_tax: M,
    /// Tax on `preferential_income`.
    pub capital_gains_tax: M,
    /// Regular income tax: `ordinary_tax + capital_gains_tax`.
    pub regular_tax: M,
    /// Net investment income (interest, dividends, net gain or the deducted loss), not below
    /// zero; wages, retirement distributions and Social Security are not investment income.
    pub net_investment_income: M,
    /// Net Investment Income Tax: 3.8% of the lesser of net investment income and MAGI above
    /// the threshold.
    pub niit: M,
    /// 10% additional tax on early distributions.
    pub penalty: M,
    /// Federal total: `regular_tax + niit + penalty`.
    pub federal_tax: M,
    /// Flat state tax on federal taxable income (zero unless the law has a state rate).
    pub state_tax: M,
    /// Everything: `federal_tax + state_tax`.
    pub total_tax: M,
    /// Net capital loss deducted from other income this year (positive, at most the limit).
    pub capital_loss_deduction: M,
    /// Capital loss carried to next year, by character.
    pub carry_out: LossCarry<M>,
    /// The statutory ordinary bracket rate on the next dollar of ordinary income. It ignores
    /// the Social Security and senior-deduction phase-ins and gain stacking; for the effective
    /// marginal rate use [`marginal_rate`].
    pub bracket_rate: M,
}

/// One year's tax. `carry_in` is the capital loss carried from last year (the previous
/// year's [`TaxBreakdown::carry_out`]).
///
/// Pure and allocation-free; the `f64` instance is meant for the simulation's inner loop.
pub fn compute<M: Amount>(
    law: &TaxLaw<M>,
    status: FilingStatus,
    income: &YearIncome<M>,
    carry_in: LossCarry<M>,
) -> TaxBreakdown<M> {
    // 1. Capital gains and losses, with the yearly loss limit.
    let cap = capital::net(
        law,
        status,
        income.short_term_gains,
        income.long_term_gains,
        carry_in,
    );
    // 2. Income other than Social Security.
    let other = income.wages
        + income.taxable_interest
        + income.ordinary_dividends
        + income.ira_distributions
        + cap.included;
    // 3-4. Taxable Social Security needs all other income; then AGI (= MAGI).
    let taxable_ss = taxable_benefits(law, status, income.social_security, other);
    let agi = other + taxable_ss;
    // 5-6. Deductions and taxable income.
    let std = standard_deduction(law, status, income.age, income.spouse_age);
    let senior = senior_deduction(law, status, income.age, income.spouse_age, agi);
    let before_floor = agi - std - senior;
    let taxable_income = before_floor.max(M::ZERO);
    // 7. Regular tax with qualified dividends and net long-term gain at 0/15/20%.
    let preferential = income.qualified_dividends.max(M::ZERO) + cap.preferential;
    let regular = regular_tax(law, status, taxable_income, preferential);
    // 8. NIIT on the lesser of net investment income and MAGI over the threshold (§1411).
    // The deducted capital loss reduces investment income (Treas. Reg. §1.1411-4(d)(2)).
    let nii = (income.taxable_interest + income.ordinary_dividends + cap.included).max(M::ZERO);
    let over = (agi - law.niit_threshold[status.index()]).max(M::ZERO);
    let niit = nii.min(over) * law.niit_rate;
    let penalty = income.early_distributions.max(M::ZERO) * law.early_withdrawal_rate;
    let federal_tax = regular.total + niit + penalty;
    let state_tax = taxable_income * law.state_rate;
    TaxBreakdown {
        agi,
        taxable_social_security: taxable_ss,
        standard_deduction: std,
        senior_deduction: senior,
        taxable_income,
        ordinary_income: regular.ordinary_income,
        preferential_income: regular.preferential_income,
        ordinary_tax: regular.ordinary_tax,
        capital_gains_tax: regular.capital_gains_tax,
        regular_tax: regular.total,
        net_investment_income: nii,
        niit,
        penalty,
        federal_tax,
        state_tax,
        total_tax: federal_tax + state_tax,
        capital_loss_deduction: cap.loss_deduction,
        carry_out: capital::carry_forward(&cap, before_floor),
        bracket_rate: bracket_rate(law, status, regular.ordinary_income),
    }
}

/// The effective marginal rate on `step` more dollars of IRA distributions: the change in
/// total tax divided by `step`. It includes every interaction the bracket rate misses (the
/// Social Security "tax torpedo", the senior-deduction phase-out, gains pushed out of the 0%
/// band, NIIT). `step` must be positive; a zero step gives zero.
pub fn marginal_rate<M: Amount>(
    law: &TaxLaw<M>,
    status: FilingStatus,
    income: &YearIncome<M>,
    carry_in: LossCarry<M>,
    step: M,
) -> M {
    if step <= M::ZERO {
        return M::ZERO;
    }
    let base = compute(law, status, income, carry_in);
    let more = YearIncome {
        ira_distributions: income.ira_distributions + step,
        ..*income
    };
    let after = compute(law, status, &more, carry_in);
    (after.total_tax - base.total_tax) / step
}

impl TaxBreakdown<rust_decimal::Decimal> {
    /// Every amount rounded to the cent (half to even). The sums (`regular_tax`,
    /// `federal_tax`, `total_tax`) are re-added from the rounded parts so a table adds up.
    pub fn to_cents(&self) -> Self {
        let c = |x: rust_decimal::Decimal| {
            let mut y =
                x.round_dp_with_strategy(2, rust_decimal::RoundingStrategy::MidpointNearestEven);
            y.rescale(2);
            y
        };
        let regular_tax = c(self.ordinary_tax) + c(self.capital_gains_tax);
        let federal_tax = regular_tax + c(self.niit) + c(self.penalty);
        TaxBreakdown {
            agi: c(self.agi),
            taxable_social_security: c(self.taxable_social_security),
            standard_deduction: c(self.standard_deduction),
            senior_deduction: c(self.senior_deduction),
            taxable_income: c(self.taxable_income),
            ordinary_income: c(self.ordinary_income),
            preferential_income: c(self.preferential_income),
            ordinary_tax: c(self.ordinary_tax),
            capital_gains_tax: c(self.capital_gains_tax),
            regular_tax,
            net_investment_income: c(self.net_investment_income),
            niit: c(self.niit),
            penalty: c(self.penalty),
            federal_tax,
            state_tax: c(self.state_tax),
            total_tax: federal_tax + c(self.state_tax),
            capital_loss_deduction: c(self.capital_loss_deduction),
            carry_out: LossCarry {
                short: c(self.carry_out.short),
                long: c(self.carry_out.long),
            },
            bracket_rate: self.bracket_rate,
        }
    }
}
