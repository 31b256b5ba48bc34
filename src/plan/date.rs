//! Calendar dates for the trade plan: plan date, lot acquisition dates, loss-sale dates.
//!
//! A proleptic Gregorian civil date with day arithmetic, so the plan can tell long-term from
//! short-term lots and find the 30-day wash-sale window without a date crate.

use std::fmt;

/// A calendar date (year, month 1-12, day 1-31), always valid once constructed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Date {
    year: i32,
    month: u32,
    day: u32,
}

fn is_leap(year: i32) -> bool {
    (year % 4 == 0 && year % 100 != 0) || year % 400 == 0
}

fn days_in_month(year: i32, month: u32) -> u32 {
    match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if is_leap(year) => 29,
        2 => 28,
        _ => 0,
    }
}

impl Date {
    /// A date, or `None` if it does not exist (e.g. 2026-02-29) or the year is outside 1..=9999.
    pub fn new(year: i32, month: u32, day: u32) -> Option<Date> {
        if !(1..=9999).contains(&year) || !(1..=12).contains(&month) {
            return None;
        }
        if day == 0 || day > days_in_month(year, month) {
            return None;
        }
        Some(Date { year, month, day })
    }

    pub fn year(self) -> i32 {
        self.year
    }

    /// Parses `YYYY-MM-DD`.
    pub fn parse(s: &str) -> Option<Date> {
        let s = s.trim();
        let mut parts = s.split('-');
        let (y, m, d) = (parts.next()?, parts.next()?, parts.next()?);
        if parts.next().is_some() || y.len() != 4 || m.len() != 2 || d.len() != 2 {
            return None;
        }
        if !(y.bytes().chain(m.bytes()).chain(d.bytes())).all(|b| b.is_ascii_digit()) {
            return None;
        }
        Date::new(y.parse().ok()?, m.parse().ok()?, d.parse().ok()?)
    }

    /// Days since 1970-01-01 (negative before). Howard Hinnant's `days_from_civil`.
    pub fn days(self) -> i64 {
        let y = i64::from(self.year) - i64::from(self.month <= 2);
        let era = y.div_euclid(400);
        let yoe = y - era * 400;
        let m = i64::from(self.month);
        let mp = (m + 9) % 12;
        let doy = (153 * mp + 2) / 5 + i64::from(self.day) - 1;
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
        era * 146_097 + doe - 719_468
    }

    /// The date `n` days after 1970-01-01 (`civil_from_days`).
    pub fn from_days(n: i64) -> Option<Date> {
        let z = n + 719_468;
        let era = z.div_euclid(146_097);
        let doe = z - era * 146_097;
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
        let mp = (5 * doy + 2) / 153;
        let d = doy - (153 * mp + 2) / 5 + 1;
        let m = if mp < 10 { mp + 3 } else { mp - 9 };
        let y = yoe + era * 400 + i64::from(m <= 2);
        Date::new(
            i32::try_from(y).ok()?,
            u32::try_from(m).ok()?,
            u32::try_from(d).ok()?,
        )
    }

    /// Calendar days from `self` to `later` (negative if `later` is earlier).
    pub fn days_until(self, later: Date) -> i64 {
        later.days() - self.days()
    }

    /// This date shifted by `n` days (saturating at the supported range).
    pub fn add_days(self, n: i64) -> Date {
        Date::from_days(self.days() + n).unwrap_or(self)
    }

    /// The same month and day one year later; 29 February maps to 28 February.
    pub fn one_year_later(self) -> Date {
        let year = self.year + 1;
        let day = self.day.min(days_in_month(year, self.month));
        Date::new(year, self.month, day).unwrap_or(self)
    }

    /// Today's date in UTC, from the system clock.
    pub fn today_utc() -> Option<Date> {
        let secs = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .ok()?
            .as_secs();
        Date::from_days(i64::try_from(secs / 86_400).ok()?)
    }
}

impl fmt::Display for Date {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}-{:02}-{:02}", self.year, self.month, self.day)
    }
}

impl serde::Serialize for Date {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

/// Holding period (IRC §1222; IRS Pub. 550): a gain is long-term only if the asset was held
/// *more than one year*. The holding period starts the day after acquisition, so a lot bought
/// 2025-02-05 is long-term when sold on or after 2026-02-06.
pub fn is_long_term(acquired: Date, sold: Date) -> bool {
    sold > acquired.one_year_later()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plan_date_round_trips_and_rejects_bad_dates() {
        let d = Date::parse("2026-03-02").unwrap();
        assert_eq!(d.to_string(), "2026-03-02");
        assert_eq!(Date::from_days(d.days()), Some(d));
        assert_eq!(Date::parse("1970-01-01").unwrap().days(), 0);
        assert!(Date::parse("2026-02-29").is_none());
        assert!(Date::parse("2024-02-29").is_some());
        assert!(Date::parse("2026-13-01").is_none());
        assert!(Date::parse("26-03-02").is_none());
        assert!(Date::parse("2026-3-2").is_none());
    }

    #[test]
    fn plan_holding_period_follows_pub_550_example() {
        let bought = Date::parse("2025-02-05").unwrap();
        assert!(!is_long_term(bought, Date::parse("2026-02-05").unwrap()));
        assert!(is_long_term(bought, Date::parse("2026-02-06").unwrap()));
        let leap = Date::parse("2024-02-29").unwrap();
        assert!(!is_long_term(leap, Date::parse("2025-02-28").unwrap()));
        assert!(is_long_term(leap, Date::parse("2025-03-01").unwrap()));
    }

    #[test]
    fn plan_day_differences() {
        let a = Date::parse("2026-02-20").unwrap();
        let b = Date::parse("2026-03-22").unwrap();
        assert_eq!(a.days_until(b), 30);
        assert_eq!(a.add_days(30), b);
    }
}
