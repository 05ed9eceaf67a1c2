//! Pages as stored and shown: the site's tree of pages, each at the path of its slugs, and
//! which of them readers see (published, their time come, under pages readers see). No actix.

use chrono::{NaiveDateTime, Utc};
use diesel::prelude::*;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::db::AnyConnection;
use crate::db::schema::pages;
use crate::publishing::PUBLISHED;
use crate::sites::Site;

/// How deep the tree goes.
pub const MAX_DEPTH: usize = 5;

/// A page as stored, without its body.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = pages)]
pub struct PageRow {
    pub id: i64,
    pub parent_id: Option<i64>,
    pub slug: String,
    pub title: String,
    pub summary: String,
    pub status: String,
    pub published_at: Option<NaiveDateTime>,
    pub position: i32,
    pub updated_at: NaiveDateTime,
    /// Bumped by every save.
    pub version: i32,
}

impl PageRow {
    /// The ETag writers send back in `If-Match`.
    pub fn etag(&self) -> String {
        crate::publishing::etag("p", self.id, self.version)
    }
}

/// Every page of a site, and where each sits.
pub struct Pages {
    pub rows: Vec<PageRow>,
}

impl Pages {
    /// The site's pages, in order among their siblings.
    pub fn load(conn: &mut AnyConnection, site_id: i64) -> QueryResult<Pages> {
        let rows = pages::table
            .filter(pages::site_id.eq(site_id))
            .order((pages::position.asc(), pages::id.asc()))
            .select(PageRow::as_select())
            .load(conn)?;
        Ok(Pages { rows })
    }

    pub fn by_id(&self, id: i64) -> Option<&PageRow> {
        self.rows.iter().find(|p| p.id == id)
    }

    /// The page and its ancestors, the page first (stopping at a loop, which writes prevent).
    pub fn lineage(&self, id: i64) -> Vec<&PageRow> {
        let mut line = Vec::new();
        let mut next = self.by_id(id);
        while let Some(page) = next {
            if line.iter().any(|p: &&PageRow| p.id == page.id) || line.len() > MAX_DEPTH {
                break;
            }
            line.push(page);
            next = page.parent_id.and_then(|p| self.by_id(p));
        }
        line
    }

    /// The path of slugs of page `id` (`gioi-thieu/lich-su`).
    pub fn path(&self, id: i64) -> String {
        let mut slugs: Vec<&str> = self.lineage(id).iter().map(|p| p.slug.as_str()).collect();
        slugs.reverse();
        slugs.join("/")
    }

    /// True when readers see page `id` at `now`: it and every page above it are published and
    /// their time has come.
    pub fn public(&self, id: i64, now: NaiveDateTime) -> bool {
        let line = self.lineage(id);
        let root = line.last().is_some_and(|p| p.parent_id.is_none());
        root && line.iter().all(|p| p.status == PUBLISHED && p.published_at.is_some_and(|t| t <= now))
    }

    /// The page at `path` (slugs joined by `/`), or with that numeric id.
    pub fn find(&self, key: &str) -> Option<&PageRow> {
        if let Ok(id) = key.parse::<i64>()
            && let Some(page) = self.by_id(id)
        {
            return Some(page);
        }
        let key = key.trim_matches('/');
        self.rows.iter().find(|p| self.path(p.id) == key)
    }

    pub fn children(&self, id: Option<i64>) -> impl Iterator<Item = &PageRow> {
        self.rows.iter().filter(move |p| p.parent_id == id)
    }

    /// The ids of page `id` and every page below it.
    pub fn with_descendants(&self, id: i64) -> Vec<i64> {
        let mut ids = vec![id];
        let mut i = 0;
        while i < ids.len() {
            let parent = ids[i];
            ids.extend(self.children(Some(parent)).map(|c| c.id));
            i += 1;
        }
        ids
    }
}

/// A link to a page.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(example = json!({"id": 1, "title": "Giới thiệu", "path": "gioi-thieu"}))]
pub struct PageLink {
    pub id: i64,
    pub title: String,
    /// The path of slugs it is read at (`gioi-thieu/lich-su`).
    pub path: String,
}

/// A page in the tree, with the pages below it.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(example = json!({"id": 1, "slug": "gioi-thieu", "path": "gioi-thieu", "title": "Giới thiệu",
    "summary": "Giới thiệu chung về phường Chí Minh", "position": 1,
    "children": [{"id": 2, "slug": "lich-su", "path": "gioi-thieu/lich-su", "title": "Lịch sử",
        "summary": "", "position": 1, "children": []}]}))]
pub struct PageNode {
    pub id: i64,
    pub slug: String,
    pub path: String,
    pub title: String,
    pub summary: String,
    /// Order among its siblings, ascending.
    pub position: i32,
    #[schema(no_recursion)]
    pub children: Vec<PageNode>,
}

/// The tree of the pages readers see at `now`.
pub fn tree(pages: &Pages, now: NaiveDateTime) -> Vec<PageNode> {
    fn below(pages: &Pages, parent: Option<i64>, now: NaiveDateTime, depth: usize) -> Vec<PageNode> {
        if depth > MAX_DEPTH {
            return Vec::new();
        }
        pages
            .children(parent)
            .filter(|p| p.status == PUBLISHED && p.published_at.is_some_and(|t| t <= now))
            .map(|p| PageNode {
                id: p.id,
                slug: p.slug.clone(),
                path: pages.path(p.id),
                title: p.title.clone(),
                summary: p.summary.clone(),
                position: p.position,
                children: below(pages, Some(p.id), now, depth + 1),
            })
            .collect()
    }
    below(pages, None, now, 1)
}

/// One page with its body, where it sits and the pages below it.
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({"id": 2, "slug": "lich-su", "path": "gioi-thieu/lich-su", "title": "Lịch sử",
    "summary": "Lịch sử hình thành phường Chí Minh", "body_html": "<p>Phường Chí Minh được thành lập...</p>",
    "status": "published", "version": 1, "published_at": "2026-12-01T08:00:00+07:00", "updated_at": "2026-12-01T08:00:00+07:00",
    "parent": {"id": 1, "title": "Giới thiệu", "path": "gioi-thieu"},
    "breadcrumbs": [{"id": 1, "title": "Giới thiệu", "path": "gioi-thieu"}], "children": [],
    "seo": {"title": "Lịch sử", "description": "Lịch sử hình thành phường Chí Minh", "image_url": null,
        "canonical_url": "https://chiminh.chilinh.haiduong.gov.vn/trang/gioi-thieu/lich-su", "noindex": false}}))]
pub struct Page {
    pub id: i64,
    pub slug: String,
    pub path: String,
    pub title: String,
    /// Plain text, possibly empty.
    pub summary: String,
    /// Sanitised HTML.
    pub body_html: String,
    /// `published` for readers; staff also see `draft`.
    pub status: String,
    /// Bumped by every save; staff send the page's ETag (`"p{id}v{version}"`) in `If-Match`.
    pub version: i32,
    /// When it was (or is to be) published, in the site's offset; null for a draft never
    /// published.
    pub published_at: Option<chrono::DateTime<chrono::FixedOffset>>,
    pub updated_at: chrono::DateTime<chrono::FixedOffset>,
    /// The page above it; null at the top.
    pub parent: Option<PageLink>,
    /// The pages above it, the top first.
    pub breadcrumbs: Vec<PageLink>,
    /// The pages below it (for readers, those they see), in order.
    pub children: Vec<PageLink>,
    /// For the page's `<head>`: the editor's overrides, else the title, the summary cut to 160
    /// characters and the page's address (`/trang/{path}`) on the site's `base_url`.
    pub seo: crate::seo::Seo,
}

fn link(pages: &Pages, p: &PageRow) -> PageLink {
    PageLink { id: p.id, title: p.title.clone(), path: pages.path(p.id) }
}

/// The view of page `row` with its body; `public` keeps to the children readers see.
pub fn view(conn: &mut AnyConnection, site: &Site, pages: &Pages, row: &PageRow, public: bool) -> QueryResult<Page> {
    let body_html: String = pages::table.find(row.id).select(pages::body_html).first(conn)?;
    let now = Utc::now().naive_utc();
    let mut breadcrumbs: Vec<PageLink> = pages.lineage(row.id).iter().skip(1).map(|p| link(pages, p)).collect();
    breadcrumbs.reverse();
    let path = pages.path(row.id);
    let seo = crate::seo::load(conn, crate::seo::PAGE, row.id)?.view(
        &site.settings.base_url,
        crate::seo::Defaults {
            title: &row.title,
            description: &row.summary,
            image_url: None,
            path: &format!("/trang/{path}"),
        },
    );
    Ok(Page {
        id: row.id,
        slug: row.slug.clone(),
        path,
        title: row.title.clone(),
        summary: row.summary.clone(),
        body_html,
        status: row.status.clone(),
        version: row.version,
        published_at: row.published_at.map(|t| site.local(t)),
        updated_at: site.local(row.updated_at),
        parent: row.parent_id.and_then(|p| pages.by_id(p)).map(|p| link(pages, p)),
        breadcrumbs,
        children: pages
            .children(Some(row.id))
            .filter(|c| !public || pages.public(c.id, now))
            .map(|c| link(pages, c))
            .collect(),
        seo,
    })
}

/// Stores `row` (new when its id is 0) with `body_html`; returns its id.
pub fn save(conn: &mut AnyConnection, site_id: i64, row: &PageRow, body_html: Option<&str>) -> QueryResult<i64> {
    let now = Utc::now().naive_utc();
    let values = (
        pages::parent_id.eq(row.parent_id),
        pages::slug.eq(&row.slug),
        pages::title.eq(&row.title),
        pages::summary.eq(&row.summary),
        pages::status.eq(&row.status),
        pages::published_at.eq(row.published_at),
        pages::position.eq(row.position),
        pages::updated_at.eq(now),
    );
    let id = if row.id == 0 {
        diesel::insert_into(pages::table)
            .values((
                values,
                pages::site_id.eq(site_id),
                pages::body_html.eq(body_html.unwrap_or("")),
                pages::created_at.eq(now),
            ))
            .returning(pages::id)
            .get_result(conn)?
    } else {
        diesel::update(pages::table.find(row.id)).set((values, pages::version.eq(row.version + 1))).execute(conn)?;
        row.id
    };
    if let (Some(body), true) = (body_html, row.id != 0) {
        diesel::update(pages::table.find(id)).set(pages::body_html.eq(body)).execute(conn)?;
    }
    Ok(id)
}

/// Stores a new page with no one signed in (the demo, the generator), with its first revision.
pub fn seed(
    conn: &mut AnyConnection,
    site_id: i64,
    row: &PageRow,
    body_html: &str,
) -> Result<i64, crate::core::error::ApiError> {
    let id = save(conn, site_id, row, Some(body_html))?;
    let revised = crate::publishing::Revised::of(crate::seo::PAGE, id, &content(conn, id)?)?;
    crate::publishing::record(conn, site_id, &revised, None, "create")?;
    Ok(id)
}

/// What a page's revision keeps: its content and its place.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct PageContent {
    pub parent_id: Option<i64>,
    pub slug: String,
    pub title: String,
    pub summary: String,
    pub body_html: String,
    pub status: String,
    pub published_at: Option<NaiveDateTime>,
    pub position: i32,
}

/// The stored state of page `id`, for its revision.
pub fn content(conn: &mut AnyConnection, id: i64) -> QueryResult<PageContent> {
    let (parent_id, slug, title, summary, body_html, status, published_at, position) = pages::table
        .find(id)
        .select((
            pages::parent_id,
            pages::slug,
            pages::title,
            pages::summary,
            pages::body_html,
            pages::status,
            pages::published_at,
            pages::position,
        ))
        .first(conn)?;
    Ok(PageContent { parent_id, slug, title, summary, body_html, status, published_at, position })
}

/// The next publication time still to come of each site with a scheduled page (see
/// [`crate::cache::DueTimes`]).
pub fn coming_publications(
    conn: &mut AnyConnection,
    now: NaiveDateTime,
) -> QueryResult<Vec<(i64, Option<NaiveDateTime>)>> {
    pages::table
        .filter(pages::status.eq(PUBLISHED))
        .filter(pages::published_at.gt(now))
        .group_by(pages::site_id)
        .select((pages::site_id, diesel::dsl::min(pages::published_at)))
        .load(conn)
}
