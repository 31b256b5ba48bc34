//! Sweep parameters: `KEY=SPEC` parsing, the grid, and applying a grid point to the
//! scenario's TOML document.
//!
//! Keys name a scenario field by its TOML path:
//!
//! * `TABLE.KEY` for the single tables: `simulation`, `market`, `portfolio`, `cash_flows`,
//!   `household`, `taxes`
//!   (for example `cash_flows.withdrawal_rate`, `portfolio.initial_balance`,
//!   `simulation.years`);
//! * `asset.NAME.KEY`, `strategy.NAME.KEY` and `account.NAME.KEY` for an `[[asset]]`,
//!   `[[strategy]]` or `[[account]]` table,
//!   found by its `name` (exact, else case-insensitive if that is unique). Quote a name that
//!   contains a dot: `asset."U.S. stocks".target`.
//!
//! Values: `LO..HI:STEP` (inclusive of HI when it is on the grid), a list `A,B,C`, or one
//! value. Integers stay integers (`simulation.years=20..40:5`).
//!
//! Sweeping an asset's `target` rescales the other assets' targets in proportion to their
//! targets in the file, so targets still sum to 1: with stocks 0.6, bonds 0.3 and cash 0.1,
//! `asset.stocks.target=0.8` gives bonds 0.15 and cash 0.05. When several targets are swept,
//! the assets not swept share what is left (1 minus the swept targets) in the same way.
//! `initial_weight`, if given, is not changed.

use std::fmt;

/// Most values one parameter may take.
pub const MAX_VALUES: usize = 1000;
/// Most grid points one sweep may run.
pub const MAX_POINTS: usize = 2500;

/// The top-level tables a key may start with.
const TABLES: [&str; 6] = [
    "simulation",
    "market",
    "portfolio",
    "cash_flows",
    "household",
    "taxes",
];

/// Where a swept value goes in the scenario document.
#[derive(Clone, Debug, PartialEq)]
pub enum KeyPath {
    /// `[table] key`
    Table { table: String, key: String },
    /// `[[asset]]` (or `[[strategy]]`) with `name = NAME`: `key`
    Named {
        array: String,
        name: String,
        key: String,
    },
}

impl fmt::Display for KeyPath {
    /// The canonical spelling, also the column name in the sweep table.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            KeyPath::Table { table, key } => write!(f, "{table}.{key}"),
            KeyPath::Named { array, name, key } => {
                if name.contains('.') {
                    write!(f, "{array}.\"{name}\".{key}")
                } else {
                    write!(f, "{array}.{name}.{key}")
                }
            }
        }
    }
}

/// One swept parameter.
#[derive(Clone, Debug, PartialEq)]
pub struct Param {
    pub path: KeyPath,
    /// The grid values, in order.
    pub values: Vec<f64>,
    /// Written as TOML integers (every value given was an integer).
    pub integer: bool,
    /// The `KEY=SPEC` text as given (for the reproduce line).
    pub spec: String,
}

impl Param {
    pub fn key(&self) -> String {
        self.path.to_string()
    }

    /// An asset's target weight (swept targets rescale the other assets).
    pub fn is_asset_target(&self) -> bool {
        matches!(&self.path, KeyPath::Named { array, key, .. } if array == "asset" && key == "target")
    }
}

/// Splits a key on dots outside double quotes; quotes are removed.
fn split_key(key: &str) -> Result<Vec<String>, String> {
    let mut parts = vec![];
    let mut cur = String::new();
    let mut quoted = false;
    for c in key.chars() {
        match c {
            '"' => quoted = !quoted,
            '.' if !quoted => parts.push(std::mem::take(&mut cur)),
            _ => cur.push(c),
        }
    }
    if quoted {
        return Err(format!("`{key}`: unbalanced double quote"));
    }
    parts.push(cur);
    if parts.iter().any(|p| p.trim().is_empty()) {
        return Err(format!("`{key}`: empty part between dots"));
    }
    Ok(parts)
}

fn parse_key(key: &str) -> Result<KeyPath, String> {
    let parts = split_key(key.trim())?;
    let usage = "use TABLE.KEY (simulation, market, portfolio, cash_flows, household or \
                 taxes), asset.NAME.KEY, strategy.NAME.KEY or account.NAME.KEY";
    match parts.as_slice() {
        [table, k] if TABLES.contains(&table.as_str()) => {
            if table == "simulation" && k == "seed" {
                return Err(
                    "`simulation.seed` cannot be swept: every grid point uses the same seed \
                     (common random numbers); use --seed to change it"
                        .into(),
                );
            }
            Ok(KeyPath::Table {
                table: table.clone(),
                key: k.clone(),
            })
        }
        [array, name, k] if ["asset", "strategy", "account"].contains(&array.as_str()) => {
            Ok(KeyPath::Named {
                array: array.clone(),
                name: name.clone(),
                key: k.clone(),
            })
        }
        _ => Err(format!("`{key}` is not a sweepable key; {usage}")),
    }
}

/// Decimals written in a number ("0.0025" -> 4, "1e-3" -> 3).
fn decimals(text: &str) -> usize {
    let t = text.trim().to_ascii_lowercase();
    let (mantissa, exp) = match t.split_once('e') {
        Some((m, e)) => (m.to_string(), e.parse::<i64>().unwrap_or(0)),
        None => (t.clone(), 0),
    };
    let frac = mantissa.split_once('.').map_or(0, |(_, f)| f.len()) as i64;
    (frac - exp).clamp(0, 15) as usize
}

fn number(text: &str, what: &str) -> Result<f64, String> {
    let v: f64 = text
        .trim()
        .parse()
        .map_err(|_| format!("{what} `{}` is not a number", text.trim()))?;
    if !v.is_finite() {
        return Err(format!("{what} `{}` is not a finite number", text.trim()));
    }
    Ok(v)
}

fn is_integer_text(text: &str) -> bool {
    let t = text.trim();
    let t = t.strip_prefix(['-', '+']).unwrap_or(t);
    !t.is_empty() && t.chars().all(|c| c.is_ascii_digit())
}

/// Parses `KEY=LO..HI:STEP`, `KEY=A,B,C` or `KEY=V`.
pub fn parse_param(text: &str) -> Result<Param, String> {
    let Some((key, spec)) = text.rsplit_once('=') else {
        return Err(format!(
            "`{text}`: expected KEY=LO..HI:STEP, KEY=A,B,C or KEY=VALUE, \
             e.g. cash_flows.withdrawal_rate=0.03..0.06:0.0025"
        ));
    };
    let path = parse_key(key)?;
    let key_name = path.to_string();
    let spec = spec.trim();
    let (values, integer) = if let Some((range, step)) = spec.split_once(':') {
        let Some((lo, hi)) = range.split_once("..") else {
            return Err(format!(
                "`{key_name}={spec}`: a range is LO..HI:STEP, e.g. 0.03..0.06:0.0025"
            ));
        };
        let (l, h, s) = (
            number(lo, "the start")?,
            number(hi, "the end")?,
            number(step, "the step")?,
        );
        if s <= 0.0 {
            return Err(format!("`{key_name}={spec}`: the step must be above 0"));
        }
        if h < l {
            return Err(format!(
                "`{key_name}={spec}`: the end {h} is below the start {l}"
            ));
        }
        let count = ((h - l) / s + 1e-9).floor() + 1.0;
        if count > MAX_VALUES as f64 {
            return Err(format!(
                "`{key_name}={spec}`: {count} values; at most {MAX_VALUES} per parameter"
            ));
        }
        let d = decimals(lo).max(decimals(hi)).max(decimals(step));
        let values = (0..count as usize)
            .map(|i| {
                let v = l + i as f64 * s;
                // The nearest double to the decimal the user would have typed.
                format!("{v:.d$}").parse::<f64>().unwrap_or(v)
            })
            .collect();
        let integer = [lo, hi, step].iter().all(|t| is_integer_text(t));
        (values, integer)
    } else if spec.contains("..") {
        return Err(format!(
            "`{key_name}={spec}`: a range needs a step: LO..HI:STEP, e.g. 0.03..0.06:0.0025"
        ));
    } else {
        let items: Vec<&str> = spec.split(',').collect();
        let values = items
            .iter()
            .map(|t| number(t, "the value"))
            .collect::<Result<Vec<f64>, String>>()
            .map_err(|e| format!("`{key_name}={spec}`: {e}"))?;
        if values.len() > MAX_VALUES {
            return Err(format!(
                "`{key_name}`: {} values; at most {MAX_VALUES} per parameter",
                values.len()
            ));
        }
        let integer = items.iter().all(|t| is_integer_text(t));
        (values, integer)
    };
    Ok(Param {
        path,
        values,
        integer,
        spec: text.trim().to_string(),
    })
}

/// Checks a set of parameters: distinct keys, a grid of at most [`MAX_POINTS`].
pub fn check_params(params: &[Param]) -> Result<usize, String> {
    if params.is_empty() {
        return Err("give at least one --param KEY=LO..HI:STEP".into());
    }
    for (i, p) in params.iter().enumerate() {
        if params[..i].iter().any(|q| q.path == p.path) {
            return Err(format!("`{}` is swept twice", p.key()));
        }
    }
    let mut points: usize = 1;
    for p in params {
        points = points.saturating_mul(p.values.len());
    }
    if points > MAX_POINTS {
        return Err(format!(
            "the grid has {points} points; at most {MAX_POINTS} (every point is a full run)"
        ));
    }
    Ok(points)
}

/// Every grid point's values, the first parameter varying slowest.
pub fn grid_points(params: &[Param]) -> Vec<Vec<f64>> {
    let mut out: Vec<Vec<f64>> = vec![vec![]];
    for p in params {
        out = out
            .into_iter()
            .flat_map(|prefix| {
                p.values.iter().map(move |&v| {
                    let mut next = prefix.clone();
                    next.push(v);
                    next
                })
            })
            .collect();
    }
    out
}

fn toml_number(v: f64, integer: bool) -> toml::Value {
    if integer && v.fract() == 0.0 && v.abs() < 9.0e15 {
        toml::Value::Integer(v as i64)
    } else {
        toml::Value::Float(v)
    }
}

fn as_f64(v: &toml::Value) -> Option<f64> {
    match v {
        toml::Value::Float(f) => Some(*f),
        toml::Value::Integer(i) => Some(*i as f64),
        _ => None,
    }
}

/// The index of the `[[array]]` table named `name`.
fn find_named(doc: &toml::Table, array: &str, name: &str) -> Result<usize, String> {
    let items = doc
        .get(array)
        .and_then(|v| v.as_array())
        .ok_or_else(|| format!("the scenario has no [[{array}]] tables"))?;
    let names: Vec<&str> = items
        .iter()
        .map(|t| t.get("name").and_then(|n| n.as_str()).unwrap_or(""))
        .collect();
    if let Some(i) = names.iter().position(|n| *n == name) {
        return Ok(i);
    }
    let folded: Vec<usize> = names
        .iter()
        .enumerate()
        .filter(|(_, n)| n.eq_ignore_ascii_case(name))
        .map(|(i, _)| i)
        .collect();
    if folded.len() == 1 {
        return Ok(folded[0]);
    }
    Err(format!(
        "no [[{array}]] is named `{name}`; the names are: {}",
        names
            .iter()
            .map(|n| format!("\"{n}\""))
            .collect::<Vec<_>>()
            .join(", ")
    ))
}

/// Checks that every key names something that exists in the document (tables may be
/// absent: their keys are then created).
pub fn check_against(doc: &toml::Table, params: &[Param]) -> Result<(), String> {
    for p in params {
        if let KeyPath::Named { array, name, .. } = &p.path {
            find_named(doc, array, name).map_err(|e| format!("`{}`: {e}", p.key()))?;
        }
    }
    Ok(())
}

/// The document with one grid point's values set (and asset targets rescaled).
pub fn apply_point(
    doc: &toml::Table,
    params: &[Param],
    values: &[f64],
) -> Result<toml::Table, String> {
    let mut doc = doc.clone();
    for (p, &v) in params.iter().zip(values) {
        let value = toml_number(v, p.integer);
        match &p.path {
            KeyPath::Table { table, key } => {
                let entry = doc
                    .entry(table.clone())
                    .or_insert_with(|| toml::Value::Table(toml::Table::new()));
                let Some(t) = entry.as_table_mut() else {
                    return Err(format!("`{table}` is not a table in the scenario"));
                };
                t.insert(key.clone(), value);
            }
            KeyPath::Named { array, name, key } => {
                let i = find_named(&doc, array, name)?;
                if let Some(t) = doc
                    .get_mut(array)
                    .and_then(|a| a.as_array_mut())
                    .and_then(|a| a.get_mut(i))
                    .and_then(|t| t.as_table_mut())
                {
                    t.insert(key.clone(), value);
                }
            }
        }
    }
    rescale_targets(&mut doc, params, values)?;
    Ok(doc)
}

/// Gives the assets whose target is not swept what the swept targets leave, in proportion
/// to their targets in the file.
fn rescale_targets(doc: &mut toml::Table, params: &[Param], values: &[f64]) -> Result<(), String> {
    let swept: Vec<(usize, f64)> = params
        .iter()
        .zip(values)
        .filter(|(p, _)| p.is_asset_target())
        .filter_map(|(p, &v)| match &p.path {
            KeyPath::Named { name, .. } => find_named(doc, "asset", name).ok().map(|i| (i, v)),
            KeyPath::Table { .. } => None,
        })
        .collect();
    if swept.is_empty() {
        return Ok(());
    }
    let Some(assets) = doc.get_mut("asset").and_then(|a| a.as_array_mut()) else {
        return Ok(());
    };
    let swept_sum: f64 = swept.iter().map(|(_, v)| v).sum();
    if swept_sum > 1.0 + 1e-9 {
        return Err(format!(
            "the swept targets add up to {swept_sum}, more than 1"
        ));
    }
    let rest: Vec<usize> = (0..assets.len())
        .filter(|i| !swept.iter().any(|(j, _)| j == i))
        .collect();
    let target_of = |t: &toml::Value| t.get("target").and_then(as_f64).unwrap_or(0.0);
    let rest_sum: f64 = rest.iter().map(|&i| target_of(&assets[i])).sum();
    let left = (1.0 - swept_sum).max(0.0);
    if rest.is_empty() || rest_sum <= 0.0 {
        if left > 1e-9 {
            return Err(format!(
                "the swept targets add up to {swept_sum} and no other asset has a target \
                 to take the remaining {left}"
            ));
        }
        return Ok(());
    }
    for i in rest {
        let scaled = target_of(&assets[i]) * left / rest_sum;
        if let Some(t) = assets[i].as_table_mut() {
            t.insert("target".into(), toml::Value::Float(scaled));
        }
    }
    Ok(())
}

/// "cash_flows.withdrawal_rate=0.04, asset.stocks.target=0.6"
pub fn describe_point(params: &[Param], values: &[f64]) -> String {
    params
        .iter()
        .zip(values)
        .map(|(p, v)| format!("{}={}", p.key(), v))
        .collect::<Vec<_>>()
        .join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ranges_lists_and_single_values() {
        let p = parse_param("cash_flows.withdrawal_rate=0.03..0.06:0.0025").unwrap();
        assert_eq!(p.values.len(), 13);
        assert_eq!(p.values[0], 0.03);
        assert_eq!(p.values[3], 0.0375);
        assert_eq!(p.values[12], 0.06);
        assert!(!p.integer);
        assert_eq!(p.key(), "cash_flows.withdrawal_rate");

        let p = parse_param("asset.stocks.target=0.2..1.0:0.1").unwrap();
        assert_eq!(p.values, [0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1.0]);
        assert!(p.is_asset_target());

        let p = parse_param("simulation.years=20..40:5").unwrap();
        assert_eq!(p.values, [20.0, 25.0, 30.0, 35.0, 40.0]);
        assert!(p.integer);

        let p = parse_param("strategy.\"5pp band\".band=0.03,0.05,0.1").unwrap();
        assert_eq!(p.values, [0.03, 0.05, 0.1]);
        assert_eq!(p.key(), "strategy.5pp band.band");
        let p = parse_param("asset.\"U.S. stocks\".target=0.5").unwrap();
        assert_eq!(p.key(), "asset.\"U.S. stocks\".target");
        assert_eq!(p.values, [0.5]);
        // A range whose end is not on the grid stops before it.
        assert_eq!(
            parse_param("market.inflation_mean=0..0.05:0.02")
                .unwrap()
                .values,
            [0.0, 0.02, 0.04]
        );
    }

    #[test]
    fn bad_specs_say_what_is_allowed() {
        for (text, want) in [
            ("withdrawal_rate=0.03", "TABLE.KEY"),
            ("cash_flows.withdrawal_rate", "KEY=LO..HI:STEP"),
            ("cash_flows.withdrawal_rate=0.03..0.06", "needs a step"),
            (
                "cash_flows.withdrawal_rate=0.06..0.03:0.01",
                "below the start",
            ),
            ("cash_flows.withdrawal_rate=0.03..0.06:0", "above 0"),
            ("cash_flows.withdrawal_rate=0..1:0.0001", "at most 1000"),
            ("cash_flows.withdrawal_rate=abc", "not a number"),
            ("simulation.seed=1..5:1", "--seed"),
            ("asset.\"stocks.target=1", "quote"),
            ("other.x=1", "not a sweepable key"),
        ] {
            let e = parse_param(text).unwrap_err();
            assert!(e.contains(want), "{text}: {e}");
        }
        let a = parse_param("cash_flows.withdrawal_rate=0.03").unwrap();
        assert!(
            check_params(&[a.clone(), a.clone()])
                .unwrap_err()
                .contains("twice")
        );
        assert!(check_params(&[]).is_err());
        let big = parse_param("portfolio.initial_balance=1..1000:1").unwrap();
        let big2 = parse_param("cash_flows.contribution=1..1000:1").unwrap();
        assert!(
            check_params(&[big, big2])
                .unwrap_err()
                .contains("at most 2500")
        );
    }

    #[test]
    fn grid_order_is_first_parameter_slowest() {
        let a = parse_param("cash_flows.withdrawal_rate=0.03,0.04").unwrap();
        let b = parse_param("simulation.years=10,20,30").unwrap();
        assert_eq!(check_params(&[a.clone(), b.clone()]).unwrap(), 6);
        let g = grid_points(&[a, b]);
        assert_eq!(
            g,
            [
                vec![0.03, 10.0],
                vec![0.03, 20.0],
                vec![0.03, 30.0],
                vec![0.04, 10.0],
                vec![0.04, 20.0],
                vec![0.04, 30.0]
            ]
        );
    }

    const DOC: &str = r#"
version = 1
[[asset]]
name = "Stocks"
target = 0.6
[[asset]]
name = "bonds"
target = 0.3
[[asset]]
name = "cash"
target = 0.1
[[strategy]]
name = "band"
rebalance = "threshold"
band = 0.05
"#;

    #[test]
    fn targets_rescale_proportionally() {
        let doc: toml::Table = DOC.parse().unwrap();
        let p = parse_param("asset.stocks.target=0.8").unwrap();
        let w = parse_param("cash_flows.withdrawal_rate=0.04").unwrap();
        let y = parse_param("simulation.years=25").unwrap();
        check_against(&doc, std::slice::from_ref(&p)).unwrap();
        let out = apply_point(&doc, &[p.clone(), w, y], &[0.8, 0.04, 25.0]).unwrap();
        let t: Vec<f64> = out["asset"]
            .as_array()
            .unwrap()
            .iter()
            .map(|a| as_f64(&a["target"]).unwrap())
            .collect();
        assert_eq!(t[0], 0.8);
        assert!((t[1] - 0.15).abs() < 1e-12 && (t[2] - 0.05).abs() < 1e-12);
        assert_eq!(out["cash_flows"]["withdrawal_rate"].as_float(), Some(0.04));
        assert_eq!(out["simulation"]["years"].as_integer(), Some(25));

        // Two swept targets: the third asset takes the rest.
        let q = parse_param("asset.bonds.target=0.1").unwrap();
        let out = apply_point(&doc, &[p.clone(), q.clone()], &[0.7, 0.1]).unwrap();
        let cash = as_f64(&out["asset"][2]["target"]).unwrap();
        assert!((cash - 0.2).abs() < 1e-12);
        assert!(
            apply_point(&doc, &[p.clone(), q], &[0.8, 0.3])
                .unwrap_err()
                .contains("more than 1")
        );

        let s = parse_param("strategy.band.band=0.1").unwrap();
        let out = apply_point(&doc, &[s], &[0.1]).unwrap();
        assert_eq!(out["strategy"][0]["band"].as_float(), Some(0.1));

        let missing = parse_param("asset.gold.target=0.1").unwrap();
        let e = check_against(&doc, &[missing]).unwrap_err();
        assert!(e.contains("\"Stocks\", \"bonds\", \"cash\""), "{e}");
    }
}
