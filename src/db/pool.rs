//! The r2d2 pool. The backend is chosen from the URL here rather than by
//! `MultiConnection::establish`, which tries every backend and hides the real error.

use std::time::Duration;

use diesel::r2d2::R2D2Connection;
use diesel::sqlite::SqliteConnection;
use diesel::{Connection, ConnectionError, RunQueryDsl};
use secrecy::{ExposeSecret, SecretString};

use super::connection::{Backend, DbConnection, sqlite_path};
use crate::config::DatabaseSettings;

/// A pool of connections to the configured database.
pub type DbPool = r2d2::Pool<Manager>;

/// Why the database could not be used.
#[derive(Debug, thiserror::Error)]
pub enum DbError {
    /// Connecting failed (server down, wrong credentials, unreadable file…).
    #[error("cannot connect to the database: {0}")]
    Connect(#[from] ConnectionError),
    /// No connection became free in time.
    #[error("no database connection available: {0}")]
    Pool(#[from] r2d2::Error),
    /// The request waited its whole time for a thread before it could ask for a connection.
    #[error("the service is busy: no database connection became free in time")]
    Busy,
    /// The group commit of reads' audit rows failed: the reads are not answered.
    #[error("the audit log could not be written: {0}")]
    Audit(String),
    /// A query failed.
    #[error("database query failed: {0}")]
    Query(#[from] diesel::result::Error),
    /// Migrations could not be applied.
    #[error("database migration failed: {0}")]
    Migration(String),
    /// The blocking thread pool is gone (the service is shutting down).
    #[error("the service is shutting down")]
    Shutdown,
    /// Preparing the SQLite file's folder failed.
    #[error("cannot prepare the SQLite database file: {0}")]
    File(#[from] std::io::Error),
}

/// Opens connections for the pool.
#[derive(Debug)]
pub struct Manager {
    url: SecretString,
    lock_timeout_ms: u64,
}

impl r2d2::ManageConnection for Manager {
    type Connection = DbConnection;
    type Error = DbError;

    fn connect(&self) -> Result<DbConnection, DbError> {
        let mut conn = DbConnection::open(self.url.expose_secret())?;
        conn.set_lock_timeout(self.lock_timeout_ms)?;
        Ok(conn)
    }

    fn is_valid(&self, conn: &mut DbConnection) -> Result<(), DbError> {
        conn.ping_db().map_err(DbError::Query)
    }

    fn has_broken(&self, conn: &mut DbConnection) -> bool {
        R2D2Connection::is_broken(conn)
    }
}

/// Builds the pool. Connects once first so an unreachable database fails fast with its
/// real error instead of r2d2's generic time-out.
pub fn build_pool(settings: &DatabaseSettings) -> Result<DbPool, DbError> {
    let url = settings.url.expose_secret();
    if Backend::from_url(url) == Backend::Sqlite {
        prepare_sqlite_file(sqlite_path(url))?;
    }
    drop(DbConnection::open(url)?);
    let pool = r2d2::Pool::builder()
        .max_size(settings.max_connections.max(1))
        .min_idle(Some(1))
        .connection_timeout(Duration::from_secs(settings.connect_timeout_secs.max(1)))
        .test_on_check_out(true)
        .build(Manager {
            url: settings.url.clone(),
            lock_timeout_ms: settings.lock_timeout_ms.max(1),
        })?;
    Ok(pool)
}

/// Creates the file's folder and switches the file to WAL once, before several pooled
/// connections race to do it (which fails with "database is locked").
fn prepare_sqlite_file(path: &str) -> Result<(), DbError> {
    let in_memory = path == ":memory:" || path.starts_with("file:");
    let folder = std::path::Path::new(path)
        .parent()
        .filter(|d| !d.as_os_str().is_empty());
    if let (false, Some(dir)) = (in_memory, folder) {
        std::fs::create_dir_all(dir)?;
    }
    let mut conn = SqliteConnection::establish(path)?;
    diesel::sql_query("PRAGMA journal_mode = WAL").execute(&mut conn)?;
    Ok(())
}
