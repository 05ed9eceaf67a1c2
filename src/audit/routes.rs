//! `GET /api/v1/audit`: the log, for admins.

use actix_web::{HttpRequest, HttpResponse, get, web};
use chrono::{DateTime, NaiveDateTime, Utc};
use diesel::prelude::*;
use serde::Serialize;
use utoipa::ToSchema;

use crate::AppState;
use crate::auth::Caller;
use crate::core::error::{ApiError, Problem};
use crate::db::{self, schema::audit_log};
use crate::http::{List, Page, PageParams};

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
