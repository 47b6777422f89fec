//! Wall-clock time as the records and certificates need it: RFC 3339 in UTC, and the civil
//! date in Japan (ages are counted on the Japanese calendar day, whatever the machine's zone);
//! and, for people reading times, RFC 3339 in the machine's local zone with its offset.

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

/// The local zone's offset from UTC in seconds (east positive) at `secs` since the epoch, as
/// the C library reads it (`TZ`, `/etc/localtime`); 0 when it can't tell.
pub fn local_offset(secs: i64) -> i64 {
    let t = secs as libc::time_t;
    // SAFETY: a zeroed `tm` is a valid value; localtime_r only writes into it.
    let mut tm: libc::tm = unsafe { std::mem::zeroed() };
    // SAFETY: both pointers are valid for the call; localtime_r is the thread-safe form.
    let ok = unsafe { !libc::localtime_r(&t, &mut tm).is_null() };
    if ok {
        tm.tm_gmtoff as i64
    } else {
        0
    }
}

/// RFC 3339 at `secs` since the epoch, in the zone `offset` seconds east of UTC, to the
/// second: `2026-12-01T10:00:00+09:00`.
pub fn rfc3339_in(secs: i64, offset: i64) -> String {
    let local = secs + offset;
    let (days, rem) = (local.div_euclid(86_400), local.rem_euclid(86_400));
    let (y, m, d) = civil(days);
    let sign = if offset < 0 { '-' } else { '+' };
    let o = offset.abs();
    format!(
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}{sign}{:02}:{:02}",
        rem / 3600,
        rem % 3600 / 60,
        rem % 60,
        o / 3600,
        o % 3600 / 60
    )
}

/// An RFC 3339 time as the local clock reads it, with its offset (what a person at this
/// machine compares with their clock); anything else as it is.
pub fn rfc3339_local(s: &str) -> String {
    match parse_rfc3339(s) {
        Some(secs) => rfc3339_in(secs, local_offset(secs)),
        None => s.to_string(),
    }
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

/// Days since 1970-01-01 of a civil date (the inverse of [`civil`]).
pub fn days_from_civil(y: i64, m: u32, d: u32) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y.rem_euclid(400);
    let mp = (i64::from(m) + 9) % 12;
    let doy = (153 * mp + 2) / 5 + i64::from(d) - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// Seconds since the epoch of an RFC 3339 time (`2026-11-24T03:40:00.123Z`, or with an offset
/// such as `+09:00`; fractions dropped). None for anything else.
pub fn parse_rfc3339(s: &str) -> Option<i64> {
    let b = s.as_bytes();
    let num = |r: std::ops::Range<usize>| -> Option<i64> {
        let t = s.get(r)?;
        t.bytes().all(|c| c.is_ascii_digit()).then(|| t.parse().ok())?
    };
    if b.len() < 20 || b[4] != b'-' || b[7] != b'-' || !matches!(b[10], b'T' | b't') || b[13] != b':' || b[16] != b':' {
        return None;
    }
    let (y, mo, d) = (num(0..4)?, num(5..7)?, num(8..10)?);
    let (h, mi, sec) = (num(11..13)?, num(14..16)?, num(17..19)?);
    if !(1..=12).contains(&mo) || !(1..=31).contains(&d) || h > 23 || mi > 59 || sec > 60 {
        return None;
    }
    let mut i = 19;
    if b[i] == b'.' {
        i += 1;
        let start = i;
        while i < b.len() && b[i].is_ascii_digit() {
            i += 1;
        }
        if i == start {
            return None;
        }
    }
    let offset = match b.get(i..)? {
        [b'Z' | b'z'] => 0,
        [sign @ (b'+' | b'-'), ..] if b.len() == i + 6 && b[i + 3] == b':' => {
            let (oh, om) = (num(i + 1..i + 3)?, num(i + 4..i + 6)?);
            let o = oh * 3600 + om * 60;
            if *sign == b'+' {
                o
            } else {
                -o
            }
        }
        _ => return None,
    };
    let days = days_from_civil(y, mo as u32, d as u32);
    if civil(days) != (y, mo as u32, d as u32) {
        return None;
    }
    Some(days * 86_400 + h * 3600 + mi * 60 + sec - offset)
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
    fn a_time_is_written_in_a_zone_with_its_offset() {
        let secs = parse_rfc3339("2026-12-01T01:00:00.250Z").unwrap();
        assert_eq!(rfc3339_in(secs, 9 * 3600), "2026-12-01T10:00:00+09:00");
        assert_eq!(rfc3339_in(secs, -(3 * 3600 + 1800)), "2026-11-30T21:30:00-03:30");
        assert_eq!(rfc3339_in(secs, 0), "2026-12-01T01:00:00+00:00");
        for offset in [9 * 3600, -(3 * 3600 + 1800), 0] {
            assert_eq!(parse_rfc3339(&rfc3339_in(secs, offset)), Some(secs));
        }
        // The local form is the same instant, whatever the zone of the machine.
        assert_eq!(parse_rfc3339(&rfc3339_local("2026-12-01T01:00:00Z")), Some(secs));
        assert_eq!(rfc3339_local("-"), "-");
    }

    #[test]
    fn rfc3339_parses_back_what_it_writes_and_offsets() {
        for ms in [0, 1_700_000_000_123, 951_782_400_000, 4_102_444_799_000] {
            assert_eq!(parse_rfc3339(&rfc3339(ms)), Some(ms / 1000), "{}", rfc3339(ms));
        }
        assert_eq!(
            parse_rfc3339("2026-11-24T12:40:00+09:00"),
            parse_rfc3339("2026-11-24T03:40:00Z")
        );
        assert_eq!(parse_rfc3339("1970-01-01T00:00:00Z"), Some(0));
        for bad in [
            "",
            "2026-02-30T00:00:00Z",
            "2026-11-24 03:40:00Z",
            "2026-11-24T03:40:00",
            "2026-11-24T03:40:00.Z",
            "2026-11-24T25:00:00Z",
            "2026-11-24T03:40:00+0900",
            "２０２６-11-24T03:40:00Z",
        ] {
            assert_eq!(parse_rfc3339(bad), None, "{bad:?}");
        }
    }

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
