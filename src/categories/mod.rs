//! Categories: each site's tree of news categories, ordered by `position`.

use actix_web::{HttpRequest, HttpResponse, delete, get, patch, post, web};
use diesel::prelude::*;
use serde::Deserialize;
use utoipa::ToSchema;

use crate::AppState;
use crate::auth::staff::{Done, write};
use crate::auth::{Caller, Role};
use crate::core::error::{ApiError, Problem};
use crate::core::text;
use crate::db::schema::articles;
use crate::db::{AnyConnection, schema::categories, slugs};
use crate::http::body::Body;
use crate::http::input::{Checker, Need};
use crate::http::{Data, cached_json, moved_permanently};
use crate::seo::{CATEGORY, Overrides, SeoInput};
use crate::sites::Site;

pub mod tree;

use tree::{CategoryDetail, CategoryNode, CategoryRow, MAX_DEPTH, Tree};

/// List a site's categories
///
/// The whole tree: top-level categories in order, each with its sub-categories.
#[utoipa::path(
    tag = "categories",
        responses(
        (status = 200, description = "The category tree", body = Data<Vec<CategoryNode>>, headers(("ETag" = String), ("Cache-Control" = String))),
        (status = 304, description = "Not modified (If-None-Match)"),
    )
)]
#[get("/sites/{site}/categories")]
pub async fn list_categories(
    state: web::Data<AppState>,
    req: HttpRequest,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let slug = path.into_inner();
    let roots = crate::sites::context::read(&state, slug, |_, context| Ok(context.tree.roots())).await?;
    cached_json(&req, &Data { data: roots }, state.cache)
}

/// Get a category
///
/// One category with its place in the tree (`parent`, `ancestors`), its sub-categories and its
/// SEO fields. A slug the category had before it was renamed answers 301 to its address now.
#[utoipa::path(
    tag = "categories",
    params(
        ("slug" = String, Path, description = "Category slug", example = "dang-uy-xa"),
    ),
    responses(
        (status = 200, description = "The category", body = Data<CategoryDetail>, headers(("ETag" = String), ("Cache-Control" = String))),
        (status = 301, description = "The slug is one the category had before it was renamed: `Location` is its address now",
         headers(("Location" = String, description = "/api/v1/sites/{site}/categories/{slug now}"), ("Cache-Control" = String))),
        (status = 304, description = "Not modified (If-None-Match)"),
        (status = 404, description = "No such site or category", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/sites/{site}/categories/{slug}")]
pub async fn get_category(
    state: web::Data<AppState>,
    req: HttpRequest,
    path: web::Path<(String, String)>,
) -> Result<HttpResponse, ApiError> {
    let (site_slug, slug) = path.into_inner();
    let found = crate::sites::context::read(&state, site_slug.clone(), move |conn, context| {
        let tree = &context.tree;
        match tree.by_slug(&slug) {
            Some(row) => Ok(Ok(detail(conn, &context.site, tree, row)?)),
            // A renamed category's old slug leads to its new one.
            None => match slugs::old::target(conn, context.site.id, CATEGORY, &slug)?
                .and_then(|id| tree.rows.iter().find(|c| c.id == id))
            {
                Some(row) => Ok(Err(format!("/api/v1/sites/{}/categories/{}", context.site.slug, row.slug))),
                None => Err(ApiError::not_found(format!("no category {slug:?} in site {site_slug:?}"))),
            },
        }
    })
    .await?;
    match found {
        Ok(detail) => cached_json(&req, &Data { data: detail }, state.cache),
        Err(location) => Ok(moved_permanently(location, Some(state.cache))),
    }
}

/// Registers the category routes.
pub fn configure(cfg: &mut utoipa_actix_web::service_config::ServiceConfig) {
    cfg.service(list_categories)
        .service(get_category)
        .service(create_category)
        .service(update_category)
        .service(delete_category);
}

/// The fields of a category an editor sets. On create `name` is required; on update only the
/// fields sent change, and `"parent": null` moves the category to the top.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"name": "Tin Chí Linh", "slug": "tin-chi-linh", "parent": "tin-tuc", "description": "Tin tức thành phố Chí Linh", "position": 3}))]
pub struct CategoryInput {
    #[schema(max_length = 200, pattern = "\\S")]
    pub name: Option<String>,
    /// Made from the name when left out on create.
    #[schema(pattern = "^[a-z0-9]+(-[a-z0-9]+)*$", max_length = 80)]
    pub slug: Option<String>,
    /// The parent's slug; null for a top-level category.
    #[serde(default, deserialize_with = "crate::http::input::present")]
    #[schema(value_type = Option<String>, pattern = "^[a-z0-9]+(-[a-z0-9]+)*$", max_length = 80)]
    pub parent: Option<Option<String>>,
    #[schema(max_length = 2000)]
    pub description: Option<String>,
    /// Order among siblings; left out on create, after the last.
    #[schema(minimum = 0, maximum = 100000)]
    pub position: Option<i32>,
    /// What search engines read; each field sent empty goes back to its default.
    pub seo: Option<SeoInput>,
}

/// Checks `input` against the site's tree and applies it to `row` (a new category when its id
/// is 0), with its SEO overrides.
fn apply(tree: &Tree, row: &mut CategoryRow, seo: &mut Overrides, input: CategoryInput) -> Result<(), ApiError> {
    let creating = row.id == 0;
    let mut check = Checker::default();
    let name = check.text("name", input.name, 200, Need::on_create(creating));
    let slug = check.slug("slug", input.slug);
    let description = check.text("description", input.description, 2000, Need::Optional);
    let position = check.position("position", input.position);
    let parent = input.parent.map(|p| p.map(|slug| check.slug("parent", Some(slug)).unwrap_or_default()));
    seo.apply(&mut check, input.seo);
    if !check.errors.is_empty() {
        return check.finish();
    }
    if let Some(name) = name {
        row.name = name;
    }
    if let Some(d) = description {
        row.description = d;
    }
    match slug.or_else(|| creating.then(|| text::slugify(&row.name))) {
        Some(slug) if tree.rows.iter().any(|c| c.slug == slug && c.id != row.id) => {
            check.clash("slug", "is taken by another category of this site")
        }
        Some(slug) => row.slug = slug,
        None => {}
    }
    if let Some(parent) = parent {
        row.parent_id = match parent {
            None => None,
            Some(slug) => match tree.by_slug(&slug) {
                Some(p) if !creating && tree.below(row.id, usize::MAX).contains(&p.id) => {
                    check.clash("parent", "must not be the category itself or one below it");
                    row.parent_id
                }
                Some(p) => {
                    // Where `p` sits, plus the levels the category brings along.
                    let levels = tree.ancestors(p).len() + 1 + if creating { 1 } else { tree.height(row.id) };
                    if levels > MAX_DEPTH {
                        check.clash(
                            "parent",
                            format!(
                                "would make the tree {levels} levels deep; categories go at most {MAX_DEPTH} levels deep"
                            ),
                        );
                    }
                    Some(p.id)
                }
                None => {
                    check.clash("parent", format!("no category {slug:?} in this site"));
                    None
                }
            },
        };
    }
    row.position = match position {
        Some(p) => p,
        None if creating => {
            tree.rows.iter().filter(|c| c.parent_id == row.parent_id).map(|c| c.position).max().unwrap_or(0) + 1
        }
        None => row.position,
    };
    check.finish()
}

/// The detail view of `row` in `tree`, with its SEO fields.
fn detail(conn: &mut AnyConnection, site: &Site, tree: &Tree, row: &CategoryRow) -> QueryResult<CategoryDetail> {
    let seo = crate::seo::load(conn, CATEGORY, row.id)?.view(
        &site.settings.base_url,
        crate::seo::Defaults {
            title: &row.name,
            description: &row.description,
            image_url: None,
            path: &format!("/{}", row.slug),
        },
    );
    Ok(tree.detail(row, seo))
}

/// Stores `row` (a new category when its id is 0) and its SEO overrides; returns its view.
fn save(
    conn: &mut AnyConnection,
    site: &Site,
    old: Option<&CategoryRow>,
    row: CategoryRow,
    seo: &Overrides,
) -> Result<CategoryDetail, ApiError> {
    let id = match old {
        None => tree::insert(conn, site.id, &row)?,
        Some(old) => {
            diesel::update(categories::table.find(old.id))
                .set((
                    categories::parent_id.eq(row.parent_id),
                    categories::slug.eq(&row.slug),
                    categories::name.eq(&row.name),
                    categories::description.eq(&row.description),
                    categories::position.eq(row.position),
                ))
                .execute(conn)?;
            // Its old address answers 301 to the new one.
            slugs::old::moved(conn, site.id, CATEGORY, old.id, &old.slug, &row.slug)?;
            old.id
        }
    };
    crate::seo::save(conn, site.id, CATEGORY, id, seo)?;
    let tree = Tree::load(conn, site.id)?;
    let row = tree.rows.iter().find(|c| c.id == id).ok_or_else(|| ApiError::internal("category vanished"))?;
    Ok(detail(conn, site, &tree, row)?)
}

/// Create a category
///
/// Roles: editors and admins of the site.
#[utoipa::path(
    tag = "categories",
        request_body = CategoryInput,
        extensions(("x-required-fields" = json!(["name"]))),
    security(("bearer" = [])),
    responses(
        (status = 201, description = "Created", body = Data<CategoryDetail>, headers(("Location" = String))),
    )
)]
#[post("/sites/{site}/categories")]
pub async fn create_category(
    state: web::Data<AppState>,
    req: HttpRequest,
    caller: Caller,
    path: web::Path<String>,
    body: Body<CategoryInput>,
) -> Result<HttpResponse, ApiError> {
    write(&state, &req, caller, path.into_inner(), Role::Editor, move |conn, site| {
        let input = body.parse()?;
        let tree = Tree::load(conn, site.id)?;
        let mut row = CategoryRow {
            id: 0,
            parent_id: None,
            slug: String::new(),
            name: String::new(),
            description: String::new(),
            position: 0,
        };
        let mut seo = Overrides::default();
        apply(&tree, &mut row, &mut seo, input)?;
        let detail = save(conn, site, None, row, &seo)?;
        let location = format!("/api/v1/sites/{}/categories/{}", site.slug, detail.slug);
        Ok(Done::created("category.create", format!("category:{}", detail.slug), location, detail))
    })
    .await
}

/// Edit a category
///
/// Renames, moves or reorders. A category cannot move under itself or one below it, nor
/// make the tree deeper than 8 levels (422 naming `parent`). Roles: editors and admins of the
/// site.
#[utoipa::path(
    tag = "categories",
    params(
        ("slug" = String, Path, description = "Category slug", example = "tin-tuc"),
    ),
    request_body = CategoryInput,
    security(("bearer" = [])),
    responses(
        (status = 200, description = "Saved", body = Data<CategoryDetail>),
        (status = 404, description = "No such site or category", body = Problem, content_type = "application/problem+json"),
    )
)]
#[patch("/sites/{site}/categories/{slug}")]
pub async fn update_category(
    state: web::Data<AppState>,
    req: HttpRequest,
    caller: Caller,
    path: web::Path<(String, String)>,
    body: Body<CategoryInput>,
) -> Result<HttpResponse, ApiError> {
    let (site, slug) = path.into_inner();
    write(&state, &req, caller, site, Role::Editor, move |conn, site| {
        let input = body.parse()?;
        let tree = Tree::load(conn, site.id)?;
        let old = tree.by_slug(&slug).cloned().ok_or_else(|| ApiError::not_found(format!("no category {slug:?}")))?;
        let mut row = old.clone();
        let mut seo = crate::seo::load(conn, CATEGORY, old.id)?;
        apply(&tree, &mut row, &mut seo, input)?;
        let detail = save(conn, site, Some(&old), row, &seo)?;
        Ok(Done::saved("category.update", format!("category:{}", detail.slug), detail))
    })
    .await
}

/// Delete a category
///
/// Only an empty one: no sub-categories and no articles (in any status, the trash included).
/// Roles: editors and admins of the site.
#[utoipa::path(
    tag = "categories",
    params(
        ("slug" = String, Path, description = "Category slug", example = "tin-chi-linh"),
    ),
    security(("bearer" = [])),
    responses(
        (status = 204, description = "Deleted"),
        (status = 404, description = "No such site or category", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "It still has sub-categories or articles", body = Problem, content_type = "application/problem+json"),
    )
)]
#[delete("/sites/{site}/categories/{slug}")]
pub async fn delete_category(
    state: web::Data<AppState>,
    req: HttpRequest,
    caller: Caller,
    path: web::Path<(String, String)>,
) -> Result<HttpResponse, ApiError> {
    let (site, slug) = path.into_inner();
    write(&state, &req, caller, site, Role::Editor, move |conn, site| {
        let tree = Tree::load(conn, site.id)?;
        let row = tree.by_slug(&slug).ok_or_else(|| ApiError::not_found(format!("no category {slug:?}")))?;
        if tree.rows.iter().any(|c| c.parent_id == Some(row.id)) {
            return Err(ApiError::Conflict("it has sub-categories; move or delete them first".into()));
        }
        let used: i64 = articles::table.filter(articles::category_id.eq(row.id)).count().get_result(conn)?;
        if used > 0 {
            return Err(ApiError::Conflict(format!(
                "{used} article(s) are in it (the trash included); move them first"
            )));
        }
        diesel::delete(categories::table.find(row.id)).execute(conn)?;
        crate::seo::forget(conn, CATEGORY, row.id)?;
        slugs::old::forget(conn, site.id, CATEGORY, row.id)?;
        Ok(Done::deleted("category.delete", format!("category:{slug}")))
    })
    .await
}
