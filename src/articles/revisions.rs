//! An article's revisions: every saved state, listed and restored.

use actix_web::{HttpRequest, HttpResponse, get, post, web};
use chrono::{DateTime, NaiveDateTime, Utc};
use diesel::prelude::*;
use serde::Serialize;
use utoipa::ToSchema;

use super::types::*;
use crate::AppState;
use crate::auth::staff::write_as;
use crate::auth::{Caller, Role, on_site};
use crate::core::error::{ApiError, Problem};
use crate::db::schema::article_revisions;
use crate::http::{Data, List, Page, PageParams, private_list_response};

use super::write::*;

/// One saved state of an article.
#[derive(Debug, Serialize, ToSchema, Queryable)]
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

type RevisionRow = (
    i64,
    String,
    Option<i64>,
    NaiveDateTime,
    i64,
    String,
    String,
    String,
    String,
    Option<String>,
    Option<String>,
    String,
    Option<NaiveDateTime>,
    String,
);

impl From<RevisionRow> for Revision {
    fn from(r: RevisionRow) -> Self {
        Revision {
            id: r.0,
            action: r.1,
            user_id: r.2,
            created_at: r.3.and_utc(),
            category_id: r.4,
            title: r.5,
            slug: r.6,
            summary: r.7,
            body_html: r.8,
            cover_image_url: r.9,
            author_name: r.10,
            status: r.11,
            published_at: r.12.map(|t| t.and_utc()),
            cover_image_alt: r.13,
        }
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
        let total: i64 =
            article_revisions::table.filter(article_revisions::article_id.eq(row.id)).count().get_result(conn)?;
        let rows: Vec<RevisionRow> = revision_query(row.id).limit(page.limit()).offset(page.offset()).load(conn)?;
        Ok((rows, total))
    })
    .await?;
    private_list_response(&req, rows.into_iter().map(Revision::from).collect(), page, total)
}

#[diesel::dsl::auto_type(no_type_alias)]
pub(super) fn revision_query(article_id: i64) -> _ {
    article_revisions::table
        .filter(article_revisions::article_id.eq(article_id))
        .order(article_revisions::id.desc())
        .select((
            article_revisions::id,
            article_revisions::action,
            article_revisions::user_id,
            article_revisions::created_at,
            article_revisions::category_id,
            article_revisions::title,
            article_revisions::slug,
            article_revisions::summary,
            article_revisions::body_html,
            article_revisions::cover_image_url,
            article_revisions::author_name,
            article_revisions::status,
            article_revisions::published_at,
            article_revisions::cover_image_alt,
        ))
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
        let rev: Revision = revision_query(old.id)
            .filter(article_revisions::id.eq(revision))
            .first::<RevisionRow>(conn)
            .optional()?
            .map(Revision::from)
            .ok_or_else(|| ApiError::not_found(format!("no revision {revision} of this article")))?;
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
        let row = save(conn, actor.id, &old, new, "revert")?;
        done(conn, site, row, limit, "article.revert", false)
    })
    .await
}
