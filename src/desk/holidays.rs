//! The days off every desk's deadlines skip (admins keep them).

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, delete, get, put, web};
use chrono::NaiveDate;
use diesel::prelude::*;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::AppState;
use crate::audit;
use crate::auth::Caller;
use crate::core::error::{ApiError, Problem};
use crate::db::schema::holidays;
use crate::db::{self, AnyConnection};
use crate::http::body::Body;
use crate::http::input::{Checker, Need};
use crate::http::{Data, cached_json, field_error, private_json};

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
    #[param(value_type = i32, minimum = 1900, maximum = 2100, example = 2026)]
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
    #[schema(max_length = 200, pattern = "\\S")]
    pub name: Option<String>,
}

pub(super) fn parse_day(day: &str) -> Result<NaiveDate, ApiError> {
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
    extensions(("x-required-fields" = json!(["name"]))),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "Saved", body = Data<Holiday>),
        (status = 403, description = "Not an admin", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "Not a date", body = Problem, content_type = "application/problem+json"),
    )
)]
#[put("/holidays/{day}")]
pub async fn put_holiday(
    state: web::Data<AppState>,
    req: HttpRequest,
    caller: Caller,
    path: web::Path<String>,
    body: Body<HolidayInput>,
) -> Result<HttpResponse, ApiError> {
    let day = parse_day(&path.into_inner())?;
    let client_ip = crate::auth::request_ip(&req, &state);
    let holiday = db::run(&state.pool, move |conn| {
        let actor = caller.actor(conn)?;
        actor.require_admin()?;
        let mut check = Checker::default();
        let name = check.text("name", body.parse()?.name, 200, Need::Required).unwrap_or_default();
        check.finish()?;
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
