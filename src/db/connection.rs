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

impl DbConnection {
    /// Opens one connection, with the per-connection SQLite pragmas.
    pub fn open(url: &str) -> Result<DbConnection, ConnectionError> {
        match Backend::from_url(url) {
            Backend::Postgres => PgConnection::establish(url).map(DbConnection::Postgresql),
            Backend::Sqlite => {
                let mut conn = SqliteConnection::establish(sqlite_path(url))?;
                conn.batch_execute(SQLITE_CONNECTION_PRAGMAS)
                    .map_err(ConnectionError::CouldntSetupConfiguration)?;
                Ok(DbConnection::Sqlite(conn))
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
