//! Pages ("Giới thiệu" → "Lịch sử", "Cơ cấu tổ chức", "Liên hệ"...): a site's tree of static
//! pages, each read at the path of its slugs, drafted and published (or scheduled) by editors.

pub mod model;
pub mod revisions;

use actix_web::{HttpRequest, HttpResponse, delete, get, patch, post, web};
use chrono::Utc;
use serde::Deserialize;
use utoipa::ToSchema;

use crate::AppState;
use crate::auth::staff::{Done, write};
use crate::auth::{Caller, Role};
use crate::core::error::{ApiError, Problem};
use crate::core::text;
use crate::db::AnyConnection;
use crate::http::body::Body;
use crate::http::input::{Checker, Need, present};
use crate::http::{Data, cached_json, editable_json};
use crate::publishing::{DRAFT, PUBLISHED};
use crate::seo::{Overrides, PAGE, SeoInput};
use crate::sites::Site;
pub use model::{Page, PageNode, PageRow, Pages};

/// The slug no page may have: `{page}/revisions` lists a page's revisions.
const RESERVED_SLUG: &str = "revisions";

/// True when `key` reaches into a page's revisions (`2/revisions`, `2/revisions/31/restore`):
/// no page has the slug `revisions`, so the page routes leave such paths to the revisions'
/// own (405 with `Allow` for a method those do not answer).
fn under_revisions(key: &str) -> bool {
    key.split('/').any(|s| s == RESERVED_SLUG)
}

/// The longest body accepted, in characters.
const MAX_BODY_CHARS: usize = 200_000;

/// List a site's pages
///
/// The tree of the pages readers see (published, their time come, under pages readers see),
/// each with its path of slugs, in order: the site's introduction and the like.
#[utoipa::path(
    tag = "pages",
    responses(
        (status = 200, description = "The page tree", body = Data<Vec<PageNode>>, headers(("ETag" = String), ("Cache-Control" = String))),
        (status = 304, description = "Not modified (If-None-Match)"),
    )
)]
#[get("/sites/{site}/pages")]
pub async fn list_pages(
    state: web::Data<AppState>,
    req: HttpRequest,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let tree = crate::sites::context::read(&state, path.into_inner(), move |conn, context| {
        Ok(model::tree(&Pages::load(conn, context.site.id)?, Utc::now().naive_utc()))
    })
    .await?;
    cached_json(&req, &Data { data: tree }, state.cache)
}

/// Get a page
///
/// One page readers see, by its path of slugs (`gioi-thieu/lich-su`) or its numeric id, with
/// its body, breadcrumbs and the pages below it. Editors of the site (with a token) also get
/// drafts and scheduled pages, privately, with an ETag to send back in `If-Match`.
#[utoipa::path(
    tag = "pages",
    params(
        ("page" = String, Path, description = "The page's path of slugs, `/` between them, or its numeric id", example = "gioi-thieu/lich-su"),
    ),
    security((), ("bearer" = [])),
    responses(
        (status = 200, description = "The page", body = Data<Page>, headers(("ETag" = String), ("Cache-Control" = String))),
        (status = 304, description = "Not modified (If-None-Match)"),
        (status = 401, description = "A bad token", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such site, or no page readers see there", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/sites/{site}/pages/{page:.*}")]
pub async fn get_page(
    state: web::Data<AppState>,
    req: HttpRequest,
    caller: Caller,
    path: web::Path<(String, String)>,
) -> Result<HttpResponse, ApiError> {
    let (slug, key) = path.into_inner();
    if under_revisions(&key) {
        return crate::core::error::no_route(req).await;
    }
    let (page, staff_etag) = crate::sites::context::read(&state, slug, move |conn, context| {
        let site = &context.site;
        let staff = caller.actor_opt(conn)?.is_some_and(|a| a.role_on(site.id) >= Some(Role::Editor));
        let pages = Pages::load(conn, site.id)?;
        let row = pages
            .find(&key)
            .filter(|p| staff || pages.public(p.id, Utc::now().naive_utc()))
            .ok_or_else(|| ApiError::not_found(format!("no page {key:?} in this site")))?;
        Ok((model::view(conn, site, &pages, row, !staff)?, staff.then(|| row.etag())))
    })
    .await?;
    editable_json(&req, &Data { data: page }, staff_etag, state.cache)
}

/// The fields of a page an editor sets. On create `title` is required; on update only the
/// fields sent change.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"title": "Lịch sử", "parent_id": 1, "summary": "Lịch sử hình thành phường Chí Minh",
    "body_html": "<p>Phường Chí Minh được thành lập năm 2010...</p>", "status": "published"}))]
pub struct PageInput {
    /// 1 to 200 characters.
    #[schema(max_length = 200, pattern = "\\S")]
    pub title: Option<String>,
    /// Unique among its siblings, and not `revisions` (the path of a page's revisions); made
    /// from the title when left out on create.
    #[schema(pattern = "^[a-z0-9]+(-[a-z0-9]+)*$", max_length = 80)]
    pub slug: Option<String>,
    /// The page above it (null: at the top). Not itself or one below it; at most 5 levels.
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Option<i64>, minimum = 1)]
    pub parent_id: Option<Option<i64>>,
    /// Plain text, up to 1000 characters.
    #[schema(max_length = 1000)]
    pub summary: Option<String>,
    /// HTML, sanitised on save; up to 200000 characters.
    #[schema(max_length = 200000)]
    pub body_html: Option<String>,
    /// `draft` (the default on create) or `published`.
    #[schema(pattern = "^(draft|published)$")]
    pub status: Option<String>,
    /// RFC 3339: when it is published (a time to come schedules it); now when left out as it
    /// is published.
    #[schema(format = DateTime,
        pattern = "^(19[0-9]{2}|20[0-9]{2}|2100)-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])T([01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9](\\.[0-9]{1,9})?(Z|[+-]([01][0-9]|2[0-3]):[0-5][0-9])$")]
    pub published_at: Option<String>,
    /// 0 to 100000; left out on create, after its last sibling.
    #[schema(minimum = 0, maximum = 100000)]
    pub position: Option<i32>,
    /// What search engines read; each field sent empty goes back to its default.
    pub seo: Option<SeoInput>,
}

/// Checks `input` and applies it to `row`; returns the sanitised body, if sent.
fn apply(
    site: &Site,
    pages: &Pages,
    row: &mut PageRow,
    seo: &mut Overrides,
    input: PageInput,
) -> Result<Option<String>, ApiError> {
    let creating = row.id == 0;
    let mut check = Checker::default();
    let title = check.text("title", input.title, 200, Need::on_create(creating));
    let slug = check.slug("slug", input.slug);
    let summary = check.text("summary", input.summary, 1000, Need::Optional);
    let body = check.text("body_html", input.body_html, MAX_BODY_CHARS, Need::Optional);
    let status = input.status.map(|s| s.trim().to_owned());
    if status.as_deref().is_some_and(|s| s != DRAFT && s != PUBLISHED) {
        check.reject("status", "must be draft or published");
    }
    let published_at = check.time("published_at", input.published_at, site);
    let position = check.position("position", input.position);
    seo.apply(&mut check, input.seo);
    if let Some(Some(parent)) = input.parent_id {
        match pages.by_id(parent) {
            None => check.clash("parent_id", format!("no page {parent} in this site")),
            Some(_) if !creating && pages.with_descendants(row.id).contains(&parent) => {
                check.reject("parent_id", "must not be the page itself or a page below it")
            }
            Some(_) => {
                let height = if creating { 1 } else { depth_below(pages, row.id) };
                if pages.lineage(parent).len() + height > model::MAX_DEPTH {
                    check.reject("parent_id", format!("pages go at most {} levels deep", model::MAX_DEPTH));
                }
            }
        }
    }
    if !check.errors.is_empty() {
        return check.finish().map(|_| None);
    }
    if let Some(parent) = input.parent_id {
        row.parent_id = parent;
    }
    row.title = title.unwrap_or(std::mem::take(&mut row.title));
    row.summary = summary.unwrap_or(std::mem::take(&mut row.summary));
    row.status = status.unwrap_or(std::mem::take(&mut row.status));
    if row.status == PUBLISHED {
        row.published_at = published_at.or(row.published_at).or(Some(Utc::now().naive_utc()));
    } else if published_at.is_some() {
        row.published_at = published_at;
    }
    let taken =
        |slug: &str| slug == RESERVED_SLUG || pages.children(row.parent_id).any(|p| p.id != row.id && p.slug == slug);
    row.slug = match slug {
        Some(s) if s == RESERVED_SLUG => {
            check.reject("slug", format!("{RESERVED_SLUG} is kept for a page's revisions"));
            s
        }
        Some(s) => {
            if taken(&s) {
                check.clash("slug", "is taken by another page at the same place");
            }
            s
        }
        None if creating || input.parent_id.is_some() && taken(&row.slug) => {
            let base = text::slugify(&row.title);
            let mut candidate = base.clone();
            let mut n = 2;
            while taken(&candidate) {
                candidate = format!("{base}-{n}");
                n += 1;
            }
            candidate
        }
        None => std::mem::take(&mut row.slug),
    };
    if creating {
        row.position = position.unwrap_or_else(|| {
            pages.children(row.parent_id).map(|p| p.position).max().map_or(1, |p| p.saturating_add(1).min(100_000))
        });
    } else {
        row.position = position.unwrap_or(row.position);
    }
    check.finish()?;
    Ok(body.map(|b| text::sanitize_html(&b)))
}

/// How many levels a page and the pages below it take.
fn depth_below(pages: &Pages, id: i64) -> usize {
    1 + pages.children(Some(id)).map(|c| depth_below(pages, c.id)).max().unwrap_or(0)
}

/// The answer to a write of page `id`: its view as staff see it, with its ETag, and the
/// revision `auth::staff::write` keeps of it.
fn answer(
    conn: &mut AnyConnection,
    site: &Site,
    id: i64,
    action: &'static str,
    created: bool,
) -> Result<Done<Page>, ApiError> {
    let pages = Pages::load(conn, site.id)?;
    let row = find(&pages, &id.to_string())?;
    let view = model::view(conn, site, &pages, &row, false)?;
    let revised = crate::publishing::Revised::of(PAGE, id, &model::content(conn, id)?)?;
    let target = format!("page:{id}");
    let done = match created {
        true => Done::created(action, target, format!("/api/v1/sites/{}/pages/{}", site.slug, view.path), view),
        false => Done::saved(action, target, view),
    };
    Ok(done.with_etag(row.etag()).with_revision(revised))
}

/// The page an editor names, whatever its status.
fn find(pages: &Pages, key: &str) -> Result<PageRow, ApiError> {
    pages.find(key).cloned().ok_or_else(|| ApiError::not_found(format!("no page {key:?} in this site")))
}

/// Add a page
///
/// A draft unless `status` is `published`; kept as its first revision. Roles: editors and
/// admins of the site.
#[utoipa::path(
    tag = "pages",
    request_body = PageInput,
    extensions(("x-required-fields" = json!(["title"]))),
    security(("bearer" = [])),
    responses(
        (status = 201, description = "Created", body = Data<Page>, headers(("Location" = String), ("ETag" = String))),
        (status = 409, description = "The slug is taken at that place, or `parent_id` names a page the site lacks", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/sites/{site}/pages")]
pub async fn create_page(
    state: web::Data<AppState>,
    req: HttpRequest,
    caller: Caller,
    path: web::Path<String>,
    body: Body<PageInput>,
) -> Result<HttpResponse, ApiError> {
    write(&state, &req, caller, path.into_inner(), Role::Editor, move |conn, site| {
        let input = body.parse()?;
        let pages = Pages::load(conn, site.id)?;
        let mut row = PageRow {
            id: 0,
            parent_id: None,
            slug: String::new(),
            title: String::new(),
            summary: String::new(),
            status: DRAFT.to_owned(),
            published_at: None,
            position: 0,
            updated_at: Utc::now().naive_utc(),
            version: 1,
        };
        let mut seo = Overrides::default();
        let body = apply(site, &pages, &mut row, &mut seo, input)?;
        let id = model::save(conn, site.id, &row, Some(body.as_deref().unwrap_or("")))?;
        crate::seo::save(conn, site.id, PAGE, id, &seo)?;
        answer(conn, site, id, "page.create", true)
    })
    .await
}

/// Edit a page
///
/// By its path of slugs or its id, whatever its status. Needs `If-Match` with the page's ETag
/// (from a staff GET or the last write): 428 without it, 412 when someone saved in between.
/// Every save is kept as a revision. Roles: editors and admins of the site.
#[utoipa::path(
    tag = "pages",
    params(
        ("page" = String, Path, description = "The page's path of slugs, `/` between them, or its numeric id", example = "gioi-thieu/lich-su"),
        ("If-Match" = String, Header, description = "The ETag of the version edited", example = "\"p2v1\""),
    ),
    request_body = PageInput,
    security(("bearer" = [])),
    responses(
        (status = 200, description = "Saved", body = Data<Page>, headers(("ETag" = String))),
        (status = 404, description = "No such site or page", body = Problem, content_type = "application/problem+json"),
        (status = 412, description = "Someone else saved first", body = Problem, content_type = "application/problem+json"),
        (status = 428, description = "No If-Match", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "The slug is taken at that place, or `parent_id` names a page the site lacks", body = Problem, content_type = "application/problem+json"),
    )
)]
#[patch("/sites/{site}/pages/{page:.*}")]
pub async fn update_page(
    state: web::Data<AppState>,
    req: HttpRequest,
    caller: Caller,
    path: web::Path<(String, String)>,
    body: Body<PageInput>,
) -> Result<HttpResponse, ApiError> {
    let (site, key) = path.into_inner();
    if under_revisions(&key) {
        return crate::core::error::no_route(req).await;
    }
    let if_match = crate::publishing::if_match(&req);
    write(&state, &req, caller, site, Role::Editor, move |conn, site| {
        let input = body.parse()?;
        let pages = Pages::load(conn, site.id)?;
        let mut row = find(&pages, &key)?;
        crate::publishing::check_if_match(if_match.as_deref(), &row.etag(), "the page")?;
        let mut seo = crate::seo::load(conn, PAGE, row.id)?;
        let body = apply(site, &pages, &mut row, &mut seo, input)?;
        model::save(conn, site.id, &row, body.as_deref())?;
        crate::seo::save(conn, site.id, PAGE, row.id, &seo)?;
        answer(conn, site, row.id, "page.update", false)
    })
    .await
}

/// Delete a page
///
/// A page with pages below it is not deleted (409): move or delete them first. Roles:
/// editors and admins of the site.
#[utoipa::path(
    tag = "pages",
    params(
        ("page" = String, Path, description = "The page's path of slugs, `/` between them, or its numeric id", example = "gioi-thieu/lich-su"),
    ),
    security(("bearer" = [])),
    responses(
        (status = 204, description = "Deleted"),
        (status = 404, description = "No such site or page", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "It has pages below it", body = Problem, content_type = "application/problem+json"),
    )
)]
#[delete("/sites/{site}/pages/{page:.*}")]
pub async fn delete_page(
    state: web::Data<AppState>,
    req: HttpRequest,
    caller: Caller,
    path: web::Path<(String, String)>,
) -> Result<HttpResponse, ApiError> {
    use diesel::prelude::*;
    let (site, key) = path.into_inner();
    if under_revisions(&key) {
        return crate::core::error::no_route(req).await;
    }
    write(&state, &req, caller, site, Role::Editor, move |conn, site| {
        let pages = Pages::load(conn, site.id)?;
        let row = find(&pages, &key)?;
        if pages.children(Some(row.id)).next().is_some() {
            return Err(ApiError::Conflict("the page has pages below it: move or delete them first".into()));
        }
        diesel::delete(crate::db::schema::pages::table.find(row.id)).execute(conn)?;
        crate::seo::forget(conn, PAGE, row.id)?;
        crate::publishing::forget(conn, (PAGE, row.id))?;
        Ok(Done::deleted("page.delete", format!("page:{}", row.id)))
    })
    .await
}

/// Registers the page routes.
pub fn configure(cfg: &mut utoipa_actix_web::service_config::ServiceConfig) {
    // The revisions first: `{page:.*}` would take their paths too.
    cfg.service(revisions::list_page_revisions)
        .service(revisions::restore_page_revision)
        .service(list_pages)
        .service(create_page)
        .service(get_page)
        .service(update_page)
        .service(delete_page);
}
