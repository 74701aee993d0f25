//! How a database failure reads to a caller: an outage, a full pool or a lock not granted in
//! time is a 503, a missing row a 404, a unique-index clash a 409, anything else a 500. Here rather than in `error`, so that the
//! error module at the bottom of the crate knows nothing of the database.

use super::pool::DbError;
use crate::error::ApiError;

impl From<DbError> for ApiError {
    fn from(error: DbError) -> ApiError {
        use diesel::result::{DatabaseErrorKind, Error as Diesel};
        match error {
            DbError::Connect(_)
            | DbError::Pool(_)
            | DbError::Busy
            | DbError::Audit(_)
            | DbError::Shutdown => ApiError::Unavailable(error.to_string()),
            // A lock not granted in time (SQLite's busy timeout, PostgreSQL's lock_timeout) is
            // load, not a fault: the caller may retry.
            DbError::Query(Diesel::DatabaseError(_, ref info))
                if is_lock_timeout(info.message()) =>
            {
                ApiError::Unavailable("the database is busy; try again shortly".into())
            }
            DbError::Query(Diesel::NotFound) => ApiError::NotFound,
            DbError::Query(Diesel::DatabaseError(DatabaseErrorKind::UniqueViolation, _)) => {
                ApiError::Conflict("a record with these values already exists".into())
            }
            other => ApiError::Internal(other.into()),
        }
    }
}

/// SQLite's `SQLITE_BUSY`/`SQLITE_LOCKED` and PostgreSQL's `lock_not_available` (55P03), by
/// their messages: diesel keeps neither code.
fn is_lock_timeout(message: &str) -> bool {
    message.contains("database is locked")
        || message.contains("database table is locked")
        || message.contains("lock timeout")
}

impl From<diesel::result::Error> for ApiError {
    fn from(error: diesel::result::Error) -> ApiError {
        ApiError::from(DbError::Query(error))
    }
}
