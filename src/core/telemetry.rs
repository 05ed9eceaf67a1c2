//! Logs: the subscriber, and a request id plus one access-log line for every request.

use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Instant;

use actix_web::HttpMessage;
use actix_web::body::MessageBody;
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::header::{HeaderName, HeaderValue};
use actix_web::middleware::Next;
use tracing::Instrument;

use crate::core::config::LogFormat;

/// The header that carries the request id, in and out.
pub const REQUEST_ID: HeaderName = HeaderName::from_static("x-request-id");

/// Installs the global subscriber; `level` is an `EnvFilter` directive such as `info`.
pub fn init(level: &str, format: LogFormat) {
    let filter = tracing_subscriber::EnvFilter::try_new(level).unwrap_or_else(|_| "info".into());
    let builder = tracing_subscriber::fmt().with_env_filter(filter).with_writer(std::io::stderr);
    let _ = match format {
        LogFormat::Json => builder.json().try_init(),
        LogFormat::Text => builder.try_init(),
    };
}

/// The id of the current request, kept in its extensions.
#[derive(Debug, Clone)]
pub struct RequestId(pub String);

/// The route pattern a request was answered by, when it is known without matching the path
/// again: the response cache answers without routing and keeps each answer's pattern.
#[derive(Clone)]
pub struct MatchedRoute(pub std::sync::Arc<str>);

fn next_id() -> String {
    static PREFIX: std::sync::OnceLock<u32> = std::sync::OnceLock::new();
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let prefix = PREFIX.get_or_init(rand::random::<u32>);
    format!("{prefix:08x}-{:010x}", COUNTER.fetch_add(1, Ordering::Relaxed))
}

/// A client's own id is kept when it is short and printable, so traces join up across
/// services; otherwise one is made.
fn incoming_id(req: &ServiceRequest) -> Option<String> {
    let v = req.headers().get(REQUEST_ID)?.to_str().ok()?;
    let ok = !v.is_empty() && v.len() <= 64 && v.bytes().all(|b| b.is_ascii_alphanumeric() || b"-_.:".contains(&b));
    ok.then(|| v.to_owned())
}

/// Gives each request an id (`x-request-id`, echoed in the answer) and logs one line when it
/// is answered: method, path, status and time taken.
pub async fn request_log(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<impl MessageBody>, actix_web::Error> {
    let id = incoming_id(&req).unwrap_or_else(next_id);
    req.extensions_mut().insert(RequestId(id.clone()));
    let method = req.method().clone();
    let path = req.path().to_owned();
    let started = Instant::now();
    let span = tracing::info_span!("request", request_id = %id);
    let result = next.call(req).instrument(span).await;
    let elapsed_us = started.elapsed().as_micros() as u64;
    match result {
        Ok(mut res) => {
            let status = res.status().as_u16();
            if let Some(metrics) = res.request().app_data::<actix_web::web::Data<crate::core::metrics::Metrics>>() {
                // match_pattern() walks every route's regex again: a tenth of a cached answer's cost.
                let known = res.request().extensions().get::<MatchedRoute>().cloned();
                let route = match &known {
                    Some(MatchedRoute(route)) => std::borrow::Cow::Borrowed(&**route),
                    None => {
                        std::borrow::Cow::Owned(res.request().match_pattern().unwrap_or_else(|| "(none)".to_owned()))
                    }
                };
                metrics.observe(method.as_str(), &route, status, started.elapsed());
            }
            tracing::info!(target: "portal::access", request_id = %id, %method, %path, status, elapsed_us, "request");
            if let Ok(value) = HeaderValue::from_str(&id) {
                res.headers_mut().insert(REQUEST_ID, value);
            }
            Ok(res)
        }
        Err(err) => {
            tracing::warn!(target: "portal::access", request_id = %id, %method, %path, error = %err, elapsed_us, "request failed");
            Err(err)
        }
    }
}
