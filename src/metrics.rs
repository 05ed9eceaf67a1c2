//! `/metrics` in the Prometheus text format: requests and their latency per route, the
//! database pool, the response cache and the visits waiting to be written.

use std::collections::HashMap;
use std::fmt::Write;
use std::sync::RwLock;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use actix_web::{HttpResponse, get, web};

use crate::AppState;

/// Upper bounds of the latency buckets, in seconds.
const BUCKETS: [f64; 12] = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5];

/// Counts of one route, method and status class.
#[derive(Default)]
struct RouteStats {
    count: AtomicU64,
    /// Sum of latencies in microseconds.
    sum_us: AtomicU64,
    buckets: [AtomicU64; BUCKETS.len()],
}

/// The counts of one route: (method, status class, counts).
type ByMethod = Vec<(String, u16, RouteStats)>;

/// Request counts and latencies by route, then (method, status class).
#[derive(Default)]
pub struct Metrics {
    routes: RwLock<HashMap<String, ByMethod>>,
}

impl Metrics {
    /// Counts one answered request. `route` is the matched pattern (`/api/v1/sites/{site}`),
    /// so the label set stays small whatever the paths.
    pub fn observe(&self, method: &str, route: &str, status: u16, took: Duration) {
        let method = method_label(method);
        let class = status / 100 * 100;
        let record = |s: &RouteStats| {
            s.count.fetch_add(1, Ordering::Relaxed);
            s.sum_us.fetch_add(took.as_micros() as u64, Ordering::Relaxed);
            let secs = took.as_secs_f64();
            if let Some(i) = BUCKETS.iter().position(|b| secs <= *b) {
                s.buckets[i].fetch_add(1, Ordering::Relaxed);
            }
        };
        // Every request passes here: the common case looks up by borrowed keys, no allocation.
        {
            let routes = self.routes.read().unwrap_or_else(|e| e.into_inner());
            if let Some(s) = routes.get(route).and_then(|v| v.iter().find(|(m, c, _)| m == method && *c == class)) {
                record(&s.2);
                return;
            }
        }
        let mut routes = self.routes.write().unwrap_or_else(|e| e.into_inner());
        let entries = routes.entry(route.to_owned()).or_default();
        if !entries.iter().any(|(m, c, _)| m == method && *c == class) {
            entries.push((method.to_owned(), class, RouteStats::default()));
        }
        let s = entries.iter().find(|(m, c, _)| m == method && *c == class).expect("just added");
        record(&s.2);
    }

    fn render(&self, out: &mut String) {
        let routes = self.routes.read().unwrap_or_else(|e| e.into_inner());
        let mut rows: Vec<(&str, &str, u16, &RouteStats)> =
            routes.iter().flat_map(|(r, v)| v.iter().map(move |(m, c, s)| (m.as_str(), r.as_str(), *c, s))).collect();
        rows.sort_by_key(|(m, r, c, _)| (*m, *r, *c));
        out.push_str("# HELP portal_http_requests_total Requests answered, by method, route and status class.\n");
        out.push_str("# TYPE portal_http_requests_total counter\n");
        for (method, route, class, s) in &rows {
            let _ = writeln!(
                out,
                "portal_http_requests_total{{method=\"{method}\",route=\"{route}\",status=\"{class}\"}} {}",
                s.count.load(Ordering::Relaxed)
            );
        }
        out.push_str("# HELP portal_http_request_duration_seconds Time to answer, by method and route.\n");
        out.push_str("# TYPE portal_http_request_duration_seconds histogram\n");
        for (method, route, class, s) in &rows {
            let labels = format!("method=\"{method}\",route=\"{route}\",status=\"{class}\"");
            let mut cumulative = 0;
            for (i, b) in BUCKETS.iter().enumerate() {
                cumulative += s.buckets[i].load(Ordering::Relaxed);
                let _ =
                    writeln!(out, "portal_http_request_duration_seconds_bucket{{{labels},le=\"{b}\"}} {cumulative}");
            }
            let count = s.count.load(Ordering::Relaxed);
            let _ = writeln!(out, "portal_http_request_duration_seconds_bucket{{{labels},le=\"+Inf\"}} {count}");
            let _ = writeln!(
                out,
                "portal_http_request_duration_seconds_sum{{{labels}}} {}",
                s.sum_us.load(Ordering::Relaxed) as f64 / 1e6
            );
            let _ = writeln!(out, "portal_http_request_duration_seconds_count{{{labels}}} {count}");
        }
    }
}

/// The label of a request method: the methods HTTP defines, and `OTHER` for any name a client
/// makes up, so that invented methods cannot grow the series without bound.
fn method_label(method: &str) -> &'static str {
    const KNOWN: [&str; 9] = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "CONNECT", "TRACE"];
    KNOWN.into_iter().find(|m| *m == method).unwrap_or("OTHER")
}

fn gauge(out: &mut String, name: &str, help: &str, kind: &str, value: impl std::fmt::Display) {
    let _ = writeln!(out, "# HELP {name} {help}\n# TYPE {name} {kind}\n{name} {value}");
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
        (status = 401, description = "PORTAL_METRICS_TOKEN is set and was not sent", body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 403, description = "In production, PORTAL_METRICS_TOKEN is not set", body = crate::error::Problem, content_type = "application/problem+json"),
    )
)]
#[get("/metrics")]
pub async fn get_metrics(
    state: web::Data<AppState>,
    req: actix_web::HttpRequest,
) -> Result<HttpResponse, crate::error::ApiError> {
    match &state.metrics_token {
        Some(token) => {
            let sent = req.headers().get(actix_web::http::header::AUTHORIZATION).and_then(|v| v.to_str().ok());
            let sent = sent.and_then(|s| s.strip_prefix("Bearer ")).unwrap_or("");
            if !crate::text::same_secret(sent, &token.0) {
                return Err(crate::error::ApiError::Unauthorized(
                    "send the metrics token as Authorization: Bearer".into(),
                ));
            }
        }
        None if state.production => {
            return Err(crate::error::ApiError::Forbidden(
                "in production /metrics answers only with its token: set PORTAL_METRICS_TOKEN".into(),
            ));
        }
        None => {}
    }
    let mut out = String::with_capacity(8192);
    state.metrics.render(&mut out);
    let pool = state.pool.state();
    gauge(&mut out, "portal_db_pool_connections", "Connections open in the pool.", "gauge", pool.connections);
    gauge(&mut out, "portal_db_pool_idle_connections", "Connections open and idle.", "gauge", pool.idle_connections);
    gauge(&mut out, "portal_db_pool_max_connections", "The pool's size.", "gauge", state.pool.max_size());
    let cache = &state.responses;
    gauge(
        &mut out,
        "portal_cache_hits_total",
        "Answers served from the response cache.",
        "counter",
        cache.hits.load(Ordering::Relaxed),
    );
    gauge(
        &mut out,
        "portal_cache_misses_total",
        "Cacheable reads the cache did not have.",
        "counter",
        cache.misses.load(Ordering::Relaxed),
    );
    let (entries, bytes) = cache.size();
    gauge(&mut out, "portal_cache_entries", "Answers kept.", "gauge", entries);
    gauge(&mut out, "portal_cache_bytes", "Memory the kept answers weigh.", "gauge", bytes);
    let (views, visitors) = state.visits.buffered();
    gauge(&mut out, "portal_visits_buffered", "Page views counted and not yet written.", "gauge", views);
    gauge(&mut out, "portal_visitors_buffered", "Visitor entries not yet written.", "gauge", visitors);
    Ok(HttpResponse::Ok()
        .content_type("text/plain; version=0.0.4; charset=utf-8")
        .insert_header(("Cache-Control", "no-store"))
        .body(out))
}
