//! Runs diesel's synchronous queries off the async workers.

use std::cell::Cell;
use std::future::Future;
use std::time::{Duration, Instant};

use actix_web::web;

use super::audit_batch::{AuditBatcher, Collecting};
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
    // overload the time queued for a thread counts too. Within a request the budget is shared
    // by all its database calls (the caller's account, then the work), so no request waits
    // longer than the pool's timeout in all before its 503.
    let asked = Instant::now();
    let budget = pool
        .connection_timeout()
        .saturating_sub(WAITED.try_with(Cell::get).unwrap_or_default());
    let deadline = asked + budget;
    let (result, got_at) = web::block(move || {
        let left = deadline.saturating_duration_since(Instant::now());
        if left.is_zero() {
            metrics::counter!("db_pool_timeouts_total").increment(1);
            return (Err(E::from(DbError::Busy)), Instant::now());
        }
        // Requests waiting for a connection, for the metrics.
        let waiting = metrics::gauge!("db_pool_waiting");
        waiting.increment(1.0);
        let conn = pool.get_timeout(left);
        waiting.decrement(1.0);
        let got_at = Instant::now();
        let mut conn = match conn {
            Ok(conn) => conn,
            Err(e) => {
                metrics::counter!("db_pool_timeouts_total").increment(1);
                return (Err(E::from(DbError::from(e))), got_at);
            }
        };
        (work(&mut conn), got_at)
    })
    .await
    .map_err(|_| E::from(DbError::Shutdown))?;
    let _ = WAITED
        .try_with(|waited| waited.set(waited.get() + got_at.saturating_duration_since(asked)));
    result
}

tokio::task_local! {
    /// How long the current request has waited for connections so far.
    static WAITED: Cell<Duration>;
}

/// Runs a request's handling with one budget for waiting on connections (see `run`).
pub async fn with_wait_budget<F: Future>(handling: F) -> F::Output {
    WAITED.scope(Cell::new(Duration::ZERO), handling).await
}

/// Like `run`, for a read: the audit rows its work records are committed together with those
/// of the other reads waiting at that moment (`AuditBatcher`), and the value is handed back
/// only once they are durable. Rows recorded inside a transaction commit with it as always.
pub async fn run_read<T, E, F>(pool: &DbPool, audit: &AuditBatcher, work: F) -> Result<T, E>
where
    F: FnOnce(&mut DbConnection) -> Result<T, E> + Send + 'static,
    T: Send + 'static,
    E: From<DbError> + Send + 'static,
{
    let (value, rows) = run(pool, move |conn| {
        let collecting = Collecting::start();
        let value = work(conn)?;
        Ok::<_, E>((value, collecting.finish()))
    })
    .await?;
    audit.write(rows).await.map_err(E::from)?;
    Ok(value)
}
