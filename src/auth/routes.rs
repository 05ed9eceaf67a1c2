//! Sign-in, token refresh, sign-out and the caller's own account.

use std::collections::BTreeMap;

use actix_web::{HttpRequest, HttpResponse, get, post, web};
use chrono::{Duration, Utc};
use diesel::prelude::*;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::limiter::{Limit, PER_ACCOUNT, PER_ADDRESS};
use super::{Actor, Caller, Role, password, tokens};
use crate::AppState;
use crate::audit::{self};
use crate::core::error::{ApiError, Problem};
use crate::db::schema::{refresh_tokens, users};
use crate::db::{self, AnyConnection};
use crate::http::body::Body;
use crate::http::private_json;

/// Email and password.
#[derive(Debug, Deserialize, ToSchema)]
#[schema(example = json!({"email": "bientap@chiminh.gov.vn", "password": "hoa sen nở giữa hồ"}))]
pub struct LoginRequest {
    pub email: String,
    pub password: String,
}

/// A refresh token, to rotate or to revoke.
#[derive(Debug, Deserialize, ToSchema)]
#[schema(example = json!({"refresh_token": "rt_5f0c2b..."}))]
pub struct RefreshRequest {
    pub refresh_token: String,
}

/// The tokens of a session.
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({
    "access_token": "eyJhbGciOiJIUzI1NiJ9...", "token_type": "Bearer", "expires_in": 900,
    "refresh_token": "rt_5f0c2b...", "refresh_expires_in": 2592000
}))]
pub struct TokenPair {
    /// Send as `Authorization: Bearer <access_token>`.
    pub access_token: String,
    pub token_type: &'static str,
    /// Seconds the access token lives.
    pub expires_in: u64,
    /// Trade for a new pair at `/api/v1/auth/refresh`; works once.
    pub refresh_token: String,
    /// Seconds the refresh token lives.
    pub refresh_expires_in: u64,
}

/// A site and the caller's role on it.
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({"site": "phuong-chi-minh", "role": "editor"}))]
pub struct SiteRole {
    pub site: String,
    pub role: Role,
}

/// The signed-in user.
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({"id": 2, "email": "bientap@chiminh.gov.vn", "is_admin": false,
    "roles": [{"site": "phuong-chi-minh", "role": "editor"}]}))]
pub struct Me {
    pub id: i64,
    pub email: String,
    pub is_admin: bool,
    pub roles: Vec<SiteRole>,
}

/// Issues a pair for `actor`, continuing `family` or starting one.
fn issue_pair(
    conn: &mut AnyConnection,
    keys: &tokens::Keys,
    actor: &Actor,
    family: Option<String>,
) -> QueryResult<TokenPair> {
    let refresh_token = tokens::new_refresh_token();
    let now = Utc::now().naive_utc();
    diesel::insert_into(refresh_tokens::table)
        .values((
            refresh_tokens::user_id.eq(actor.id),
            refresh_tokens::family.eq(family.unwrap_or_else(tokens::new_family)),
            refresh_tokens::token_hash.eq(tokens::hash_refresh_token(&refresh_token)),
            refresh_tokens::created_at.eq(now),
            refresh_tokens::expires_at.eq(now + Duration::seconds(keys.refresh_ttl.as_secs() as i64)),
        ))
        .execute(conn)?;
    let sites: BTreeMap<String, String> =
        actor.roles.iter().map(|(_, slug, role)| (slug.clone(), role.as_str().to_owned())).collect();
    Ok(TokenPair {
        access_token: keys.issue(actor.id, actor.is_admin, sites),
        token_type: "Bearer",
        expires_in: keys.access_ttl.as_secs(),
        refresh_token,
        refresh_expires_in: keys.refresh_ttl.as_secs(),
    })
}

fn wrong_credentials() -> ApiError {
    ApiError::Unauthorized("the email or the password is wrong".into())
}

/// The longest email address accepted (RFC 5321: a path of at most 256 octets, less the
/// angle brackets).
pub const MAX_EMAIL_BYTES: usize = 254;

/// Sign in
///
/// Trades an email and password for a short-lived access token and a refresh token. A wrong
/// email and a wrong password get the same answer. Limits, in 15 minutes: 20 failed attempts
/// per client address (then 429 with `Retry-After`); past 5 failed attempts on one account,
/// each further attempt on it waits before it is judged (from half a second, doubling, up to
/// 8 seconds), but the right password still signs in: no one can lock an account by failing
/// on purpose. A node takes at most 600 attempts a minute from everyone (then 429).
#[utoipa::path(
    tag = "auth",
    request_body = LoginRequest,
    responses(
        (status = 200, description = "Signed in", body = TokenPair),
        (status = 400, description = "Malformed body", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Wrong email or password", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "A field missing or of the wrong type, or an email longer than 254 bytes", body = Problem, content_type = "application/problem+json"),
        (status = 429, description = "Too many failed attempts from this address, or from everyone; see Retry-After", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/auth/login")]
pub async fn login(
    state: web::Data<AppState>,
    req: HttpRequest,
    body: Body<LoginRequest>,
) -> Result<HttpResponse, ApiError> {
    let LoginRequest { email, password } = body.parse()?;
    if email.len() > MAX_EMAIL_BYTES {
        return Err(ApiError::Validation(vec![crate::http::field_error(
            "email",
            format!("must be at most {MAX_EMAIL_BYTES} bytes"),
        )]));
    }
    let email = email.trim().to_lowercase();
    let ip = crate::auth::request_ip(&req, &state);
    let (ip_key, account_key) = (format!("ip:{ip}"), format!("account:{email}"));
    let attempt = state
        .limiter
        .begin_sign_in(&[Limit::refusing(&ip_key, PER_ADDRESS), Limit::slowing(&account_key, PER_ACCOUNT)])
        .map_err(ApiError::TooManyRequests)?
        .wait()
        .await;
    let st = state.clone();
    let result = db::run(&state.pool, move |conn| {
        let user: Option<(i64, String)> = users::table
            .filter(users::email.eq(&email))
            .select((users::id, users::password_hash))
            .first(conn)
            .optional()?;
        // An unknown email costs the same hashing as a wrong password.
        let hash = user.as_ref().map_or(password::dummy_hash(), |(_, h)| h.as_str());
        let valid = password.len() <= password::MAX_PASSWORD_BYTES && password::verify(&password, hash);
        let user_id = user.map(|(id, _)| id);
        let actor = match user_id.filter(|_| valid) {
            Some(id) => Actor::load(conn, id)?,
            None => None,
        };
        let Some(actor) = actor else {
            audit::note(conn, user_id, &email, &ip, "auth.login_failed", &format!("user:{}", user_id.unwrap_or(0)))?;
            return Err(wrong_credentials());
        };
        conn.transaction(|conn| {
            let pair = issue_pair(conn, &st.keys, &actor, None)?;
            let origin = actor.origin(ip.clone());
            audit::record_private(conn, &origin, "auth.login", &format!("user:{}", actor.id), None)?;
            Ok::<_, diesel::result::Error>(pair)
        })
        .map_err(ApiError::from)
    })
    .await;
    match result {
        Ok(pair) => {
            state.limiter.reset(&account_key);
            state.limiter.take_back(&[&ip_key], attempt.at);
            private_json(&pair, actix_web::http::StatusCode::OK, |_| {})
        }
        // A wrong password stays counted.
        Err(err @ ApiError::Unauthorized(_)) => Err(err),
        // Not judged (no connection in time, say): not counted.
        Err(err) => {
            state.limiter.take_back(&[&ip_key, &account_key], attempt.at);
            Err(err)
        }
    }
}

/// Refresh the tokens
///
/// Trades a refresh token for a new pair. Each refresh token works once: presenting a used one
/// again revokes every token of its sign-in, since one of its holders is not its owner.
#[utoipa::path(
    tag = "auth",
    request_body = RefreshRequest,
    responses(
        (status = 200, description = "A new pair", body = TokenPair),
        (status = 401, description = "Unknown, expired, revoked or reused refresh token", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "A field missing or of the wrong type", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/auth/refresh")]
pub async fn refresh(
    state: web::Data<AppState>,
    req: HttpRequest,
    body: Body<RefreshRequest>,
) -> Result<HttpResponse, ApiError> {
    let hash = tokens::hash_refresh_token(body.parse()?.refresh_token.trim());
    let ip = crate::auth::request_ip(&req, &state);
    let st = state.clone();
    let pair = db::run(&state.pool, move |conn| {
        let dead = || ApiError::Unauthorized("the refresh token is not valid; sign in again".into());
        let row: Option<(i64, i64, String, chrono::NaiveDateTime)> = refresh_tokens::table
            .filter(refresh_tokens::token_hash.eq(&hash))
            .select((refresh_tokens::id, refresh_tokens::user_id, refresh_tokens::family, refresh_tokens::expires_at))
            .first(conn)
            .optional()?;
        let (id, user_id, family, expires_at) = row.ok_or_else(dead)?;
        let now = Utc::now().naive_utc();
        // Only one presentation can mark the token used; any other is a reuse.
        let claimed = diesel::update(
            refresh_tokens::table
                .filter(refresh_tokens::id.eq(id))
                .filter(refresh_tokens::used_at.is_null())
                .filter(refresh_tokens::revoked_at.is_null()),
        )
        .set(refresh_tokens::used_at.eq(now))
        .execute(conn)?;
        if claimed == 0 {
            revoke_family(conn, &family)?;
            tracing::warn!(user_id, "a used refresh token was presented again: its family is revoked");
            audit::note(conn, Some(user_id), "", &ip, "auth.refresh_reused", &format!("user:{user_id}"))?;
            return Err(dead());
        }
        if expires_at <= now {
            return Err(dead());
        }
        let actor = Actor::load(conn, user_id)?.ok_or_else(dead)?;
        Ok(issue_pair(conn, &st.keys, &actor, Some(family))?)
    })
    .await?;
    private_json(&pair, actix_web::http::StatusCode::OK, |_| {})
}

fn revoke_family(conn: &mut AnyConnection, family: &str) -> QueryResult<usize> {
    diesel::update(
        refresh_tokens::table.filter(refresh_tokens::family.eq(family)).filter(refresh_tokens::revoked_at.is_null()),
    )
    .set(refresh_tokens::revoked_at.eq(Utc::now().naive_utc()))
    .execute(conn)
}

/// Sign out
///
/// Revokes the refresh token and every token of its sign-in. Access tokens already issued
/// live until they expire (at most the access token lifetime).
#[utoipa::path(
    tag = "auth",
    request_body = RefreshRequest,
    responses(
        (status = 204, description = "Signed out (also for a token already revoked or unknown)"),
        (status = 422, description = "A field missing or of the wrong type", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/auth/logout")]
pub async fn logout(
    state: web::Data<AppState>,
    req: HttpRequest,
    body: Body<RefreshRequest>,
) -> Result<HttpResponse, ApiError> {
    let hash = tokens::hash_refresh_token(body.parse()?.refresh_token.trim());
    let ip = crate::auth::request_ip(&req, &state);
    db::run(&state.pool, move |conn| {
        let family: Option<(String, i64)> = refresh_tokens::table
            .filter(refresh_tokens::token_hash.eq(&hash))
            .select((refresh_tokens::family, refresh_tokens::user_id))
            .first(conn)
            .optional()?;
        if let Some((family, user_id)) = family
            && revoke_family(conn, &family)? > 0
        {
            audit::note(conn, Some(user_id), "", &ip, "auth.logout", &format!("user:{user_id}"))?;
        }
        Ok(())
    })
    .await?;
    Ok(HttpResponse::NoContent().finish())
}

/// The signed-in user
///
/// The caller's account and roles, as the database holds them now.
#[utoipa::path(
    tag = "auth",
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The caller", body = crate::http::Data<Me>),
        (status = 401, description = "Not signed in, or a bad token", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/me")]
pub async fn me(state: web::Data<AppState>, caller: Caller) -> Result<HttpResponse, ApiError> {
    let actor = db::run(&state.pool, move |conn| caller.actor(conn)).await?;
    let me = Me {
        id: actor.id,
        email: actor.email,
        is_admin: actor.is_admin,
        roles: actor.roles.into_iter().map(|(_, site, role)| SiteRole { site, role }).collect(),
    };
    private_json(&crate::http::Data { data: me }, actix_web::http::StatusCode::OK, |_| {})
}

/// What the response cache must know of the sign-in routes: no kept answer shows a session.
pub const CACHE: crate::cache::Rules =
    crate::cache::Rules { fresh: &[], quiet: &["/api/v1/auth/login", "/api/v1/auth/refresh", "/api/v1/auth/logout"] };

/// Registers the account routes.
pub fn configure(cfg: &mut utoipa_actix_web::service_config::ServiceConfig) {
    cfg.service(login).service(refresh).service(logout).service(me);
}
