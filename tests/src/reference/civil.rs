//! Civil (proleptic Gregorian, UTC) time from Unix seconds, and the three date formats.

/// The last instant a ticket may name: 9999-12-31T23:59:59Z.
pub const MAX_UNIX: u64 = 253_402_300_799;

/// A UTC calendar date and time of day.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Civil {
    /// The year (1970 and later).
    pub year: i64,
    /// 1..=12.
    pub month: u32,
    /// 1..=31.
    pub day: u32,
    /// 0..=23.
    pub hour: u32,
    /// 0..=59.
    pub minute: u32,
    /// 0..=59.
    pub second: u32,
}

/// Breaks Unix seconds down into UTC (the days-from-civil inverse, on signed numbers).
pub fn civil(unix: u64) -> Civil {
    let days = i64::try_from(unix / 86_400).unwrap_or(i64::MAX / 2);
    let secs = unix % 86_400;
    let (year, month, day) = civil_from_days(days);
    Civil {
        year,
        month,
        day,
        hour: u32::try_from(secs / 3_600).unwrap_or(0),
        minute: u32::try_from(secs / 60 % 60).unwrap_or(0),
        second: u32::try_from(secs % 60).unwrap_or(0),
    }
}

/// Year, month, day of the day `days` after 1970-01-01 (eras of 400 years from 0000-03-01).
fn civil_from_days(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1_460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    (
        year,
        u32::try_from(month).unwrap_or(0),
        u32::try_from(day).unwrap_or(0),
    )
}

/// `YYYY-MM-DDTHH:MM:SS.000Z`, the policy's `expiration`.
pub fn expiration(unix: u64) -> String {
    let c = civil(unix);
    format!(
        "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.000Z",
        c.year, c.month, c.day, c.hour, c.minute, c.second
    )
}

/// `YYYYMMDDTHHMMSSZ`, `x-oss-date` / `x-amz-date`.
pub fn iso_basic(unix: u64) -> String {
    let c = civil(unix);
    format!(
        "{:04}{:02}{:02}T{:02}{:02}{:02}Z",
        c.year, c.month, c.day, c.hour, c.minute, c.second
    )
}

/// `YYYYMMDD`, the credential-scope date.
pub fn date(unix: u64) -> String {
    let c = civil(unix);
    format!("{:04}{:02}{:02}", c.year, c.month, c.day)
}
