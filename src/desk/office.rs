//! The desk's office: its name, address, contacts, unit code and opening hours.

use actix_web::{HttpRequest, HttpResponse, get, put, web};
use chrono::{NaiveTime, Utc};
use diesel::prelude::*;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::AppState;
use crate::auth::staff::{Done, write};
use crate::auth::{Caller, Role};
use crate::core::error::{ApiError, Problem};
use crate::db::AnyConnection;
use crate::db::schema::{desks, procedures};
use crate::http::body::Body;
use crate::http::input::{Checker, Need};
use crate::http::{Data, cached_json};

/// A time the desk is open: these weekdays (1 = Monday … 7 = Sunday), from `opens` to
/// `closes` (local `HH:MM`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"weekdays": [1, 2, 3, 4, 5], "opens": "07:00", "closes": "11:30"}))]
pub struct Session {
    #[schema(value_type = Vec<Weekday>, min_items = 1)]
    pub weekdays: Vec<u8>,
    #[schema(pattern = "^([01][0-9]|2[0-3]):[0-5][0-9]$")]
    pub opens: String,
    /// After `opens`.
    #[schema(pattern = "^([01][0-9]|2[0-3]):[0-5][0-9]$")]
    pub closes: String,
}

/// A day of the week: 1 (Monday) to 7 (Sunday). Only a schema: the days are read as numbers.
pub struct Weekday;

impl utoipa::PartialSchema for Weekday {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        use utoipa::openapi::schema::{ObjectBuilder, Type};
        ObjectBuilder::new().schema_type(Type::Integer).minimum(Some(1)).maximum(Some(7)).into()
    }
}

impl ToSchema for Weekday {}

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
pub(super) struct DeskRow {
    pub(super) name: String,
    pub(super) address: String,
    pub(super) phone: String,
    pub(super) email: String,
    pub(super) unit_code: String,
    pub(super) hours: String,
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
pub(super) fn load_desk(conn: &mut AnyConnection, site_id: i64) -> Result<Desk, ApiError> {
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
        responses(
        (status = 200, description = "The desk", body = Data<Desk>, headers(("ETag" = String), ("Cache-Control" = String))),
        (status = 304, description = "Not modified (If-None-Match)"),
        (status = 404, description = "No such site, or it has no desk", body = Problem, content_type = "application/problem+json"),
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
    #[schema(max_length = 200, pattern = "\\S")]
    pub name: Option<String>,
    /// Up to 500 characters.
    #[schema(max_length = 500)]
    pub address: Option<String>,
    /// Up to 50 characters.
    #[schema(max_length = 50)]
    pub phone: Option<String>,
    /// Up to 200 characters.
    #[schema(max_length = 200)]
    pub email: Option<String>,
    /// 1 to 40 characters: letters, digits, dots and dashes.
    #[schema(pattern = "^[A-Za-z0-9.-]+$", max_length = 40)]
    pub unit_code: Option<String>,
    /// At most 14 sessions.
    #[schema(max_items = 14)]
    pub hours: Option<Vec<Session>>,
}

/// Letters, digits, dots and dashes: the form of unit and procedure codes.
pub(super) fn is_code(s: &str) -> bool {
    s.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'.' || b == b'-')
}

pub(super) fn parse_hhmm(s: &str) -> Option<NaiveTime> {
    (s.len() == 5).then(|| NaiveTime::parse_from_str(s, "%H:%M").ok()).flatten()
}

pub(super) fn check_hours(check: &mut Checker, hours: &[Session]) {
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
        request_body = DeskInput,
        extensions(("x-required-fields" = json!(["name", "unit_code", "hours"]))),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "Saved", body = Data<Desk>),
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
    body: Body<DeskInput>,
) -> Result<HttpResponse, ApiError> {
    write(&state, &req, caller, path.into_inner(), Role::Editor, move |conn, site| {
        let input = body.parse()?;
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
        Ok(Done::saved("desk.update", "desk".to_owned(), load_desk(conn, site.id)?))
    })
    .await
}
