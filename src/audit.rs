//! The audit log: every write through the API, who made it, when and from which address;
//! readable by admins.

use actix_web::{HttpRequest, HttpResponse, get, web};
use chrono::{DateTime, NaiveDateTime, Utc};
use diesel::prelude::*;
use serde::Serialize;
use utoipa::ToSchema;

use crate::AppState;
use crate::auth::Caller;
use crate::db::schema::audit_log;
use crate::db::{self, AnyConnection};
use crate::error::{ApiError, Problem};
use crate::http::{List, Page, PageParams, client_ip};

/// Who is writing and from where: what every audit entry records.
#[derive(Debug, Clone)]
pub struct Origin {
    pub user_id: i64,
    pub email: String,
    pub client_ip: String,
}

impl Origin {
    /// `actor` acting from `client_ip`.
    pub fn of(actor: &crate::auth::Actor, client_ip: String) -> Origin {
        Origin { user_id: actor.id, email: actor.email.clone(), client_ip }
    }
}

/// The client address of a request, for the log of an action without an actor yet (sign-in).
pub fn request_ip(req: &HttpRequest, state: &AppState) -> String {
    client_ip(req, &state.proxies).map(|ip| ip.to_string()).unwrap_or_default()
}

/// Records one action (`article.publish`) on one target (`article:12`), in the caller's
/// transaction so the log and the change stand or fall together; for a write public reads show
/// (to a site, but a dossier's; to the holidays) it also tells the other nodes' caches, in the
/// same transaction.
pub fn record(
    conn: &mut AnyConnection,
    origin: &Origin,
    action: &str,
    target: &str,
    site_id: Option<i64>,
) -> QueryResult<()> {
    insert(conn, Some(origin.user_id), &origin.email, &origin.client_ip, action, target, site_id)?;
    // Every audited write to a site but a dossier's changes what its public reads answer; of
    // the writes to no site, the public holidays do (0: every site's answers).
    match site_id {
        Some(site) if !action.starts_with("dossier.") => crate::cache::tell_other_nodes(conn, site),
        None if action.starts_with("holiday.") => crate::cache::tell_other_nodes(conn, 0),
        _ => Ok(()),
    }
}

/// Records an event that changes nothing public, by someone who may not be signed in: a
/// failed sign-in (`email` as typed), a refresh token used twice, a sign-out.
pub fn note(
    conn: &mut AnyConnection,
    user_id: Option<i64>,
    email: &str,
    client_ip: &str,
    action: &str,
    target: &str,
) -> QueryResult<()> {
    insert(conn, user_id, email, client_ip, action, target, None)
}

/// Records a staff member's read of personal data (a dossier's applicant): who read what,
/// from where. Changes nothing public.
pub fn read(conn: &mut AnyConnection, origin: &Origin, action: &str, target: &str, site_id: i64) -> QueryResult<()> {
    insert(conn, Some(origin.user_id), &origin.email, &origin.client_ip, action, target, Some(site_id))
}

fn insert(
    conn: &mut AnyConnection,
    user_id: Option<i64>,
    email: &str,
    client_ip: &str,
    action: &str,
    target: &str,
    site_id: Option<i64>,
) -> QueryResult<()> {
    diesel::insert_into(audit_log::table)
        .values((
            audit_log::user_id.eq(user_id),
            audit_log::user_email.eq(email),
            audit_log::action.eq(action),
            audit_log::target.eq(target),
            audit_log::site_id.eq(site_id),
            audit_log::client_ip.eq(client_ip),
            audit_log::created_at.eq(Utc::now().naive_utc()),
        ))
        .execute(conn)
        .map(drop)
}

#[derive(Queryable)]
struct Row {
    id: i64,
    user_id: Option<i64>,
    user_email: String,
    action: String,
    target: String,
    site_id: Option<i64>,
    client_ip: String,
    created_at: NaiveDateTime,
}

/// One recorded write.
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({
    "id": 42, "user_id": 2, "user_email": "bientap@chiminh.gov.vn", "action": "article.publish",
    "target": "article:19", "site_id": 1, "client_ip": "18.207.102.38", "created_at": "2026-11-26T08:15:00Z"
}))]
pub struct AuditEntry {
    pub id: i64,
    pub user_id: Option<i64>,
    pub user_email: String,
    /// What was done: `auth.login`, `auth.login_failed`, `auth.refresh_reused`, `auth.logout`,
    /// `article.create`, `article.publish`, `category.delete`, `dossier.read`...
    pub action: String,
    /// What it was done to: `article:19`, `category:dang-uy-xa`, `user:3`...
    pub target: String,
    pub site_id: Option<i64>,
    pub client_ip: String,
    pub created_at: DateTime<Utc>,
}

/// List the audit log
///
/// Every write through the API, failed sign-ins, refresh tokens used twice, sign-outs and
/// staff reads of dossiers (which name citizens), newest first. Admins only.
#[utoipa::path(
    tag = "admin",
    params(PageParams),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "A page of the log", body = List<AuditEntry>, headers(("Link" = String))),
        (status = 400, description = "A bad parameter", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not an admin", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/audit")]
pub async fn list_audit(
    state: web::Data<AppState>,
    req: HttpRequest,
    caller: Caller,
    params: web::Query<PageParams>,
) -> Result<HttpResponse, ApiError> {
    let page = Page::from_params(&params)?;
    let (rows, total) = db::run(&state.pool, move |conn| {
        caller.actor(conn)?.require_admin()?;
        let total: i64 = audit_log::table.count().get_result(conn)?;
        let rows: Vec<Row> =
            audit_log::table.order(audit_log::id.desc()).limit(page.limit()).offset(page.offset()).load(conn)?;
        Ok((rows, total))
    })
    .await?;
    let data: Vec<AuditEntry> = rows
        .into_iter()
        .map(|r| AuditEntry {
            id: r.id,
            user_id: r.user_id,
            user_email: r.user_email,
            action: r.action,
            target: r.target,
            site_id: r.site_id,
            client_ip: r.client_ip,
            created_at: r.created_at.and_utc(),
        })
        .collect();
    crate::http::private_list_response(&req, data, page, total)
}
