//! The site context: a site with its categories and article counts, kept per node while the
//! site's generation holds, and the read every public request of a site starts with.

use std::collections::HashMap;
use std::sync::{Arc, RwLock};

use actix_web::web;
use diesel::prelude::*;

use super::{Site, find};
use crate::AppState;
use crate::cache::{Generation, ResponseCache};
use crate::categories::tree::{CategoryRef, Tree};
use crate::core::error::ApiError;
use crate::db::{self, AnyConnection, schema::article_counts, schema::articles};
use crate::publishing::PUBLISHED;

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
