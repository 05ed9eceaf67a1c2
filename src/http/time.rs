//! Times as JSON, written as chrono's serde writes them but without its `Display`.

use chrono::{DateTime, FixedOffset};
use serde::Serialize;

/// Serialises a time exactly as chrono's serde does (RFC 3339; fractional seconds only when
/// there are some, in 3, 6 or 9 digits; `Z` for UTC) without going through `Display`, which
/// was a seventh of an uncached list's CPU time. Use with `#[serde(serialize_with = ...)]`.
pub fn serialize_time<S: serde::Serializer>(t: &DateTime<FixedOffset>, s: S) -> Result<S::Ok, S::Error> {
    let mut buf = [0u8; 40];
    match write_time(t, &mut buf) {
        Some(n) => s.serialize_str(std::str::from_utf8(&buf[..n]).map_err(serde::ser::Error::custom)?),
        None => t.serialize(s),
    }
}

/// [`serialize_time`] for a time that may be missing (`null`).
pub fn serialize_opt_time<S: serde::Serializer>(t: &Option<DateTime<FixedOffset>>, s: S) -> Result<S::Ok, S::Error> {
    match t {
        Some(t) => serialize_time(t, s),
        None => s.serialize_none(),
    }
}

/// Writes `t` into `buf` and says how many bytes; `None` for what chrono writes otherwise
/// (years outside 0-9999, leap seconds, offsets with seconds), which is then left to chrono.
fn write_time(t: &DateTime<FixedOffset>, buf: &mut [u8; 40]) -> Option<usize> {
    use chrono::{Datelike, Timelike};
    fn put(buf: &mut [u8], at: &mut usize, mut value: u32, width: usize) {
        for i in (0..width).rev() {
            buf[*at + i] = b'0' + (value % 10) as u8;
            value /= 10;
        }
        *at += width;
    }
    let local = t.naive_local();
    let offset = t.offset().local_minus_utc();
    let nanos = local.nanosecond();
    if !(0..=9999).contains(&local.year()) || nanos >= 1_000_000_000 || offset % 60 != 0 {
        return None;
    }
    let mut at = 0;
    for (value, width, after) in [
        (local.year() as u32, 4, b'-'),
        (local.month(), 2, b'-'),
        (local.day(), 2, b'T'),
        (local.hour(), 2, b':'),
        (local.minute(), 2, b':'),
    ] {
        put(buf, &mut at, value, width);
        buf[at] = after;
        at += 1;
    }
    put(buf, &mut at, local.second(), 2);
    if nanos != 0 {
        buf[at] = b'.';
        at += 1;
        match (nanos % 1_000_000, nanos % 1_000) {
            (0, _) => put(buf, &mut at, nanos / 1_000_000, 3),
            (_, 0) => put(buf, &mut at, nanos / 1_000, 6),
            _ => put(buf, &mut at, nanos, 9),
        }
    }
    if offset == 0 {
        buf[at] = b'Z';
        return Some(at + 1);
    }
    buf[at] = if offset < 0 { b'-' } else { b'+' };
    at += 1;
    let minutes = offset.unsigned_abs() / 60;
    put(buf, &mut at, minutes / 60, 2);
    buf[at] = b':';
    at += 1;
    put(buf, &mut at, minutes % 60, 2);
    Some(at)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_serialise_as_chrono_does() {
        use chrono::{NaiveDate, TimeZone};
        #[derive(Serialize)]
        struct Fast(#[serde(serialize_with = "serialize_time")] DateTime<FixedOffset>);
        #[derive(Serialize)]
        struct Chrono(DateTime<FixedOffset>);
        let mut checked = 0;
        for offset in [0, 7 * 3600, -(3 * 3600 + 30 * 60), 5 * 3600 + 45 * 60, 14 * 3600, 7 * 3600 + 6 * 60 + 40] {
            let tz = FixedOffset::east_opt(offset).unwrap();
            for (y, mo, d, h, mi, s) in
                [(2026, 11, 26, 19, 41, 5), (1900, 1, 1, 0, 0, 0), (9999, 12, 31, 23, 59, 59), (5, 2, 3, 4, 5, 6)]
            {
                for nanos in [0, 1, 120_000_000, 123_000, 123_456_789, 999_999_999, 1_500_000_000] {
                    let naive = NaiveDate::from_ymd_opt(y, mo, d).unwrap().and_hms_nano_opt(h, mi, s, nanos);
                    let Some(naive) = naive else { continue };
                    let t = tz.from_local_datetime(&naive).unwrap();
                    assert_eq!(serde_json::to_string(&Fast(t)).unwrap(), serde_json::to_string(&Chrono(t)).unwrap());
                    checked += 1;
                }
            }
        }
        let far = FixedOffset::east_opt(0).unwrap().with_ymd_and_hms(10_000, 1, 1, 0, 0, 0).unwrap();
        assert_eq!(serde_json::to_string(&Fast(far)).unwrap(), serde_json::to_string(&Chrono(far)).unwrap());
        assert!(checked > 100, "{checked}");
        #[derive(Serialize)]
        struct Maybe(#[serde(serialize_with = "serialize_opt_time")] Option<DateTime<FixedOffset>>);
        assert_eq!(serde_json::to_string(&Maybe(None)).unwrap(), "null");
    }
}
