//! Runs diesel's synchronous queries off the async workers.

use actix_web::web;

use super::connection::DbConnection;
use super::pool::{DbError, DbPool};

/// Checks a connection out of the pool and runs `work` on actix's blocking thread pool.
pub async fn run<T, E, F>(pool: &DbPool, work: F) -> Result<T, E>
where
    F: FnOnce(&mut DbConnection) -> Result<T, E> + Send + 'static,
    T: Send + 'static,
    E: From<DbError> + Send + 'static,
{
    let pool = pool.clone();
    web::block(move || {
        let mut conn = pool.get().map_err(DbError::from)?;
        work(&mut conn)
    })
    .await
    .map_err(|_| E::from(DbError::Shutdown))?
}
