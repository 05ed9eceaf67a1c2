//! `cache_versions`: one counter per site (0: what belongs to no site) that every write bumps
//! in its transaction. Each node's cache sync reads them and makes its kept answers of a
//! changed site stale, so a write on one node reaches the others' caches.

use diesel::prelude::*;
use diesel::sql_types::BigInt;

use super::AnyConnection;

/// Makes the kept answers of site `site_id` (0: of no site) stale on every node at its next
/// sync. Called in a write's own transaction, so that the other nodes hear of a committed
/// write even if this node stops before its cache layer tells them.
pub fn bump(conn: &mut AnyConnection, site_id: i64) -> QueryResult<()> {
    diesel::sql_query(
        "INSERT INTO cache_versions (site_id, version) VALUES ($1, 1) \
         ON CONFLICT (site_id) DO UPDATE SET version = cache_versions.version + 1",
    )
    .bind::<BigInt, _>(site_id)
    .execute(conn)
    .map(drop)
}

/// A site's counter.
#[derive(QueryableByName, Debug, Clone, Copy)]
pub struct Version {
    #[diesel(sql_type = BigInt)]
    pub site_id: i64,
    #[diesel(sql_type = BigInt)]
    pub version: i64,
}

/// Every site's counter.
pub fn all(conn: &mut AnyConnection) -> QueryResult<Vec<Version>> {
    diesel::sql_query("SELECT site_id, version FROM cache_versions").load(conn)
}
