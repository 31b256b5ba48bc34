//! Exact money: parsing dollar amounts and percentages, rounding to cents, and splitting a
//! total into cent amounts that add up to it exactly.

use rust_decimal::prelude::ToPrimitive;
use rust_decimal::{Decimal, RoundingStrategy};
use rust_decimal_macros::dec;
use std::str::FromStr;

/// Largest amount accepted anywhere in a holdings file (just under ten trillion dollars), so
/// that no product or sum of amounts and weights can overflow `Decimal`.
pub const MAX_MONEY: Decimal = dec!(9_999_999_999_999.99);

/// The rounding rule for every amount of the plan, stated in the output.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum, serde::Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Rounding {
    /// Round half to even ("banker's rounding"): 0.125 -> 0.12, 0.135 -> 0.14.
    #[default]
    HalfEven,
    /// Round half away from zero ("commercial rounding"): 0.125 -> 0.13.
    HalfUp,
}

impl Rounding {
    pub fn strategy(self) -> RoundingStrategy {
        match self {
            Rounding::HalfEven => RoundingStrategy::MidpointNearestEven,
            Rounding::HalfUp => RoundingStrategy::MidpointAwayFromZero,
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Rounding::HalfEven => "half-even",
            Rounding::HalfUp => "half-up",
        }
    }

    /// One sentence for the report.
    pub fn describe(self) -> String {
        let rule = match self {
            Rounding::HalfEven => "half to even (banker's rounding)",
            Rounding::HalfUp => "half away from zero (half-up)",
        };
        format!(
            "every amount is rounded to the cent {rule}; where rounded parts must add up to an \
             exact total (targets, a contribution, an account's buys and sells), the leftover cents \
             go to the parts with the largest rounding remainders (largest-remainder method), so \
             totals balance exactly"
        )
    }
}

/// `x` rounded to the cent with `r`, always written with two decimals.
pub fn cents(x: Decimal, r: Rounding) -> Decimal {
    let mut y = x.round_dp_with_strategy(2, r.strategy());
    y.rescale(2);
    y
}

/// Rounds each part to the cent with `r`, then moves single cents so that the parts add up to
/// `total` exactly (`total` must itself be whole cents). Cents go to (or come from) the parts
/// whose exact value lost the most (gained the most) in rounding; ties go to the earlier part.
pub fn split_exact(exact: &[Decimal], total: Decimal, r: Rounding) -> Vec<Decimal> {
    let mut parts: Vec<Decimal> = exact.iter().map(|&x| cents(x, r)).collect();
    if parts.is_empty() {
        return parts;
    }
    let sum: Decimal = parts.iter().sum();
    let residual = total - sum;
    let steps = (residual / dec!(0.01)).trunc();
    let n = steps.abs().to_usize().unwrap_or(0);
    let one = if residual.is_sign_negative() {
        dec!(-0.01)
    } else {
        dec!(0.01)
    };
    // remainder in the direction we move: largest first.
    let mut order: Vec<usize> = (0..parts.len()).collect();
    let key = |i: usize| {
        let rem = exact[i] - parts[i];
        if one.is_sign_negative() { -rem } else { rem }
    };
    order.sort_by(|&a, &b| key(b).cmp(&key(a)).then(a.cmp(&b)));
    for k in 0..n {
        let i = order[k % order.len()];
        parts[i] += one;
    }
    for p in &mut parts {
        p.rescale(2);
    }
    parts
}

/// Parses a dollar amount: `"1234.56"`, `"1,234.56"`, `"$1,234.56"`, `"-12.50"`, `"0"`.
/// At most two decimal places: the plan works in whole cents.
pub fn parse_money(raw: &str) -> Result<Decimal, String> {
    let s = raw.trim();
    let (neg, rest) = match s.strip_prefix('-') {
        Some(r) => (true, r),
        None => (false, s),
    };
    let rest = rest.strip_prefix('$').unwrap_or(rest);
    let (int, frac) = match rest.split_once('.') {
        Some((i, f)) => (i, Some(f)),
        None => (rest, None),
    };
    let bad = || {
        format!(
            "{raw:?} is not a dollar amount; write digits with at most two decimals, like \"1234.56\" (commas between thousands and a leading $ are allowed)"
        )
    };
    if int.is_empty() || !int.bytes().all(|b| b.is_ascii_digit() || b == b',') {
        return Err(bad());
    }
    if int.contains(',') {
        let groups: Vec<&str> = int.split(',').collect();
        let first_ok = (1..=3).contains(&groups[0].len());
        if !first_ok || groups[1..].iter().any(|g| g.len() != 3) {
            return Err(bad());
        }
    }
    if let Some(f) = frac {
        if f.is_empty() || !f.bytes().all(|b| b.is_ascii_digit()) {
            return Err(bad());
        }
        if f.len() > 2 {
            return Err(format!(
                "{raw:?} has more than two decimals; amounts are dollars and cents, like \"1234.56\""
            ));
        }
    }
    let digits: String = int.chars().filter(|c| *c != ',').collect();
    if digits.trim_start_matches('0').len() > 13 {
        return Err(format!("{raw:?} is too large (at most {MAX_MONEY})"));
    }
    let text = match frac {
        Some(f) => format!("{digits}.{f}"),
        None => digits,
    };
    let v = Decimal::from_str(&text).map_err(|_| bad())?;
    let v = if neg { -v } else { v };
    if v.abs() > MAX_MONEY {
        return Err(format!("{raw:?} is too large (at most {MAX_MONEY})"));
    }
    let mut v = v;
    v.rescale(2);
    Ok(v)
}

/// Parses a percentage: `"75"`, `"75%"`, `"33.33"`; the number is in percent (75 = 75%).
/// Returns the percent value (not a fraction).
pub fn parse_percent(raw: &str) -> Result<Decimal, String> {
    let s = raw.trim();
    let s = s.strip_suffix('%').unwrap_or(s).trim_end();
    let (neg, body) = match s.strip_prefix('-') {
        Some(r) => (true, r),
        None => (false, s),
    };
    let ok = !body.is_empty()
        && body.bytes().all(|b| b.is_ascii_digit() || b == b'.')
        && body.bytes().filter(|b| *b == b'.').count() <= 1
        && body.bytes().any(|b| b.is_ascii_digit())
        && body.len() <= 20;
    if !ok {
        return Err(format!(
            "{raw:?} is not a percentage; write a number of percent like \"75\", \"33.33\" or \"75%\""
        ));
    }
    let v = Decimal::from_str(body).map_err(|_| format!("{raw:?} is not a percentage"))?;
    Ok(if neg { -v } else { v })
}

/// `1234567.8` -> `"1,234,567.80"`; negative amounts get a leading minus.
pub fn fmt_money(x: Decimal) -> String {
    let mut y = x.round_dp(2);
    y.rescale(2);
    let s = y.abs().to_string();
    let (int, frac) = s.split_once('.').unwrap_or((&s, "00"));
    let mut grouped = String::new();
    for (i, c) in int.chars().enumerate() {
        if i > 0 && (int.len() - i) % 3 == 0 {
            grouped.push(',');
        }
        grouped.push(c);
    }
    let sign = if y.is_sign_negative() && !y.is_zero() {
        "-"
    } else {
        ""
    };
    format!("{sign}{grouped}.{frac}")
}

/// A fraction as a percentage with two decimals: `0.7` -> `"70.00%"`.
pub fn fmt_pct(fraction: Decimal) -> String {
    format!("{}%", pct2(fraction))
}

/// A fraction as a percent number with two decimals (half-even): `0.809523` -> `80.95`.
pub fn pct2(fraction: Decimal) -> Decimal {
    let mut p = (fraction * dec!(100)).round_dp(2);
    p.rescale(2);
    p
}

/// Plain two-decimal text (`"1250.00"`), for CSV and JSON.
pub fn plain(x: Decimal) -> String {
    let mut y = x.round_dp(2);
    y.rescale(2);
    if y.is_zero() {
        y.set_sign_positive(true);
    }
    y.to_string()
}

/// Serializes a Decimal money field as a plain two-decimal string.
pub fn ser_money<S: serde::Serializer>(x: &Decimal, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(&plain(*x))
}

/// Serializes an optional money field.
pub fn ser_opt_money<S: serde::Serializer>(x: &Option<Decimal>, s: S) -> Result<S::Ok, S::Error> {
    match x {
        Some(v) => s.serialize_str(&plain(*v)),
        None => s.serialize_none(),
    }
}

/// Serializes a fraction as a percent string with two decimals (`0.75` -> `"75.00"`).
pub fn ser_pct<S: serde::Serializer>(x: &Decimal, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(&pct2(*x).to_string())
}

/// Serializes an optional fraction as a percent string.
pub fn ser_opt_pct<S: serde::Serializer>(x: &Option<Decimal>, s: S) -> Result<S::Ok, S::Error> {
    match x {
        Some(v) => s.serialize_str(&pct2(*v).to_string()),
        None => s.serialize_none(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plan_money_parsing_accepts_dollars_and_cents_only() {
        assert_eq!(parse_money("17000").unwrap(), dec!(17000.00));
        assert_eq!(parse_money("17,000.5").unwrap(), dec!(17000.50));
        assert_eq!(parse_money("$1,234,567.89").unwrap(), dec!(1234567.89));
        assert_eq!(parse_money("-12.50").unwrap(), dec!(-12.50));
        assert_eq!(parse_money("17000").unwrap().to_string(), "17000.00");
        for bad in [
            "",
            "abc",
            "12.345",
            "1,23",
            "12,3456",
            "1.2.3",
            "1e5",
            "12.",
            ".5",
            "--1",
            "1 000",
            "99999999999999",
        ] {
            assert!(parse_money(bad).is_err(), "{bad:?} should be rejected");
        }
    }

    #[test]
    fn plan_percent_parsing() {
        assert_eq!(parse_percent("75").unwrap(), dec!(75));
        assert_eq!(parse_percent("33.33%").unwrap(), dec!(33.33));
        assert_eq!(parse_percent("-5").unwrap(), dec!(-5));
        assert!(parse_percent("seventy").is_err());
        assert!(parse_percent("7.5.1").is_err());
    }

    #[test]
    fn plan_rounding_rules_differ_only_at_midpoints() {
        assert_eq!(cents(dec!(0.125), Rounding::HalfEven), dec!(0.12));
        assert_eq!(cents(dec!(0.125), Rounding::HalfUp), dec!(0.13));
        assert_eq!(cents(dec!(0.135), Rounding::HalfEven), dec!(0.14));
        assert_eq!(cents(dec!(1666.6666), Rounding::HalfEven), dec!(1666.67));
    }

    #[test]
    fn plan_split_exact_always_adds_up() {
        // Thirds of 100.00: 33.33 * 3 = 99.99, one cent goes to the first largest remainder.
        let third = dec!(100) / dec!(3);
        let parts = split_exact(&[third, third, third], dec!(100), Rounding::HalfEven);
        assert_eq!(parts, vec![dec!(33.34), dec!(33.33), dec!(33.33)]);
        // Two-thirds: 66.67 * 3 = 200.01, one cent comes back from the largest upward rounding.
        let tt = dec!(200) / dec!(3);
        let parts = split_exact(&[tt, tt, tt], dec!(200), Rounding::HalfEven);
        assert_eq!(parts.iter().sum::<Decimal>(), dec!(200));
        // Many awkward parts.
        for n in 1..40u32 {
            let total = dec!(1234.57);
            let w = total / Decimal::from(n);
            let parts = split_exact(&vec![w; n as usize], total, Rounding::HalfUp);
            assert_eq!(parts.iter().sum::<Decimal>(), total, "n = {n}");
            assert!(parts.iter().all(|p| (p - w).abs() < dec!(0.01)));
        }
    }

    #[test]
    fn plan_money_formatting() {
        assert_eq!(fmt_money(dec!(1250)), "1,250.00");
        assert_eq!(fmt_money(dec!(-1250.5)), "-1,250.50");
        assert_eq!(fmt_money(dec!(850000)), "850,000.00");
        assert_eq!(fmt_money(dec!(0.07)), "0.07");
        assert_eq!(fmt_money(dec!(-0.00)), "0.00");
        assert_eq!(fmt_pct(dec!(0.75)), "75.00%");
        assert_eq!(plain(dec!(-0)), "0.00");
    }
}
