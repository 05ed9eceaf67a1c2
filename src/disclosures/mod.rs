//! Disclosures ("Công khai"): the register of what the ward disclosed (Law on Access to
//! Information Art. 19.1.g): each item's kind among those the Law on Grassroots Democracy
//! (10/2022/QH15) Art. 11 lists, the period it covers, when and how it was posted (Art. 12-13:
//! posted at the ward's office for at least 30 days), and the documents attached.

pub mod model;

use actix_web::{HttpRequest, HttpResponse, delete, get, patch, post, web};
use chrono::NaiveDate;
use diesel::prelude::*;
use serde::Deserialize;
use utoipa::{IntoParams, ToSchema};

use crate::AppState;
use crate::auth::staff::{Done, write};
use crate::auth::{Caller, Role};
use crate::core::error::{ApiError, FieldError, Problem};
use crate::db::AnyConnection;
use crate::db::schema::{disclosures, documents};
use crate::http::body::Body;
use crate::http::input::{Checker, Need, parse_date, present};
use crate::http::{Data, List, Page, PageParams, cached_json, check, field_error, list_response};
use crate::sites::Site;
pub use model::{Disclosure, DisclosureKind, DisclosureRow, Filters, item, kind_name, list, save, views};

/// The filters of the register.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct DisclosureParams {
    /// Only items of this kind.
    #[param(inline, value_type = Option<DisclosureKind>, example = "budget")]
    pub kind: Option<String>,
    /// Only items whose period overlaps this year.
    #[param(value_type = Option<i32>, minimum = 1900, maximum = 2100, example = 2026)]
    pub year: Option<String>,
    /// Only items whose period ends on or after this day.
    #[param(value_type = Option<String>, format = Date, example = "2026-01-01",
        pattern = "^(19[0-9]{2}|20[0-9]{2}|2100)-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])$")]
    pub from: Option<String>,
    /// Only items whose period starts on or before this day.
    #[param(value_type = Option<String>, format = Date, example = "2026-12-31",
        pattern = "^(19[0-9]{2}|20[0-9]{2}|2100)-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])$")]
    pub to: Option<String>,
}

impl DisclosureParams {
    fn parse(&self, errors: &mut Vec<FieldError>) -> Filters {
        // A parameter sent empty is not a kind, a year or a day.
        let given = |v: &Option<String>| v.as_deref().map(str::trim).map(str::to_owned);
        let kind = given(&self.kind);
        if kind.as_deref().is_some_and(|k| kind_name(k).is_none()) {
            errors.push(field_error("kind", "must be one of the kinds of disclosed information (budget, land_use...)"));
        }
        let mut day = |name: &str, v: &Option<String>| {
            given(v).and_then(|v| {
                let d = parse_date(&v);
                if d.is_none() {
                    errors.push(field_error(name, "must be a date (2026-01-01) from 1900 to 2100"));
                }
                d
            })
        };
        let (mut from, mut to) = (day("from", &self.from), day("to", &self.to));
        if let Some(y) = given(&self.year) {
            match y.parse::<i32>().ok().filter(|y| crate::http::input::YEARS.contains(y)) {
                Some(y) => {
                    // Both bounds narrow: the later start, the earlier end.
                    from = from.max(NaiveDate::from_ymd_opt(y, 1, 1));
                    to = match (to, NaiveDate::from_ymd_opt(y, 12, 31)) {
                        (Some(t), Some(end)) => Some(t.min(end)),
                        (t, end) => t.or(end),
                    };
                }
                None => errors.push(field_error("year", "must be a year from 1900 to 2100")),
            }
        }
        (kind, from, to)
    }
}

/// List what a site disclosed
///
/// The register of disclosed information, newest posted first, each item with its kind, the
/// period it covers, when and how it was posted and the documents attached. `kind` narrows
/// it to one kind; `year`, `from` and `to` to the items whose period overlaps them.
#[utoipa::path(
    tag = "disclosures",
    params(PageParams, DisclosureParams),
    responses(
        (status = 200, description = "A page of the register", body = List<Disclosure>,
         headers(("ETag" = String), ("Cache-Control" = String), ("Link" = String, description = "RFC 8288 first/prev/next/last"))),
        (status = 304, description = "Not modified (If-None-Match)"),
    )
)]
#[get("/sites/{site}/disclosures")]
pub async fn list_disclosures(
    state: web::Data<AppState>,
    req: HttpRequest,
    path: web::Path<String>,
    pages: web::Query<PageParams>,
    params: web::Query<DisclosureParams>,
) -> Result<HttpResponse, ApiError> {
    let mut errors = Vec::new();
    let page = Page::parse(&pages, &mut errors);
    let filters = params.parse(&mut errors);
    check(errors)?;
    let (data, total) = crate::sites::context::read(&state, path.into_inner(), move |conn, context| {
        Ok(list(conn, &context.site, &filters, page)?)
    })
    .await?;
    list_response(&req, data, page, total, state.cache)
}

fn find(conn: &mut AnyConnection, site_id: i64, id: i64) -> Result<DisclosureRow, ApiError> {
    disclosures::table
        .filter(disclosures::site_id.eq(site_id))
        .filter(disclosures::id.eq(id))
        .select(DisclosureRow::as_select())
        .first(conn)
        .optional()?
        .ok_or_else(|| ApiError::not_found(format!("no disclosure {id} in this site")))
}

/// Get a disclosed item
///
/// One item of the register by id, with its documents.
#[utoipa::path(
    tag = "disclosures",
    params(
        ("disclosure" = i64, Path, description = "Disclosure id", example = 1),
    ),
    responses(
        (status = 200, description = "The item", body = Data<Disclosure>, headers(("ETag" = String), ("Cache-Control" = String))),
        (status = 304, description = "Not modified (If-None-Match)"),
        (status = 404, description = "No such site or item (or an id that is not a number)", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/sites/{site}/disclosures/{disclosure}")]
pub async fn get_disclosure(
    state: web::Data<AppState>,
    req: HttpRequest,
    path: web::Path<(String, i64)>,
) -> Result<HttpResponse, ApiError> {
    let (slug, id) = path.into_inner();
    let item = crate::sites::context::read(&state, slug, move |conn, context| {
        let row = find(conn, context.site.id, id)?;
        Ok(views(conn, &context.site, vec![row])?.remove(0))
    })
    .await?;
    cached_json(&req, &Data { data: item }, state.cache)
}

/// The fields of a disclosed item an editor sets. On create `kind`, `title`, `period_start`,
/// `period_end` and `posted_on` are required; on update only the fields sent change.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"kind": "budget", "title": "Công khai dự toán ngân sách phường Chí Minh năm 2026",
    "period_start": "2026-01-01", "period_end": "2026-12-31", "posted_on": "2026-01-12", "posted_until": "2026-02-11",
    "form": "Niêm yết tại trụ sở UBND phường; đăng trên cổng thông tin điện tử", "document_ids": [7]}))]
pub struct DisclosureInput {
    #[schema(inline, value_type = Option<DisclosureKind>)]
    pub kind: Option<String>,
    /// 1 to 300 characters.
    #[schema(max_length = 300, pattern = "\\S")]
    pub title: Option<String>,
    /// Up to 2000 characters.
    #[schema(max_length = 2000)]
    pub summary: Option<String>,
    #[schema(value_type = Option<String>, format = Date,
        pattern = "^(19[0-9]{2}|20[0-9]{2}|2100)-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])$")]
    pub period_start: Option<String>,
    /// On or after `period_start`.
    #[schema(value_type = Option<String>, format = Date,
        pattern = "^(19[0-9]{2}|20[0-9]{2}|2100)-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])$")]
    pub period_end: Option<String>,
    #[schema(value_type = Option<String>, format = Date,
        pattern = "^(19[0-9]{2}|20[0-9]{2}|2100)-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])$")]
    pub posted_on: Option<String>,
    /// On or after `posted_on`; null for none set.
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Option<String>, format = Date,
        pattern = "^(19[0-9]{2}|20[0-9]{2}|2100)-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])$")]
    pub posted_until: Option<Option<String>>,
    /// Up to 300 characters.
    #[schema(max_length = 300)]
    pub form: Option<String>,
    /// The ids of the site's documents attached, in order, at most 20; replaces the list.
    #[schema(max_items = 20)]
    pub document_ids: Option<Vec<i64>>,
}

/// Checks `input` and applies it to `row`; returns the documents to attach, if sent.
fn apply(
    conn: &mut AnyConnection,
    site: &Site,
    row: &mut DisclosureRow,
    input: DisclosureInput,
    creating: bool,
) -> Result<Option<Vec<i64>>, ApiError> {
    let mut check = Checker::default();
    let need = Need::on_create(creating);
    match &input.kind {
        Some(k) if kind_name(k).is_none() => {
            check.reject("kind", "must be one of the kinds of disclosed information (budget, land_use...)")
        }
        None if creating => check.reject("kind", "is required"),
        _ => {}
    }
    let title = check.text("title", input.title, 300, need);
    let summary = check.text("summary", input.summary, 2000, Need::Optional);
    let period_start = check.date("period_start", input.period_start, need);
    let period_end = check.date("period_end", input.period_end, need);
    let posted_on = check.date("posted_on", input.posted_on, need);
    let posted_until = check.nullable_date("posted_until", input.posted_until);
    let form = check.text("form", input.form, 300, Need::Optional);
    if input.document_ids.as_ref().is_some_and(|d| d.len() > 20) {
        check.reject("document_ids", "must have at most 20 documents");
    }
    row.kind = input.kind.unwrap_or(std::mem::take(&mut row.kind));
    row.title = title.unwrap_or(std::mem::take(&mut row.title));
    row.summary = summary.unwrap_or(std::mem::take(&mut row.summary));
    row.form = form.unwrap_or(std::mem::take(&mut row.form));
    row.period_start = period_start.unwrap_or(row.period_start);
    row.period_end = period_end.unwrap_or(row.period_end);
    row.posted_on = posted_on.unwrap_or(row.posted_on);
    row.posted_until = posted_until.unwrap_or(row.posted_until);
    if check.errors.is_empty() && row.period_end < row.period_start {
        check.reject("period_end", "must be on or after period_start");
    }
    if check.errors.is_empty() && row.posted_until.is_some_and(|u| u < row.posted_on) {
        check.reject("posted_until", "must be on or after posted_on");
    }
    if !check.errors.is_empty() {
        return check.finish().map(|_| None);
    }
    let Some(ids) = input.document_ids else { return Ok(None) };
    let unique = crate::http::input::distinct(ids);
    let found: Vec<i64> = documents::table
        .filter(documents::site_id.eq(site.id))
        .filter(documents::id.eq_any(&unique))
        .select(documents::id)
        .load(conn)?;
    if let Some(missing) = unique.iter().find(|id| !found.contains(id)) {
        check.clash("document_ids", format!("no document {missing} in this site"));
    }
    check.finish()?;
    Ok(Some(unique))
}

/// Add a disclosed item
///
/// Roles: editors and admins of the site.
#[utoipa::path(
    tag = "disclosures",
    request_body = DisclosureInput,
    extensions(("x-required-fields" = json!(["kind", "title", "period_start", "period_end", "posted_on"]))),
    security(("bearer" = [])),
    responses(
        (status = 201, description = "Created", body = Data<Disclosure>, headers(("Location" = String))),
        (status = 409, description = "`document_ids` names a document the site lacks", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid fields, named in `errors`", body = Problem, content_type = "application/problem+json",
         example = json!({"type": "/problems/validation-failed", "title": "Validation failed", "status": 422,
            "detail": "period_end: must be on or after period_start",
            "errors": [{"field": "period_end", "message": "must be on or after period_start"}]})),
    )
)]
#[post("/sites/{site}/disclosures")]
pub async fn create_disclosure(
    state: web::Data<AppState>,
    req: HttpRequest,
    caller: Caller,
    path: web::Path<String>,
    body: Body<DisclosureInput>,
) -> Result<HttpResponse, ApiError> {
    write(&state, &req, caller, path.into_inner(), Role::Editor, move |conn, site| {
        let input = body.parse()?;
        let mut row = item("", "", NaiveDate::MIN);
        let ids = apply(conn, site, &mut row, input, true)?;
        row.id = save(conn, site.id, &row, ids.as_deref())?;
        let row = find(conn, site.id, row.id)?;
        let view = views(conn, site, vec![row])?.remove(0);
        Ok(Done::created("disclosure.create", format!("disclosure:{}", view.id), view.path.clone(), view))
    })
    .await
}

/// Edit a disclosed item
///
/// Roles: editors and admins of the site.
#[utoipa::path(
    tag = "disclosures",
    params(
        ("disclosure" = i64, Path, description = "Disclosure id", example = 1),
    ),
    request_body = DisclosureInput,
    security(("bearer" = [])),
    responses(
        (status = 200, description = "Saved", body = Data<Disclosure>),
        (status = 404, description = "No such site or item", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "`document_ids` names a document the site lacks", body = Problem, content_type = "application/problem+json"),
    )
)]
#[patch("/sites/{site}/disclosures/{disclosure}")]
pub async fn update_disclosure(
    state: web::Data<AppState>,
    req: HttpRequest,
    caller: Caller,
    path: web::Path<(String, i64)>,
    body: Body<DisclosureInput>,
) -> Result<HttpResponse, ApiError> {
    let (site, id) = path.into_inner();
    write(&state, &req, caller, site, Role::Editor, move |conn, site| {
        let input = body.parse()?;
        let mut row = find(conn, site.id, id)?;
        let ids = apply(conn, site, &mut row, input, false)?;
        save(conn, site.id, &row, ids.as_deref())?;
        let row = find(conn, site.id, id)?;
        let view = views(conn, site, vec![row])?.remove(0);
        Ok(Done::saved("disclosure.update", format!("disclosure:{id}"), view))
    })
    .await
}

/// Delete a disclosed item
///
/// Its documents stay. Roles: editors and admins of the site.
#[utoipa::path(
    tag = "disclosures",
    params(
        ("disclosure" = i64, Path, description = "Disclosure id", example = 1),
    ),
    security(("bearer" = [])),
    responses(
        (status = 204, description = "Deleted"),
        (status = 404, description = "No such site or item", body = Problem, content_type = "application/problem+json"),
    )
)]
#[delete("/sites/{site}/disclosures/{disclosure}")]
pub async fn delete_disclosure(
    state: web::Data<AppState>,
    req: HttpRequest,
    caller: Caller,
    path: web::Path<(String, i64)>,
) -> Result<HttpResponse, ApiError> {
    let (site, id) = path.into_inner();
    write(&state, &req, caller, site, Role::Editor, move |conn, site| {
        let row = find(conn, site.id, id)?;
        diesel::delete(disclosures::table.find(row.id)).execute(conn)?;
        Ok(Done::deleted("disclosure.delete", format!("disclosure:{id}")))
    })
    .await
}

/// Registers the disclosure routes.
pub fn configure(cfg: &mut utoipa_actix_web::service_config::ServiceConfig) {
    cfg.service(list_disclosures)
        .service(get_disclosure)
        .service(create_disclosure)
        .service(update_disclosure)
        .service(delete_disclosure);
}
