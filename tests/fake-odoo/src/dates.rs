//! Date and datetime helpers (std only): the current UTC time in Odoo's
//! `YYYY-MM-DD HH:MM:SS` format, value validation, and the period arithmetic
//! and labels used by `read_group` date granularities (day..year).

use std::time::{SystemTime, UNIX_EPOCH};

/// Days since 1970-01-01 of a civil date (proleptic Gregorian).
pub fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = if y >= 0 { y } else { y - 399 } / 400;
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146097 + doe - 719468
}

/// Civil date of a day count since 1970-01-01.
pub fn civil_from_days(z: i64) -> (i64, i64, i64) {
    let z = z + 719468;
    let era = if z >= 0 { z } else { z - 146096 } / 146097;
    let doe = z - era * 146097;
    let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    (if m <= 2 { y + 1 } else { y }, m, d)
}

/// Now, UTC, as `YYYY-MM-DD HH:MM:SS`.
pub fn now() -> String {
    let secs = SystemTime::now().duration_since(UNIX_EPOCH).map(|d| d.as_secs()).unwrap_or(0) as i64;
    let (y, m, d) = civil_from_days(secs.div_euclid(86400));
    let s = secs.rem_euclid(86400);
    format!("{:04}-{:02}-{:02} {:02}:{:02}:{:02}", y, m, d, s / 3600, (s / 60) % 60, s % 60)
}

/// A parsed date/datetime: (year, month, day, seconds in the day).
pub type Stamp = (i64, i64, i64, i64);

fn num(s: &str) -> Option<i64> {
    if s.is_empty() || !s.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    s.parse().ok()
}

/// Parses `YYYY-MM-DD` or `YYYY-MM-DD HH:MM:SS` (also with a `T`).
pub fn parse(s: &str) -> Option<Stamp> {
    let s = s.trim();
    let (date, time) = match s.find([' ', 'T']) {
        Some(i) => (&s[..i], Some(&s[i + 1..])),
        None => (s, None),
    };
    let mut parts = date.split('-');
    let y = num(parts.next()?)?;
    let m = num(parts.next()?)?;
    let d = num(parts.next()?)?;
    if parts.next().is_some() || !(1..=9999).contains(&y) || !(1..=12).contains(&m) || d < 1 || d > month_len(y, m) {
        return None;
    }
    let mut secs = 0;
    if let Some(t) = time {
        let t = t.split('.').next().unwrap_or("");
        let mut tp = t.split(':');
        let h = num(tp.next()?)?;
        let mi = tp.next().map(num).unwrap_or(Some(0))?;
        let se = tp.next().map(num).unwrap_or(Some(0))?;
        if h > 23 || mi > 59 || se > 59 {
            return None;
        }
        secs = h * 3600 + mi * 60 + se;
    }
    Some((y, m, d, secs))
}

fn is_leap(y: i64) -> bool {
    (y % 4 == 0 && y % 100 != 0) || y % 400 == 0
}

fn month_len(y: i64, m: i64) -> i64 {
    match m {
        2 if is_leap(y) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// Normalizes a value for a `date` field (`YYYY-MM-DD`).
pub fn normalize_date(s: &str) -> Option<String> {
    parse(s).map(|(y, m, d, _)| format!("{:04}-{:02}-{:02}", y, m, d))
}

/// Normalizes a value for a `datetime` field (`YYYY-MM-DD HH:MM:SS`).
pub fn normalize_datetime(s: &str) -> Option<String> {
    parse(s)
        .map(|(y, m, d, t)| format!("{:04}-{:02}-{:02} {:02}:{:02}:{:02}", y, m, d, t / 3600, (t / 60) % 60, t % 60))
}

const MONTHS: [&str; 12] = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];

/// The granularities `read_group` accepts for dates.
pub const GRANULARITIES: [&str; 5] = ["day", "week", "month", "quarter", "year"];

/// A period of a granularity: start and end dates (exclusive) and label.
pub struct Period {
    pub start: (i64, i64, i64),
    pub end: (i64, i64, i64),
    pub label: String,
}

/// The period containing a date for a granularity.
pub fn period(stamp: Stamp, granularity: &str) -> Period {
    let (y, m, d, _) = stamp;
    let days = days_from_civil(y, m, d);
    match granularity {
        "day" => Period {
            start: (y, m, d),
            end: civil_from_days(days + 1),
            label: format!("{:02} {} {}", d, &MONTHS[(m - 1) as usize][..3], y),
        },
        "week" => {
            let weekday = (days + 3).rem_euclid(7); // 0 = Monday
            let start = days - weekday;
            let (wy, week) = iso_week(start);
            Period {
                start: civil_from_days(start),
                end: civil_from_days(start + 7),
                label: format!("W{} {}", week, wy),
            }
        }
        "quarter" => {
            let q = (m - 1) / 3;
            let end = if q == 3 { (y + 1, 1, 1) } else { (y, q * 3 + 4, 1) };
            Period { start: (y, q * 3 + 1, 1), end, label: format!("Q{} {}", q + 1, y) }
        }
        "year" => Period { start: (y, 1, 1), end: (y + 1, 1, 1), label: y.to_string() },
        _ => {
            let end = if m == 12 { (y + 1, 1, 1) } else { (y, m + 1, 1) };
            Period { start: (y, m, 1), end, label: format!("{} {}", MONTHS[(m - 1) as usize], y) }
        }
    }
}

/// ISO year and week number of a Monday (days since epoch).
fn iso_week(monday: i64) -> (i64, i64) {
    let thursday = monday + 3;
    let (y, _, _) = civil_from_days(thursday);
    let jan1 = days_from_civil(y, 1, 1);
    (y, (thursday - jan1) / 7 + 1)
}

/// Formats a date triple, with ` 00:00:00` for datetime fields.
pub fn fmt_day(day: (i64, i64, i64), datetime: bool) -> String {
    let base = format!("{:04}-{:02}-{:02}", day.0, day.1, day.2);
    if datetime {
        format!("{} 00:00:00", base)
    } else {
        base
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn civil_roundtrip() {
        for z in [-1000, 0, 1, 20000, 20781] {
            let (y, m, d) = civil_from_days(z);
            assert_eq!(days_from_civil(y, m, d), z);
        }
        assert_eq!(days_from_civil(2026, 11, 24) - days_from_civil(2026, 11, 1), 23);
    }

    #[test]
    fn periods() {
        let p = period((2026, 9, 14, 0), "month");
        assert_eq!(p.label, "September 2026");
        assert_eq!(fmt_day(p.end, true), "2026-10-01 00:00:00");
        let q = period((2026, 11, 24, 0), "quarter");
        assert_eq!((q.start, q.end, q.label.as_str()), ((2026, 10, 1), (2027, 1, 1), "Q4 2026"));
        assert_eq!(period((2026, 11, 24, 0), "day").label, "24 Nov 2026");
        assert!(parse("2026-02-30").is_none());
        assert_eq!(normalize_datetime("2026-11-24").as_deref(), Some("2026-11-24 00:00:00"));
    }
}
