//! Menus: the site's header and footer menus, items in order and nested, each pointing at a
//! category, a page, an article, a procedure, a document or a URL, resolved to the frontend's
//! path ([`crate::sites::Site::public_url`]'s paths, without the base URL) when read.

use actix_web::{HttpRequest, HttpResponse, get, put, web};
use chrono::Utc;
use diesel::prelude::*;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::AppState;
use crate::auth::staff::{Done, write};
use crate::auth::{Caller, Role};
use crate::core::error::{ApiError, Problem};
use crate::db::AnyConnection;
use crate::db::schema::{articles, documents, menu_items, procedures};
use crate::http::body::Body;
use crate::http::input::{Checker, Need};
use crate::http::{Data, cached_json};
use crate::publishing::PUBLISHED;
use crate::sites::context::SiteContext;

/// Where a menu shows.
pub const LOCATIONS: &[&str] = &["header", "footer"];
/// What an item may point at.
pub const KINDS: &[&str] = &["category", "page", "article", "procedure", "document", "url"];
/// The most items a menu holds, and how deep it goes.
const MAX_ITEMS: usize = 60;
const MAX_DEPTH: usize = 3;

/// What a menu item points at.
#[derive(Debug, Clone, Copy, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum MenuTarget {
    /// A category, by slug.
    Category,
    /// A page, by its path of slugs.
    Page,
    /// An article, by slug.
    Article,
    /// A procedure of the desk, by code.
    Procedure,
    /// A document, by id.
    Document,
    /// An http(s) URL, or a path of the frontend (`/mot-cua`).
    Url,
}

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = menu_items)]
struct ItemRow {
    id: i64,
    parent_id: Option<i64>,
    label: String,
    kind: String,
    target: String,
}

/// A menu item, resolved.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(example = json!({"label": "Giới thiệu", "kind": "page", "target": "gioi-thieu", "url": "/trang/gioi-thieu",
    "children": [{"label": "Lịch sử", "kind": "page", "target": "gioi-thieu/lich-su", "url": "/trang/gioi-thieu/lich-su", "children": []}]}))]
pub struct MenuItem {
    pub label: String,
    #[schema(inline, value_type = MenuTarget)]
    pub kind: String,
    /// What it points at, as the editor named it.
    pub target: String,
    /// Where it leads: a path of the frontend (to put after the site's base URL), or the URL
    /// itself.
    pub url: String,
    #[schema(no_recursion)]
    pub children: Vec<MenuItem>,
}

/// Where each target of the site leads, for the items being read: `None` for one that is
/// gone or not public (its item is left out).
fn resolve(conn: &mut AnyConnection, context: &SiteContext, rows: &[ItemRow]) -> QueryResult<Vec<Option<String>>> {
    let site = &context.site;
    let of = |kind: &str| rows.iter().filter(|r| r.kind == kind).map(|r| r.target.clone()).collect::<Vec<_>>();
    let now = Utc::now().naive_utc();
    let pages = crate::pages::Pages::load(conn, site.id)?;
    let article_slugs = of("article");
    let found_articles: Vec<(String, i64)> = articles::table
        .filter(articles::site_id.eq(site.id))
        .filter(articles::slug.eq_any(&article_slugs))
        .filter(articles::status.eq(PUBLISHED))
        .filter(articles::published_at.le(now))
        .select((articles::slug, articles::category_id))
        .load(conn)?;
    let codes: Vec<String> = procedures::table
        .filter(procedures::site_id.eq(site.id))
        .filter(procedures::code.eq_any(of("procedure")))
        .select(procedures::code)
        .load(conn)?;
    let document_ids: Vec<i64> = of("document").iter().filter_map(|d| d.parse().ok()).collect();
    let docs: Vec<i64> = documents::table
        .filter(documents::site_id.eq(site.id))
        .filter(documents::id.eq_any(&document_ids))
        .select(documents::id)
        .load(conn)?;
    Ok(rows
        .iter()
        .map(|r| match r.kind.as_str() {
            "category" => context.tree.by_slug(&r.target).map(|c| format!("/{}", c.slug)),
            "page" => pages
                .find(&r.target)
                .filter(|p| pages.public(p.id, now))
                .map(|p| format!("/trang/{}", pages.path(p.id))),
            "article" => found_articles
                .iter()
                .find(|(slug, _)| *slug == r.target)
                .and_then(|(slug, category)| context.categories.get(category).map(|c| format!("/{}/{slug}", c.slug))),
            "procedure" => codes.contains(&r.target).then(|| format!("/thu-tuc/{}", r.target)),
            "document" => r.target.parse().ok().filter(|id| docs.contains(id)).map(|id: i64| format!("/van-ban/{id}")),
            _ => Some(r.target.clone()),
        })
        .collect())
}

/// The site's menu at `location`, resolved, items readers cannot reach left out.
pub fn menu(conn: &mut AnyConnection, context: &SiteContext, location: &str) -> QueryResult<Vec<MenuItem>> {
    let rows: Vec<ItemRow> = menu_items::table
        .filter(menu_items::site_id.eq(context.site.id))
        .filter(menu_items::location.eq(location))
        .order((menu_items::position.asc(), menu_items::id.asc()))
        .select(ItemRow::as_select())
        .load(conn)?;
    let urls = resolve(conn, context, &rows)?;
    fn below(rows: &[ItemRow], urls: &[Option<String>], parent: Option<i64>, depth: usize) -> Vec<MenuItem> {
        if depth > MAX_DEPTH {
            return Vec::new();
        }
        rows.iter()
            .zip(urls)
            .filter(|(r, _)| r.parent_id == parent)
            .filter_map(|(r, url)| {
                url.clone().map(|url| MenuItem {
                    label: r.label.clone(),
                    kind: r.kind.clone(),
                    target: r.target.clone(),
                    url,
                    children: below(rows, urls, Some(r.id), depth + 1),
                })
            })
            .collect()
    }
    Ok(below(&rows, &urls, None, 1))
}

fn location(value: &str) -> Result<&'static str, ApiError> {
    LOCATIONS
        .iter()
        .find(|l| **l == value)
        .copied()
        .ok_or_else(|| ApiError::not_found(format!("no menu {value:?}: the menus are header and footer")))
}

/// Get a menu
///
/// The site's `header` or `footer` menu, items in order and nested (3 levels at most), each
/// resolved to where it leads: `/{category}`, `/trang/{page path}`, `/{category}/{article}`,
/// `/thu-tuc/{code}`, `/van-ban/{id}` on the frontend, or a URL. An item whose target is gone
/// or not public is left out, with the items below it.
#[utoipa::path(
    tag = "pages",
    params(
        ("location" = String, Path, description = "`header` or `footer`", example = "header"),
    ),
    responses(
        (status = 200, description = "The menu", body = Data<Vec<MenuItem>>, headers(("ETag" = String), ("Cache-Control" = String))),
        (status = 304, description = "Not modified (If-None-Match)"),
        (status = 404, description = "No such site or menu", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/sites/{site}/menus/{location}")]
pub async fn get_menu(
    state: web::Data<AppState>,
    req: HttpRequest,
    path: web::Path<(String, String)>,
) -> Result<HttpResponse, ApiError> {
    let (slug, at) = path.into_inner();
    let at = location(&at)?;
    let items = crate::sites::context::read(&state, slug, move |conn, context| Ok(menu(conn, context, at)?)).await?;
    cached_json(&req, &Data { data: items }, state.cache)
}

/// An item of a menu as an editor sends it.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"label": "Giới thiệu", "kind": "page", "target": "gioi-thieu",
    "children": [{"label": "Lịch sử", "kind": "page", "target": "gioi-thieu/lich-su"}]}))]
pub struct MenuItemInput {
    /// 1 to 100 characters.
    #[schema(max_length = 100, pattern = "\\S")]
    pub label: String,
    #[schema(inline, value_type = MenuTarget)]
    pub kind: String,
    /// A category's or an article's slug, a page's path, a procedure's code, a document's id,
    /// or an http(s) URL or a path starting with `/` for `url`; 1 to 2000 characters.
    #[schema(max_length = 2000, pattern = "\\S")]
    pub target: String,
    /// The items below it (3 levels at most in all).
    #[serde(default)]
    #[schema(no_recursion)]
    pub children: Vec<MenuItemInput>,
}

/// A whole menu, as it is to be.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"items": [{"label": "Trang chủ", "kind": "url", "target": "/"},
    {"label": "Giới thiệu", "kind": "page", "target": "gioi-thieu"}, {"label": "Tin tức", "kind": "category", "target": "tin-tuc"}]}))]
pub struct MenuInput {
    /// At most 60 items in all.
    #[schema(max_items = 60)]
    pub items: Vec<MenuItemInput>,
}

/// Checks every item (named `items[0].children[1].target`), whether its target exists included.
fn check_items(
    conn: &mut AnyConnection,
    context: &SiteContext,
    pages: &crate::pages::Pages,
    items: &[MenuItemInput],
    prefix: &str,
    depth: usize,
    check: &mut Checker,
) -> QueryResult<()> {
    for (i, item) in items.iter().enumerate() {
        let at = format!("{prefix}[{i}]");
        check.text(&format!("{at}.label"), Some(item.label.clone()), 100, Need::Required);
        if !KINDS.contains(&item.kind.as_str()) {
            check.reject(&format!("{at}.kind"), "must be category, page, article, procedure, document or url");
        }
        let target = item.target.trim();
        let field = format!("{at}.target");
        let gone = |check: &mut Checker, what: &str| check.clash(&field, format!("no {what} {target:?} in this site"));
        match item.kind.as_str() {
            "url" if !crate::http::input::is_url(target, true) => {
                check.reject(&field, "must be an http(s) URL or a path starting with /")
            }
            "category" if context.tree.by_slug(target).is_none() => gone(check, "category"),
            "page" if pages.find(target).is_none() => gone(check, "page"),
            "article" => {
                let n: i64 = articles::table
                    .filter(articles::site_id.eq(context.site.id))
                    .filter(articles::slug.eq(target))
                    .count()
                    .get_result(conn)?;
                if n == 0 {
                    gone(check, "article");
                }
            }
            "procedure" => {
                let n: i64 = procedures::table
                    .filter(procedures::site_id.eq(context.site.id))
                    .filter(procedures::code.eq(target))
                    .count()
                    .get_result(conn)?;
                if n == 0 {
                    gone(check, "procedure");
                }
            }
            "document" => {
                let id = target.parse::<i64>().ok();
                let n: i64 = match id {
                    Some(id) => documents::table
                        .filter(documents::site_id.eq(context.site.id))
                        .filter(documents::id.eq(id))
                        .count()
                        .get_result(conn)?,
                    None => 0,
                };
                if n == 0 {
                    gone(check, "document");
                }
            }
            _ => {}
        }
        if !item.children.is_empty() {
            if depth >= MAX_DEPTH {
                check.reject(&format!("{at}.children"), format!("menus go at most {MAX_DEPTH} levels deep"));
            } else {
                check_items(conn, context, pages, &item.children, &format!("{at}.children"), depth + 1, check)?;
            }
        }
    }
    Ok(())
}

/// How many items `items` holds, those below included.
fn total(items: &[MenuItemInput]) -> usize {
    items.iter().map(|i| 1 + total(&i.children)).sum()
}

fn store(
    conn: &mut AnyConnection,
    site_id: i64,
    at: &str,
    items: &[MenuItemInput],
    parent: Option<i64>,
) -> QueryResult<()> {
    for (n, item) in items.iter().enumerate() {
        let id: i64 = diesel::insert_into(menu_items::table)
            .values((
                menu_items::site_id.eq(site_id),
                menu_items::location.eq(at),
                menu_items::parent_id.eq(parent),
                menu_items::label.eq(item.label.trim()),
                menu_items::kind.eq(&item.kind),
                menu_items::target.eq(item.target.trim()),
                menu_items::position.eq(n as i32 + 1),
                menu_items::created_at.eq(Utc::now().naive_utc()),
            ))
            .returning(menu_items::id)
            .get_result(conn)?;
        store(conn, site_id, at, &item.children, Some(id))?;
    }
    Ok(())
}

/// Replaces the site's menu at `at` with `items` (checked by the caller).
pub fn replace(conn: &mut AnyConnection, site_id: i64, at: &str, items: &[MenuItemInput]) -> QueryResult<()> {
    // The items below go with the items above (ON DELETE CASCADE).
    diesel::delete(menu_items::table.filter(menu_items::site_id.eq(site_id)).filter(menu_items::location.eq(at)))
        .execute(conn)?;
    store(conn, site_id, at, items, None)
}

/// Set a menu
///
/// Replaces the site's `header` or `footer` menu with the items sent, in order and nested (3
/// levels, 60 items at most). Each target must exist in the site (409 names the one that does
/// not). Roles: editors and admins of the site.
#[utoipa::path(
    tag = "pages",
    params(
        ("location" = String, Path, description = "`header` or `footer`", example = "header"),
    ),
    request_body = MenuInput,
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The menu as readers now see it", body = Data<Vec<MenuItem>>),
        (status = 404, description = "No such site or menu", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "A target the site lacks, named in `errors`", body = Problem, content_type = "application/problem+json"),
    )
)]
#[put("/sites/{site}/menus/{location}")]
pub async fn put_menu(
    state: web::Data<AppState>,
    req: HttpRequest,
    caller: Caller,
    path: web::Path<(String, String)>,
    body: Body<MenuInput>,
) -> Result<HttpResponse, ApiError> {
    let (site, at) = path.into_inner();
    let st = state.clone();
    write(&state, &req, caller, site, Role::Editor, move |conn, site| {
        let at = location(&at)?;
        let input = body.parse()?;
        let context = st.sites.get(conn, &st.responses, &site.slug)?;
        let mut check = Checker::default();
        let pages = crate::pages::Pages::load(conn, site.id)?;
        check_items(conn, &context, &pages, &input.items, "items", 1, &mut check)?;
        if total(&input.items) > MAX_ITEMS {
            check.reject("items", format!("must have at most {MAX_ITEMS} items in all"));
        }
        check.finish()?;
        replace(conn, site.id, at, &input.items)?;
        Ok(Done::saved("menu.update", format!("menu:{at}"), menu(conn, &context, at)?))
    })
    .await
}

/// Registers the menu routes.
pub fn configure(cfg: &mut utoipa_actix_web::service_config::ServiceConfig) {
    cfg.service(get_menu).service(put_menu);
}
