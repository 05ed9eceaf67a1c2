//! A site's categories as a tree: rows, references, nodes, and the checks that keep the tree
//! bounded (at most [`MAX_DEPTH`] levels, no loops).

use std::collections::{HashMap, HashSet};

use diesel::prelude::*;
use serde::Serialize;
use utoipa::ToSchema;

use crate::db::{AnyConnection, schema::categories};

/// The deepest a category may sit: a top-level one is at level 1, its sub-categories at 2.
/// Deeper than a ward's menus go; trees are shown at most this deep.
pub const MAX_DEPTH: usize = 8;

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

/// Stores a new category of site `site_id` (`row.id` is ignored): what an editor's create, the
/// demo and the generator all do. Returns its id.
pub fn insert(conn: &mut AnyConnection, site_id: i64, row: &CategoryRow) -> QueryResult<i64> {
    diesel::insert_into(categories::table)
        .values((
            categories::site_id.eq(site_id),
            categories::parent_id.eq(row.parent_id),
            categories::slug.eq(&row.slug),
            categories::name.eq(&row.name),
            categories::description.eq(&row.description),
            categories::position.eq(row.position),
        ))
        .returning(categories::id)
        .get_result(conn)
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
    "parent": null, "ancestors": [], "children": [],
    "seo": {"title": "Đảng ủy xã", "description": "Hoạt động của Đảng bộ phường", "image_url": null,
        "canonical_url": "https://chiminh.chilinh.haiduong.gov.vn/dang-uy-xa", "noindex": false}
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
    /// For the page's `<head>`: the editor's overrides, else the name, the description and the
    /// category's address on the site's `base_url`.
    pub seo: crate::seo::Seo,
}

/// All categories of a site, in tree order.
pub struct Tree {
    pub(super) rows: Vec<CategoryRow>,
}

impl Tree {
    /// Loads every category of `site_id`.
    pub fn load(conn: &mut AnyConnection, site_id: i64) -> QueryResult<Tree> {
        let rows = categories::table
            .filter(categories::site_id.eq(site_id))
            .select(CategoryRow::as_select())
            .order((categories::position.asc(), categories::name.asc(), categories::id.asc()))
            .load(conn)?;
        Ok(Tree { rows })
    }

    /// Every category, named as elsewhere.
    pub fn refs(&self) -> impl Iterator<Item = CategoryRef> + '_ {
        self.rows.iter().map(reference)
    }

    /// The category named `slug`.
    pub fn by_slug(&self, slug: &str) -> Option<&CategoryRow> {
        self.rows.iter().find(|c| c.slug == slug)
    }

    fn by_id(&self, id: i64) -> Option<&CategoryRow> {
        self.rows.iter().find(|c| c.id == id)
    }

    /// The sub-categories of `top` (the top-level ones for `None`), each with its own, at most
    /// [`MAX_DEPTH`] levels down. Built without recursion, each category once: a tree written
    /// before the depth limit, or a loop left by two moves at once, can neither overflow the
    /// stack nor repeat itself (a loop's categories hang under no top-level one, so it shows
    /// nowhere).
    fn children_of(&self, top: Option<i64>) -> Vec<CategoryNode> {
        let mut kids: HashMap<Option<i64>, Vec<&CategoryRow>> = HashMap::new();
        for c in &self.rows {
            kids.entry(c.parent_id).or_default().push(c);
        }
        let mut seen: HashSet<i64> = top.into_iter().collect();
        let mut order: Vec<(&CategoryRow, Option<i64>)> = Vec::new();
        let mut level = vec![top];
        for _ in 0..MAX_DEPTH {
            let mut next = Vec::new();
            for parent in level {
                for c in kids.get(&parent).map(Vec::as_slice).unwrap_or_default() {
                    if seen.insert(c.id) {
                        order.push((c, parent));
                        next.push(Some(c.id));
                    }
                }
            }
            level = next;
        }
        // Deepest first, so that each category's children are built before it.
        let mut built: HashMap<Option<i64>, Vec<CategoryNode>> = HashMap::new();
        for (c, parent) in order.into_iter().rev() {
            let mut children = built.remove(&Some(c.id)).unwrap_or_default();
            children.reverse();
            built.entry(parent).or_default().push(CategoryNode {
                id: c.id,
                slug: c.slug.clone(),
                name: c.name.clone(),
                description: c.description.clone(),
                position: c.position,
                children,
            });
        }
        let mut nodes = built.remove(&top).unwrap_or_default();
        nodes.reverse();
        nodes
    }

    /// The top-level categories with their sub-categories.
    pub fn roots(&self) -> Vec<CategoryNode> {
        self.children_of(None)
    }

    /// `id` and the ids of the categories below it, at most [`MAX_DEPTH`] levels down (as
    /// far as the tree shows them).
    pub fn with_descendants(&self, id: i64) -> Vec<i64> {
        self.below(id, MAX_DEPTH)
    }

    /// `id` and the ids of the categories below it, `levels` levels down at most.
    pub(super) fn below(&self, id: i64, levels: usize) -> Vec<i64> {
        let mut children: HashMap<i64, Vec<i64>> = HashMap::new();
        for c in &self.rows {
            if let Some(p) = c.parent_id {
                children.entry(p).or_default().push(c.id);
            }
        }
        let mut seen = HashSet::from([id]);
        let mut ids = vec![id];
        let mut level = 0..1;
        for _ in 1..levels {
            let end = ids.len();
            for i in level {
                for kid in children.get(&ids[i]).map(Vec::as_slice).unwrap_or_default() {
                    if seen.insert(*kid) {
                        ids.push(*kid);
                    }
                }
            }
            if ids.len() == end {
                break;
            }
            level = end..ids.len();
        }
        ids
    }

    /// How many levels `id` and the categories below it take (1 for one without children).
    pub(super) fn height(&self, id: i64) -> usize {
        let mut seen = HashSet::from([id]);
        let mut level = vec![id];
        let mut height = 0;
        while !level.is_empty() {
            height += 1;
            level = self
                .rows
                .iter()
                .filter(|c| c.parent_id.is_some_and(|p| level.contains(&p)) && seen.insert(c.id))
                .map(|c| c.id)
                .collect();
        }
        height
    }

    /// The categories above `row`, from the top down.
    pub(super) fn ancestors(&self, row: &CategoryRow) -> Vec<CategoryRef> {
        let mut chain = Vec::new();
        let mut seen = HashSet::from([row.id]);
        let mut parent = row.parent_id;
        while let Some(p) = parent.and_then(|id| self.by_id(id)) {
            if !seen.insert(p.id) {
                break;
            }
            chain.push(reference(p));
            parent = p.parent_id;
        }
        chain.reverse();
        chain
    }

    /// The detail view of `row`.
    pub fn detail(&self, row: &CategoryRow, seo: crate::seo::Seo) -> CategoryDetail {
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
            seo,
        }
    }
}

fn reference(row: &CategoryRow) -> CategoryRef {
    CategoryRef { id: row.id, slug: row.slug.clone(), name: row.name.clone() }
}
