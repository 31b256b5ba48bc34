//! Lowering of the retirement-planning parts of a scenario: the household's ages, income,
//! withdrawal rules, glide paths, cash reserves and stress tests.

use super::file::{
    AssetSpec, CashReserveSpec, GlidePathSpec, IncomeSpec, ScenarioFile, StressSpec, WithdrawalSpec,
};
use super::{Lowering, MAX_YEARS, ScenarioError, one_of};
use crate::glide::{GlidePath, Interpolation};
use crate::income::{IncomeStream, own_benefit_factor, spousal_benefit_factor};
use crate::mortality::LifeTable;
use crate::portfolio::TargetAllocation;
use crate::strategy::{CashReserve, Refill};
use crate::stress::{NamedStress, Stress};
use crate::withdrawal::{FirstWithdrawal, Guardrails, WithdrawalRule};

/// Default calendar year of the simulation start.
const DEFAULT_START_YEAR: i64 = 2026;

/// The household's timeline, in whole years from the start.
pub(super) struct Timeline {
    pub years: u32,
    pub retire_after: u32,
    pub age: Option<u32>,
    pub birth_year: Option<i64>,
    pub start_year: i64,
}

impl Lowering<'_> {
    /// The household's life table, if it names one.
    pub(super) fn life_table(
        &self,
        spec: &ScenarioFile,
    ) -> Result<Option<LifeTable>, ScenarioError> {
        let Some(file) = spec
            .household
            .as_ref()
            .and_then(|h| h.mortality_file.as_ref())
        else {
            return Ok(None);
        };
        let path = self.base_dir.join(file);
        let text = std::fs::read_to_string(&path).map_err(|e| {
            self.err(
                "household.mortality_file",
                format!("cannot read {}: {e}", path.display()),
            )
        })?;
        LifeTable::parse(&text).map(Some).map_err(|(line, m)| {
            self.err(
                "household.mortality_file",
                format!("{}:{line}: {m}", path.display()),
            )
        })
    }

    pub(super) fn timeline(&self, spec: &ScenarioFile) -> Result<Timeline, ScenarioError> {
        let sim_years = spec.simulation.years;
        let retire = spec.cash_flows.retire_after_years;
        let Some(h) = &spec.household else {
            let years = sim_years.unwrap_or(30);
            if !(1..=MAX_YEARS).contains(&years) {
                return Err(self.err(
                    "simulation.years",
                    format!("{years} years: use 1 to {MAX_YEARS}"),
                ));
            }
            let retire = retire.unwrap_or(0);
            if retire < 0 || retire > years {
                return Err(self.err(
                    "cash_flows.retire_after_years",
                    format!("{retire}: must be from 0 to the horizon ({years} years)"),
                ));
            }
            return Ok(Timeline {
                years: years as u32,
                retire_after: retire as u32,
                age: None,
                birth_year: None,
                start_year: DEFAULT_START_YEAR,
            });
        };
        if !(18..=110).contains(&h.age) {
            return Err(self.err(
                "household.age",
                format!("{}: use an age from 18 to 110", h.age),
            ));
        }
        let start_year = h.start_year.unwrap_or(DEFAULT_START_YEAR);
        if !(1800..=2200).contains(&start_year) {
            return Err(self.err(
                "household.start_year",
                format!("{start_year}: use a calendar year from 1800 to 2200"),
            ));
        }
        let birth_year = h.birth_year.unwrap_or(start_year - h.age);
        if !(0..=1).contains(&(start_year - birth_year - h.age)) {
            return Err(self.err(
                "household.birth_year",
                format!(
                    "{birth_year} does not match age {} in {start_year}: the age must be {} or {}",
                    h.age,
                    start_year - birth_year - 1,
                    start_year - birth_year
                ),
            ));
        }
        let years = match (h.horizon_age, sim_years) {
            (Some(_), Some(_)) => {
                return Err(self.err(
                    "simulation.years",
                    "give simulation.years or household.horizon_age, not both",
                ));
            }
            (Some(end), None) => {
                if end <= h.age || end - h.age > MAX_YEARS {
                    return Err(self.err(
                        "household.horizon_age",
                        format!(
                            "{end}: must be above the current age {} and at most {} years later",
                            h.age, MAX_YEARS
                        ),
                    ));
                }
                end - h.age
            }
            (None, y) => y.unwrap_or(30),
        };
        if !(1..=MAX_YEARS).contains(&years) {
            return Err(self.err(
                "simulation.years",
                format!("{years} years: use 1 to {MAX_YEARS}"),
            ));
        }
        let retire_after = match (h.retirement_age, retire) {
            (Some(_), Some(_)) => {
                return Err(self.err(
                    "cash_flows.retire_after_years",
                    "give cash_flows.retire_after_years or household.retirement_age, not both",
                ));
            }
            (Some(r), None) => {
                if r < h.age {
                    return Err(self.err(
                        "household.retirement_age",
                        format!(
                            "{r} is before the current age {}: retirement must be at or after it",
                            h.age
                        ),
                    ));
                }
                r - h.age
            }
            (None, r) => r.unwrap_or(0),
        };
        if retire_after > years {
            return Err(self.err(
                "household.retirement_age",
                format!(
                    "retirement {retire_after} years from now is after the horizon ({years} years)"
                ),
            ));
        }
        Ok(Timeline {
            years: years as u32,
            retire_after: retire_after as u32,
            age: Some(h.age as u32),
            birth_year: Some(birth_year),
            start_year,
        })
    }

    /// A withdrawal rule from its spec. `legacy` carries [cash_flows]' withdrawal_rate,
    /// withdrawal_amount and inflation_adjusted, which are the constant rule's parameters.
    pub(super) fn withdrawal_rule(
        &self,
        key: &str,
        spec: &WithdrawalSpec,
        legacy: (Option<f64>, Option<f64>, Option<bool>),
        has_age: bool,
    ) -> Result<WithdrawalRule, ScenarioError> {
        let k = |f: &str| format!("{key}.{f}");
        let pick =
            |a: Option<f64>, b: Option<f64>, name: &str| -> Result<Option<f64>, ScenarioError> {
                match (a, b) {
                    (Some(_), Some(_)) => Err(self.err(
                        &k(name),
                        format!("given twice: here and as cash_flows.withdrawal_{name}"),
                    )),
                    (x, y) => Ok(x.or(y)),
                }
            };
        // Name the key the user wrote: [cash_flows] withdrawal_rate / withdrawal_amount, or
        // the rule table's rate / amount.
        let rate_key = if spec.rate.is_none() && legacy.0.is_some() {
            "cash_flows.withdrawal_rate".to_string()
        } else {
            k("rate")
        };
        let amount_key = if spec.amount.is_none() && legacy.1.is_some() {
            "cash_flows.withdrawal_amount".to_string()
        } else {
            k("amount")
        };
        let rate = pick(spec.rate, legacy.0, "rate")?
            .map(|r| self.finite(&rate_key, r, 0.0, 1.0, "a share of wealth"))
            .transpose()?;
        let amount = pick(spec.amount, legacy.1, "amount")?
            .map(|a| self.finite(&amount_key, a, 0.0, 1e10, "dollars per year"))
            .transpose()?;
        let inflation_adjusted = spec.inflation_adjusted.or(legacy.2).unwrap_or(true);
        let need_rate = |rule: &str| {
            rate.ok_or_else(|| self.err(key, format!("the {rule} rule needs `rate` (e.g. 0.04)")))
        };
        let rule = spec.rule.as_deref().unwrap_or("constant");
        let extra = |present: bool, name: &str| {
            self.forbid(
                &k(name),
                present,
                &format!("the \"{rule}\" rule does not use it"),
            )
        };
        if rule != "vpw" {
            extra(spec.real_return.is_some(), "real_return")?;
        }
        if rule != "floor_ceiling" {
            extra(
                spec.floor.is_some() || spec.ceiling.is_some(),
                if spec.floor.is_some() {
                    "floor"
                } else {
                    "ceiling"
                },
            )?;
        }
        if rule != "guardrails" {
            for (present, name) in [
                (spec.upper.is_some(), "upper"),
                (spec.lower.is_some(), "lower"),
                (spec.cut.is_some(), "cut"),
                (spec.raise.is_some(), "raise"),
                (spec.no_cut_final_years.is_some(), "no_cut_final_years"),
            ] {
                extra(present, name)?;
            }
        }
        if rule != "constant" {
            extra(amount.is_some(), "amount")?;
            extra(spec.inflation_adjusted.is_some(), "inflation_adjusted")?;
        }
        Ok(match rule {
            "constant" => match (rate, amount) {
                (Some(_), Some(_)) => {
                    return Err(self.err(
                        &amount_key,
                        "give a rate or an amount (withdrawal_rate or withdrawal_amount), not both",
                    ));
                }
                (Some(r), None) => WithdrawalRule::Constant {
                    first: FirstWithdrawal::Rate(r),
                    inflation_adjusted,
                },
                (None, Some(a)) => WithdrawalRule::Constant {
                    first: FirstWithdrawal::Real(a),
                    inflation_adjusted,
                },
                (None, None) => WithdrawalRule::None,
            },
            "percent" => WithdrawalRule::PercentOfPortfolio {
                rate: need_rate("percent")?,
            },
            "guardrails" => {
                let mut g = Guardrails::classic(need_rate("guardrails")?);
                if let Some(v) = spec.upper {
                    g.upper = self.finite(
                        &k("upper"),
                        v,
                        1.0,
                        5.0,
                        "the upper guardrail (a multiple of the initial rate)",
                    )?;
                }
                if let Some(v) = spec.lower {
                    g.lower = self.finite(
                        &k("lower"),
                        v,
                        0.0,
                        1.0,
                        "the lower guardrail (a multiple of the initial rate)",
                    )?;
                }
                if let Some(v) = spec.cut {
                    g.cut = self.finite(&k("cut"), v, 0.0, 1.0, "the cut")?;
                }
                if let Some(v) = spec.raise {
                    g.raise = self.finite(&k("raise"), v, 0.0, 1.0, "the raise")?;
                }
                if let Some(v) = spec.no_cut_final_years {
                    if !(0..=100).contains(&v) {
                        return Err(
                            self.err(&k("no_cut_final_years"), format!("{v}: use 0 to 100"))
                        );
                    }
                    g.no_cut_final_years = v as u32;
                }
                WithdrawalRule::Guardrails(g)
            }
            "vpw" => {
                self.forbid(
                    &k("rate"),
                    rate.is_some(),
                    "VPW sets its own rate from the years left and real_return",
                )?;
                WithdrawalRule::Vpw {
                    real_return: self.finite(
                        &k("real_return"),
                        spec.real_return.unwrap_or(0.03),
                        -0.05,
                        0.15,
                        "an annual real return",
                    )?,
                }
            }
            "floor_ceiling" => {
                let floor = self.finite(
                    &k("floor"),
                    spec.floor.unwrap_or(0.9),
                    0.0,
                    1.0,
                    "the floor (share of the first year's real withdrawal)",
                )?;
                let ceiling = self.finite(
                    &k("ceiling"),
                    spec.ceiling.unwrap_or(1.2),
                    1.0,
                    10.0,
                    "the ceiling (share of the first year's real withdrawal)",
                )?;
                WithdrawalRule::FloorCeiling {
                    rate: need_rate("floor_ceiling")?,
                    floor,
                    ceiling,
                }
            }
            "rmd" => {
                self.forbid(
                    &k("rate"),
                    rate.is_some(),
                    "the RMD method divides wealth by the Uniform Lifetime Table divisor",
                )?;
                if !has_age {
                    return Err(self.err(
                        key,
                        "the rmd rule needs the household's age: add a [household] table",
                    ));
                }
                WithdrawalRule::Rmd
            }
            other => {
                return Err(self.err(
                    &k("rule"),
                    one_of(
                        other,
                        &[
                            "constant",
                            "percent",
                            "guardrails",
                            "vpw",
                            "floor_ceiling",
                            "rmd",
                        ],
                    ),
                ));
            }
        })
    }

    pub(super) fn incomes(
        &self,
        specs: &[IncomeSpec],
        t: &Timeline,
        steps_per_year: u32,
    ) -> Result<Vec<IncomeStream>, ScenarioError> {
        let mut out = Vec::new();
        for (i, s) in specs.iter().enumerate() {
            let k = |f: &str| format!("income[{i}].{f}");
            let Some(age) = t.age else {
                return Err(self.err(
                    &format!("income[{i}]"),
                    "income needs the household's ages: add a [household] table",
                ));
            };
            let birth_year = s
                .birth_year
                .or(t.birth_year)
                .unwrap_or(t.start_year - i64::from(age));
            let age_now_months = (t.start_year - birth_year) * 12;
            let step_at_months = |months: f64| -> u32 {
                let m = (months - age_now_months as f64).max(0.0);
                (m / 12.0 * f64::from(steps_per_year)).floor() as u32
            };
            let claim_months = |claim: Option<f64>| -> Result<u32, ScenarioError> {
                let c = claim.ok_or_else(|| {
                    self.err(
                        &format!("income[{i}]"),
                        "Social Security needs `claim_age` (62 to 70)",
                    )
                })?;
                let c = self.finite(&k("claim_age"), c, 62.0, 70.0, "a claiming age")?;
                Ok((c * 12.0).round() as u32)
            };
            let pia = |v: Option<f64>, name: &str| -> Result<f64, ScenarioError> {
                let v = v.ok_or_else(|| self.err(&format!("income[{i}]"), format!("needs `{name}`: the monthly benefit at full retirement age, in start-year dollars")))?;
                self.finite(&k(name), v, 0.0, 100_000.0, "a monthly benefit")
            };
            let forbid_pension = |this: &str| -> Result<(), ScenarioError> {
                for (present, name) in [
                    (s.amount.is_some(), "amount"),
                    (s.start_age.is_some(), "start_age"),
                    (s.cola.is_some(), "cola"),
                ] {
                    self.forbid(
                        &k(name),
                        present,
                        &format!("a {this} benefit starts at claim_age and follows the CPI"),
                    )?;
                }
                Ok(())
            };
            let (start_step, annual, indexed) = match s.kind.as_str() {
                "social_security" => {
                    forbid_pension("Social Security")?;
                    self.forbid(
                        &k("own_pia"),
                        s.own_pia.is_some(),
                        "only a spousal benefit has a separate own_pia",
                    )?;
                    let claim = claim_months(s.claim_age)?;
                    let factor = own_benefit_factor(birth_year as i32, claim);
                    (
                        step_at_months(f64::from(claim)),
                        pia(s.pia, "pia")? * 12.0 * factor,
                        true,
                    )
                }
                "spousal" => {
                    forbid_pension("spousal")?;
                    let claim = claim_months(s.claim_age)?;
                    let worker = pia(s.pia, "pia")?;
                    let own = s
                        .own_pia
                        .map(|v| self.finite(&k("own_pia"), v, 0.0, 100_000.0, "a monthly benefit"))
                        .transpose()?
                        .unwrap_or(0.0);
                    // Own benefit plus the spousal excess (20 CFR 404.330, 404.413).
                    let own_part = own * own_benefit_factor(birth_year as i32, claim);
                    let excess = (0.5 * worker - own).max(0.0) / 0.5
                        * spousal_benefit_factor(birth_year as i32, claim);
                    (
                        step_at_months(f64::from(claim)),
                        (own_part + excess) * 12.0,
                        true,
                    )
                }
                "pension" => {
                    self.forbid(
                        &k("pia"),
                        s.pia.is_some(),
                        "a pension takes `amount` per year",
                    )?;
                    self.forbid(
                        &k("claim_age"),
                        s.claim_age.is_some(),
                        "a pension takes `start_age`",
                    )?;
                    let amount = s.amount.ok_or_else(|| {
                        self.err(
                            &format!("income[{i}]"),
                            "a pension needs `amount` (dollars per year)",
                        )
                    })?;
                    let amount = self.finite(&k("amount"), amount, 0.0, 1e9, "dollars per year")?;
                    let start = s.start_age.unwrap_or(i64::from(age));
                    if !(0..=130).contains(&start) {
                        return Err(self.err(
                            &k("start_age"),
                            format!("{start}: use an age from 0 to 130"),
                        ));
                    }
                    (
                        step_at_months(start as f64 * 12.0),
                        amount,
                        s.cola.unwrap_or(false),
                    )
                }
                other => {
                    return Err(self.err(
                        &k("kind"),
                        one_of(other, &["social_security", "spousal", "pension"]),
                    ));
                }
            };
            out.push(IncomeStream {
                name: s.name.clone(),
                start_step,
                annual,
                indexed,
                social_security: s.kind != "pension",
            });
        }
        Ok(out)
    }

    pub(super) fn glide_paths(
        &self,
        specs: &[GlidePathSpec],
        t: &Timeline,
        steps_per_year: u32,
        n_assets: usize,
    ) -> Result<Vec<(String, GlidePath)>, ScenarioError> {
        let mut out: Vec<(String, GlidePath)> = Vec::new();
        for (i, g) in specs.iter().enumerate() {
            let key = format!("glide_path[{i}]");
            if out.iter().any(|(n, _)| n == &g.name) {
                return Err(self.err(
                    &format!("{key}.name"),
                    format!(
                        "`{}` is used twice; glide path names must be unique",
                        g.name
                    ),
                ));
            }
            let interpolation = match g.interpolation.as_deref() {
                None | Some("linear") => Interpolation::Linear,
                Some("step") => Interpolation::Step,
                Some(other) => {
                    return Err(self.err(
                        &format!("{key}.interpolation"),
                        one_of(other, &["linear", "step"]),
                    ));
                }
            };
            let mut points = Vec::new();
            for (j, p) in g.points.iter().enumerate() {
                let pk = format!("{key}.points[{j}]");
                let years = match (p.age, p.year, t.age) {
                    (Some(_), Some(_), _) => return Err(self.err(&pk, "give `age` or `year`, not both")),
                    (Some(a), None, Some(now)) => self.finite(&format!("{pk}.age"), a, f64::from(now), f64::from(now) + f64::from(t.years), "an age within the horizon")? - f64::from(now),
                    (Some(_), None, None) => return Err(self.err(&pk, "`age` needs a [household] table; use `year` (years from the start) instead")),
                    (None, Some(y), _) => self.finite(&format!("{pk}.year"), y, 0.0, f64::from(t.years), "years from the start within the horizon")?,
                    (None, None, _) => return Err(self.err(&pk, "each point needs `age` or `year`")),
                };
                if p.weights.len() != n_assets {
                    return Err(self.err(
                        &format!("{pk}.weights"),
                        format!(
                            "{} weights for {n_assets} assets: give one per [[asset]], in order",
                            p.weights.len()
                        ),
                    ));
                }
                let w = TargetAllocation::new(&p.weights)
                    .map_err(|e| self.err(&format!("{pk}.weights"), e.to_string()))?;
                points.push(((years * f64::from(steps_per_year)).round() as u32, w));
            }
            let path = GlidePath::new(points, interpolation)
                .map_err(|e| self.err(&format!("{key}.points"), e))?;
            out.push((g.name.clone(), path));
        }
        Ok(out)
    }

    pub(super) fn cash_reserve(
        &self,
        key: &str,
        r: &CashReserveSpec,
    ) -> Result<CashReserve, ScenarioError> {
        let years = self.finite(
            &format!("{key}.years"),
            r.years,
            0.0,
            10.0,
            "years of withdrawals",
        )?;
        let refill = match r.refill.as_deref() {
            None | Some("always") => Refill::Always,
            Some("after_gains") => Refill::AfterGains,
            Some(other) => {
                return Err(self.err(
                    &format!("{key}.refill"),
                    one_of(other, &["always", "after_gains"]),
                ));
            }
        };
        let rate = self.finite(
            &format!("{key}.rate"),
            r.rate.unwrap_or(0.0),
            -0.05,
            0.2,
            "an annual interest rate",
        )?;
        Ok(CashReserve {
            years,
            refill,
            rate,
        })
    }

    pub(super) fn stresses(
        &self,
        specs: &[StressSpec],
        assets: &[AssetSpec],
    ) -> Result<Vec<NamedStress>, ScenarioError> {
        let mut out: Vec<NamedStress> = Vec::new();
        for (i, s) in specs.iter().enumerate() {
            let k = |f: &str| format!("stress[{i}].{f}");
            if out.iter().any(|n| n.name == s.name) {
                return Err(self.err(
                    &k("name"),
                    format!("`{}` is used twice; stress names must be unique", s.name),
                ));
            }
            let stress = match s.kind.as_str() {
                "crash" => {
                    self.forbid(
                        &k("years"),
                        s.years.is_some(),
                        "a crash takes `drop` and `assets`",
                    )?;
                    let drop = s.drop.ok_or_else(|| {
                        self.err(
                            &format!("stress[{i}]"),
                            "a crash needs `drop` (e.g. 0.3 for -30%)",
                        )
                    })?;
                    let drop = self.finite(&k("drop"), drop, 0.0, 1.0, "a fall")?;
                    let names = s.assets.as_ref().ok_or_else(|| {
                        self.err(
                            &format!("stress[{i}]"),
                            "a crash needs `assets`: the names of the assets that fall",
                        )
                    })?;
                    let idx = names
                        .iter()
                        .map(|n| {
                            assets.iter().position(|a| &a.name == n).ok_or_else(|| {
                                self.err(
                                    &k("assets"),
                                    one_of(
                                        n,
                                        &assets.iter().map(|a| a.name.as_str()).collect::<Vec<_>>(),
                                    ),
                                )
                            })
                        })
                        .collect::<Result<Vec<_>, _>>()?;
                    Stress::Crash { drop, assets: idx }
                }
                "worst_years_first" => {
                    self.forbid(
                        &k("drop"),
                        s.drop.is_some(),
                        "it reorders returns; it does not add a fall",
                    )?;
                    self.forbid(
                        &k("assets"),
                        s.assets.is_some(),
                        "it reorders every asset's returns together",
                    )?;
                    let y = s.years.ok_or_else(|| {
                        self.err(
                            &format!("stress[{i}]"),
                            "worst_years_first needs `years` (e.g. 5)",
                        )
                    })?;
                    if !(1..=MAX_YEARS).contains(&y) {
                        return Err(self.err(&k("years"), format!("{y}: use 1 to {MAX_YEARS}")));
                    }
                    Stress::WorstYearsFirst { years: y as u32 }
                }
                "reverse" => {
                    for (present, name) in [
                        (s.drop.is_some(), "drop"),
                        (s.assets.is_some(), "assets"),
                        (s.years.is_some(), "years"),
                    ] {
                        self.forbid(&k(name), present, "reverse takes no parameters")?;
                    }
                    Stress::Reverse
                }
                other => {
                    return Err(self.err(
                        &k("kind"),
                        one_of(other, &["crash", "worst_years_first", "reverse"]),
                    ));
                }
            };
            out.push(NamedStress {
                name: s.name.clone(),
                stress,
            });
        }
        Ok(out)
    }
}
