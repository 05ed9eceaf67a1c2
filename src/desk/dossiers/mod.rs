//! Dossiers (hồ sơ) filed at the one-stop desk: received by staff, coded
//! `{unit}-{YYMMDD}-{NNNN}` (Thông tư 01/2018/TT-VPCP, Điều 19), moved through the national
//! status codes 1-10, looked up by citizens with their code, and counted into the statistics
//! wards publish (received by channel; processed early, on time or late; in progress within
//! or past the deadline).

pub mod model;
pub mod statistics;

pub use model::{Dossier, STATUSES, advance, next_statuses, receive, shorten_name};

use actix_web::http::{StatusCode, header};
use actix_web::{HttpRequest, HttpResponse, get, post, web};
use chrono::{Duration, Utc};
use diesel::prelude::*;
use serde::Deserialize;
use utoipa::{IntoParams, ToSchema};

use crate::AppState;
use crate::audit;
use crate::auth::{Caller, Role, on_site, write_on_site};
use crate::core::error::{ApiError, Problem};
use crate::db::schema::dossiers;
use crate::db::{self};
use crate::http::body::Body;
use crate::http::input::{Checker, Need};
use crate::http::{Data, List, Page, PageParams, check, field_error, private_json, private_list_response};

use model::*;
use statistics::get_statistics;

/// The key of a citizen's lookup.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct LookupParams {
    /// The key printed on the receipt beside the code (letters in any case). Staff with a
    /// token need none.
    #[param(example = "K7QM2XPA")]
    pub key: Option<String>,
}

/// Look up a dossier
///
/// By the code and key printed on the receipt: its status, deadline and history, with the
/// applicant's name shortened. A wrong or missing key is answered as an unknown code, so
/// codes cannot be tried one after another; wrong keys are limited to 30 per client address
/// in 15 minutes (then 429), and past 5 wrong keys for one code each further try waits
/// before it is answered. Staff of the site (with a token) need no key and get everything;
/// their reads are kept in the audit log. Both answers are private (`no-store`).
#[utoipa::path(
    tag = "desk",
    params(
        ("code" = String, Path, description = "Dossier code", example = "000.01.14.H23-261126-0001"),
        LookupParams,
    ),
    security((), ("bearer" = [])),
    responses(
        (status = 200, description = "The dossier", body = Data<Dossier>, headers(("Cache-Control" = String))),
        (status = 401, description = "A bad token", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such site, or no dossier with that code and key", body = Problem, content_type = "application/problem+json"),
        (status = 429, description = "Too many wrong keys from this address; see Retry-After", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/sites/{site}/dossiers/{code}")]
pub async fn get_dossier(
    state: web::Data<AppState>,
    req: HttpRequest,
    caller: Caller,
    path: web::Path<(String, String)>,
    params: web::Query<LookupParams>,
) -> Result<HttpResponse, ApiError> {
    use crate::auth::limiter::{LOOKUPS_PER_ADDRESS, LOOKUPS_PER_CODE, Limit};
    let (slug, code) = path.into_inner();
    let key = params.into_inner().key.unwrap_or_default().trim().to_ascii_uppercase();
    let ip = crate::auth::request_ip(&req, &state);
    // Keys are guessed by anonymous callers: wrong ones are limited per address (then 429) and
    // slowed down per code (never refused, so no one can keep a citizen from their dossier).
    let (ip_key, code_key) = (format!("lookup-ip:{ip}"), format!("lookup-code:{slug}/{code}"));
    let limited = matches!(caller, Caller::Anonymous);
    let attempt = if limited {
        let limits = [Limit::refusing(&ip_key, LOOKUPS_PER_ADDRESS), Limit::slowing(&code_key, LOOKUPS_PER_CODE)];
        Some(state.limiter.begin(&limits).map_err(ApiError::TooManyRequests)?.wait().await)
    } else {
        None
    };
    let st = state.clone();
    let result = db::run(&state.pool, move |conn| {
        let context = st.sites.get(conn, &st.responses, &slug)?;
        let staff = caller.actor_opt(conn)?.filter(|a| a.role_on(context.site.id).is_some());
        let unknown = || ApiError::not_found(format!("no dossier {code:?} with that key at this desk"));
        let row = match find(conn, context.site.id, &code) {
            Err(ApiError::NotFound(_)) => return Err(unknown()),
            other => other?,
        };
        match &staff {
            // The full dossier names the citizen: who read it is kept.
            Some(actor) => {
                audit::read(conn, &actor.origin(ip), "dossier.read", &format!("dossier:{code}"), context.site.id)?
            }
            None if !crate::core::text::same_secret(&row.lookup_key, &key) => return Err(unknown()),
            None => {}
        }
        one(conn, &context.site, row, staff.is_some())
    })
    .await;
    if let Some(attempt) = attempt
        && !matches!(result, Err(ApiError::NotFound(_)))
    {
        state.limiter.take_back(&[&ip_key, &code_key], attempt.at);
    }
    private_json(&Data { data: result? }, StatusCode::OK, |_| {})
}

/// The filters of the staff's dossier list.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct DossierParams {
    /// Only this status (`received`, `processing`, `done`...).
    #[param(
        pattern = "^(|submitted|received|rejected|processing|needs_documents|awaiting_payment|withdrawn|stopped|done|returned)$",
        example = "processing"
    )]
    pub status: Option<String>,
}

/// List a desk's dossiers
///
/// Newest first. Roles: staff of the site.
#[utoipa::path(
    tag = "desk",
    params(PageParams, DossierParams),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "A page of dossiers", body = List<Dossier>, headers(("Link" = String))),
    )
)]
#[get("/sites/{site}/dossiers")]
pub async fn list_dossiers(
    state: web::Data<AppState>,
    req: HttpRequest,
    caller: Caller,
    path: web::Path<String>,
    pages: web::Query<PageParams>,
    params: web::Query<DossierParams>,
) -> Result<HttpResponse, ApiError> {
    let params = params.into_inner();
    let mut errors = Vec::new();
    let page = Page::parse(&pages, &mut errors);
    let status = match params.status.as_deref().filter(|s| !s.is_empty()) {
        None => None,
        Some(key) => {
            let code = status_by_key(key);
            if code.is_none() {
                errors.push(field_error("status", "must be one of the status keys (received, processing, done...)"));
            }
            code
        }
    };
    check(errors)?;
    let (data, total) =
        on_site(&state, &req, caller, path.into_inner(), Role::Desk, move |conn, site, _, _, origin| {
            // The list names citizens: who read it is kept.
            audit::read(conn, origin, "dossier.list", &format!("dossiers:{}", site.slug), site.id)?;
            let filtered = || {
                let mut q = dossiers::table.filter(dossiers::site_id.eq(site.id)).into_boxed();
                if let Some(s) = status {
                    q = q.filter(dossiers::status.eq(s));
                }
                q
            };
            let total: i64 = filtered().count().get_result(conn)?;
            let rows = filtered()
                .order((dossiers::received_at.desc(), dossiers::id.desc()))
                .limit(page.limit())
                .offset(page.offset())
                .select(DossierRow::as_select())
                .load(conn)?;
            Ok((views(conn, site, rows, true)?, total))
        })
        .await?;
    private_list_response(&req, data, page, total)
}

/// A dossier received at the desk.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"procedure": "1.001193", "applicant_name": "Nguyễn Văn An", "applicant_phone": "0912345678",
    "channel": "truc_tiep", "note": "Đã nhận đủ hồ sơ"}))]
pub struct DossierInput {
    /// The procedure's code in the desk's catalogue.
    #[schema(max_length = 40, pattern = "\\S")]
    pub procedure: Option<String>,
    /// 1 to 200 characters.
    #[schema(max_length = 200, pattern = "\\S")]
    pub applicant_name: Option<String>,
    /// Up to 20 characters.
    #[schema(max_length = 20)]
    pub applicant_phone: Option<String>,
    /// `truc_tiep` (the default), `truc_tuyen` or `buu_chinh`.
    #[schema(pattern = "^(truc_tiep|truc_tuyen|buu_chinh)$")]
    pub channel: Option<String>,
    /// When it was received, if not now (a date or RFC 3339 time, not in the future).
    #[schema(
        pattern = "^(19[0-9]{2}|20[0-9]{2}|2100)-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])(T([01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9](\\.[0-9]{1,9})?(Z|[+-]([01][0-9]|2[0-3]):[0-5][0-9]))?$"
    )]
    pub received_at: Option<String>,
    /// Shown to the citizen; up to 1000 characters.
    #[schema(max_length = 1000)]
    pub note: Option<String>,
}

/// Receive a dossier
///
/// Gives it its code and deadline (the procedure's working days, skipping weekends and
/// holidays) with the status `received`. Roles: staff of the site.
#[utoipa::path(
    tag = "desk",
        request_body = DossierInput,
        extensions(("x-required-fields" = json!(["procedure", "applicant_name"]))),
    security(("bearer" = [])),
    responses(
        (status = 201, description = "Received", body = Data<Dossier>, headers(("Location" = String))),
        (status = 404, description = "No such site, or it has no desk", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid fields, named in `errors`", body = Problem, content_type = "application/problem+json",
         example = json!({"type": "/problems/validation-failed", "title": "Validation failed", "status": 422,
            "detail": "procedure: no procedure \"9.999\" at this desk", "errors": [{"field": "procedure", "message": "no procedure \"9.999\" at this desk"}]})),
    )
)]
#[post("/sites/{site}/dossiers")]
pub async fn create_dossier(
    state: web::Data<AppState>,
    req: HttpRequest,
    caller: Caller,
    path: web::Path<String>,
    body: Body<DossierInput>,
) -> Result<HttpResponse, ApiError> {
    let (location, dossier) =
        write_on_site(&state, &req, caller, path.into_inner(), Role::Desk, move |conn, site, actor, _, origin| {
            let input = body.parse()?;
            let unit = super::unit_code(conn, site.id)?;
            let now = Utc::now().naive_utc();
            let mut check = Checker::default();
            let procedure = check.text("procedure", input.procedure, 40, Need::Required).unwrap_or_default();
            let name = check.text("applicant_name", input.applicant_name, 200, Need::Required).unwrap_or_default();
            let phone = check.text("applicant_phone", input.applicant_phone, 20, Need::Optional).unwrap_or_default();
            let channel = input.channel.unwrap_or_else(|| "truc_tiep".into());
            if !CHANNELS.contains(&channel.as_str()) {
                check.reject("channel", "must be truc_tiep, truc_tuyen or buu_chinh");
            }
            let received = check.time("received_at", input.received_at, site).unwrap_or(now);
            if received > now + Duration::minutes(5) {
                check.reject("received_at", "must not be in the future");
            }
            let note = check.text("note", input.note, 1000, Need::Optional).unwrap_or_default();
            let found = if procedure.is_empty() { None } else { super::find_procedure(conn, site.id, &procedure).ok() };
            if found.is_none() && !procedure.is_empty() {
                check.clash("procedure", format!("no procedure {procedure:?} at this desk"));
            }
            check.finish()?;
            let (procedure_id, procedure) = found.ok_or_else(|| ApiError::internal("procedure"))?;
            let code = receive(
                conn,
                site,
                &unit,
                (procedure_id, procedure.processing_days),
                (&name, &phone, &channel),
                received,
                &note,
                Some(actor.id),
            )?;
            audit::record_private(conn, origin, "dossier.receive", &format!("dossier:{code}"), Some(site.id))?;
            let row = find(conn, site.id, &code)?;
            Ok((format!("/api/v1/sites/{}/dossiers/{code}", site.slug), one(conn, site, row, true)?))
        })
        .await?;
    private_json(&Data { data: dossier }, StatusCode::CREATED, |res| {
        res.insert_header((header::LOCATION, location));
    })
}

/// A dossier's next status.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"status": "needs_documents", "note": "Bổ sung bản sao giấy chứng sinh"}))]
pub struct StatusInput {
    /// The status key: `processing`, `needs_documents`, `awaiting_payment`, `done`,
    /// `returned`, `withdrawn`, `stopped`, `rejected`...
    #[schema(
        pattern = "^(submitted|received|rejected|processing|needs_documents|awaiting_payment|withdrawn|stopped|done|returned)$"
    )]
    pub status: Option<String>,
    /// Shown to the citizen; up to 1000 characters.
    #[schema(max_length = 1000)]
    pub note: Option<String>,
}

/// Move a dossier on
///
/// Received → processing → done → returned, with the detours the national codes allow
/// (rejected at receipt; needs documents, awaiting payment, withdrawn, stopped). When the
/// documents asked for come (needs documents → processing), the deadline starts again from
/// then (Decree 61/2018 Art. 19.4); a fee paid (awaiting payment → processing) leaves it as it
/// was. Roles: staff of the site, desk officers included.
#[utoipa::path(
    tag = "desk",
    params(
        ("code" = String, Path, description = "Dossier code", example = "000.01.14.H23-261126-0001"),
    ),
    request_body = StatusInput,
    extensions(("x-required-fields" = json!(["status"]))),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "Moved", body = Data<Dossier>),
        (status = 404, description = "No such site or dossier", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Not a move its status allows", body = Problem, content_type = "application/problem+json",
         example = json!({"type": "/problems/conflict", "title": "Conflict", "status": 409,
            "detail": "a dossier that is received can go to processing, withdrawn or stopped, not returned"})),
    )
)]
#[post("/sites/{site}/dossiers/{code}/status")]
pub async fn move_dossier(
    state: web::Data<AppState>,
    req: HttpRequest,
    caller: Caller,
    path: web::Path<(String, String)>,
    body: Body<StatusInput>,
) -> Result<HttpResponse, ApiError> {
    let (site, code) = path.into_inner();
    let dossier = write_on_site(&state, &req, caller, site, Role::Desk, move |conn, site, actor, _, origin| {
        let input = body.parse()?;
        let mut check = Checker::default();
        let key = check.text("status", input.status, 40, Need::Required).unwrap_or_default();
        let to = status_by_key(&key);
        if to.is_none() && !key.is_empty() {
            check.reject("status", "must be a status key (processing, needs_documents, done, returned...)");
        }
        let note = check.text("note", input.note, 1000, Need::Optional).unwrap_or_default();
        check.finish()?;
        let to = to.ok_or_else(|| ApiError::internal("status"))?;
        advance(conn, site, &code, to, &note, Utc::now().naive_utc(), Some(actor.id))?;
        audit::record_private(
            conn,
            origin,
            "dossier.move",
            &format!("dossier:{code}:{}", status_of(to).0),
            Some(site.id),
        )?;
        let row = find(conn, site.id, &code)?;
        one(conn, site, row, true)
    })
    .await?;
    private_json(&Data { data: dossier }, StatusCode::OK, |_| {})
}

/// What the response cache must know of the dossier routes: the desk's figures change with
/// every dossier, and no kept answer shows a dossier (the citizen's lookup is private), so a
/// busy desk does not drop its ward's kept pages with every dossier it receives.
pub const CACHE: crate::cache::Rules = crate::cache::Rules {
    fresh: &["/api/v1/sites/{site}/desk/statistics"],
    quiet: &["/api/v1/sites/{site}/dossiers", "/api/v1/sites/{site}/dossiers/{code}/status"],
};

/// Registers the dossier routes.
pub fn configure(cfg: &mut utoipa_actix_web::service_config::ServiceConfig) {
    cfg.service(list_dossiers)
        .service(create_dossier)
        .service(get_dossier)
        .service(move_dossier)
        .service(get_statistics);
}
