//! Lowering of the household's accounts and tax choices: `[[account]]`, `[taxes]`, the
//! assets' `yield`/`income`, and each strategy's account options.

use super::file::{AccountSpec, AssetSpec, ScenarioFile, StrategySpec};
use super::household::Timeline;
use super::{Lowering, ScenarioError, one_of};
use crate::household::book::MAX_ACCOUNTS;
use crate::household::lots::LotMethod;
use crate::household::placement::{Location, place};
use crate::household::{
    Account, AccountKind, AccountRebalancing, AssetIncome, ConversionAmount, Household,
    HsaCoverage, Limits, Owner, RothConversion, TaxPolicy, Treatment, WithdrawalOrder,
    rmd_start_age, treatment,
};
use crate::portfolio::{Holdings, MAX_ASSETS};
use crate::tax::{FilingStatus, TaxLaw};

/// The tax law's base year: the simulation cannot start before it.
const FIRST_TAX_YEAR: i64 = 2026;

/// One `[[account]]` as read: the account, its balance, explicit holdings if given, and
/// the share of its value that is cost basis.
struct AccountInput {
    account: Account,
    balance: f64,
    holdings: Option<Vec<f64>>,
    basis: f64,
}

fn account_kind(s: &str) -> Option<AccountKind> {
    Some(match s {
        "401k" => AccountKind::K401,
        "roth_401k" => AccountKind::Roth401k,
        "traditional_ira" => AccountKind::TraditionalIra,
        "roth_ira" => AccountKind::RothIra,
        "taxable" => AccountKind::Taxable,
        "hsa" => AccountKind::Hsa,
        _ => return None,
    })
}

impl Lowering<'_> {
    /// The household with its accounts, when the scenario has `[[account]]` tables, and the
    /// household's starting holdings (the accounts added up).
    pub(super) fn household_accounts(
        &self,
        spec: &ScenarioFile,
        t: &Timeline,
        initial_weights: &Holdings,
    ) -> Result<Option<(Household, Holdings)>, ScenarioError> {
        if spec.accounts.is_empty() {
            self.forbid(
                "taxes",
                spec.taxes.is_some(),
                "[taxes] applies to a household with [[account]] tables",
            )?;
            for (i, a) in spec.assets.iter().enumerate() {
                self.forbid(
                    &format!("asset[{i}].yield"),
                    a.income_yield.is_some(),
                    "yields are taxed only in a household's taxable account: add [[account]] tables",
                )?;
            }
            return Ok(None);
        }
        let (Some(h), Some(age)) = (&spec.household, t.age) else {
            return Err(self.err(
                "account",
                "accounts need the household's ages and tax facts: add a [household] table",
            ));
        };
        if t.start_year < FIRST_TAX_YEAR {
            return Err(self.err(
                "household.start_year",
                format!(
                    "{}: with accounts the simulation starts in {FIRST_TAX_YEAR} or later (the tax law built in is 2026's)",
                    t.start_year
                ),
            ));
        }
        if (spec.portfolio.initial_balance - 1_000_000.0).abs() > 0.0 {
            return Err(self.err(
                "portfolio.initial_balance",
                "not used with accounts: the starting balance is the sum of the accounts' balances",
            ));
        }
        if spec.cash_flows.contribution != 0.0 {
            return Err(self.err(
                "cash_flows.contribution",
                "not used with accounts: give each [[account]] its `contribution`",
            ));
        }
        if spec.accounts.len() > MAX_ACCOUNTS - 1 {
            return Err(self.err(
                "account",
                format!(
                    "{} accounts: at most {} are supported",
                    spec.accounts.len(),
                    MAX_ACCOUNTS - 1
                ),
            ));
        }
        let taxes = spec.taxes.as_ref();
        let filing = match taxes.and_then(|x| x.filing_status.as_deref()) {
            None | Some("single") => FilingStatus::Single,
            Some("mfj") => FilingStatus::Mfj,
            Some("hoh") => FilingStatus::Hoh,
            Some("mfs") => {
                // Two separate returns would need each spouse's income apart; the simulation
                // keeps one ledger per household, and one separate return on the couple's
                // combined income would overstate the tax.
                return Err(self.err(
                    "taxes.filing_status",
                    "\"mfs\" is not simulated: married filing separately means two returns, and the simulation keeps one ledger for the couple; use \"mfj\" (`driftlab tax --filing mfs` computes one separate return)",
                ));
            }
            Some(other) => {
                return Err(self.err(
                    "taxes.filing_status",
                    one_of(other, &["single", "mfj", "hoh"]),
                ));
            }
        };
        let spouse_age = h
            .spouse_age
            .map(|a| {
                if (18..=110).contains(&a) {
                    Ok(a as u32)
                } else {
                    Err(self.err(
                        "household.spouse_age",
                        format!("{a}: use an age from 18 to 110"),
                    ))
                }
            })
            .transpose()?;
        if filing.is_married() != spouse_age.is_some() {
            return Err(self.err(
                "household.spouse_age",
                if spouse_age.is_some() {
                    "a spouse needs a joint return: set taxes.filing_status = \"mfj\""
                } else {
                    "a married filing status needs the spouse's age: set household.spouse_age"
                },
            ));
        }
        let wages = [
            self.finite(
                "household.wages",
                h.wages.unwrap_or(0.0),
                0.0,
                1e9,
                "wages per year",
            )?,
            self.finite(
                "household.spouse_wages",
                h.spouse_wages.unwrap_or(0.0),
                0.0,
                1e9,
                "wages per year",
            )?,
        ];
        if wages[1] > 0.0 && spouse_age.is_none() {
            return Err(self.err(
                "household.spouse_wages",
                "there is no spouse: set household.spouse_age",
            ));
        }
        let state_rate = self.finite(
            "taxes.state_rate",
            taxes.and_then(|x| x.state_rate).unwrap_or(0.0),
            0.0,
            0.2,
            "a flat state income tax rate",
        )?;
        let after_tax_rate = self.finite(
            "taxes.after_tax_rate",
            taxes.and_then(|x| x.after_tax_rate).unwrap_or(0.22),
            0.0,
            0.6,
            "the rate at which traditional balances are valued",
        )?;
        let location = match taxes.and_then(|x| x.location.as_deref()) {
            None | Some("tax_efficient") => Location::TaxEfficient,
            Some("pro_rata") => Location::ProRata,
            Some(other) => {
                return Err(self.err(
                    "taxes.location",
                    one_of(other, &["tax_efficient", "pro_rata"]),
                ));
            }
        };
        let income = self.asset_income(&spec.assets)?;

        // Accounts as written, then the starting holdings placed.
        let n = spec.assets.len();
        let mut accounts = Vec::with_capacity(spec.accounts.len() + 1);
        let mut balances = Vec::new();
        let mut given: Vec<Option<Vec<f64>>> = Vec::new();
        let mut basis_share = Vec::new();
        for (i, a) in spec.accounts.iter().enumerate() {
            let AccountInput {
                account,
                balance,
                holdings,
                basis,
            } = self.account(i, a, n, spouse_age.is_some())?;
            if spec.accounts[..i].iter().any(|b| b.name == a.name) {
                return Err(self.err(
                    &format!("account[{i}].name"),
                    format!("`{}` is used twice; account names must be unique", a.name),
                ));
            }
            accounts.push(account);
            balances.push(balance);
            given.push(holdings);
            basis_share.push(basis);
        }
        // 401(k) and IRA money comes out of pay (IRC §415(c)(1)(B), §219(b)(1)(B)); an IRA on
        // a joint return may use the spouse's (§219(c)). HSAs need no pay.
        for (i, a) in accounts.iter().enumerate() {
            let who = a.owner.index();
            let (needs, key) = match a.kind {
                AccountKind::K401 | AccountKind::Roth401k => (
                    wages[who] <= 0.0,
                    ["household.wages", "household.spouse_wages"][who],
                ),
                AccountKind::TraditionalIra | AccountKind::RothIra => {
                    (wages[0] + wages[1] <= 0.0, "household.wages")
                }
                _ => (false, ""),
            };
            if a.contribution > 0.0 && needs {
                return Err(self.err(
                    &format!("account[{i}].contribution"),
                    format!(
                        "`{}` contributions come out of pay, and there is none: set {key} \
                         (contributions are capped at it)",
                        a.kind.name()
                    ),
                ));
            }
        }
        let taxable_count = accounts
            .iter()
            .filter(|a| a.kind == AccountKind::Taxable)
            .count();
        if taxable_count > 1 {
            return Err(self.err(
                "account",
                "at most one taxable account is supported: merge them (their lots are one book)",
            ));
        }
        if taxable_count == 0 {
            // Receives excess contributions and RMDs not spent.
            accounts.push(Account {
                name: "taxable".into(),
                kind: AccountKind::Taxable,
                owner: Owner::Primary,
                initial: Holdings::from_values(&vec![0.0; n]),
                basis: Holdings::from_values(&vec![0.0; n]),
                held_months: None,
                contribution: 0.0,
                employer_match: 0.0,
                match_cap: 0.0,
                coverage: HsaCoverage::SelfOnly,
                backdoor: false,
            });
            balances.push(0.0);
            given.push(None);
            basis_share.push(1.0);
        }
        // Accounts with a `balance` share the household weights by the location rule;
        // accounts with explicit `holdings` keep them.
        let placed_idx: Vec<usize> = (0..accounts.len())
            .filter(|&i| given[i].is_none())
            .collect();
        let placed_total: f64 = placed_idx.iter().map(|&i| balances[i]).sum();
        let explicit: Vec<f64> = (0..n)
            .map(|k| given.iter().flatten().map(|h| h[k]).sum::<f64>())
            .collect();
        let household_total = placed_total + explicit.iter().sum::<f64>();
        // The assets' starting weights (their targets, or `initial_weight` if drifted).
        let scale = initial_weights.total().max(f64::MIN_POSITIVE);
        let weights: Vec<f64> = initial_weights.values().iter().map(|v| v / scale).collect();
        // What the placed accounts must hold so that the household is at its weights.
        let mut want: Vec<f64> = (0..n)
            .map(|k| (household_total * weights[k] - explicit[k]).max(0.0))
            .collect();
        let want_sum: f64 = want.iter().sum();
        if want_sum > 0.0 {
            for w in &mut want {
                *w /= want_sum;
            }
        } else {
            want = weights.clone();
        }
        let placed = place(
            location,
            &placed_idx.iter().map(|&i| balances[i]).collect::<Vec<_>>(),
            &placed_idx
                .iter()
                .map(|&i| treatment(accounts[i].kind))
                .collect::<Vec<Treatment>>(),
            &want,
            &income[..n],
        );
        for (j, &i) in placed_idx.iter().enumerate() {
            accounts[i].initial = placed[j];
        }
        for (i, g) in given.iter().enumerate() {
            if let Some(h) = g {
                accounts[i].initial = Holdings::from_values(h);
            }
        }
        let mut household = Holdings::from_values(&vec![0.0; n]);
        for (i, a) in accounts.iter_mut().enumerate() {
            let b = basis_share[i];
            a.basis = Holdings::from_values(
                &a.initial.values().iter().map(|v| v * b).collect::<Vec<_>>(),
            );
            for (x, v) in household.values_mut().iter_mut().zip(a.initial.values()) {
                *x += v;
            }
        }
        let taxable = accounts
            .iter()
            .position(|a| a.kind == AccountKind::Taxable)
            .expect("a taxable account was added above");
        let birth_years = [
            Some(t.birth_year.unwrap_or(t.start_year - i64::from(age)) as i32),
            spouse_age.map(|s| (t.start_year - i64::from(s)) as i32),
        ];
        let mut income_arr = [AssetIncome {
            yield_rate: 0.0,
            qualified: true,
        }; MAX_ASSETS];
        income_arr[..n].copy_from_slice(&income);
        Ok(Some((
            Household {
                filing,
                start_year: t.start_year as i32,
                birth_years,
                retire_year: t.retire_after,
                wages,
                wage_growth: spec.cash_flows.contribution_growth,
                accounts,
                taxable,
                income: income_arr,
                social_security: spec.incomes.iter().map(|s| s.kind != "pension").collect(),
                state_rate,
                after_tax_rate,
                rmd_age: birth_years.map(|b| b.map_or(0, rmd_start_age)),
                limits: Limits::default(),
                law_2026: TaxLaw::y2026(),
                // Tax law and limits are published a year at a time (2026's are built in);
                // later start years index them at the expected inflation, as the IRS
                // indexes them by CPI (IRC §1(f)). Historical markets have no expected
                // inflation parameter: 2.5%, the parametric default.
                law_index: (1.0 + spec.market.inflation_mean.unwrap_or(0.025))
                    .powi((t.start_year - FIRST_TAX_YEAR) as i32),
            },
            household,
        )))
    }

    fn asset_income(&self, assets: &[AssetSpec]) -> Result<Vec<AssetIncome>, ScenarioError> {
        assets
            .iter()
            .enumerate()
            .map(|(i, a)| {
                let yield_rate = self.finite(
                    &format!("asset[{i}].yield"),
                    a.income_yield.unwrap_or(0.0),
                    0.0,
                    0.2,
                    "an income yield per year",
                )?;
                let qualified = match a.income.as_deref() {
                    None | Some("qualified") => true,
                    Some("ordinary") => false,
                    Some(other) => {
                        return Err(self.err(
                            &format!("asset[{i}].income"),
                            one_of(other, &["qualified", "ordinary"]),
                        ));
                    }
                };
                Ok(AssetIncome {
                    yield_rate,
                    qualified,
                })
            })
            .collect()
    }

    /// One `[[account]]`, checked.
    fn account(
        &self,
        i: usize,
        a: &AccountSpec,
        n_assets: usize,
        has_spouse: bool,
    ) -> Result<AccountInput, ScenarioError> {
        let k = |f: &str| format!("account[{i}].{f}");
        let kind = account_kind(&a.kind).ok_or_else(|| {
            self.err(
                &k("kind"),
                one_of(
                    &a.kind,
                    &[
                        "401k",
                        "roth_401k",
                        "traditional_ira",
                        "roth_ira",
                        "taxable",
                        "hsa",
                    ],
                ),
            )
        })?;
        let owner = match a.owner.as_deref() {
            None | Some("self") => Owner::Primary,
            Some("spouse") if has_spouse => Owner::Spouse,
            Some("spouse") => {
                return Err(self.err(
                    &k("owner"),
                    "there is no spouse: set household.spouse_age and a married filing status",
                ));
            }
            Some(other) => return Err(self.err(&k("owner"), one_of(other, &["self", "spouse"]))),
        };
        let (balance, holdings) = match (a.balance, &a.holdings) {
            (Some(_), Some(_)) => {
                return Err(self.err(&k("holdings"), "give `balance` or `holdings`, not both"));
            }
            (None, None) => {
                return Err(self.err(
                    &format!("account[{i}]"),
                    "needs `balance` (dollars) or `holdings` (dollars per asset)",
                ));
            }
            (Some(b), None) => (self.finite(&k("balance"), b, 0.0, 1e12, "a balance")?, None),
            (None, Some(h)) => {
                if h.len() != n_assets {
                    return Err(self.err(
                        &k("holdings"),
                        format!(
                            "{} values for {n_assets} assets: give one per [[asset]], in order",
                            h.len()
                        ),
                    ));
                }
                for &v in h {
                    self.finite(&k("holdings"), v, 0.0, 1e12, "dollars held")?;
                }
                (h.iter().sum(), Some(h.clone()))
            }
        };
        let basis = match (a.basis, kind) {
            (Some(b), AccountKind::Taxable) => {
                self.finite(&k("basis"), b, 0.0, 10.0, "a cost basis share of value")?
            }
            // After-tax money in a traditional IRA (non-deductible contributions, Form 8606).
            (Some(b), AccountKind::TraditionalIra) => self.finite(
                &k("basis"),
                b,
                0.0,
                1.0,
                "an after-tax share of the balance",
            )?,
            (Some(_), _) => {
                return Err(self.err(
                    &k("basis"),
                    "only a taxable account (cost basis) or a traditional IRA (after-tax \
                     basis) has a basis to track",
                ));
            }
            (None, AccountKind::Taxable) => 1.0,
            (None, _) => 0.0,
        };
        let held_months = match a.held_months {
            Some(_) if kind != AccountKind::Taxable => {
                return Err(self.err(
                    &k("held_months"),
                    "only a taxable account has a holding period to track",
                ));
            }
            Some(m) => Some(self.finite(&k("held_months"), m, 0.0, 1200.0, "months held")?),
            None => None,
        };
        let contribution = self.finite(
            &k("contribution"),
            a.contribution.unwrap_or(0.0),
            0.0,
            1e9,
            "dollars per year",
        )?;
        let employer_match = self.finite(
            &k("employer_match"),
            a.employer_match.unwrap_or(0.0),
            0.0,
            2.0,
            "dollars matched per dollar",
        )?;
        let match_cap = self.finite(
            &k("match_cap"),
            a.match_cap
                .unwrap_or(if employer_match > 0.0 { 1.0 } else { 0.0 }),
            0.0,
            1.0,
            "a share of wages",
        )?;
        if employer_match > 0.0 && !matches!(kind, AccountKind::K401 | AccountKind::Roth401k) {
            return Err(self.err(&k("employer_match"), "only a 401(k) has an employer match"));
        }
        let coverage = match a.coverage.as_deref() {
            None | Some("self_only") => HsaCoverage::SelfOnly,
            Some("family") => HsaCoverage::Family,
            Some(_) if kind != AccountKind::Hsa => {
                return Err(self.err(&k("coverage"), "only an HSA has a coverage"));
            }
            Some(other) => {
                return Err(self.err(&k("coverage"), one_of(other, &["self_only", "family"])));
            }
        };
        let backdoor = match a.backdoor {
            Some(true) if kind != AccountKind::RothIra => {
                return Err(self.err(&k("backdoor"), "only a Roth IRA has a back door"));
            }
            b => b.unwrap_or(false),
        };
        Ok(AccountInput {
            account: Account {
                name: a.name.clone(),
                kind,
                owner,
                initial: Holdings::from_values(&vec![0.0; n_assets]),
                basis: Holdings::from_values(&vec![0.0; n_assets]),
                held_months,
                contribution,
                employer_match,
                match_cap,
                coverage,
                backdoor,
            },
            balance,
            holdings,
            basis,
        })
    }

    /// Strategy `i`'s account choices (defaults when the scenario has no accounts, where
    /// setting any is an error).
    pub(super) fn tax_policy(
        &self,
        i: usize,
        s: &StrategySpec,
        has_accounts: bool,
    ) -> Result<TaxPolicy, ScenarioError> {
        let k = |f: &str| format!("strategy[{i}].{f}");
        if !has_accounts {
            for (present, name) in [
                (s.accounts.is_some(), "accounts"),
                (s.withdrawal_order.is_some(), "withdrawal_order"),
                (s.fill_bracket.is_some(), "fill_bracket"),
                (s.lot_method.is_some(), "lot_method"),
                (s.harvest_losses.is_some(), "harvest_losses"),
                (s.roth_conversion.is_some(), "roth_conversion"),
            ] {
                self.forbid(&k(name), present, "it needs [[account]] tables")?;
            }
            return Ok(TaxPolicy::default());
        }
        if s.cash_reserve.is_some() {
            return Err(self.err(
                &k("cash_reserve"),
                "a cash reserve is not supported with accounts yet",
            ));
        }
        let rebalancing = match s.accounts.as_deref() {
            None | Some("advantaged_first") => AccountRebalancing::AdvantagedFirst,
            Some("per_account") => AccountRebalancing::PerAccount,
            Some(other) => {
                return Err(self.err(
                    &k("accounts"),
                    one_of(other, &["advantaged_first", "per_account"]),
                ));
            }
        };
        let mut p = TaxPolicy {
            rebalancing,
            ..TaxPolicy::default()
        };
        let bracket = |key: &str, v: Option<f64>, default: f64| -> Result<f64, ScenarioError> {
            let r = v.unwrap_or(default);
            if [0.10, 0.12, 0.22, 0.24, 0.32, 0.35]
                .iter()
                .any(|b| (b - r).abs() < 1e-9)
            {
                Ok(r)
            } else {
                Err(self.err(
                    key,
                    format!("{r}: use a bracket rate below the top one: 0.10, 0.12, 0.22, 0.24, 0.32 or 0.35"),
                ))
            }
        };
        p.withdrawal_order = match s.withdrawal_order.as_deref() {
            None | Some("taxable_first") => WithdrawalOrder::TaxableFirst,
            Some("proportional") => WithdrawalOrder::Proportional,
            Some("fill_bracket") => {
                WithdrawalOrder::FillBracket(bracket(&k("fill_bracket"), s.fill_bracket, 0.12)?)
            }
            Some(other) => {
                return Err(self.err(
                    &k("withdrawal_order"),
                    one_of(other, &["taxable_first", "proportional", "fill_bracket"]),
                ));
            }
        };
        if s.fill_bracket.is_some()
            && !matches!(p.withdrawal_order, WithdrawalOrder::FillBracket(_))
        {
            return Err(self.err(
                &k("fill_bracket"),
                "used only with withdrawal_order = \"fill_bracket\"",
            ));
        }
        p.lot_method = match s.lot_method.as_deref() {
            None | Some("tax_optimal") => LotMethod::TaxOptimal,
            Some("hifo") => LotMethod::Hifo,
            Some("fifo") => LotMethod::Fifo,
            Some(other) => {
                return Err(self.err(
                    &k("lot_method"),
                    one_of(other, &["tax_optimal", "hifo", "fifo"]),
                ));
            }
        };
        p.harvest = s
            .harvest_losses
            .map(|t| self.finite(&k("harvest_losses"), t, 0.001, 0.9, "a loss share of basis"))
            .transpose()?;
        if let Some(c) = &s.roth_conversion {
            let ck = |f: &str| k(&format!("roth_conversion.{f}"));
            let amount = match (c.amount, c.fill_bracket) {
                (Some(a), None) => ConversionAmount::Fixed(self.finite(
                    &ck("amount"),
                    a,
                    0.0,
                    1e9,
                    "dollars per year",
                )?),
                (None, Some(r)) => {
                    ConversionAmount::FillBracket(bracket(&ck("fill_bracket"), Some(r), r)?)
                }
                _ => {
                    return Err(self.err(
                        &k("roth_conversion"),
                        "give `amount` (dollars per year) or `fill_bracket` (a bracket rate), one of them",
                    ));
                }
            };
            if !(0..=120).contains(&c.from_age) || c.to_age < c.from_age || c.to_age > 120 {
                return Err(self.err(
                    &ck("to_age"),
                    format!(
                        "ages {} to {}: use ages from 0 to 120, from_age first",
                        c.from_age, c.to_age
                    ),
                ));
            }
            p.conversion = Some(RothConversion {
                amount,
                from_age: c.from_age as u32,
                to_age: c.to_age as u32,
            });
        }
        Ok(p)
    }
}
