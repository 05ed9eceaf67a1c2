//! The statements that differ between SQLite and PostgreSQL, all in one place: the full-text
//! index of articles (SQLite FTS5 vs a PostgreSQL `tsvector` with a GIN index) and the search
//! over it.
//!
//! Both index text folded by [`crate::text::fold`] (FTS5's `remove_diacritics` alone would
//! keep `đ` apart from `d`), and both are queried with words only, so no user input can be an
//! operator or a syntax error.

use chrono::NaiveDateTime;
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Text, Timestamp};

use super::AnyConnection;
use crate::text::{fold, html_to_text};

/// Writes (or rewrites) the search entry of one article.
pub fn index_article(
    conn: &mut AnyConnection,
    id: i64,
    title: &str,
    summary: &str,
    body_html: &str,
) -> QueryResult<()> {
    let (title, summary, body) = (fold(title), fold(summary), fold(&html_to_text(body_html)));
    match conn {
        AnyConnection::Sqlite(_) => {
            remove_from_index(conn, id)?;
            diesel::sql_query(
                "INSERT INTO article_search (rowid, title, summary, body) VALUES ($1, $2, $3, $4)",
            )
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

/// Removes the search entry of one article.
pub fn remove_from_index(conn: &mut AnyConnection, id: i64) -> QueryResult<()> {
    let sql = match conn {
        AnyConnection::Sqlite(_) => "DELETE FROM article_search WHERE rowid = $1",
        AnyConnection::Postgresql(_) => "DELETE FROM article_search WHERE article_id = $1",
    };
    diesel::sql_query(sql)
        .bind::<BigInt, _>(id)
        .execute(conn)
        .map(drop)
}

/// Which public articles a search looks at.
#[derive(Debug, Clone)]
pub struct SearchScope {
    pub site_id: i64,
    /// Only articles published at or before this time (UTC).
    pub now: NaiveDateTime,
    /// Only these categories, when set.
    pub category_ids: Option<Vec<i64>>,
    /// Published at or after (UTC).
    pub from: Option<NaiveDateTime>,
    /// Published before (UTC).
    pub to: Option<NaiveDateTime>,
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
struct IdRow {
    #[diesel(sql_type = BigInt)]
    id: i64,
}

#[derive(QueryableByName)]
struct CountRow {
    #[diesel(sql_type = BigInt)]
    n: i64,
}

/// Ids of one page of public articles holding every word, and the number of all matches.
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
    let (source, query, rank) = match conn {
        AnyConnection::Sqlite(_) => (
            "article_search JOIN articles a ON a.id = article_search.rowid WHERE article_search MATCH $1",
            fts5_query(words),
            "bm25(article_search, 10.0, 4.0, 1.0)",
        ),
        AnyConnection::Postgresql(_) => (
            "article_search s JOIN articles a ON a.id = s.article_id WHERE s.document @@ to_tsquery('simple', $1)",
            tsquery(words),
            "ts_rank(s.document, to_tsquery('simple', $1)) DESC",
        ),
    };
    // Category ids come from the database, never from the client, so they can be inlined.
    let categories = match &scope.category_ids {
        Some(ids) if ids.is_empty() => " AND 1 = 0".to_owned(),
        Some(ids) => {
            format!(
                " AND a.category_id IN ({})",
                ids.iter()
                    .map(i64::to_string)
                    .collect::<Vec<_>>()
                    .join(", ")
            )
        }
        None => String::new(),
    };
    let from_where = format!(
        "FROM {source} AND a.site_id = $2 AND a.status = 'published' AND a.published_at <= $3 \
         AND a.published_at >= $4 AND a.published_at < $5{categories}"
    );
    let order_by = match order {
        SearchOrder::Relevance => format!("{rank}, a.published_at DESC, a.id DESC"),
        SearchOrder::Newest => "a.published_at DESC, a.id DESC".to_owned(),
        SearchOrder::Oldest => "a.published_at ASC, a.id ASC".to_owned(),
    };
    let from = scope.from.unwrap_or_else(earliest);
    let to = scope.to.unwrap_or_else(latest);
    let ids = diesel::sql_query(format!(
        "SELECT a.id AS id {from_where} ORDER BY {order_by} LIMIT $6 OFFSET $7"
    ))
    .bind::<Text, _>(&query)
    .bind::<BigInt, _>(scope.site_id)
    .bind::<Timestamp, _>(scope.now)
    .bind::<Timestamp, _>(from)
    .bind::<Timestamp, _>(to)
    .bind::<BigInt, _>(limit)
    .bind::<BigInt, _>(offset)
    .load::<IdRow>(conn)?
    .into_iter()
    .map(|r| r.id)
    .collect();
    let total = diesel::sql_query(format!("SELECT COUNT(*) AS n {from_where}"))
        .bind::<Text, _>(&query)
        .bind::<BigInt, _>(scope.site_id)
        .bind::<Timestamp, _>(scope.now)
        .bind::<Timestamp, _>(from)
        .bind::<Timestamp, _>(to)
        .get_result::<CountRow>(conn)?
        .n;
    Ok((ids, total))
}

fn earliest() -> NaiveDateTime {
    chrono::NaiveDate::from_ymd_opt(1, 1, 1)
        .expect("valid date")
        .and_hms_opt(0, 0, 0)
        .expect("valid time")
}

fn latest() -> NaiveDateTime {
    chrono::NaiveDate::from_ymd_opt(9999, 12, 31)
        .expect("valid date")
        .and_hms_opt(23, 59, 59)
        .expect("valid time")
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
        let words = crate::text::words("Đảng \"bộ\" OR*");
        assert_eq!(
            fts5_query(&words),
            "\"dang bo or\" OR (\"dang\" AND \"bo\" AND \"or\")"
        );
        assert_eq!(tsquery(&words), "(dang <-> bo <-> or) | (dang & bo & or)");
        assert_eq!(fts5_query(&words[..1]), "\"dang\"");
        assert_eq!(tsquery(&words[..1]), "dang");
    }
}
