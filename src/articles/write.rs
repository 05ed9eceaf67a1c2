//! Writing articles: create and edit (with `If-Match`), the workflow (submit, publish now or
//! later, unpublish, trash, restore), related articles, and revisions.
//!
//! Who may do what on a site:
//! - authors create drafts, and edit, submit or trash their own until they are published;
//! - editors do anything to any article of their sites, and alone publish;
//! - admins are editors of every site.
//!
//! Every save bumps the article's version (its writer ETag), keeps a revision, re-indexes it
//! for search and writes the audit log, all in one transaction.

use actix_web::{HttpRequest, HttpResponse, patch, post, web};
use chrono::Utc;
use diesel::prelude::*;
use serde::Deserialize;
use utoipa::ToSchema;

use super::queries;
use super::types::*;
use crate::AppState;
use crate::articles::search::{SearchScope, index_article};
use crate::auth::staff::{Done, write_as};
use crate::auth::{Actor, Caller, Role};
use crate::categories::tree::Tree;
use crate::core::error::{ApiError, Problem};
use crate::core::text;
use crate::db::schema::{article_related, articles};
use crate::db::{self, AnyConnection, slugs};
use crate::http::Data;
use crate::http::body::Body;
use crate::http::input::{Checker, Need};
use crate::publishing;
use crate::seo::{ARTICLE, Overrides, SeoInput};
use crate::sites::Site;

/// The longest title, in characters.
pub const MAX_TITLE_CHARS: usize = 300;
/// The longest summary, in characters.
pub const MAX_SUMMARY_CHARS: usize = 2000;
/// The largest body, in bytes.
pub const MAX_BODY_BYTES: usize = 500_000;
/// The longest cover alt text, in characters.
pub const MAX_ALT_CHARS: usize = 300;
/// The most related articles an editor may choose.
pub const MAX_RELATED: usize = 20;

/// The fields of an article a writer sets. On create, `title` and `category` are required; on
/// update, only the fields sent change. An empty `cover_image_url` or `author_name` clears it.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({
    "title": "Phường Chí Minh tổ chức Ngày hội Đại đoàn kết toàn dân tộc",
    "category": "tin-trong-phuong",
    "summary": "Ngày hội diễn ra tại khu dân cư Cộng Hòa với sự tham gia của đông đảo nhân dân.",
    "body_html": "<p>Sáng 15/11, khu dân cư Cộng Hòa tổ chức Ngày hội Đại đoàn kết toàn dân tộc.</p>",
    "cover_image_url": "/uploads/3f/3fa2c9e1.jpg",
    "cover_image_alt": "Người dân khu dân cư Cộng Hòa dự Ngày hội",
    "author_name": "Ban biên tập",
    "seo": {"description": "Ngày hội Đại đoàn kết toàn dân tộc tại khu dân cư Cộng Hòa, phường Chí Minh."}
}))]
pub struct ArticleInput {
    #[schema(max_length = 300, pattern = "\\S")]
    pub title: Option<String>,
    /// Made from the title when left out on create.
    #[schema(pattern = "^([0-9]*[a-z][a-z0-9]*|[0-9]+-[a-z0-9]+)(-[a-z0-9]+)*$", max_length = 80)]
    pub slug: Option<String>,
    /// The category's slug.
    #[schema(pattern = "^[a-z0-9]+(-[a-z0-9]+)*$", max_length = 80)]
    pub category: Option<String>,
    #[schema(max_length = 2000)]
    pub summary: Option<String>,
    /// HTML; scripts, event handlers and `javascript:` links are removed on save.
    pub body_html: Option<String>,
    #[schema(pattern = "^(https?://[^/\\s]\\S*|/([^/\\s]\\S*)?)?$", max_length = 2000)]
    pub cover_image_url: Option<String>,
    /// The cover's text alternative (Circular 26/2020/TT-BTTTT), for screen readers.
    #[schema(max_length = 300)]
    pub cover_image_alt: Option<String>,
    #[schema(max_length = 200)]
    pub author_name: Option<String>,
    /// What search engines and link previews read; each field sent empty goes back to its default.
    pub seo: Option<SeoInput>,
}

/// When to publish.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"published_at": "2026-12-01T07:00:00+07:00"}))]
pub struct PublishInput {
    /// RFC 3339; left out, now. A time to come schedules the article: it appears by itself then.
    #[schema(
        pattern = "^(19[0-9]{2}|20[0-9]{2}|2100)-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])T([01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9](\\.[0-9]{1,9})?(Z|[+-]([01][0-9]|2[0-3]):[0-5][0-9])$"
    )]
    pub published_at: Option<String>,
}

/// The related articles an editor chooses, in order.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"article_ids": [2, 3, 4, 5, 6]}))]
pub struct RelatedInput {
    pub article_ids: Vec<i64>,
}

/// Loads any article of the site (every status) for a writer.
pub(super) fn load(conn: &mut AnyConnection, site: &Site, key: &str) -> Result<ArticleRow, ApiError> {
    let scope = SearchScope { status: StatusFilter::All, ..SearchScope::public(site.id, Utc::now().naive_utc()) };
    queries::find(conn, &scope, key)?
        .ok_or_else(|| ApiError::not_found(format!("no article {key:?} in site {:?}", site.slug)))
}

/// 403 unless `actor` (with `role` on the site) may change `row`: editors any, authors their
/// own until published.
pub(super) fn may_edit(actor: &Actor, role: Role, row: &ArticleRow) -> Result<(), ApiError> {
    if role >= Role::Editor {
        return Ok(());
    }
    if row.created_by != Some(actor.id) {
        return Err(ApiError::Forbidden("authors change only their own articles".into()));
    }
    if row.status != DRAFT && row.status != REVIEW {
        return Err(ApiError::Forbidden(format!("authors cannot change an article that is {}", row.status)));
    }
    Ok(())
}

/// Checks `input` and applies it to `row` (a new article when `creating`); returns the SEO
/// overrides to store when `seo` was sent ([`save_seo`] once the article has its id).
pub(super) fn apply(
    conn: &mut AnyConnection,
    site: &Site,
    row: &mut ArticleRow,
    input: ArticleInput,
    creating: bool,
) -> Result<Option<Overrides>, ApiError> {
    let mut check = Checker::default();
    let title = check.text("title", input.title, MAX_TITLE_CHARS, Need::on_create(creating));
    let category = check.slug("category", input.category);
    if creating && category.is_none() {
        check.reject("category", "is required");
    }
    let summary = check.text("summary", input.summary, MAX_SUMMARY_CHARS, Need::Optional);
    if input.body_html.as_ref().is_some_and(|b| b.len() > MAX_BODY_BYTES) {
        check.reject("body_html", format!("must be at most {MAX_BODY_BYTES} bytes"));
    }
    let cover = check.url("cover_image_url", input.cover_image_url, true, Need::Optional);
    let cover_alt = check.text("cover_image_alt", input.cover_image_alt, MAX_ALT_CHARS, Need::Optional);
    let author = check.text("author_name", input.author_name, 200, Need::Optional);
    let slug = check.slug("slug", input.slug);
    if slug.as_deref().is_some_and(|s| s.parse::<i64>().is_ok()) {
        check.reject("slug", "must not be a number");
    }
    // The stored overrides are read only when some are sent.
    let seo = match input.seo {
        Some(seo) => {
            let mut overrides = if creating { Overrides::default() } else { crate::seo::load(conn, ARTICLE, row.id)? };
            overrides.apply(&mut check, Some(seo));
            Some(overrides)
        }
        None => None,
    };
    if let Some(slug) = &category {
        match Tree::load(conn, site.id)?.by_slug(slug) {
            Some(c) => row.category_id = c.id,
            None => check.clash("category", format!("no category {slug:?} in this site")),
        }
    }
    if let Some(t) = title {
        row.title = t;
    }
    if let Some(s) = summary {
        row.summary = s;
    }
    if let Some(body) = input.body_html {
        row.body_html = text::sanitize_html(&body);
    }
    if let Some(url) = cover {
        row.cover_image_url = (!url.is_empty()).then_some(url);
    }
    if let Some(alt) = cover_alt {
        row.cover_image_alt = alt;
    }
    if let Some(name) = author {
        row.author_name = (!name.is_empty()).then_some(name);
    }
    match slug {
        Some(slug) => {
            if queries::SLUGS.is_taken(conn, site.id, row.id, &slug)? {
                check.clash("slug", "is taken by another article of this site");
            }
            row.slug = slug;
        }
        None if creating && check.errors.is_empty() => row.slug = queries::SLUGS.free(conn, site.id, 0, &row.title)?,
        None => {}
    }
    check.finish()?;
    Ok(seo)
}

/// Stores the SEO overrides `apply` returned, if any.
pub(super) fn save_seo(conn: &mut AnyConnection, site: &Site, id: i64, seo: Option<Overrides>) -> QueryResult<()> {
    match seo {
        Some(o) => crate::seo::save(conn, site.id, ARTICLE, id, &o),
        None => Ok(()),
    }
}

/// Writes `new` over `old` if no one saved in between, then re-indexes, in the caller's
/// writing transaction (`auth::staff::write_as`, which logs it and keeps the revision its
/// answer names: [`revision_of`]). Returns the saved row.
pub(super) fn save(conn: &mut AnyConnection, old: &ArticleRow, new: ArticleRow) -> Result<ArticleRow, ApiError> {
    let now = Utc::now().naive_utc();
    let updated =
        diesel::update(articles::table.filter(articles::id.eq(old.id)).filter(articles::version.eq(old.version)))
            .set((
                articles::category_id.eq(new.category_id),
                articles::title.eq(&new.title),
                articles::slug.eq(&new.slug),
                articles::summary.eq(&new.summary),
                articles::body_html.eq(&new.body_html),
                articles::cover_image_url.eq(&new.cover_image_url),
                articles::cover_image_alt.eq(&new.cover_image_alt),
                articles::author_name.eq(&new.author_name),
                articles::status.eq(&new.status),
                articles::published_at.eq(new.published_at),
                articles::updated_at.eq(now),
                articles::version.eq(old.version + 1),
            ))
            .execute(conn)?;
    if updated == 0 {
        return Err(ApiError::PreconditionFailed("someone else saved this article first; reload it".into()));
    }
    // Its old address answers 301 to the new one.
    slugs::old::moved(conn, new.site_id, ARTICLE, new.id, &old.slug, &new.slug)?;
    let row = stored(conn, new.id)?;
    index_article(conn, row.id, row.site_id, &row.title, &row.summary, &row.body_html)?;
    Ok(row)
}

/// Stores a new article (its id and version are the database's) and indexes it for search:
/// what a writer's create, the demo and the generator all do. Returns its id.
pub fn insert(conn: &mut AnyConnection, row: &ArticleRow, created_at: chrono::NaiveDateTime) -> QueryResult<i64> {
    let id: i64 = diesel::insert_into(articles::table)
        .values((
            articles::site_id.eq(row.site_id),
            articles::category_id.eq(row.category_id),
            articles::title.eq(&row.title),
            articles::slug.eq(&row.slug),
            articles::summary.eq(&row.summary),
            articles::body_html.eq(&row.body_html),
            articles::cover_image_url.eq(&row.cover_image_url),
            articles::cover_image_alt.eq(&row.cover_image_alt),
            articles::author_name.eq(&row.author_name),
            articles::status.eq(&row.status),
            articles::published_at.eq(row.published_at),
            articles::created_at.eq(created_at),
            articles::updated_at.eq(row.updated_at),
            articles::created_by.eq(row.created_by),
            articles::version.eq(1),
        ))
        .returning(articles::id)
        .get_result(conn)?;
    index_article(conn, id, row.site_id, &row.title, &row.summary, &row.body_html)?;
    Ok(id)
}

/// The article `id` as stored.
fn stored(conn: &mut AnyConnection, id: i64) -> QueryResult<ArticleRow> {
    articles::table.find(id).select(ArticleRow::as_select()).first(conn)
}

/// The revision a write that saved `row` keeps (through its `Done`).
pub(super) fn revision_of(row: &ArticleRow) -> Result<publishing::Revised, ApiError> {
    publishing::Revised::of(ARTICLE, row.id, &super::revisions::ArticleContent::of(row))
}

/// The answer to a write of `row`, audited as `action`: the article as staff see it, with its
/// new ETag (and where it is read, when `created`). Read back on the write's own connection,
/// since a second trip to the pool could time out after the commit and answer 503 to a write
/// that was made (a retried create would then make a second draft).
pub(super) fn done(
    conn: &mut db::AnyConnection,
    site: &Site,
    row: ArticleRow,
    limit: usize,
    action: &'static str,
    created: bool,
) -> Result<Done<ArticleDetail>, ApiError> {
    let (etag, target) = (row.etag(), format!("article:{}", row.id));
    let location = format!("/api/v1/sites/{}/articles/{}", site.slug, row.id);
    let detail = queries::detail(conn, site, &queries::Categories::new(), row, limit)?;
    let done = match created {
        true => Done::created(action, target, location, detail),
        false => Done::saved(action, target, detail),
    };
    Ok(done.with_etag(etag))
}

/// Create an article
///
/// A new draft. Roles: author, editor or admin of the site.
#[utoipa::path(
    tag = "articles",
        request_body = ArticleInput,
        extensions(("x-required-fields" = json!(["title", "category"]))),
    security(("bearer" = [])),
    responses(
        (status = 201, description = "Created, as a draft", body = Data<ArticleDetail>, headers(("ETag" = String), ("Location" = String))),
    )
)]
#[post("/sites/{site}/articles")]
pub async fn create_article(
    state: web::Data<AppState>,
    req: HttpRequest,
    caller: Caller,
    path: web::Path<String>,
    body: Body<ArticleInput>,
) -> Result<HttpResponse, ApiError> {
    let limit = state.related_limit;
    write_as(&state, &req, caller, path.into_inner(), Role::Author, move |conn, site, actor, _| {
        let input = body.parse()?;
        let now = Utc::now().naive_utc();
        let mut row = ArticleRow {
            id: 0,
            site_id: site.id,
            category_id: 0,
            title: String::new(),
            slug: String::new(),
            summary: String::new(),
            body_html: String::new(),
            cover_image_url: None,
            cover_image_alt: String::new(),
            author_name: None,
            status: DRAFT.into(),
            published_at: None,
            updated_at: now,
            created_by: Some(actor.id),
            version: 1,
        };
        let seo = apply(conn, site, &mut row, input, true)?;
        let id = insert(conn, &row, now)?;
        save_seo(conn, site, id, seo)?;
        let saved = stored(conn, id)?;
        let revised = revision_of(&saved)?;
        Ok(done(conn, site, saved, limit, "article.create", true)?.with_revision(revised))
    })
    .await
}

/// Names `related` as the articles related to `article_id`, in that order (positions from 1).
pub fn relate(conn: &mut AnyConnection, article_id: i64, related: &[i64]) -> QueryResult<()> {
    for (position, id) in related.iter().enumerate() {
        diesel::insert_into(article_related::table)
            .values((
                article_related::article_id.eq(article_id),
                article_related::related_id.eq(id),
                article_related::position.eq(position as i32 + 1),
            ))
            .execute(conn)?;
    }
    Ok(())
}

/// Edit an article
///
/// Changes the fields sent. Needs `If-Match` with the article's ETag (from a staff GET or the
/// last write): 428 without it, 412 when someone saved in between. Roles: editors and admins
/// any article; authors their own drafts and articles in review.
#[utoipa::path(
    tag = "articles",
    params(
        ("article" = String, Path, description = "Article id or slug", example = "19"),
        ("If-Match" = String, Header, description = "The ETag of the version edited", example = "\"a19v2\""),
    ),
    request_body = ArticleInput,
    security(("bearer" = [])),
    responses(
        (status = 200, description = "Saved", body = Data<ArticleDetail>, headers(("ETag" = String))),
        (status = 403, description = "Not allowed to change this article", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such site or article", body = Problem, content_type = "application/problem+json"),
        (status = 412, description = "Someone else saved first", body = Problem, content_type = "application/problem+json"),
        (status = 428, description = "No If-Match", body = Problem, content_type = "application/problem+json"),
    )
)]
#[patch("/sites/{site}/articles/{article}")]
pub async fn update_article(
    state: web::Data<AppState>,
    req: HttpRequest,
    caller: Caller,
    path: web::Path<(String, String)>,
    body: Body<ArticleInput>,
) -> Result<HttpResponse, ApiError> {
    let (site, key) = path.into_inner();
    let if_match = crate::publishing::if_match(&req);
    let limit = state.related_limit;
    write_as(&state, &req, caller, site, Role::Author, move |conn, site, actor, role| {
        let input = body.parse()?;
        let old = load(conn, site, &key)?;
        may_edit(actor, role, &old)?;
        crate::publishing::check_if_match(if_match.as_deref(), &old.etag(), "the article")?;
        let mut new = old.clone();
        let seo = apply(conn, site, &mut new, input, false)?;
        save_seo(conn, site, old.id, seo)?;
        let row = save(conn, &old, new)?;
        let revised = revision_of(&row)?;
        Ok(done(conn, site, row, limit, "article.update", false)?.with_revision(revised))
    })
    .await
}
