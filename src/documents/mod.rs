//! Documents ("Văn bản"): the ward's legal and administrative documents (Law on Access to
//! Information Art. 19.1.a): kind, number and symbol, issuer, signer, dates, field, summary,
//! the files, and what each replaces; a list filtered by kind, field, issuer, year and status,
//! searched over number and summary with Vietnamese folding.

pub mod model;

use actix_web::{HttpRequest, HttpResponse, delete, get, patch, post, web};
use chrono::{NaiveDate, Utc};
use diesel::prelude::*;
use serde::Deserialize;
use utoipa::{IntoParams, ToSchema};

use crate::AppState;
use crate::auth::staff::{Done, write};
use crate::auth::{Caller, Role};
use crate::core::error::{ApiError, Problem};
use crate::core::text;
use crate::db::schema::documents;
use crate::http::body::Body;
use crate::http::input::{Checker, Need, present};
use crate::http::{Data, List, Page, PageParams, cached_json, check, field_error, list_response};
use crate::sites::Site;
pub use model::{Document, DocumentKind, DocumentRow, DocumentStatus};

/// The longest search accepted, in characters.
const MAX_QUERY_CHARS: usize = 200;
/// The most files a document has.
const MAX_FILES: usize = 20;

/// The filters of the documents list.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct DocumentParams {
    /// Only documents of this kind.
    #[param(inline, value_type = Option<DocumentKind>, example = "ke_hoach")]
    pub kind: Option<String>,
    /// Only documents of this field, by name or key, diacritics optional (`Xây dựng Đảng`,
    /// `xay-dung-dang`).
    #[param(max_length = 200, example = "xay-dung-dang")]
    pub field: Option<String>,
    /// Only documents of this issuer, by name or key, diacritics optional.
    #[param(max_length = 200, example = "dang-uy-phuong-chi-minh")]
    pub issuer: Option<String>,
    /// Only documents issued this year.
    #[param(value_type = Option<i32>, minimum = 1900, maximum = 2100, example = 2019)]
    pub year: Option<String>,
    /// Only documents that stand so today, in the site's time zone.
    #[param(inline, value_type = Option<DocumentStatus>, example = "in_force")]
    pub status: Option<String>,
    /// Words to find in the number, summary, issuer, signer or field, diacritics optional:
    /// `ke hoach 09` finds `09-KH/ĐU`. Up to 200 characters.
    #[param(max_length = 200, example = "đại hội")]
    pub q: Option<String>,
}

impl DocumentParams {
    fn parse(&self, errors: &mut Vec<crate::core::error::FieldError>) -> model::Filters {
        // Free text sent empty is left out; a kind, year or status sent empty is not one.
        let given = |v: &Option<String>| v.as_deref().map(str::trim).filter(|v| !v.is_empty()).map(str::to_owned);
        let sent = |v: &Option<String>| v.as_deref().map(str::trim).map(str::to_owned);
        let kind = sent(&self.kind);
        if kind.as_deref().is_some_and(|k| model::kind_name(k).is_none()) {
            errors.push(field_error("kind", "must be one of the document kinds (nghi_quyet, quyet_dinh, ke_hoach...)"));
        }
        for (name, value) in [("field", &self.field), ("issuer", &self.issuer), ("q", &self.q)] {
            if value.as_deref().is_some_and(|v| v.chars().count() > MAX_QUERY_CHARS) {
                errors.push(field_error(name, format!("must be at most {MAX_QUERY_CHARS} characters")));
            }
        }
        let year = sent(&self.year).and_then(|y| match y.parse::<i32>() {
            Ok(y) if crate::http::input::YEARS.contains(&y) => Some(y),
            _ => {
                errors.push(field_error("year", "must be a year from 1900 to 2100"));
                None
            }
        });
        let status = sent(&self.status).and_then(|s| {
            let status = DocumentStatus::parse(&s);
            if status.is_none() {
                errors.push(field_error("status", "must be in_force, not_yet_in_force, expired or replaced"));
            }
            status
        });
        let words = text::words(self.q.as_deref().unwrap_or(""));
        if words.len() > 10 {
            errors.push(field_error("q", "must have at most 10 words"));
        }
        model::Filters {
            kind,
            field_key: given(&self.field).map(|f| model::key(&f)),
            issuer_key: given(&self.issuer).map(|i| model::key(&i)),
            year,
            status,
            words,
        }
    }
}

/// List a site's documents
///
/// The ward's documents, newest issued first, each with its status today (in the site's time
/// zone), what it replaces or is replaced by, and its files. Filters combine: `kind`, `field`,
/// `issuer`, `year`, `status`, and `q`, words found in the number, summary, issuer, signer or
/// field whatever their diacritics.
#[utoipa::path(
    tag = "documents",
    params(PageParams, DocumentParams),
    responses(
        (status = 200, description = "A page of documents", body = List<Document>,
         headers(("ETag" = String), ("Cache-Control" = String), ("Link" = String, description = "RFC 8288 first/prev/next/last"))),
        (status = 304, description = "Not modified (If-None-Match)"),
    )
)]
#[get("/sites/{site}/documents")]
pub async fn list_documents(
    state: web::Data<AppState>,
    req: HttpRequest,
    path: web::Path<String>,
    pages: web::Query<PageParams>,
    params: web::Query<DocumentParams>,
) -> Result<HttpResponse, ApiError> {
    let mut errors = Vec::new();
    let page = Page::parse(&pages, &mut errors);
    let filters = params.parse(&mut errors);
    check(errors)?;
    let (data, total) = crate::sites::context::read(&state, path.into_inner(), move |conn, context| {
        let site = &context.site;
        Ok(model::list(conn, site, &filters, site.today(), page)?)
    })
    .await?;
    list_response(&req, data, page, total, state.cache)
}

fn find(conn: &mut crate::db::AnyConnection, site_id: i64, id: i64) -> Result<DocumentRow, ApiError> {
    model::find(conn, site_id, id)?.ok_or_else(|| ApiError::not_found(format!("no document {id} in this site")))
}

/// Get a document
///
/// One document of the site by id, with its status today, its files and what it replaces or
/// is replaced by.
#[utoipa::path(
    tag = "documents",
    params(
        ("document" = i64, Path, description = "Document id", example = 1),
    ),
    responses(
        (status = 200, description = "The document", body = Data<Document>, headers(("ETag" = String), ("Cache-Control" = String))),
        (status = 304, description = "Not modified (If-None-Match)"),
        (status = 404, description = "No such site or document (or an id that is not a number)", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/sites/{site}/documents/{document}")]
pub async fn get_document(
    state: web::Data<AppState>,
    req: HttpRequest,
    path: web::Path<(String, i64)>,
) -> Result<HttpResponse, ApiError> {
    let (slug, id) = path.into_inner();
    let document = crate::sites::context::read(&state, slug, move |conn, context| {
        let site = &context.site;
        let row = find(conn, site.id, id)?;
        Ok(model::view(conn, site, row, site.today())?)
    })
    .await?;
    cached_json(&req, &Data { data: document }, state.cache)
}

/// The fields of a document an editor sets. On create `kind`, `number`, `issuer`,
/// `issued_on` and `summary` are required; on update only the fields sent change, and `null`
/// clears a nullable one.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"kind": "ke_hoach", "number": "09-KH/ĐU", "issuer": "Đảng ủy phường Chí Minh",
    "signer": "Nguyễn Văn Hùng", "issued_on": "2019-09-20", "field": "Xây dựng Đảng",
    "summary": "Kế hoạch thực hiện Chỉ thị số 35-CT/TW về đại hội đảng bộ các cấp", "file_ids": [7]}))]
pub struct DocumentInput {
    #[schema(inline, value_type = Option<DocumentKind>)]
    pub kind: Option<String>,
    /// Number and symbol as issued, 1 to 50 characters (`09-KH/ĐU`). The same number from the
    /// same issuer in the same year is one document: a second is 409.
    #[schema(max_length = 50, pattern = "\\S")]
    pub number: Option<String>,
    /// 1 to 200 characters.
    #[schema(max_length = 200, pattern = "\\S")]
    pub issuer: Option<String>,
    /// Up to 200 characters.
    #[schema(max_length = 200)]
    pub signer: Option<String>,
    /// The day it was issued.
    #[schema(value_type = Option<String>, format = Date,
        pattern = "^(19[0-9]{2}|20[0-9]{2}|2100)-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])$")]
    pub issued_on: Option<String>,
    /// In force from this day (null: from the issue day).
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Option<String>, format = Date,
        pattern = "^(19[0-9]{2}|20[0-9]{2}|2100)-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])$")]
    pub effective_on: Option<Option<String>>,
    /// No longer in force from this day, after the day it comes into force (null: none set).
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Option<String>, format = Date,
        pattern = "^(19[0-9]{2}|20[0-9]{2}|2100)-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])$")]
    pub expires_on: Option<Option<String>>,
    /// Up to 200 characters.
    #[schema(max_length = 200)]
    pub field: Option<String>,
    /// The summary (trích yếu), 1 to 2000 characters.
    #[schema(max_length = 2000, pattern = "\\S")]
    pub summary: Option<String>,
    /// The id of the document of this site it replaces (one that no other replaces); null for
    /// none.
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Option<i64>, minimum = 1)]
    pub replaces_id: Option<Option<i64>>,
    /// The ids of its files among the site's uploads, in order, at most 20; replaces the list.
    #[schema(max_items = 20)]
    pub file_ids: Option<Vec<i64>>,
}

/// Checks `input` and applies it to `row`; returns the files to store, if sent.
fn apply(
    conn: &mut crate::db::AnyConnection,
    site: &Site,
    row: &mut DocumentRow,
    input: DocumentInput,
    creating: bool,
) -> Result<Option<Vec<i64>>, ApiError> {
    let mut check = Checker::default();
    let need = Need::on_create(creating);
    if let Some(kind) = &input.kind {
        if model::kind_name(kind).is_none() {
            check.reject("kind", "must be one of the document kinds (nghi_quyet, quyet_dinh, ke_hoach...)");
        }
    } else if creating {
        check.reject("kind", "is required");
    }
    let number = check.text("number", input.number, 50, need);
    let issuer = check.text("issuer", input.issuer, 200, need);
    let signer = check.text("signer", input.signer, 200, Need::Optional);
    let issued_on = check.date("issued_on", input.issued_on, need);
    let effective_on = check.nullable_date("effective_on", input.effective_on);
    let expires_on = check.nullable_date("expires_on", input.expires_on);
    let field = check.text("field", input.field, 200, Need::Optional);
    let summary = check.text("summary", input.summary, 2000, need);
    if input.file_ids.as_ref().is_some_and(|f| f.len() > MAX_FILES) {
        check.reject("file_ids", format!("must have at most {MAX_FILES} files"));
    }
    if let Some(kind) = input.kind {
        row.kind = kind;
    }
    for (target, value) in
        [(&mut row.number, number), (&mut row.issuer, issuer), (&mut row.signer, signer), (&mut row.field, field)]
    {
        if let Some(v) = value {
            *target = v;
        }
    }
    row.summary = summary.unwrap_or(std::mem::take(&mut row.summary));
    row.issued_on = issued_on.unwrap_or(row.issued_on);
    row.effective_on = effective_on.unwrap_or(row.effective_on);
    row.expires_on = expires_on.unwrap_or(row.expires_on);
    let starts = row.effective_on.unwrap_or(row.issued_on);
    if row.expires_on.is_some_and(|e| e <= starts) {
        check.reject("expires_on", "must be after the day it comes into force");
    }
    row.replaces_id = input.replaces_id.unwrap_or(row.replaces_id);
    if !check.errors.is_empty() {
        return check.finish().map(|_| None);
    }
    // What clashes with what is stored.
    if model::same_number(conn, site.id, row)?.is_some() {
        check.clash("number", "a document with this number from this issuer in this year exists");
    }
    if let Some(old) = row.replaces_id {
        if old == row.id {
            check.clash("replaces_id", "a document cannot replace itself");
        } else if model::find(conn, site.id, old)?.is_none() {
            check.clash("replaces_id", format!("no document {old} in this site"));
        } else if model::replaced_by(conn, site.id, old, row.id)?.is_some() {
            check.clash("replaces_id", format!("document {old} is already replaced by another"));
        }
    }
    let files = match input.file_ids {
        Some(ids) => {
            let unique = crate::http::input::distinct(ids);
            let foreign = model::foreign_uploads(conn, site.id, &unique)?;
            if let Some(id) = foreign.first() {
                check.clash("file_ids", format!("no upload {id} in this site"));
            }
            Some(unique)
        }
        None => None,
    };
    check.finish()?;
    Ok(files)
}

/// Add a document
///
/// Roles: editors and admins of the site.
#[utoipa::path(
    tag = "documents",
    request_body = DocumentInput,
    extensions(("x-required-fields" = json!(["kind", "number", "issuer", "issued_on", "summary"]))),
    security(("bearer" = [])),
    responses(
        (status = 201, description = "Created", body = Data<Document>, headers(("Location" = String))),
        (status = 409, description = "The number is taken (same issuer, same year), or `replaces_id` or `file_ids` name what the site lacks",
         body = Problem, content_type = "application/problem+json",
         example = json!({"type": "/problems/conflict", "title": "Conflict", "status": 409,
            "detail": "number: a document with this number from this issuer in this year exists",
            "errors": [{"field": "number", "message": "a document with this number from this issuer in this year exists"}]})),
        (status = 422, description = "Invalid fields, named in `errors`", body = Problem, content_type = "application/problem+json",
         example = json!({"type": "/problems/validation-failed", "title": "Validation failed", "status": 422,
            "detail": "issued_on: must be a date (2019-05-30) from 1900 to 2100",
            "errors": [{"field": "issued_on", "message": "must be a date (2019-05-30) from 1900 to 2100"}]})),
    )
)]
#[post("/sites/{site}/documents")]
pub async fn create_document(
    state: web::Data<AppState>,
    req: HttpRequest,
    caller: Caller,
    path: web::Path<String>,
    body: Body<DocumentInput>,
) -> Result<HttpResponse, ApiError> {
    write(&state, &req, caller, path.into_inner(), Role::Editor, move |conn, site| {
        let input = body.parse()?;
        let mut row = DocumentRow {
            id: 0,
            kind: String::new(),
            number: String::new(),
            issuer: String::new(),
            signer: String::new(),
            issued_on: NaiveDate::MIN,
            effective_on: None,
            expires_on: None,
            field: String::new(),
            summary: String::new(),
            replaces_id: None,
            updated_at: Utc::now().naive_utc(),
        };
        let files = apply(conn, site, &mut row, input, true)?;
        row.id = model::save(conn, site.id, &row, files.as_deref())?;
        let row = find(conn, site.id, row.id)?;
        let view = model::view(conn, site, row, site.today())?;
        Ok(Done::created("document.create", format!("document:{}", view.id), view.path.clone(), view))
    })
    .await
}

/// Edit a document
///
/// Roles: editors and admins of the site.
#[utoipa::path(
    tag = "documents",
    params(
        ("document" = i64, Path, description = "Document id", example = 1),
    ),
    request_body = DocumentInput,
    security(("bearer" = [])),
    responses(
        (status = 200, description = "Saved", body = Data<Document>),
        (status = 404, description = "No such site or document", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "The number is taken (same issuer, same year), or `replaces_id` or `file_ids` name what the site lacks",
         body = Problem, content_type = "application/problem+json"),
    )
)]
#[patch("/sites/{site}/documents/{document}")]
pub async fn update_document(
    state: web::Data<AppState>,
    req: HttpRequest,
    caller: Caller,
    path: web::Path<(String, i64)>,
    body: Body<DocumentInput>,
) -> Result<HttpResponse, ApiError> {
    let (site, id) = path.into_inner();
    write(&state, &req, caller, site, Role::Editor, move |conn, site| {
        let input = body.parse()?;
        let mut row = find(conn, site.id, id)?;
        let files = apply(conn, site, &mut row, input, false)?;
        model::save(conn, site.id, &row, files.as_deref())?;
        let row = find(conn, site.id, id)?;
        Ok(Done::saved("document.update", format!("document:{id}"), model::view(conn, site, row, site.today())?))
    })
    .await
}

/// Delete a document
///
/// Its files stay among the site's uploads; a document it was replaced by no longer names
/// it. Roles: editors and admins of the site.
#[utoipa::path(
    tag = "documents",
    params(
        ("document" = i64, Path, description = "Document id", example = 1),
    ),
    security(("bearer" = [])),
    responses(
        (status = 204, description = "Deleted"),
        (status = 404, description = "No such site or document", body = Problem, content_type = "application/problem+json"),
    )
)]
#[delete("/sites/{site}/documents/{document}")]
pub async fn delete_document(
    state: web::Data<AppState>,
    req: HttpRequest,
    caller: Caller,
    path: web::Path<(String, i64)>,
) -> Result<HttpResponse, ApiError> {
    let (site, id) = path.into_inner();
    write(&state, &req, caller, site, Role::Editor, move |conn, site| {
        let row = find(conn, site.id, id)?;
        // Said here rather than left to the foreign key, so both backends do the same.
        diesel::update(documents::table.filter(documents::replaces_id.eq(row.id)))
            .set(documents::replaces_id.eq(None::<i64>))
            .execute(conn)?;
        diesel::delete(documents::table.find(row.id)).execute(conn)?;
        Ok(Done::deleted("document.delete", format!("document:{id}")))
    })
    .await
}

/// Registers the document routes.
pub fn configure(cfg: &mut utoipa_actix_web::service_config::ServiceConfig) {
    cfg.service(list_documents)
        .service(get_document)
        .service(create_document)
        .service(update_document)
        .service(delete_document);
}
