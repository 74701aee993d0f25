//! Runs diesel's synchronous queries off the async workers.

use std::time::Instant;

use actix_web::web;

use super::connection::DbConnection;
use super::pool::{DbError, DbPool};

/// Checks a connection out of the pool and runs `work` on actix's blocking thread pool; when no
/// connection is free within `database.connect_timeout_secs` the caller gets `DbError::Busy`
/// or `DbError::Pool` (both a 503 with `Retry-After`).
pub async fn run<T, E, F>(pool: &DbPool, work: F) -> Result<T, E>
where
    F: FnOnce(&mut DbConnection) -> Result<T, E> + Send + 'static,
    T: Send + 'static,
    E: From<DbError> + Send + 'static,
{
    let pool = pool.clone();
    // The wait is bounded from here, not from when a blocking thread takes the work up: under
    // overload the time queued for a thread counts too, so no request waits longer than the
    // pool's timeout before its 503.
    let deadline = Instant::now() + pool.connection_timeout();
    web::block(move || {
        let left = deadline.saturating_duration_since(Instant::now());
        if left.is_zero() {
            metrics::counter!("db_pool_timeouts_total").increment(1);
            return Err(E::from(DbError::Busy));
        }
        // Requests waiting for a connection, for the metrics.
        let waiting = metrics::gauge!("db_pool_waiting");
        waiting.increment(1.0);
        let conn = pool.get_timeout(left);
        waiting.decrement(1.0);
        let mut conn = conn.map_err(|e| {
            metrics::counter!("db_pool_timeouts_total").increment(1);
            DbError::from(e)
        })?;
        work(&mut conn)
    })
    .await
    .map_err(|_| E::from(DbError::Shutdown))?
}
