//! Checking what editors send: each check trims, bounds and names the field it rejects, and
//! a [`Checker`] gathers every problem of a body so that one 422 names them all.

use chrono::{DateTime, NaiveDate, NaiveDateTime, TimeZone};

use crate::error::{ApiError, FieldError};
use crate::http::field_error;
use crate::sites::Site;
use crate::text;

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

/// A date (the start of that day in the site's time zone; with `end`, the start of the next
/// day) or an RFC 3339 time, as UTC.
pub fn parse_time(
    field: &str,
    value: Option<&str>,
    site: &Site,
    end: bool,
    errors: &mut Vec<FieldError>,
) -> Option<NaiveDateTime> {
    let value = value.map(str::trim).filter(|v| !v.is_empty())?;
    if let Ok(date) = NaiveDate::parse_from_str(value, "%Y-%m-%d") {
        let day = if end { date.succ_opt()? } else { date };
        let local = site.tz.from_local_datetime(&day.and_hms_opt(0, 0, 0)?).earliest()?;
        return Some(local.naive_utc());
    }
    match DateTime::parse_from_rfc3339(value) {
        Ok(t) => Some(t.naive_utc()),
        Err(_) => {
            errors.push(field_error(
                field,
                "must be a date (2014-08-19) or an RFC 3339 time (2014-08-19T08:00:00+07:00)",
            ));
            None
        }
    }
}

/// Gathers the problems of one request body.
#[derive(Default)]
pub struct Checker {
    pub errors: Vec<FieldError>,
}

impl Checker {
    /// Notes a problem with `field`.
    pub fn reject(&mut self, field: &str, message: impl Into<String>) {
        self.errors.push(field_error(field, message));
    }

    /// A text field, trimmed: at most `max` characters, and not empty when `required` (which
    /// also rejects it left out).
    pub fn text(&mut self, field: &str, value: Option<String>, max: usize, required: bool) -> Option<String> {
        let value = value.map(|v| v.trim().to_owned());
        match &value {
            None if required => self.reject(field, "is required"),
            Some(v) if required && v.is_empty() => self.reject(field, format!("must be 1 to {max} characters")),
            Some(v) if v.chars().count() > max => {
                let least = if required { 1 } else { 0 };
                self.reject(field, format!("must be {least} to {max} characters"))
            }
            _ => {}
        }
        value
    }

    /// A URL field (see [`is_url`]), trimmed; `required` rejects it left out or empty.
    pub fn url(&mut self, field: &str, value: Option<String>, paths: bool, required: bool) -> Option<String> {
        let value = value.map(|v| v.trim().to_owned());
        match &value {
            None if required => self.reject(field, "is required"),
            Some(v) if v.is_empty() && !required => {}
            Some(v) if !is_url(v, paths) => self.reject(
                field,
                if paths { "must be an http(s) URL or a path starting with /" } else { "must be an http(s) URL" },
            ),
            _ => {}
        }
        value
    }

    /// An order among siblings: 0 to 100000.
    pub fn position(&mut self, field: &str, value: Option<i32>) -> Option<i32> {
        if value.is_some_and(|p| !(0..=100_000).contains(&p)) {
            self.reject(field, "must be from 0 to 100000");
        }
        value
    }

    /// A date or RFC 3339 time (see [`parse_time`]); an empty string is rejected too.
    pub fn time(&mut self, field: &str, value: Option<String>, site: &Site) -> Option<NaiveDateTime> {
        let value = value?;
        if value.trim().is_empty() {
            self.reject(field, "must be a date (2014-08-19) or an RFC 3339 time (2014-08-19T08:00:00+07:00)");
            return None;
        }
        parse_time(field, Some(&value), site, false, &mut self.errors)
    }

    /// A slug sent by the editor, checked for form.
    pub fn slug(&mut self, field: &str, value: Option<String>) -> Option<String> {
        let value = value.map(|v| v.trim().to_owned());
        if value.as_deref().is_some_and(|s| !text::is_slug(s) || s.len() > text::MAX_SLUG_LEN) {
            self.reject(field, "must be lower-case letters and digits joined by dashes");
        }
        value
    }

    /// 422 naming every field rejected, if any.
    pub fn finish(self) -> Result<(), ApiError> {
        if self.errors.is_empty() { Ok(()) } else { Err(ApiError::Validation(self.errors)) }
    }
}

/// A slug from `title` that is not in `taken`: `le-hoi`, then `le-hoi-2`, `le-hoi-3`...
pub fn free_slug(title: &str, taken: &[String]) -> String {
    let base = text::slugify(title);
    let mut candidate = base.clone();
    let mut n = 2;
    while taken.contains(&candidate) {
        candidate = format!("{base}-{n}");
        n += 1;
    }
    candidate
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
    fn free_slugs_count_up() {
        let taken = vec!["le-hoi".to_owned(), "le-hoi-2".to_owned()];
        assert_eq!(free_slug("Lễ hội", &taken), "le-hoi-3");
        assert_eq!(free_slug("Lễ hội Côn Sơn", &taken), "le-hoi-con-son");
    }

    #[test]
    fn checker_names_each_field() {
        let mut c = Checker::default();
        assert_eq!(c.text("title", Some("  Tiêu đề ".into()), 10, true), Some("Tiêu đề".into()));
        c.text("title", None, 10, true);
        c.text("caption", Some("x".repeat(11)), 10, false);
        c.url("url", Some("ftp://a.vn".into()), false, true);
        c.position("position", Some(-1));
        let fields: Vec<String> = c.errors.iter().map(|e| e.field.clone()).collect();
        assert_eq!(fields, ["title", "caption", "url", "position"]);
        assert_eq!(c.errors[1].message, "must be 0 to 10 characters");
    }
}
