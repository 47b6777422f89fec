//! Wall-clock time as the records and certificates need it: RFC 3339 in UTC, and the civil
//! date in Japan (ages are counted on the Japanese calendar day, whatever the machine's zone).

/// Milliseconds since the Unix epoch, from the system clock (0 if the clock is before 1970).
pub fn unix_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_millis() as i64)
        .unwrap_or(0)
}

/// RFC 3339 UTC with milliseconds, from the system clock.
pub fn rfc3339_now() -> String {
    rfc3339(unix_ms())
}

/// Civil (year, month, day) of a count of days since 1970-01-01 (Howard Hinnant's algorithm).
pub fn civil(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    (yoe + era * 400 + i64::from(m <= 2), m as u32, d as u32)
}

/// RFC 3339 UTC for milliseconds since the epoch.
pub fn rfc3339(ms: i64) -> String {
    let (s, milli) = (ms.div_euclid(1000), ms.rem_euclid(1000));
    let (days, rem) = (s.div_euclid(86_400), s.rem_euclid(86_400));
    let (y, m, d) = civil(days);
    format!(
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}.{milli:03}Z",
        rem / 3600,
        rem % 3600 / 60,
        rem % 60
    )
}

/// Today's date in Japan (UTC+9, no daylight saving) as `YYYYMMDD`.
pub fn today_jst() -> u32 {
    date_jst(unix_ms())
}

/// The date in Japan at `ms` since the epoch, as `YYYYMMDD`.
pub fn date_jst(ms: i64) -> u32 {
    let (y, m, d) = civil((ms / 1000 + 9 * 3600).div_euclid(86_400));
    (y.clamp(0, 9999) as u32) * 10_000 + m * 100 + d
}

/// Full years between two `YYYYMMDD` dates. Someone born on 29 February is a year older from
/// 1 March in common years.
pub fn age_on(birth: u32, today: u32) -> u32 {
    let years = (today / 10_000).saturating_sub(birth / 10_000);
    if today % 10_000 < birth % 10_000 {
        years.saturating_sub(1)
    } else {
        years
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rfc3339_dates() {
        assert_eq!(rfc3339(0), "1970-01-01T00:00:00.000Z");
        assert_eq!(rfc3339(951_782_400_000), "2000-02-29T00:00:00.000Z");
        assert_eq!(rfc3339(1_795_996_800_123), "2026-11-30T00:00:00.123Z");
    }

    #[test]
    fn dates_in_japan_and_ages() {
        // 2026-11-30T15:00:00Z is already 1 December in Japan.
        assert_eq!(date_jst(1_796_050_800_000), 20261201);
        assert_eq!(date_jst(1_796_050_799_000), 20261130);
        assert_eq!(age_on(20111201, 20261201), 15);
        assert_eq!(age_on(20111202, 20261201), 14);
        assert_eq!(age_on(20080229, 20230228), 14);
        assert_eq!(age_on(20080229, 20230301), 15);
        assert_eq!(age_on(20300101, 20261201), 0);
    }
}
