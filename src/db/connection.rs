//! The one connection type every query is written against, and how a URL picks the backend.

use diesel::connection::SimpleConnection;
use diesel::prelude::*;
use diesel::r2d2::R2D2Connection;

/// A connection to either backend; queries written once run on both.
#[derive(diesel::MultiConnection)]
pub enum DbConnection {
    /// Production: PostgreSQL.
    Postgresql(PgConnection),
    /// Embedded default and tests: SQLite.
    Sqlite(SqliteConnection),
}

/// Which database a URL points at.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    /// `postgres://` or `postgresql://`.
    Postgres,
    /// `sqlite://path`, `sqlite:path`, `file:…` or a plain path.
    Sqlite,
}

impl Backend {
    /// Picks the backend from the URL scheme; anything without a known scheme is a SQLite path.
    pub fn from_url(url: &str) -> Backend {
        if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            Backend::Postgres
        } else {
            Backend::Sqlite
        }
    }
}

/// The file path (or SQLite URI) SQLite should open for `url`.
pub(crate) fn sqlite_path(url: &str) -> &str {
    url.strip_prefix("sqlite://")
        .or_else(|| url.strip_prefix("sqlite:"))
        .unwrap_or(url)
}

/// Settings applied to every SQLite connection: SQLite keeps them per connection, not per file.
const SQLITE_CONNECTION_PRAGMAS: &str =
    "PRAGMA foreign_keys = ON; PRAGMA busy_timeout = 10000; PRAGMA synchronous = NORMAL;";

/// A row lock waits as long as SQLite's busy timeout, then the statement fails (a 503): no
/// request waits on another's transaction without end.
const POSTGRES_SESSION_SETTINGS: &str = "SET lock_timeout = '10s';";

impl DbConnection {
    /// Opens one connection, with the per-connection SQLite pragmas.
    pub fn open(url: &str) -> Result<DbConnection, ConnectionError> {
        match Backend::from_url(url) {
            Backend::Postgres => {
                let mut conn = PgConnection::establish(url)?;
                conn.batch_execute(POSTGRES_SESSION_SETTINGS)
                    .map_err(ConnectionError::CouldntSetupConfiguration)?;
                Ok(DbConnection::Postgresql(conn))
            }
            Backend::Sqlite => {
                let mut conn = SqliteConnection::establish(sqlite_path(url))?;
                conn.batch_execute(SQLITE_CONNECTION_PRAGMAS)
                    .map_err(ConnectionError::CouldntSetupConfiguration)?;
                Ok(DbConnection::Sqlite(conn))
            }
        }
    }

    /// How long a statement waits for another transaction's lock before it fails.
    pub fn set_lock_timeout(&mut self, ms: u64) -> QueryResult<()> {
        match self {
            DbConnection::Postgresql(conn) => {
                conn.batch_execute(&format!("SET lock_timeout = '{ms}ms';"))
            }
            DbConnection::Sqlite(conn) => {
                conn.batch_execute(&format!("PRAGMA busy_timeout = {ms};"))
            }
        }
    }

    /// The backend behind this connection.
    pub fn backend(&self) -> Backend {
        match self {
            DbConnection::Postgresql(_) => Backend::Postgres,
            DbConnection::Sqlite(_) => Backend::Sqlite,
        }
    }

    /// Cheap liveness check used by the pool before handing a connection out.
    pub(crate) fn ping_db(&mut self) -> QueryResult<()> {
        R2D2Connection::ping(self)
    }
}
