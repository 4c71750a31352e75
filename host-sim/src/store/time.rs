//! UTC date parsing for policy `expiration` and the V4 `x-*-date` fields.

/// Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's `days_from_civil`).
fn days_from_civil(year: i64, month: i64, day: i64) -> i64 {
    let y = if month <= 2 { year - 1 } else { year };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (month + 9) % 12;
    let doy = (153 * mp + 2) / 5 + day - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

fn is_leap(year: i64) -> bool {
    (year % 4 == 0 && year % 100 != 0) || year % 400 == 0
}

fn days_in_month(year: i64, month: i64) -> i64 {
    match month {
        2 if is_leap(year) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

fn digits(text: &[u8]) -> Option<i64> {
    if text.is_empty() || !text.iter().all(u8::is_ascii_digit) {
        return None;
    }
    text.iter().try_fold(0i64, |acc, d| {
        acc.checked_mul(10)?.checked_add(i64::from(d - b'0'))
    })
}

/// Milliseconds since the epoch of a validated civil date and time.
fn to_ms(date: [i64; 3], time: [i64; 3], millis: i64) -> Option<i64> {
    let [year, month, day] = date;
    let [hour, minute, second] = time;
    if !(1..=12).contains(&month)
        || day < 1
        || day > days_in_month(year, month)
        || hour > 23
        || minute > 59
        || second > 59
    {
        return None;
    }
    let secs = days_from_civil(year, month, day) * 86_400 + hour * 3600 + minute * 60 + second;
    Some(secs * 1000 + millis)
}

/// Parses an ISO 8601 UTC instant as policies use it: `YYYY-MM-DDTHH:MM:SSZ`, optionally with a
/// fraction (`.000Z`; only the first three digits count). Returns milliseconds since the epoch.
pub fn parse_iso8601(text: &str) -> Option<i64> {
    let b = text.as_bytes();
    let (head, rest) = (b.get(..19)?, b.get(19..)?);
    if head.get(4) != Some(&b'-')
        || head.get(7) != Some(&b'-')
        || head.get(10) != Some(&b'T')
        || head.get(13) != Some(&b':')
        || head.get(16) != Some(&b':')
    {
        return None;
    }
    let millis = match rest {
        b"Z" => 0,
        [b'.', frac @ .., b'Z'] if !frac.is_empty() && frac.len() <= 9 => {
            let mut padded = [b'0'; 3];
            for (slot, digit) in padded.iter_mut().zip(frac) {
                *slot = *digit;
            }
            digits(frac)?;
            digits(&padded)?
        }
        _ => return None,
    };
    to_ms(
        [
            digits(&head[0..4])?,
            digits(&head[5..7])?,
            digits(&head[8..10])?,
        ],
        [
            digits(&head[11..13])?,
            digits(&head[14..16])?,
            digits(&head[17..19])?,
        ],
        millis,
    )
}

/// Parses a V4 request date `YYYYMMDDTHHMMSSZ`. Returns milliseconds since the epoch.
pub fn parse_amz_date(text: &str) -> Option<i64> {
    let b = text.as_bytes();
    if b.len() != 16 || b[8] != b'T' || b[15] != b'Z' {
        return None;
    }
    to_ms(
        [digits(&b[0..4])?, digits(&b[4..6])?, digits(&b[6..8])?],
        [digits(&b[9..11])?, digits(&b[11..13])?, digits(&b[13..15])?],
        0,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn iso8601_forms() {
        // 2023-12-03T13:00:00Z = 1701608400 (date -u -d 2023-12-03T13:00:00Z +%s)
        assert_eq!(
            parse_iso8601("2023-12-03T13:00:00.000Z"),
            Some(1_701_608_400_000)
        );
        assert_eq!(
            parse_iso8601("2023-12-03T13:00:00Z"),
            Some(1_701_608_400_000)
        );
        assert_eq!(
            parse_iso8601("2020-03-19T03:44:06.476Z"),
            Some(1_584_589_446_476)
        );
        assert_eq!(
            parse_iso8601("2020-03-19T03:44:06.4Z"),
            Some(1_584_589_446_400)
        );
        for bad in [
            "2023-12-03 13:00:00.000Z",
            "2023-12-03T13:00:00.000",
            "2023-02-29T00:00:00Z",
            "2023-12-03T24:00:00Z",
            "2023-12-03T13:00:00.Z",
            "2023-12-03T13:00:00+08:00",
            "",
        ] {
            assert_eq!(parse_iso8601(bad), None, "{bad}");
        }
        assert_eq!(
            parse_iso8601("2024-02-29T00:00:00Z"),
            Some(1_709_164_800_000)
        );
    }

    #[test]
    fn amz_date() {
        assert_eq!(parse_amz_date("20231203T121212Z"), Some(1_701_605_532_000));
        assert_eq!(parse_amz_date("20231203T121212"), None);
        assert_eq!(parse_amz_date("2023120XT121212Z"), None);
    }
}
