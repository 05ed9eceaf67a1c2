//! Categories: each site's tree of news categories, ordered by `position`.

use actix_web::http::{StatusCode, header};
use actix_web::{HttpRequest, HttpResponse, delete, get, patch, post, web};
use diesel::prelude::*;
use serde::Deserialize;
use utoipa::ToSchema;

use crate::AppState;
use crate::audit::{self, Origin};
use crate::auth::{Caller, Role, write_on_site};
use crate::core::error::{ApiError, Problem};
use crate::core::text;
use crate::db::schema::articles;
use crate::db::{AnyConnection, schema::categories};
use crate::http::body::Body;
use crate::http::{Data, cached_json, field_error, private_json};
use crate::sites;

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
/// One category with its place in the tree (`parent`, `ancestors`) and its sub-categories.
#[utoipa::path(
    tag = "categories",
    params(
        ("slug" = String, Path, description = "Category slug", example = "dang-uy-xa"),
    ),
    responses(
        (status = 200, description = "The category", body = Data<CategoryDetail>, headers(("ETag" = String), ("Cache-Control" = String))),
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
    let detail = crate::sites::context::read(&state, site_slug.clone(), move |_, context| {
        let tree = &context.tree;
        let row = tree
            .by_slug(&slug)
            .ok_or_else(|| ApiError::not_found(format!("no category {slug:?} in site {site_slug:?}")))?;
        Ok(tree.detail(row))
    })
    .await?;
    cached_json(&req, &Data { data: detail }, state.cache)
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
}

/// Checks `input` against the site's tree and applies it to `row`.
fn apply(tree: &Tree, row: &mut CategoryRow, input: CategoryInput, creating: bool) -> Result<(), ApiError> {
    let mut errors = Vec::new();
    let mut clashes = Vec::new();
    match input.name {
        Some(n) if n.trim().is_empty() || n.chars().count() > 200 => {
            errors.push(field_error("name", "must be 1 to 200 characters"))
        }
        Some(n) => row.name = n.trim().to_owned(),
        None if creating => errors.push(field_error("name", "is required")),
        None => {}
    }
    let slug = input.slug.or_else(|| creating.then(|| text::slugify(&row.name)));
    if let Some(slug) = slug {
        if !text::is_slug(&slug) || slug.len() > text::MAX_SLUG_LEN {
            errors.push(field_error("slug", "must be lower-case letters and digits joined by dashes"));
        } else if tree.rows.iter().any(|c| c.slug == slug && c.id != row.id) {
            clashes.push(field_error("slug", "is taken by another category of this site"));
        }
        row.slug = slug;
    }
    if let Some(parent) = input.parent {
        row.parent_id = match parent {
            None => None,
            Some(slug) => match tree.by_slug(&slug) {
                Some(p) if !creating && tree.below(row.id, usize::MAX).contains(&p.id) => {
                    clashes.push(field_error("parent", "must not be the category itself or one below it"));
                    row.parent_id
                }
                Some(p) => {
                    // Where `p` sits, plus the levels the category brings along.
                    let levels = tree.ancestors(p).len() + 1 + if creating { 1 } else { tree.height(row.id) };
                    if levels > MAX_DEPTH {
                        clashes.push(field_error(
                            "parent",
                            format!(
                                "would make the tree {levels} levels deep; categories go at most {MAX_DEPTH} levels deep"
                            ),
                        ));
                    }
                    Some(p.id)
                }
                None => {
                    clashes.push(field_error("parent", format!("no category {slug:?} in this site")));
                    None
                }
            },
        };
    }
    if let Some(d) = input.description {
        if d.chars().count() > 2000 {
            errors.push(field_error("description", "must be at most 2000 characters"));
        }
        row.description = d.trim().to_owned();
    }
    match input.position {
        Some(p) if !(0..=100_000).contains(&p) => errors.push(field_error("position", "must be from 0 to 100000")),
        Some(p) => row.position = p,
        None if creating => {
            row.position =
                tree.rows.iter().filter(|c| c.parent_id == row.parent_id).map(|c| c.position).max().unwrap_or(0) + 1
        }
        None => {}
    }
    ApiError::fields(errors, clashes)
}

/// Signs in the caller as an editor of the site and runs `f` with the site's tree.
async fn edit_tree<T, F>(
    state: &web::Data<AppState>,
    req: &HttpRequest,
    caller: Caller,
    site: String,
    f: F,
) -> Result<T, ApiError>
where
    T: Send + 'static,
    F: FnOnce(&mut AnyConnection, &sites::Site, Tree, &Origin) -> Result<T, ApiError> + Send + 'static,
{
    write_on_site(state, req, caller, site, Role::Editor, move |conn, site, _, _, origin| {
        // The tree is read under the site's write lock: two moves at once (`a` under `b`, `b`
        // under `a`) are checked one after the other, and the second sees the loop it would make.
        crate::db::lock_site(conn, site.id)?;
        let tree = Tree::load(conn, site.id)?;
        f(conn, site, tree, origin)
    })
    .await
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
    let (site, detail) = edit_tree(&state, &req, caller, path.into_inner(), move |conn, site, tree, origin| {
        let input = body.parse()?;
        let mut row = CategoryRow {
            id: 0,
            parent_id: None,
            slug: String::new(),
            name: String::new(),
            description: String::new(),
            position: 0,
        };
        apply(&tree, &mut row, input, true)?;
        diesel::insert_into(categories::table)
            .values((
                categories::site_id.eq(site.id),
                categories::parent_id.eq(row.parent_id),
                categories::slug.eq(&row.slug),
                categories::name.eq(&row.name),
                categories::description.eq(&row.description),
                categories::position.eq(row.position),
            ))
            .execute(conn)?;
        audit::record(conn, origin, "category.create", &format!("category:{}", row.slug), Some(site.id))?;
        let tree = Tree::load(conn, site.id)?;
        let detail = tree.detail(tree.by_slug(&row.slug).ok_or_else(|| ApiError::internal("category vanished"))?);
        Ok((site.slug.clone(), detail))
    })
    .await?;
    let location = format!("/api/v1/sites/{site}/categories/{}", detail.slug);
    private_json(&Data { data: detail }, StatusCode::CREATED, |res| {
        res.insert_header((header::LOCATION, location));
    })
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
    let detail = edit_tree(&state, &req, caller, site, move |conn, site, tree, origin| {
        let input = body.parse()?;
        let mut row =
            tree.by_slug(&slug).cloned().ok_or_else(|| ApiError::not_found(format!("no category {slug:?}")))?;
        apply(&tree, &mut row, input, false)?;
        diesel::update(categories::table.find(row.id))
            .set((
                categories::parent_id.eq(row.parent_id),
                categories::slug.eq(&row.slug),
                categories::name.eq(&row.name),
                categories::description.eq(&row.description),
                categories::position.eq(row.position),
            ))
            .execute(conn)?;
        audit::record(conn, origin, "category.update", &format!("category:{}", row.slug), Some(site.id))?;
        let tree = Tree::load(conn, site.id)?;
        Ok(tree.detail(tree.by_slug(&row.slug).ok_or_else(|| ApiError::internal("category vanished"))?))
    })
    .await?;
    private_json(&Data { data: detail }, StatusCode::OK, |_| {})
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
    edit_tree(&state, &req, caller, site, move |conn, site, tree, origin| {
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
        audit::record(conn, origin, "category.delete", &format!("category:{slug}"), Some(site.id))?;
        Ok(())
    })
    .await?;
    Ok(HttpResponse::NoContent().finish())
}
