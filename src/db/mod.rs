//! The database: one connection type for both backends, the pool, migrations and `run`, which
//! moves blocking diesel work off the async workers.
//!
//! Queries are written once against [`AnyConnection`]; the few statements that differ between
//! SQLite and PostgreSQL (full-text search) live in [`backend`].

pub mod schema;
pub mod slugs;
pub mod stamp;
pub mod versions;

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use actix_web::web;
use diesel::connection::SimpleConnection;
use diesel::prelude::*;
use diesel::r2d2::{self, ManageConnection, PooledConnection};
use diesel_migrations::{EmbeddedMigrations, MigrationHarness, embed_migrations};

use crate::core::config::DatabaseUrl;
use crate::core::error::ApiError;

/// A connection to either backend; the backend is chosen from the URL scheme.
#[derive(diesel::MultiConnection)]
pub enum AnyConnection {
    Postgresql(diesel::PgConnection),
    Sqlite(diesel::SqliteConnection),
}

/// A connection borrowed from the pool.
pub type Conn = PooledConnection<Manager>;

/// The connection pool shared by all workers, with its [`Circuit`].
#[derive(Clone)]
pub struct Pool {
    inner: r2d2::Pool<Manager>,
    manager: Manager,
}

/// Whether the database takes new connections. It opens when a connect fails (the server is
/// down, refuses, or cannot be reached): from then on every request that needs a new
/// connection is answered 503 at once instead of waiting the pool's timeout in a queue, and
/// one thread tries to connect again every [`Circuit::RETRY`]; the first connect that works
/// closes it. Nothing needs a restart.
#[derive(Debug, Default)]
pub struct Circuit {
    open: AtomicBool,
    retrying: AtomicBool,
}

impl Circuit {
    /// How often a background connect is tried while the circuit is open.
    pub const RETRY: Duration = Duration::from_millis(250);

    /// True while connects fail.
    pub fn is_open(&self) -> bool {
        self.open.load(Ordering::Acquire)
    }
}

impl Pool {
    /// A connection, waiting up to the pool's timeout (for tests and commands).
    pub fn get(&self) -> Result<Conn, r2d2::PoolError> {
        self.inner.get()
    }

    /// A connection if one is idle now.
    pub fn try_get(&self) -> Option<Conn> {
        self.inner.try_get()
    }

    /// Connections open and idle.
    pub fn state(&self) -> r2d2::State {
        self.inner.state()
    }

    /// The most connections open at once.
    pub fn max_size(&self) -> u32 {
        self.inner.max_size()
    }

    /// True while the database refuses new connections (see [`Circuit`]).
    pub fn unreachable(&self) -> bool {
        self.manager.circuit.is_open()
    }

    /// A connection for a request: at once when one is idle; 503 at once while the circuit is
    /// open; otherwise waiting at most the pool's timeout, and no longer than it takes the
    /// circuit to open.
    pub fn checkout(&self) -> Result<Conn, ApiError> {
        if self.unreachable() {
            return Err(ApiError::Unavailable);
        }
        if let Some(conn) = self.inner.try_get() {
            return Ok(conn);
        }
        let started = std::time::Instant::now();
        let timeout = self.inner.connection_timeout();
        loop {
            let left = timeout.saturating_sub(started.elapsed());
            match self.inner.get_timeout(left.min(Duration::from_millis(100)).max(Duration::from_millis(1))) {
                Ok(conn) => return Ok(conn),
                Err(e) if self.unreachable() || started.elapsed() >= timeout => {
                    tracing::warn!(error = %e, unreachable = self.unreachable(), "no database connection available");
                    return Err(ApiError::Unavailable);
                }
                Err(_) => {}
            }
        }
    }
}

const SQLITE_MIGRATIONS: EmbeddedMigrations = embed_migrations!("migrations/sqlite");
const POSTGRES_MIGRATIONS: EmbeddedMigrations = embed_migrations!("migrations/postgres");

/// Opens connections of the backend named by the URL (diesel's derived `establish` would try
/// the variants in order, and SQLite accepts any string as a file name).
#[derive(Debug, Clone)]
pub struct Manager {
    url: DatabaseUrl,
    circuit: Arc<Circuit>,
}

impl Manager {
    pub fn new(url: DatabaseUrl) -> Self {
        let url = match url {
            // A server that takes the TCP connection and never answers must not hold a connect
            // (and the background retry) forever.
            DatabaseUrl::Postgres(u) if !u.contains("connect_timeout=") => {
                let sep = if u.contains('?') { '&' } else { '?' };
                DatabaseUrl::Postgres(format!("{u}{sep}connect_timeout=2"))
            }
            other => other,
        };
        Self { url, circuit: Arc::default() }
    }

    /// Opens the circuit after a failed connect, and starts the one thread that retries.
    fn connect_failed(&self) {
        self.circuit.open.store(true, Ordering::Release);
        if self.circuit.retrying.swap(true, Ordering::AcqRel) {
            return;
        }
        tracing::error!("the database cannot be reached: answering 503 until a connect works again");
        let manager = self.clone();
        let spawned = std::thread::Builder::new().name("db-reconnect".into()).spawn(move || {
            loop {
                std::thread::sleep(Circuit::RETRY);
                if let Ok(mut conn) = manager.open()
                    && ping(&mut conn).is_ok()
                {
                    break;
                }
            }
            manager.circuit.retrying.store(false, Ordering::Release);
            manager.circuit.open.store(false, Ordering::Release);
            tracing::info!("the database answers again");
        });
        if spawned.is_err() {
            self.circuit.retrying.store(false, Ordering::Release);
            self.circuit.open.store(false, Ordering::Release);
        }
    }
}

impl ManageConnection for Manager {
    type Connection = AnyConnection;
    type Error = r2d2::Error;

    fn connect(&self) -> Result<AnyConnection, r2d2::Error> {
        self.open().inspect_err(|_| self.connect_failed())
    }

    fn is_valid(&self, conn: &mut AnyConnection) -> Result<(), r2d2::Error> {
        conn.batch_execute("SELECT 1").map_err(r2d2::Error::QueryError)
    }

    /// A connection still inside a transaction (a read or write that panicked half-way) is
    /// dropped rather than handed to the next caller, whose own transaction would otherwise
    /// become a savepoint that never commits; so is one whose server went away (diesel marks
    /// it broken when libpq does).
    fn has_broken(&self, conn: &mut AnyConnection) -> bool {
        diesel::r2d2::R2D2Connection::is_broken(conn)
    }
}

impl Manager {
    fn open(&self) -> Result<AnyConnection, r2d2::Error> {
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
}

/// Builds the pool. Connections are opened lazily, so this never blocks on the database.
pub fn pool(url: &DatabaseUrl, size: u32, timeout: Duration) -> Pool {
    let manager = Manager::new(url.clone());
    let inner = r2d2::Pool::builder()
        .max_size(size)
        .min_idle(Some(0))
        .connection_timeout(timeout)
        .test_on_check_out(false)
        .error_handler(Box::new(QuietErrors))
        .build_unchecked(manager.clone());
    Pool { inner, manager }
}

/// r2d2 logs every failed connect at error level, several a second during an outage; the
/// circuit logs the outage once when it begins and once when it ends.
#[derive(Debug)]
struct QuietErrors;

impl r2d2::HandleError<r2d2::Error> for QuietErrors {
    fn handle_error(&self, error: r2d2::Error) {
        tracing::debug!(%error, "database connect failed");
    }
}

/// Runs `f` with a pooled connection on the blocking thread pool. A pool that cannot hand out
/// a connection within its timeout answers [`ApiError::Unavailable`] (503 with `Retry-After`).
pub async fn run<T, F>(pool: &Pool, f: F) -> Result<T, ApiError>
where
    T: Send + 'static,
    F: FnOnce(&mut AnyConnection) -> Result<T, ApiError> + Send + 'static,
{
    if pool.unreachable() {
        return Err(ApiError::Unavailable);
    }
    let pool = pool.clone();
    web::block(move || {
        let mut conn = pool.checkout()?;
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
    if let Some(mut conn) = pool.try_get().filter(|_| !pool.unreachable())
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

/// Runs `f` in a transaction that writes: on SQLite one begun `IMMEDIATE`, which takes the
/// write lock first, so that what `f` reads stays true until it commits (a plain `BEGIN`
/// reads a snapshot, and its first write then fails with "database is locked" when another
/// writer went first); on PostgreSQL a plain one (lock what must not change with
/// [`lock_site`] or a conditional `UPDATE`). Inside a transaction already, a savepoint.
pub fn write<T, E>(conn: &mut AnyConnection, f: impl FnOnce(&mut AnyConnection) -> Result<T, E>) -> Result<T, E>
where
    E: From<diesel::result::Error>,
{
    use diesel::connection::{AnsiTransactionManager, TransactionManager};
    let immediate = match conn {
        AnyConnection::Sqlite(c) => {
            let depth = AnsiTransactionManager::transaction_manager_status_mut(c).transaction_depth()?;
            if depth.is_none() {
                AnsiTransactionManager::begin_transaction_sql(c, "BEGIN IMMEDIATE")?;
            }
            depth.is_none()
        }
        AnyConnection::Postgresql(_) => false,
    };
    if !immediate {
        return conn.transaction(f);
    }
    type Manager = <AnyConnection as Connection>::TransactionManager;
    match f(conn) {
        Ok(value) => {
            Manager::commit_transaction(conn).inspect_err(|_| {
                let _ = Manager::rollback_transaction(conn);
            })?;
            Ok(value)
        }
        Err(e) => {
            Manager::rollback_transaction(conn)?;
            Err(e)
        }
    }
}

/// Locks site `site_id` against other writers of its structure (its category tree) until the
/// transaction ends: on PostgreSQL its row, `FOR NO KEY UPDATE` (rows that refer to the site
/// are still written meanwhile); on SQLite [`write`] holds the database's write lock already.
pub fn lock_site(conn: &mut AnyConnection, site_id: i64) -> QueryResult<()> {
    if matches!(conn, AnyConnection::Postgresql(_)) {
        diesel::sql_query("SELECT id FROM sites WHERE id = $1 FOR NO KEY UPDATE")
            .bind::<diesel::sql_types::BigInt, _>(site_id)
            .execute(conn)?;
    }
    Ok(())
}

/// Error raised while migrating.
pub type MigrationError = Box<dyn std::error::Error + Send + Sync>;

/// Applies every pending migration of the connection's backend, then runs `after` (what a
/// migration may ask of the layers above: the search index rebuilt), both under the migration
/// lock: on PostgreSQL an advisory lock keeps several nodes starting together from migrating
/// (or rebuilding) at the same time. Returns how many migrations were applied.
pub fn migrate_then(
    conn: &mut AnyConnection,
    after: impl FnOnce(&mut AnyConnection) -> Result<(), MigrationError>,
) -> Result<usize, MigrationError> {
    with_migration_lock(conn, |conn| {
        let applied = match conn {
            AnyConnection::Sqlite(c) => c.run_pending_migrations(SQLITE_MIGRATIONS)?.len(),
            AnyConnection::Postgresql(c) => c.run_pending_migrations(POSTGRES_MIGRATIONS)?.len(),
        };
        after(conn)?;
        Ok(applied)
    })
}

/// Runs `f` holding the migration lock: on PostgreSQL an advisory lock, so that of several
/// nodes starting together one migrates (or rebuilds) at a time; SQLite's own write lock does
/// that there.
pub fn with_migration_lock<T>(
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

/// Refreshes the planner's statistics after a bulk load (and, on PostgreSQL, the visibility
/// map that lets counts use the indexes alone).
pub fn optimize(conn: &mut AnyConnection) -> QueryResult<()> {
    match conn {
        AnyConnection::Sqlite(_) => conn.batch_execute("ANALYZE"),
        AnyConnection::Postgresql(_) => conn.batch_execute("VACUUM ANALYZE"),
    }
}
