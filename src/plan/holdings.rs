//! The holdings file (TOML): today's holdings per account, lots of taxable holdings, the
//! household target allocation and the plan's options; parsing and validation.
//!
//! Money is written as strings (`"17000.00"`) so nothing passes through binary floating point;
//! whole-dollar integers are accepted too, floats are rejected. Percentages (target weights,
//! tax rates, bands) are numbers of percent, as strings or numbers (`"75"`, `75`, `"75%"`).
//! The format is documented, with an example, in the README section "Trade plan".

use super::PlanMode;
use super::date::Date;
use super::error::PlanError;
use super::money::{MAX_MONEY, Rounding, parse_money, parse_percent};
use super::source::{Source, join};
pub use crate::tax::income_limits::WorkplacePlan;
use rust_decimal::Decimal;
use rust_decimal_macros::dec;
use serde::Deserialize;
use std::ops::Range;
use std::str::FromStr;
use toml::{Spanned, Value};

/// The account kinds a holdings file may use.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Deserialize, serde::Serialize)]
pub enum AccountKind {
    #[serde(rename = "401k")]
    K401,
    #[serde(rename = "roth_401k")]
    Roth401k,
    #[serde(rename = "traditional_ira")]
    TraditionalIra,
    #[serde(rename = "roth_ira")]
    RothIra,
    #[serde(rename = "taxable")]
    Taxable,
    #[serde(rename = "hsa")]
    Hsa,
}

impl AccountKind {
    pub fn name(self) -> &'static str {
        match self {
            AccountKind::K401 => "401k",
            AccountKind::Roth401k => "roth_401k",
            AccountKind::TraditionalIra => "traditional_ira",
            AccountKind::RothIra => "roth_ira",
            AccountKind::Taxable => "taxable",
            AccountKind::Hsa => "hsa",
        }
    }

    pub fn is_taxable(self) -> bool {
        self == AccountKind::Taxable
    }

    /// Which accounts trade first in a rebalance: tax-deferred accounts (1), then tax-free
    /// accounts (2: Roth and HSA, kept growth-oriented as long as possible, seed 000), then
    /// taxable accounts (3), where sales realize gains (IRC §1001; seeds 003 and 004).
    pub fn trade_order(self) -> u8 {
        match self {
            AccountKind::K401 | AccountKind::TraditionalIra => 1,
            AccountKind::Roth401k | AccountKind::RothIra | AccountKind::Hsa => 2,
            AccountKind::Taxable => 3,
        }
    }

    /// Which accounts pay for spending first (the conventional order): taxable (0), then
    /// traditional (1), then Roth (2), then the HSA (3).
    pub fn spending_order(self) -> u8 {
        match self {
            AccountKind::Taxable => 0,
            AccountKind::K401 | AccountKind::TraditionalIra => 1,
            AccountKind::Roth401k | AccountKind::RothIra => 2,
            AccountKind::Hsa => 3,
        }
    }
}

/// HSA coverage, which sets the HSA contribution limit.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum HsaCoverage {
    #[serde(alias = "self_only", alias = "self")]
    SelfOnly,
    Family,
}

/// Filing status lives with the tax rules; re-exported here for the holdings file.
pub use crate::tax::FilingStatus;

/// Where a bands rebalance moves an asset class that is outside its band.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize, clap::ValueEnum, serde::Serialize,
)]
#[serde(rename_all = "lowercase")]
pub enum BandTarget {
    /// All the way back to the target weight.
    #[default]
    Target,
    /// Only back to the nearest edge of the band.
    Edge,
}

// ---------------------------------------------------------------------------------------------
// The file as written.

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawFile {
    name: Option<String>,
    mode: Option<PlanMode>,
    plan_date: Option<Spanned<Value>>,
    rounding: Option<Rounding>,
    owner: Option<RawOwner>,
    target: Spanned<OrderedMap>,
    #[serde(default)]
    accounts: Vec<RawAccount>,
    tax: Option<RawTax>,
    contribution: Option<RawContribution>,
    bands: Option<Spanned<RawBands>>,
    #[serde(default)]
    recent_loss_sales: Vec<RawLossSale>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawOwner {
    age: Option<Spanned<i64>>,
    birth_year: Option<Spanned<i64>>,
    hsa_coverage: Option<HsaCoverage>,
    magi: Option<Spanned<Value>>,
    prior_year_wages: Option<Spanned<Value>>,
    workplace_plan: Option<WorkplacePlan>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawAccount {
    name: Spanned<String>,
    kind: AccountKind,
    #[serde(default)]
    holdings: OrderedMap,
    #[serde(default)]
    lots: Vec<Spanned<RawLot>>,
    contributed_this_year: Option<Spanned<Value>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawLot {
    asset: Spanned<String>,
    acquired: Spanned<Value>,
    amount: Spanned<Value>,
    basis: Spanned<Value>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawTax {
    ordinary_rate: Option<Spanned<Value>>,
    long_term_rate: Option<Spanned<Value>>,
    filing_status: Option<FilingStatus>,
    taxable_income: Option<Spanned<Value>>,
    state_rate: Option<Spanned<Value>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawContribution {
    amount: Option<Spanned<Value>>,
    account: Option<Spanned<String>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawBands {
    absolute: Option<Spanned<Value>>,
    relative: Option<Spanned<Value>>,
    #[serde(default)]
    rebalance_to: BandTarget,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawLossSale {
    asset: Spanned<String>,
    date: Spanned<Value>,
    account: Option<Spanned<String>>,
    loss: Option<Spanned<Value>>,
}

/// A TOML table read in file order (the `toml` crate hands keys over sorted).
#[derive(Default)]
struct OrderedMap(Vec<(Spanned<String>, Spanned<Value>)>);

impl<'de> Deserialize<'de> for OrderedMap {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> serde::de::Visitor<'de> for V {
            type Value = OrderedMap;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("a table of asset class = value")
            }
            fn visit_map<A: serde::de::MapAccess<'de>>(
                self,
                mut m: A,
            ) -> Result<OrderedMap, A::Error> {
                let mut out = Vec::new();
                while let Some(k) = m.next_key::<Spanned<String>>()? {
                    out.push((k, m.next_value::<Spanned<Value>>()?));
                }
                // The deserializer hands keys over sorted; restore the file's order from spans.
                out.sort_by_key(|(k, _): &(Spanned<String>, Spanned<Value>)| k.span().start);
                Ok(OrderedMap(out))
            }
        }
        d.deserialize_map(V)
    }
}

// ---------------------------------------------------------------------------------------------
// The validated holdings.

/// One tax lot of a taxable holding.
#[derive(Debug, Clone)]
pub struct Lot {
    /// Position in the account's `lots` array (for `accounts[i].lots[j]`).
    pub index: usize,
    pub asset: usize,
    pub acquired: Date,
    /// Current value of the lot.
    pub amount: Decimal,
    /// Cost basis of the lot.
    pub basis: Decimal,
    /// Where `acquired` is written, for errors about the date.
    pub(crate) acquired_span: Option<Range<usize>>,
}

impl Lot {
    /// A lot read from nowhere (no source span for errors): for tests and benchmarks.
    pub fn new(
        index: usize,
        asset: usize,
        acquired: Date,
        amount: Decimal,
        basis: Decimal,
    ) -> Self {
        Self {
            index,
            asset,
            acquired,
            amount,
            basis,
            acquired_span: None,
        }
    }
}

/// One account and what it holds.
#[derive(Debug, Clone)]
pub struct Account {
    /// Position in the `accounts` array.
    pub index: usize,
    pub name: String,
    pub kind: AccountKind,
    /// Current value per asset class, in target order (zero where not held).
    pub holdings: Vec<Decimal>,
    pub lots: Vec<Lot>,
    /// Contributions already made to this account in the plan year (for the limit check).
    pub contributed_this_year: Decimal,
    pub(crate) span: Option<Range<usize>>,
}

impl Account {
    pub fn total(&self) -> Decimal {
        self.holdings.iter().sum()
    }
    /// Whether this account lists lots for `asset`.
    pub fn has_lots_for(&self, asset: usize) -> bool {
        self.lots.iter().any(|l| l.asset == asset)
    }
}

/// Who owns the accounts (one person; used for contribution limits).
#[derive(Debug, Clone, Default)]
pub struct Owner {
    pub age: Option<u32>,
    pub birth_year: Option<i32>,
    pub hsa_coverage: Option<HsaCoverage>,
    /// Modified AGI for the plan year: Roth IRA contributions phase out with it.
    pub magi: Option<Decimal>,
    /// Last year's FICA wages from the employer sponsoring the 401(k): above $150,000 every
    /// catch-up contribution must be Roth.
    pub prior_year_wages: Option<Decimal>,
    /// Whether the owner (or only their spouse) is an active participant in a workplace
    /// plan this year: it decides how much of a traditional IRA contribution is deductible.
    pub workplace_plan: Option<WorkplacePlan>,
    pub(crate) age_span: Option<Range<usize>>,
}

/// Tax settings: explicit marginal rates (fractions) and/or a filing status and taxable income
/// to derive them from the 2026 brackets.
#[derive(Debug, Clone, Default)]
pub struct TaxInput {
    pub ordinary_rate: Option<Decimal>,
    pub long_term_rate: Option<Decimal>,
    pub filing_status: Option<FilingStatus>,
    pub taxable_income: Option<Decimal>,
    /// A flat state income tax rate on the gains, as a fraction.
    pub state_rate: Option<Decimal>,
}

/// A bands rebalance's band: absolute (percentage points, as a fraction) and/or relative (a
/// fraction of the target weight); with both, an asset is outside when it leaves either.
#[derive(Debug, Clone, Default)]
pub struct BandsInput {
    pub absolute: Option<Decimal>,
    pub relative: Option<Decimal>,
    pub to: BandTarget,
}

/// A recent sale at a loss, for wash-sale warnings.
#[derive(Debug, Clone)]
pub struct LossSale {
    pub index: usize,
    pub asset: usize,
    pub date: Date,
    pub account: Option<String>,
    pub loss: Option<Decimal>,
}

/// A validated holdings file.
#[derive(Debug)]
pub struct Holdings {
    pub src: Source,
    pub name: Option<String>,
    /// Asset classes in the order of `[target]`.
    pub assets: Vec<String>,
    /// Target weights as written, in percent.
    pub target_pct: Vec<Decimal>,
    /// Target weights as fractions, normalized to sum to exactly 1.
    pub weights: Vec<Decimal>,
    pub accounts: Vec<Account>,
    pub mode: Option<PlanMode>,
    pub plan_date: Option<Date>,
    pub rounding: Option<Rounding>,
    pub owner: Owner,
    pub tax: TaxInput,
    pub contribution_amount: Option<Decimal>,
    pub contribution_account: Option<usize>,
    pub bands: Option<BandsInput>,
    pub loss_sales: Vec<LossSale>,
}

/// Tolerance on the sum of target weights: 0.01 percentage points.
const WEIGHT_TOLERANCE_PCT: Decimal = dec!(0.01);

impl Holdings {
    /// Parses and validates a holdings file's text; `file` is used in error messages.
    pub fn parse(file: &str, text: &str) -> Result<Holdings, PlanError> {
        let src = Source::new(file, text);
        let raw: RawFile = toml::from_str(text).map_err(|e| src.toml_error(&e))?;
        validate(src, raw)
    }

    /// An error about the field at `path`.
    pub(crate) fn error(
        &self,
        path: &str,
        span: Option<Range<usize>>,
        message: impl Into<String>,
    ) -> PlanError {
        self.src.error(path, span, message)
    }

    /// Household value per asset class.
    pub fn household(&self) -> Vec<Decimal> {
        let mut v = vec![Decimal::ZERO; self.assets.len()];
        for a in &self.accounts {
            for (i, x) in a.holdings.iter().enumerate() {
                v[i] += x;
            }
        }
        v
    }

    pub fn total(&self) -> Decimal {
        self.household().iter().sum()
    }

    /// The asset class index of a name, if it is in the target.
    pub fn asset_index(&self, name: &str) -> Option<usize> {
        self.assets.iter().position(|a| a == name)
    }

    pub fn account_index(&self, name: &str) -> Option<usize> {
        self.accounts.iter().position(|a| a.name == name)
    }

    pub fn account_names(&self) -> String {
        self.accounts
            .iter()
            .map(|a| format!("{:?}", a.name))
            .collect::<Vec<_>>()
            .join(", ")
    }
}

// ---------------------------------------------------------------------------------------------
// Leaf values.

fn type_name(v: &Value) -> &'static str {
    match v {
        Value::String(_) => "a string",
        Value::Integer(_) => "an integer",
        Value::Float(_) => "a float",
        Value::Boolean(_) => "a boolean",
        Value::Datetime(_) => "a date/time",
        Value::Array(_) => "an array",
        Value::Table(_) => "a table",
    }
}

/// A dollar amount: a string like `"1234.56"`, or a whole-dollar integer.
fn money(src: &Source, path: &str, v: &Spanned<Value>) -> Result<Decimal, PlanError> {
    let span = Some(v.span());
    match v.get_ref() {
        Value::String(s) => parse_money(s).map_err(|m| src.error(path, span, m)),
        Value::Integer(i) => {
            let d = Decimal::from(*i);
            if d.abs() > MAX_MONEY {
                return Err(src.error(path, span, format!("{i} is too large (at most {MAX_MONEY})")));
            }
            Ok(d.round_dp(2))
        }
        Value::Float(f) if !f.is_finite() => Err(src.error(
            path,
            span,
            format!("{f} is not a dollar amount; allowed: a string like \"1234.56\" (zero or more, at most two decimals)"),
        )),
        Value::Float(f) => Err(src.error(
            path,
            span,
            format!("{f} is a TOML float; write money as a string, e.g. \"{f:.2}\", so that it is exact to the cent"),
        )),
        other => Err(src.error(
            path,
            span,
            format!("expected a dollar amount as a string like \"1234.56\", found {}", type_name(other)),
        )),
    }
}

/// A non-negative dollar amount.
fn money_nonneg(src: &Source, path: &str, v: &Spanned<Value>) -> Result<Decimal, PlanError> {
    let d = money(src, path, v)?;
    if d.is_sign_negative() && !d.is_zero() {
        return Err(src.error(
            path,
            Some(v.span()),
            format!("{d} is negative; allowed: zero or a positive dollar amount"),
        ));
    }
    Ok(d)
}

/// A number of percent: `"75"`, `"75%"`, `75`, `75.5`.
fn percent(src: &Source, path: &str, v: &Spanned<Value>) -> Result<Decimal, PlanError> {
    let span = Some(v.span());
    match v.get_ref() {
        Value::String(s) => parse_percent(s).map_err(|m| src.error(path, span, m)),
        Value::Integer(i) => Ok(Decimal::from(*i)),
        Value::Float(f) if f.is_finite() => {
            // Rust prints the shortest text that reads back as the same float: 33.33 -> "33.33".
            Decimal::from_str(&format!("{f}"))
                .map_err(|_| src.error(path, span, format!("{f} is not a usable percentage")))
        }
        other => Err(src.error(
            path,
            span,
            format!(
                "expected a number of percent like \"75\" or 75, found {}",
                type_name(other)
            ),
        )),
    }
}

/// A percentage between 0 and 100, returned as a fraction.
fn fraction_0_100(src: &Source, path: &str, v: &Spanned<Value>) -> Result<Decimal, PlanError> {
    let p = percent(src, path, v)?;
    if p < Decimal::ZERO || p > dec!(100) {
        return Err(src.error(
            path,
            Some(v.span()),
            format!("{p}% is out of range; allowed: 0 to 100 (percent)"),
        ));
    }
    Ok(p / dec!(100))
}

/// A date: a TOML local date (`2026-03-02`) or a string `"2026-03-02"`.
fn date(src: &Source, path: &str, v: &Spanned<Value>) -> Result<Date, PlanError> {
    let span = Some(v.span());
    let bad = |what: String| {
        src.error(
            path,
            span.clone(),
            format!("{what}; allowed: a date like 2026-03-02 (YYYY-MM-DD)"),
        )
    };
    match v.get_ref() {
        Value::Datetime(dt) => match (dt.date, dt.time, dt.offset) {
            (Some(d), None, None) => {
                Date::new(i32::from(d.year), u32::from(d.month), u32::from(d.day))
                    .ok_or_else(|| bad(format!("{dt} is not a valid date")))
            }
            _ => Err(bad(format!("{dt} has a time of day"))),
        },
        Value::String(s) => Date::parse(s).ok_or_else(|| bad(format!("{s:?} is not a valid date"))),
        other => Err(bad(format!("found {}", type_name(other)))),
    }
}

// ---------------------------------------------------------------------------------------------
// Validation.

fn validate(src: Source, raw: RawFile) -> Result<Holdings, PlanError> {
    // Target allocation.
    let target_span = Some(raw.target.span());
    let entries = &raw.target.get_ref().0;
    if entries.is_empty() {
        return Err(src.error("target", target_span, "the target allocation is empty; list asset classes with their weights in percent, e.g. stocks = \"75\""));
    }
    let mut assets = Vec::new();
    let mut target_pct = Vec::new();
    for (k, v) in entries {
        let path = join("target", k.get_ref());
        let p = percent(&src, &path, v)?;
        if p < Decimal::ZERO || p > dec!(100) {
            return Err(src.error(
                &path,
                Some(v.span()),
                format!("weight {p}% is out of range; allowed: 0 to 100 (percent)"),
            ));
        }
        if k.get_ref().trim().is_empty() {
            return Err(src.error(
                &path,
                Some(k.span()),
                "an asset class name must not be empty",
            ));
        }
        assets.push(k.get_ref().clone());
        target_pct.push(p);
    }
    let sum: Decimal = target_pct.iter().sum();
    if (sum - dec!(100)).abs() > WEIGHT_TOLERANCE_PCT {
        let hint = if (sum - Decimal::ONE).abs() <= dec!(0.0001) {
            " (they look like fractions: write percent, e.g. 0.75 -> \"75\")"
        } else {
            ""
        };
        let first = entries.first().map(|(k, _)| k.span());
        return Err(src.error(
            "target",
            first.or(target_span),
            format!("the target weights add up to {sum}%; they must add up to 100% (within {WEIGHT_TOLERANCE_PCT} percentage points){hint}"),
        ));
    }
    let weights: Vec<Decimal> = target_pct.iter().map(|p| p / sum).collect();
    let asset_list = assets.join(", ");
    let find_asset = |path: &str, s: &Spanned<String>| -> Result<usize, PlanError> {
        assets.iter().position(|a| a == s.get_ref()).ok_or_else(|| {
            src.error(
                path,
                Some(s.span()),
                format!(
                    "asset class {:?} is not in [target]; allowed: {asset_list}",
                    s.get_ref()
                ),
            )
        })
    };

    // Accounts.
    let raw_accounts = &raw.accounts;
    if raw_accounts.is_empty() {
        return Err(src.error(
            "accounts",
            None,
            "no accounts; add at least one [[accounts]] table with a name, kind and holdings",
        ));
    }
    let mut accounts: Vec<Account> = Vec::new();
    for (ai, ra) in raw_accounts.iter().enumerate() {
        let apath = format!("accounts[{ai}]");
        let name = ra.name.get_ref().trim().to_string();
        if name.is_empty() {
            return Err(src.error(
                &format!("{apath}.name"),
                Some(ra.name.span()),
                "an account name must not be empty",
            ));
        }
        if let Some(other) = accounts.iter().find(|a| a.name == name) {
            return Err(src.error(
                &format!("{apath}.name"),
                Some(ra.name.span()),
                format!(
                    "account name {name:?} is already used by accounts[{}]; names must be unique",
                    other.index
                ),
            ));
        }
        let mut holdings = vec![Decimal::ZERO; assets.len()];
        let mut seen = vec![false; assets.len()];
        for (k, v) in &ra.holdings.0 {
            let hpath = join(&format!("{apath}.holdings"), k.get_ref());
            let i = assets.iter().position(|a| a == k.get_ref()).ok_or_else(|| {
                src.error(
                    &hpath,
                    Some(k.span()),
                    format!(
                        "asset class {:?} is not in [target]; allowed: {asset_list} (to sell a holding off, add it to [target] with weight 0)",
                        k.get_ref()
                    ),
                )
            })?;
            if seen[i] {
                return Err(src.error(&hpath, Some(k.span()), "this asset class is listed twice"));
            }
            seen[i] = true;
            holdings[i] = money_nonneg(&src, &hpath, v)?;
        }
        let contributed_this_year = match &ra.contributed_this_year {
            Some(v) => money_nonneg(&src, &format!("{apath}.contributed_this_year"), v)?,
            None => Decimal::ZERO,
        };
        let mut lots = Vec::new();
        if !ra.lots.is_empty() && !ra.kind.is_taxable() {
            return Err(src.error(
                &format!("{apath}.lots"),
                Some(ra.lots[0].span()),
                format!(
                    "lots are only used in taxable accounts (this account is {}: its trades realize no gains); remove them or set kind = \"taxable\"",
                    ra.kind.name()
                ),
            ));
        }
        for (li, rl) in ra.lots.iter().enumerate() {
            let lpath = format!("{apath}.lots[{li}]");
            let lot = rl.get_ref();
            let asset = find_asset(&format!("{lpath}.asset"), &lot.asset)?;
            let acquired = date(&src, &format!("{lpath}.acquired"), &lot.acquired)?;
            let amount = money_nonneg(&src, &format!("{lpath}.amount"), &lot.amount)?;
            let basis = money_nonneg(&src, &format!("{lpath}.basis"), &lot.basis)?;
            lots.push(Lot {
                index: li,
                asset,
                acquired,
                amount,
                basis,
                acquired_span: Some(lot.acquired.span()),
            });
        }
        // Lots, where given, must add up to the holding exactly.
        for (i, asset) in assets.iter().enumerate() {
            let of_asset: Vec<&Lot> = lots.iter().filter(|l| l.asset == i).collect();
            if of_asset.is_empty() {
                continue;
            }
            let sum: Decimal = of_asset.iter().map(|l| l.amount).sum();
            if sum != holdings[i] {
                let first = of_asset[0].index;
                return Err(src.error(
                    &format!("{apath}.lots"),
                    ra.lots.get(first).map(|l| l.span()),
                    format!(
                        "the lots of {asset:?} (accounts[{ai}].lots[{}]) add up to {} but the holding {apath}.holdings.{asset} is {}; a lot's amount is its current value, and the lots of an asset class must add up to the holding exactly",
                        of_asset.iter().map(|l| l.index.to_string()).collect::<Vec<_>>().join(", "),
                        super::money::fmt_money(sum),
                        super::money::fmt_money(holdings[i]),
                    ),
                ));
            }
        }
        accounts.push(Account {
            index: ai,
            name,
            kind: ra.kind,
            holdings,
            lots,
            contributed_this_year,
            span: Some(ra.name.span()),
        });
    }
    let total: Decimal = accounts.iter().map(Account::total).sum();
    if total.is_zero() {
        return Err(src.error("accounts", None, "the accounts hold nothing; there is nothing to rebalance (holdings must add up to more than 0)"));
    }

    // Plan date, owner.
    let plan_date = match &raw.plan_date {
        Some(v) => Some(date(&src, "plan_date", v)?),
        None => None,
    };
    let mut owner = Owner::default();
    if let Some(o) = &raw.owner {
        if let Some(a) = &o.age {
            let age = *a.get_ref();
            if !(0..=120).contains(&age) {
                return Err(src.error("owner.age", Some(a.span()), format!("{age} is not an age; allowed: 0 to 120 (age on 31 December of the plan year)")));
            }
            owner.age = u32::try_from(age).ok();
            owner.age_span = Some(a.span());
        }
        if let Some(b) = &o.birth_year {
            let y = *b.get_ref();
            if !(1900..=2100).contains(&y) {
                return Err(src.error(
                    "owner.birth_year",
                    Some(b.span()),
                    format!("{y} is not a plausible birth year; allowed: 1900 to 2100"),
                ));
            }
            owner.birth_year = i32::try_from(y).ok();
            if owner.age_span.is_none() {
                owner.age_span = Some(b.span());
            }
        }
        owner.hsa_coverage = o.hsa_coverage;
        owner.workplace_plan = o.workplace_plan;
        if let Some(v) = &o.magi {
            owner.magi = Some(money_nonneg(&src, "owner.magi", v)?);
        }
        if let Some(v) = &o.prior_year_wages {
            owner.prior_year_wages = Some(money_nonneg(&src, "owner.prior_year_wages", v)?);
        }
    }

    // Tax.
    let mut tax = TaxInput::default();
    if let Some(t) = &raw.tax {
        if let Some(v) = &t.ordinary_rate {
            tax.ordinary_rate = Some(fraction_0_100(&src, "tax.ordinary_rate", v)?);
        }
        if let Some(v) = &t.long_term_rate {
            tax.long_term_rate = Some(fraction_0_100(&src, "tax.long_term_rate", v)?);
        }
        if let Some(v) = &t.taxable_income {
            tax.taxable_income = Some(money_nonneg(&src, "tax.taxable_income", v)?);
        }
        if let Some(v) = &t.state_rate {
            tax.state_rate = Some(fraction_0_100(&src, "tax.state_rate", v)?);
        }
        tax.filing_status = t.filing_status;
        // With both rates given the status only sets the NIIT threshold and the Roth IRA
        // range; without them it needs the income to look up the brackets.
        let rates_given = t.ordinary_rate.is_some() && t.long_term_rate.is_some();
        match (&t.filing_status, &t.taxable_income) {
            (Some(_), None) if !rates_given => {
                return Err(src.error("tax.taxable_income", None, "tax.filing_status needs tax.taxable_income (the year's ordinary taxable income before these trades) to look up the 2026 brackets, unless tax.ordinary_rate and tax.long_term_rate are both given"));
            }
            (None, Some(v)) => {
                return Err(src.error(
                    "tax.filing_status",
                    Some(v.span()),
                    "tax.taxable_income needs tax.filing_status; allowed: single, mfj, mfs, hoh",
                ));
            }
            _ => {}
        }
    }

    // Contribution.
    let (mut contribution_amount, mut contribution_account) = (None, None);
    if let Some(c) = &raw.contribution {
        if let Some(v) = &c.amount {
            contribution_amount = Some(money_nonneg(&src, "contribution.amount", v)?);
        }
        if let Some(n) = &c.account {
            let i = accounts
                .iter()
                .position(|a| &a.name == n.get_ref())
                .ok_or_else(|| {
                    src.error(
                        "contribution.account",
                        Some(n.span()),
                        format!(
                            "no account is named {:?}; allowed: {}",
                            n.get_ref(),
                            accounts
                                .iter()
                                .map(|a| format!("{:?}", a.name))
                                .collect::<Vec<_>>()
                                .join(", ")
                        ),
                    )
                })?;
            contribution_account = Some(i);
        }
    }

    // Bands.
    let bands = match &raw.bands {
        None => None,
        Some(b) => {
            let rb = b.get_ref();
            let absolute = match &rb.absolute {
                Some(v) => Some(band_width(&src, "bands.absolute", v)?),
                None => None,
            };
            let relative = match &rb.relative {
                Some(v) => Some(band_width(&src, "bands.relative", v)?),
                None => None,
            };
            if absolute.is_none() && relative.is_none() {
                return Err(src.error("bands", Some(b.span()), "[bands] needs absolute (percentage points, e.g. \"5\") and/or relative (percent of the target weight, e.g. \"25\")"));
            }
            Some(BandsInput {
                absolute,
                relative,
                to: rb.rebalance_to,
            })
        }
    };

    // Recent loss sales.
    let mut loss_sales = Vec::new();
    for (i, s) in raw.recent_loss_sales.iter().enumerate() {
        let p = format!("recent_loss_sales[{i}]");
        let asset = find_asset(&format!("{p}.asset"), &s.asset)?;
        let d = date(&src, &format!("{p}.date"), &s.date)?;
        let account = match &s.account {
            Some(n) => {
                if !accounts.iter().any(|a| &a.name == n.get_ref()) {
                    return Err(src.error(
                        &format!("{p}.account"),
                        Some(n.span()),
                        format!("no account is named {:?}", n.get_ref()),
                    ));
                }
                Some(n.get_ref().clone())
            }
            None => None,
        };
        let loss = match &s.loss {
            Some(v) => Some(money_nonneg(&src, &format!("{p}.loss"), v)?),
            None => None,
        };
        loss_sales.push(LossSale {
            index: i,
            asset,
            date: d,
            account,
            loss,
        });
    }

    Ok(Holdings {
        src,
        name: raw.name,
        assets,
        target_pct,
        weights,
        accounts,
        mode: raw.mode,
        plan_date,
        rounding: raw.rounding,
        owner,
        tax,
        contribution_amount,
        contribution_account,
        bands,
        loss_sales,
    })
}

/// A band width in percent, returned as a fraction; must be above 0 and below 100.
pub(crate) fn band_width(
    src: &Source,
    path: &str,
    v: &Spanned<Value>,
) -> Result<Decimal, PlanError> {
    let p = percent(src, path, v)?;
    if p <= Decimal::ZERO || p >= dec!(100) {
        return Err(src.error(
            path,
            Some(v.span()),
            format!("{p} is out of range; allowed: more than 0 and less than 100 (percent)"),
        ));
    }
    Ok(p / dec!(100))
}

#[cfg(test)]
mod tests {
    use super::*;

    const KENDRA: &str = r#"
[target]
stocks = "75"
bonds = "25"

[[accounts]]
name = "Kendra 401(k)"
kind = "401k"
holdings = { stocks = "17000.00", bonds = "4000.00" }
"#;

    #[test]
    fn plan_holdings_parse_kendra() {
        let h = Holdings::parse("k.toml", KENDRA).unwrap();
        assert_eq!(h.assets, vec!["stocks", "bonds"]);
        assert_eq!(h.weights, vec![dec!(0.75), dec!(0.25)]);
        assert_eq!(h.household(), vec![dec!(17000), dec!(4000)]);
        assert_eq!(h.total(), dec!(21000));
    }

    #[test]
    fn plan_holdings_weights_may_be_numbers_and_near_100() {
        let text = KENDRA.replace(
            "stocks = \"75\"\nbonds = \"25\"",
            "stocks = 33.33\nbonds = \"33.33%\"\ncash = 33.33",
        );
        let h = Holdings::parse("k.toml", &text).unwrap();
        assert_eq!(h.target_pct, vec![dec!(33.33), dec!(33.33), dec!(33.33)]);
        assert_eq!(h.weights.iter().sum::<Decimal>().round_dp(20), Decimal::ONE);
    }

    #[test]
    fn plan_holdings_fraction_weights_get_a_hint() {
        let text = KENDRA.replace("\"75\"", "0.75").replace("\"25\"", "0.25");
        let e = Holdings::parse("k.toml", &text).unwrap_err();
        assert_eq!(e.path(), Some("target"));
        assert!(e.to_string().contains("fractions"), "{e}");
    }

    #[test]
    fn plan_holdings_unknown_field_names_path_and_line() {
        let text = KENDRA.replace("kind = \"401k\"", "kind = \"401k\"\ncolour = \"red\"");
        let e = Holdings::parse("k.toml", &text).unwrap_err();
        assert_eq!(e.path(), Some("accounts[0].colour"));
        assert_eq!(e.line(), Some(9));
        assert!(
            e.to_string()
                .starts_with("k.toml:9:1: field `accounts[0].colour`: unknown field"),
            "{e}"
        );
    }

    #[test]
    fn plan_holdings_float_money_is_rejected_with_advice() {
        let text = KENDRA.replace("\"4000.00\"", "4000.5");
        let e = Holdings::parse("k.toml", &text).unwrap_err();
        assert_eq!(e.path(), Some("accounts[0].holdings.bonds"));
        assert!(e.to_string().contains("\"4000.50\""), "{e}");
    }

    #[test]
    fn plan_holdings_holding_not_in_target() {
        let text = KENDRA.replace("bonds = \"4000.00\"", "bond = \"4000.00\"");
        let e = Holdings::parse("k.toml", &text).unwrap_err();
        assert_eq!(e.path(), Some("accounts[0].holdings.bond"));
        assert!(e.to_string().contains("allowed: stocks, bonds"), "{e}");
    }

    #[test]
    fn plan_holdings_lots_only_in_taxable() {
        let text = format!(
            "{KENDRA}\n[[accounts.lots]]\nasset = \"stocks\"\nacquired = 2020-01-02\namount = \"17000\"\nbasis = \"1\"\n"
        );
        let e = Holdings::parse("k.toml", &text).unwrap_err();
        assert_eq!(e.path(), Some("accounts[0].lots"));
        assert!(
            e.to_string().contains("only used in taxable accounts"),
            "{e}"
        );
    }
}
