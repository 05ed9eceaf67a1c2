//! Dossiers (hồ sơ) filed at the one-stop desk: received by staff, coded
//! `{unit}-{YYMMDD}-{NNNN}` (Thông tư 01/2018/TT-VPCP, Điều 19), moved through the national
//! status codes 1-10, looked up by citizens with their code, and counted into the statistics
//! wards publish (received by channel; processed early, on time or late; in progress within
//! or past the deadline).

use std::collections::HashMap;

use actix_web::http::{StatusCode, header};
use actix_web::{HttpRequest, HttpResponse, get, post, web};
use chrono::{DateTime, Datelike, Duration, FixedOffset, NaiveDate, NaiveDateTime, Utc};
use diesel::prelude::*;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::calendar::Calendar;
use crate::AppState;
use crate::audit;
use crate::auth::{Caller, Role, on_site};
use crate::core::error::{ApiError, Problem};
use crate::db::schema::{dossier_events, dossiers};
use crate::db::{self, AnyConnection};
use crate::http::input::{Checker, Need};
use crate::http::{Data, List, Page, check, field_error, fresh_json, private_json, private_list_response};
use crate::sites::Site;

/// The national status codes: (code, key, name).
pub const STATUSES: [(i32, &str, &str); 10] = [
    (1, "submitted", "Mới đăng ký"),
    (2, "received", "Được tiếp nhận"),
    (3, "rejected", "Không được tiếp nhận"),
    (4, "processing", "Đang xử lý"),
    (5, "needs_documents", "Yêu cầu bổ sung giấy tờ"),
    (6, "awaiting_payment", "Yêu cầu thực hiện nghĩa vụ tài chính"),
    (7, "withdrawn", "Công dân yêu cầu rút hồ sơ"),
    (8, "stopped", "Dừng xử lý"),
    (9, "done", "Đã xử lý xong"),
    (10, "returned", "Đã trả kết quả"),
];

/// Statuses that end a dossier without a result.
const CLOSED: [i32; 3] = [3, 7, 8];
const PROCESSING: i32 = 4;
const NEEDS_DOCUMENTS: i32 = 5;
const AWAITING_PAYMENT: i32 = 6;
const DONE: i32 = 9;
const RETURNED: i32 = 10;

/// The channels a dossier comes by.
pub const CHANNELS: [&str; 3] = ["truc_tiep", "truc_tuyen", "buu_chinh"];

fn status_by_key(key: &str) -> Option<i32> {
    STATUSES.iter().find(|(_, k, _)| *k == key).map(|(c, _, _)| *c)
}

fn status_of(code: i32) -> (&'static str, &'static str) {
    STATUSES.iter().find(|(c, _, _)| *c == code).map_or(("unknown", ""), |(_, k, n)| (*k, *n))
}

/// The statuses a dossier may move to from `from`.
pub fn next_statuses(from: i32) -> &'static [i32] {
    match from {
        1 => &[2, 3],
        2 => &[3, 4, 7, 8],
        4 => &[5, 6, 7, 8, 9],
        5 => &[4, 7, 8],
        6 => &[4, 7],
        9 => &[10],
        _ => &[],
    }
}

/// A status a dossier took.
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({"status": "received", "status_name": "Được tiếp nhận", "note": "Đã nhận đủ hồ sơ",
    "at": "2026-11-26T09:15:00+07:00"}))]
pub struct DossierEvent {
    pub status: String,
    pub status_name: String,
    /// What the desk told the citizen.
    pub note: String,
    #[serde(serialize_with = "crate::http::serialize_time")]
    pub at: DateTime<FixedOffset>,
}

/// The procedure a dossier is for.
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({"code": "1.001193", "name": "Thủ tục đăng ký khai sinh"}))]
pub struct ProcedureRef {
    pub code: String,
    pub name: String,
}

/// A dossier. Looked up by the citizen (with the receipt's key, no token), the applicant's
/// name is shortened (`Nguyễn V. A.`) and the phone and key left out.
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({
    "code": "000.01.14.H23-261126-0001", "lookup_key": null, "procedure": {"code": "1.001193", "name": "Thủ tục đăng ký khai sinh"},
    "applicant_name": "Nguyễn V. A.", "applicant_phone": null, "channel": "truc_tiep",
    "status": "processing", "status_code": 4, "status_name": "Đang xử lý",
    "received_at": "2026-11-26T09:15:00+07:00", "due_at": "2026-11-26T17:00:00+07:00", "finished_at": null, "returned_at": null,
    "history": [{"status": "received", "status_name": "Được tiếp nhận", "note": "", "at": "2026-11-26T09:15:00+07:00"},
                {"status": "processing", "status_name": "Đang xử lý", "note": "", "at": "2026-11-26T09:20:00+07:00"}]
}))]
pub struct Dossier {
    /// The dossier's code (mã hồ sơ), printed on the receipt.
    pub code: String,
    /// Staff only (null in a public lookup): the key printed on the receipt beside the code,
    /// which the citizen's lookup needs.
    pub lookup_key: Option<String>,
    pub procedure: ProcedureRef,
    pub applicant_name: String,
    /// Staff only; null in a public lookup.
    pub applicant_phone: Option<String>,
    /// `truc_tiep` (at the desk), `truc_tuyen` (online) or `buu_chinh` (by post).
    pub channel: String,
    pub status: String,
    /// The national status code, 1 to 10.
    pub status_code: i32,
    pub status_name: String,
    #[serde(serialize_with = "crate::http::serialize_time")]
    pub received_at: DateTime<FixedOffset>,
    /// When the result is due (the desk's close on the last working day).
    #[serde(serialize_with = "crate::http::serialize_time")]
    pub due_at: DateTime<FixedOffset>,
    /// When the result was ready.
    #[serde(serialize_with = "crate::http::serialize_opt_time")]
    pub finished_at: Option<DateTime<FixedOffset>>,
    /// When it was handed to the citizen.
    #[serde(serialize_with = "crate::http::serialize_opt_time")]
    pub returned_at: Option<DateTime<FixedOffset>>,
    /// Oldest first.
    pub history: Vec<DossierEvent>,
}

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = dossiers)]
struct DossierRow {
    id: i64,
    code: String,
    lookup_key: String,
    procedure_id: i64,
    applicant_name: String,
    applicant_phone: String,
    channel: String,
    status: i32,
    received_at: NaiveDateTime,
    due_at: NaiveDateTime,
    finished_at: Option<NaiveDateTime>,
    returned_at: Option<NaiveDateTime>,
}

/// `Nguyễn Văn An` → `Nguyễn V. A.`: the family name and initials, for public lookups.
pub fn shorten_name(name: &str) -> String {
    let mut words = name.split_whitespace();
    let mut out = words.next().unwrap_or("").to_owned();
    for w in words {
        if let Some(c) = w.chars().next() {
            out.push(' ');
            out.push(c);
            out.push('.');
        }
    }
    out
}

/// Dossiers as their viewers see them, with their procedures and histories (three queries).
fn views(conn: &mut AnyConnection, site: &Site, rows: Vec<DossierRow>, staff: bool) -> QueryResult<Vec<Dossier>> {
    let ids: Vec<i64> = rows.iter().map(|r| r.id).collect();
    let procedure_ids: Vec<i64> = rows.iter().map(|r| r.procedure_id).collect();
    let procedures = super::procedures_by_id(conn, &procedure_ids)?;
    let mut history: HashMap<i64, Vec<DossierEvent>> = HashMap::new();
    let events: Vec<(i64, i32, String, NaiveDateTime)> = dossier_events::table
        .filter(dossier_events::dossier_id.eq_any(&ids))
        .order((dossier_events::dossier_id.asc(), dossier_events::id.asc()))
        .select((dossier_events::dossier_id, dossier_events::status, dossier_events::note, dossier_events::at))
        .load(conn)?;
    for (dossier, status, note, at) in events {
        let (key, name) = status_of(status);
        history.entry(dossier).or_default().push(DossierEvent {
            status: key.into(),
            status_name: name.into(),
            note,
            at: site.local(at),
        });
    }
    Ok(rows
        .into_iter()
        .map(|r| {
            let (key, name) = status_of(r.status);
            let (code, pname) =
                procedures.get(&r.procedure_id).map(|(c, n, _)| (c.clone(), n.clone())).unwrap_or_default();
            Dossier {
                procedure: ProcedureRef { code, name: pname },
                applicant_name: if staff { r.applicant_name } else { shorten_name(&r.applicant_name) },
                applicant_phone: staff.then_some(r.applicant_phone),
                lookup_key: staff.then_some(r.lookup_key),
                channel: r.channel,
                status: key.into(),
                status_code: r.status,
                status_name: name.into(),
                received_at: site.local(r.received_at),
                due_at: site.local(r.due_at),
                finished_at: r.finished_at.map(|t| site.local(t)),
                returned_at: r.returned_at.map(|t| site.local(t)),
                history: history.remove(&r.id).unwrap_or_default(),
                code: r.code,
            }
        })
        .collect())
}

fn find(conn: &mut AnyConnection, site_id: i64, code: &str) -> Result<DossierRow, ApiError> {
    dossiers::table
        .filter(dossiers::site_id.eq(site_id))
        .filter(dossiers::code.eq(code))
        .select(DossierRow::as_select())
        .first(conn)
        .optional()?
        .ok_or_else(|| ApiError::not_found(format!("no dossier {code:?} at this desk")))
}

fn one(conn: &mut AnyConnection, site: &Site, row: DossierRow, staff: bool) -> Result<Dossier, ApiError> {
    views(conn, site, vec![row], staff)?.pop().ok_or_else(|| ApiError::internal("dossier vanished"))
}

/// The deadline of `days` working days from `at` (UTC), as UTC.
fn deadline(conn: &mut AnyConnection, site: &Site, at: NaiveDateTime, days: i32) -> QueryResult<NaiveDateTime> {
    let local = site.local(at).naive_local();
    let calendar = Calendar::new(super::holidays_from(conn, local.date())?);
    Ok(site.to_utc(calendar.due(local, days.max(0) as u32)))
}

/// A key for the receipt: eight letters and digits that cannot be mistaken for one another.
fn lookup_key() -> String {
    const ALPHABET: &[u8] = b"ABCDEFGHJKLMNPQRSTUVWXYZ23456789";
    (0..8).map(|_| ALPHABET[rand::random_range(0..ALPHABET.len())] as char).collect()
}

/// Writes a dossier received at `received` for the procedure (id, working days) from the
/// applicant (name, phone, channel), with its code, deadline and first event. Returns the code.
#[allow(clippy::too_many_arguments)]
pub fn receive(
    conn: &mut AnyConnection,
    site: &Site,
    unit: &str,
    (procedure_id, days): (i64, i32),
    (name, phone, channel): (&str, &str, &str),
    received: NaiveDateTime,
    note: &str,
    user: Option<i64>,
) -> Result<String, ApiError> {
    let due = deadline(conn, site, received, days)?;
    let prefix = format!("{unit}-{}-", site.local(received).format("%y%m%d"));
    let key = lookup_key();
    // The day's next number; a clash with a dossier received at the same moment tries again.
    for _ in 0..5 {
        let today: Vec<String> = dossiers::table
            .filter(dossiers::site_id.eq(site.id))
            .filter(dossiers::code.like(format!("{prefix}%")))
            .select(dossiers::code)
            .load(conn)?;
        // LIKE ignores case on SQLite only: compare exactly here.
        let last = today.iter().filter_map(|c| c.strip_prefix(&prefix)?.parse::<u32>().ok()).max().unwrap_or(0);
        let code = format!("{prefix}{:04}", last + 1);
        let inserted = conn.transaction(|conn| {
            diesel::insert_into(dossiers::table)
                .values((
                    dossiers::site_id.eq(site.id),
                    dossiers::code.eq(&code),
                    dossiers::lookup_key.eq(&key),
                    dossiers::procedure_id.eq(procedure_id),
                    dossiers::applicant_name.eq(name),
                    dossiers::applicant_phone.eq(phone),
                    dossiers::channel.eq(channel),
                    dossiers::status.eq(2),
                    dossiers::received_at.eq(received),
                    dossiers::due_at.eq(due),
                    dossiers::created_by.eq(user),
                    dossiers::updated_at.eq(received),
                ))
                .returning(dossiers::id)
                .get_result::<i64>(conn)
        });
        match inserted {
            Ok(id) => {
                diesel::insert_into(dossier_events::table)
                    .values((
                        dossier_events::dossier_id.eq(id),
                        dossier_events::status.eq(2),
                        dossier_events::note.eq(note),
                        dossier_events::at.eq(received),
                        dossier_events::user_id.eq(user),
                    ))
                    .execute(conn)?;
                return Ok(code);
            }
            Err(diesel::result::Error::DatabaseError(diesel::result::DatabaseErrorKind::UniqueViolation, _)) => {}
            Err(e) => return Err(e.into()),
        }
    }
    Err(ApiError::Conflict("too many dossiers at once; try again".into()))
}

/// Moves the dossier `code` to the status `to` at `at` (UTC), if its status allows it.
pub fn advance(
    conn: &mut AnyConnection,
    site: &Site,
    code: &str,
    to: i32,
    note: &str,
    at: NaiveDateTime,
    user: Option<i64>,
) -> Result<(), ApiError> {
    let row = find(conn, site.id, code)?;
    if !next_statuses(row.status).contains(&to) {
        let allowed: Vec<&str> = next_statuses(row.status).iter().map(|s| status_of(*s).0).collect();
        let options = match allowed.split_last() {
            None => "nowhere".to_owned(),
            Some((last, [])) => last.to_string(),
            Some((last, rest)) => format!("{} or {last}", rest.join(", ")),
        };
        return Err(ApiError::Conflict(format!(
            "a dossier that is {} can go to {options}, not {}",
            status_of(row.status).0,
            status_of(to).0
        )));
    }
    let mut due = row.due_at;
    // Back from waiting on the citizen: the desk's clock starts again.
    if [NEEDS_DOCUMENTS, AWAITING_PAYMENT].contains(&row.status) && to == PROCESSING {
        let days = super::procedures_by_id(conn, &[row.procedure_id])?.get(&row.procedure_id).map_or(0, |p| p.2);
        due = deadline(conn, site, at, days)?;
    }
    // Only from the status read above: of two moves at once (done and withdrawn, say), the
    // second finds the status changed and changes nothing.
    let moved = diesel::update(dossiers::table.find(row.id).filter(dossiers::status.eq(row.status)))
        .set((
            dossiers::status.eq(to),
            dossiers::due_at.eq(due),
            dossiers::finished_at.eq(if to == DONE { Some(at) } else { row.finished_at }),
            dossiers::returned_at.eq(if to == RETURNED { Some(at) } else { row.returned_at }),
            dossiers::updated_at.eq(at),
        ))
        .execute(conn)?;
    if moved == 0 {
        return Err(ApiError::Conflict(format!(
            "the dossier was moved by someone else at the same time (it was {}); read it again",
            status_of(row.status).0
        )));
    }
    diesel::insert_into(dossier_events::table)
        .values((
            dossier_events::dossier_id.eq(row.id),
            dossier_events::status.eq(to),
            dossier_events::note.eq(note),
            dossier_events::at.eq(at),
            dossier_events::user_id.eq(user),
        ))
        .execute(conn)?;
    Ok(())
}

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
        ("site" = String, Path, description = "Site slug", example = "phuong-chi-minh"),
        ("code" = String, Path, description = "Dossier code", example = "000.01.14.H23-261126-0001"),
        LookupParams,
    ),
    security((), ("bearer" = [])),
    responses(
        (status = 200, description = "The dossier", body = Data<Dossier>, headers(("Cache-Control" = String))),
        (status = 401, description = "A bad token", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such site, or no dossier with that code and key", body = Problem, content_type = "application/problem+json"),
        (status = 429, description = "Too many wrong keys from this address; see Retry-After", body = Problem, content_type = "application/problem+json"),
        (status = 503, description = "Database unavailable", body = Problem, content_type = "application/problem+json"),
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
    /// Page number, from 1. A list reaches its first 100,000 items: `page × per_page` at most
    /// 100000 (narrow the list with its filters to reach further).
    #[param(value_type = Option<u32>, minimum = 1, maximum = 100000, example = 1)]
    pub page: Option<String>,
    /// Items per page, 1 to 100 (default 20).
    #[param(value_type = Option<u32>, minimum = 1, maximum = 100, example = 20)]
    pub per_page: Option<String>,
    /// Only this status (`received`, `processing`, `done`...).
    #[param(example = "processing")]
    pub status: Option<String>,
}

/// List a desk's dossiers
///
/// Newest first. Roles: staff of the site.
#[utoipa::path(
    tag = "desk",
    params(("site" = String, Path, description = "Site slug", example = "phuong-chi-minh"), DossierParams),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "A page of dossiers", body = List<Dossier>, headers(("Link" = String))),
        (status = 400, description = "A bad parameter, named in `errors`", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "No role on this site", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such site", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/sites/{site}/dossiers")]
pub async fn list_dossiers(
    state: web::Data<AppState>,
    req: HttpRequest,
    caller: Caller,
    path: web::Path<String>,
    params: web::Query<DossierParams>,
) -> Result<HttpResponse, ApiError> {
    let params = params.into_inner();
    let mut errors = Vec::new();
    let page = Page::parse_parts(params.page.as_deref(), params.per_page.as_deref(), &mut errors);
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
        on_site(&state, &req, caller, path.into_inner(), Role::Author, move |conn, site, _, _, origin| {
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
    pub procedure: Option<String>,
    /// 1 to 200 characters.
    pub applicant_name: Option<String>,
    /// Up to 20 characters.
    pub applicant_phone: Option<String>,
    /// `truc_tiep` (the default), `truc_tuyen` or `buu_chinh`.
    pub channel: Option<String>,
    /// When it was received, if not now (a date or RFC 3339 time, not in the future).
    pub received_at: Option<String>,
    /// Shown to the citizen; up to 1000 characters.
    pub note: Option<String>,
}

/// Receive a dossier
///
/// Gives it its code and deadline (the procedure's working days, skipping weekends and
/// holidays) with the status `received`. Roles: staff of the site.
#[utoipa::path(
    tag = "desk",
    params(("site" = String, Path, description = "Site slug", example = "phuong-chi-minh")),
    request_body = DossierInput,
    security(("bearer" = [])),
    responses(
        (status = 201, description = "Received", body = Data<Dossier>, headers(("Location" = String))),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "No role on this site", body = Problem, content_type = "application/problem+json"),
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
    body: web::Json<DossierInput>,
) -> Result<HttpResponse, ApiError> {
    let input = body.into_inner();
    let (location, dossier) =
        on_site(&state, &req, caller, path.into_inner(), Role::Author, move |conn, site, actor, _, origin| {
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
                check.reject("procedure", format!("no procedure {procedure:?} at this desk"));
            }
            check.finish()?;
            let (procedure_id, procedure) = found.ok_or_else(|| ApiError::internal("procedure"))?;
            conn.transaction(|conn| {
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
                audit::record(conn, origin, "dossier.receive", &format!("dossier:{code}"), Some(site.id))?;
                let row = find(conn, site.id, &code)?;
                Ok((format!("/api/v1/sites/{}/dossiers/{code}", site.slug), one(conn, site, row, true)?))
            })
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
    pub status: Option<String>,
    /// Shown to the citizen; up to 1000 characters.
    pub note: Option<String>,
}

/// Move a dossier on
///
/// Received → processing → done → returned, with the detours the national codes allow
/// (rejected at receipt; needs documents, awaiting payment, withdrawn, stopped). When the
/// citizen has done their part (needs documents or awaiting payment → processing), the
/// deadline starts again from then. Roles: staff of the
/// site.
#[utoipa::path(
    tag = "desk",
    params(
        ("site" = String, Path, description = "Site slug", example = "phuong-chi-minh"),
        ("code" = String, Path, description = "Dossier code", example = "000.01.14.H23-261126-0001"),
    ),
    request_body = StatusInput,
    security(("bearer" = [])),
    responses(
        (status = 200, description = "Moved", body = Data<Dossier>),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "No role on this site", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such site or dossier", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Not a move its status allows", body = Problem, content_type = "application/problem+json",
         example = json!({"type": "/problems/conflict", "title": "Conflict", "status": 409,
            "detail": "a dossier that is received can go to processing, withdrawn or stopped, not returned"})),
        (status = 422, description = "Invalid fields, named in `errors`", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/sites/{site}/dossiers/{code}/status")]
pub async fn move_dossier(
    state: web::Data<AppState>,
    req: HttpRequest,
    caller: Caller,
    path: web::Path<(String, String)>,
    body: web::Json<StatusInput>,
) -> Result<HttpResponse, ApiError> {
    let (site, code) = path.into_inner();
    let input = body.into_inner();
    let mut check = Checker::default();
    let key = check.text("status", input.status, 40, Need::Required).unwrap_or_default();
    let to = status_by_key(&key);
    if to.is_none() && !key.is_empty() {
        check.reject("status", "must be a status key (processing, needs_documents, done, returned...)");
    }
    let note = check.text("note", input.note, 1000, Need::Optional).unwrap_or_default();
    check.finish()?;
    let to = to.ok_or_else(|| ApiError::internal("status"))?;
    let dossier = on_site(&state, &req, caller, site, Role::Author, move |conn, site, actor, _, origin| {
        db::write(conn, |conn| {
            advance(conn, site, &code, to, &note, Utc::now().naive_utc(), Some(actor.id))?;
            audit::record(conn, origin, "dossier.move", &format!("dossier:{code}:{}", status_of(to).0), Some(site.id))?;
            let row = find(conn, site.id, &code)?;
            one(conn, site, row, true)
        })
    })
    .await?;
    private_json(&Data { data: dossier }, StatusCode::OK, |_| {})
}

/// Dossiers received in the period, by channel.
#[derive(Debug, Default, Serialize, ToSchema)]
#[schema(example = json!({"carried_over": 2, "in_period": 41, "in_person": 30, "online": 10, "postal": 1}))]
pub struct Received {
    /// Received before the period and still open when it began.
    pub carried_over: i64,
    /// Received in the period.
    pub in_period: i64,
    pub in_person: i64,
    pub online: i64,
    pub postal: i64,
}

/// Dossiers whose result was ready in the period.
#[derive(Debug, Default, Serialize, ToSchema)]
#[schema(example = json!({"total": 38, "early": 20, "on_time": 17, "late": 1}))]
pub struct Processed {
    pub total: i64,
    /// Ready before the day it was due.
    pub early: i64,
    /// Ready on the day it was due, by the deadline.
    pub on_time: i64,
    /// Ready after the deadline.
    pub late: i64,
}

/// Dossiers still open at the end of the period (or now, for a period not over yet), by the
/// status they have now.
#[derive(Debug, Default, Serialize, ToSchema)]
#[schema(example = json!({"total": 5, "within_deadline": 3, "overdue": 0, "waiting_on_citizen": 2}))]
pub struct InProgress {
    pub total: i64,
    pub within_deadline: i64,
    pub overdue: i64,
    /// Waiting for documents or a payment from the citizen: the desk's clock is not running.
    pub waiting_on_citizen: i64,
}

/// The desk's figures for a period, as wards publish them (the 06a/06b report of Thông tư
/// 01/2018/TT-VPCP).
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({
    "from": "2026-11-01", "to": "2026-11-30",
    "received": {"carried_over": 2, "in_period": 41, "in_person": 30, "online": 10, "postal": 1},
    "processed": {"total": 38, "early": 20, "on_time": 17, "late": 1},
    "in_progress": {"total": 4, "within_deadline": 4, "overdue": 0, "waiting_on_citizen": 0},
    "returned": 36, "rejected": 0, "withdrawn": 1, "stopped": 0, "on_time_percent": 97.4
}))]
pub struct Statistics {
    /// The first day of the period (site time).
    pub from: NaiveDate,
    /// The last day of the period, included.
    pub to: NaiveDate,
    pub received: Received,
    pub processed: Processed,
    pub in_progress: InProgress,
    /// Results handed over in the period.
    pub returned: i64,
    /// Closed in the period without a result.
    pub rejected: i64,
    pub withdrawn: i64,
    pub stopped: i64,
    /// Early and on time, as a share of those processed (one decimal); null when none were.
    pub on_time_percent: Option<f64>,
}

/// The period of the statistics.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct StatisticsParams {
    /// First day (YYYY-MM-DD, site time); default the first of this month.
    #[param(example = "2026-11-01")]
    pub from: Option<String>,
    /// Last day, included (YYYY-MM-DD); default today. At most 366 days after `from`.
    #[param(example = "2026-11-30")]
    pub to: Option<String>,
}

#[derive(Queryable)]
struct Counted {
    channel: String,
    status: i32,
    received_at: NaiveDateTime,
    due_at: NaiveDateTime,
    finished_at: Option<NaiveDateTime>,
    returned_at: Option<NaiveDateTime>,
    updated_at: NaiveDateTime,
}

/// Counts `rows` into the figures of [`start`, `end`) (UTC), as of `now`.
fn count(
    rows: &[Counted],
    from: NaiveDate,
    to: NaiveDate,
    start: NaiveDateTime,
    end: NaiveDateTime,
    now: NaiveDateTime,
) -> Statistics {
    let within = |t: NaiveDateTime| t >= start && t < end;
    let closed_by = |r: &Counted, t: NaiveDateTime| CLOSED.contains(&r.status) && r.updated_at <= t;
    let open_at =
        |r: &Counted, t: NaiveDateTime| r.received_at < t && r.finished_at.is_none_or(|f| f > t) && !closed_by(r, t);
    let as_of = end.min(now);
    let mut s = Statistics {
        from,
        to,
        received: Received::default(),
        processed: Processed::default(),
        in_progress: InProgress::default(),
        returned: 0,
        rejected: 0,
        withdrawn: 0,
        stopped: 0,
        on_time_percent: None,
    };
    for r in rows {
        if open_at(r, start) {
            s.received.carried_over += 1;
        }
        if within(r.received_at) {
            s.received.in_period += 1;
            match r.channel.as_str() {
                "truc_tuyen" => s.received.online += 1,
                "buu_chinh" => s.received.postal += 1,
                _ => s.received.in_person += 1,
            }
        }
        if let Some(f) = r.finished_at.filter(|f| within(*f)) {
            s.processed.total += 1;
            if f > r.due_at {
                s.processed.late += 1;
            } else if f.date() < r.due_at.date() {
                s.processed.early += 1;
            } else {
                s.processed.on_time += 1;
            }
        }
        if open_at(r, as_of) {
            s.in_progress.total += 1;
            if [NEEDS_DOCUMENTS, AWAITING_PAYMENT].contains(&r.status) {
                s.in_progress.waiting_on_citizen += 1;
            } else if r.due_at < as_of {
                s.in_progress.overdue += 1;
            } else {
                s.in_progress.within_deadline += 1;
            }
        }
        if r.returned_at.is_some_and(within) {
            s.returned += 1;
        }
        if CLOSED.contains(&r.status) && within(r.updated_at) {
            match r.status {
                3 => s.rejected += 1,
                7 => s.withdrawn += 1,
                _ => s.stopped += 1,
            }
        }
    }
    if s.processed.total > 0 {
        let share = (s.processed.early + s.processed.on_time) as f64 * 100.0 / s.processed.total as f64;
        s.on_time_percent = Some((share * 10.0).round() / 10.0);
    }
    s
}

/// Get a desk's statistics
///
/// What the desk received, processed (early, on time, late) and still has open, for a period
/// of site days. The figures change as time passes, so they are recounted on every request
/// (`Cache-Control: no-cache`; the `ETag` still answers `If-None-Match` with 304).
#[utoipa::path(
    tag = "desk",
    params(("site" = String, Path, description = "Site slug", example = "phuong-chi-minh"), StatisticsParams),
    responses(
        (status = 200, description = "The figures", body = Data<Statistics>, headers(("ETag" = String), ("Cache-Control" = String))),
        (status = 304, description = "Not modified (If-None-Match)"),
        (status = 400, description = "A bad period, named in `errors`", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such site", body = Problem, content_type = "application/problem+json"),
        (status = 503, description = "Database unavailable", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/sites/{site}/desk/statistics")]
pub async fn get_statistics(
    state: web::Data<AppState>,
    req: HttpRequest,
    path: web::Path<String>,
    params: web::Query<StatisticsParams>,
) -> Result<HttpResponse, ApiError> {
    let params = params.into_inner();
    let slug = path.into_inner();
    let st = state.clone();
    let stats = db::run(&state.pool, move |conn| {
        let context = st.sites.get(conn, &st.responses, &slug)?;
        let site = &context.site;
        let now = Utc::now().naive_utc();
        let today = site.local(now).date_naive();
        let mut errors = Vec::new();
        let mut day = |field: &str, value: Option<&str>, default: NaiveDate| match value.filter(|v| !v.is_empty()) {
            None => default,
            Some(v) => crate::http::input::parse_date(v).unwrap_or_else(|| {
                errors.push(field_error(field, "must be a date like 2026-11-01, from 1900 to 2100"));
                default
            }),
        };
        let from = day("from", params.from.as_deref(), today.with_day(1).unwrap_or(today));
        let to = day("to", params.to.as_deref(), today);
        if to < from || (to - from).num_days() > 366 {
            errors.push(field_error("to", "must be from `from` to 366 days after it"));
        }
        check(errors)?;
        let utc = |d: NaiveDate| site.to_utc(d.and_time(chrono::NaiveTime::MIN));
        let (start, end) = (utc(from), utc(to + Duration::days(1)));
        let rows: Vec<Counted> = dossiers::table
            .filter(dossiers::site_id.eq(site.id))
            .filter(dossiers::received_at.lt(end))
            .filter(
                dossiers::finished_at
                    .is_null()
                    .or(dossiers::finished_at.ge(start))
                    .or(dossiers::returned_at.ge(start))
                    .or(dossiers::updated_at.ge(start)),
            )
            .select((
                dossiers::channel,
                dossiers::status,
                dossiers::received_at,
                dossiers::due_at,
                dossiers::finished_at,
                dossiers::returned_at,
                dossiers::updated_at,
            ))
            .load(conn)?;
        // Due times compare as site days for early/on time: shift everything into site time.
        let local = |t: NaiveDateTime| site.local(t).naive_local();
        let rows: Vec<Counted> = rows
            .into_iter()
            .map(|r| Counted {
                received_at: local(r.received_at),
                due_at: local(r.due_at),
                finished_at: r.finished_at.map(local),
                returned_at: r.returned_at.map(local),
                updated_at: local(r.updated_at),
                ..r
            })
            .collect();
        Ok(count(&rows, from, to, local(start), local(end), local(now)))
    })
    .await?;
    fresh_json(&req, &Data { data: stats })
}

/// Registers the dossier routes.
pub fn configure(cfg: &mut utoipa_actix_web::service_config::ServiceConfig) {
    cfg.service(list_dossiers)
        .service(create_dossier)
        .service(get_dossier)
        .service(move_dossier)
        .service(get_statistics);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_shortened_for_the_public() {
        assert_eq!(shorten_name("Nguyễn Văn An"), "Nguyễn V. A.");
        assert_eq!(shorten_name("  Đỗ   Thị  Ánh Hồng "), "Đỗ T. Á. H.");
        assert_eq!(shorten_name("Lan"), "Lan");
    }

    fn at(d: u32, h: u32) -> NaiveDateTime {
        NaiveDate::from_ymd_opt(2026, 11, d).unwrap().and_hms_opt(h, 0, 0).unwrap()
    }

    fn row(
        channel: &str,
        status: i32,
        received: NaiveDateTime,
        due: NaiveDateTime,
        finished: Option<NaiveDateTime>,
    ) -> Counted {
        Counted {
            channel: channel.into(),
            status,
            received_at: received,
            due_at: due,
            finished_at: finished,
            returned_at: None,
            updated_at: finished.unwrap_or(received),
        }
    }

    #[test]
    fn the_period_counts_each_dossier_where_it_belongs() {
        let rows = [
            // Received in October, open on 1 November: carried over; done late in November.
            row("truc_tiep", DONE, at(1, 0) - Duration::days(3), at(2, 17), Some(at(3, 9))),
            // Done on its due day, before the close: on time.
            row("truc_tuyen", DONE, at(9, 9), at(10, 17), Some(at(10, 16))),
            // Done the day before it was due: early.
            row("buu_chinh", DONE, at(9, 9), at(12, 17), Some(at(11, 9))),
            // Still open, past its deadline on the 20th.
            row("truc_tiep", PROCESSING, at(12, 9), at(13, 17), None),
            // Still open, within its deadline.
            row("truc_tiep", PROCESSING, at(19, 9), at(25, 17), None),
            // Waiting for the citizen's documents: past its old deadline, but not overdue.
            row("truc_tiep", NEEDS_DOCUMENTS, at(18, 9), at(19, 17), None),
            // Rejected in the period.
            row("truc_tiep", 3, at(15, 9), at(16, 17), None),
        ];
        let (from, to) =
            (NaiveDate::from_ymd_opt(2026, 11, 1).unwrap(), NaiveDate::from_ymd_opt(2026, 11, 19).unwrap());
        let s = count(&rows, from, to, at(1, 0), at(20, 0), at(26, 0));
        assert_eq!(
            (s.received.carried_over, s.received.in_period, s.received.in_person, s.received.online, s.received.postal),
            (1, 6, 4, 1, 1)
        );
        assert_eq!((s.processed.total, s.processed.early, s.processed.on_time, s.processed.late), (3, 1, 1, 1));
        let p = &s.in_progress;
        assert_eq!((p.total, p.within_deadline, p.overdue, p.waiting_on_citizen), (3, 1, 1, 1));
        assert_eq!((s.rejected, s.withdrawn, s.stopped), (1, 0, 0));
        assert_eq!(s.on_time_percent, Some(66.7));
    }

    #[test]
    fn statuses_move_only_forward_or_aside() {
        assert_eq!(next_statuses(2), &[3, 4, 7, 8]);
        assert!(next_statuses(10).is_empty());
        assert!(next_statuses(9).contains(&RETURNED));
        for (code, key, _) in STATUSES {
            assert_eq!(status_by_key(key), Some(code));
        }
    }
}
