//! Reading the other nodes' writes and the publication times that have come.

use chrono::{NaiveDateTime, Utc};
use diesel::prelude::*;

use super::{ResponseCache, SYNC_EVERY};
use crate::db::{self, AnyConnection, schema::sites};

/// The next publication time still to come of each site that has one (`None` for none): the
/// resources that schedule what they publish say it, and the sync makes a site's kept answers
/// stale when such a time passes.
pub type DueTimes = fn(&mut AnyConnection, NaiveDateTime) -> QueryResult<Vec<(i64, Option<NaiveDateTime>)>>;

/// Reads the other nodes' writes and the publication times that have come, and makes the
/// affected answers stale. Run every [`SYNC_EVERY`].
pub fn sync(conn: &mut AnyConnection, cache: &ResponseCache, sources: &[DueTimes]) -> QueryResult<()> {
    let now = Utc::now().naive_utc();
    let versions = db::versions::all(conn)?;
    let mut due: Vec<(i64, Option<NaiveDateTime>)> = Vec::new();
    for source in sources {
        due.extend(source(conn, now)?);
    }
    let mut seen = cache.seen.lock().unwrap_or_else(|e| e.into_inner());
    let mut stale: Vec<i64> = Vec::new();
    for v in &versions {
        // A row seen for the first time counts as a change too (at start-up nothing is kept yet).
        if seen.versions.insert(v.site_id, v.version) != Some(v.version) {
            stale.push(v.site_id);
        }
    }
    // A publication time that has passed since the last look: its site's lists change.
    let previous = std::mem::take(&mut seen.due);
    for (site, at) in previous {
        if at <= now {
            stale.push(site);
        }
    }
    for (site, at) in due.into_iter().filter_map(|(site, at)| at.map(|a| (site, a))) {
        let next = seen.due.entry(site).or_insert(at);
        *next = (*next).min(at);
    }
    for site in stale {
        if site == 0 {
            cache.bump(None);
            continue;
        }
        let slug = match seen.slugs.get(&site) {
            Some(s) => Some(s.clone()),
            None => sites::table.find(site).select(sites::slug).first::<String>(conn).optional().ok().flatten(),
        };
        match slug {
            Some(slug) => {
                seen.slugs.insert(site, slug.clone());
                cache.bump(Some(&slug));
            }
            // A site whose slug cannot be read now (its version is already marked seen): every
            // answer is made stale rather than its own left stale.
            None => cache.bump(None),
        }
    }
    Ok(())
}

/// Runs [`sync`] every [`SYNC_EVERY`] until dropped.
pub async fn sync_forever(pool: db::Pool, cache: actix_web::web::Data<ResponseCache>, sources: &'static [DueTimes]) {
    let mut tick = actix_web::rt::time::interval(SYNC_EVERY);
    let mut failing = false;
    loop {
        tick.tick().await;
        let cache = cache.clone();
        // A failed sync marks nothing seen: the next one finds every version it missed. Said
        // once when it starts failing and once when it works again, not four times a second.
        match db::run(&pool, move |conn| Ok(sync(conn, &cache, sources)?)).await {
            Err(e) if !failing => {
                tracing::warn!(error = %e, "could not read the other nodes' writes; trying again");
                failing = true;
            }
            Ok(()) if failing => {
                tracing::info!("reading the other nodes' writes again");
                failing = false;
            }
            _ => {}
        }
    }
}
