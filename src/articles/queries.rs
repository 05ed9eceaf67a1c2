//! Reading public articles: lists, search, one article, its related articles and neighbours.

use std::collections::HashMap;

use chrono::NaiveDateTime;
use diesel::prelude::*;
use diesel::sql_types::Bool;

use super::types::*;
use crate::articles::search::{SearchOrder, SearchScope, search_articles};
use crate::categories::tree::CategoryRef;
use crate::db::schema::{article_counts, articles, categories};
use crate::db::{AnyConnection, MultiBackend};
use crate::sites::Site;

type Boxed<'a> = articles::BoxedQuery<'a, MultiBackend>;

/// The articles of the scope; for [`StatusFilter::Published`], those readers may see:
/// published, and their time has come.
fn visible(scope: &SearchScope) -> Boxed<'static> {
    let mut q = articles::table.filter(articles::site_id.eq(scope.site_id)).into_boxed();
    q = match scope.status {
        StatusFilter::Published => {
            q.filter(articles::status.eq(PUBLISHED)).filter(articles::published_at.le(scope.now))
        }
        StatusFilter::Scheduled => {
            q.filter(articles::status.eq(PUBLISHED)).filter(articles::published_at.gt(scope.now))
        }
        StatusFilter::Draft => q.filter(articles::status.eq(DRAFT)),
        StatusFilter::Review => q.filter(articles::status.eq(REVIEW)),
        StatusFilter::Trashed => q.filter(articles::status.eq(TRASHED)),
        StatusFilter::All => q,
    };
    /// The most categories filtered as one equality each.
    const MAX_ORED_CATEGORIES: usize = 32;
    match scope.category_ids.as_deref() {
        None => {}
        // One category (no subcategories, the common case) as an equality: on PostgreSQL its
        // prepared statement's one plan then walks the category's index (see `db::Manager`).
        Some([id]) => q = q.filter(articles::category_id.eq(*id)),
        Some([]) => q = q.filter(articles::category_id.eq_any(Vec::<i64>::new())),
        // A parent and its subcategories: an equality each, bound, so the statement stays
        // prepared (one per subtree size) under one plan, the site's newest articles filtered.
        // Written out as `IN (ids)` it was planned on every request: 0.5-3 ms of planning for
        // 0.06 ms of work (PostgreSQL parent-category lists at 3.3-5.5k/s, leaves at 8k/s).
        // A wide subtree: one `IN` (an array on PostgreSQL), so that the query is not a chain
        // of thousands of ORs that building its SQL walks by recursion.
        Some(ids) if ids.len() > MAX_ORED_CATEGORIES => {
            q = q.filter(articles::category_id.eq_any(ids.to_vec()));
        }
        Some([first, rest @ ..]) => {
            let mut any: Box<dyn BoxableExpression<articles::table, MultiBackend, SqlType = Bool>> =
                Box::new(articles::category_id.eq(*first));
            for id in rest {
                any = Box::new(any.or(articles::category_id.eq(*id)));
            }
            q = q.filter(any);
        }
    }
    if let Some(from) = scope.from {
        q = q.filter(articles::published_at.ge(from));
    }
    if let Some(to) = scope.to {
        q = q.filter(articles::published_at.lt(to));
    }
    q
}

/// One page of the articles of the scope (searched for `words`, when given) in `order`, and
/// the number of them all.
#[allow(clippy::too_many_arguments)]
pub fn list(
    conn: &mut AnyConnection,
    site: &Site,
    categories: &Categories,
    scope: &SearchScope,
    words: Option<&[String]>,
    order: SearchOrder,
    limit: i64,
    offset: i64,
) -> QueryResult<(Vec<ArticleSummary>, i64)> {
    let (rows, total) = match words {
        Some(words) => {
            let (ids, total) = search_articles(conn, words, scope, order, limit, offset)?;
            (rows_by_id(conn, &ids)?, total)
        }
        None => (page(conn, scope, order, limit, offset)?, count(conn, scope)?),
    };
    Ok((summaries(conn, site, categories, rows)?, total))
}

/// The newest `limit` articles of the scope, without counting them all (the home bundle).
pub fn newest(
    conn: &mut AnyConnection,
    site: &Site,
    categories: &Categories,
    scope: &SearchScope,
    limit: i64,
) -> QueryResult<Vec<ArticleSummary>> {
    let rows = page(conn, scope, SearchOrder::Newest, limit, 0)?;
    summaries(conn, site, categories, rows)
}

/// One page of the scope's articles in `order`.
fn page(
    conn: &mut AnyConnection,
    scope: &SearchScope,
    order: SearchOrder,
    limit: i64,
    offset: i64,
) -> QueryResult<Vec<ArticleListRow>> {
    let query = visible(scope).select(ArticleListRow::as_select()).limit(limit).offset(offset);
    // Drafts have no publication time: they sort by their last change.
    let by_publication = matches!(scope.status, StatusFilter::Published | StatusFilter::Scheduled);
    match (order, by_publication) {
        (SearchOrder::Oldest, true) => query.order((articles::published_at.asc(), articles::id.asc())).load(conn),
        (SearchOrder::Oldest, false) => query.order((articles::updated_at.asc(), articles::id.asc())).load(conn),
        (_, true) => query.order((articles::published_at.desc(), articles::id.desc())).load(conn),
        (_, false) => query.order((articles::updated_at.desc(), articles::id.desc())).load(conn),
    }
}

/// The articles `ids`, in that order.
fn rows_by_id(conn: &mut AnyConnection, ids: &[i64]) -> QueryResult<Vec<ArticleListRow>> {
    let rows: Vec<ArticleListRow> =
        articles::table.filter(articles::id.eq_any(ids)).select(ArticleListRow::as_select()).load(conn)?;
    let mut by_id: HashMap<i64, ArticleListRow> = rows.into_iter().map(|r| (r.id, r)).collect();
    Ok(ids.iter().filter_map(|id| by_id.remove(id)).collect())
}

/// The list view of `rows`, with their categories.
fn summaries(
    conn: &mut AnyConnection,
    site: &Site,
    known: &Categories,
    rows: Vec<ArticleListRow>,
) -> QueryResult<Vec<ArticleSummary>> {
    rows.into_iter()
        .map(|row| {
            let category = category_of(conn, known, row.category_id)?;
            Ok(ArticleSummary::new(site, row, category))
        })
        .collect()
}

/// The site's categories by id, as the caller knows them (see [`crate::sites::context::SiteMemo`]).
pub type Categories = HashMap<i64, CategoryRef>;

/// Category `id` from `known`, or from the database when it is newer than what is known.
fn category_of(conn: &mut AnyConnection, known: &Categories, id: i64) -> QueryResult<CategoryRef> {
    match known.get(&id) {
        Some(c) => Ok(c.clone()),
        None => categories::table.filter(categories::id.eq(id)).select(CategoryRef::as_select()).first(conn),
    }
}

/// How many articles the scope holds. Without a time range this adds up the counts the
/// database keeps per category and status (`article_counts`, maintained by triggers) and, for
/// the public, takes away the published articles whose time has not come: a few rows instead
/// of counting a site's thousands of articles on every list. When the caller knows the public
/// counts (the site memo), a public total is added up from them without a statement.
fn count(conn: &mut AnyConnection, scope: &SearchScope) -> QueryResult<i64> {
    if let Some(known) = &scope.public_counts
        && scope.status == StatusFilter::Published
        && scope.from.is_none()
        && scope.to.is_none()
    {
        return Ok(match &scope.category_ids {
            Some(ids) => ids.iter().filter_map(|id| known.get(id)).sum(),
            None => known.values().sum(),
        });
    }
    let status = match scope.status {
        StatusFilter::Published => Some(PUBLISHED),
        StatusFilter::Draft => Some(DRAFT),
        StatusFilter::Review => Some(REVIEW),
        StatusFilter::Trashed => Some(TRASHED),
        // Scheduled articles are few; the index finds them at once.
        StatusFilter::Scheduled => return visible(scope).count().get_result(conn),
        StatusFilter::All => None,
    };
    if scope.from.is_some() || scope.to.is_some() {
        return visible(scope).count().get_result(conn);
    }
    let mut kept = article_counts::table.filter(article_counts::site_id.eq(scope.site_id)).into_boxed();
    if let Some(ids) = &scope.category_ids {
        kept = kept.filter(article_counts::category_id.eq_any(ids.clone()));
    }
    if let Some(status) = status {
        kept = kept.filter(article_counts::status.eq(status));
    }
    let kept: i64 = kept.select(article_counts::n).load::<i64>(conn)?.into_iter().sum();
    if scope.status != StatusFilter::Published {
        return Ok(kept);
    }
    let not_yet: i64 =
        visible(&SearchScope { status: StatusFilter::Scheduled, ..scope.clone() }).count().get_result(conn)?;
    Ok(kept - not_yet)
}

/// The article of the scope named by `key`: its slug, or its numeric id.
pub fn find(conn: &mut AnyConnection, scope: &SearchScope, key: &str) -> QueryResult<Option<ArticleRow>> {
    let by_key = match key.parse::<i64>() {
        Ok(id) => visible(scope).filter(articles::id.eq(id)),
        Err(_) => visible(scope).filter(articles::slug.eq(key.to_owned())),
    };
    by_key.select(ArticleRow::as_select()).first::<ArticleRow>(conn).optional()
}

/// An article with everything the detail view shows: category, related articles (public
/// ones), and its public neighbours.
pub fn detail(
    conn: &mut AnyConnection,
    site: &Site,
    categories: &Categories,
    row: ArticleRow,
    related_limit: usize,
) -> QueryResult<ArticleDetail> {
    let scope = SearchScope::public(site.id, chrono::Utc::now().naive_utc());
    let category = category_of(conn, categories, row.category_id)?;
    let Around { related, previous, next } = around(conn, &scope, &row, related_limit)?;
    let link = |r| ArticleLink::new(site, r);
    let seo = crate::seo::load(conn, crate::seo::ARTICLE, row.id)?.view(
        &site.settings.base_url,
        crate::seo::Defaults {
            title: &row.title,
            description: &row.summary,
            image_url: row.cover_image_url.as_deref(),
            path: &format!("/{}/{}", category.slug, row.slug),
        },
    );
    Ok(ArticleDetail {
        id: row.id,
        slug: row.slug,
        title: row.title,
        summary: row.summary,
        body_html: row.body_html,
        cover_image_url: row.cover_image_url,
        cover_image_alt: row.cover_image_alt,
        author_name: row.author_name,
        category,
        status: row.status,
        version: row.version,
        published_at: row.published_at.map(|t| site.local(t)),
        updated_at: site.local(row.updated_at),
        seo,
        related: related.into_iter().map(link).collect(),
        previous: previous.map(link),
        next: next.map(link),
    })
}

/// What the detail view links to: up to `limit` related articles (the editor's choice in its
/// order, then public articles of the same category nearest in publication time; never the
/// article itself) and the public articles just before and just after it in its category (by
/// publication time, then id).
///
/// One statement reads the editor's choice and the same-category rows for both: a few rows at
/// or before the article's time, newest first, and a few at or after it, oldest first. Only
/// when many articles share its exact time does a list run out before it answers, and a query
/// of its own then asks again.
pub fn around(
    conn: &mut AnyConnection,
    scope: &SearchScope,
    article: &ArticleRow,
    limit: usize,
) -> QueryResult<Around> {
    debug_assert!(
        scope.status == StatusFilter::Published
            && scope.category_ids.is_none()
            && scope.from.is_none()
            && scope.to.is_none(),
        "the statement reads the public articles of the site"
    );
    let (id, at) = (article.id, article.published_at.unwrap_or(article.updated_at));
    // Enough rows to fill the list after leaving out the editor's choices and the article
    // itself (in Rust: a statement of fixed text stays prepared, where `NOT IN (...)` of
    // varying length is planned each time), and at least the article and one beside it.
    let fetch = (limit as i64 + 1).max(2);
    let rows: Vec<(i32, i32, ArticleLinkRow)> = AroundQuery {
        site_id: scope.site_id,
        now: scope.now,
        article_id: id,
        category_id: article.category_id,
        at,
        related: limit as i64,
        fetch,
    }
    .load(conn)?;
    let (mut related, mut before, mut after) = (Vec::new(), Vec::new(), Vec::new());
    for (part, position, row) in rows {
        match part {
            AroundQuery::RELATED => related.push((position, row)),
            AroundQuery::BEFORE => before.push(row),
            _ => after.push(row),
        }
    }
    // Each part in its order (SQL promises none for the rows of a UNION ALL).
    related.sort_by_key(|(position, r)| (*position, r.id));
    let mut related: Vec<ArticleLinkRow> = related.into_iter().map(|(_, r)| r).collect();
    before.sort_by_key(|r| std::cmp::Reverse((r.published_at, r.id)));
    after.sort_by_key(|r| (r.published_at, r.id));
    let wanted = limit - related.len();
    let mut exclude: Vec<i64> = related.iter().map(|a| a.id).collect();
    exclude.push(id);
    let same_category = || visible(scope).filter(articles::category_id.eq(article.category_id));
    let time = |r: &ArticleLinkRow| r.published_at.unwrap_or(at);
    let full = |rows: &[ArticleLinkRow]| rows.len() as i64 == fetch;

    let previous = match before.iter().find(|r| time(r) < at || (time(r) == at && r.id < id)) {
        Some(r) => Some(r.clone()),
        None if full(&before) => neighbour(conn, scope, article, at, Side::Before)?,
        None => None,
    };
    let next = match after.iter().find(|r| time(r) > at || (time(r) == at && r.id > id)) {
        Some(r) => Some(r.clone()),
        None if full(&after) => neighbour(conn, scope, article, at, Side::After)?,
        None => None,
    };

    if wanted > 0 {
        let kept = |rows: Vec<ArticleLinkRow>| -> Vec<ArticleLinkRow> {
            rows.into_iter().filter(|r| !exclude.contains(&r.id)).take(wanted).collect()
        };
        let after_full = full(&after);
        let older = kept(before);
        let mut newer = kept(after.into_iter().filter(|r| time(r) > at).collect());
        if newer.len() < wanted && after_full {
            // Articles at the very same time filled the read: read past them.
            newer = kept(
                same_category()
                    .filter(articles::published_at.gt(at))
                    .order((articles::published_at.asc(), articles::id.asc()))
                    .limit(fetch)
                    .select(ArticleLinkRow::as_select())
                    .load(conn)?,
            );
        }
        related.extend(nearest(at, older, newer, wanted));
    }
    Ok(Around { related, previous, next })
}

/// The statement behind [`around`]: the public articles the editor related to the article (with
/// their position), then `fetch` public articles of its category at or before its time (newest
/// first), then as many at or after it (oldest first), each row marked with its part. Written by hand because
/// diesel's `UNION` does not reach both backends through one connection type; the same text
/// serves both (SQLite wants each ordered part wrapped as `SELECT * FROM (...)`, which
/// PostgreSQL accepts too), and it is prepared once per connection like diesel's own.
#[derive(Debug, Clone, Copy)]
struct AroundQuery {
    site_id: i64,
    now: NaiveDateTime,
    article_id: i64,
    category_id: i64,
    at: NaiveDateTime,
    related: i64,
    fetch: i64,
}

impl AroundQuery {
    const RELATED: i32 = 0;
    const BEFORE: i32 = 1;
}

impl diesel::query_builder::QueryId for AroundQuery {
    type QueryId = Self;
    const HAS_STATIC_QUERY_ID: bool = true;
}

impl diesel::query_builder::Query for AroundQuery {
    type SqlType = (
        diesel::sql_types::Integer,
        diesel::sql_types::Integer,
        (
            diesel::sql_types::BigInt,
            diesel::sql_types::Text,
            diesel::sql_types::Text,
            diesel::sql_types::Nullable<diesel::sql_types::Timestamp>,
        ),
    );
}

impl RunQueryDsl<AnyConnection> for AroundQuery {}

impl diesel::query_builder::QueryFragment<MultiBackend> for AroundQuery {
    fn walk_ast<'b>(&'b self, mut out: diesel::query_builder::AstPass<'_, 'b, MultiBackend>) -> QueryResult<()> {
        use diesel::sql_types::{BigInt, Text, Timestamp};
        // The public articles of the site: the start of every part's WHERE.
        let public = |out: &mut diesel::query_builder::AstPass<'_, 'b, MultiBackend>| -> QueryResult<()> {
            out.push_sql(" WHERE a.site_id = ");
            out.push_bind_param::<BigInt, _>(&self.site_id)?;
            out.push_sql(" AND a.status = ");
            out.push_bind_param::<Text, _>(PUBLISHED)?;
            out.push_sql(" AND a.published_at <= ");
            out.push_bind_param::<Timestamp, _>(&self.now)
        };
        out.push_sql(
            "SELECT * FROM (SELECT 0 AS part, r.position AS position, a.id, a.title, a.slug, a.published_at \
             FROM articles a INNER JOIN article_related r ON r.related_id = a.id",
        );
        public(&mut out)?;
        out.push_sql(" AND r.article_id = ");
        out.push_bind_param::<BigInt, _>(&self.article_id)?;
        out.push_sql(" AND a.id <> ");
        out.push_bind_param::<BigInt, _>(&self.article_id)?;
        out.push_sql(" ORDER BY r.position, a.id LIMIT ");
        out.push_bind_param::<BigInt, _>(&self.related)?;
        for (part, side, order) in [(1, "<=", "DESC"), (2, ">=", "ASC")] {
            out.push_sql(&format!(
                ") AS part{} UNION ALL SELECT * FROM (SELECT {part} AS part, 0 AS position, a.id, a.title, a.slug, \
                 a.published_at FROM articles a",
                part - 1
            ));
            public(&mut out)?;
            out.push_sql(" AND a.category_id = ");
            out.push_bind_param::<BigInt, _>(&self.category_id)?;
            out.push_sql(&format!(" AND a.published_at {side} "));
            out.push_bind_param::<Timestamp, _>(&self.at)?;
            out.push_sql(&format!(" ORDER BY a.published_at {order}, a.id {order} LIMIT "));
            out.push_bind_param::<BigInt, _>(&self.fetch)?;
        }
        out.push_sql(") AS part2");
        Ok(())
    }
}

/// Related articles, previous and next of one article.
pub struct Around {
    pub related: Vec<ArticleLinkRow>,
    pub previous: Option<ArticleLinkRow>,
    pub next: Option<ArticleLinkRow>,
}

/// Merges the articles just before and just after `at`, nearest first (the older one on a tie).
fn nearest(at: NaiveDateTime, older: Vec<ArticleLinkRow>, newer: Vec<ArticleLinkRow>, n: usize) -> Vec<ArticleLinkRow> {
    let distance = |a: &ArticleLinkRow| (a.published_at.unwrap_or(at) - at).abs();
    let (mut older, mut newer) = (older.into_iter().peekable(), newer.into_iter().peekable());
    let mut out = Vec::with_capacity(n);
    while out.len() < n {
        let take_older = match (older.peek(), newer.peek()) {
            (Some(o), Some(nw)) => distance(o) <= distance(nw),
            (Some(_), None) => true,
            (None, Some(_)) => false,
            (None, None) => break,
        };
        out.extend(if take_older { older.next() } else { newer.next() });
    }
    out
}

enum Side {
    Before,
    After,
}

/// The public article just before or just after `article` (at `at`) in its category.
fn neighbour(
    conn: &mut AnyConnection,
    scope: &SearchScope,
    article: &ArticleRow,
    at: NaiveDateTime,
    side: Side,
) -> QueryResult<Option<ArticleLinkRow>> {
    let same_category = visible(scope).filter(articles::category_id.eq(article.category_id));
    let query = match side {
        Side::Before => same_category
            .filter(articles::published_at.lt(at).or(articles::published_at.eq(at).and(articles::id.lt(article.id))))
            .order((articles::published_at.desc(), articles::id.desc())),
        Side::After => same_category
            .filter(articles::published_at.gt(at).or(articles::published_at.eq(at).and(articles::id.gt(article.id))))
            .order((articles::published_at.asc(), articles::id.asc())),
    };
    query.select(ArticleLinkRow::as_select()).first(conn).optional()
}

/// Article slugs are unique within a site.
pub const SLUGS: crate::db::slugs::SlugTable = crate::db::slugs::SlugTable("articles");

/// The next publication time still to come of each site with a scheduled article: the cache
/// sync makes a site's kept lists stale when it passes (see [`crate::cache::DueTimes`]).
pub fn coming_publications(
    conn: &mut AnyConnection,
    now: chrono::NaiveDateTime,
) -> QueryResult<Vec<(i64, Option<chrono::NaiveDateTime>)>> {
    articles::table
        .filter(articles::status.eq(super::types::PUBLISHED))
        .filter(articles::published_at.gt(now))
        .group_by(articles::site_id)
        .select((articles::site_id, diesel::dsl::min(articles::published_at)))
        .load(conn)
}
