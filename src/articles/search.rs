//! The full-text index of articles and the search over it: SQLite FTS5 on one backend, a
//! PostgreSQL `tsvector` with a GIN index on the other.
//!
//! Both index the words of text folded by [`crate::core::text::fold`] (FTS5's `remove_diacritics`
//! alone would keep `đ` apart from `d`), each marked with its site (see [`site_word`]), and both
//! are queried with such words only, so no user input can be an operator or a syntax error.

use chrono::NaiveDateTime;
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Text, Timestamp};

use super::types::StatusFilter;
use crate::core::text::{html_to_text, words};
use crate::db::{AnyConnection, MultiBackend};

/// The index token of `word` in site `site_id`: `s3whai` is `hai` in site 3. Every token
/// carries its site, so a search reads only that site's postings (not every ward's postings of
/// common syllables), and relevance is weighed against the site's own articles. Unambiguous:
/// the site's digits end at the `w`.
fn site_word(site_id: i64, word: &str) -> String {
    format!("s{site_id}w{word}")
}

/// The words of `text` (folded, see [`crate::core::text::words`]) as index tokens of site `site_id`,
/// separated by spaces, in order (phrases still match adjacent words).
fn site_text(site_id: i64, text: &str) -> String {
    let mut out = String::with_capacity(text.len() * 2);
    for word in words(text) {
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str(&site_word(site_id, &word));
    }
    out
}

/// Writes (or rewrites) the search entry of one article.
pub fn index_article(
    conn: &mut AnyConnection,
    id: i64,
    site_id: i64,
    title: &str,
    summary: &str,
    body_html: &str,
) -> QueryResult<()> {
    let text = |t: &str| site_text(site_id, t);
    let (title, summary, body) = (text(title), text(summary), text(&html_to_text(body_html)));
    match conn {
        AnyConnection::Sqlite(_) => {
            remove_from_index(conn, id)?;
            diesel::sql_query("INSERT INTO article_search (rowid, title, summary, body) VALUES ($1, $2, $3, $4)")
                .bind::<BigInt, _>(id)
                .bind::<Text, _>(title)
                .bind::<Text, _>(summary)
                .bind::<Text, _>(body)
                .execute(conn)?;
        }
        AnyConnection::Postgresql(_) => {
            diesel::sql_query(
                "INSERT INTO article_search (article_id, document) VALUES ($1, \
                 setweight(to_tsvector('simple', $2), 'A') || setweight(to_tsvector('simple', $3), 'B') \
                 || setweight(to_tsvector('simple', $4), 'D')) \
                 ON CONFLICT (article_id) DO UPDATE SET document = EXCLUDED.document",
            )
            .bind::<BigInt, _>(id)
            .bind::<Text, _>(title)
            .bind::<Text, _>(summary)
            .bind::<Text, _>(body)
            .execute(conn)?;
        }
    }
    Ok(())
}

#[derive(QueryableByName)]
struct IndexRow {
    #[diesel(sql_type = BigInt)]
    id: i64,
    #[diesel(sql_type = BigInt)]
    site_id: i64,
    #[diesel(sql_type = Text)]
    title: String,
    #[diesel(sql_type = Text)]
    summary: String,
    #[diesel(sql_type = Text)]
    body_html: String,
}

/// Rebuilds the whole search index when a migration asked for it (a row in `search_rebuild`),
/// in one transaction that also clears the request; returns how many articles were indexed.
/// Called by [`crate::migrate`], under its lock on PostgreSQL, so nodes starting together
/// rebuild once.
pub fn rebuild_index_if_asked(conn: &mut AnyConnection) -> QueryResult<Option<usize>> {
    conn.transaction(|conn| {
        // Taking the request first makes the transaction a writer from its first statement, so
        // SQLite never has to turn a read snapshot into a write (which fails if another process
        // wrote meanwhile); a failed rebuild rolls the request back for the next start.
        let asked = diesel::sql_query("DELETE FROM search_rebuild").execute(conn)?;
        if asked == 0 {
            return Ok(None);
        }
        let mut done = 0;
        let mut after = 0;
        loop {
            let batch = diesel::sql_query(
                "SELECT id, site_id, title, summary, body_html FROM articles WHERE id > $1 ORDER BY id LIMIT 500",
            )
            .bind::<BigInt, _>(after)
            .load::<IndexRow>(conn)?;
            let Some(last) = batch.last() else { break };
            after = last.id;
            for a in &batch {
                index_article(conn, a.id, a.site_id, &a.title, &a.summary, &a.body_html)?;
            }
            done += batch.len();
        }
        Ok(Some(done))
    })
}

/// Removes the search entry of one article.
pub fn remove_from_index(conn: &mut AnyConnection, id: i64) -> QueryResult<()> {
    let sql = match conn {
        AnyConnection::Sqlite(_) => "DELETE FROM article_search WHERE rowid = $1",
        AnyConnection::Postgresql(_) => "DELETE FROM article_search WHERE article_id = $1",
    };
    diesel::sql_query(sql).bind::<BigInt, _>(id).execute(conn).map(drop)
}

/// Which articles a list or search looks at.
#[derive(Debug, Clone)]
pub struct SearchScope {
    pub site_id: i64,
    /// The present (UTC): published articles before it are public, after it scheduled.
    pub now: NaiveDateTime,
    /// Which statuses.
    pub status: StatusFilter,
    /// Only these categories, when set.
    pub category_ids: Option<Vec<i64>>,
    /// Published at or after (UTC).
    pub from: Option<NaiveDateTime>,
    /// Published before (UTC).
    pub to: Option<NaiveDateTime>,
    /// Known: the site's public articles per category, when it has no published article whose
    /// time is still to come (see [`crate::sites::context::SiteContext`]). A public total without a
    /// time range is then added up from these, with no statement.
    pub public_counts: Option<std::sync::Arc<std::collections::HashMap<i64, i64>>>,
}

impl SearchScope {
    /// What anonymous readers see of a site: published articles whose time has come.
    pub fn public(site_id: i64, now: NaiveDateTime) -> Self {
        SearchScope {
            site_id,
            now,
            status: StatusFilter::Published,
            category_ids: None,
            from: None,
            to: None,
            public_counts: None,
        }
    }
}

/// How search results are ordered.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SearchOrder {
    /// Best match first, then newest.
    Relevance,
    Newest,
    Oldest,
}

#[derive(QueryableByName)]
struct PageRow {
    #[diesel(sql_type = BigInt)]
    id: i64,
    #[diesel(sql_type = BigInt)]
    n: i64,
}

#[derive(QueryableByName)]
struct CountRow {
    #[diesel(sql_type = BigInt)]
    n: i64,
}

/// A value bound to a numbered parameter.
#[derive(Clone)]
enum Bind {
    Text(String),
    Int(i64),
    Time(NaiveDateTime),
}

/// SQL text with `$1, $2...` parameters, each used once and in order (as SQLite needs).
#[derive(Default, Clone)]
struct Sql {
    text: String,
    binds: Vec<Bind>,
}

impl Sql {
    fn push(&mut self, text: &str) -> &mut Self {
        self.text.push_str(text);
        self
    }

    /// Appends the next parameter holding `value`.
    fn bind(&mut self, value: Bind) -> &mut Self {
        self.binds.push(value);
        self.text.push_str(&format!("${}", self.binds.len()));
        self
    }

    fn query(&self) -> diesel::query_builder::BoxedSqlQuery<'static, MultiBackend, diesel::query_builder::SqlQuery> {
        let mut q = diesel::sql_query(self.text.clone()).into_boxed::<MultiBackend>();
        for b in &self.binds {
            q = match b.clone() {
                Bind::Text(v) => q.bind::<Text, _>(v),
                Bind::Int(v) => q.bind::<BigInt, _>(v),
                Bind::Time(v) => q.bind::<Timestamp, _>(v),
            };
        }
        q
    }
}

/// Ids of one page of the articles in `scope` holding every word, and the number of all
/// matches.
pub fn search_articles(
    conn: &mut AnyConnection,
    words: &[String],
    scope: &SearchScope,
    order: SearchOrder,
    limit: i64,
    offset: i64,
) -> QueryResult<(Vec<i64>, i64)> {
    if words.is_empty() {
        return Ok((Vec::new(), 0));
    }
    match conn {
        // Planned for its words: the connection's one-plan-per-statement setting (see
        // `db::Manager`) would plan the match without knowing how rare they are. Three round
        // trips more on a search of milliseconds.
        AnyConnection::Postgresql(_) => conn.transaction(|conn| {
            use diesel::connection::SimpleConnection;
            conn.batch_execute("SET LOCAL plan_cache_mode = force_custom_plan")?;
            search_page(conn, words, scope, order, limit, offset)
        }),
        AnyConnection::Sqlite(_) => search_page(conn, words, scope, order, limit, offset),
    }
}

fn search_page(
    conn: &mut AnyConnection,
    words: &[String],
    scope: &SearchScope,
    order: SearchOrder,
    limit: i64,
    offset: i64,
) -> QueryResult<(Vec<i64>, i64)> {
    let postgres = matches!(conn, AnyConnection::Postgresql(_));
    let words: Vec<String> = words.iter().map(|w| site_word(scope.site_id, w)).collect();
    let mut from_where = Sql::default();
    if postgres {
        from_where
            .push("FROM article_search s JOIN articles a ON a.id = s.article_id WHERE s.document @@ to_tsquery('simple', ")
            .bind(Bind::Text(tsquery(&words)))
            .push(")");
    } else {
        from_where
            // CROSS JOIN keeps the full-text match the outer loop: SQLite would otherwise probe it
            // once per article of the site.
            .push(
                "FROM article_search CROSS JOIN articles a ON a.id = article_search.rowid WHERE article_search MATCH ",
            )
            .bind(Bind::Text(fts5_query(&words)));
    }
    from_where.push(" AND a.site_id = ").bind(Bind::Int(scope.site_id));
    match scope.status {
        StatusFilter::Published => {
            from_where.push(" AND a.status = 'published' AND a.published_at <= ").bind(Bind::Time(scope.now));
        }
        StatusFilter::Scheduled => {
            from_where.push(" AND a.status = 'published' AND a.published_at > ").bind(Bind::Time(scope.now));
        }
        StatusFilter::Draft => {
            from_where.push(" AND a.status = 'draft'");
        }
        StatusFilter::Review => {
            from_where.push(" AND a.status = 'review'");
        }
        StatusFilter::Trashed => {
            from_where.push(" AND a.status = 'trashed'");
        }
        StatusFilter::All => {}
    }
    if let Some(from) = scope.from {
        from_where.push(" AND a.published_at >= ").bind(Bind::Time(from));
    }
    if let Some(to) = scope.to {
        from_where.push(" AND a.published_at < ").bind(Bind::Time(to));
    }
    if let Some(ids) = &scope.category_ids {
        from_where.push(&format!(" AND {}", category_in("a.category_id", ids)));
    }
    // Lower is better: bm25 is negative for good matches, ts_rank is higher for them.
    let rank = match (order, postgres) {
        (SearchOrder::Relevance, true) => "-ts_rank(s.document, to_tsquery('simple', $1))",
        (SearchOrder::Relevance, false) => "bm25(article_search, 10.0, 4.0, 1.0)",
        _ => "0",
    };
    let order_by = match order {
        SearchOrder::Relevance => "rank, published_at DESC, id DESC",
        SearchOrder::Newest => "published_at DESC, id DESC",
        SearchOrder::Oldest => "published_at ASC, id ASC",
    };
    // One pass over the matches gives the page and, beside each row, the number of them all.
    // (The rank is computed inside: FTS5 allows bm25 only where the match itself is read.)
    let mut page = Sql::default();
    page.push(&format!(
        "SELECT id, COUNT(*) OVER () AS n FROM (SELECT a.id AS id, a.published_at AS published_at, {rank} AS rank "
    ))
    .push(&from_where.text);
    page.binds = from_where.binds.clone();
    page.push(&format!(") m ORDER BY {order_by} LIMIT "))
        .bind(Bind::Int(limit))
        .push(" OFFSET ")
        .bind(Bind::Int(offset));
    let rows = page.query().load::<PageRow>(conn)?;
    let total = match rows.first() {
        Some(row) => row.n,
        // A page past the end says nothing of the total: count them.
        None if offset > 0 => {
            let mut count = Sql::default();
            count.push("SELECT COUNT(*) AS n ").push(&from_where.text);
            count.binds = from_where.binds;
            count.query().get_result::<CountRow>(conn)?.n
        }
        None => 0,
    };
    let ids = rows.into_iter().map(|r| r.id).collect();
    Ok((ids, total))
}

/// `column IN (ids)`, the ids written out, for a search (planned for its words anyway): category
/// ids come from the database, never from the client, so they can be inlined, and a plan made
/// for the very categories (a parent's subtree may be most of a site or a handful of articles)
/// finds them by the category index.
pub fn category_in(column: &str, ids: &[i64]) -> String {
    if ids.is_empty() {
        return "1 = 0".to_owned();
    }
    let list = ids.iter().map(i64::to_string).collect::<Vec<_>>().join(", ");
    format!("{column} IN ({list})")
}

/// FTS5 syntax for "every word, the exact phrase ranking first": `"dang bo" OR ("dang" AND
/// "bo")`. Words are ASCII letters and digits only, so quoting them keeps FTS5 operators out.
/// No prefix matching: Vietnamese syllables are short, so `bo*` would also find `bồi`, `bông`...
fn fts5_query(words: &[String]) -> String {
    let quoted: Vec<String> = words.iter().map(|w| format!("\"{w}\"")).collect();
    if words.len() == 1 {
        return quoted[0].clone();
    }
    format!("\"{}\" OR ({})", words.join(" "), quoted.join(" AND "))
}

/// The same for PostgreSQL's `to_tsquery`: `(dang <-> bo) | (dang & bo)`.
fn tsquery(words: &[String]) -> String {
    if words.len() == 1 {
        return words[0].clone();
    }
    format!("({}) | ({})", words.join(" <-> "), words.join(" & "))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn queries_are_words_only() {
        let words = crate::core::text::words("Đảng \"bộ\" OR*");
        assert_eq!(fts5_query(&words), "\"dang bo or\" OR (\"dang\" AND \"bo\" AND \"or\")");
        assert_eq!(tsquery(&words), "(dang <-> bo <-> or) | (dang & bo & or)");
        assert_eq!(fts5_query(&words[..1]), "\"dang\"");
        assert_eq!(tsquery(&words[..1]), "dang");
    }

    #[test]
    fn tokens_carry_their_site() {
        assert_eq!(site_text(3, "Đảng bộ, Hải-Dương 2026"), "s3wdang s3wbo s3whai s3wduong s3w2026");
        assert_eq!(site_text(31, "x"), "s31wx");
        assert_ne!(site_word(3, "1x"), site_word(31, "x"));
        assert_eq!(site_text(3, " ,; "), "");
    }
}
