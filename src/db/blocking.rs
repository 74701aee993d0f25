//! Runs diesel's synchronous queries off the async workers.

use std::cell::{Cell, RefCell};
use std::future::Future;
use std::time::{Duration, Instant};

use actix_web::web;
use diesel::r2d2::R2D2Connection;

use super::audit_batch::AuditBatcher;
use super::connection::DbConnection;
use super::models::audit::Collecting;
use super::pool::{DbError, DbPool, Manager};

/// Runs `work` on actix's blocking thread pool with a connection: within a request, the one the
/// request already holds (the `Caller` extractor's, say), else one checked out of the pool. When
/// no connection is free within `database.connect_timeout_secs` the caller gets `DbError::Busy`
/// or `DbError::Pool` (both a 503 with `Retry-After`).
pub async fn run<T, E, F>(pool: &DbPool, work: F) -> Result<T, E>
where
    F: FnOnce(&mut DbConnection) -> Result<T, E> + Send + 'static,
    T: Send + 'static,
    E: From<DbError> + Send + 'static,
{
    // One checkout per request: a request's second call reuses the connection of its first
    // (no second wait, no second validity ping); it goes back to the pool when the request ends.
    if let Some(mut held) = REQUEST
        .try_with(|r| r.held.borrow_mut().take())
        .ok()
        .flatten()
    {
        let (result, held) = web::block(move || {
            let result = work(&mut held);
            (result, held)
        })
        .await
        .map_err(|_| E::from(DbError::Shutdown))?;
        keep(held);
        return result;
    }
    let pool = pool.clone();
    // The wait is bounded from here, not from when a blocking thread takes the work up: under
    // overload the time queued for a thread counts too. Within a request the budget is shared
    // by all its database calls, so no request waits longer than the pool's timeout in all
    // before its 503.
    let asked = Instant::now();
    let budget = pool
        .connection_timeout()
        .saturating_sub(REQUEST.try_with(|r| r.waited.get()).unwrap_or_default());
    let deadline = asked + budget;
    let (result, got_at, conn) = web::block(move || {
        let left = deadline.saturating_duration_since(Instant::now());
        if left.is_zero() {
            metrics::counter!("db_pool_timeouts_total").increment(1);
            return (Err(E::from(DbError::Busy)), Instant::now(), None);
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
                return (Err(E::from(DbError::from(e))), got_at, None);
            }
        };
        (work(&mut conn), got_at, Some(conn))
    })
    .await
    .map_err(|_| E::from(DbError::Shutdown))?;
    let _ = REQUEST.try_with(|r| {
        r.waited
            .set(r.waited.get() + got_at.saturating_duration_since(asked))
    });
    if let Some(conn) = conn {
        keep(conn);
    }
    result
}

/// Keeps a sound connection for the rest of the request; outside a request (the jobs), or when
/// it is broken, it goes back to the pool at once.
fn keep(mut conn: Pooled) {
    if R2D2Connection::is_broken(&mut *conn) {
        return;
    }
    let _ = REQUEST.try_with(move |r| *r.held.borrow_mut() = Some(conn));
}

type Pooled = r2d2::PooledConnection<Manager>;

/// What one request holds of the database while it runs.
struct RequestDb {
    /// How long it has waited for connections so far.
    waited: Cell<Duration>,
    /// The connection it checked out, for its next call.
    held: RefCell<Option<Pooled>>,
}

tokio::task_local! {
    static REQUEST: RequestDb;
}

/// Runs a request's handling with one budget for waiting on connections and one connection
/// for all its calls (see `run`); the connection returns to the pool when the handling ends.
pub async fn with_wait_budget<F: Future>(handling: F) -> F::Output {
    let request = RequestDb {
        waited: Cell::new(Duration::ZERO),
        held: RefCell::new(None),
    };
    REQUEST.scope(request, handling).await
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
