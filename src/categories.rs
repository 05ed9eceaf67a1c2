//! Categories: each site's tree of news categories, ordered by `position`.

use std::collections::HashMap;

use actix_web::{HttpRequest, HttpResponse, get, web};
use diesel::prelude::*;
use serde::Serialize;
use utoipa::ToSchema;

use crate::AppState;
use crate::db::{self, AnyConnection, schema::categories};
use crate::error::{ApiError, Problem};
use crate::http::{Data, cached_json};
use crate::sites;

/// A category as stored.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = categories)]
pub struct CategoryRow {
    pub id: i64,
    pub parent_id: Option<i64>,
    pub slug: String,
    pub name: String,
    pub description: String,
    pub position: i32,
}

/// A category named from elsewhere (an article, a breadcrumb).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema, Queryable, Selectable)]
#[diesel(table_name = categories)]
#[schema(example = json!({"id": 3, "slug": "dang-uy-xa", "name": "Đảng ủy xã"}))]
pub struct CategoryRef {
    pub id: i64,
    pub slug: String,
    pub name: String,
}

/// A category with its sub-categories.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(example = json!({
    "id": 1, "slug": "tin-tuc", "name": "Tin tức", "description": "Tin tức của phường và của tỉnh", "position": 1,
    "children": [{"id": 2, "slug": "tin-trong-phuong", "name": "Tin trong phường", "description": "", "position": 1, "children": []}]
}))]
pub struct CategoryNode {
    pub id: i64,
    pub slug: String,
    pub name: String,
    pub description: String,
    /// Order among its siblings, ascending.
    pub position: i32,
    #[schema(no_recursion)]
    pub children: Vec<CategoryNode>,
}

/// One category, where it sits in the tree, and its sub-categories.
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({
    "id": 3, "slug": "dang-uy-xa", "name": "Đảng ủy xã", "description": "Hoạt động của Đảng bộ phường", "position": 2,
    "parent": null, "ancestors": [], "children": []
}))]
pub struct CategoryDetail {
    pub id: i64,
    pub slug: String,
    pub name: String,
    pub description: String,
    pub position: i32,
    /// The category directly above, or null at the top.
    pub parent: Option<CategoryRef>,
    /// Every category above, from the top down (for breadcrumbs).
    pub ancestors: Vec<CategoryRef>,
    pub children: Vec<CategoryNode>,
}

/// All categories of a site, in tree order.
pub struct Tree {
    rows: Vec<CategoryRow>,
}

impl Tree {
    /// Loads every category of `site_id`.
    pub fn load(conn: &mut AnyConnection, site_id: i64) -> QueryResult<Tree> {
        let rows = categories::table
            .filter(categories::site_id.eq(site_id))
            .select(CategoryRow::as_select())
            .order((
                categories::position.asc(),
                categories::name.asc(),
                categories::id.asc(),
            ))
            .load(conn)?;
        Ok(Tree { rows })
    }

    /// The category named `slug`.
    pub fn by_slug(&self, slug: &str) -> Option<&CategoryRow> {
        self.rows.iter().find(|c| c.slug == slug)
    }

    fn by_id(&self, id: i64) -> Option<&CategoryRow> {
        self.rows.iter().find(|c| c.id == id)
    }

    fn children_of(&self, parent: Option<i64>) -> Vec<CategoryNode> {
        self.rows
            .iter()
            .filter(|c| c.parent_id == parent)
            .map(|c| CategoryNode {
                id: c.id,
                slug: c.slug.clone(),
                name: c.name.clone(),
                description: c.description.clone(),
                position: c.position,
                children: self.children_of(Some(c.id)),
            })
            .collect()
    }

    /// The top-level categories with their sub-categories.
    pub fn roots(&self) -> Vec<CategoryNode> {
        self.children_of(None)
    }

    /// `id` and the ids of every category below it.
    pub fn with_descendants(&self, id: i64) -> Vec<i64> {
        let mut children: HashMap<i64, Vec<i64>> = HashMap::new();
        for c in &self.rows {
            if let Some(p) = c.parent_id {
                children.entry(p).or_default().push(c.id);
            }
        }
        let mut ids = vec![id];
        let mut i = 0;
        while i < ids.len() {
            if let Some(kids) = children.get(&ids[i]) {
                ids.extend(
                    kids.iter()
                        .filter(|k| !ids.contains(k))
                        .copied()
                        .collect::<Vec<_>>(),
                );
            }
            i += 1;
        }
        ids
    }

    /// The categories above `row`, from the top down.
    fn ancestors(&self, row: &CategoryRow) -> Vec<CategoryRef> {
        let mut chain = Vec::new();
        let mut parent = row.parent_id;
        while let Some(p) = parent.and_then(|id| self.by_id(id)) {
            if chain.iter().any(|c: &CategoryRef| c.id == p.id) {
                break;
            }
            chain.push(reference(p));
            parent = p.parent_id;
        }
        chain.reverse();
        chain
    }

    /// The detail view of `row`.
    pub fn detail(&self, row: &CategoryRow) -> CategoryDetail {
        let ancestors = self.ancestors(row);
        CategoryDetail {
            id: row.id,
            slug: row.slug.clone(),
            name: row.name.clone(),
            description: row.description.clone(),
            position: row.position,
            parent: ancestors.last().cloned(),
            ancestors,
            children: self.children_of(Some(row.id)),
        }
    }
}

fn reference(row: &CategoryRow) -> CategoryRef {
    CategoryRef {
        id: row.id,
        slug: row.slug.clone(),
        name: row.name.clone(),
    }
}

/// List a site's categories
///
/// The whole tree: top-level categories in order, each with its sub-categories.
#[utoipa::path(
    tag = "categories",
    params(("site" = String, Path, description = "Site slug", example = "phuong-chi-minh")),
    responses(
        (status = 200, description = "The category tree", body = Data<Vec<CategoryNode>>, headers(("ETag" = String), ("Cache-Control" = String))),
        (status = 304, description = "Not modified (If-None-Match)"),
        (status = 404, description = "No such site", body = Problem, content_type = "application/problem+json"),
        (status = 503, description = "Database unavailable", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/sites/{site}/categories")]
pub async fn list_categories(
    state: web::Data<AppState>,
    req: HttpRequest,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let slug = path.into_inner();
    let tree = db::run(&state.pool, move |conn| {
        let site = sites::find(conn, &slug)?;
        Ok(Tree::load(conn, site.id)?)
    })
    .await?;
    cached_json(&req, &Data { data: tree.roots() }, state.cache)
}

/// Get a category
///
/// One category with its place in the tree (`parent`, `ancestors`) and its sub-categories.
#[utoipa::path(
    tag = "categories",
    params(
        ("site" = String, Path, description = "Site slug", example = "phuong-chi-minh"),
        ("slug" = String, Path, description = "Category slug", example = "dang-uy-xa"),
    ),
    responses(
        (status = 200, description = "The category", body = Data<CategoryDetail>, headers(("ETag" = String), ("Cache-Control" = String))),
        (status = 304, description = "Not modified (If-None-Match)"),
        (status = 404, description = "No such site or category", body = Problem, content_type = "application/problem+json"),
        (status = 503, description = "Database unavailable", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/sites/{site}/categories/{slug}")]
pub async fn get_category(
    state: web::Data<AppState>,
    req: HttpRequest,
    path: web::Path<(String, String)>,
) -> Result<HttpResponse, ApiError> {
    let (site_slug, slug) = path.into_inner();
    let detail = db::run(&state.pool, move |conn| {
        let site = sites::find(conn, &site_slug)?;
        let tree = Tree::load(conn, site.id)?;
        let row = tree.by_slug(&slug).ok_or_else(|| {
            ApiError::not_found(format!("no category {slug:?} in site {site_slug:?}"))
        })?;
        Ok(tree.detail(row))
    })
    .await?;
    cached_json(&req, &Data { data: detail }, state.cache)
}

/// Registers the category routes.
pub fn configure(cfg: &mut utoipa_actix_web::service_config::ServiceConfig) {
    cfg.service(list_categories).service(get_category);
}
