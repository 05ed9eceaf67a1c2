//! The response cache: public answers kept in memory, already serialised and compressed,
//! keyed by the full request, and dropped by any write that can change them.
//!
//! Freshness is by generation, not by guessing which keys a write touches: every site has a
//! generation, bumped by any successful write under `/api/v1/sites/{site}/` (on this node at
//! once, and through the `cache_versions` table on the others within [`SYNC_EVERY`]), and when
//! a scheduled article's time comes. An entry holds the generation it was made in and is used
//! only while that is still current.
//!
//! Only anonymous `GET`s whose answer says `Cache-Control: public` are kept; visit figures
//! (which change without writes) never are.

use std::collections::HashMap;
use std::io::Write;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, RwLock};
use std::time::Duration;

use actix_web::body::{BoxBody, EitherBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::header::{self, HeaderMap, HeaderName, HeaderValue};
use actix_web::http::{Method, StatusCode};
use actix_web::middleware::Next;
use actix_web::web::{self, Bytes};
use actix_web::{HttpMessage, HttpResponse, ResponseError};
use chrono::{NaiveDateTime, Utc};
use diesel::prelude::*;
use diesel::sql_types::BigInt;
use tokio::sync::watch;

use crate::AppState;
use crate::db::AnyConnection;
use crate::db::schema::{articles, sites};
use crate::telemetry::MatchedRoute;

/// How often each node reads the other nodes' writes and the coming publication times.
pub const SYNC_EVERY: Duration = Duration::from_millis(250);

/// The headers of an answer worth keeping.
const KEPT: [HeaderName; 4] = [header::CONTENT_TYPE, header::CACHE_CONTROL, header::ETAG, header::LINK];

/// One kept answer.
pub struct Entry {
    generation: Generation,
    /// The route pattern that made it, for the metrics of the hits.
    route: Arc<str>,
    headers: Vec<(HeaderName, HeaderValue)>,
    identity: Bytes,
    gzip: Bytes,
    brotli: Bytes,
    /// The strong ETag of each representation, by [`Encoding`]: made once, not per answer.
    etags: [HeaderValue; 3],
}

impl Entry {
    fn weight(&self) -> u32 {
        (self.identity.len() + self.gzip.len() + self.brotli.len() + 256).min(u32::MAX as usize) as u32
    }
}

/// The global generation and the site's: a kept answer is fresh while both are unchanged.
pub type Generation = (u64, u64);

/// The cache of one node, with its generations and counters.
pub struct ResponseCache {
    entries: Option<moka::sync::Cache<String, Arc<Entry>>>,
    /// Bumped by writes that are not under one site.
    global: AtomicU64,
    /// Site slug → generation.
    sites: RwLock<HashMap<String, u64>>,
    /// What this node last read of `cache_versions` and of the coming publication times.
    seen: std::sync::Mutex<Seen>,
    /// Keys whose answer a request is working out now; the others asking wait for it.
    flights: std::sync::Mutex<HashMap<String, watch::Receiver<()>>>,
    pub hits: AtomicU64,
    pub misses: AtomicU64,
}

/// What a request that misses the cache does: work the answer out, or wait for the request
/// already doing it (so a burst of readers of one expired page costs the database one read).
enum Flight<'a> {
    Lead(FlightGuard<'a>),
    Follow(watch::Receiver<()>),
}

/// Held while leading; dropping it wakes the followers: with a message once the handler has
/// answered (the answer kept, or not one to keep), without one when the leader was dropped
/// before (its client went away), and one of them then leads.
struct FlightGuard<'a> {
    cache: &'a ResponseCache,
    key: String,
    done: watch::Sender<()>,
    answered: bool,
}

impl Drop for FlightGuard<'_> {
    fn drop(&mut self) {
        if self.answered {
            let _ = self.done.send(());
        }
        self.cache.flights.lock().unwrap_or_else(|e| e.into_inner()).remove(&self.key);
    }
}

#[derive(Default)]
struct Seen {
    versions: HashMap<i64, i64>,
    /// Site id → the next publication time still to come.
    due: HashMap<i64, NaiveDateTime>,
    slugs: HashMap<i64, String>,
}

impl ResponseCache {
    /// A cache of at most `max_bytes` (0: no cache).
    pub fn new(max_bytes: u64) -> ResponseCache {
        let entries = (max_bytes > 0).then(|| {
            moka::sync::Cache::builder()
                .max_capacity(max_bytes)
                .weigher(|_: &String, e: &Arc<Entry>| e.weight())
                .build()
        });
        ResponseCache {
            entries,
            global: AtomicU64::new(0),
            sites: RwLock::default(),
            seen: std::sync::Mutex::default(),
            flights: std::sync::Mutex::default(),
            hits: AtomicU64::new(0),
            misses: AtomicU64::new(0),
        }
    }

    pub fn enabled(&self) -> bool {
        self.entries.is_some()
    }

    /// Entries and their weight in bytes.
    pub fn size(&self) -> (u64, u64) {
        self.entries.as_ref().map_or((0, 0), |c| {
            c.run_pending_tasks();
            (c.entry_count(), c.weighted_size())
        })
    }

    /// The generation of the answers of `site` (or of those under no site): it changes with
    /// every write that can change them.
    pub fn generation(&self, site: Option<&str>) -> Generation {
        let site_gen = site.map_or(0, |s| *self.sites.read().unwrap_or_else(|e| e.into_inner()).get(s).unwrap_or(&0));
        (self.global.load(Ordering::Acquire), site_gen)
    }

    fn flight(&self, key: &str) -> Flight<'_> {
        let mut flights = self.flights.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(rx) = flights.get(key) {
            return Flight::Follow(rx.clone());
        }
        let (tx, rx) = watch::channel(());
        flights.insert(key.to_owned(), rx);
        Flight::Lead(FlightGuard { cache: self, key: key.to_owned(), done: tx, answered: false })
    }

    /// Makes every kept answer of `site` (or, without one, every answer) stale.
    pub fn bump(&self, site: Option<&str>) {
        match site {
            Some(slug) => {
                *self.sites.write().unwrap_or_else(|e| e.into_inner()).entry(slug.to_owned()).or_default() += 1
            }
            None => {
                self.global.fetch_add(1, Ordering::AcqRel);
            }
        }
    }
}

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

/// The encoding to answer with, by the client's `Accept-Encoding`.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Encoding {
    Identity,
    Brotli,
    Gzip,
}

fn encoding(headers: &HeaderMap) -> Encoding {
    let accepted = headers.get(header::ACCEPT_ENCODING).and_then(|v| v.to_str().ok()).unwrap_or("");
    let has = |name: &str| {
        accepted.split(',').any(|part| {
            let mut it = part.split(';').map(str::trim);
            it.next().is_some_and(|n| n.eq_ignore_ascii_case(name)) && !it.any(|p| p.replace(' ', "") == "q=0")
        })
    };
    if has("br") {
        Encoding::Brotli
    } else if has("gzip") {
        Encoding::Gzip
    } else {
        Encoding::Identity
    }
}

/// The ETags of the representations of an answer tagged `etag`, by [`Encoding`]: each has its
/// own strong tag (`"…-br"`, `"…-gz"`), and a tag of any of them matches in `If-None-Match`.
fn tags(etag: &str) -> [HeaderValue; 3] {
    let tagged = |suffix: &str| {
        let tag = match etag.strip_suffix('"') {
            Some(open) if !suffix.is_empty() => format!("{open}-{suffix}\""),
            _ => etag.to_owned(),
        };
        HeaderValue::from_str(&tag).unwrap_or_else(|_| HeaderValue::from_static(""))
    };
    [tagged(""), tagged("br"), tagged("gz")]
}

fn answer(entry: &Entry, req_headers: &HeaderMap, hit: bool) -> HttpResponse {
    let not_modified =
        crate::http::if_none_match(req_headers, |t| entry.etags.iter().any(|e| e.as_bytes() == t.as_bytes()));
    let chosen = encoding(req_headers);
    let mut res = HttpResponse::build(if not_modified { StatusCode::NOT_MODIFIED } else { StatusCode::OK });
    for (k, v) in &entry.headers {
        if k == header::ETAG {
            res.insert_header((header::ETAG, entry.etags[chosen as usize].clone()));
        } else if !(not_modified && k == header::CONTENT_TYPE) {
            res.insert_header((k.clone(), v.clone()));
        }
    }
    res.insert_header((HeaderName::from_static("x-cache"), if hit { "hit" } else { "miss" }));
    res.insert_header((header::VARY, "Accept-Encoding"));
    if not_modified {
        return res.finish();
    }
    // With Content-Encoding set, the compression layer leaves the body alone.
    match chosen {
        Encoding::Brotli => res.insert_header((header::CONTENT_ENCODING, "br")).body(entry.brotli.clone()),
        Encoding::Gzip => res.insert_header((header::CONTENT_ENCODING, "gzip")).body(entry.gzip.clone()),
        Encoding::Identity => res.body(entry.identity.clone()),
    }
}

fn compress(body: &[u8]) -> (Bytes, Bytes) {
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::new(6));
    let _ = gz.write_all(body);
    let gzip = gz.finish().unwrap_or_default();
    let mut br = Vec::new();
    {
        let mut w = brotli::CompressorWriter::new(&mut br, 4096, 5, 22);
        let _ = w.write_all(body);
    }
    (Bytes::from(gzip), Bytes::from(br))
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
    let state = req.app_data::<web::Data<AppState>>().cloned();
    let Some(state) = state else {
        return Ok(next.call(req).await?.map_body(|_, b| EitherBody::left(b.boxed())));
    };
    let cache = &state.responses;
    let path = req.path().to_owned();
    let method = req.method().clone();
    if method != Method::GET && method != Method::HEAD {
        // A task of its own: a client that goes away drops this future (and would drop the
        // handler with it), but its write, once on the blocking pool, commits anyway, and must
        // still make the kept answers stale, here and on the other nodes. In the request's
        // span, so what it logs keeps the request id.
        let span = tracing::Span::current();
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
                    state.responses.bump(site.as_deref());
                    record_write(&state, site).await;
                }
                Ok::<_, actix_web::Error>(res)
            },
            span,
        ));
        let res = write.await.map_err(|e| crate::error::ApiError::internal(format!("write task failed: {e}")))??;
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
            let err = crate::error::ApiError::internal("reading an answer to cache it");
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
async fn record_write(state: &AppState, site: Option<String>) {
    let result = crate::db::run(&state.pool, move |conn| {
        let site_id: i64 = match &site {
            Some(slug) => match sites::table.filter(sites::slug.eq(slug)).select(sites::id).first(conn).optional()? {
                Some(id) => id,
                None => return Ok(()),
            },
            None => 0,
        };
        Ok(tell_other_nodes(conn, site_id)?)
    })
    .await;
    if let Err(e) = result {
        tracing::warn!(error = %e, "other nodes were not told of a write; their caches catch up at the next one");
    }
}

/// Makes the kept answers of site `site_id` (0: of no site) stale on every node at its next
/// sync. Called in a write's own transaction too ([`crate::audit::record`]), so that the other
/// nodes hear of a committed write even if this node stops before its cache layer tells them.
pub fn tell_other_nodes(conn: &mut crate::db::AnyConnection, site_id: i64) -> QueryResult<()> {
    diesel::sql_query(
        "INSERT INTO cache_versions (site_id, version) VALUES ($1, 1) \
         ON CONFLICT (site_id) DO UPDATE SET version = cache_versions.version + 1",
    )
    .bind::<BigInt, _>(site_id)
    .execute(conn)
    .map(drop)
}

#[derive(QueryableByName)]
struct Version {
    #[diesel(sql_type = BigInt)]
    site_id: i64,
    #[diesel(sql_type = BigInt)]
    version: i64,
}

/// Reads the other nodes' writes and the publication times that have come, and makes the
/// affected answers stale. Run every [`SYNC_EVERY`].
pub fn sync(conn: &mut AnyConnection, cache: &ResponseCache) -> QueryResult<()> {
    let now = Utc::now().naive_utc();
    let versions: Vec<Version> = diesel::sql_query("SELECT site_id, version FROM cache_versions").load(conn)?;
    let due: Vec<(i64, Option<NaiveDateTime>)> = articles::table
        .filter(articles::status.eq(crate::articles::types::PUBLISHED))
        .filter(articles::published_at.gt(now))
        .group_by(articles::site_id)
        .select((articles::site_id, diesel::dsl::min(articles::published_at)))
        .load(conn)?;
    let mut seen = cache.seen.lock().unwrap_or_else(|e| e.into_inner());
    let mut stale: Vec<i64> = Vec::new();
    for v in &versions {
        // A row seen for the first time counts as a change too (at start-up nothing is kept yet).
        if seen.versions.insert(v.site_id, v.version) != Some(v.version) {
            stale.push(v.site_id);
        }
    }
    // A publication time that has passed since the last look: its site's lists change.
    let previous = std::mem::take(&mut seen.due);
    for (site, at) in previous {
        if at <= now {
            stale.push(site);
        }
    }
    seen.due = due.into_iter().filter_map(|(site, at)| at.map(|a| (site, a))).collect();
    for site in stale {
        if site == 0 {
            cache.bump(None);
            continue;
        }
        let slug = match seen.slugs.get(&site) {
            Some(s) => Some(s.clone()),
            None => sites::table.find(site).select(sites::slug).first::<String>(conn).optional().ok().flatten(),
        };
        match slug {
            Some(slug) => {
                seen.slugs.insert(site, slug.clone());
                cache.bump(Some(&slug));
            }
            // A site whose slug cannot be read now (its version is already marked seen): every
            // answer is made stale rather than its own left stale.
            None => cache.bump(None),
        }
    }
    Ok(())
}

/// Runs [`sync`] every [`SYNC_EVERY`] until dropped.
pub async fn sync_forever(state: web::Data<AppState>) {
    let mut tick = actix_web::rt::time::interval(SYNC_EVERY);
    let mut failing = false;
    loop {
        tick.tick().await;
        let st = state.clone();
        // A failed sync marks nothing seen: the next one finds every version it missed. Said
        // once when it starts failing and once when it works again, not four times a second.
        match crate::db::run(&state.pool, move |conn| Ok(sync(conn, &st.responses)?)).await {
            Err(e) if !failing => {
                tracing::warn!(error = %e, "could not read the other nodes' writes; trying again");
                failing = true;
            }
            Ok(()) if failing => {
                tracing::info!("reading the other nodes' writes again");
                failing = false;
            }
            _ => {}
        }
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

    #[test]
    fn encodings_follow_accept_encoding() {
        let with = |v: &str| {
            let mut h = HeaderMap::new();
            h.insert(header::ACCEPT_ENCODING, HeaderValue::from_str(v).unwrap());
            encoding(&h)
        };
        assert!(with("gzip, deflate, br") == Encoding::Brotli);
        assert!(with("gzip") == Encoding::Gzip);
        assert!(with("br;q=0, gzip") == Encoding::Gzip);
        assert!(encoding(&HeaderMap::new()) == Encoding::Identity);
    }

    #[test]
    fn generations_make_entries_stale() {
        let c = ResponseCache::new(1 << 20);
        let g = c.generation(Some("a"));
        c.bump(Some("b"));
        assert_eq!(c.generation(Some("a")), g);
        c.bump(Some("a"));
        assert_ne!(c.generation(Some("a")), g);
        let g = c.generation(Some("a"));
        c.bump(None);
        assert_ne!(c.generation(Some("a")), g);
    }
}
