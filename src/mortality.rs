//! Probabilistic lifetimes from a period life table: the probability `qx` of dying between
//! birthdays `x` and `x + 1`.
//!
//! The table is the user's (for example a Social Security Administration period life table,
//! which publishes `qx` by age and sex); its source line is required and shown in reports.
//! Each path draws one lifetime from its own random stream, so every strategy on a path
//! lives the same years, and the market's stream is untouched.

use rand::{RngExt, SeedableRng};
use rand_xoshiro::Xoshiro256PlusPlus;

/// A validated life table.
#[derive(Clone, Debug, PartialEq)]
pub struct LifeTable {
    /// `qx[age]` for ages 0..len; ages past the end die with certainty.
    qx: Vec<f64>,
    /// Where the numbers come from, as the file states it.
    pub source: String,
}

impl LifeTable {
    /// Parses `age,qx` lines (a header line and `#` comments allowed). A `# source: ...`
    /// line is required. Errors are `(line, message)`.
    pub fn parse(text: &str) -> Result<Self, (usize, String)> {
        let mut source = None;
        let mut qx: Vec<f64> = Vec::new();
        for (i, raw) in text.lines().enumerate() {
            let line = raw.trim();
            let n = i + 1;
            if let Some(rest) = line.strip_prefix('#') {
                if let Some(s) = rest.trim().strip_prefix("source:") {
                    source = Some(s.trim().to_string());
                }
                continue;
            }
            if line.is_empty() || line.eq_ignore_ascii_case("age,qx") {
                continue;
            }
            let (a, q) = line
                .split_once(',')
                .ok_or((n, format!("`{line}`: expected `age,qx`, e.g. `65,0.0149`")))?;
            let age: usize = a
                .trim()
                .parse()
                .map_err(|_| (n, format!("age `{}` is not a whole number", a.trim())))?;
            let q: f64 = q
                .trim()
                .parse()
                .map_err(|_| (n, format!("qx `{}` is not a number", q.trim())))?;
            if !(0.0..=1.0).contains(&q) {
                return Err((n, format!("qx {q} is not a probability between 0 and 1")));
            }
            if age != qx.len() {
                return Err((
                    n,
                    format!(
                        "age {age} is out of order: ages must run 0, 1, 2, ... without gaps (expected {})",
                        qx.len()
                    ),
                ));
            }
            qx.push(q);
        }
        let source = source.filter(|s| !s.is_empty()).ok_or((
            1,
            "state where the table comes from in a `# source: ...` line".to_string(),
        ))?;
        if qx.is_empty() {
            return Err((1, "the table has no `age,qx` rows".into()));
        }
        Ok(Self { qx, source })
    }

    /// Probability of dying within the year at `age`.
    pub fn qx(&self, age: u32) -> f64 {
        self.qx.get(age as usize).copied().unwrap_or(1.0)
    }

    /// Draws the age at which someone now `age` dies (they live through `age` at least in
    /// part: death happens during the returned year of age).
    pub fn death_age(&self, age: u32, seed: u64, path: usize) -> u32 {
        // A stream of its own: (seed, path) mixed with a constant, never the market's.
        let mut rng = Xoshiro256PlusPlus::seed_from_u64(crate::engine::path_seed(
            seed ^ 0x6d6f_7274_616c_6974,
            path,
        ));
        let mut a = age;
        loop {
            let u: f64 = rng.random();
            if u < self.qx(a) || a >= 150 {
                return a;
            }
            a += 1;
        }
    }

    /// Probability that someone now `age` is alive at `age + years`.
    pub fn survival(&self, age: u32, years: u32) -> f64 {
        (age..age + years).map(|a| 1.0 - self.qx(a)).product()
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// A synthetic table for tests only (not real mortality): qx = 0.01 below 80, 0.1 from
    /// 80 to 99, 1 at 100.
    pub(crate) fn synthetic() -> LifeTable {
        let mut text = String::from("# source: synthetic test table\nage,qx\n");
        for a in 0..=100 {
            let q = if a < 80 {
                0.01
            } else if a < 100 {
                0.1
            } else {
                1.0
            };
            text.push_str(&format!("{a},{q}\n"));
        }
        LifeTable::parse(&text).unwrap()
    }

    #[test]
    fn draws_follow_the_table() {
        let t = synthetic();
        assert_eq!(t.source, "synthetic test table");
        // P(alive at 80 | 65) = 0.99^15.
        let p80 = t.survival(65, 15);
        assert!((p80 - 0.99f64.powi(15)).abs() < 1e-12);
        let n = 20_000;
        let reached_80 = (0..n).filter(|&p| t.death_age(65, 7, p) >= 80).count() as f64 / n as f64;
        assert!((reached_80 - p80).abs() < 0.01, "{reached_80} vs {p80}");
        assert!((0..n).all(|p| t.death_age(65, 7, p) <= 100));
        // Deterministic per (seed, path).
        assert_eq!(t.death_age(65, 7, 123), t.death_age(65, 7, 123));
    }

    #[test]
    fn bad_tables_name_the_line() {
        assert_eq!(
            LifeTable::parse("age,qx\n0,0.1\n").unwrap_err().1,
            "state where the table comes from in a `# source: ...` line"
        );
        assert_eq!(
            LifeTable::parse("# source: x\n0,0.1\n2,0.1\n")
                .unwrap_err()
                .0,
            3
        );
        assert_eq!(LifeTable::parse("# source: x\n0,1.5\n").unwrap_err().0, 2);
        assert_eq!(LifeTable::parse("# source: x\n0,abc\n").unwrap_err().0, 2);
    }
}
