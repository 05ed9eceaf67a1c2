//! Times as stored, read faster than diesel reads them from SQLite.

use chrono::NaiveDateTime;
use diesel::sql_types::Timestamp;

use super::MultiBackend;

/// A stored time, read faster than diesel reads it from SQLite: SQLite keeps times as text,
/// and diesel tries chrono's format-string parser on it, which was a fourteenth of an uncached
/// list's CPU time. The text portal writes (`2026-11-26 07:30:00` with an optional fraction)
/// is read here directly; anything else goes to diesel's own reading, and PostgreSQL's binary
/// times are read as diesel reads them. Used on the article rows with
/// `#[diesel(deserialize_as = Stamp)]`.
#[derive(diesel::deserialize::FromSqlRow)]
pub struct Stamp(NaiveDateTime);

impl From<Stamp> for NaiveDateTime {
    fn from(s: Stamp) -> Self {
        s.0
    }
}

impl diesel::deserialize::FromSql<Timestamp, MultiBackend> for Stamp {
    fn from_sql(value: super::MultiRawValue<'_>) -> diesel::deserialize::Result<Self> {
        use diesel::deserialize::FromSql;
        match value {
            super::MultiRawValue::Sqlite(mut v) => match parse_stored_time(v.read_text()) {
                Some(t) => Ok(Stamp(t)),
                None => <NaiveDateTime as FromSql<Timestamp, diesel::sqlite::Sqlite>>::from_sql(v).map(Stamp),
            },
            super::MultiRawValue::Postgresql(v) => {
                <NaiveDateTime as FromSql<Timestamp, diesel::pg::Pg>>::from_sql(v).map(Stamp)
            }
        }
    }
}

/// [`Stamp`] for a time that may be missing.
#[derive(diesel::deserialize::FromSqlRow)]
pub struct OptStamp(Option<NaiveDateTime>);

impl From<OptStamp> for Option<NaiveDateTime> {
    fn from(s: OptStamp) -> Self {
        s.0
    }
}

impl diesel::deserialize::FromSql<diesel::sql_types::Nullable<Timestamp>, MultiBackend> for OptStamp {
    fn from_sql(value: super::MultiRawValue<'_>) -> diesel::deserialize::Result<Self> {
        <Stamp as diesel::deserialize::FromSql<Timestamp, MultiBackend>>::from_sql(value).map(|s| OptStamp(Some(s.0)))
    }

    fn from_nullable_sql(value: Option<super::MultiRawValue<'_>>) -> diesel::deserialize::Result<Self> {
        match value {
            Some(v) => Self::from_sql(v),
            None => Ok(OptStamp(None)),
        }
    }
}

/// `YYYY-MM-DD HH:MM:SS` (or with `T`), with an optional fraction of 1-9 digits: what diesel
/// writes. `None` for anything else, including impossible dates.
fn parse_stored_time(text: &str) -> Option<NaiveDateTime> {
    let b = text.as_bytes();
    if b.len() < 19 || b[4] != b'-' || b[7] != b'-' || !matches!(b[10], b' ' | b'T') || b[13] != b':' || b[16] != b':' {
        return None;
    }
    let num = |from: usize, to: usize| -> Option<u32> {
        b[from..to].iter().try_fold(0u32, |n, &c| c.is_ascii_digit().then(|| n * 10 + u32::from(c - b'0')))
    };
    let mut nanos = 0;
    if b.len() > 19 {
        let digits = &b[20..];
        if b[19] != b'.' || digits.is_empty() || digits.len() > 9 {
            return None;
        }
        nanos = num(20, b.len())? * 10u32.pow(9 - digits.len() as u32);
    }
    chrono::NaiveDate::from_ymd_opt(num(0, 4)? as i32, num(5, 7)?, num(8, 10)?)?.and_hms_nano_opt(
        num(11, 13)?,
        num(14, 16)?,
        num(17, 19)?,
        nanos,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stored_times_read_as_diesel_reads_them() {
        let t = |s: &str| parse_stored_time(s).map(|t| t.to_string());
        assert_eq!(t("2026-11-26 07:30:00").as_deref(), Some("2026-11-26 07:30:00"));
        assert_eq!(t("2026-11-26T07:30:00.5").as_deref(), Some("2026-11-26 07:30:00.500"));
        assert_eq!(t("2026-11-26 07:30:00.123456789").as_deref(), Some("2026-11-26 07:30:00.123456789"));
        assert_eq!(t("2026-11-26 07:30:00.000123").as_deref(), Some("2026-11-26 07:30:00.000123"));
        for other in [
            "2026-02-30 07:30:00",
            "2026-11-26 24:00:00",
            "2026-11-26 07:30",
            "2026-11-26 07:30:00.",
            "2026-11-26 07:30:00.1234567890",
            "2026-11-26 07:30:00Z",
            "2461005.5",
            "2026-11-2a 07:30:00",
            "+2026-1-26 07:30:00",
        ] {
            assert_eq!(t(other), None, "{other}");
        }
    }
}
