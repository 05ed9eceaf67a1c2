//! An article's revisions: every saved state, listed and restored.

use actix_web::{HttpRequest, HttpResponse, get, post, web};
use chrono::{DateTime, NaiveDateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::types::*;
use crate::AppState;
use crate::auth::staff::write_as;
use crate::auth::{Caller, Role, on_site};
use crate::core::error::{ApiError, Problem};
use crate::http::{Data, List, Page, PageParams, private_list_response};
use crate::publishing::{self, StoredRevision};
use crate::seo::ARTICLE;

use super::write::*;

/// One saved state of an article.
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({
    "id": 12, "action": "update", "user_id": 3, "created_at": "2026-11-26T15:04:05+07:00",
    "category_id": 2, "title": "Phường Chí Minh tổ chức Ngày hội Đại đoàn kết", "slug": "phuong-chi-minh-to-chuc-ngay-hoi-dai-doan-ket",
    "summary": "", "body_html": "<p>...</p>", "cover_image_url": null, "cover_image_alt": "", "author_name": null, "status": "draft", "published_at": null
}))]
pub struct Revision {
    pub id: i64,
    /// `create`, `update`, `submit`, `publish`, `unpublish`, `trash`, `restore` or `revert`.
    pub action: String,
    pub user_id: Option<i64>,
    pub created_at: DateTime<Utc>,
    pub category_id: i64,
    pub title: String,
    pub slug: String,
    pub summary: String,
    pub body_html: String,
    pub cover_image_url: Option<String>,
    pub cover_image_alt: String,
    pub author_name: Option<String>,
    pub status: String,
    pub published_at: Option<DateTime<Utc>>,
}

/// What an article's revision keeps: the JSON of its `content` in `publishing`'s store.
#[derive(Debug, Serialize, Deserialize)]
pub struct ArticleContent {
    pub category_id: i64,
    pub title: String,
    pub slug: String,
    pub summary: String,
    pub body_html: String,
    pub cover_image_url: Option<String>,
    #[serde(default)]
    pub cover_image_alt: String,
    pub author_name: Option<String>,
    pub status: String,
    pub published_at: Option<NaiveDateTime>,
}

impl ArticleContent {
    /// The content of `row` as saved.
    pub fn of(row: &ArticleRow) -> ArticleContent {
        ArticleContent {
            category_id: row.category_id,
            title: row.title.clone(),
            slug: row.slug.clone(),
            summary: row.summary.clone(),
            body_html: row.body_html.clone(),
            cover_image_url: row.cover_image_url.clone(),
            cover_image_alt: row.cover_image_alt.clone(),
            author_name: row.author_name.clone(),
            status: row.status.clone(),
            published_at: row.published_at,
        }
    }
}

impl Revision {
    fn new(stored: &StoredRevision) -> Result<Revision, ApiError> {
        let c: ArticleContent = stored.content()?;
        Ok(Revision {
            id: stored.id,
            action: stored.action.clone(),
            user_id: stored.user_id,
            created_at: stored.created_at(),
            category_id: c.category_id,
            title: c.title,
            slug: c.slug,
            summary: c.summary,
            body_html: c.body_html,
            cover_image_url: c.cover_image_url,
            cover_image_alt: c.cover_image_alt,
            author_name: c.author_name,
            status: c.status,
            published_at: c.published_at.map(|t| t.and_utc()),
        })
    }
}

/// List an article's revisions
///
/// Every saved state, newest first. Roles: editors and admins; authors for their own articles.
#[utoipa::path(
    tag = "articles",
    params(
        ("article" = String, Path, description = "Article id or slug", example = "19"),
        PageParams,
    ),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "A page of revisions", body = List<Revision>, headers(("Link" = String))),
        (status = 404, description = "No such site or article", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/sites/{site}/articles/{article}/revisions")]
pub async fn list_revisions(
    state: web::Data<AppState>,
    req: HttpRequest,
    caller: Caller,
    path: web::Path<(String, String)>,
    params: web::Query<PageParams>,
) -> Result<HttpResponse, ApiError> {
    let (site, key) = path.into_inner();
    let page = Page::from_params(&params)?;
    let (rows, total) = on_site(&state, &req, caller, site, Role::Author, move |conn, site, actor, role, _| {
        let row = load(conn, site, &key)?;
        if role < Role::Editor && row.created_by != Some(actor.id) {
            return Err(ApiError::Forbidden("authors see the revisions of their own articles".into()));
        }
        let (stored, total) = publishing::list(conn, (ARTICLE, row.id), page.limit(), page.offset())?;
        Ok((stored.iter().map(Revision::new).collect::<Result<Vec<_>, _>>()?, total))
    })
    .await?;
    private_list_response(&req, rows, page, total)
}

/// Restore a revision
///
/// The article's content (title, slug, category, summary, body, cover and its alt text,
/// author name) becomes
/// that of the revision; its status stays. Roles: editors and admins; authors for their own
/// unpublished articles.
#[utoipa::path(
    tag = "articles",
    params(
        ("article" = String, Path, description = "Article id or slug", example = "19"),
        ("revision" = i64, Path, description = "Revision id", example = 42),
    ),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "Restored", body = Data<ArticleDetail>, headers(("ETag" = String))),
        (status = 404, description = "No such site, article or revision", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "The revision's slug is taken by another article now", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/sites/{site}/articles/{article}/revisions/{revision}/restore")]
pub async fn restore_revision(
    state: web::Data<AppState>,
    req: HttpRequest,
    caller: Caller,
    path: web::Path<(String, String, i64)>,
) -> Result<HttpResponse, ApiError> {
    let (site, key, revision) = path.into_inner();
    let limit = state.related_limit;
    write_as(&state, &req, caller, site, Role::Author, move |conn, site, actor, role| {
        let old = load(conn, site, &key)?;
        may_edit(actor, role, &old)?;
        let rev: ArticleContent = publishing::find(conn, (ARTICLE, old.id), revision)?.content()?;
        let new = ArticleRow {
            category_id: rev.category_id,
            title: rev.title,
            slug: rev.slug,
            summary: rev.summary,
            body_html: rev.body_html,
            cover_image_url: rev.cover_image_url,
            cover_image_alt: rev.cover_image_alt,
            author_name: rev.author_name,
            ..old.clone()
        };
        let row = save(conn, &old, new)?;
        let revised = revision_of(&row)?;
        Ok(done(conn, site, row, limit, "article.revert", false)?.with_revision(revised))
    })
    .await
}
