//! Sites: the wards and communes one deployment serves.

use actix_web::{HttpRequest, HttpResponse, get, web};
use chrono::{DateTime, FixedOffset, NaiveDateTime};
use chrono_tz::Tz;
use diesel::prelude::*;
use serde::Serialize;
use utoipa::ToSchema;

use std::collections::HashMap;
use std::sync::{Arc, RwLock};

use crate::AppState;
use crate::articles::types::PUBLISHED;
use crate::cache::{Generation, ResponseCache};
use crate::categories::{CategoryRef, Tree};
use crate::db::{self, AnyConnection, schema::article_counts, schema::articles, schema::sites};
use crate::error::{ApiError, Problem};
use crate::http::{Data, List, Page, PageParams, cached_json, list_response};

/// A site as stored.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = sites)]
pub struct SiteRow {
    pub id: i64,
    pub slug: String,
    pub name: String,
    pub description: String,
    pub time_zone: String,
}

/// A site with its time zone parsed: the context of every per-site request.
#[derive(Debug, Clone)]
pub struct Site {
    pub id: i64,
    pub slug: String,
    pub name: String,
    pub description: String,
    pub tz: Tz,
}

impl Site {
    /// A UTC time from the database in this site's offset.
    pub fn local(&self, utc: NaiveDateTime) -> DateTime<FixedOffset> {
        utc.and_utc().with_timezone(&self.tz).fixed_offset()
    }

    /// A wall-clock time of the site as UTC. A time a clock change skips counts as the first
    /// minute after the change; a time it repeats, as the first of the two.
    pub fn to_utc(&self, local: NaiveDateTime) -> NaiveDateTime {
        use chrono::{TimeZone, Timelike};
        let mut probe = local;
        // A gap is at most a few hours long: step out of it a minute at a time.
        for _ in 0..24 * 60 {
            if let Some(t) = self.tz.from_local_datetime(&probe).earliest() {
                return t.naive_utc();
            }
            probe = (probe + chrono::Duration::minutes(1)).with_second(0).unwrap_or(probe);
        }
        local
    }
}

impl From<SiteRow> for Site {
    fn from(row: SiteRow) -> Self {
        let tz = row.time_zone.parse().unwrap_or_else(|_| {
            tracing::warn!(site = %row.slug, time_zone = %row.time_zone, "unknown time zone, using Asia/Ho_Chi_Minh");
            chrono_tz::Asia::Ho_Chi_Minh
        });
        Site { id: row.id, slug: row.slug, name: row.name, description: row.description, tz }
    }
}

/// A site and its categories, as every public read of it needs them.
pub struct SiteContext {
    pub site: Site,
    /// The site's categories by id.
    pub categories: HashMap<i64, CategoryRef>,
    /// The same categories as a tree, for menus, breadcrumbs and category filters.
    pub tree: Tree,
    /// Whether, when this was read, a published article's time was still to come. Scheduling
    /// one is a write (a new generation), and a publication time passing makes the cache sync
    /// bump the generation too, so `false` stays true while this is kept.
    pub scheduled: bool,
    /// The published articles of each category (of the counts the database keeps), for the
    /// totals of public lists.
    pub published: Arc<HashMap<i64, i64>>,
}

impl SiteContext {
    /// The public articles of each category, when they are the published ones (no article's
    /// publication time is still to come).
    pub fn public_counts(&self) -> Option<Arc<HashMap<i64, i64>>> {
        (!self.scheduled).then(|| self.published.clone())
    }
}

/// Sites and their categories as last read, kept per node while the site's generation stays
/// the same (see [`crate::cache`]): writes under a site bump it at once on their node and
/// within the cache sync interval on the others, the same promise as the response cache.
/// This spares every public read two statements (three for a list, whose total it adds up),
/// with the response cache on or off. Unknown
/// slugs are never kept.
#[derive(Default)]
pub struct SiteMemo(RwLock<HashMap<String, (Generation, Arc<SiteContext>)>>);

impl SiteMemo {
    /// More sites than any deployment serves: past it the memo starts again.
    const MAX: usize = 10_000;

    /// The site named `slug` with its categories when they are kept and fresh: no database.
    pub fn cached(&self, cache: &ResponseCache, slug: &str) -> Option<Arc<SiteContext>> {
        self.kept(slug, cache.generation(Some(slug)))
    }

    fn kept(&self, slug: &str, generation: Generation) -> Option<Arc<SiteContext>> {
        let memo = self.0.read().unwrap_or_else(|e| e.into_inner());
        memo.get(slug).filter(|(seen, _)| *seen == generation).map(|(_, context)| context.clone())
    }

    /// The site named `slug` with its categories, or a 404 naming it.
    pub fn get(
        &self,
        conn: &mut AnyConnection,
        cache: &ResponseCache,
        slug: &str,
    ) -> Result<Arc<SiteContext>, ApiError> {
        // Taken before reading, so that a write landing meanwhile makes what is read stale.
        let generation = cache.generation(Some(slug));
        if let Some(context) = self.kept(slug, generation) {
            return Ok(context);
        }
        let site = find(conn, slug)?;
        let tree = Tree::load(conn, site.id)?;
        let categories = tree.refs().map(|c| (c.id, c)).collect();
        let scheduled = articles::table
            .filter(articles::site_id.eq(site.id))
            .filter(articles::status.eq(PUBLISHED))
            .filter(articles::published_at.gt(chrono::Utc::now().naive_utc()))
            .select(articles::id)
            .first::<i64>(conn)
            .optional()?
            .is_some();
        let published = article_counts::table
            .filter(article_counts::site_id.eq(site.id))
            .filter(article_counts::status.eq(PUBLISHED))
            .select((article_counts::category_id, article_counts::n))
            .load::<(i64, i64)>(conn)?;
        let published = Arc::new(published.into_iter().collect());
        let context = Arc::new(SiteContext { site, categories, tree, scheduled, published });
        let mut memo = self.0.write().unwrap_or_else(|e| e.into_inner());
        if memo.len() >= Self::MAX {
            memo.clear();
        }
        memo.insert(slug.to_owned(), (generation, context.clone()));
        Ok(context)
    }
}

/// A ward or commune portal.
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({
    "id": 1, "slug": "phuong-chi-minh", "name": "Phường Chí Minh",
    "description": "Cổng thông tin điện tử phường Chí Minh, thành phố Chí Linh, tỉnh Hải Dương",
    "time_zone": "Asia/Ho_Chi_Minh"
}))]
pub struct SiteView {
    pub id: i64,
    /// The site's name in URLs.
    pub slug: String,
    pub name: String,
    pub description: String,
    /// IANA time zone: days and weeks of the site follow it.
    pub time_zone: String,
}

impl From<&Site> for SiteView {
    fn from(s: &Site) -> Self {
        SiteView {
            id: s.id,
            slug: s.slug.clone(),
            name: s.name.clone(),
            description: s.description.clone(),
            time_zone: s.tz.name().to_owned(),
        }
    }
}

/// Runs the short read `f` (see [`db::read`]) with the site named `slug`, from the memo: what
/// every public read of a site's resources starts with.
pub async fn read<T, F>(state: &web::Data<AppState>, slug: String, f: F) -> Result<T, ApiError>
where
    T: Send + 'static,
    F: FnOnce(&mut AnyConnection, &SiteContext) -> Result<T, ApiError> + Send + 'static,
{
    let st = state.clone();
    db::read(&state.pool, move |conn| {
        let context = st.sites.get(conn, &st.responses, &slug)?;
        f(conn, &context)
    })
    .await
}

/// Loads the site named `slug`, or a 404 naming it.
pub fn find(conn: &mut AnyConnection, slug: &str) -> Result<Site, ApiError> {
    sites::table
        .filter(sites::slug.eq(slug))
        .select(SiteRow::as_select())
        .first(conn)
        .optional()?
        .map(Site::from)
        .ok_or_else(|| ApiError::not_found(format!("no site {slug:?}")))
}

/// List the sites
///
/// Every ward and commune this deployment serves, by name.
#[utoipa::path(
    tag = "sites",
    params(PageParams),
    responses(
        (status = 200, description = "A page of sites", body = List<SiteView>,
         headers(("ETag" = String), ("Cache-Control" = String), ("Link" = String, description = "RFC 8288 first/prev/next/last"))),
        (status = 304, description = "Not modified (If-None-Match)"),
        (status = 400, description = "A bad parameter", body = Problem, content_type = "application/problem+json"),
        (status = 503, description = "Database unavailable", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/sites")]
pub async fn list_sites(
    state: web::Data<AppState>,
    req: HttpRequest,
    params: web::Query<PageParams>,
) -> Result<HttpResponse, ApiError> {
    let page = Page::from_params(&params)?;
    let (rows, total) = db::read(&state.pool, move |conn| {
        let total: i64 = sites::table.count().get_result(conn)?;
        let rows: Vec<SiteRow> = sites::table
            .select(SiteRow::as_select())
            .order((sites::name.asc(), sites::id.asc()))
            .limit(page.limit())
            .offset(page.offset())
            .load(conn)?;
        Ok((rows, total))
    })
    .await?;
    let data: Vec<SiteView> = rows.into_iter().map(|r| SiteView::from(&Site::from(r))).collect();
    list_response(&req, data, page, total, state.cache)
}

/// Get a site
#[utoipa::path(
    tag = "sites",
    params(("site" = String, Path, description = "Site slug", example = "phuong-chi-minh")),
    responses(
        (status = 200, description = "The site", body = Data<SiteView>, headers(("ETag" = String), ("Cache-Control" = String))),
        (status = 304, description = "Not modified (If-None-Match)"),
        (status = 404, description = "No such site", body = Problem, content_type = "application/problem+json"),
        (status = 503, description = "Database unavailable", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/sites/{site}")]
pub async fn get_site(
    state: web::Data<AppState>,
    req: HttpRequest,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let slug = path.into_inner();
    let site = db::read(&state.pool, move |conn| find(conn, &slug)).await?;
    cached_json(&req, &Data { data: SiteView::from(&site) }, state.cache)
}

/// Registers the site routes.
pub fn configure(cfg: &mut utoipa_actix_web::service_config::ServiceConfig) {
    cfg.service(list_sites).service(get_site);
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::NaiveDate;

    fn site(tz: Tz) -> Site {
        Site { id: 1, slug: "s".into(), name: "S".into(), description: String::new(), tz }
    }

    fn at(d: u32, h: u32, m: u32) -> NaiveDateTime {
        NaiveDate::from_ymd_opt(2026, 3, d).unwrap().and_hms_opt(h, m, 0).unwrap()
    }

    #[test]
    fn wall_clock_times_become_utc() {
        assert_eq!(site(chrono_tz::Asia::Ho_Chi_Minh).to_utc(at(1, 7, 0)), at(1, 0, 0));
        // Berlin skips 02:00-03:00 on 29 March 2026: 02:10 is taken as 03:00 (01:00 UTC).
        let berlin = site(chrono_tz::Europe::Berlin);
        assert_eq!(berlin.to_utc(at(29, 2, 10)), at(29, 1, 0));
        assert_eq!(berlin.to_utc(at(29, 1, 59)), at(29, 0, 59));
    }
}
