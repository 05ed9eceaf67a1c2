//! The middleware: kept answers served from memory, new public ones kept, writes make their
//! site's answers stale.

use std::sync::Arc;
use std::sync::atomic::Ordering;

use actix_web::body::{BoxBody, EitherBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::header::{self, HeaderMap, HeaderName, HeaderValue};
use actix_web::http::{Method, StatusCode};
use actix_web::middleware::Next;
use actix_web::web;
use actix_web::{HttpMessage, HttpResponse, ResponseError};

use super::policy::Routes;
use super::{Entry, Flight, KEPT, ResponseCache, answer, compress, tags};
use crate::core::telemetry::MatchedRoute;

/// The site a path is under: `/api/v1/sites/{site}/...` → `site`, percent-decoded as the
/// router decodes it (a write to `phuong%2Dchi-minh` is a write to `phuong-chi-minh`).
fn site_of(path: &str) -> Option<std::borrow::Cow<'_, str>> {
    let rest = path.strip_prefix("/api/v1/sites/")?;
    let segment = rest.split('/').next().unwrap_or(rest);
    if segment.is_empty() {
        return None;
    }
    if !segment.contains('%') {
        return Some(segment.into());
    }
    let bytes = segment.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = |b: u8| (b as char).to_digit(16);
        match (bytes[i], bytes.get(i + 1).copied().and_then(hex), bytes.get(i + 2).copied().and_then(hex)) {
            (b'%', Some(hi), Some(lo)) => {
                out.push((hi * 16 + lo) as u8);
                i += 3;
            }
            (b, _, _) => {
                out.push(b);
                i += 1;
            }
        }
    }
    Some(String::from_utf8(out).map_or_else(|_| segment.into(), std::borrow::Cow::Owned))
}

/// The middleware: answers kept requests from memory, keeps new public answers, and makes a
/// site's answers stale after a successful write to it.
pub async fn layer(
    mut req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<EitherBody<BoxBody>>, actix_web::Error> {
    let (Some(cache), Some(routes)) =
        (req.app_data::<web::Data<ResponseCache>>().cloned(), req.app_data::<web::Data<Routes>>().cloned())
    else {
        return Ok(next.call(req).await?.map_body(|_, b| EitherBody::left(b.boxed())));
    };
    let cache = &cache;
    let path = req.path().to_owned();
    let method = req.method().clone();
    if method != Method::GET && method != Method::HEAD {
        // A task of its own: a client that goes away drops this future (and would drop the
        // handler with it), but its write, once on the blocking pool, commits anyway, and must
        // still make the kept answers stale here (the other nodes hear of it from the
        // `cache_versions` row its transaction bumped). In the request's span, so what it logs
        // keeps the request id.
        let span = tracing::Span::current();
        let (write_cache, write_routes) = (cache.clone(), routes.clone());
        let write = actix_web::rt::spawn(tracing::Instrument::instrument(
            async move {
                let res = next.call(req).await?;
                // Judged by the route the write took, as its resource declared it, not by how
                // its path reads.
                let changes_reads = res.request().match_pattern().is_none_or(|route| !write_routes.quiet(&route));
                // A server error may come after the write committed (reading it back failed, say):
                // stale answers are worse than an extra miss. Client errors changed nothing.
                let may_have_written = res.status().is_success() || res.status().is_server_error();
                if may_have_written && path.starts_with("/api/") && changes_reads {
                    write_cache.bump(site_of(&path).as_deref());
                }
                Ok::<_, actix_web::Error>(res)
            },
            span,
        ));
        let res =
            write.await.map_err(|e| crate::core::error::ApiError::internal(format!("write task failed: {e}")))??;
        return Ok(res.map_body(|_, b| EitherBody::left(b.boxed())));
    }
    let cacheable = cache.enabled()
        && method == Method::GET
        && path.starts_with("/api/v1/")
        && !req.headers().contains_key(header::AUTHORIZATION);
    if !cacheable {
        return Ok(next.call(req).await?.map_body(|_, b| EitherBody::left(b.boxed())));
    }
    if !req.query_string().is_empty()
        && let Some(kept) = routes.documented_query(&path, req.query_string())
    {
        let uri = if kept.is_empty() { path.clone() } else { format!("{path}?{kept}") };
        match uri.parse() {
            Ok(uri) => req.head_mut().uri = uri,
            Err(_) => return Ok(next.call(req).await?.map_body(|_, b| EitherBody::left(b.boxed()))),
        }
    }
    let entries = cache.entries.as_ref().expect("enabled");
    let key = format!("{}?{}", path, req.query_string());
    let generation = cache.generation(site_of(&path).as_deref());
    let kept = || entries.get(&key).filter(|e| e.generation == generation);
    if let Some(entry) = kept() {
        return Ok(serve_kept(cache, req, &entry));
    }
    // Never kept (nothing is, so a hit above means it is not one): its handler answers,
    // `If-None-Match` included, without waiting on another request for the same answer.
    if routes.fresh(&path) {
        return Ok(next.call(req).await?.map_body(|_, b| EitherBody::left(b.boxed())));
    }
    // Keyed with the generation too: after a write, readers wait for a fresh answer, not for
    // one begun before it.
    let flight = format!("{key}#{}.{}", generation.0, generation.1);
    let mut lead = loop {
        match cache.flight(&flight) {
            Flight::Lead(guard) => break Some(guard),
            Flight::Follow(mut done) => {
                let answered = done.changed().await.is_ok();
                if let Some(entry) = kept() {
                    return Ok(serve_kept(cache, req, &entry));
                }
                if answered {
                    // Its answer was not one to keep (an error, say): work this one out alone.
                    break None;
                }
                // The leader went away before answering: one of those waiting leads now.
            }
        }
    };
    cache.misses.fetch_add(1, Ordering::Relaxed);
    let req_headers = req.headers().clone();
    // The handler answers in full, so that the answer can be kept; `answer` below makes the
    // 304 for a client that had it.
    req.headers_mut().remove(header::IF_NONE_MATCH);
    let res = next.call(req).await;
    if let Some(lead) = &mut lead {
        lead.answered = true;
    }
    let res = res?;
    let public =
        res.headers().get(header::CACHE_CONTROL).and_then(|v| v.to_str().ok()).is_some_and(|v| v.starts_with("public"));
    if res.status() != StatusCode::OK || !public || !res.headers().contains_key(header::ETAG) {
        return Ok(not_kept(res, &req_headers));
    }
    let (http_req, res) = res.into_parts();
    let route: Arc<str> = http_req.match_pattern().unwrap_or_default().into();
    http_req.extensions_mut().insert(MatchedRoute(route.clone()));
    let headers: Vec<(HeaderName, HeaderValue)> =
        KEPT.iter().filter_map(|k| res.headers().get(k).map(|v| (k.clone(), v.clone()))).collect();
    let etag = res.headers().get(header::ETAG).and_then(|v| v.to_str().ok()).unwrap_or("").to_owned();
    let body = match actix_web::body::to_bytes(res.into_body()).await {
        Ok(b) => b,
        Err(_) => {
            let err = crate::core::error::ApiError::internal("reading an answer to cache it");
            return Ok(ServiceResponse::new(http_req, err.error_response()).map_into_right_body());
        }
    };
    let (gzip, brotli) = compress(&body);
    let etags = tags(&etag);
    let entry = Arc::new(Entry { generation, route, headers, identity: body, gzip, brotli, etags });
    entries.insert(key, entry.clone());
    Ok(ServiceResponse::new(http_req, answer(&entry, &req_headers, false)).map_into_right_body())
}

/// Answers from a kept entry.
fn serve_kept(cache: &ResponseCache, req: ServiceRequest, entry: &Entry) -> ServiceResponse<EitherBody<BoxBody>> {
    cache.hits.fetch_add(1, Ordering::Relaxed);
    req.extensions_mut().insert(MatchedRoute(entry.route.clone()));
    let res = answer(entry, req.headers(), true);
    req.into_response(res).map_into_right_body()
}

/// An answer not kept, as the client asked for it: a `200` whose `ETag` the client sent in
/// `If-None-Match` (which was taken off the request so that the answer could be kept) becomes
/// the `304` the handler would have given.
fn not_kept<B: MessageBody + 'static>(
    res: ServiceResponse<B>,
    req_headers: &HeaderMap,
) -> ServiceResponse<EitherBody<BoxBody>> {
    let etag = res.headers().get(header::ETAG).and_then(|v| v.to_str().ok()).map(str::to_owned);
    let had_it = res.status() == StatusCode::OK
        && etag.as_deref().is_some_and(|etag| crate::http::if_none_match(req_headers, |t| t == etag));
    if !had_it {
        return res.map_body(|_, b| EitherBody::left(b.boxed()));
    }
    let (http_req, res) = res.into_parts();
    let mut not_modified = HttpResponse::NotModified();
    for name in [header::ETAG, header::CACHE_CONTROL] {
        if let Some(value) = res.headers().get(&name) {
            not_modified.insert_header((name, value.clone()));
        }
    }
    ServiceResponse::new(http_req, not_modified.finish()).map_into_right_body()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sites_are_read_from_paths() {
        assert_eq!(site_of("/api/v1/sites/phuong-chi-minh/articles/1").as_deref(), Some("phuong-chi-minh"));
        assert_eq!(site_of("/api/v1/sites/phuong-chi-minh").as_deref(), Some("phuong-chi-minh"));
        assert_eq!(site_of("/api/v1/sites/phuong%2Dchi-minh/categories").as_deref(), Some("phuong-chi-minh"));
        assert_eq!(site_of("/api/v1/sites/phuong%2dchi%2Xminh").as_deref(), Some("phuong-chi%2Xminh"));
        assert_eq!(site_of("/api/v1/sites"), None);
    }

    #[test]
    fn an_answer_not_kept_is_304_for_a_client_that_has_it() {
        let answer = |etag: &'static str| {
            let res = HttpResponse::Ok()
                .insert_header((header::ETAG, etag))
                .insert_header((header::CACHE_CONTROL, "no-cache"))
                .body("{}");
            ServiceResponse::new(actix_web::test::TestRequest::default().to_http_request(), res)
        };
        let mut had = HeaderMap::new();
        had.insert(header::IF_NONE_MATCH, HeaderValue::from_static("\"a1\", \"v7\""));
        let same = not_kept(answer("\"v7\""), &had);
        assert_eq!(same.status(), StatusCode::NOT_MODIFIED);
        assert_eq!(same.headers().get(header::ETAG).unwrap(), "\"v7\"");
        assert_eq!(same.headers().get(header::CACHE_CONTROL).unwrap(), "no-cache");
        assert_eq!(not_kept(answer("\"v8\""), &had).status(), StatusCode::OK);
        assert_eq!(not_kept(answer("\"v7\""), &HeaderMap::new()).status(), StatusCode::OK);
    }
}
