//! The work calendar ("Lịch công tác", Decree 43/2011 Art. 10.1.c): the leaders' entries of
//! a week, each with its time, place, who chairs, who attends and what it is about. Weeks are
//! ISO weeks (Monday to Sunday) in the site's time zone.

use actix_web::{HttpRequest, HttpResponse, delete, get, patch, post, web};
use chrono::{Datelike, Duration, NaiveDate, NaiveDateTime, NaiveTime, Utc, Weekday};
use diesel::prelude::*;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::AppState;
use crate::auth::staff::{Done, write};
use crate::auth::{Caller, Role};
use crate::core::error::{ApiError, Problem};
use crate::db::{AnyConnection, schema::calendar_entries};
use crate::http::body::Body;
use crate::http::input::{Checker, Need, present};
use crate::http::{Data, cached_json, check, field_error};
use crate::sites::Site;

/// An entry as stored.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = calendar_entries)]
pub struct EntryRow {
    pub id: i64,
    pub starts_at: NaiveDateTime,
    pub ends_at: Option<NaiveDateTime>,
    pub place: String,
    pub chair: String,
    pub attendees: String,
    pub content: String,
    pub note: String,
}

/// An entry of the work calendar.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(example = json!({"id": 1, "starts_at": "2026-12-07T08:00:00+07:00", "ends_at": "2026-12-07T11:00:00+07:00",
    "place": "Hội trường UBND phường", "chair": "Đồng chí Phạm Quang Minh, Chủ tịch UBND phường",
    "attendees": "Lãnh đạo HĐND, UBND phường; các tổ trưởng tổ dân phố",
    "content": "Hội nghị triển khai nhiệm vụ phát triển kinh tế - xã hội tháng 12", "note": "",
    "path": "/api/v1/sites/phuong-chi-minh/calendar/1"}))]
pub struct Entry {
    pub id: i64,
    /// In the site's offset.
    pub starts_at: chrono::DateTime<chrono::FixedOffset>,
    /// Null when no end is set.
    pub ends_at: Option<chrono::DateTime<chrono::FixedOffset>>,
    pub place: String,
    /// Who chairs it (chủ trì), possibly empty.
    pub chair: String,
    /// Who attends (thành phần), possibly empty.
    pub attendees: String,
    /// What it is about.
    pub content: String,
    /// Possibly empty.
    pub note: String,
    /// Where the API serves it.
    pub path: String,
}

fn view(site: &Site, r: EntryRow) -> Entry {
    Entry {
        id: r.id,
        starts_at: site.local(r.starts_at),
        ends_at: r.ends_at.map(|t| site.local(t)),
        place: r.place,
        chair: r.chair,
        attendees: r.attendees,
        content: r.content,
        note: r.note,
        path: format!("/api/v1/sites/{}/calendar/{}", site.slug, r.id),
    }
}

/// One day of a week, with its entries by time.
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({"date": "2026-12-07", "weekday": "Thứ Hai", "entries": [{"id": 1,
    "starts_at": "2026-12-07T07:30:00+07:00", "ends_at": "2026-12-07T09:30:00+07:00", "place": "Phòng họp UBND phường",
    "chair": "Đồng chí Phạm Quang Minh, Chủ tịch UBND phường", "attendees": "Lãnh đạo UBND phường",
    "content": "Giao ban công tác tuần", "note": "", "path": "/api/v1/sites/phuong-chi-minh/calendar/1"}]}))]
pub struct CalendarDay {
    #[schema(value_type = String, format = Date)]
    pub date: NaiveDate,
    /// The day's Vietnamese name.
    pub weekday: &'static str,
    pub entries: Vec<Entry>,
}

/// A week of the work calendar: every day from Monday to Sunday, each with its entries.
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({"week": "2026-W50", "starts_on": "2026-12-07", "ends_on": "2026-12-13",
    "previous_week": "2026-W49", "next_week": "2026-W51",
    "days": [{"date": "2026-12-07", "weekday": "Thứ Hai", "entries": [{"id": 1, "starts_at": "2026-12-07T08:00:00+07:00",
        "ends_at": "2026-12-07T11:00:00+07:00", "place": "Hội trường UBND phường",
        "chair": "Đồng chí Phạm Quang Minh, Chủ tịch UBND phường", "attendees": "Lãnh đạo HĐND, UBND phường",
        "content": "Hội nghị triển khai nhiệm vụ tháng 12", "note": "", "path": "/api/v1/sites/phuong-chi-minh/calendar/1"}]}]}))]
pub struct CalendarWeek {
    /// The ISO week (`2026-W50`).
    pub week: String,
    /// Its Monday.
    #[schema(value_type = String, format = Date)]
    pub starts_on: NaiveDate,
    /// Its Sunday.
    #[schema(value_type = String, format = Date)]
    pub ends_on: NaiveDate,
    pub previous_week: String,
    pub next_week: String,
    /// Seven days, Monday first, empty ones included.
    pub days: Vec<CalendarDay>,
}

/// The ISO week of `day`, as `2026-W50`.
fn week_name(day: NaiveDate) -> String {
    let w = day.iso_week();
    format!("{}-W{:02}", w.year(), w.week())
}

/// The Monday of ISO week `value` (`2026-W50`, year 1900 to 2100, week 01 to 53); week 53 of
/// a year of 52 weeks is the first of the next.
pub fn parse_week(value: &str) -> Option<NaiveDate> {
    let (year, week) = value.trim().split_once("-W")?;
    let (year, week): (i32, u32) = (year.parse().ok()?, week.parse().ok()?);
    if !crate::http::input::YEARS.contains(&year) || !(1..=53).contains(&week) || value.trim().len() != 8 {
        return None;
    }
    let first = NaiveDate::from_isoywd_opt(year, 1, Weekday::Mon)?;
    Some(first + Duration::weeks(i64::from(week) - 1))
}

const WEEKDAYS: [&str; 7] = ["Thứ Hai", "Thứ Ba", "Thứ Tư", "Thứ Năm", "Thứ Sáu", "Thứ Bảy", "Chủ nhật"];

/// The week of the site starting on `monday`, with its entries.
pub fn week(conn: &mut AnyConnection, site: &Site, monday: NaiveDate) -> QueryResult<CalendarWeek> {
    let start = site.to_utc(monday.and_time(NaiveTime::MIN));
    let end = site.to_utc((monday + Duration::weeks(1)).and_time(NaiveTime::MIN));
    let rows: Vec<EntryRow> = calendar_entries::table
        .filter(calendar_entries::site_id.eq(site.id))
        .filter(calendar_entries::starts_at.ge(start))
        .filter(calendar_entries::starts_at.lt(end))
        .order((calendar_entries::starts_at.asc(), calendar_entries::id.asc()))
        .select(EntryRow::as_select())
        .load(conn)?;
    let mut days: Vec<CalendarDay> = (0..7)
        .map(|n| CalendarDay { date: monday + Duration::days(n), weekday: WEEKDAYS[n as usize], entries: Vec::new() })
        .collect();
    for row in rows {
        let local = site.local(row.starts_at).date_naive();
        let n = (local - monday).num_days().clamp(0, 6) as usize;
        days[n].entries.push(view(site, row));
    }
    Ok(CalendarWeek {
        week: week_name(monday),
        starts_on: monday,
        ends_on: monday + Duration::days(6),
        previous_week: week_name(monday - Duration::weeks(1)),
        next_week: week_name(monday + Duration::weeks(1)),
        days,
    })
}

/// Which week to show.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct WeekParams {
    /// An ISO week, `YYYY-Www` (weeks start on Monday, in the site's time zone); the current
    /// week when left out. Week 53 of a year of 52 weeks is the first week of the next year.
    #[param(pattern = "^(19[0-9]{2}|20[0-9]{2}|2100)-W(0[1-9]|[1-4][0-9]|5[0-3])$", example = "2026-W50")]
    pub week: Option<String>,
}

/// Get a week of the work calendar
///
/// The leaders' entries of one week, Monday to Sunday in the site's time zone, by time; every
/// day is listed, those without entries too. The current week by default (which changes at
/// the site's midnight: the answer's ETag with it).
#[utoipa::path(
    tag = "calendar",
    params(WeekParams),
    responses(
        (status = 200, description = "The week", body = Data<CalendarWeek>, headers(("ETag" = String), ("Cache-Control" = String))),
        (status = 304, description = "Not modified (If-None-Match)"),
    )
)]
#[get("/sites/{site}/calendar")]
pub async fn get_week(
    state: web::Data<AppState>,
    req: HttpRequest,
    path: web::Path<String>,
    params: web::Query<WeekParams>,
) -> Result<HttpResponse, ApiError> {
    let asked = params.week.as_deref().map(parse_week);
    if asked.is_some_and(|monday| monday.is_none()) {
        check(vec![field_error("week", "must be an ISO week such as 2026-W50")])?;
    }
    let asked = asked.flatten();
    let data = crate::sites::context::read(&state, path.into_inner(), move |conn, context| {
        let site = &context.site;
        let monday = asked.unwrap_or_else(|| crate::sites::week_start(site.today()));
        Ok(week(conn, site, monday)?)
    })
    .await?;
    cached_json(&req, &Data { data }, state.cache)
}

fn find(conn: &mut AnyConnection, site_id: i64, id: i64) -> Result<EntryRow, ApiError> {
    calendar_entries::table
        .filter(calendar_entries::site_id.eq(site_id))
        .filter(calendar_entries::id.eq(id))
        .select(EntryRow::as_select())
        .first(conn)
        .optional()?
        .ok_or_else(|| ApiError::not_found(format!("no calendar entry {id} in this site")))
}

/// Get a calendar entry
///
/// One entry of the work calendar by id.
#[utoipa::path(
    tag = "calendar",
    params(
        ("entry" = i64, Path, description = "Entry id", example = 1),
    ),
    responses(
        (status = 200, description = "The entry", body = Data<Entry>, headers(("ETag" = String), ("Cache-Control" = String))),
        (status = 304, description = "Not modified (If-None-Match)"),
        (status = 404, description = "No such site or entry (or an id that is not a number)", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/sites/{site}/calendar/{entry}")]
pub async fn get_entry(
    state: web::Data<AppState>,
    req: HttpRequest,
    path: web::Path<(String, i64)>,
) -> Result<HttpResponse, ApiError> {
    let (slug, id) = path.into_inner();
    let entry = crate::sites::context::read(&state, slug, move |conn, context| {
        Ok(view(&context.site, find(conn, context.site.id, id)?))
    })
    .await?;
    cached_json(&req, &Data { data: entry }, state.cache)
}

/// The fields of an entry an editor sets. On create `starts_at` and `content` are required; on
/// update only the fields sent change.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"starts_at": "2026-12-07T08:00:00+07:00", "ends_at": "2026-12-07T11:00:00+07:00",
    "place": "Hội trường UBND phường", "chair": "Đồng chí Phạm Quang Minh, Chủ tịch UBND phường",
    "attendees": "Lãnh đạo HĐND, UBND phường; các tổ trưởng tổ dân phố",
    "content": "Hội nghị triển khai nhiệm vụ phát triển kinh tế - xã hội tháng 12"}))]
pub struct EntryInput {
    /// RFC 3339.
    #[schema(format = DateTime,
        pattern = "^(19[0-9]{2}|20[0-9]{2}|2100)-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])T([01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9](\\.[0-9]{1,9})?(Z|[+-]([01][0-9]|2[0-3]):[0-5][0-9])$")]
    pub starts_at: Option<String>,
    /// RFC 3339, after `starts_at`; null for none.
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Option<String>, format = DateTime,
        pattern = "^(19[0-9]{2}|20[0-9]{2}|2100)-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])T([01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9](\\.[0-9]{1,9})?(Z|[+-]([01][0-9]|2[0-3]):[0-5][0-9])$")]
    pub ends_at: Option<Option<String>>,
    /// Up to 200 characters.
    #[schema(max_length = 200)]
    pub place: Option<String>,
    /// Up to 200 characters.
    #[schema(max_length = 200)]
    pub chair: Option<String>,
    /// Up to 1000 characters.
    #[schema(max_length = 1000)]
    pub attendees: Option<String>,
    /// 1 to 2000 characters.
    #[schema(max_length = 2000, pattern = "\\S")]
    pub content: Option<String>,
    /// Up to 1000 characters.
    #[schema(max_length = 1000)]
    pub note: Option<String>,
}

/// Checks `input` and applies it to `row`.
fn apply(site: &Site, row: &mut EntryRow, input: EntryInput, creating: bool) -> Result<(), ApiError> {
    let mut check = Checker::default();
    if creating && input.starts_at.is_none() {
        check.reject("starts_at", "is required");
    }
    let starts_at = check.time("starts_at", input.starts_at, site);
    let ends_at = match input.ends_at {
        None => None,
        Some(None) => Some(None),
        Some(Some(t)) => check.time("ends_at", Some(t), site).map(Some),
    };
    let place = check.text("place", input.place, 200, Need::Optional);
    let chair = check.text("chair", input.chair, 200, Need::Optional);
    let attendees = check.text("attendees", input.attendees, 1000, Need::Optional);
    let content = check.text("content", input.content, 2000, Need::on_create(creating));
    let note = check.text("note", input.note, 1000, Need::Optional);
    row.starts_at = starts_at.unwrap_or(row.starts_at);
    row.ends_at = ends_at.unwrap_or(row.ends_at);
    if row.ends_at.is_some_and(|e| e <= row.starts_at) {
        check.reject("ends_at", "must be after starts_at");
    }
    check.finish()?;
    for (target, value) in [
        (&mut row.place, place),
        (&mut row.chair, chair),
        (&mut row.attendees, attendees),
        (&mut row.content, content),
        (&mut row.note, note),
    ] {
        if let Some(v) = value {
            *target = v;
        }
    }
    Ok(())
}

/// Stores `row` (new when its id is 0) as an entry of site `site_id`; returns its id.
pub fn save(conn: &mut AnyConnection, site_id: i64, row: &EntryRow) -> QueryResult<i64> {
    let now = Utc::now().naive_utc();
    let values = (
        calendar_entries::starts_at.eq(row.starts_at),
        calendar_entries::ends_at.eq(row.ends_at),
        calendar_entries::place.eq(&row.place),
        calendar_entries::chair.eq(&row.chair),
        calendar_entries::attendees.eq(&row.attendees),
        calendar_entries::content.eq(&row.content),
        calendar_entries::note.eq(&row.note),
        calendar_entries::updated_at.eq(now),
    );
    if row.id == 0 {
        diesel::insert_into(calendar_entries::table)
            .values((values, calendar_entries::site_id.eq(site_id), calendar_entries::created_at.eq(now)))
            .returning(calendar_entries::id)
            .get_result(conn)
    } else {
        diesel::update(calendar_entries::table.find(row.id)).set(values).execute(conn)?;
        Ok(row.id)
    }
}

/// An empty entry at `starts_at`.
pub fn entry_at(starts_at: NaiveDateTime) -> EntryRow {
    EntryRow {
        id: 0,
        starts_at,
        ends_at: None,
        place: String::new(),
        chair: String::new(),
        attendees: String::new(),
        content: String::new(),
        note: String::new(),
    }
}

/// Add a calendar entry
///
/// Roles: editors and admins of the site.
#[utoipa::path(
    tag = "calendar",
    request_body = EntryInput,
    extensions(("x-required-fields" = json!(["starts_at", "content"]))),
    security(("bearer" = [])),
    responses(
        (status = 201, description = "Created", body = Data<Entry>, headers(("Location" = String))),
        (status = 422, description = "Invalid fields, named in `errors`", body = Problem, content_type = "application/problem+json",
         example = json!({"type": "/problems/validation-failed", "title": "Validation failed", "status": 422,
            "detail": "ends_at: must be after starts_at", "errors": [{"field": "ends_at", "message": "must be after starts_at"}]})),
    )
)]
#[post("/sites/{site}/calendar")]
pub async fn create_entry(
    state: web::Data<AppState>,
    req: HttpRequest,
    caller: Caller,
    path: web::Path<String>,
    body: Body<EntryInput>,
) -> Result<HttpResponse, ApiError> {
    write(&state, &req, caller, path.into_inner(), Role::Editor, move |conn, site| {
        let mut row = entry_at(Utc::now().naive_utc());
        apply(site, &mut row, body.parse()?, true)?;
        row.id = save(conn, site.id, &row)?;
        let entry = view(site, row);
        Ok(Done::created("calendar.create", format!("calendar:{}", entry.id), entry.path.clone(), entry))
    })
    .await
}

/// Edit a calendar entry
///
/// Roles: editors and admins of the site.
#[utoipa::path(
    tag = "calendar",
    params(
        ("entry" = i64, Path, description = "Entry id", example = 1),
    ),
    request_body = EntryInput,
    security(("bearer" = [])),
    responses(
        (status = 200, description = "Saved", body = Data<Entry>),
        (status = 404, description = "No such site or entry", body = Problem, content_type = "application/problem+json"),
    )
)]
#[patch("/sites/{site}/calendar/{entry}")]
pub async fn update_entry(
    state: web::Data<AppState>,
    req: HttpRequest,
    caller: Caller,
    path: web::Path<(String, i64)>,
    body: Body<EntryInput>,
) -> Result<HttpResponse, ApiError> {
    let (site, id) = path.into_inner();
    write(&state, &req, caller, site, Role::Editor, move |conn, site| {
        let input = body.parse()?;
        let mut row = find(conn, site.id, id)?;
        apply(site, &mut row, input, false)?;
        save(conn, site.id, &row)?;
        Ok(Done::saved("calendar.update", format!("calendar:{id}"), view(site, row)))
    })
    .await
}

/// Delete a calendar entry
///
/// Roles: editors and admins of the site.
#[utoipa::path(
    tag = "calendar",
    params(
        ("entry" = i64, Path, description = "Entry id", example = 1),
    ),
    security(("bearer" = [])),
    responses(
        (status = 204, description = "Deleted"),
        (status = 404, description = "No such site or entry", body = Problem, content_type = "application/problem+json"),
    )
)]
#[delete("/sites/{site}/calendar/{entry}")]
pub async fn delete_entry(
    state: web::Data<AppState>,
    req: HttpRequest,
    caller: Caller,
    path: web::Path<(String, i64)>,
) -> Result<HttpResponse, ApiError> {
    let (site, id) = path.into_inner();
    write(&state, &req, caller, site, Role::Editor, move |conn, site| {
        let row = find(conn, site.id, id)?;
        diesel::delete(calendar_entries::table.find(row.id)).execute(conn)?;
        Ok(Done::deleted("calendar.delete", format!("calendar:{id}")))
    })
    .await
}

/// Registers the calendar routes.
pub fn configure(cfg: &mut utoipa_actix_web::service_config::ServiceConfig) {
    cfg.service(get_week).service(get_entry).service(create_entry).service(update_entry).service(delete_entry);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn weeks_are_iso_weeks() {
        let d = |y, m, day| NaiveDate::from_ymd_opt(y, m, day).unwrap();
        assert_eq!(parse_week("2026-W49"), Some(d(2026, 11, 30)));
        assert_eq!(parse_week("2026-W01"), Some(d(2025, 12, 29)));
        assert_eq!(week_name(d(2025, 12, 29)), "2026-W01");
        // 2026 has 53 weeks; 2027 has 52, so its week 53 is 2028's first.
        assert_eq!(parse_week("2026-W53"), Some(d(2026, 12, 28)));
        assert_eq!(week_name(parse_week("2027-W53").unwrap()), "2028-W01");
        for bad in ["2026-W00", "2026-W54", "2026-W5", "1899-W01", "2026W49", "2026-w49", "abcd-W01"] {
            assert_eq!(parse_week(bad), None, "{bad}");
        }
    }
}
