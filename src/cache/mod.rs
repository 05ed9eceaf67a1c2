//! The response cache: public answers kept in memory, already serialised and compressed,
//! keyed by the full request, and dropped by any write that can change them.
//!
//! Freshness is by generation, not by guessing which keys a write touches: every site has a
//! generation, bumped by any successful write under `/api/v1/sites/{site}/` (on this node at
//! once, and through the `cache_versions` table on the others within [`SYNC_EVERY`]), and when
//! a scheduled article's time comes. An entry holds the generation it was made in and is used
//! only while that is still current.
//!
//! Only anonymous `GET`s whose answer says `Cache-Control: public` are kept; the reads a
//! resource declares fresh ([`Rules`]: visit figures, which change without writes) never are,
//! and the writes it declares quiet make nothing stale.

pub mod layer;
pub mod policy;
pub mod sync;

pub use layer::layer;
pub use policy::{Routes, Rules};
pub use sync::{DueTimes, sync, sync_forever};

use std::collections::HashMap;
use std::io::Write;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, RwLock};
use std::time::Duration;

use actix_web::HttpResponse;
use actix_web::http::StatusCode;
use actix_web::http::header::{self, HeaderMap, HeaderName, HeaderValue};
use actix_web::web::Bytes;
use chrono::NaiveDateTime;
use tokio::sync::watch;

/// How often each node reads the other nodes' writes and the coming publication times.
pub const SYNC_EVERY: Duration = Duration::from_millis(250);

/// The headers of an answer worth keeping.
pub(super) const KEPT: [HeaderName; 4] = [header::CONTENT_TYPE, header::CACHE_CONTROL, header::ETAG, header::LINK];

/// One kept answer.
pub struct Entry {
    pub(super) generation: Generation,
    /// The route pattern that made it, for the metrics of the hits.
    pub(super) route: Arc<str>,
    pub(super) headers: Vec<(HeaderName, HeaderValue)>,
    pub(super) identity: Bytes,
    pub(super) gzip: Bytes,
    pub(super) brotli: Bytes,
    /// The strong ETag of each representation, by [`Encoding`]: made once, not per answer.
    pub(super) etags: [HeaderValue; 3],
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
    pub(super) entries: Option<moka::sync::Cache<String, Arc<Entry>>>,
    /// Bumped by writes that are not under one site.
    pub(super) global: AtomicU64,
    /// Site slug → generation.
    pub(super) sites: RwLock<HashMap<String, u64>>,
    /// What this node last read of `cache_versions` and of the coming publication times.
    pub(super) seen: std::sync::Mutex<Seen>,
    /// Keys whose answer a request is working out now; the others asking wait for it.
    pub(super) flights: std::sync::Mutex<HashMap<String, watch::Receiver<()>>>,
    pub hits: AtomicU64,
    pub misses: AtomicU64,
}

/// What a request that misses the cache does: work the answer out, or wait for the request
/// already doing it (so a burst of readers of one expired page costs the database one read).
pub(super) enum Flight<'a> {
    Lead(FlightGuard<'a>),
    Follow(watch::Receiver<()>),
}

/// Held while leading; dropping it wakes the followers: with a message once the handler has
/// answered (the answer kept, or not one to keep), without one when the leader was dropped
/// before (its client went away), and one of them then leads.
pub(super) struct FlightGuard<'a> {
    pub(super) cache: &'a ResponseCache,
    pub(super) key: String,
    pub(super) done: watch::Sender<()>,
    pub(super) answered: bool,
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
pub(super) struct Seen {
    pub(super) versions: HashMap<i64, i64>,
    /// Site id → the next publication time still to come.
    pub(super) due: HashMap<i64, NaiveDateTime>,
    pub(super) slugs: HashMap<i64, String>,
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

    pub(super) fn flight(&self, key: &str) -> Flight<'_> {
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

/// The encoding to answer with, by the client's `Accept-Encoding`.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(super) enum Encoding {
    Identity,
    Brotli,
    Gzip,
}

pub(super) fn encoding(headers: &HeaderMap) -> Encoding {
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
pub(super) fn tags(etag: &str) -> [HeaderValue; 3] {
    let tagged = |suffix: &str| {
        let tag = match etag.strip_suffix('"') {
            Some(open) if !suffix.is_empty() => format!("{open}-{suffix}\""),
            _ => etag.to_owned(),
        };
        HeaderValue::from_str(&tag).unwrap_or_else(|_| HeaderValue::from_static(""))
    };
    [tagged(""), tagged("br"), tagged("gz")]
}

pub(super) fn answer(entry: &Entry, req_headers: &HeaderMap, hit: bool) -> HttpResponse {
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

pub(super) fn compress(body: &[u8]) -> (Bytes, Bytes) {
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

#[cfg(test)]
mod tests {
    use super::*;

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
