//! Who is calling: staff accounts, sign-in, tokens, roles per site, and the rate limit on
//! sign-in attempts.
//!
//! Handlers take a [`Caller`] (anonymous or a checked access token) and, to write, turn it into
//! an [`Actor`] loaded from the database, so a removed user or role stops working at once even
//! while its token lives.

pub mod accounts;
pub mod limiter;
pub mod password;
pub mod routes;
pub mod staff;
pub mod tokens;

use std::future::{Ready, ready};

use actix_web::{FromRequest, HttpRequest, dev::Payload, web};
use diesel::prelude::*;
use serde::Serialize;
use utoipa::ToSchema;

use crate::AppState;
use crate::core::error::ApiError;
use crate::db::AnyConnection;
use crate::db::schema::{memberships, sites, users};

/// A role, from least to most powerful.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    /// Works the one-stop desk: receives dossiers and moves them on; nothing else.
    Desk,
    /// Writes drafts and edits them until they are published; works the desk too.
    Author,
    /// Publishes, edits any article and manages categories on its sites.
    Editor,
    /// Everything on every site, and users.
    Admin,
}

impl Role {
    pub fn parse(s: &str) -> Option<Role> {
        match s {
            "desk" => Some(Role::Desk),
            "author" => Some(Role::Author),
            "editor" => Some(Role::Editor),
            "admin" => Some(Role::Admin),
            _ => None,
        }
    }

    pub fn as_str(&self) -> &'static str {
        match self {
            Role::Desk => "desk",
            Role::Author => "author",
            Role::Editor => "editor",
            Role::Admin => "admin",
        }
    }
}

/// The caller of a request: anonymous, or the holder of a valid access token.
#[derive(Debug, Clone)]
pub enum Caller {
    Anonymous,
    User(tokens::Claims),
}

impl FromRequest for Caller {
    type Error = ApiError;
    type Future = Ready<Result<Caller, ApiError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        ready(caller(req))
    }
}

fn caller(req: &HttpRequest) -> Result<Caller, ApiError> {
    let Some(header) = req.headers().get(actix_web::http::header::AUTHORIZATION) else {
        return Ok(Caller::Anonymous);
    };
    let token = header
        .to_str()
        .ok()
        .and_then(|h| h.strip_prefix("Bearer ").or_else(|| h.strip_prefix("bearer ")))
        .map(str::trim)
        .ok_or_else(|| ApiError::Unauthorized("send the access token as Authorization: Bearer <token>".into()))?;
    let state = req.app_data::<web::Data<AppState>>().ok_or_else(|| ApiError::internal("no app state"))?;
    state.keys.check(token).map(Caller::User).map_err(|e| {
        tracing::info!(reason = %e, "access token refused");
        ApiError::Unauthorized("the access token is invalid or expired".into())
    })
}

impl Caller {
    /// The user id of a signed-in caller.
    pub fn user_id(&self) -> Option<i64> {
        match self {
            Caller::Anonymous => None,
            Caller::User(claims) => claims.sub.parse().ok(),
        }
    }

    /// The caller as an [`Actor`], or 401 for an anonymous caller or a removed account.
    pub fn actor(&self, conn: &mut AnyConnection) -> Result<Actor, ApiError> {
        let id = self.user_id().ok_or_else(|| ApiError::Unauthorized("sign in to do this".into()))?;
        Actor::load(conn, id)?.ok_or_else(|| ApiError::Unauthorized("this account no longer exists".into()))
    }

    /// The caller as an [`Actor`] when signed in, `None` when anonymous.
    pub fn actor_opt(&self, conn: &mut AnyConnection) -> Result<Option<Actor>, ApiError> {
        match self {
            Caller::Anonymous => Ok(None),
            Caller::User(_) => self.actor(conn).map(Some),
        }
    }
}

/// A signed-in user as the database knows them now.
#[derive(Debug, Clone)]
pub struct Actor {
    pub id: i64,
    pub email: String,
    pub is_admin: bool,
    /// (site id, site slug, role)
    pub roles: Vec<(i64, String, Role)>,
}

/// The client address of a request, for the audit log (also of an action without an actor
/// yet: a sign-in).
pub fn request_ip(req: &HttpRequest, state: &AppState) -> String {
    crate::http::client_ip(req, &state.proxies).map(|ip| ip.to_string()).unwrap_or_default()
}

impl Actor {
    /// This actor acting from `client_ip`: what the audit log records.
    pub fn origin(&self, client_ip: String) -> crate::audit::Origin {
        crate::audit::Origin { user_id: self.id, email: self.email.clone(), client_ip }
    }

    /// Loads user `id` with their roles.
    pub fn load(conn: &mut AnyConnection, id: i64) -> QueryResult<Option<Actor>> {
        let Some((email, is_admin)) =
            users::table.find(id).select((users::email, users::is_admin)).first::<(String, bool)>(conn).optional()?
        else {
            return Ok(None);
        };
        let roles = memberships::table
            .inner_join(sites::table)
            .filter(memberships::user_id.eq(id))
            .select((sites::id, sites::slug, memberships::role))
            .order(sites::slug.asc())
            .load::<(i64, String, String)>(conn)?
            .into_iter()
            .filter_map(|(site_id, slug, role)| Role::parse(&role).map(|r| (site_id, slug, r)))
            .collect();
        Ok(Some(Actor { id, email, is_admin, roles }))
    }

    /// The actor's role on a site: admins are admins everywhere.
    pub fn role_on(&self, site_id: i64) -> Option<Role> {
        if self.is_admin {
            return Some(Role::Admin);
        }
        self.roles.iter().find(|(id, _, _)| *id == site_id).map(|(_, _, r)| *r)
    }

    /// 403 unless the actor has at least `needed` on the site.
    pub fn require(&self, site_id: i64, needed: Role) -> Result<Role, ApiError> {
        match self.role_on(site_id) {
            Some(role) if role >= needed => Ok(role),
            _ => Err(ApiError::Forbidden(format!("this needs the {} role on this site", needed.as_str()))),
        }
    }

    /// 403 unless the actor is an admin.
    pub fn require_admin(&self) -> Result<(), ApiError> {
        if self.is_admin { Ok(()) } else { Err(ApiError::Forbidden("this needs an admin".into())) }
    }
}

/// Runs a staff write on a site: [`on_site`], with `f` inside one writing transaction
/// ([`crate::db::write`]: on SQLite it takes the write lock first, so what `f` reads stays
/// true until it commits). `f` records its audit entry ([`crate::audit::record`], which also
/// tells every node's cache) in that same transaction, so the change, its log and the cache
/// versions stand or fall together.
pub async fn write_on_site<T, F>(
    state: &web::Data<AppState>,
    req: &HttpRequest,
    caller: Caller,
    site: String,
    needed: Role,
    f: F,
) -> Result<T, ApiError>
where
    T: Send + 'static,
    F: FnOnce(&mut AnyConnection, &crate::sites::Site, &Actor, Role, &crate::audit::Origin) -> Result<T, ApiError>
        + Send
        + 'static,
{
    on_site(state, req, caller, site, needed, move |conn, site, actor, role, origin| {
        crate::db::write(conn, |conn| {
            // One writer per site at a time on PostgreSQL too (SQLite has one writer in all):
            // what a write reads stays as read until it commits, so two workflow steps at
            // once run one after the other instead of one failing with 412.
            crate::db::lock_site(conn, site.id)?;
            f(conn, site, actor, role, origin)
        })
    })
    .await
}

/// Runs a staff action on a site: finds the site, signs in the caller with at least `needed`
/// there (admins have every role everywhere), and hands `f` what it needs to act and to log
/// it, on a pooled connection off the async workers.
pub async fn on_site<T, F>(
    state: &web::Data<AppState>,
    req: &HttpRequest,
    caller: Caller,
    site: String,
    needed: Role,
    f: F,
) -> Result<T, ApiError>
where
    T: Send + 'static,
    F: FnOnce(&mut AnyConnection, &crate::sites::Site, &Actor, Role, &crate::audit::Origin) -> Result<T, ApiError>
        + Send
        + 'static,
{
    let client_ip = crate::auth::request_ip(req, state);
    crate::db::run(&state.pool, move |conn| {
        let site = crate::sites::find(conn, &site)?;
        let actor = caller.actor(conn)?;
        let role = actor.require(site.id, needed)?;
        let origin = actor.origin(client_ip);
        f(conn, &site, &actor, role, &origin)
    })
    .await
}
