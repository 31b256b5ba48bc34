//! `driftlab tax`: one year's federal income tax, exact to the cent, from flags.
//!
//! A thin shell over [`crate::tax`]: the flags become a `YearIncome<Decimal>`, checked here so
//! every error names its flag; the computation and its numbers live in the library.

use super::{Failure, write_out};
use crate::plan::money::{fmt_money, parse_money};
use crate::tax::{self, FilingStatus, LossCarry, TaxBreakdown, TaxLaw, YearIncome};
use clap::ValueEnum;
use rust_decimal::Decimal;
use rust_decimal::prelude::ToPrimitive;
use rust_decimal_macros::dec;
use std::io::Write;

/// Largest amount a flag accepts (a trillion dollars), so no sum or product can overflow.
const MAX_AMOUNT: Decimal = dec!(1_000_000_000_000);
/// Oldest age accepted.
const MAX_AGE: u32 = 130;
/// The extra IRA amount used for the effective marginal rate.
const MARGINAL_STEP: Decimal = dec!(100);

/// `--filing`: the federal filing status.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum FilingArg {
    /// Single.
    Single,
    /// Married filing jointly. (A qualifying surviving spouse shares its brackets and
    /// deduction, but not its Social Security and senior-deduction thresholds.)
    Mfj,
    /// Head of household.
    Hoh,
    /// Married filing separately (assumes the spouses lived together during the year).
    Mfs,
}

impl From<FilingArg> for FilingStatus {
    fn from(f: FilingArg) -> Self {
        match f {
            FilingArg::Single => FilingStatus::Single,
            FilingArg::Mfj => FilingStatus::Mfj,
            FilingArg::Hoh => FilingStatus::Hoh,
            FilingArg::Mfs => FilingStatus::Mfs,
        }
    }
}

/// `--format`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, ValueEnum)]
pub enum TaxFormat {
    /// A readable table.
    #[default]
    Table,
    /// One JSON object; amounts are numbers of dollars.
    Json,
}

/// `driftlab tax`: one year's US federal income tax for a household of one or two people.
#[derive(Debug, clap::Args)]
#[command(
    after_help = "Amounts are dollars for the year (commas and a leading $ allowed, at most two \
decimals). Gains may be negative (losses). Not modelled: itemized deductions, credits, AMT, \
FICA, tax-exempt interest. The state tax is a flat rate on federal taxable income."
)]
pub struct TaxArgs {
    /// Tax year: 2025 or 2026.
    #[arg(long, allow_negative_numbers = true)]
    pub year: i32,
    /// Filing status.
    #[arg(long, value_enum)]
    pub filing: FilingArg,
    /// Your age on 31 December of the tax year.
    #[arg(long, allow_negative_numbers = true, value_parser = age)]
    pub age: u32,
    /// Spouse's age on 31 December (required with --filing mfj, refused otherwise).
    #[arg(long, allow_negative_numbers = true, value_parser = age)]
    pub spouse_age: Option<u32>,
    /// Wages and salaries.
    #[arg(long, value_name = "DOLLARS", allow_negative_numbers = true, value_parser = amount)]
    pub wages: Option<Decimal>,
    /// Spouse's wages (joint return only).
    #[arg(long, value_name = "DOLLARS", allow_negative_numbers = true, value_parser = amount)]
    pub spouse_wages: Option<Decimal>,
    /// Taxable distributions from traditional IRAs and 401(k)s, Roth conversions, pensions.
    #[arg(long, value_name = "DOLLARS", allow_negative_numbers = true, value_parser = amount)]
    pub ira_distributions: Option<Decimal>,
    /// The part of --ira-distributions taken before 59½ with no exception (10% additional
    /// tax, IRC §72(t)).
    #[arg(long, value_name = "DOLLARS", allow_negative_numbers = true, value_parser = amount)]
    pub early_distributions: Option<Decimal>,
    /// Taxable interest.
    #[arg(long, value_name = "DOLLARS", allow_negative_numbers = true, value_parser = amount)]
    pub taxable_interest: Option<Decimal>,
    /// Qualified dividends (part of --ordinary-dividends).
    #[arg(long, value_name = "DOLLARS", allow_negative_numbers = true, value_parser = amount)]
    pub qualified_dividends: Option<Decimal>,
    /// Ordinary dividends in total, qualified dividends included.
    #[arg(long, value_name = "DOLLARS", allow_negative_numbers = true, value_parser = amount)]
    pub ordinary_dividends: Option<Decimal>,
    /// Net short-term capital gain; negative for a loss.
    #[arg(long, value_name = "DOLLARS", allow_negative_numbers = true, value_parser = amount)]
    pub short_term_gains: Option<Decimal>,
    /// Net long-term capital gain; negative for a loss.
    #[arg(long, value_name = "DOLLARS", allow_negative_numbers = true, value_parser = amount)]
    pub long_term_gains: Option<Decimal>,
    /// Social Security benefits received (both spouses on a joint return).
    #[arg(long, value_name = "DOLLARS", allow_negative_numbers = true, value_parser = amount)]
    pub social_security: Option<Decimal>,
    /// Flat state income tax rate on federal taxable income: a fraction (0.05) or a percent
    /// (5%).
    #[arg(long, value_name = "RATE", allow_negative_numbers = true, value_parser = rate)]
    pub state_rate: Option<Decimal>,
    /// Output format.
    #[arg(long, value_enum, default_value = "table")]
    pub format: TaxFormat,
}

/// A dollar amount of either sign (signs are checked per flag in [`income`]).
fn amount(raw: &str) -> Result<Decimal, String> {
    let x = parse_money(raw)?;
    if x.abs() > MAX_AMOUNT {
        return Err(format!(
            "{raw} is out of range: at most {}",
            fmt_money(MAX_AMOUNT)
        ));
    }
    Ok(x)
}

fn age(raw: &str) -> Result<u32, String> {
    match raw.trim().parse::<u32>() {
        Ok(a) if a <= MAX_AGE => Ok(a),
        _ => Err(format!(
            "{raw:?} is not an age; use whole years from 0 to {MAX_AGE}"
        )),
    }
}

fn rate(raw: &str) -> Result<Decimal, String> {
    let s = raw.trim();
    let (num, percent) = match s.strip_suffix('%') {
        Some(n) => (n.trim(), true),
        None => (s, false),
    };
    let x: Decimal = num.parse().map_err(|_| {
        format!("{raw:?} is not a rate; write a fraction like 0.05 or a percent like 5%")
    })?;
    let x = if percent { x / dec!(100) } else { x };
    if x < Decimal::ZERO || x >= Decimal::ONE {
        return Err(format!(
            "{raw} is out of range: use a fraction from 0 to below 1 (0.05 is 5%), or a percent like 5%"
        ));
    }
    Ok(x)
}

/// The flags as one year's income, with every cross-flag rule checked.
pub fn income(
    a: &TaxArgs,
) -> Result<(TaxLaw<Decimal>, FilingStatus, YearIncome<Decimal>), Failure> {
    let status = FilingStatus::from(a.filing);
    let law = TaxLaw::<Decimal>::published(a.year).ok_or_else(|| {
        Failure::input(format!(
            "--year {}: no tax law for that year; use {}",
            a.year,
            tax::law::PUBLISHED_YEARS
                .map(|y| y.to_string())
                .join(" or ")
        ))
    })?;
    if !law.covers(status) {
        return Err(Failure::input(format!(
            "--filing {}: driftlab has no {} figures for {}; use --year {}",
            status.short_name(),
            a.year,
            status.name(),
            tax::law::BASE_YEAR
        )));
    }
    let law = law.with_state_rate(a.state_rate.unwrap_or(Decimal::ZERO));
    let joint = status == FilingStatus::Mfj;
    if a.spouse_age.is_some() && !joint {
        return Err(Failure::input(format!(
            "--spouse-age: a spouse's age counts only on a joint return; use --filing mfj or drop --spouse-age (--filing is {})",
            status.short_name()
        )));
    }
    if a.spouse_wages.is_some() && !joint {
        return Err(Failure::input(format!(
            "--spouse-wages: only a joint return includes a spouse's wages; use --filing mfj (--filing is {})",
            status.short_name()
        )));
    }
    if joint && a.spouse_age.is_none() {
        return Err(Failure::input(
            "--filing mfj needs --spouse-age: the spouse's age on 31 December decides the 65+ deductions",
        ));
    }
    let non_negative = |flag: &str, x: Option<Decimal>| -> Result<Decimal, Failure> {
        match x {
            Some(v) if v < Decimal::ZERO => Err(Failure::input(format!(
                "--{flag} {}: must not be negative (only --short-term-gains and --long-term-gains may be)",
                fmt_money(v)
            ))),
            v => Ok(v.unwrap_or(Decimal::ZERO)),
        }
    };
    let wages = non_negative("wages", a.wages)?;
    let spouse_wages = non_negative("spouse-wages", a.spouse_wages)?;
    let ira = non_negative("ira-distributions", a.ira_distributions)?;
    let early = non_negative("early-distributions", a.early_distributions)?;
    let interest = non_negative("taxable-interest", a.taxable_interest)?;
    let qualified = non_negative("qualified-dividends", a.qualified_dividends)?;
    let ordinary = non_negative("ordinary-dividends", a.ordinary_dividends)?;
    let social_security = non_negative("social-security", a.social_security)?;
    if qualified > ordinary {
        return Err(Failure::input(format!(
            "--qualified-dividends {} is more than --ordinary-dividends {}: ordinary dividends are the total, qualified ones included",
            fmt_money(qualified),
            fmt_money(ordinary)
        )));
    }
    if early > ira {
        return Err(Failure::input(format!(
            "--early-distributions {} is more than --ira-distributions {}: early distributions are part of them",
            fmt_money(early),
            fmt_money(ira)
        )));
    }
    let income = YearIncome {
        wages: wages + spouse_wages,
        taxable_interest: interest,
        ordinary_dividends: ordinary,
        qualified_dividends: qualified,
        ira_distributions: ira,
        early_distributions: early,
        short_term_gains: a.short_term_gains.unwrap_or(Decimal::ZERO),
        long_term_gains: a.long_term_gains.unwrap_or(Decimal::ZERO),
        social_security,
        age: a.age,
        spouse_age: a.spouse_age,
    };
    Ok((law, status, income))
}

/// `driftlab tax`.
pub fn run(a: &TaxArgs, out: &mut dyn Write) -> Result<(), Failure> {
    let (law, status, income) = income(a)?;
    let exact = tax::compute(&law, status, &income, LossCarry::none());
    let t = exact.to_cents();
    let marginal = tax::marginal_rate(&law, status, &income, LossCarry::none(), MARGINAL_STEP);
    let text = match a.format {
        TaxFormat::Table => table(a, &law, status, &t, marginal),
        TaxFormat::Json => json(a, &law, status, &t, marginal),
    };
    write_out(out, &text)
}

fn pct(x: Decimal) -> String {
    let mut p = (x * dec!(100)).round_dp(2).normalize();
    if p.scale() == 0 {
        p.rescale(0);
    }
    format!("{p}%")
}

fn table(
    a: &TaxArgs,
    law: &TaxLaw<Decimal>,
    status: FilingStatus,
    t: &TaxBreakdown<Decimal>,
    marginal: Decimal,
) -> String {
    let ages = match a.spouse_age {
        Some(s) => format!("ages {} and {s}", a.age),
        None => format!("age {}", a.age),
    };
    let mut rows: Vec<(String, Decimal)> = vec![
        ("Adjusted gross income".into(), t.agi),
        ("Taxable Social Security".into(), t.taxable_social_security),
        ("Standard deduction".into(), t.standard_deduction),
        ("Senior deduction".into(), t.senior_deduction),
        ("Taxable income".into(), t.taxable_income),
        ("  at ordinary rates".into(), t.ordinary_tax),
        (
            "  on qualified dividends and long-term gains".into(),
            t.capital_gains_tax,
        ),
        ("Regular tax".into(), t.regular_tax),
        ("Net investment income tax".into(), t.niit),
    ];
    if t.penalty > Decimal::ZERO {
        rows.push(("Early-withdrawal penalty (10%)".into(), t.penalty));
    }
    rows.push(("Federal tax".into(), t.federal_tax));
    if law.state_rate > Decimal::ZERO {
        rows.push((
            format!("State tax ({} of taxable income)", pct(law.state_rate)),
            t.state_tax,
        ));
    }
    rows.push(("Total tax".into(), t.total_tax));
    if t.capital_loss_deduction > Decimal::ZERO {
        rows.push(("Capital loss deducted".into(), t.capital_loss_deduction));
    }
    let carry = t.carry_out.short + t.carry_out.long > Decimal::ZERO;
    if carry {
        rows.push((
            "Loss carried to next year, short-term".into(),
            t.carry_out.short,
        ));
        rows.push((
            "Loss carried to next year, long-term".into(),
            t.carry_out.long,
        ));
    }
    let width = rows.iter().map(|r| r.0.chars().count()).max().unwrap_or(0);
    let mut s = format!(
        "{} federal income tax: {}, {ages}\n\n",
        a.year,
        status.name()
    );
    for (label, v) in rows {
        s.push_str(&format!("{label:<width$}  {:>16}\n", fmt_money(v)));
    }
    let effective = if t.agi.is_zero() {
        Decimal::ZERO
    } else {
        t.total_tax / t.agi
    };
    s.push_str(&format!(
        "\nBracket rate {}; marginal rate on ${} more IRA income {}; total tax is {} of AGI.\n",
        pct(t.bracket_rate),
        MARGINAL_STEP,
        pct(marginal),
        pct(effective)
    ));
    s
}

fn num(x: Decimal) -> serde_json::Value {
    x.to_f64()
        .and_then(serde_json::Number::from_f64)
        .map_or(serde_json::Value::Null, serde_json::Value::Number)
}

fn json(
    a: &TaxArgs,
    law: &TaxLaw<Decimal>,
    status: FilingStatus,
    t: &TaxBreakdown<Decimal>,
    marginal: Decimal,
) -> String {
    let v = serde_json::json!({
        "tool_version": env!("CARGO_PKG_VERSION"),
        "year": a.year,
        "filing": status.short_name(),
        "age": a.age,
        "spouse_age": a.spouse_age,
        "state_rate": num(law.state_rate),
        "agi": num(t.agi),
        "taxable_social_security": num(t.taxable_social_security),
        "standard_deduction": num(t.standard_deduction),
        "senior_deduction": num(t.senior_deduction),
        "taxable_income": num(t.taxable_income),
        "ordinary_tax": num(t.ordinary_tax),
        "capital_gains_tax": num(t.capital_gains_tax),
        "regular_tax": num(t.regular_tax),
        "niit": num(t.niit),
        "penalty": num(t.penalty),
        "federal_tax": num(t.federal_tax),
        "state_tax": num(t.state_tax),
        "total_tax": num(t.total_tax),
        "capital_loss_deduction": num(t.capital_loss_deduction),
        "carry_forward": {
            "short_term": num(t.carry_out.short),
            "long_term": num(t.carry_out.long),
        },
        "bracket_rate": num(t.bracket_rate),
        "marginal_rate": num(marginal),
    });
    let mut s = serde_json::to_string_pretty(&v).unwrap_or_default();
    s.push('\n');
    s
}
