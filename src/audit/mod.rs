//! The audit log: every write through the API, who made it, when and from which address;
//! readable by admins ([`routes`]).

pub mod routes;

use chrono::Utc;
use diesel::prelude::*;

use crate::db::schema::audit_log;
use crate::db::{self, AnyConnection};

/// Who is writing and from where: what every audit entry records.
#[derive(Debug, Clone)]
pub struct Origin {
    pub user_id: i64,
    pub email: String,
    pub client_ip: String,
}

/// Records one write (`article.publish`) on one target (`article:12`) that public reads show:
/// of site `site_id`, or of every site (`None`: the holidays). In the caller's transaction, so
/// the log and the change stand or fall together; it also bumps the site's `cache_versions`
/// row there, so every node's kept answers of it go stale.
pub fn record(
    conn: &mut AnyConnection,
    origin: &Origin,
    action: &str,
    target: &str,
    site_id: Option<i64>,
) -> QueryResult<()> {
    insert(conn, Some(origin.user_id), &origin.email, &origin.client_ip, action, target, site_id)?;
    db::versions::bump(conn, site_id.unwrap_or(0))
}

/// Records a write that no public read shows (a dossier received or moved, a sign-in): kept
/// answers stay as they are. Its route is one of its resource's quiet writes
/// ([`crate::cache::Rules`]).
pub fn record_private(
    conn: &mut AnyConnection,
    origin: &Origin,
    action: &str,
    target: &str,
    site_id: Option<i64>,
) -> QueryResult<()> {
    insert(conn, Some(origin.user_id), &origin.email, &origin.client_ip, action, target, site_id)
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
