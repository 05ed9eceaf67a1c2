//! The middleware: kept answers served from memory, new public ones kept, writes make their
//! site's answers stale.

use std::sync::Arc;
use std::sync::atomic::Ordering;

use actix_web::body::{BoxBody, EitherBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::header::{self, HeaderName, HeaderValue};
use actix_web::http::{Method, StatusCode};
use actix_web::middleware::Next;
use actix_web::web;
use actix_web::{HttpMessage, ResponseError};
use diesel::prelude::*;

use super::{Entry, Flight, KEPT, ResponseCache, answer, compress, tags};
use crate::core::telemetry::MatchedRoute;
use crate::db::{self, schema::sites};

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

/// False for the routes of writes no kept answer shows: the visit beacon (figures are never
/// kept), sign-ins, and dossiers (the citizen's lookup is private, the desk's statistics never
/// kept), so a busy desk does not drop its ward's cached pages with every dossier it receives.
fn changes_kept_answers(route: &str) -> bool {
    route != "/api/v1/sites/{site}/visits"
        && !route.starts_with("/api/v1/auth/")
        && !route.starts_with("/api/v1/sites/{site}/dossiers")
}

/// True for answers that never go in the cache: visit figures change with every visit.
fn never_cached(path: &str) -> bool {
    path.contains("/visits") || path.ends_with("/views") || path.ends_with("/desk/statistics")
}

/// The query parameters each `GET` of the OpenAPI document takes. A cacheable read keeps only
/// those: `?zz=<random>` neither makes a new entry (a flood of them pushed the hot ones out)
/// nor reaches the handler (or the `Link` it writes).
pub struct DocumentedQueries {
    routes: Vec<(actix_web::dev::ResourceDef, Vec<String>)>,
    /// Path → index in `routes` (`usize::MAX`: none), so that a hot path is matched once.
    known: moka::sync::Cache<String, usize>,
}

impl DocumentedQueries {
    /// Reads the `GET` operations and their query parameters from `doc`.
    pub fn from_openapi(doc: &utoipa::openapi::OpenApi) -> Self {
        let routes = doc
            .paths
            .paths
            .iter()
            .filter_map(|(path, item)| {
                let names = item
                    .get
                    .as_ref()?
                    .parameters
                    .iter()
                    .flatten()
                    .filter(|p| matches!(p.parameter_in, utoipa::openapi::path::ParameterIn::Query))
                    .map(|p| p.name.clone())
                    .collect();
                Some((actix_web::dev::ResourceDef::new(path.as_str()), names))
            })
            .collect();
        DocumentedQueries { routes, known: moka::sync::Cache::new(10_000) }
    }

    /// `query` with only the parameters the route of `path` documents, in the order sent; `None`
    /// when it keeps them all (or the path is no documented read).
    fn keep(&self, path: &str, query: &str) -> Option<String> {
        let route = self.known.get(path).unwrap_or_else(|| {
            let found = self.routes.iter().position(|(def, _)| def.is_match(path)).unwrap_or(usize::MAX);
            self.known.insert(path.to_owned(), found);
            found
        });
        let names = &self.routes.get(route)?.1;
        let documented = |pair: &str| {
            let name = pair.split('=').next().unwrap_or("");
            url::form_urlencoded::parse(name.as_bytes()).next().is_some_and(|(n, _)| names.iter().any(|k| *k == n))
        };
        let pairs: Vec<&str> = query.split('&').filter(|p| !p.is_empty()).collect();
        let kept: Vec<&str> = pairs.iter().copied().filter(|p| documented(p)).collect();
        (kept.len() != pairs.len()).then(|| kept.join("&"))
    }
}

/// The middleware: answers kept requests from memory, keeps new public answers, and makes a
/// site's answers stale after a successful write to it.
pub async fn layer(
    mut req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<EitherBody<BoxBody>>, actix_web::Error> {
    let (Some(cache), Some(pool)) =
        (req.app_data::<web::Data<ResponseCache>>().cloned(), req.app_data::<web::Data<db::Pool>>().cloned())
    else {
        return Ok(next.call(req).await?.map_body(|_, b| EitherBody::left(b.boxed())));
    };
    let cache = &cache;
    let path = req.path().to_owned();
    let method = req.method().clone();
    if method != Method::GET && method != Method::HEAD {
        // A task of its own: a client that goes away drops this future (and would drop the
        // handler with it), but its write, once on the blocking pool, commits anyway, and must
        // still make the kept answers stale, here and on the other nodes. In the request's
        // span, so what it logs keeps the request id.
        let span = tracing::Span::current();
        let write_cache = cache.clone();
        let write = actix_web::rt::spawn(tracing::Instrument::instrument(
            async move {
                let res = next.call(req).await?;
                // Judged by the route the write took, not by how its path reads.
                let changes_reads = res.request().match_pattern().is_none_or(|route| changes_kept_answers(&route));
                // A server error may come after the write committed (reading it back failed, say):
                // stale answers are worse than an extra miss. Client errors changed nothing.
                let may_have_written = res.status().is_success() || res.status().is_server_error();
                if may_have_written && path.starts_with("/api/") && changes_reads {
                    let site = site_of(&path).map(|s| s.into_owned());
                    write_cache.bump(site.as_deref());
                    record_write(&pool, site).await;
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
        && !never_cached(&path)
        && !req.headers().contains_key(header::AUTHORIZATION);
    if !cacheable {
        return Ok(next.call(req).await?.map_body(|_, b| EitherBody::left(b.boxed())));
    }
    if !req.query_string().is_empty()
        && let Some(documented) = req.app_data::<web::Data<DocumentedQueries>>()
        && let Some(kept) = documented.keep(&path, req.query_string())
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
        return Ok(res.map_body(|_, b| EitherBody::left(b.boxed())));
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

/// Tells the other nodes about a write, through `cache_versions`.
async fn record_write(pool: &db::Pool, site: Option<String>) {
    let result = db::run(pool, move |conn| {
        let site_id: i64 = match &site {
            Some(slug) => match sites::table.filter(sites::slug.eq(slug)).select(sites::id).first(conn).optional()? {
                Some(id) => id,
                None => return Ok(()),
            },
            None => 0,
        };
        Ok(db::versions::bump(conn, site_id)?)
    })
    .await;
    if let Err(e) = result {
        tracing::warn!(error = %e, "other nodes were not told of a write; their caches catch up at the next one");
    }
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
    fn writes_no_kept_answer_shows_are_named_by_route() {
        assert!(!changes_kept_answers("/api/v1/sites/{site}/visits"));
        assert!(!changes_kept_answers("/api/v1/auth/login"));
        assert!(!changes_kept_answers("/api/v1/sites/{site}/dossiers/{code}/status"));
        assert!(changes_kept_answers("/api/v1/sites/{site}/procedures/{code}"));
        assert!(changes_kept_answers("/api/v1/sites/{site}/visits/imported-total"));
        assert!(changes_kept_answers("/api/v1/sites/{site}/articles/{article}"));
    }
}
