//! What publishing shares: the statuses of what is written, edited and published; the
//! `If-Match` check of an edit; and the store of revisions, every saved state of a thing as
//! JSON of its content fields (articles and pages), kept by `auth::staff::write` when a
//! write's `Done` names one.

use chrono::{DateTime, NaiveDateTime, Utc};
use diesel::prelude::*;
use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::core::error::ApiError;
use crate::db::AnyConnection;
use crate::db::schema::revisions;

/// The status of public content; drafts are never shown to anonymous readers.
pub const PUBLISHED: &str = "published";
/// The status of content still being written.
pub const DRAFT: &str = "draft";
/// The status of content submitted for an editor's review.
pub const REVIEW: &str = "review";
/// The status of content in the trash.
pub const TRASHED: &str = "trashed";

/// The ETag a writer sends back in `If-Match`: `"{prefix}{id}v{version}"` (`"p3v2"`).
pub fn etag(prefix: &str, id: i64, version: i32) -> String {
    format!("\"{prefix}{id}v{version}\"")
}

/// The request's `If-Match`, if any.
pub fn if_match(req: &actix_web::HttpRequest) -> Option<String> {
    req.headers().get(actix_web::http::header::IF_MATCH).and_then(|v| v.to_str().ok()).map(str::to_owned)
}

/// 428 without `If-Match`, 412 when it names neither `current` nor `*`; `what` names the thing
/// ("the article").
pub fn check_if_match(if_match: Option<&str>, current: &str, what: &str) -> Result<(), ApiError> {
    let header = if_match.ok_or(ApiError::PreconditionRequired)?;
    if header.split(',').map(str::trim).any(|tag| tag == "*" || tag == current) {
        Ok(())
    } else {
        Err(ApiError::PreconditionFailed(format!("{what} has changed since that version; it is now {current}")))
    }
}

/// One saved state, its content still JSON.
#[derive(Debug, Queryable, Selectable)]
#[diesel(table_name = revisions)]
pub struct StoredRevision {
    pub id: i64,
    pub action: String,
    pub user_id: Option<i64>,
    pub created_at: NaiveDateTime,
    pub content: String,
}

impl StoredRevision {
    /// The content as the kind's own type.
    pub fn content<T: DeserializeOwned>(&self) -> Result<T, ApiError> {
        serde_json::from_str(&self.content)
            .map_err(|e| ApiError::internal(format!("revision {} does not read back: {e}", self.id)))
    }

    pub fn created_at(&self) -> DateTime<Utc> {
        self.created_at.and_utc()
    }
}

/// A revision to keep: the state of `kind` `target` as JSON (see [`Revised::of`]).
pub struct Revised {
    pub kind: &'static str,
    pub target: i64,
    pub content: String,
}

impl Revised {
    /// The state `content` of `kind` `target`.
    pub fn of<T: Serialize>(kind: &'static str, target: i64, content: &T) -> Result<Revised, ApiError> {
        let content = serde_json::to_string(content).map_err(|e| ApiError::internal(format!("revision: {e}")))?;
        Ok(Revised { kind, target, content })
    }
}

/// Keeps `revised` as the state after `action` by `user_id` (`auth::staff::write` does, for a
/// write whose answer carries one).
pub fn record(
    conn: &mut AnyConnection,
    site_id: i64,
    revised: &Revised,
    user_id: Option<i64>,
    action: &str,
) -> Result<(), ApiError> {
    let Revised { kind, target, content } = revised;
    diesel::insert_into(revisions::table)
        .values((
            revisions::kind.eq(kind),
            revisions::target_id.eq(target),
            revisions::site_id.eq(site_id),
            revisions::user_id.eq(user_id),
            revisions::action.eq(action),
            revisions::created_at.eq(Utc::now().naive_utc()),
            revisions::content.eq(content),
        ))
        .execute(conn)?;
    Ok(())
}

/// A page of the revisions of `kind` `target`, newest first, and how many there are.
pub fn list(
    conn: &mut AnyConnection,
    (kind, target): (&str, i64),
    limit: i64,
    offset: i64,
) -> QueryResult<(Vec<StoredRevision>, i64)> {
    let of = || revisions::table.filter(revisions::kind.eq(kind)).filter(revisions::target_id.eq(target));
    let total = of().count().get_result(conn)?;
    let rows =
        of().order(revisions::id.desc()).limit(limit).offset(offset).select(StoredRevision::as_select()).load(conn)?;
    Ok((rows, total))
}

/// Revision `id` of `kind` `target`; 404 when it has none such.
pub fn find(conn: &mut AnyConnection, (kind, target): (&str, i64), id: i64) -> Result<StoredRevision, ApiError> {
    revisions::table
        .filter(revisions::kind.eq(kind))
        .filter(revisions::target_id.eq(target))
        .filter(revisions::id.eq(id))
        .select(StoredRevision::as_select())
        .first(conn)
        .optional()?
        .ok_or_else(|| ApiError::not_found(format!("no revision {id} of this {kind}")))
}

/// Forgets the revisions of `kind` `target` (it was deleted).
pub fn forget(conn: &mut AnyConnection, (kind, target): (&str, i64)) -> QueryResult<()> {
    diesel::delete(revisions::table.filter(revisions::kind.eq(kind)).filter(revisions::target_id.eq(target)))
        .execute(conn)?;
    Ok(())
}
