//! Liveness and readiness probes, and `/metrics`.

use std::sync::atomic::Ordering;

use actix_web::{HttpResponse, get, web};
use serde::Serialize;
use utoipa::ToSchema;

use crate::AppState;
use crate::core::error::{ApiError, Problem};
use crate::core::metrics;
use crate::db;

/// The state of a probe.
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({"status": "ok"}))]
pub struct Health {
    /// Always `ok` when the probe passes.
    pub status: &'static str,
}

/// Liveness
///
/// The process is up and serving. Does not touch the database.
#[utoipa::path(tag = "health", responses((status = 200, description = "Up", body = Health)))]
#[get("/healthz")]
pub async fn healthz() -> HttpResponse {
    HttpResponse::Ok().insert_header(("Cache-Control", "no-store")).json(Health { status: "ok" })
}

/// Readiness
///
/// The database answers: send traffic here.
#[utoipa::path(
    tag = "health",
    responses(
        (status = 200, description = "Ready", body = Health),
        (status = 503, description = "The database cannot be reached", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/readyz")]
pub async fn readyz(state: web::Data<AppState>) -> Result<HttpResponse, ApiError> {
    db::run(&state.pool, |conn| {
        db::ping(conn).map_err(|e| {
            tracing::warn!(error = %e, "readiness check failed");
            ApiError::Unavailable
        })
    })
    .await?;
    Ok(HttpResponse::Ok().insert_header(("Cache-Control", "no-store")).json(Health { status: "ok" }))
}

/// Registers the probes.
pub fn configure(cfg: &mut utoipa_actix_web::service_config::ServiceConfig) {
    cfg.service(healthz).service(readyz);
}

/// Metrics
///
/// Prometheus text format: `portal_http_requests_total` and
/// `portal_http_request_duration_seconds` by method, route and status class; the database
/// pool; the response cache; the visits counted and not yet written.
///
/// When `PORTAL_METRICS_TOKEN` is set, only with `Authorization: Bearer <that token>`; in
/// production (`PORTAL_ENV=production`) never without it. Unknown request methods are counted
/// as `OTHER`.
#[utoipa::path(
    tag = "health",
    security((), ("metrics_token" = [])),
    responses(
        (status = 200, description = "Prometheus text format 0.0.4", content_type = "text/plain", body = String),
        (status = 401, description = "PORTAL_METRICS_TOKEN is set and was not sent", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "In production, PORTAL_METRICS_TOKEN is not set", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/metrics")]
pub async fn get_metrics(state: web::Data<AppState>, req: actix_web::HttpRequest) -> Result<HttpResponse, ApiError> {
    match &state.metrics_token {
        Some(token) => {
            let sent = req.headers().get(actix_web::http::header::AUTHORIZATION).and_then(|v| v.to_str().ok());
            let sent = sent.and_then(|s| s.strip_prefix("Bearer ")).unwrap_or("");
            if !crate::core::text::same_secret(sent, &token.0) {
                return Err(ApiError::Unauthorized("send the metrics token as Authorization: Bearer".into()));
            }
        }
        None if state.production => {
            return Err(ApiError::Forbidden(
                "in production /metrics answers only with its token: set PORTAL_METRICS_TOKEN".into(),
            ));
        }
        None => {}
    }
    let mut out = String::with_capacity(8192);
    state.metrics.render(&mut out);
    let pool = state.pool.state();
    metrics::gauge(&mut out, "portal_db_pool_connections", "Connections open in the pool.", "gauge", pool.connections);
    metrics::gauge(
        &mut out,
        "portal_db_pool_idle_connections",
        "Connections open and idle.",
        "gauge",
        pool.idle_connections,
    );
    metrics::gauge(&mut out, "portal_db_pool_max_connections", "The pool's size.", "gauge", state.pool.max_size());
    let cache = &state.responses;
    metrics::gauge(
        &mut out,
        "portal_cache_hits_total",
        "Answers served from the response cache.",
        "counter",
        cache.hits.load(Ordering::Relaxed),
    );
    metrics::gauge(
        &mut out,
        "portal_cache_misses_total",
        "Cacheable reads the cache did not have.",
        "counter",
        cache.misses.load(Ordering::Relaxed),
    );
    let (entries, bytes) = cache.size();
    metrics::gauge(&mut out, "portal_cache_entries", "Answers kept.", "gauge", entries);
    metrics::gauge(&mut out, "portal_cache_bytes", "Memory the kept answers weigh.", "gauge", bytes);
    let (views, visitors) = state.visits.buffered();
    metrics::gauge(&mut out, "portal_visits_buffered", "Page views counted and not yet written.", "gauge", views);
    metrics::gauge(&mut out, "portal_visitors_buffered", "Visitor entries not yet written.", "gauge", visitors);
    Ok(HttpResponse::Ok()
        .content_type("text/plain; version=0.0.4; charset=utf-8")
        .insert_header(("Cache-Control", "no-store"))
        .body(out))
}
