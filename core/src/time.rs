//! UTC time: one instant gives every date a ticket carries.
//!
//! There is no local time anywhere in this crate. [`UnixTime`] is seconds since the Unix epoch,
//! limited to 1970-01-01T00:00:00Z ..= 9999-12-31T23:59:59Z so every date has four-digit years.

use crate::Error;

/// Seconds since 1970-01-01T00:00:00Z, at most 9999-12-31T23:59:59Z.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct UnixTime(u64);

/// The last instant a ticket may name: 9999-12-31T23:59:59Z.
pub const MAX_UNIX_TIME: u64 = 253_402_300_799;

/// Length of [`UnixTime::expiration`]: `YYYY-MM-DDTHH:MM:SS.000Z`.
pub const EXPIRATION_LEN: usize = 24;
/// Length of [`UnixTime::iso_basic`]: `YYYYMMDDTHHMMSSZ`.
pub const ISO_BASIC_LEN: usize = 16;
/// Length of [`UnixTime::date`]: `YYYYMMDD`.
pub const DATE_LEN: usize = 8;

/// A calendar breakdown of a [`UnixTime`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Civil {
    year: u32,
    month: u32,
    day: u32,
    hour: u32,
    minute: u32,
    second: u32,
}

impl UnixTime {
    /// An instant from Unix seconds; above [`MAX_UNIX_TIME`] is [`Error::TimeOutOfRange`].
    pub const fn from_secs(secs: u64) -> Result<Self, Error> {
        if secs > MAX_UNIX_TIME {
            Err(Error::TimeOutOfRange)
        } else {
            Ok(UnixTime(secs))
        }
    }

    /// Seconds since the epoch.
    pub const fn as_secs(self) -> u64 {
        self.0
    }

    /// This instant plus `secs`, or [`Error::TimeOutOfRange`] past year 9999.
    pub const fn add_secs(self, secs: u64) -> Result<Self, Error> {
        match self.0.checked_add(secs) {
            Some(t) => Self::from_secs(t),
            None => Err(Error::TimeOutOfRange),
        }
    }

    /// Days since the epoch (the UTC day this instant falls on).
    pub const fn day(self) -> u64 {
        self.0 / 86_400
    }

    /// `YYYY-MM-DDTHH:MM:SS.000Z`, the policy `expiration` format.
    pub fn expiration(self) -> [u8; EXPIRATION_LEN] {
        let c = self.civil();
        let mut out = *b"0000-00-00T00:00:00.000Z";
        put_digits(&mut out, 0, c.year, 4);
        put_digits(&mut out, 5, c.month, 2);
        put_digits(&mut out, 8, c.day, 2);
        put_digits(&mut out, 11, c.hour, 2);
        put_digits(&mut out, 14, c.minute, 2);
        put_digits(&mut out, 17, c.second, 2);
        out
    }

    /// `YYYYMMDDTHHMMSSZ`, the `x-oss-date` / `x-amz-date` format.
    pub fn iso_basic(self) -> [u8; ISO_BASIC_LEN] {
        let c = self.civil();
        let mut out = *b"00000000T000000Z";
        put_digits(&mut out, 0, c.year, 4);
        put_digits(&mut out, 4, c.month, 2);
        put_digits(&mut out, 6, c.day, 2);
        put_digits(&mut out, 9, c.hour, 2);
        put_digits(&mut out, 11, c.minute, 2);
        put_digits(&mut out, 13, c.second, 2);
        out
    }

    /// `YYYYMMDD`, the credential-scope date.
    pub fn date(self) -> [u8; DATE_LEN] {
        day(&self.iso_basic())
    }

    /// Howard Hinnant's `civil_from_days`, in 32-bit arithmetic.
    ///
    /// All divisions are 32-bit, which a Cortex-M4 does in hardware (64-bit division is a
    /// library call there): 86,400 = 128 x 675, and `self.0 >> 7` stays below 2^31 for every
    /// instant up to `MAX_UNIX_TIME`. That bound also keeps the day below 2,932,897, so `z` stays
    /// below 3.7e6 and no product overflows; the algorithm's invariants (`doe < 146097`,
    /// `yoe < 400`, `doy < 366`, `mp < 12`) keep every subtraction non-negative. The test below
    /// walks every day from 1970 to 9999.
    #[allow(clippy::arithmetic_side_effects)]
    fn civil(self) -> Civil {
        let day = (self.0 >> 7) as u32 / 675;
        let secs = (self.0 - u64::from(day) * 86_400) as u32;
        // Shift the epoch to 0000-03-01 so leap days end each 400-year era.
        let z = day + 719_468;
        let era = z / 146_097;
        let doe = z % 146_097;
        let yoe = (doe - doe / 1_460 + doe / 36_524 - doe / 146_096) / 365;
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
        let mp = (5 * doy + 2) / 153;
        let day = doy - (153 * mp + 2) / 5 + 1;
        let month = if mp < 10 { mp + 3 } else { mp - 9 };
        let year = yoe + era * 400 + u32::from(month <= 2);
        Civil {
            year,
            month,
            day,
            hour: secs / 3_600,
            minute: secs / 60 % 60,
            second: secs % 60,
        }
    }
}

/// The `YYYYMMDD` part of a `YYYYMMDDTHHMMSSZ` date (no second calendar conversion).
pub fn day(iso_basic: &[u8; ISO_BASIC_LEN]) -> [u8; DATE_LEN] {
    let mut out = [0u8; DATE_LEN];
    for (o, b) in out.iter_mut().zip(iso_basic.iter()) {
        *o = *b;
    }
    out
}

/// Writes `value` as `width` decimal digits at `at`; the callers' offsets are constant and in range.
fn put_digits(out: &mut [u8], at: usize, mut value: u32, width: usize) {
    if let Some(slot) = out.get_mut(at..at.saturating_add(width)) {
        for b in slot.iter_mut().rev() {
            *b = b'0' | (value % 10) as u8;
            value /= 10;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Walks every day of 1970..=9999 and checks it follows the previous one on the calendar.
    #[test]
    fn every_day_follows_the_calendar() {
        let leap =
            |y: u32| (y.is_multiple_of(4) && !y.is_multiple_of(100)) || y.is_multiple_of(400);
        let days_in = |y: u32, m: u32| match m {
            2 if leap(y) => 29,
            2 => 28,
            4 | 6 | 9 | 11 => 30,
            _ => 31,
        };
        let (mut y, mut m, mut d) = (1970, 1, 1);
        let last_day = MAX_UNIX_TIME / 86_400;
        for day in 0..=last_day {
            let c = UnixTime(day * 86_400 + 86_399).civil();
            assert_eq!((c.year, c.month, c.day), (y, m, d), "day {day}");
            assert_eq!((c.hour, c.minute, c.second), (23, 59, 59));
            d += 1;
            if d > days_in(y, m) {
                d = 1;
                m += 1;
                if m > 12 {
                    m = 1;
                    y += 1;
                }
            }
        }
        assert_eq!((y, m, d), (10000, 1, 1));
    }

    #[test]
    fn formats_one_instant_three_ways() {
        let t = UnixTime::from_secs(1_701_605_532).unwrap();
        assert_eq!(&t.expiration(), b"2023-12-03T12:12:12.000Z");
        assert_eq!(&t.iso_basic(), b"20231203T121212Z");
        assert_eq!(&t.date(), b"20231203");
        let max = UnixTime::from_secs(MAX_UNIX_TIME).unwrap();
        assert_eq!(&max.expiration(), b"9999-12-31T23:59:59.000Z");
        assert_eq!(
            UnixTime::from_secs(MAX_UNIX_TIME + 1),
            Err(Error::TimeOutOfRange)
        );
        assert_eq!(max.add_secs(1), Err(Error::TimeOutOfRange));
        assert_eq!(
            &UnixTime::from_secs(0).unwrap().expiration(),
            b"1970-01-01T00:00:00.000Z"
        );
    }
}
