//! What every public read shares: the `{"data": ...}` envelopes, pagination with its `Link`
//! header, and cacheable JSON answers with a strong `ETag` that `If-None-Match` turns into 304;
//! the checks of input ([`input`]) and the guards every request passes ([`guards`]). This
//! layer knows no site, account or resource.

pub mod body;
pub mod guards;
pub mod input;
mod time;

pub use time::{serialize_opt_time, serialize_time};

use actix_web::http::{StatusCode, header};
use actix_web::{HttpRequest, HttpResponse};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::core::error::ApiError;

/// One object: `{"data": {...}}`.
#[derive(Debug, Serialize, ToSchema)]
pub struct Data<T> {
    pub data: T,
}

/// A page of a list: `{"data": [...], "meta": {...}}`.
#[derive(Debug, Serialize, ToSchema)]
pub struct List<T> {
    pub data: Vec<T>,
    pub meta: ListMeta,
}

/// Where a page sits in its list.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
pub struct ListMeta {
    /// This page, from 1.
    #[schema(example = 1)]
    pub page: u32,
    /// Items per page.
    #[schema(example = 20)]
    pub per_page: u32,
    /// Items in the whole list.
    #[schema(example = 17)]
    pub total: i64,
    /// Pages in the whole list (0 when it is empty).
    #[schema(example = 1)]
    pub total_pages: i64,
}

/// Largest `per_page`.
pub const MAX_PER_PAGE: u32 = 100;
/// `per_page` when none is given.
pub const DEFAULT_PER_PAGE: u32 = 20;
/// How far a list reaches: its first 100,000 items (`page` at most 1000 at `per_page` 100). An
/// offset is walked row by row, so a deep page costs in proportion to its depth (about 10 ms
/// at this one); past it a client narrows the list with its filters (an article list's `to`,
/// say). Far beyond a ward's archive, audit log or dossiers of many years. A bound on `page`
/// alone, not on `page × per_page`, so the OpenAPI document states it exactly.
pub const MAX_PAGE: u32 = 1000;
/// The most items a list reaches.
pub const MAX_ITEMS: u32 = MAX_PAGE * MAX_PER_PAGE;

/// `page` and `per_page` as the client sent them.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PageParams {
    /// Page number, 1 to 1000: a list reaches its first 1000 pages (100,000 items at
    /// `per_page` 100); narrow it with its filters to reach further.
    #[param(value_type = Option<u32>, minimum = 1, maximum = 1000, example = 1)]
    pub page: Option<String>,
    /// Items per page, 1 to 100 (default 20).
    #[param(value_type = Option<u32>, minimum = 1, maximum = 100, example = 20)]
    pub per_page: Option<String>,
}

/// A checked page request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Page {
    pub page: u32,
    pub per_page: u32,
}

impl Page {
    /// Checks `page` and `per_page` alone: 400 naming each bad one.
    pub fn from_params(params: &PageParams) -> Result<Page, ApiError> {
        let mut errors = Vec::new();
        let page = Self::parse(params, &mut errors);
        check(errors)?;
        Ok(page)
    }

    /// Checks `page` and `per_page`, naming each bad one. Every list takes [`PageParams`] as
    /// its own query extractor beside its filters, so the two are declared once.
    pub fn parse(params: &PageParams, errors: &mut Vec<crate::core::error::FieldError>) -> Page {
        let (page_param, per_page_param) = (params.page.as_deref(), params.per_page.as_deref());
        let mut page = Page { page: 1, per_page: DEFAULT_PER_PAGE };
        if let Some(v) = page_param {
            match v.parse::<u32>() {
                Ok(n) if (1..=MAX_PAGE).contains(&n) => page.page = n,
                _ => errors.push(field_error("page", format!("must be a whole number from 1 to {MAX_PAGE}"))),
            }
        }
        if let Some(v) = per_page_param {
            match v.parse::<u32>() {
                Ok(n) if (1..=MAX_PER_PAGE).contains(&n) => page.per_page = n,
                _ => errors.push(field_error("per_page", format!("must be a whole number from 1 to {MAX_PER_PAGE}"))),
            }
        }
        page
    }

    pub fn limit(&self) -> i64 {
        i64::from(self.per_page)
    }

    pub fn offset(&self) -> i64 {
        i64::from(self.page - 1) * i64::from(self.per_page)
    }

    pub fn meta(&self, total: i64) -> ListMeta {
        let per_page = i64::from(self.per_page);
        ListMeta { page: self.page, per_page: self.per_page, total, total_pages: (total + per_page - 1) / per_page }
    }
}

/// The size of a whole list, given one page of it (`found` rows at `offset`, at most `limit`):
/// a first page that is not full is the whole list; otherwise `count()` says.
pub fn list_total(
    found: usize,
    limit: i64,
    offset: i64,
    count: impl FnOnce() -> diesel::QueryResult<i64>,
) -> diesel::QueryResult<i64> {
    if offset == 0 && (found as i64) < limit { Ok(found as i64) } else { count() }
}

/// A [`FieldError`](crate::core::error::FieldError) for `field`.
pub fn field_error(field: &str, message: impl Into<String>) -> crate::core::error::FieldError {
    crate::core::error::FieldError { field: field.into(), message: message.into() }
}

/// How long shared caches and browsers may keep a public answer.
#[derive(Debug, Clone, Copy)]
pub struct CachePolicy {
    pub max_age: u32,
}

impl CachePolicy {
    fn header_value(&self) -> String {
        format!("public, max-age={}", self.max_age)
    }
}

/// Answers `value` as JSON with a strong `ETag` (a hash of the exact bytes) and
/// `Cache-Control`; a matching `If-None-Match` gets 304 without a body.
pub fn cached_json<T: Serialize>(req: &HttpRequest, value: &T, cache: CachePolicy) -> Result<HttpResponse, ApiError> {
    cached_json_with(req, value, cache, |_| {})
}

/// [`cached_json`] with extra headers set by `extra` (e.g. `Link`).
pub fn cached_json_with<T: Serialize>(
    req: &HttpRequest,
    value: &T,
    cache: CachePolicy,
    extra: impl FnOnce(&mut actix_web::HttpResponseBuilder),
) -> Result<HttpResponse, ApiError> {
    tagged_json(req, value, cache.header_value(), extra)
}

/// Answers `value`, which changes as time passes and not only with writes (figures counted
/// up to now), as JSON with an `ETag` that `If-None-Match` turns into 304 but
/// `Cache-Control: no-cache`: every use asks again.
pub fn fresh_json<T: Serialize>(req: &HttpRequest, value: &T) -> Result<HttpResponse, ApiError> {
    tagged_json(req, value, "no-cache".to_owned(), |_| {})
}

fn tagged_json<T: Serialize>(
    req: &HttpRequest,
    value: &T,
    cache_control: String,
    extra: impl FnOnce(&mut actix_web::HttpResponseBuilder),
) -> Result<HttpResponse, ApiError> {
    tagged(req, to_json(value)?, "application/json", cache_control, extra)
}

/// Answers `body` (a feed, a sitemap: anything but JSON) of type `content_type` as
/// [`cached_json`] answers JSON: with an `ETag`, 304 for `If-None-Match`, publicly cacheable.
pub fn cached_body(
    req: &HttpRequest,
    content_type: &'static str,
    body: Vec<u8>,
    cache: CachePolicy,
) -> Result<HttpResponse, ApiError> {
    tagged(req, body, content_type, cache.header_value(), |_| {})
}

/// Answers `body`, which changes as time passes, as [`fresh_json`] answers JSON.
pub fn fresh_body(req: &HttpRequest, content_type: &'static str, body: Vec<u8>) -> Result<HttpResponse, ApiError> {
    tagged(req, body, content_type, "no-cache".to_owned(), |_| {})
}

/// Answers 301 to `location`, the address a renamed thing has now (its old slug was asked
/// for): as publicly cacheable as the answer it leads to, or, with no `cache`, for the
/// signed-in caller alone (`private, no-store`: staff may be led to a draft).
pub fn moved_permanently(location: String, cache: Option<CachePolicy>) -> HttpResponse {
    let cache_control = cache.map_or_else(|| "private, no-store".to_owned(), |c| c.header_value());
    HttpResponse::MovedPermanently()
        .insert_header((header::LOCATION, location))
        .insert_header((header::CACHE_CONTROL, cache_control))
        .finish()
}

fn tagged(
    req: &HttpRequest,
    body: Vec<u8>,
    content_type: &'static str,
    cache_control: String,
    extra: impl FnOnce(&mut actix_web::HttpResponseBuilder),
) -> Result<HttpResponse, ApiError> {
    let etag = etag_of(&body);
    let status =
        if if_none_match(req.headers(), |tag| tag == etag) { StatusCode::NOT_MODIFIED } else { StatusCode::OK };
    let mut res = HttpResponse::build(status);
    res.insert_header((header::ETAG, etag)).insert_header((header::CACHE_CONTROL, cache_control));
    extra(&mut res);
    if status == StatusCode::NOT_MODIFIED {
        return Ok(res.finish());
    }
    Ok(res.content_type(content_type).body(body))
}

/// `value` as JSON, written into a buffer big enough for a page of articles at once.
fn to_json<T: Serialize>(value: &T) -> Result<Vec<u8>, ApiError> {
    let mut body = Vec::with_capacity(16 * 1024);
    serde_json::to_writer(&mut body, value).map_err(|e| ApiError::internal(format!("serialise: {e}")))?;
    Ok(body)
}

/// A strong entity tag for these bytes: their 128-bit XXH3 hash. It only has to tell versions
/// of one answer apart, not resist an attacker (the bytes are the server's own), and SHA-256
/// was a twelfth of an uncached list's CPU time; XXH3 is a fixed algorithm, so every node
/// and every release tags the same bytes alike.
pub fn etag_of(body: &[u8]) -> String {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    let digest = xxhash_rust::xxh3::xxh3_128(body).to_be_bytes();
    let mut tag = String::with_capacity(34);
    tag.push('"');
    for b in &digest {
        tag.push(HEX[(b >> 4) as usize] as char);
        tag.push(HEX[(b & 15) as usize] as char);
    }
    tag.push('"');
    tag
}

/// True when `If-None-Match` in `headers` is `*` or names a tag for which `same` holds (weak
/// comparison, RFC 9110 13.1.2: a `W/` prefix is ignored).
pub fn if_none_match(headers: &actix_web::http::header::HeaderMap, same: impl Fn(&str) -> bool) -> bool {
    headers
        .get_all(header::IF_NONE_MATCH)
        .filter_map(|v| v.to_str().ok())
        .any(|list| list.split(',').map(str::trim).any(|tag| tag == "*" || same(tag.strip_prefix("W/").unwrap_or(tag))))
}

/// The RFC 8288 `Link` header of a page: `first`, `prev`, `next` and `last`, as references
/// relative to this server that keep every other query parameter.
pub fn link_header(req: &HttpRequest, page: Page, meta: &ListMeta) -> String {
    let others: Vec<(String, String)> = url::form_urlencoded::parse(req.query_string().as_bytes())
        .filter(|(k, _)| k != "page" && k != "per_page")
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect();
    let link = |p: i64, rel: &str| {
        let mut q = url::form_urlencoded::Serializer::new(String::new());
        for (k, v) in &others {
            q.append_pair(k, v);
        }
        q.append_pair("page", &p.to_string()).append_pair("per_page", &page.per_page.to_string());
        format!("<{}?{}>; rel=\"{rel}\"", req.path(), q.finish())
    };
    let last = meta.total_pages.clamp(1, i64::from(MAX_PAGE));
    let current = i64::from(page.page);
    let mut links = vec![link(1, "first")];
    if current > 1 {
        links.push(link((current - 1).min(last), "prev"));
    }
    if current < last {
        links.push(link(current + 1, "next"));
    }
    links.push(link(last, "last"));
    links.join(", ")
}

/// Answers a page of a list with its `Link` header, cached like any public read.
pub fn list_response<T: Serialize>(
    req: &HttpRequest,
    data: Vec<T>,
    page: Page,
    total: i64,
    cache: CachePolicy,
) -> Result<HttpResponse, ApiError> {
    let meta = page.meta(total);
    let link = link_header(req, page, &meta);
    cached_json_with(req, &List { data, meta }, cache, |res| {
        res.insert_header((header::LINK, link));
    })
}

/// The client's address: the direct peer, or, when the peer is a trusted proxy, the right-most
/// address in the one header the proxies set ([`crate::core::config::ProxyHeader`]) that is not
/// itself a trusted proxy. Every hop left of that was written by the client and is not
/// believed; no other header is read.
pub fn client_ip(req: &HttpRequest, proxies: &crate::core::config::Proxies) -> Option<std::net::IpAddr> {
    use crate::core::config::ProxyHeader;
    let peer = req.peer_addr()?.ip();
    let is_trusted = |ip: std::net::IpAddr| proxies.trusted.iter().any(|net| net.contains(ip));
    if !is_trusted(peer) {
        return Some(peer);
    }
    let values = req.headers().get_all(proxies.header.name()).filter_map(|v| v.to_str().ok());
    let mut chain: Vec<Option<std::net::IpAddr>> = Vec::new();
    for value in values {
        match proxies.header {
            ProxyHeader::XForwardedFor | ProxyHeader::XRealIp => {
                chain.extend(value.split(',').map(|a| parse_forwarded_ip(a.trim())))
            }
            ProxyHeader::Forwarded => {
                for element in value.split(',') {
                    let hop = element.split(';').find_map(|pair| {
                        let (k, v) = pair.trim().split_once('=')?;
                        k.eq_ignore_ascii_case("for").then(|| parse_forwarded_ip(v))
                    });
                    chain.push(hop.flatten());
                }
            }
        }
    }
    // From the right: our proxies are skipped; the first hop they did not write is the client.
    // A hop that is not an address (`unknown`, garbage) ends the walk at the last proxy.
    let mut client = peer;
    for hop in chain.into_iter().rev() {
        match hop {
            Some(ip) if is_trusted(ip) => client = ip,
            Some(ip) => return Some(ip),
            None => break,
        }
    }
    Some(client)
}

/// `1.2.3.4`, `"[2001:db8::1]:443"`, `1.2.3.4:5678` → the address.
fn parse_forwarded_ip(v: &str) -> Option<std::net::IpAddr> {
    let v = v.trim().trim_matches('"');
    if let Ok(ip) = v.parse() {
        return Some(ip);
    }
    if let Some(rest) = v.strip_prefix('[') {
        return rest.split(']').next()?.parse().ok();
    }
    v.parse::<std::net::SocketAddr>().ok().map(|s| s.ip())
}

/// Answers a page of a list meant for one signed-in user: never stored by shared caches.
pub fn private_list_response<T: Serialize>(
    req: &HttpRequest,
    data: Vec<T>,
    page: Page,
    total: i64,
) -> Result<HttpResponse, ApiError> {
    let meta = page.meta(total);
    let link = link_header(req, page, &meta);
    private_json(&List { data, meta }, StatusCode::OK, |res| {
        res.insert_header((header::LINK, link));
    })
}

/// Answers JSON meant for one signed-in user (`Cache-Control: private, no-store`).
pub fn private_json<T: Serialize>(
    value: &T,
    status: StatusCode,
    extra: impl FnOnce(&mut actix_web::HttpResponseBuilder),
) -> Result<HttpResponse, ApiError> {
    let body = to_json(value)?;
    let mut res = HttpResponse::build(status);
    res.insert_header((header::CACHE_CONTROL, "private, no-store"));
    extra(&mut res);
    Ok(res.content_type("application/json").body(body))
}

/// Answers a read of something staff edit: for staff (`writer_etag` given), privately with the
/// ETag they send back in `If-Match`; for readers, as [`cached_json`].
pub fn editable_json<T: Serialize>(
    req: &HttpRequest,
    value: &T,
    writer_etag: Option<String>,
    cache: CachePolicy,
) -> Result<HttpResponse, ApiError> {
    match writer_etag {
        Some(etag) => private_json(value, StatusCode::OK, |res| {
            res.insert_header((header::ETAG, etag));
        }),
        None => cached_json(req, value, cache),
    }
}

/// Fails with 400 when any parameter was bad.
pub fn check(errors: Vec<crate::core::error::FieldError>) -> Result<(), ApiError> {
    if errors.is_empty() { Ok(()) } else { Err(ApiError::InvalidParameters(errors)) }
}

#[cfg(test)]
mod tests {
    use super::*;

    use actix_web::test::TestRequest;

    #[test]
    fn pages_are_checked_and_named() {
        let mut errors = Vec::new();
        let p = Page::parse(&PageParams { page: Some("0".into()), per_page: Some("1000".into()) }, &mut errors);
        assert_eq!(p, Page { page: 1, per_page: 20 });
        let fields: Vec<_> = errors.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, ["page", "per_page"]);
    }

    #[test]
    fn lists_reach_their_first_thousand_pages() {
        let parse = |page: &str, per_page: &str| {
            let mut errors = Vec::new();
            let params = PageParams { page: Some(page.into()), per_page: Some(per_page.into()) };
            let p = Page::parse(&params, &mut errors);
            (p, errors.into_iter().map(|e| (e.field, e.message)).collect::<Vec<_>>())
        };
        assert_eq!(parse("1000", "100"), (Page { page: 1000, per_page: 100 }, vec![]));
        assert_eq!(parse("1000", "1").1, vec![]);
        let (_, errors) = parse("1001", "20");
        assert_eq!(errors, [("page".to_owned(), "must be a whole number from 1 to 1000".to_owned())]);
        // Each bad one is named.
        assert_eq!(parse("1001", "0").1.iter().map(|(f, _)| f.as_str()).collect::<Vec<_>>(), ["page", "per_page"]);
        // The last page linked is the last one reached.
        let req = TestRequest::get().uri("/api/v1/sites/x/articles?page=1000").to_http_request();
        let page = Page { page: 1000, per_page: 20 };
        let header = link_header(&req, page, &page.meta(300_000));
        assert!(header.ends_with("</api/v1/sites/x/articles?page=1000&per_page=20>; rel=\"last\""), "{header}");
        assert!(!header.contains("rel=\"next\""), "{header}");
    }

    #[test]
    fn meta_counts_pages() {
        let p = Page { page: 2, per_page: 5 };
        assert_eq!(p.meta(11), ListMeta { page: 2, per_page: 5, total: 11, total_pages: 3 });
        assert_eq!(p.meta(0).total_pages, 0);
        assert_eq!(p.offset(), 5);
    }

    #[test]
    fn links_keep_other_parameters() {
        let req = TestRequest::get()
            .uri("/api/v1/sites/x/articles?q=h%E1%BA%A3i+d%C6%B0%C6%A1ng&page=2&per_page=5")
            .to_http_request();
        let page = Page { page: 2, per_page: 5 };
        let header = link_header(&req, page, &page.meta(11));
        assert_eq!(
            header,
            "</api/v1/sites/x/articles?q=h%E1%BA%A3i+d%C6%B0%C6%A1ng&page=1&per_page=5>; rel=\"first\", \
             </api/v1/sites/x/articles?q=h%E1%BA%A3i+d%C6%B0%C6%A1ng&page=1&per_page=5>; rel=\"prev\", \
             </api/v1/sites/x/articles?q=h%E1%BA%A3i+d%C6%B0%C6%A1ng&page=3&per_page=5>; rel=\"next\", \
             </api/v1/sites/x/articles?q=h%E1%BA%A3i+d%C6%B0%C6%A1ng&page=3&per_page=5>; rel=\"last\""
        );
    }

    #[test]
    fn client_ip_trusts_only_configured_proxies() {
        use crate::core::config::{IpNet, Proxies, ProxyHeader};
        let peer = |ip: &str| format!("{ip}:40000").parse::<std::net::SocketAddr>().unwrap();
        let trusted =
            Proxies { trusted: vec![IpNet::parse("10.0.0.0/8").unwrap()], header: ProxyHeader::XForwardedFor };
        let req = |from: &str, xff: Option<&str>| {
            let mut r = TestRequest::get().peer_addr(peer(from));
            if let Some(x) = xff {
                r = r.insert_header(("x-forwarded-for", x));
            }
            r.to_http_request()
        };
        let ip = |s: &str| Some(s.parse::<std::net::IpAddr>().unwrap());
        // An untrusted peer cannot name someone else.
        assert_eq!(client_ip(&req("18.207.102.38", Some("1.1.1.1")), &trusted), ip("18.207.102.38"));
        // A trusted proxy can; proxies of ours in the chain are skipped, spoofed entries before them are not trusted.
        assert_eq!(
            client_ip(&req("10.0.0.2", Some("6.6.6.6, 18.207.102.38, 10.0.0.9")), &trusted),
            ip("18.207.102.38")
        );
        assert_eq!(client_ip(&req("10.0.0.2", None), &trusted), ip("10.0.0.2"));
        // Behind nginx a client's own Forwarded header arrives untouched: it is not read.
        let both = TestRequest::get()
            .peer_addr(peer("10.0.0.2"))
            .insert_header(("forwarded", "for=6.6.6.6"))
            .insert_header(("x-forwarded-for", "18.207.102.38"))
            .to_http_request();
        assert_eq!(client_ip(&both, &trusted), ip("18.207.102.38"));
        // A garbage hop ends the walk: the last proxy is taken, not what the client wrote before it.
        assert_eq!(client_ip(&req("10.0.0.2", Some("6.6.6.6, unknown")), &trusted), ip("10.0.0.2"));
        let forwarded = Proxies { header: ProxyHeader::Forwarded, ..trusted.clone() };
        let fwd = TestRequest::get()
            .peer_addr(peer("10.0.0.2"))
            .insert_header(("forwarded", "for=6.6.6.6, for=\"[2001:db8::7]:4711\";proto=https"))
            .insert_header(("x-forwarded-for", "5.5.5.5"))
            .to_http_request();
        assert_eq!(client_ip(&fwd, &forwarded), ip("2001:db8::7"));
    }

    #[test]
    fn if_none_match_accepts_lists_weak_tags_and_star() {
        let tag = "\"abc\"";
        for header in ["\"abc\"", "W/\"abc\"", "\"x\", \"abc\"", "*"] {
            let req = TestRequest::get().insert_header((header::IF_NONE_MATCH, header)).to_http_request();
            assert!(if_none_match(req.headers(), |t| t == tag), "{header}");
        }
        let req = TestRequest::get().insert_header((header::IF_NONE_MATCH, "\"abd\"")).to_http_request();
        assert!(!if_none_match(req.headers(), |t| t == tag));
    }
}
