//! Checking what editors send: each check trims, bounds and names the field it rejects, and
//! a [`Checker`] gathers every problem of a body so that one 422 names them all.

use chrono::{DateTime, Datelike, Duration, NaiveDate, NaiveDateTime, NaiveTime};

use crate::core::error::{ApiError, FieldError};
use crate::core::text;
use crate::http::field_error;

/// What turns a wall-clock time into UTC: a site, in its time zone. Times and dates sent
/// without an offset are read on it.
pub trait LocalClock {
    fn to_utc(&self, local: NaiveDateTime) -> NaiveDateTime;
}

/// The longest URL accepted.
pub const MAX_URL_LEN: usize = 2000;

/// True for an `http(s)://` URL with a host, or, when `paths` allows it, a path on this server
/// (`/uploads/...`); no spaces, at most [`MAX_URL_LEN`] bytes.
pub fn is_url(url: &str, paths: bool) -> bool {
    let absolute = ["https://", "http://"]
        .iter()
        .any(|scheme| url.strip_prefix(scheme).is_some_and(|rest| !rest.is_empty() && !rest.starts_with('/')));
    let path = paths && url.starts_with('/') && !url.starts_with("//");
    (absolute || path) && url.len() <= MAX_URL_LEN && !url.contains(char::is_whitespace)
}

/// The years a date may fall in: far wider than any ward's records, and inside every
/// backend's range.
pub const YEARS: std::ops::RangeInclusive<i32> = 1900..=2100;

/// A calendar day written `YYYY-MM-DD`, within [`YEARS`].
pub fn parse_date(value: &str) -> Option<NaiveDate> {
    let value = value.trim();
    let date = NaiveDate::parse_from_str(value, "%Y-%m-%d").ok().filter(|_| value.len() == 10)?;
    YEARS.contains(&date.year()).then_some(date)
}

/// An RFC 3339 time, as UTC, whose year as written lies within [`YEARS`] (so in UTC it is at
/// most a day outside them, which every backend stores alike; `9999-12-31T23:59:59-23:59`,
/// year 10000 in UTC, is refused).
pub fn parse_instant(value: &str) -> Option<NaiveDateTime> {
    // The year as written (the schema's pattern says the same); in UTC it may be a day outside.
    let t = DateTime::parse_from_rfc3339(value.trim()).ok()?;
    YEARS.contains(&t.year()).then(|| t.naive_utc())
}

/// A date (the start of that day in the site's time zone; with `end`, the start of the next
/// day) or an RFC 3339 time, as UTC, within [`YEARS`].
pub fn parse_time(
    field: &str,
    value: Option<&str>,
    site: &impl LocalClock,
    end: bool,
    errors: &mut Vec<FieldError>,
) -> Option<NaiveDateTime> {
    let value = value.map(str::trim).filter(|v| !v.is_empty())?;
    // Bounded by the year as written, whatever the offset makes of it in UTC.
    let parsed = match parse_date(value) {
        Some(date) => Some(site.to_utc((if end { date + Duration::days(1) } else { date }).and_time(NaiveTime::MIN))),
        None => parse_instant(value),
    };
    if parsed.is_none() {
        errors.push(field_error(
            field,
            "must be a date (2014-08-19) or an RFC 3339 time (2014-08-19T08:00:00+07:00), from 1900 to 2100",
        ));
    }
    parsed
}

/// What a field of a request body must be.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Need {
    /// May be left out or sent empty.
    Optional,
    /// May be left out (it stays as it is), but not sent empty.
    NotEmpty,
    /// Must be sent, and not empty.
    Required,
}

impl Need {
    /// A field every record has: required when creating, never emptied after.
    pub fn on_create(creating: bool) -> Need {
        if creating { Need::Required } else { Need::NotEmpty }
    }
}

/// Gathers the problems of one request body.
#[derive(Default)]
pub struct Checker {
    pub errors: Vec<FieldError>,
    /// Well-formed fields that clash with what is stored (see [`ApiError::fields`]).
    pub clashes: Vec<FieldError>,
}

impl Checker {
    /// Notes a problem with `field`.
    pub fn reject(&mut self, field: &str, message: impl Into<String>) {
        self.errors.push(field_error(field, message));
    }

    /// A text field of at most `max` characters as sent (as the schema's `maxLength` counts
    /// them), kept trimmed, as `need` wants it.
    pub fn text(&mut self, field: &str, value: Option<String>, max: usize, need: Need) -> Option<String> {
        let least = if need == Need::Optional { 0 } else { 1 };
        match &value {
            None if need == Need::Required => self.reject(field, "is required"),
            Some(v) if v.trim().is_empty() && least > 0 || v.chars().count() > max => {
                self.reject(field, format!("must be {least} to {max} characters"))
            }
            _ => {}
        }
        value.map(|v| v.trim().to_owned())
    }

    /// A URL field (see [`is_url`]), trimmed, as `need` wants it (only an optional one may be
    /// sent empty, to clear it).
    pub fn url(&mut self, field: &str, value: Option<String>, paths: bool, need: Need) -> Option<String> {
        let value = value.map(|v| v.trim().to_owned());
        match &value {
            None if need == Need::Required => self.reject(field, "is required"),
            Some(v) if v.is_empty() && need == Need::Optional => {}
            Some(v) if !is_url(v, paths) => self.reject(
                field,
                if paths { "must be an http(s) URL or a path starting with /" } else { "must be an http(s) URL" },
            ),
            _ => {}
        }
        value
    }

    /// An email address of at most 200 characters (`name@host.tld`: one `@`, a dot inside the
    /// host, no white space), as `need` wants it (an optional one may be sent empty, to clear it).
    pub fn email(&mut self, field: &str, value: Option<String>, need: Need) -> Option<String> {
        // White space anywhere, not only inside what is kept trimmed, as the schema's pattern says.
        let spaced = value.as_deref().is_some_and(|v| v.contains(char::is_whitespace));
        let value = self.text(field, value, 200, need)?;
        let well_formed = |e: &str| {
            e.split_once('@').is_some_and(|(user, host)| {
                let inner_dot = host.char_indices().any(|(i, c)| c == '.' && i > 0 && i + 1 < host.len());
                !user.is_empty() && !host.contains('@') && inner_dot
            })
        };
        if spaced || !value.is_empty() && !well_formed(&value) {
            self.reject(field, "must be an email address");
        }
        Some(value)
    }

    /// An order among siblings: 0 to 100000.
    pub fn position(&mut self, field: &str, value: Option<i32>) -> Option<i32> {
        if value.is_some_and(|p| !(0..=100_000).contains(&p)) {
            self.reject(field, "must be from 0 to 100000");
        }
        value
    }

    /// A date or RFC 3339 time (see [`parse_time`]); an empty string is rejected too.
    pub fn time(&mut self, field: &str, value: Option<String>, site: &impl LocalClock) -> Option<NaiveDateTime> {
        let value = value?;
        if value.trim().is_empty() {
            self.reject(field, "must be a date (2014-08-19) or an RFC 3339 time (2014-08-19T08:00:00+07:00)");
            return None;
        }
        parse_time(field, Some(&value), site, false, &mut self.errors)
    }

    /// A calendar day `YYYY-MM-DD` (see [`parse_date`]), as `need` wants it.
    pub fn date(&mut self, field: &str, value: Option<String>, need: Need) -> Option<NaiveDate> {
        match value {
            None if need == Need::Required => {
                self.reject(field, "is required");
                None
            }
            None => None,
            Some(v) => {
                let day = parse_date(&v);
                if day.is_none() {
                    self.reject(field, "must be a date (2019-05-30) from 1900 to 2100");
                }
                day
            }
        }
    }

    /// A day that may be cleared: left out (`None`), `null` (`Some(None)`) or a day.
    pub fn nullable_date(&mut self, field: &str, value: Option<Option<String>>) -> Option<Option<NaiveDate>> {
        match value {
            None => None,
            Some(None) => Some(None),
            Some(Some(v)) => self.date(field, Some(v), Need::Optional).map(Some),
        }
    }

    /// A slug sent by the editor, checked for form.
    pub fn slug(&mut self, field: &str, value: Option<String>) -> Option<String> {
        let value = value.map(|v| v.trim().to_owned());
        if value.as_deref().is_some_and(|s| !text::is_slug(s) || s.len() > text::MAX_SLUG_LEN) {
            self.reject(field, "must be lower-case letters and digits joined by dashes");
        }
        value
    }

    /// Notes that `field`, well formed, clashes with what is stored: a slug taken, an id of
    /// something the site does not have.
    pub fn clash(&mut self, field: &str, message: impl Into<String>) {
        self.clashes.push(field_error(field, message));
    }

    /// 422 naming every field rejected, else 409 naming every clash, if any.
    pub fn finish(self) -> Result<(), ApiError> {
        ApiError::fields(self.errors, self.clashes)
    }
}

/// `ids` without repeats, in the order first sent (a list of attachments names each once).
pub fn distinct(ids: Vec<i64>) -> Vec<i64> {
    let mut unique: Vec<i64> = Vec::with_capacity(ids.len());
    for id in ids {
        if !unique.contains(&id) {
            unique.push(id);
        }
    }
    unique
}

/// Tells a field sent as `null` (`Some(None)`) from one left out (`None`, with
/// `#[serde(default)]`).
pub fn present<'de, D: serde::Deserializer<'de>, T: serde::Deserialize<'de>>(
    d: D,
) -> Result<Option<Option<T>>, D::Error> {
    <Option<T> as serde::Deserialize>::deserialize(d).map(Some)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls() {
        assert!(is_url("https://dichvucong.gov.vn", false));
        assert!(is_url("http://haiduong.gov.vn/tin-tuc", false));
        assert!(!is_url("/uploads/3f/a.jpg", false));
        assert!(is_url("/uploads/3f/a.jpg", true));
        assert!(!is_url("//evil.example/x", true));
        assert!(!is_url("https://", false));
        assert!(!is_url("https:///path", false));
        assert!(!is_url("javascript:alert(1)", true));
        assert!(!is_url("https://a.vn/có dấu cách", false));
        assert!(!is_url(&format!("https://a.vn/{}", "x".repeat(MAX_URL_LEN)), false));
    }

    #[test]
    fn dates_stay_within_the_years() {
        assert_eq!(parse_date("2026-11-24"), NaiveDate::from_ymd_opt(2026, 11, 24));
        assert_eq!(parse_date("+262143-12-31"), None);
        assert_eq!(parse_date("1899-12-31"), None);
        assert_eq!(parse_date("2026-2-3"), None);
        assert_eq!(parse_date("2026-02-30"), None);
        assert_eq!(parse_instant("9999-12-31T23:59:59-23:59"), None);
        // The year as written counts, as the document's pattern says: UTC may be a day outside.
        assert_eq!(parse_instant("2101-01-01T00:00:00+00:00"), None);
        assert_eq!(
            parse_instant("2100-12-31T23:00:00-05:00"),
            NaiveDate::from_ymd_opt(2101, 1, 1).map(|d| d.and_hms_opt(4, 0, 0).unwrap())
        );
        assert_eq!(
            parse_instant("2026-12-01T07:00:00+07:00"),
            NaiveDate::from_ymd_opt(2026, 12, 1).map(|d| d.and_time(NaiveTime::MIN))
        );
    }

    #[test]
    fn checker_names_each_field() {
        let mut c = Checker::default();
        assert_eq!(c.text("title", Some("  Tiêu đề ".into()), 10, Need::Required), Some("Tiêu đề".into()));
        c.text("title", None, 10, Need::Required);
        c.text("caption", Some("x".repeat(11)), 10, Need::Optional);
        c.url("url", Some("ftp://a.vn".into()), false, Need::Required);
        c.position("position", Some(-1));
        // Left out on update is fine; sent empty is not, for a field every record has.
        assert_eq!(c.text("title", None, 10, Need::NotEmpty), None);
        c.text("title", Some("  ".into()), 10, Need::NotEmpty);
        c.url("url", Some(String::new()), false, Need::NotEmpty);
        assert_eq!(c.url("cover", Some(String::new()), true, Need::Optional), Some(String::new()));
        let fields: Vec<String> = c.errors.iter().map(|e| e.field.clone()).collect();
        assert_eq!(fields, ["title", "caption", "url", "position", "title", "url"]);
        assert_eq!(c.errors[1].message, "must be 0 to 10 characters");
        assert_eq!(c.errors[4].message, "must be 1 to 10 characters");
    }
}
