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
        // Requests waiting for a connection, for the metrics.
        let waiting = metrics::gauge!("db_pool_waiting");
        waiting.increment(1.0);
        let conn = pool.get();
        waiting.decrement(1.0);
        let mut conn = conn.map_err(DbError::from)?;
        work(&mut conn)
    })
    .await
    .map_err(|_| E::from(DbError::Shutdown))?
}
