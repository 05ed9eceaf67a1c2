//! Feeds and sitemaps: RSS 2.0, Atom and JSON Feed 1.1 of a site's newest articles (or one
//! category's), `sitemap.xml` of what a ward publishes and the news sitemap of the last 48
//! hours. Links are absolute, on the site's public base URL (its `base_url` setting), at the
//! frontend's paths ([`crate::sites::Site::public_url`]); a site without a base URL has none.

use actix_web::{HttpRequest, HttpResponse, get, web};
use chrono::{DateTime, Duration, FixedOffset, SecondsFormat, Utc};
use diesel::prelude::*;
use serde::Deserialize;
use serde_json::json;
use utoipa::IntoParams;

use crate::AppState;
use crate::articles::search::{SearchOrder, SearchScope};
use crate::articles::types::ArticleSummary;
use crate::core::error::ApiError;
use crate::db::AnyConnection;
use crate::db::schema::documents;
use crate::http::{cached_body, check, field_error, fresh_body};
use crate::sites::Site;
use crate::sites::context::SiteContext;

/// Articles in a feed.
const FEED_ITEMS: i64 = 20;
/// The most articles a sitemap lists: with the categories and documents, within the
/// protocol's 50,000 URLs.
const SITEMAP_ARTICLES: i64 = 45_000;
/// The most documents a sitemap lists.
const SITEMAP_DOCUMENTS: i64 = 4_000;

/// What never goes into the response cache: the news sitemap changes as articles age past
/// 48 hours, with no write.
pub const CACHE: crate::cache::Rules =
    crate::cache::Rules { fresh: &["/api/v1/sites/{site}/sitemap-news.xml"], quiet: &[] };

/// Which articles a feed carries.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct FeedParams {
    /// Only this category's articles (and its sub-categories'), by slug.
    #[param(max_length = 80, pattern = "^[a-z0-9]+(-[a-z0-9]+)*$", example = "dang-uy-xa")]
    pub category: Option<String>,
}

/// Text escaped for XML; characters XML 1.0 does not allow are left out.
pub fn xml(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            '\t' | '\n' | '\r' => out.push(c),
            c if (c as u32) < 0x20 || matches!(c, '\u{FFFE}' | '\u{FFFF}') => {}
            c => out.push(c),
        }
    }
    out
}

/// A feed's subject (the site, or one of its categories) and its newest public articles.
struct Feed {
    title: String,
    description: String,
    /// The frontend page the feed is of.
    home: String,
    articles: Vec<ArticleSummary>,
    /// The newest change among them; the Unix epoch for none, so an empty feed stays the same.
    updated: DateTime<FixedOffset>,
}

/// The site's public base URL, or 404 saying how to set it.
fn base(site: &Site) -> Result<(), ApiError> {
    if site.settings.base_url.is_empty() {
        return Err(ApiError::not_found(format!(
            "site {:?} has no public base URL for its links: an editor sets base_url (PATCH /api/v1/sites/{})",
            site.slug, site.slug
        )));
    }
    Ok(())
}

fn feed(conn: &mut AnyConnection, context: &SiteContext, category: Option<&str>) -> Result<Feed, ApiError> {
    let site = &context.site;
    base(site)?;
    let (title, description, home, category_ids) = match category {
        None => (site.name.clone(), site.description.clone(), site.public_url("/"), None),
        Some(slug) => {
            let row = context
                .tree
                .by_slug(slug)
                .ok_or_else(|| ApiError::not_found(format!("no category {slug:?} in site {:?}", site.slug)))?;
            let title = format!("{} - {}", row.name, site.name);
            let home = site.public_url(&format!("/{}", row.slug));
            (title, row.description.clone(), home, Some(context.tree.with_descendants(row.id)))
        }
    };
    let scope = SearchScope { category_ids, ..SearchScope::public(site.id, Utc::now().naive_utc()) };
    let (articles, _) = crate::articles::queries::list(
        conn,
        site,
        &context.categories,
        &scope,
        None,
        SearchOrder::Newest,
        FEED_ITEMS,
        0,
    )?;
    let updated =
        articles.iter().map(|a| a.updated_at).max().unwrap_or_else(|| site.local(DateTime::UNIX_EPOCH.naive_utc()));
    Ok(Feed { title, description, home, articles, updated })
}

fn article_url(site: &Site, a: &ArticleSummary) -> String {
    site.public_url(&format!("/{}/{}", a.category.slug, a.slug))
}

fn rfc3339(t: DateTime<FixedOffset>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Secs, false)
}

fn rss(site: &Site, feed: &Feed) -> String {
    let mut out = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<rss version=\"2.0\">\n<channel>\n");
    out += &format!("<title>{}</title>\n<link>{}</link>\n", xml(&feed.title), xml(&feed.home));
    out += &format!("<description>{}</description>\n<language>vi</language>\n", xml(&feed.description));
    out += &format!("<lastBuildDate>{}</lastBuildDate>\n", feed.updated.to_rfc2822());
    for a in &feed.articles {
        let link = xml(&article_url(site, a));
        out += &format!("<item>\n<title>{}</title>\n<link>{link}</link>\n", xml(&a.title));
        out += &format!("<guid isPermaLink=\"true\">{link}</guid>\n<description>{}</description>\n", xml(&a.summary));
        out += &format!("<category>{}</category>\n", xml(&a.category.name));
        if let Some(at) = a.published_at {
            out += &format!("<pubDate>{}</pubDate>\n", at.to_rfc2822());
        }
        out += "</item>\n";
    }
    out + "</channel>\n</rss>\n"
}

fn atom(site: &Site, feed: &Feed) -> String {
    let mut out = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    out += "<feed xmlns=\"http://www.w3.org/2005/Atom\" xml:lang=\"vi\">\n";
    out += &format!("<title>{}</title>\n<subtitle>{}</subtitle>\n", xml(&feed.title), xml(&feed.description));
    out += &format!("<id>{}</id>\n<link rel=\"alternate\" href=\"{0}\"/>\n", xml(&feed.home));
    out +=
        &format!("<updated>{}</updated>\n<author><name>{}</name></author>\n", rfc3339(feed.updated), xml(&site.name));
    for a in &feed.articles {
        let link = xml(&article_url(site, a));
        out += &format!(
            "<entry>\n<title>{}</title>\n<id>{link}</id>\n<link rel=\"alternate\" href=\"{link}\"/>\n",
            xml(&a.title)
        );
        if let Some(at) = a.published_at {
            out += &format!("<published>{}</published>\n", rfc3339(at));
        }
        out += &format!("<updated>{}</updated>\n<summary>{}</summary>\n", rfc3339(a.updated_at), xml(&a.summary));
        out += &format!("<category term=\"{}\" label=\"{}\"/>\n", xml(&a.category.slug), xml(&a.category.name));
        if let Some(author) = a.author_name.as_deref().filter(|n| !n.is_empty()) {
            out += &format!("<author><name>{}</name></author>\n", xml(author));
        }
        out += "</entry>\n";
    }
    out + "</feed>\n"
}

fn json_feed(site: &Site, feed: &Feed) -> Result<Vec<u8>, ApiError> {
    let items: Vec<serde_json::Value> = feed
        .articles
        .iter()
        .map(|a| {
            let url = article_url(site, a);
            let mut item = json!({"id": url, "url": url, "title": a.title, "summary": a.summary,
                "date_modified": rfc3339(a.updated_at), "tags": [a.category.name]});
            if let Some(at) = a.published_at {
                item["date_published"] = json!(rfc3339(at));
            }
            if let Some(cover) = &a.cover_image_url {
                item["image"] = json!(if cover.starts_with('/') { site.public_url(cover) } else { cover.clone() });
            }
            if let Some(author) = a.author_name.as_deref().filter(|n| !n.is_empty()) {
                item["authors"] = json!([{"name": author}]);
            }
            item
        })
        .collect();
    let doc = json!({"version": "https://jsonfeed.org/version/1.1", "title": feed.title, "home_page_url": feed.home,
        "description": feed.description, "language": "vi", "items": items});
    serde_json::to_vec(&doc).map_err(|e| ApiError::internal(format!("serialise: {e}")))
}

/// The feed's category, checked.
fn category(params: &FeedParams) -> Result<Option<String>, ApiError> {
    let category = params.category.as_deref().map(str::trim);
    if category.is_some_and(|c| !crate::core::text::is_slug(c)) {
        check(vec![field_error("category", "must be a category slug such as dang-uy-xa")])?;
    }
    Ok(category.map(str::to_owned))
}

/// The three feed formats.
#[derive(Clone, Copy)]
enum Format {
    Rss,
    Atom,
    Json,
}

async fn answer(
    state: web::Data<AppState>,
    req: HttpRequest,
    slug: String,
    params: FeedParams,
    format: Format,
) -> Result<HttpResponse, ApiError> {
    let category = category(&params)?;
    let body = crate::sites::context::read(&state, slug, move |conn, context| {
        let feed = feed(conn, context, category.as_deref())?;
        let site = &context.site;
        Ok(match format {
            Format::Rss => rss(site, &feed).into_bytes(),
            Format::Atom => atom(site, &feed).into_bytes(),
            Format::Json => json_feed(site, &feed)?,
        })
    })
    .await?;
    let content_type = match format {
        Format::Rss => "application/rss+xml; charset=utf-8",
        Format::Atom => "application/atom+xml; charset=utf-8",
        Format::Json => "application/feed+json; charset=utf-8",
    };
    cached_body(&req, content_type, body, state.cache)
}

/// Get a site's RSS feed
///
/// RSS 2.0 of the site's 20 newest published articles, or of one category's (with its
/// sub-categories) with `category`. Each item links to `{base_url}/{category}/{article}` on
/// the frontend. A site without a `base_url` has no feed (404).
#[utoipa::path(
    tag = "feeds",
    params(FeedParams),
    responses(
        (status = 200, description = "The feed", content_type = "application/rss+xml", body = String,
         headers(("ETag" = String), ("Cache-Control" = String))),
        (status = 304, description = "Not modified (If-None-Match)"),
    )
)]
#[get("/sites/{site}/feeds/rss.xml")]
pub async fn rss_feed(
    state: web::Data<AppState>,
    req: HttpRequest,
    path: web::Path<String>,
    params: web::Query<FeedParams>,
) -> Result<HttpResponse, ApiError> {
    answer(state, req, path.into_inner(), params.into_inner(), Format::Rss).await
}

/// Get a site's Atom feed
///
/// Atom 1.0 (RFC 4287) of the same articles as the RSS feed.
#[utoipa::path(
    tag = "feeds",
    params(FeedParams),
    responses(
        (status = 200, description = "The feed", content_type = "application/atom+xml", body = String,
         headers(("ETag" = String), ("Cache-Control" = String))),
        (status = 304, description = "Not modified (If-None-Match)"),
    )
)]
#[get("/sites/{site}/feeds/atom.xml")]
pub async fn atom_feed(
    state: web::Data<AppState>,
    req: HttpRequest,
    path: web::Path<String>,
    params: web::Query<FeedParams>,
) -> Result<HttpResponse, ApiError> {
    answer(state, req, path.into_inner(), params.into_inner(), Format::Atom).await
}

/// Get a site's JSON feed
///
/// JSON Feed 1.1 of the same articles as the RSS feed, with their covers and authors.
#[utoipa::path(
    tag = "feeds",
    params(FeedParams),
    responses(
        (status = 200, description = "The feed", content_type = "application/feed+json", body = Object,
         headers(("ETag" = String), ("Cache-Control" = String))),
        (status = 304, description = "Not modified (If-None-Match)"),
    )
)]
#[get("/sites/{site}/feeds/feed.json")]
pub async fn json_feed_route(
    state: web::Data<AppState>,
    req: HttpRequest,
    path: web::Path<String>,
    params: web::Query<FeedParams>,
) -> Result<HttpResponse, ApiError> {
    answer(state, req, path.into_inner(), params.into_inner(), Format::Json).await
}

/// `sitemap.xml` of the site: its home page, categories, newest articles and documents.
fn sitemap(conn: &mut AnyConnection, context: &SiteContext) -> Result<String, ApiError> {
    let site = &context.site;
    base(site)?;
    let scope = SearchScope::public(site.id, Utc::now().naive_utc());
    let (articles, _) = crate::articles::queries::list(
        conn,
        site,
        &context.categories,
        &scope,
        None,
        SearchOrder::Newest,
        SITEMAP_ARTICLES,
        0,
    )?;
    let mut out = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    out += "<urlset xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\">\n";
    let mut url = |loc: String, lastmod: Option<DateTime<FixedOffset>>| {
        out += &format!("<url><loc>{}</loc>", xml(&loc));
        if let Some(t) = lastmod {
            out += &format!("<lastmod>{}</lastmod>", rfc3339(t));
        }
        out += "</url>\n";
    };
    url(site.public_url("/"), articles.iter().map(|a| a.updated_at).max());
    // What says noindex is left out.
    let mut hidden = |kind| crate::seo::noindexed(conn, site.id, kind);
    let (hidden_categories, hidden_pages, hidden_articles) =
        (hidden(crate::seo::CATEGORY)?, hidden(crate::seo::PAGE)?, hidden(crate::seo::ARTICLE)?);
    let mut newest: std::collections::HashMap<i64, DateTime<FixedOffset>> = std::collections::HashMap::new();
    for a in &articles {
        let at = newest.entry(a.category.id).or_insert(a.updated_at);
        *at = (*at).max(a.updated_at);
    }
    let mut categories: Vec<_> = context.categories.values().filter(|c| !hidden_categories.contains(&c.id)).collect();
    categories.sort_unstable_by(|a, b| a.slug.cmp(&b.slug));
    for c in categories {
        url(site.public_url(&format!("/{}", c.slug)), newest.get(&c.id).copied());
    }
    let pages = crate::pages::Pages::load(conn, site.id)?;
    let now = Utc::now().naive_utc();
    for page in pages.rows.iter().filter(|p| pages.public(p.id, now) && !hidden_pages.contains(&p.id)) {
        url(site.public_url(&format!("/trang/{}", pages.path(page.id))), Some(site.local(page.updated_at)));
    }
    for a in articles.iter().filter(|a| !hidden_articles.contains(&a.id)) {
        url(article_url(site, a), Some(a.updated_at));
    }
    let docs: Vec<(i64, chrono::NaiveDateTime)> = documents::table
        .filter(documents::site_id.eq(site.id))
        .order((documents::issued_on.desc(), documents::id.desc()))
        .limit(SITEMAP_DOCUMENTS)
        .select((documents::id, documents::updated_at))
        .load(conn)?;
    for (id, updated) in docs {
        url(site.public_url(&format!("/van-ban/{id}")), Some(site.local(updated)));
    }
    Ok(out + "</urlset>\n")
}

/// Get a site's sitemap
///
/// The Sitemaps 0.9 list of the site's frontend pages: its home (`{base_url}/`), every
/// category (`{base_url}/{category}`), the pages readers see (`{base_url}/trang/{path}`), its
/// 45,000 newest published articles
/// (`{base_url}/{category}/{article}`) and its documents (`{base_url}/van-ban/{id}`), each
/// with `lastmod` from its last change; what an editor marked `noindex` is left out. A site
/// without a `base_url` has none (404).
#[utoipa::path(
    tag = "feeds",
    responses(
        (status = 200, description = "The sitemap", content_type = "application/xml", body = String,
         headers(("ETag" = String), ("Cache-Control" = String))),
        (status = 304, description = "Not modified (If-None-Match)"),
    )
)]
#[get("/sites/{site}/sitemap.xml")]
pub async fn get_sitemap(
    state: web::Data<AppState>,
    req: HttpRequest,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let body = crate::sites::context::read(&state, path.into_inner(), sitemap).await?;
    cached_body(&req, "application/xml; charset=utf-8", body.into_bytes(), state.cache)
}

/// Get a site's news sitemap
///
/// The Google News sitemap of the articles published in the last 48 hours, with their titles
/// and publication times. It changes as articles age, so it is answered anew each time
/// (`Cache-Control: no-cache`, with an ETag for `If-None-Match`).
#[utoipa::path(
    tag = "feeds",
    responses(
        (status = 200, description = "The news sitemap", content_type = "application/xml", body = String,
         headers(("ETag" = String), ("Cache-Control" = String))),
        (status = 304, description = "Not modified (If-None-Match)"),
    )
)]
#[get("/sites/{site}/sitemap-news.xml")]
pub async fn get_news_sitemap(
    state: web::Data<AppState>,
    req: HttpRequest,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let body = crate::sites::context::read(&state, path.into_inner(), move |conn, context| {
        let site = &context.site;
        base(site)?;
        let now = Utc::now().naive_utc();
        let scope = SearchScope { from: Some(now - Duration::hours(48)), ..SearchScope::public(site.id, now) };
        let (articles, _) = crate::articles::queries::list(
            conn,
            site,
            &context.categories,
            &scope,
            None,
            SearchOrder::Newest,
            1000,
            0,
        )?;
        let mut out = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
        out += "<urlset xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\" \
                xmlns:news=\"http://www.google.com/schemas/sitemap-news/0.9\">\n";
        let hidden = crate::seo::noindexed(conn, site.id, crate::seo::ARTICLE)?;
        for a in articles.iter().filter(|a| !hidden.contains(&a.id)) {
            let Some(at) = a.published_at else { continue };
            out += &format!("<url><loc>{}</loc><news:news><news:publication>", xml(&article_url(site, a)));
            out += &format!("<news:name>{}</news:name><news:language>vi</news:language>", xml(&site.name));
            out += &format!("</news:publication><news:publication_date>{}</news:publication_date>", rfc3339(at));
            out += &format!("<news:title>{}</news:title></news:news></url>\n", xml(&a.title));
        }
        Ok(out + "</urlset>\n")
    })
    .await?;
    fresh_body(&req, "application/xml; charset=utf-8", body.into_bytes())
}

/// Registers the feed and sitemap routes.
pub fn configure(cfg: &mut utoipa_actix_web::service_config::ServiceConfig) {
    cfg.service(rss_feed).service(atom_feed).service(json_feed_route).service(get_sitemap).service(get_news_sitemap);
}

#[cfg(test)]
mod tests {
    #[test]
    fn xml_is_escaped() {
        assert_eq!(
            super::xml("Tin <b>\"mới\"</b> & 'cũ'\u{1}"),
            "Tin &lt;b&gt;&quot;mới&quot;&lt;/b&gt; &amp; &apos;cũ&apos;"
        );
    }
}
