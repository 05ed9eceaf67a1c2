//! The one write path of a site's resources: [`write`] checks the caller's role, opens one
//! writing transaction, runs the change, records it in the audit log (which bumps the site's
//! version once, for the other nodes' caches), keeps the revision the change names, and answers
//! `201` with `Location`, `200` (with the writer's ETag where the change names one) or `204`.

use actix_web::http::{StatusCode, header};
use actix_web::{HttpRequest, HttpResponse, web};
use serde::Serialize;

use super::{Actor, Caller, Role, write_on_site};
use crate::AppState;
use crate::core::error::ApiError;
use crate::db::AnyConnection;
use crate::http::{Data, private_json};
use crate::publishing::Revised;
use crate::sites::Site;

/// What a change did, for the audit log and the answer.
pub struct Done<T> {
    /// The audit action (`official.create`).
    pub action: &'static str,
    /// The audit target (`official:7`).
    pub target: String,
    pub answer: Answer<T>,
    /// The new version's ETag, for the writer's next `If-Match`.
    pub etag: Option<String>,
    /// The state to keep as a revision, the action being the audit action's last part.
    pub revised: Option<Revised>,
}

/// The answer to a write.
pub enum Answer<T> {
    /// `201` with the new state and where it is read.
    Created { location: String, data: T },
    /// `200` with the new state.
    Saved(T),
    /// `204`.
    Deleted,
}

impl<T> Done<T> {
    pub fn created(action: &'static str, target: String, location: String, data: T) -> Self {
        Done { action, target, answer: Answer::Created { location, data }, etag: None, revised: None }
    }

    pub fn saved(action: &'static str, target: String, data: T) -> Self {
        Done { action, target, answer: Answer::Saved(data), etag: None, revised: None }
    }

    /// The answer carries `etag` (a writer's ETag, as `publishing::etag` makes it).
    pub fn with_etag(self, etag: String) -> Self {
        Done { etag: Some(etag), ..self }
    }

    /// The write keeps `revised` as a revision, in the same transaction.
    pub fn with_revision(self, revised: Revised) -> Self {
        Done { revised: Some(revised), ..self }
    }
}

impl Done<()> {
    pub fn deleted(action: &'static str, target: String) -> Self {
        Done { action, target, answer: Answer::Deleted, etag: None, revised: None }
    }
}

/// Runs the change `f` on site `site` for a caller with at least `needed` there, in one
/// transaction with its audit entry, and answers as the change says. `f` parses the body
/// itself, so that a caller without the role learns 401/403 whatever the body.
pub async fn write<T, F>(
    state: &web::Data<AppState>,
    req: &HttpRequest,
    caller: Caller,
    site: String,
    needed: Role,
    f: F,
) -> Result<HttpResponse, ApiError>
where
    T: Serialize + Send + 'static,
    F: FnOnce(&mut AnyConnection, &Site) -> Result<Done<T>, ApiError> + Send + 'static,
{
    write_as(state, req, caller, site, needed, move |conn, site, _, _| f(conn, site)).await
}

/// [`write`] for a change that depends on who makes it (an author edits only their own
/// drafts): `f` also gets the signed-in account and its role on the site.
pub async fn write_as<T, F>(
    state: &web::Data<AppState>,
    req: &HttpRequest,
    caller: Caller,
    site: String,
    needed: Role,
    f: F,
) -> Result<HttpResponse, ApiError>
where
    T: Serialize + Send + 'static,
    F: FnOnce(&mut AnyConnection, &Site, &Actor, Role) -> Result<Done<T>, ApiError> + Send + 'static,
{
    let done = write_on_site(state, req, caller, site, needed, move |conn, site, actor, role, origin| {
        let done = f(conn, site, actor, role)?;
        crate::audit::record(conn, origin, done.action, &done.target, Some(site.id))?;
        if let Some(revised) = &done.revised {
            let action = done.action.rsplit('.').next().unwrap_or(done.action);
            crate::publishing::record(conn, site.id, revised, Some(origin.user_id), action)?;
        }
        Ok(done)
    })
    .await?;
    let etag = done.etag;
    let tagged = |res: &mut actix_web::HttpResponseBuilder| {
        if let Some(etag) = etag {
            res.insert_header((header::ETAG, etag));
        }
    };
    match done.answer {
        Answer::Created { location, data } => private_json(&Data { data }, StatusCode::CREATED, |res| {
            res.insert_header((header::LOCATION, location));
            tagged(res);
        }),
        Answer::Saved(data) => private_json(&Data { data }, StatusCode::OK, tagged),
        Answer::Deleted => Ok(HttpResponse::NoContent().finish()),
    }
}
