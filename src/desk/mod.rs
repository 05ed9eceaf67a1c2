//! The one-stop desk ("Bộ phận một cửa"; since 1 July 2025 the ward's "Trung tâm Phục vụ hành
//! chính công"): its office and hours, its catalogue of procedures, the holidays deadlines skip
//! ([`calendar`]), and the dossiers citizens file there with their statistics ([`dossiers`]).

pub mod calendar;
pub mod dossiers;

use actix_web::http::{StatusCode, header};
use actix_web::{HttpRequest, HttpResponse, delete, get, patch, post, put, web};
use chrono::{NaiveDate, NaiveTime, Utc};
use diesel::prelude::*;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::AppState;
use crate::audit;
use crate::auth::{Caller, Role, on_site};
use crate::core::error::{ApiError, Problem};
use crate::db::schema::{desks, dossiers as dossier_rows, holidays, procedures};
use crate::db::{self, AnyConnection};
use crate::http::input::{Checker, Need};
use crate::http::{Data, List, Page, cached_json, check, field_error, list_response, private_json};

/// A time the desk is open: these weekdays (1 = Monday … 7 = Sunday), from `opens` to
/// `closes` (local `HH:MM`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"weekdays": [1, 2, 3, 4, 5], "opens": "07:00", "closes": "11:30"}))]
pub struct Session {
    pub weekdays: Vec<u8>,
    pub opens: String,
    pub closes: String,
}

/// How many procedures of one field the desk handles.
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({"name": "Hộ tịch", "procedures": 9}))]
pub struct FieldCount {
    pub name: String,
    pub procedures: i64,
}

/// A site's one-stop desk.
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({
    "name": "Trung tâm Phục vụ hành chính công phường Chí Minh (Bộ phận một cửa)",
    "address": "Trụ sở UBND phường Chí Minh, thành phố Chí Linh, tỉnh Hải Dương", "phone": "0220 3882 123",
    "email": "motcua.chiminh@haiduong.gov.vn", "unit_code": "000.01.14.H23",
    "hours": [{"weekdays": [1, 2, 3, 4, 5], "opens": "07:00", "closes": "11:30"},
              {"weekdays": [1, 2, 3, 4, 5], "opens": "13:30", "closes": "17:00"}],
    "fields": [{"name": "Hộ tịch", "procedures": 9}, {"name": "Chứng thực", "procedures": 3}]
}))]
pub struct Desk {
    pub name: String,
    pub address: String,
    pub phone: String,
    pub email: String,
    /// The unit's code: the first part of every dossier code.
    pub unit_code: String,
    /// When the desk receives dossiers (closed on holidays).
    pub hours: Vec<Session>,
    /// The fields of its procedures, with how many each has.
    pub fields: Vec<FieldCount>,
}

#[derive(Queryable, Selectable)]
#[diesel(table_name = desks)]
struct DeskRow {
    name: String,
    address: String,
    phone: String,
    email: String,
    unit_code: String,
    hours: String,
}

/// The desk's unit code, or a 404 when the site has no desk.
pub fn unit_code(conn: &mut AnyConnection, site_id: i64) -> Result<String, ApiError> {
    desks::table
        .find(site_id)
        .select(desks::unit_code)
        .first(conn)
        .optional()?
        .ok_or_else(|| ApiError::not_found("this site has no one-stop desk yet"))
}

/// The site's desk, or a 404 when it has none.
fn load_desk(conn: &mut AnyConnection, site_id: i64) -> Result<Desk, ApiError> {
    find_desk(conn, site_id)?.ok_or_else(|| ApiError::not_found("this site has no one-stop desk yet"))
}

/// The site's desk, if it has one.
pub fn find_desk(conn: &mut AnyConnection, site_id: i64) -> Result<Option<Desk>, ApiError> {
    let Some(row) = desks::table.find(site_id).select(DeskRow::as_select()).first::<DeskRow>(conn).optional()? else {
        return Ok(None);
    };
    let mut fields: Vec<FieldCount> = procedures::table
        .filter(procedures::site_id.eq(site_id))
        .group_by(procedures::field)
        .select((procedures::field, diesel::dsl::count_star()))
        .load::<(String, i64)>(conn)?
        .into_iter()
        .map(|(name, procedures)| FieldCount { name, procedures })
        .collect();
    // In Vietnamese order (Đ with D), the same on every backend whatever its collation.
    fields.sort_by_cached_key(|f| (crate::core::text::fold(&f.name), f.name.clone()));
    Ok(Some(Desk {
        name: row.name,
        address: row.address,
        phone: row.phone,
        email: row.email,
        unit_code: row.unit_code,
        hours: serde_json::from_str(&row.hours).map_err(|e| ApiError::internal(format!("desk hours: {e}")))?,
        fields,
    }))
}

/// Get a site's one-stop desk
///
/// Its office, contact, hours and the fields of the procedures it handles.
#[utoipa::path(
    tag = "desk",
    params(("site" = String, Path, description = "Site slug", example = "phuong-chi-minh")),
    responses(
        (status = 200, description = "The desk", body = Data<Desk>, headers(("ETag" = String), ("Cache-Control" = String))),
        (status = 304, description = "Not modified (If-None-Match)"),
        (status = 404, description = "No such site, or it has no desk", body = Problem, content_type = "application/problem+json"),
        (status = 503, description = "Database unavailable", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/sites/{site}/desk")]
pub async fn get_desk(
    state: web::Data<AppState>,
    req: HttpRequest,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let slug = path.into_inner();
    let desk = crate::sites::context::read(&state, slug, move |conn, context| load_desk(conn, context.site.id)).await?;
    cached_json(&req, &Data { data: desk }, state.cache)
}

/// A desk as an editor sets it: every field.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({
    "name": "Trung tâm Phục vụ hành chính công phường Chí Minh (Bộ phận một cửa)",
    "address": "Trụ sở UBND phường Chí Minh", "phone": "0220 3882 123", "email": "motcua.chiminh@haiduong.gov.vn",
    "unit_code": "000.01.14.H23",
    "hours": [{"weekdays": [1, 2, 3, 4, 5], "opens": "07:00", "closes": "11:30"},
              {"weekdays": [1, 2, 3, 4, 5, 6], "opens": "13:30", "closes": "17:00"}]
}))]
pub struct DeskInput {
    /// 1 to 200 characters.
    pub name: Option<String>,
    /// Up to 500 characters.
    pub address: Option<String>,
    /// Up to 50 characters.
    pub phone: Option<String>,
    /// Up to 200 characters.
    pub email: Option<String>,
    /// 1 to 40 characters: letters, digits, dots and dashes.
    pub unit_code: Option<String>,
    /// At most 14 sessions.
    pub hours: Option<Vec<Session>>,
}

/// Letters, digits, dots and dashes: the form of unit and procedure codes.
fn is_code(s: &str) -> bool {
    s.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'.' || b == b'-')
}

fn parse_hhmm(s: &str) -> Option<NaiveTime> {
    (s.len() == 5).then(|| NaiveTime::parse_from_str(s, "%H:%M").ok()).flatten()
}

fn check_hours(check: &mut Checker, hours: &[Session]) {
    if hours.len() > 14 {
        check.reject("hours", "must have at most 14 sessions");
    }
    for (i, s) in hours.iter().enumerate() {
        let field = format!("hours[{i}]");
        if s.weekdays.is_empty() || s.weekdays.iter().any(|d| !(1..=7).contains(d)) {
            check.reject(&format!("{field}.weekdays"), "must list days from 1 (Monday) to 7 (Sunday)");
        }
        match (parse_hhmm(&s.opens), parse_hhmm(&s.closes)) {
            (Some(o), Some(c)) if o < c => {}
            (Some(_), Some(_)) => check.reject(&format!("{field}.closes"), "must be after opens"),
            _ => check.reject(&field, "opens and closes must be times like 07:30"),
        }
    }
}

/// Set a site's one-stop desk
///
/// Every field is required. Roles: editors and admins of the site.
#[utoipa::path(
    tag = "desk",
    params(("site" = String, Path, description = "Site slug", example = "phuong-chi-minh")),
    request_body = DeskInput,
    security(("bearer" = [])),
    responses(
        (status = 200, description = "Saved", body = Data<Desk>),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not an editor of this site", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such site", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid fields, named in `errors`", body = Problem, content_type = "application/problem+json",
         example = json!({"type": "/problems/validation-failed", "title": "Validation failed", "status": 422,
            "detail": "hours[0].closes: must be after opens", "errors": [{"field": "hours[0].closes", "message": "must be after opens"}]})),
    )
)]
#[put("/sites/{site}/desk")]
pub async fn put_desk(
    state: web::Data<AppState>,
    req: HttpRequest,
    caller: Caller,
    path: web::Path<String>,
    body: web::Json<DeskInput>,
) -> Result<HttpResponse, ApiError> {
    let input = body.into_inner();
    let mut check = Checker::default();
    let name = check.text("name", input.name, 200, Need::Required).unwrap_or_default();
    let address = check.text("address", input.address, 500, Need::Optional).unwrap_or_default();
    let phone = check.text("phone", input.phone, 50, Need::Optional).unwrap_or_default();
    let email = check.text("email", input.email, 200, Need::Optional).unwrap_or_default();
    if !email.is_empty() && !email.contains('@') {
        check.reject("email", "must be an email address");
    }
    let unit_code = check.text("unit_code", input.unit_code, 40, Need::Required).unwrap_or_default();
    if !is_code(&unit_code) {
        check.reject("unit_code", "must be letters, digits, dots and dashes");
    }
    if input.hours.is_none() {
        check.reject("hours", "is required (an empty list for a desk that receives no one)");
    }
    let hours = input.hours.unwrap_or_default();
    check_hours(&mut check, &hours);
    check.finish()?;
    let hours = serde_json::to_string(&hours).map_err(|e| ApiError::internal(e.to_string()))?;
    let desk = on_site(&state, &req, caller, path.into_inner(), Role::Editor, move |conn, site, _, _, origin| {
        conn.transaction(|conn| {
            let now = Utc::now().naive_utc();
            let values = (
                desks::name.eq(&name),
                desks::address.eq(&address),
                desks::phone.eq(&phone),
                desks::email.eq(&email),
                desks::unit_code.eq(&unit_code),
                desks::hours.eq(&hours),
                desks::updated_at.eq(now),
            );
            let updated = diesel::update(desks::table.find(site.id)).set(values).execute(conn)?;
            if updated == 0 {
                diesel::insert_into(desks::table).values((desks::site_id.eq(site.id), values)).execute(conn)?;
            }
            audit::record(conn, origin, "desk.update", "desk", Some(site.id))?;
            load_desk(conn, site.id)
        })
    })
    .await?;
    private_json(&Data { data: desk }, StatusCode::OK, |_| {})
}

/// A day off.
#[derive(Debug, Serialize, ToSchema, Queryable, Selectable)]
#[diesel(table_name = holidays)]
#[schema(example = json!({"day": "2026-04-30", "name": "Ngày Chiến thắng"}))]
pub struct Holiday {
    pub day: NaiveDate,
    pub name: String,
}

/// The holidays from `from` on (for deadlines).
pub fn holidays_from(conn: &mut AnyConnection, from: NaiveDate) -> QueryResult<Vec<NaiveDate>> {
    holidays::table
        .filter(holidays::day.ge(from))
        .order(holidays::day.asc())
        .limit(400)
        .select(holidays::day)
        .load(conn)
}

/// The year of the holiday list.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct HolidayParams {
    /// The year, 1900 to 2100 (required: an answer for "this year" would go stale on 1 January).
    #[param(value_type = i32, example = 2026)]
    pub year: Option<String>,
}

/// List the holidays
///
/// The days off of a year, which every desk's deadlines skip (besides Saturdays and Sundays).
#[utoipa::path(
    tag = "desk",
    params(HolidayParams),
    responses(
        (status = 200, description = "The holidays of the year, in order", body = Data<Vec<Holiday>>, headers(("ETag" = String), ("Cache-Control" = String))),
        (status = 304, description = "Not modified (If-None-Match)"),
        (status = 400, description = "A bad year", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/holidays")]
pub async fn list_holidays(
    state: web::Data<AppState>,
    req: HttpRequest,
    params: web::Query<HolidayParams>,
) -> Result<HttpResponse, ApiError> {
    let year =
        params.into_inner().year.and_then(|y| y.parse::<i32>().ok()).filter(|y| crate::http::input::YEARS.contains(y));
    let year =
        year.ok_or_else(|| ApiError::InvalidParameters(vec![field_error("year", "must be a year from 1900 to 2100")]))?;
    let days = db::run(&state.pool, move |conn| {
        let first = NaiveDate::from_ymd_opt(year, 1, 1).ok_or_else(|| ApiError::internal("year"))?;
        let next = NaiveDate::from_ymd_opt(year + 1, 1, 1).ok_or_else(|| ApiError::internal("year"))?;
        Ok(holidays::table
            .filter(holidays::day.ge(first).and(holidays::day.lt(next)))
            .order(holidays::day.asc())
            .select(Holiday::as_select())
            .load(conn)?)
    })
    .await?;
    cached_json(&req, &Data { data: days }, state.cache)
}

/// A holiday's name.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"name": "Ngày Văn hóa Việt Nam"}))]
pub struct HolidayInput {
    /// 1 to 200 characters.
    pub name: Option<String>,
}

fn parse_day(day: &str) -> Result<NaiveDate, ApiError> {
    crate::http::input::parse_date(day)
        .ok_or_else(|| ApiError::not_found(format!("{day:?} is not a date like 2026-11-24")))
}

/// Set a holiday
///
/// Adds the day off, or renames it. Every desk's deadlines from then on skip it; deadlines
/// already set stay as they are. Roles: admins.
#[utoipa::path(
    tag = "desk",
    params(("day" = String, Path, description = "The day (YYYY-MM-DD)", example = "2026-11-24")),
    request_body = HolidayInput,
    security(("bearer" = [])),
    responses(
        (status = 200, description = "Saved", body = Data<Holiday>),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not an admin", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "Not a date", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid fields, named in `errors`", body = Problem, content_type = "application/problem+json"),
    )
)]
#[put("/holidays/{day}")]
pub async fn put_holiday(
    state: web::Data<AppState>,
    req: HttpRequest,
    caller: Caller,
    path: web::Path<String>,
    body: web::Json<HolidayInput>,
) -> Result<HttpResponse, ApiError> {
    let day = parse_day(&path.into_inner())?;
    let mut check = Checker::default();
    let name = check.text("name", body.into_inner().name, 200, Need::Required).unwrap_or_default();
    check.finish()?;
    let client_ip = crate::auth::request_ip(&req, &state);
    let holiday = db::run(&state.pool, move |conn| {
        let actor = caller.actor(conn)?;
        actor.require_admin()?;
        conn.transaction(|conn| {
            let updated = diesel::update(holidays::table.find(day)).set(holidays::name.eq(&name)).execute(conn)?;
            if updated == 0 {
                diesel::insert_into(holidays::table)
                    .values((holidays::day.eq(day), holidays::name.eq(&name)))
                    .execute(conn)?;
            }
            audit::record(conn, &actor.origin(client_ip), "holiday.set", &format!("holiday:{day}"), None)?;
            Ok(Holiday { day, name })
        })
    })
    .await?;
    private_json(&Data { data: holiday }, StatusCode::OK, |_| {})
}

/// Remove a holiday
///
/// Roles: admins.
#[utoipa::path(
    tag = "desk",
    params(("day" = String, Path, description = "The day (YYYY-MM-DD)", example = "2026-11-24")),
    security(("bearer" = [])),
    responses(
        (status = 204, description = "Removed"),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not an admin", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "Not a holiday", body = Problem, content_type = "application/problem+json"),
    )
)]
#[delete("/holidays/{day}")]
pub async fn delete_holiday(
    state: web::Data<AppState>,
    req: HttpRequest,
    caller: Caller,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let day = parse_day(&path.into_inner())?;
    let client_ip = crate::auth::request_ip(&req, &state);
    db::run(&state.pool, move |conn| {
        let actor = caller.actor(conn)?;
        actor.require_admin()?;
        conn.transaction(|conn| {
            if diesel::delete(holidays::table.find(day)).execute(conn)? == 0 {
                return Err(ApiError::not_found(format!("{day} is not a holiday")));
            }
            let origin = actor.origin(client_ip);
            Ok(audit::record(conn, &origin, "holiday.delete", &format!("holiday:{day}"), None)?)
        })
    })
    .await?;
    Ok(HttpResponse::NoContent().finish())
}

/// How far a procedure can be done online (inferred from the national database's channels).
pub const ONLINE_LEVELS: [&str; 3] = ["toan_trinh", "mot_phan", "truc_tiep"];

/// A procedure of the desk's catalogue.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(example = json!({"code": "1.001193", "name": "Thủ tục đăng ký khai sinh", "field": "Hộ tịch",
    "processing_days": 0, "fee_vnd": 0, "fee_note": "Miễn phí", "online_level": "toan_trinh",
    "documents": ["Tờ khai đăng ký khai sinh theo mẫu", "Giấy chứng sinh"]}))]
pub struct Procedure {
    /// The code in the national procedure database (CSDL quốc gia về TTHC).
    pub code: String,
    pub name: String,
    /// Its field (lĩnh vực).
    pub field: String,
    /// Working days to a result; 0 for the same day (the next working day after 15:00).
    pub processing_days: i32,
    /// The fee in đồng; null when the province sets it (see `fee_note`).
    pub fee_vnd: Option<i64>,
    pub fee_note: String,
    /// `toan_trinh` (fully online), `mot_phan` (online with a visit) or `truc_tiep` (in person).
    pub online_level: String,
    /// The documents to bring.
    pub documents: Vec<String>,
}

#[derive(Queryable, Selectable)]
#[diesel(table_name = procedures)]
struct ProcedureRow {
    id: i64,
    code: String,
    name: String,
    field: String,
    processing_days: i32,
    fee_vnd: Option<i64>,
    fee_note: String,
    online_level: String,
    documents: String,
}

impl From<ProcedureRow> for Procedure {
    fn from(r: ProcedureRow) -> Self {
        Procedure {
            code: r.code,
            name: r.name,
            field: r.field,
            processing_days: r.processing_days,
            fee_vnd: r.fee_vnd,
            fee_note: r.fee_note,
            online_level: r.online_level,
            documents: serde_json::from_str(&r.documents).unwrap_or_default(),
        }
    }
}

/// The procedure `code` of the site: (its id, it).
pub fn find_procedure(conn: &mut AnyConnection, site_id: i64, code: &str) -> Result<(i64, Procedure), ApiError> {
    let row: ProcedureRow = procedures::table
        .filter(procedures::site_id.eq(site_id))
        .filter(procedures::code.eq(code))
        .select(ProcedureRow::as_select())
        .first(conn)
        .optional()?
        .ok_or_else(|| ApiError::not_found(format!("no procedure {code:?} at this desk")))?;
    Ok((row.id, row.into()))
}

/// Procedures by id, for dossiers.
pub fn procedures_by_id(
    conn: &mut AnyConnection,
    ids: &[i64],
) -> QueryResult<std::collections::HashMap<i64, (String, String, i32)>> {
    Ok(procedures::table
        .filter(procedures::id.eq_any(ids))
        .select((procedures::id, procedures::code, procedures::name, procedures::processing_days))
        .load::<(i64, String, String, i32)>(conn)?
        .into_iter()
        .map(|(id, code, name, days)| (id, (code, name, days)))
        .collect())
}

/// The parameters of the procedure catalogue.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ProcedureParams {
    /// Page number, from 1. A list reaches its first 100,000 items: `page × per_page` at most
    /// 100000 (narrow the list with its filters to reach further).
    #[param(value_type = Option<u32>, minimum = 1, maximum = 100000, example = 1)]
    pub page: Option<String>,
    /// Items per page, 1 to 100 (default 20).
    #[param(value_type = Option<u32>, minimum = 1, maximum = 100, example = 20)]
    pub per_page: Option<String>,
    /// Words to find in the code, name or field, diacritics optional: `khai sinh` finds
    /// `Thủ tục đăng ký khai sinh`.
    #[param(example = "khai sinh")]
    pub q: Option<String>,
    /// Only this field (exactly as listed by the desk).
    #[param(example = "Hộ tịch")]
    pub field: Option<String>,
}

/// The text a procedure is found by.
fn search_text(code: &str, name: &str, field: &str) -> String {
    crate::core::text::words(&format!("{code} {name} {field}")).join(" ")
}

/// List a desk's procedures
///
/// The catalogue, by code; `q` searches it, ignoring diacritics, and `field` narrows it to
/// one of the fields the desk lists.
#[utoipa::path(
    tag = "desk",
    params(("site" = String, Path, description = "Site slug", example = "phuong-chi-minh"), ProcedureParams),
    responses(
        (status = 200, description = "A page of procedures", body = List<Procedure>,
         headers(("ETag" = String), ("Cache-Control" = String), ("Link" = String, description = "RFC 8288 first/prev/next/last"))),
        (status = 304, description = "Not modified (If-None-Match)"),
        (status = 400, description = "A bad parameter, named in `errors`", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such site", body = Problem, content_type = "application/problem+json"),
        (status = 503, description = "Database unavailable", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/sites/{site}/procedures")]
pub async fn list_procedures(
    state: web::Data<AppState>,
    req: HttpRequest,
    path: web::Path<String>,
    params: web::Query<ProcedureParams>,
) -> Result<HttpResponse, ApiError> {
    let params = params.into_inner();
    let mut errors = Vec::new();
    let page = Page::parse_parts(params.page.as_deref(), params.per_page.as_deref(), &mut errors);
    let words = crate::core::text::words(params.q.as_deref().unwrap_or(""));
    if words.len() > 10 {
        errors.push(field_error("q", "must have at most 10 words"));
    }
    check(errors)?;
    let field = params.field.filter(|f| !f.is_empty());
    let slug = path.into_inner();
    let st = state.clone();
    let searching = !words.is_empty();
    let read = move |conn: &mut AnyConnection| {
        let context = st.sites.get(conn, &st.responses, &slug)?;
        let filtered = || {
            let mut q = procedures::table.filter(procedures::site_id.eq(context.site.id)).into_boxed();
            for w in &words {
                q = q.filter(procedures::search_text.like(format!("%{w}%")));
            }
            if let Some(f) = &field {
                q = q.filter(procedures::field.eq(f.clone()));
            }
            q
        };
        let total: i64 = filtered().count().get_result(conn)?;
        let rows: Vec<ProcedureRow> = filtered()
            .order(procedures::code.asc())
            .limit(page.limit())
            .offset(page.offset())
            .select(ProcedureRow::as_select())
            .load(conn)?;
        Ok((rows.into_iter().map(Procedure::from).collect::<Vec<_>>(), total))
    };
    // A text search scans the catalogue: the blocking pool's work, not the worker thread's.
    let (data, total) = match searching {
        true => db::run(&state.pool, read).await?,
        false => db::read(&state.pool, read).await?,
    };
    list_response(&req, data, page, total, state.cache)
}

/// Get a procedure
#[utoipa::path(
    tag = "desk",
    params(
        ("site" = String, Path, description = "Site slug", example = "phuong-chi-minh"),
        ("code" = String, Path, description = "Procedure code", example = "1.001193"),
    ),
    responses(
        (status = 200, description = "The procedure", body = Data<Procedure>, headers(("ETag" = String), ("Cache-Control" = String))),
        (status = 304, description = "Not modified (If-None-Match)"),
        (status = 404, description = "No such site or procedure", body = Problem, content_type = "application/problem+json"),
        (status = 503, description = "Database unavailable", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/sites/{site}/procedures/{code}")]
pub async fn get_procedure(
    state: web::Data<AppState>,
    req: HttpRequest,
    path: web::Path<(String, String)>,
) -> Result<HttpResponse, ApiError> {
    let (slug, code) = path.into_inner();
    let procedure = crate::sites::context::read(&state, slug, move |conn, context| {
        Ok(find_procedure(conn, context.site.id, &code)?.1)
    })
    .await?;
    cached_json(&req, &Data { data: procedure }, state.cache)
}

/// The fields of a procedure an editor sets. On create `code`, `name`, `field`,
/// `processing_days` and `online_level` are required; on update only the fields sent change.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"code": "1.001193", "name": "Thủ tục đăng ký khai sinh", "field": "Hộ tịch",
    "processing_days": 0, "fee_vnd": 0, "fee_note": "Miễn phí", "online_level": "toan_trinh",
    "documents": ["Tờ khai đăng ký khai sinh theo mẫu", "Giấy chứng sinh"]}))]
pub struct ProcedureInput {
    /// 1 to 40 characters: digits, letters, dots and dashes.
    pub code: Option<String>,
    /// 1 to 500 characters.
    pub name: Option<String>,
    /// 1 to 200 characters.
    pub field: Option<String>,
    /// 0 to 365 working days.
    pub processing_days: Option<i32>,
    /// 0 or more đồng; null when the province sets it.
    #[serde(default, deserialize_with = "crate::http::input::present")]
    #[schema(value_type = Option<i64>)]
    pub fee_vnd: Option<Option<i64>>,
    /// Up to 500 characters.
    pub fee_note: Option<String>,
    /// `toan_trinh`, `mot_phan` or `truc_tiep`.
    pub online_level: Option<String>,
    /// At most 50, each 1 to 1000 characters.
    pub documents: Option<Vec<String>>,
}

fn apply_procedure(
    conn: &mut AnyConnection,
    site_id: i64,
    id: i64,
    p: &mut Procedure,
    input: ProcedureInput,
) -> Result<(), ApiError> {
    let creating = id == 0;
    let mut check = Checker::default();
    let code = check.text("code", input.code, 40, Need::on_create(creating));
    if code.as_deref().is_some_and(|c| !is_code(c)) {
        check.reject("code", "must be letters, digits, dots and dashes");
    }
    if let Some(c) = &code {
        let taken = procedures::table
            .filter(procedures::site_id.eq(site_id))
            .filter(procedures::code.eq(c))
            .filter(procedures::id.ne(id))
            .count()
            .get_result::<i64>(conn)?;
        if taken > 0 {
            check.reject("code", "is already in this desk's catalogue");
        }
    }
    let name = check.text("name", input.name, 500, Need::on_create(creating));
    let field = check.text("field", input.field, 200, Need::on_create(creating));
    match input.processing_days {
        Some(d) if !(0..=365).contains(&d) => check.reject("processing_days", "must be from 0 to 365"),
        None if creating => check.reject("processing_days", "is required"),
        _ => {}
    }
    if input.fee_vnd.flatten().is_some_and(|f| f < 0) {
        check.reject("fee_vnd", "must be 0 or more");
    }
    let fee_note = check.text("fee_note", input.fee_note, 500, Need::Optional);
    match input.online_level.as_deref() {
        Some(l) if !ONLINE_LEVELS.contains(&l) => {
            check.reject("online_level", "must be toan_trinh, mot_phan or truc_tiep")
        }
        None if creating => check.reject("online_level", "is required"),
        _ => {}
    }
    let documents = input.documents.map(|d| d.into_iter().map(|s| s.trim().to_owned()).collect::<Vec<_>>());
    if let Some(d) = &documents
        && (d.len() > 50 || d.iter().any(|s| s.is_empty() || s.chars().count() > 1000))
    {
        check.reject("documents", "must be at most 50 documents of 1 to 1000 characters");
    }
    check.finish()?;
    p.code = code.unwrap_or(std::mem::take(&mut p.code));
    p.name = name.unwrap_or(std::mem::take(&mut p.name));
    p.field = field.unwrap_or(std::mem::take(&mut p.field));
    p.processing_days = input.processing_days.unwrap_or(p.processing_days);
    p.fee_vnd = input.fee_vnd.unwrap_or(p.fee_vnd);
    p.fee_note = fee_note.unwrap_or(std::mem::take(&mut p.fee_note));
    p.online_level = input.online_level.unwrap_or(std::mem::take(&mut p.online_level));
    p.documents = documents.unwrap_or(std::mem::take(&mut p.documents));
    Ok(())
}

/// Writes `p` (a new row when `id` is 0).
pub fn save_procedure(conn: &mut AnyConnection, site_id: i64, id: i64, p: &Procedure) -> Result<(), ApiError> {
    let documents = serde_json::to_string(&p.documents).map_err(|e| ApiError::internal(e.to_string()))?;
    let values = (
        procedures::code.eq(&p.code),
        procedures::name.eq(&p.name),
        procedures::field.eq(&p.field),
        procedures::processing_days.eq(p.processing_days),
        procedures::fee_vnd.eq(p.fee_vnd),
        procedures::fee_note.eq(&p.fee_note),
        procedures::online_level.eq(&p.online_level),
        procedures::documents.eq(documents),
        procedures::search_text.eq(search_text(&p.code, &p.name, &p.field)),
    );
    if id == 0 {
        diesel::insert_into(procedures::table).values((procedures::site_id.eq(site_id), values)).execute(conn)?;
    } else {
        diesel::update(procedures::table.find(id)).set(values).execute(conn)?;
    }
    Ok(())
}

/// Add a procedure to the catalogue
///
/// Roles: editors and admins of the site.
#[utoipa::path(
    tag = "desk",
    params(("site" = String, Path, description = "Site slug", example = "phuong-chi-minh")),
    request_body = ProcedureInput,
    security(("bearer" = [])),
    responses(
        (status = 201, description = "Added", body = Data<Procedure>, headers(("Location" = String))),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not an editor of this site", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such site", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid fields, named in `errors`", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/sites/{site}/procedures")]
pub async fn create_procedure(
    state: web::Data<AppState>,
    req: HttpRequest,
    caller: Caller,
    path: web::Path<String>,
    body: web::Json<ProcedureInput>,
) -> Result<HttpResponse, ApiError> {
    let input = body.into_inner();
    let (location, procedure) =
        on_site(&state, &req, caller, path.into_inner(), Role::Editor, move |conn, site, _, _, origin| {
            conn.transaction(|conn| {
                let mut p = Procedure {
                    code: String::new(),
                    name: String::new(),
                    field: String::new(),
                    processing_days: 0,
                    fee_vnd: None,
                    fee_note: String::new(),
                    online_level: String::new(),
                    documents: Vec::new(),
                };
                apply_procedure(conn, site.id, 0, &mut p, input)?;
                save_procedure(conn, site.id, 0, &p)?;
                audit::record(conn, origin, "procedure.create", &format!("procedure:{}", p.code), Some(site.id))?;
                Ok((format!("/api/v1/sites/{}/procedures/{}", site.slug, p.code), p))
            })
        })
        .await?;
    private_json(&Data { data: procedure }, StatusCode::CREATED, |res| {
        res.insert_header((header::LOCATION, location));
    })
}

/// Edit a procedure
///
/// Dossiers already received keep their deadlines. Roles: editors and admins of the site.
#[utoipa::path(
    tag = "desk",
    params(
        ("site" = String, Path, description = "Site slug", example = "phuong-chi-minh"),
        ("code" = String, Path, description = "Procedure code", example = "1.001193"),
    ),
    request_body = ProcedureInput,
    security(("bearer" = [])),
    responses(
        (status = 200, description = "Saved", body = Data<Procedure>),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not an editor of this site", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such site or procedure", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid fields, named in `errors`", body = Problem, content_type = "application/problem+json"),
    )
)]
#[patch("/sites/{site}/procedures/{code}")]
pub async fn update_procedure(
    state: web::Data<AppState>,
    req: HttpRequest,
    caller: Caller,
    path: web::Path<(String, String)>,
    body: web::Json<ProcedureInput>,
) -> Result<HttpResponse, ApiError> {
    let (site, code) = path.into_inner();
    let input = body.into_inner();
    let procedure = on_site(&state, &req, caller, site, Role::Editor, move |conn, site, _, _, origin| {
        conn.transaction(|conn| {
            let (id, mut p) = find_procedure(conn, site.id, &code)?;
            apply_procedure(conn, site.id, id, &mut p, input)?;
            save_procedure(conn, site.id, id, &p)?;
            audit::record(conn, origin, "procedure.update", &format!("procedure:{}", p.code), Some(site.id))?;
            Ok(p)
        })
    })
    .await?;
    private_json(&Data { data: procedure }, StatusCode::OK, |_| {})
}

/// Remove a procedure from the catalogue
///
/// Only one no dossier was filed for. Roles: editors and admins of the site.
#[utoipa::path(
    tag = "desk",
    params(
        ("site" = String, Path, description = "Site slug", example = "phuong-chi-minh"),
        ("code" = String, Path, description = "Procedure code", example = "1.001193"),
    ),
    security(("bearer" = [])),
    responses(
        (status = 204, description = "Removed"),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not an editor of this site", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such site or procedure", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Dossiers were filed for it", body = Problem, content_type = "application/problem+json"),
    )
)]
#[delete("/sites/{site}/procedures/{code}")]
pub async fn delete_procedure(
    state: web::Data<AppState>,
    req: HttpRequest,
    caller: Caller,
    path: web::Path<(String, String)>,
) -> Result<HttpResponse, ApiError> {
    let (site, code) = path.into_inner();
    on_site(&state, &req, caller, site, Role::Editor, move |conn, site, _, _, origin| {
        conn.transaction(|conn| {
            let (id, _) = find_procedure(conn, site.id, &code)?;
            let used: i64 = dossier_rows::table.filter(dossier_rows::procedure_id.eq(id)).count().get_result(conn)?;
            if used > 0 {
                return Err(ApiError::Conflict(format!("{used} dossier(s) were filed for it")));
            }
            diesel::delete(procedures::table.find(id)).execute(conn)?;
            audit::record(conn, origin, "procedure.delete", &format!("procedure:{code}"), Some(site.id))?;
            Ok(())
        })
    })
    .await?;
    Ok(HttpResponse::NoContent().finish())
}

/// Registers the desk routes.
pub fn configure(cfg: &mut utoipa_actix_web::service_config::ServiceConfig) {
    cfg.service(get_desk)
        .service(put_desk)
        .service(list_holidays)
        .service(put_holiday)
        .service(delete_holiday)
        .service(list_procedures)
        .service(get_procedure)
        .service(create_procedure)
        .service(update_procedure)
        .service(delete_procedure);
    dossiers::configure(cfg);
}
