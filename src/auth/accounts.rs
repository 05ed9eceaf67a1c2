//! Creating accounts and granting roles (the `portal user` commands and the first admin).

use chrono::Utc;
use diesel::prelude::*;

use super::{Role, password};
use crate::db::AnyConnection;
use crate::db::schema::{memberships, sites, users};

/// A checked, lower-case email address.
pub fn normalise_email(email: &str) -> Result<String, String> {
    let email = email.trim().to_lowercase();
    let valid = email.len() <= 254
        && email
            .split_once('@')
            .is_some_and(|(local, domain)| !local.is_empty() && domain.contains('.') && !domain.starts_with('.'))
        && !email.contains(char::is_whitespace);
    if valid { Ok(email) } else { Err(format!("{email:?} is not an email address")) }
}

/// Creates a user with `role` (on `site` unless admin). Returns the new id.
pub fn create(
    conn: &mut AnyConnection,
    email: &str,
    password: &str,
    role: Role,
    site: Option<&str>,
) -> Result<i64, String> {
    let email = normalise_email(email)?;
    password::check_strength(password, &email).map_err(|e| format!("password {e}"))?;
    let site_id = site_for(conn, role, site)?;
    let exists: i64 =
        users::table.filter(users::email.eq(&email)).count().get_result(conn).map_err(|e| e.to_string())?;
    if exists > 0 {
        return Err(format!("{email} already has an account; give it a role with `portal user grant`"));
    }
    let hash = password::hash(password);
    conn.transaction(|conn| {
        let id: i64 = diesel::insert_into(users::table)
            .values((
                users::email.eq(&email),
                users::password_hash.eq(&hash),
                users::is_admin.eq(role == Role::Admin),
                users::created_at.eq(Utc::now().naive_utc()),
            ))
            .returning(users::id)
            .get_result(conn)?;
        if let Some(site_id) = site_id {
            add_membership(conn, id, site_id, role)?;
        }
        Ok(id)
    })
    .map_err(|e: diesel::result::Error| e.to_string())
}

/// Makes user `id` a `role` of site `site_id`.
fn add_membership(conn: &mut AnyConnection, id: i64, site_id: i64, role: Role) -> QueryResult<()> {
    diesel::insert_into(memberships::table)
        .values((memberships::user_id.eq(id), memberships::site_id.eq(site_id), memberships::role.eq(role.as_str())))
        .execute(conn)
        .map(drop)
}

/// Gives an existing user `role` (on `site` unless admin), replacing their role there.
pub fn grant(conn: &mut AnyConnection, email: &str, role: Role, site: Option<&str>) -> Result<(), String> {
    let email = normalise_email(email)?;
    let site_id = site_for(conn, role, site)?;
    let id: i64 = users::table
        .filter(users::email.eq(&email))
        .select(users::id)
        .first(conn)
        .optional()
        .map_err(|e| e.to_string())?
        .ok_or_else(|| format!("no account {email}"))?;
    conn.transaction(|conn| {
        match site_id {
            None => {
                diesel::update(users::table.find(id)).set(users::is_admin.eq(true)).execute(conn)?;
            }
            Some(site_id) => {
                diesel::delete(
                    memberships::table.filter(memberships::user_id.eq(id)).filter(memberships::site_id.eq(site_id)),
                )
                .execute(conn)?;
                add_membership(conn, id, site_id, role)?;
            }
        }
        Ok(())
    })
    .map_err(|e: diesel::result::Error| e.to_string())
}

fn site_for(conn: &mut AnyConnection, role: Role, site: Option<&str>) -> Result<Option<i64>, String> {
    match (role, site) {
        (Role::Admin, None) => Ok(None),
        (Role::Admin, Some(_)) => Err("an admin acts on every site: leave out --site".into()),
        (_, None) => Err(format!("an {} needs --site", role.as_str())),
        (_, Some(slug)) => sites::table
            .filter(sites::slug.eq(slug))
            .select(sites::id)
            .first(conn)
            .optional()
            .map_err(|e| e.to_string())?
            .map(Some)
            .ok_or_else(|| format!("no site {slug:?}")),
    }
}

/// Creates the first admin from `PORTAL_ADMIN_EMAIL`/`PORTAL_ADMIN_PASSWORD` when the database
/// has no user yet. True when it did.
pub fn bootstrap_admin(conn: &mut AnyConnection, email: Option<&str>, password: Option<&str>) -> Result<bool, String> {
    let (Some(email), Some(password)) = (email, password) else {
        return Ok(false);
    };
    let count: i64 = users::table.count().get_result(conn).map_err(|e| e.to_string())?;
    if count > 0 {
        return Ok(false);
    }
    create(conn, email, password, Role::Admin, None).map_err(|e| format!("PORTAL_ADMIN_EMAIL: {e}"))?;
    Ok(true)
}
