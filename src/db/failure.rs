//! How a database failure reads to a caller: an outage is a 503, a missing row a 404, a
//! unique-index clash a 409, anything else a 500. Here rather than in `error`, so that the
//! error module at the bottom of the crate knows nothing of the database.

use super::pool::DbError;
use crate::error::ApiError;

impl From<DbError> for ApiError {
    fn from(error: DbError) -> ApiError {
        use diesel::result::{DatabaseErrorKind, Error as Diesel};
        match error {
            DbError::Connect(_) | DbError::Pool(_) | DbError::Shutdown => {
                ApiError::Unavailable(error.to_string())
            }
            DbError::Query(Diesel::NotFound) => ApiError::NotFound,
            DbError::Query(Diesel::DatabaseError(DatabaseErrorKind::UniqueViolation, _)) => {
                ApiError::Conflict("a record with these values already exists".into())
            }
            other => ApiError::Internal(other.into()),
        }
    }
}

impl From<diesel::result::Error> for ApiError {
    fn from(error: diesel::result::Error) -> ApiError {
        ApiError::from(DbError::Query(error))
    }
}
