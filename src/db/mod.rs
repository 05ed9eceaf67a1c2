//! The database: one connection type for both backends, the pool, migrations and `run`, which
//! moves blocking diesel work off the async workers.
//!
//! Queries are written once against [`AnyConnection`]; the few statements that differ between
//! SQLite and PostgreSQL (full-text search) live in [`backend`].

pub mod backend;
pub mod schema;

use std::time::Duration;

use actix_web::web;
use diesel::connection::SimpleConnection;
use diesel::prelude::*;
use diesel::r2d2::{self, ManageConnection, PooledConnection};
use diesel_migrations::{EmbeddedMigrations, MigrationHarness, embed_migrations};

use crate::config::DatabaseUrl;
use crate::error::ApiError;

/// A connection to either backend; the backend is chosen from the URL scheme.
#[derive(diesel::MultiConnection)]
pub enum AnyConnection {
    Postgresql(diesel::PgConnection),
    Sqlite(diesel::SqliteConnection),
}

/// The connection pool shared by all workers.
pub type Pool = r2d2::Pool<Manager>;
/// A connection borrowed from the pool.
pub type Conn = PooledConnection<Manager>;

const SQLITE_MIGRATIONS: EmbeddedMigrations = embed_migrations!("migrations/sqlite");
const POSTGRES_MIGRATIONS: EmbeddedMigrations = embed_migrations!("migrations/postgres");

/// Opens connections of the backend named by the URL (diesel's derived `establish` would try
/// the variants in order, and SQLite accepts any string as a file name).
#[derive(Debug, Clone)]
pub struct Manager {
    url: DatabaseUrl,
}

impl Manager {
    pub fn new(url: DatabaseUrl) -> Self {
        Self { url }
    }
}

impl ManageConnection for Manager {
    type Connection = AnyConnection;
    type Error = r2d2::Error;

    fn connect(&self) -> Result<AnyConnection, r2d2::Error> {
        match &self.url {
            DatabaseUrl::Sqlite(path) => {
                let mut conn = diesel::SqliteConnection::establish(path).map_err(r2d2::Error::ConnectionError)?;
                // WAL lets readers run beside a writer; busy_timeout makes a writer wait for
                // another instead of failing at once.
                conn.batch_execute(
                    "PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; \
                     PRAGMA foreign_keys = ON; PRAGMA busy_timeout = 5000;",
                )
                .map_err(r2d2::Error::QueryError)?;
                Ok(AnyConnection::Sqlite(conn))
            }
            DatabaseUrl::Postgres(url) => {
                let mut conn = diesel::PgConnection::establish(url).map_err(r2d2::Error::ConnectionError)?;
                // Prepared statements keep one plan. By default PostgreSQL plans again on every
                // execution a statement whose LIMIT is a parameter (as diesel writes every
                // LIMIT): its one plan, costed for an unknown limit, looks dearer than one made
                // for 20 rows, so the planner never settles. That planning was a third of the
                // database's time per uncached list. The queries are written so that one plan
                // serves every value (a single category is an equality, which its index
                // answers; a parent's subtree, an equality each, walks the site's newest), and
                // full-text searches ask for a plan of their own (`backend::search_articles`).
                // PostgreSQL 12 or later.
                conn.batch_execute("SET plan_cache_mode = force_generic_plan").map_err(r2d2::Error::QueryError)?;
                Ok(AnyConnection::Postgresql(conn))
            }
        }
    }

    fn is_valid(&self, conn: &mut AnyConnection) -> Result<(), r2d2::Error> {
        conn.batch_execute("SELECT 1").map_err(r2d2::Error::QueryError)
    }

    /// A connection still inside a transaction (a read or write that panicked half-way) is
    /// dropped rather than handed to the next caller, whose own transaction would otherwise
    /// become a savepoint that never commits.
    fn has_broken(&self, conn: &mut AnyConnection) -> bool {
        diesel::r2d2::R2D2Connection::is_broken(conn)
    }
}

/// Builds the pool. Connections are opened lazily, so this never blocks on the database.
pub fn pool(url: &DatabaseUrl, size: u32, timeout: Duration) -> Pool {
    r2d2::Pool::builder()
        .max_size(size)
        .min_idle(Some(0))
        .connection_timeout(timeout)
        .test_on_check_out(false)
        .build_unchecked(Manager::new(url.clone()))
}

/// Runs `f` with a pooled connection on the blocking thread pool. A pool that cannot hand out
/// a connection within its timeout answers [`ApiError::Unavailable`] (503 with `Retry-After`).
pub async fn run<T, F>(pool: &Pool, f: F) -> Result<T, ApiError>
where
    T: Send + 'static,
    F: FnOnce(&mut AnyConnection) -> Result<T, ApiError> + Send + 'static,
{
    let pool = pool.clone();
    web::block(move || {
        let mut conn = pool.get().map_err(|e| {
            tracing::warn!(error = %e, "no database connection available");
            ApiError::Unavailable
        })?;
        f(&mut conn)
    })
    .await
    .map_err(|e| ApiError::internal(format!("blocking task failed: {e}")))?
}

/// Runs a short read: on SQLite with a connection free at once, right here on the worker
/// thread; otherwise as [`run`] does. An SQLite read of a page of rows is CPU work of tens of
/// microseconds in this process, less than handing it to a blocking thread and back (two
/// thread wake-ups, a quarter of an uncached list's CPU time); PostgreSQL reads wait on the
/// network, so they always go to the blocking pool. Not for searches or writes, which take
/// milliseconds or wait on locks.
pub async fn read<T, F>(pool: &Pool, f: F) -> Result<T, ApiError>
where
    T: Send + 'static,
    F: FnOnce(&mut AnyConnection) -> Result<T, ApiError> + Send + 'static,
{
    if let Some(mut conn) = pool.try_get()
        && matches!(*conn, AnyConnection::Sqlite(_))
    {
        // One transaction for all its statements: one snapshot (a counted total and its page
        // agree), and SQLite takes its read lock once instead of once per statement (the locks
        // were a fifth of an uncached article's CPU time: four statements, four fcntl rounds).
        // A panic answers 500, as on the blocking pool, instead of taking the worker down.
        return std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| (*conn).transaction(f)))
            .unwrap_or_else(|_| Err(ApiError::internal("a read panicked")));
    }
    run(pool, f).await
}

/// Error raised while migrating.
pub type MigrationError = Box<dyn std::error::Error + Send + Sync>;

/// Applies every pending migration of the connection's backend, then rebuilds the search index
/// if a migration asked for it. On PostgreSQL an advisory lock keeps several nodes starting
/// together from migrating (or rebuilding) at the same time.
pub fn migrate(conn: &mut AnyConnection) -> Result<usize, MigrationError> {
    with_migration_lock(conn, migrate_and_rebuild)
}

/// Rebuilds the whole search index from the articles now (`portal reindex`), for articles a
/// node of an older version saved after a newer one had rebuilt the index. Migrates first;
/// returns how many articles were indexed.
pub fn reindex(conn: &mut AnyConnection) -> Result<usize, MigrationError> {
    migrate(conn)?;
    with_migration_lock(conn, |conn| {
        diesel::sql_query("INSERT INTO search_rebuild (reason) VALUES ('portal reindex')").execute(conn)?;
        let indexed = backend::rebuild_index_if_asked(conn)?.unwrap_or(0);
        // Searches kept by nodes already serving may find otherwise now.
        crate::cache::tell_other_nodes(conn, 0)?;
        Ok(indexed)
    })
}

/// Runs `f` holding the migration lock: on PostgreSQL an advisory lock, so that of several
/// nodes starting together one migrates (or rebuilds) at a time; SQLite's own write lock does
/// that there.
fn with_migration_lock<T>(
    conn: &mut AnyConnection,
    f: impl FnOnce(&mut AnyConnection) -> Result<T, MigrationError>,
) -> Result<T, MigrationError> {
    let postgres = matches!(conn, AnyConnection::Postgresql(_));
    if postgres {
        conn.batch_execute("SELECT pg_advisory_lock(7212024)")?;
    }
    let result = f(conn);
    if postgres {
        let unlocked = conn.batch_execute("SELECT pg_advisory_unlock(7212024)");
        // The work's own error says more than the unlock's (which a closed session also
        // releases).
        return result.and_then(|v| unlocked.map(|()| v).map_err(Into::into));
    }
    result
}

fn migrate_and_rebuild(conn: &mut AnyConnection) -> Result<usize, MigrationError> {
    let applied = match conn {
        AnyConnection::Sqlite(c) => c.run_pending_migrations(SQLITE_MIGRATIONS)?.len(),
        AnyConnection::Postgresql(c) => c.run_pending_migrations(POSTGRES_MIGRATIONS)?.len(),
    };
    let started = std::time::Instant::now();
    if let Some(articles @ 1..) = backend::rebuild_index_if_asked(conn)? {
        tracing::info!(articles, seconds = started.elapsed().as_secs_f64(), "search index rebuilt");
        // Searches kept by nodes already serving may find otherwise now.
        crate::cache::tell_other_nodes(conn, 0)?;
    }
    Ok(applied)
}

/// Reverts every applied migration (used by the migration tests).
pub fn revert_all(conn: &mut AnyConnection) -> Result<(), MigrationError> {
    match conn {
        AnyConnection::Sqlite(c) => c.revert_all_migrations(SQLITE_MIGRATIONS).map(drop),
        AnyConnection::Postgresql(c) => c.revert_all_migrations(POSTGRES_MIGRATIONS).map(drop),
    }
}

/// Reverts the last `n` applied migrations (used by the migration tests).
pub fn revert_last(conn: &mut AnyConnection, n: usize) -> Result<(), MigrationError> {
    for _ in 0..n {
        match conn {
            AnyConnection::Sqlite(c) => c.revert_last_migration(SQLITE_MIGRATIONS).map(drop)?,
            AnyConnection::Postgresql(c) => c.revert_last_migration(POSTGRES_MIGRATIONS).map(drop)?,
        }
    }
    Ok(())
}

/// The names of the embedded migrations of each backend, in order: (sqlite, postgres).
pub fn migration_names() -> (Vec<String>, Vec<String>) {
    use diesel::migration::MigrationSource;
    let names = |m: &EmbeddedMigrations| -> Vec<String> {
        MigrationSource::<diesel::sqlite::Sqlite>::migrations(m)
            .expect("embedded migrations load")
            .iter()
            .map(|m| m.name().to_string())
            .collect()
    };
    (names(&SQLITE_MIGRATIONS), names(&POSTGRES_MIGRATIONS))
}

/// True when the database answers a trivial query.
pub fn ping(conn: &mut AnyConnection) -> QueryResult<()> {
    conn.batch_execute("SELECT 1")
}
