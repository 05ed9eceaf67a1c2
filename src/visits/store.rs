//! Visits in the database: the flush of a node's pending counts, and the figures read back.

use std::collections::HashMap;

use chrono::{DateTime, Datelike, Duration, NaiveDate, Utc};
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Date, Text, Timestamp};
use sha2::{Digest, Sha256};

use super::counter::{Counter, Pending, SiteClock};
use crate::db::AnyConnection;
use crate::db::schema::{article_view_days, visit_days, visit_salts, visitor_days, visitors_online};

/// How long a visitor counts as online after their last visit.
pub const ONLINE_MINUTES: i64 = 5;

/// Writes what `counter` has pending. On failure the batch goes back into the counter, so a
/// visit is neither lost nor counted twice. Returns the page views written.
pub fn flush(conn: &mut AnyConnection, counter: &Counter) -> QueryResult<i64> {
    // Readers of the counter wait while a batch is between memory and the database, so they
    // never see it in neither or in both.
    let _gate = counter.gate.write().unwrap_or_else(|e| e.into_inner());
    let batch = counter.take();
    if batch.is_empty() {
        return Ok(0);
    }
    match conn.transaction(|conn| write(conn, &batch)) {
        Ok(n) => {
            counter.add_written(&batch);
            Ok(n)
        }
        Err(e) => {
            counter.put_back(batch);
            Err(e)
        }
    }
}

fn write(conn: &mut AnyConnection, batch: &Pending) -> QueryResult<i64> {
    let mut views = 0;
    for ((site, day), counts) in &batch.days {
        views += counts.views;
        diesel::sql_query(
            "INSERT INTO visit_days (site_id, day, page_views, bot_views) VALUES ($1, $2, $3, $4) \
             ON CONFLICT (site_id, day) DO UPDATE SET page_views = visit_days.page_views + excluded.page_views, \
             bot_views = visit_days.bot_views + excluded.bot_views",
        )
        .bind::<BigInt, _>(site)
        .bind::<Date, _>(day)
        .bind::<BigInt, _>(counts.views)
        .bind::<BigInt, _>(counts.bots)
        .execute(conn)?;
    }
    for ((site, article, day), n) in &batch.articles {
        // An article deleted since the visit is skipped rather than failing the whole batch.
        diesel::sql_query(
            "INSERT INTO article_view_days (site_id, article_id, day, views) \
             SELECT $1, $2, $3, $4 WHERE EXISTS (SELECT 1 FROM articles WHERE id = $5) \
             ON CONFLICT (article_id, day) DO UPDATE SET views = article_view_days.views + excluded.views",
        )
        .bind::<BigInt, _>(site)
        .bind::<BigInt, _>(article)
        .bind::<Date, _>(day)
        .bind::<BigInt, _>(n)
        .bind::<BigInt, _>(article)
        .execute(conn)?;
    }
    let mut salts: HashMap<NaiveDate, String> = HashMap::new();
    for ((site, day, ip), seen) in &batch.visitors {
        let salt = match salts.get(day) {
            Some(s) => s.clone(),
            None => {
                let s = salt_of(conn, *day)?;
                salts.insert(*day, s.clone());
                s
            }
        };
        let visitor = visitor_hash(&salt, *site, &ip.to_string());
        diesel::sql_query(
            "INSERT INTO visitor_days (site_id, day, visitor) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING",
        )
        .bind::<BigInt, _>(site)
        .bind::<Date, _>(day)
        .bind::<Text, _>(&visitor)
        .execute(conn)?;
        diesel::sql_query(
            "INSERT INTO visitors_online (site_id, visitor, last_seen) VALUES ($1, $2, $3) \
             ON CONFLICT (site_id, visitor) DO UPDATE SET last_seen = excluded.last_seen",
        )
        .bind::<BigInt, _>(site)
        .bind::<Text, _>(&visitor)
        .bind::<Timestamp, _>(seen)
        .execute(conn)?;
    }
    Ok(views)
}

/// The salt of `day`, made (once, whichever node comes first) when missing.
fn salt_of(conn: &mut AnyConnection, day: NaiveDate) -> QueryResult<String> {
    let fresh: String = rand::random::<[u8; 32]>().iter().map(|b| format!("{b:02x}")).collect();
    diesel::sql_query("INSERT INTO visit_salts (day, salt) VALUES ($1, $2) ON CONFLICT DO NOTHING")
        .bind::<Date, _>(day)
        .bind::<Text, _>(&fresh)
        .execute(conn)?;
    visit_salts::table.find(day).select(visit_salts::salt).first(conn)
}

/// A visitor's pseudonym for one day: nothing links it to the address once the salt is gone.
fn visitor_hash(salt: &str, site: i64, ip: &str) -> String {
    let digest = Sha256::new()
        .chain_update(salt.as_bytes())
        .chain_update(site.to_be_bytes())
        .chain_update(ip.as_bytes())
        .finalize();
    digest[..16].iter().map(|b| format!("{b:02x}")).collect()
}

/// Deletes salts older than yesterday (so old hashes are anonymous) and visitors long offline.
pub fn prune(conn: &mut AnyConnection, now: DateTime<Utc>) -> QueryResult<()> {
    let keep_from = now.date_naive() - Duration::days(2);
    diesel::delete(visit_salts::table.filter(visit_salts::day.lt(keep_from))).execute(conn)?;
    let offline = now.naive_utc() - Duration::minutes(ONLINE_MINUTES * 2);
    diesel::delete(visitors_online::table.filter(visitors_online::last_seen.lt(offline))).execute(conn)?;
    Ok(())
}

/// The figures of the visit counter, written and pending together.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Figures {
    pub today: i64,
    pub yesterday: i64,
    pub this_week: i64,
    pub this_month: i64,
    pub total: i64,
    pub visitors_today: i64,
    pub online: i64,
}

/// What the database says of a site's counter at some moment; pending views are added to it.
#[derive(Debug, Clone, Default)]
pub struct Written {
    /// The day (site time) these figures were read for.
    pub today: NaiveDate,
    /// Page views by day, from the earliest of yesterday, Monday and the 1st of the month.
    pub days: Vec<(NaiveDate, i64)>,
    /// Every page view written, and the total carried over.
    pub total: i64,
    pub visitors_today: i64,
    pub online: i64,
}

/// Reads the written part of the counter of `site` at `now`.
pub fn written(conn: &mut AnyConnection, site: SiteClock, now: DateTime<Utc>) -> QueryResult<Written> {
    let today = site.day(now);
    let (yesterday, monday, month) = periods(today);
    let since = yesterday.min(monday).min(month);
    let days: Vec<(NaiveDate, i64)> = visit_days::table
        .filter(visit_days::site_id.eq(site.id))
        .filter(visit_days::day.ge(since))
        .select((visit_days::day, visit_days::page_views))
        .load(conn)?;
    // SUM of BIGINT is NUMERIC on PostgreSQL; cast it back. The imported total rides along.
    let total = diesel::sql_query(
        "SELECT CAST(COALESCE(SUM(v.page_views), 0) + MAX(s.visits_imported) AS BIGINT) AS n \
         FROM sites s LEFT JOIN visit_days v ON v.site_id = s.id WHERE s.id = $1",
    )
    .bind::<BigInt, _>(site.id)
    .get_result::<Count>(conn)?
    .n;
    let visitors_today: i64 = visitor_days::table
        .filter(visitor_days::site_id.eq(site.id))
        .filter(visitor_days::day.eq(today))
        .count()
        .get_result(conn)?;
    let online: i64 = visitors_online::table
        .filter(visitors_online::site_id.eq(site.id))
        .filter(visitors_online::last_seen.ge(now.naive_utc() - Duration::minutes(ONLINE_MINUTES)))
        .count()
        .get_result(conn)?;
    Ok(Written { today, days, total, visitors_today, online })
}

/// Yesterday, this week's Monday and the 1st of this month.
fn periods(today: NaiveDate) -> (NaiveDate, NaiveDate, NaiveDate) {
    (today - Duration::days(1), crate::sites::week_start(today), today.with_day(1).unwrap_or(today))
}

/// The counter: `written` plus this node's `pending` page views by day. Days and weeks (from
/// Monday) are the site's, as of `written.today`.
pub fn combine(written: &Written, pending: &[(NaiveDate, i64)]) -> Figures {
    let today = written.today;
    let (yesterday, monday, month) = periods(today);
    let all = || written.days.iter().chain(pending.iter());
    let sum = |from: NaiveDate, to: NaiveDate| all().filter(|(d, _)| *d >= from && *d <= to).map(|(_, n)| n).sum();
    Figures {
        today: sum(today, today),
        yesterday: sum(yesterday, yesterday),
        this_week: sum(monday, today),
        this_month: sum(month, today),
        total: written.total + pending.iter().map(|(_, n)| n).sum::<i64>(),
        visitors_today: written.visitors_today,
        online: written.online,
    }
}

/// The counter of `site` at `now`, reading the database: see [`written`] and [`combine`].
pub fn figures(
    conn: &mut AnyConnection,
    site: SiteClock,
    now: DateTime<Utc>,
    pending: &[(NaiveDate, i64)],
) -> QueryResult<Figures> {
    Ok(combine(&written(conn, site, now)?, pending))
}

#[derive(QueryableByName)]
struct Count {
    #[diesel(sql_type = BigInt)]
    n: i64,
}

/// Page views and unique visitors of each day from `from` to `to` (inclusive), days without
/// visits included as zeros.
pub fn history(
    conn: &mut AnyConnection,
    site_id: i64,
    from: NaiveDate,
    to: NaiveDate,
) -> QueryResult<Vec<(NaiveDate, i64, i64)>> {
    let views: HashMap<NaiveDate, i64> = visit_days::table
        .filter(visit_days::site_id.eq(site_id))
        .filter(visit_days::day.between(from, to))
        .select((visit_days::day, visit_days::page_views))
        .load::<(NaiveDate, i64)>(conn)?
        .into_iter()
        .collect();
    let visitors: HashMap<NaiveDate, i64> = visitor_days::table
        .filter(visitor_days::site_id.eq(site_id))
        .filter(visitor_days::day.between(from, to))
        .group_by(visitor_days::day)
        .select((visitor_days::day, diesel::dsl::count_star()))
        .load::<(NaiveDate, i64)>(conn)?
        .into_iter()
        .collect();
    Ok(from
        .iter_days()
        .take_while(|d| *d <= to)
        .map(|d| (d, views.get(&d).copied().unwrap_or(0), visitors.get(&d).copied().unwrap_or(0)))
        .collect())
}

/// Articles of a site with the most views from `from` on (all time when `None`): (id, views).
pub fn most_viewed(
    conn: &mut AnyConnection,
    site_id: i64,
    from: Option<NaiveDate>,
    limit: i64,
) -> QueryResult<Vec<(i64, i64)>> {
    let mut sql = String::from(
        "SELECT v.article_id AS id, CAST(SUM(v.views) AS BIGINT) AS n FROM article_view_days v \
         JOIN articles a ON a.id = v.article_id \
         WHERE v.site_id = $1 AND a.status = 'published' AND a.published_at <= $2",
    );
    if from.is_some() {
        sql.push_str(" AND v.day >= $3");
    }
    sql.push_str(&format!(" GROUP BY v.article_id ORDER BY n DESC, v.article_id DESC LIMIT {}", limit.clamp(1, 100)));
    let q = diesel::sql_query(sql)
        .into_boxed::<crate::db::MultiBackend>()
        .bind::<BigInt, _>(site_id)
        .bind::<Timestamp, _>(Utc::now().naive_utc());
    let q = match from {
        Some(d) => q.bind::<Date, _>(d),
        None => q,
    };
    Ok(q.load::<IdCount>(conn)?.into_iter().map(|r| (r.id, r.n)).collect())
}

#[derive(QueryableByName)]
struct IdCount {
    #[diesel(sql_type = BigInt)]
    id: i64,
    #[diesel(sql_type = BigInt)]
    n: i64,
}

/// Views of one article: today, this week, all time.
pub fn article_views(
    conn: &mut AnyConnection,
    site: SiteClock,
    article_id: i64,
    now: DateTime<Utc>,
) -> QueryResult<(i64, i64, i64)> {
    let today = site.day(now);
    let monday = crate::sites::week_start(today);
    let days: Vec<(NaiveDate, i64)> = article_view_days::table
        .filter(article_view_days::article_id.eq(article_id))
        .select((article_view_days::day, article_view_days::views))
        .load(conn)?;
    let sum = |from: NaiveDate| days.iter().filter(|(d, _)| *d >= from && *d <= today).map(|(_, n)| n).sum::<i64>();
    Ok((sum(today), sum(monday), days.iter().map(|(_, n)| n).sum()))
}
