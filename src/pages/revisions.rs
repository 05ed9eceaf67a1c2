//! A page's revisions: every saved state, listed and restored (kept by `auth::staff::write`
//! through `publishing`, as each write of a page names its new state).

use actix_web::{HttpRequest, HttpResponse, get, post, web};
use chrono::{DateTime, FixedOffset};
use serde::Serialize;
use utoipa::ToSchema;

use super::model::{self, PageContent, Pages};
use crate::AppState;
use crate::auth::staff::write;
use crate::auth::{Caller, Role, on_site};
use crate::core::error::{ApiError, Problem};
use crate::http::{Data, List, Page, PageParams, private_list_response};
use crate::publishing::{self, StoredRevision};
use crate::seo::PAGE;
use crate::sites::Site;

/// The page with id `id` (only by id: the revisions' paths name a page by its id).
fn by_id(pages: &Pages, id: i64) -> Result<&model::PageRow, ApiError> {
    pages.by_id(id).ok_or_else(|| ApiError::not_found(format!("no page {id} in this site")))
}

/// One saved state of a page.
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({
    "id": 31, "action": "update", "user_id": 3, "created_at": "2026-12-07T09:15:00+07:00",
    "parent_id": 1, "slug": "lich-su", "title": "Lịch sử", "summary": "Lịch sử hình thành phường Chí Minh",
    "body_html": "<p>Phường Chí Minh được thành lập năm 2010...</p>", "status": "published",
    "published_at": "2026-12-01T08:00:00+07:00", "position": 1
}))]
pub struct PageRevision {
    pub id: i64,
    /// `create`, `update` or `revert`.
    pub action: String,
    /// Who saved it (null once the account is gone).
    pub user_id: Option<i64>,
    #[serde(serialize_with = "crate::http::serialize_time")]
    pub created_at: DateTime<FixedOffset>,
    pub parent_id: Option<i64>,
    pub slug: String,
    pub title: String,
    pub summary: String,
    pub body_html: String,
    pub status: String,
    #[serde(serialize_with = "crate::http::serialize_opt_time")]
    pub published_at: Option<DateTime<FixedOffset>>,
    pub position: i32,
}

impl PageRevision {
    fn new(site: &Site, stored: &StoredRevision) -> Result<PageRevision, ApiError> {
        let c: PageContent = stored.content()?;
        Ok(PageRevision {
            id: stored.id,
            action: stored.action.clone(),
            user_id: stored.user_id,
            created_at: site.local(stored.created_at),
            parent_id: c.parent_id,
            slug: c.slug,
            title: c.title,
            summary: c.summary,
            body_html: c.body_html,
            status: c.status,
            published_at: c.published_at.map(|t| site.local(t)),
            position: c.position,
        })
    }
}

/// List a page's revisions
///
/// Every saved state of the page, newest first. Roles: editors and admins of the site.
#[utoipa::path(
    tag = "pages",
    params(
        ("page" = i64, Path, description = "The page's numeric id", example = 2, minimum = 1),
        PageParams,
    ),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "A page of revisions", body = List<PageRevision>, headers(("Link" = String))),
        (status = 404, description = "No such site or page", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/sites/{site}/pages/{page}/revisions")]
pub async fn list_page_revisions(
    state: web::Data<AppState>,
    req: HttpRequest,
    caller: Caller,
    path: web::Path<(String, i64)>,
    params: web::Query<PageParams>,
) -> Result<HttpResponse, ApiError> {
    let (site, id) = path.into_inner();
    let page = Page::from_params(&params)?;
    let (revisions, total) = on_site(&state, &req, caller, site, Role::Editor, move |conn, site, _, _, _| {
        let pages = Pages::load(conn, site.id)?;
        let row = by_id(&pages, id)?;
        let (stored, total) = publishing::list(conn, (PAGE, row.id), page.limit(), page.offset())?;
        let revisions = stored.iter().map(|r| PageRevision::new(site, r)).collect::<Result<Vec<_>, _>>()?;
        Ok((revisions, total))
    })
    .await?;
    private_list_response(&req, revisions, page, total)
}

/// Restore a page's revision
///
/// The page's title, slug, summary and body become those of the revision; its place in the
/// tree and its status stay. Needs no `If-Match`: it is a new save, kept as a revision of its
/// own. Roles: editors and admins of the site.
#[utoipa::path(
    tag = "pages",
    params(
        ("page" = i64, Path, description = "The page's numeric id", example = 2, minimum = 1),
        ("revision" = i64, Path, description = "The revision's id", example = 31),
    ),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "Restored", body = Data<model::Page>, headers(("ETag" = String))),
        (status = 404, description = "No such site, page or revision", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "The revision's slug is taken by another page at the same place now", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/sites/{site}/pages/{page}/revisions/{revision}/restore")]
pub async fn restore_page_revision(
    state: web::Data<AppState>,
    req: HttpRequest,
    caller: Caller,
    path: web::Path<(String, i64, i64)>,
) -> Result<HttpResponse, ApiError> {
    let (site, id, revision) = path.into_inner();
    write(&state, &req, caller, site, Role::Editor, move |conn, site| {
        let pages = Pages::load(conn, site.id)?;
        let mut row = by_id(&pages, id)?.clone();
        let old: PageContent = publishing::find(conn, (PAGE, row.id), revision)?.content()?;
        if pages.children(row.parent_id).any(|p| p.id != row.id && p.slug == old.slug) {
            let mut check = crate::http::input::Checker::default();
            check.clash("slug", "the revision's slug is taken by another page at the same place");
            check.finish()?;
        }
        row.title = old.title;
        row.slug = old.slug;
        row.summary = old.summary;
        model::save(conn, site.id, &row, Some(&old.body_html))?;
        super::answer(conn, site, row.id, "page.revert", false)
    })
    .await
}
