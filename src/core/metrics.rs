//! `/metrics` in the Prometheus text format: requests and their latency per route, the
//! database pool, the response cache and the visits waiting to be written.

use std::collections::HashMap;
use std::fmt::Write;
use std::sync::RwLock;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

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

    pub fn render(&self, out: &mut String) {
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

/// Writes one sample with its HELP and TYPE lines.
pub fn gauge(out: &mut String, name: &str, help: &str, kind: &str, value: impl std::fmt::Display) {
    let _ = writeln!(out, "# HELP {name} {help}\n# TYPE {name} {kind}\n{name} {value}");
}
