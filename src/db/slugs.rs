//! Slugs unique within a site, for every table that has `id`, `site_id` and `slug`: one query
//! for all of them (articles, albums, media items; pages and documents next).

use diesel::prelude::*;
use diesel::sql_types::{BigInt, Text};

use super::AnyConnection;
use crate::core::text;

/// A table whose rows have a slug unique within their site. The name is a constant of the
/// code, never the client's.
#[derive(Debug, Clone, Copy)]
pub struct SlugTable(pub &'static str);

#[derive(QueryableByName)]
struct Slug {
    #[diesel(sql_type = Text)]
    slug: String,
}

impl SlugTable {
    /// The slugs of the site's rows but `except` (0: none) that `base` or `base-N` would clash
    /// with.
    fn taken(self, conn: &mut AnyConnection, site_id: i64, except: i64, base: &str) -> QueryResult<Vec<String>> {
        // Slugs are lower-case letters, digits and dashes: no LIKE wildcard in `base`.
        let sql =
            format!("SELECT slug FROM {} WHERE site_id = $1 AND id <> $2 AND (slug = $3 OR slug LIKE $4)", self.0);
        let rows: Vec<Slug> = diesel::sql_query(sql)
            .bind::<BigInt, _>(site_id)
            .bind::<BigInt, _>(except)
            .bind::<Text, _>(base)
            .bind::<Text, _>(format!("{base}-%"))
            .load(conn)?;
        Ok(rows.into_iter().map(|r| r.slug).collect())
    }

    /// True when another row of the site than `except` has `slug`.
    pub fn is_taken(self, conn: &mut AnyConnection, site_id: i64, except: i64, slug: &str) -> QueryResult<bool> {
        Ok(self.taken(conn, site_id, except, slug)?.iter().any(|s| s == slug))
    }

    /// A slug for `title` no other row of the site than `except` has: `dang-bo`, then
    /// `dang-bo-2`, `dang-bo-3`...
    pub fn free(self, conn: &mut AnyConnection, site_id: i64, except: i64, title: &str) -> QueryResult<String> {
        let taken = self.taken(conn, site_id, except, &text::slugify(title))?;
        Ok(text::free_slug(title, &taken))
    }
}

/// The slugs rows had before a rename (`kind`: `article`, `category`), so that an old address
/// answers 301 to the new one.
pub mod old {
    use diesel::prelude::*;

    use crate::db::AnyConnection;
    use crate::db::schema::old_slugs;

    /// Remembers that the row `target` of `kind` moved from `from` to `to`. The latest rename
    /// from a slug wins; a slug in use again no longer leads elsewhere.
    pub fn moved(
        conn: &mut AnyConnection,
        site_id: i64,
        kind: &str,
        target: i64,
        from: &str,
        to: &str,
    ) -> QueryResult<()> {
        if from == to {
            return Ok(());
        }
        diesel::delete(
            old_slugs::table
                .filter(old_slugs::site_id.eq(site_id))
                .filter(old_slugs::kind.eq(kind))
                .filter(old_slugs::slug.eq_any([from, to])),
        )
        .execute(conn)?;
        diesel::insert_into(old_slugs::table)
            .values((
                old_slugs::site_id.eq(site_id),
                old_slugs::kind.eq(kind),
                old_slugs::slug.eq(from),
                old_slugs::target_id.eq(target),
                old_slugs::created_at.eq(chrono::Utc::now().naive_utc()),
            ))
            .execute(conn)?;
        Ok(())
    }

    /// Forgets the old slugs of the row `target` of `kind` (it was deleted; its id may be
    /// given again, on SQLite, to a row they must not lead to).
    pub fn forget(conn: &mut AnyConnection, site_id: i64, kind: &str, target: i64) -> QueryResult<()> {
        diesel::delete(
            old_slugs::table
                .filter(old_slugs::site_id.eq(site_id))
                .filter(old_slugs::kind.eq(kind))
                .filter(old_slugs::target_id.eq(target)),
        )
        .execute(conn)?;
        Ok(())
    }

    /// The row of `kind` that was at `slug` before a rename, if any.
    pub fn target(conn: &mut AnyConnection, site_id: i64, kind: &str, slug: &str) -> QueryResult<Option<i64>> {
        old_slugs::table
            .filter(old_slugs::site_id.eq(site_id))
            .filter(old_slugs::kind.eq(kind))
            .filter(old_slugs::slug.eq(slug))
            .select(old_slugs::target_id)
            .first(conn)
            .optional()
    }
}
