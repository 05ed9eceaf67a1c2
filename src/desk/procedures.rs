//! A desk's catalogue of administrative procedures: the documents each needs, its fee and
//! processing time, how far it can be done online.

use actix_web::{HttpRequest, HttpResponse, delete, get, patch, post, web};
use diesel::prelude::*;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::office::is_code;
use crate::AppState;
use crate::auth::staff::{Done, write};
use crate::auth::{Caller, Role};
use crate::core::error::{ApiError, Problem};
use crate::db::schema::{dossiers as dossier_rows, procedures};
use crate::db::{self, AnyConnection};
use crate::http::body::Body;
use crate::http::input::{Checker, Need};
use crate::http::{Data, List, Page, PageParams, cached_json, check, field_error, list_response};

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
pub(super) struct ProcedureRow {
    pub(super) id: i64,
    pub(super) code: String,
    pub(super) name: String,
    pub(super) field: String,
    pub(super) processing_days: i32,
    pub(super) fee_vnd: Option<i64>,
    pub(super) fee_note: String,
    pub(super) online_level: String,
    pub(super) documents: String,
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
    /// Words to find in the code, name or field, diacritics optional: `khai sinh` finds
    /// `Thủ tục đăng ký khai sinh`.
    #[param(example = "khai sinh")]
    pub q: Option<String>,
    /// Only this field (exactly as listed by the desk).
    #[param(example = "Hộ tịch")]
    pub field: Option<String>,
}

/// The text a procedure is found by.
pub(super) fn search_text(code: &str, name: &str, field: &str) -> String {
    crate::core::text::words(&format!("{code} {name} {field}")).join(" ")
}

/// List a desk's procedures
///
/// The catalogue, by code; `q` searches it, ignoring diacritics, and `field` narrows it to
/// one of the fields the desk lists.
#[utoipa::path(
    tag = "desk",
    params(PageParams, ProcedureParams),
    responses(
        (status = 200, description = "A page of procedures", body = List<Procedure>,
         headers(("ETag" = String), ("Cache-Control" = String), ("Link" = String, description = "RFC 8288 first/prev/next/last"))),
        (status = 304, description = "Not modified (If-None-Match)"),
    )
)]
#[get("/sites/{site}/procedures")]
pub async fn list_procedures(
    state: web::Data<AppState>,
    req: HttpRequest,
    path: web::Path<String>,
    pages: web::Query<PageParams>,
    params: web::Query<ProcedureParams>,
) -> Result<HttpResponse, ApiError> {
    let params = params.into_inner();
    let mut errors = Vec::new();
    let page = Page::parse(&pages, &mut errors);
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
///
/// One administrative procedure of the desk's catalogue by its code: its field, processing
/// time in working days, fee, how far it can be done online, and the documents to bring.
#[utoipa::path(
    tag = "desk",
    params(
        ("code" = String, Path, description = "Procedure code", example = "1.001193"),
    ),
    responses(
        (status = 200, description = "The procedure", body = Data<Procedure>, headers(("ETag" = String), ("Cache-Control" = String))),
        (status = 304, description = "Not modified (If-None-Match)"),
        (status = 404, description = "No such site or procedure", body = Problem, content_type = "application/problem+json"),
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

/// A document to bring, as an editor lists it: 1 to 1000 characters, not blank. Only a schema.
pub struct DocumentName;

impl utoipa::PartialSchema for DocumentName {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        use utoipa::openapi::schema::{ObjectBuilder, Type};
        ObjectBuilder::new().schema_type(Type::String).max_length(Some(1000)).pattern(Some("\\S")).into()
    }
}

impl ToSchema for DocumentName {}

/// The fields of a procedure an editor sets. On create `code`, `name`, `field`,
/// `processing_days` and `online_level` are required; on update only the fields sent change.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"code": "1.001193", "name": "Thủ tục đăng ký khai sinh", "field": "Hộ tịch",
    "processing_days": 0, "fee_vnd": 0, "fee_note": "Miễn phí", "online_level": "toan_trinh",
    "documents": ["Tờ khai đăng ký khai sinh theo mẫu", "Giấy chứng sinh"]}))]
pub struct ProcedureInput {
    /// 1 to 40 characters: digits, letters, dots and dashes.
    #[schema(pattern = "^[A-Za-z0-9.-]+$", max_length = 40)]
    pub code: Option<String>,
    /// 1 to 500 characters.
    #[schema(max_length = 500, pattern = "\\S")]
    pub name: Option<String>,
    /// 1 to 200 characters.
    #[schema(max_length = 200, pattern = "\\S")]
    pub field: Option<String>,
    /// 0 to 365 working days.
    #[schema(minimum = 0, maximum = 365)]
    pub processing_days: Option<i32>,
    /// 0 or more đồng; null when the province sets it.
    #[serde(default, deserialize_with = "crate::http::input::present")]
    #[schema(value_type = Option<i64>, minimum = 0)]
    pub fee_vnd: Option<Option<i64>>,
    /// Up to 500 characters.
    #[schema(max_length = 500)]
    pub fee_note: Option<String>,
    /// `toan_trinh`, `mot_phan` or `truc_tiep`.
    #[schema(pattern = "^(toan_trinh|mot_phan|truc_tiep)$")]
    pub online_level: Option<String>,
    /// At most 50, each 1 to 1000 characters.
    #[schema(value_type = Option<Vec<DocumentName>>, max_items = 50)]
    pub documents: Option<Vec<String>>,
}

pub(super) fn apply_procedure(
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
            check.clash("code", "is already in this desk's catalogue");
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
    // Each as sent is at most 1000 characters and not blank (as the schema says), kept trimmed.
    if let Some(d) = &input.documents
        && (d.len() > 50 || d.iter().any(|s| s.trim().is_empty() || s.chars().count() > 1000))
    {
        check.reject("documents", "must be at most 50 documents of 1 to 1000 characters");
    }
    let documents = input.documents.map(|d| d.into_iter().map(|s| s.trim().to_owned()).collect::<Vec<_>>());
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
        request_body = ProcedureInput,
        extensions(("x-required-fields" = json!(["code", "name", "field", "processing_days", "online_level"]))),
    security(("bearer" = [])),
    responses(
        (status = 201, description = "Added", body = Data<Procedure>, headers(("Location" = String))),
    )
)]
#[post("/sites/{site}/procedures")]
pub async fn create_procedure(
    state: web::Data<AppState>,
    req: HttpRequest,
    caller: Caller,
    path: web::Path<String>,
    body: Body<ProcedureInput>,
) -> Result<HttpResponse, ApiError> {
    write(&state, &req, caller, path.into_inner(), Role::Editor, move |conn, site| {
        let input = body.parse()?;
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
        let (target, location) =
            (format!("procedure:{}", p.code), format!("/api/v1/sites/{}/procedures/{}", site.slug, p.code));
        Ok(Done::created("procedure.create", target, location, p))
    })
    .await
}

/// Edit a procedure
///
/// Dossiers already received keep their deadlines. Roles: editors and admins of the site.
#[utoipa::path(
    tag = "desk",
    params(
        ("code" = String, Path, description = "Procedure code", example = "1.001193"),
    ),
    request_body = ProcedureInput,
    security(("bearer" = [])),
    responses(
        (status = 200, description = "Saved", body = Data<Procedure>),
        (status = 404, description = "No such site or procedure", body = Problem, content_type = "application/problem+json"),
    )
)]
#[patch("/sites/{site}/procedures/{code}")]
pub async fn update_procedure(
    state: web::Data<AppState>,
    req: HttpRequest,
    caller: Caller,
    path: web::Path<(String, String)>,
    body: Body<ProcedureInput>,
) -> Result<HttpResponse, ApiError> {
    let (site, code) = path.into_inner();
    write(&state, &req, caller, site, Role::Editor, move |conn, site| {
        let input = body.parse()?;
        let (id, mut p) = find_procedure(conn, site.id, &code)?;
        apply_procedure(conn, site.id, id, &mut p, input)?;
        save_procedure(conn, site.id, id, &p)?;
        Ok(Done::saved("procedure.update", format!("procedure:{}", p.code), p))
    })
    .await
}

/// Remove a procedure from the catalogue
///
/// Only one no dossier was filed for. Roles: editors and admins of the site.
#[utoipa::path(
    tag = "desk",
    params(
        ("code" = String, Path, description = "Procedure code", example = "1.001193"),
    ),
    security(("bearer" = [])),
    responses(
        (status = 204, description = "Removed"),
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
    write(&state, &req, caller, site, Role::Editor, move |conn, site| {
        let (id, _) = find_procedure(conn, site.id, &code)?;
        let used: i64 = dossier_rows::table.filter(dossier_rows::procedure_id.eq(id)).count().get_result(conn)?;
        if used > 0 {
            return Err(ApiError::Conflict(format!("{used} dossier(s) were filed for it")));
        }
        diesel::delete(procedures::table.find(id)).execute(conn)?;
        Ok(Done::deleted("procedure.delete", format!("procedure:{code}")))
    })
    .await
}
