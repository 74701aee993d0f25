//! Metrics for Prometheus, recorded with the `metrics` crate and rendered by
//! `metrics-exporter-prometheus` on a listener of its own (`metrics.bind`, `GET /metrics`):
//! requests by route template and status (a middleware), the database pool (`db::run` counts
//! the waiting), mail deliveries (the worker), matching solve time, bookings — and, read from
//! the database at each scrape, the outbox by status with the age of the oldest due mail and
//! the open and uncovered visits, so every instance reports the same shared state.

use std::sync::OnceLock;
use std::time::Instant;

use actix_web::body::MessageBody;
use actix_web::dev::{Server, ServiceRequest, ServiceResponse};
use actix_web::middleware::Next;
use actix_web::{App, HttpResponse, HttpServer, web};
use metrics_exporter_prometheus::{PrometheusBuilder, PrometheusHandle};

use crate::db::DbPool;
use crate::db::models::now;
use crate::db::models::outbox::OutboxMail;
use crate::db::models::visit::Visit;

/// Histogram buckets in seconds for request and solve times.
const BUCKETS: [f64; 12] = [
    0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 10.0,
];

static HANDLE: OnceLock<Result<PrometheusHandle, String>> = OnceLock::new();

/// The process's recorder, installed on first use (one per process: several apps in one test
/// process share it).
pub fn handle() -> Result<PrometheusHandle, String> {
    HANDLE
        .get_or_init(|| {
            PrometheusBuilder::new()
                .set_buckets(&BUCKETS)
                .map_err(|e| e.to_string())?
                .install_recorder()
                .map_err(|e| e.to_string())
        })
        .clone()
}

/// Counts each request and times it, by method, route template (never the raw path: ids would
/// make a series each) and status.
pub async fn record_request(
    req: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<impl MessageBody>, actix_web::Error> {
    let started = Instant::now();
    let route = req.match_pattern().unwrap_or_else(|| "unmatched".into());
    let method = req.method().to_string();
    let res = next.call(req).await?;
    let status = res.status().as_u16().to_string();
    let labels = [("method", method), ("route", route), ("status", status)];
    metrics::counter!("http_requests_total", &labels).increment(1);
    metrics::histogram!("http_request_duration_seconds", &labels)
        .record(started.elapsed().as_secs_f64());
    Ok(res)
}

/// The gauges read from the database, set just before a scrape renders.
fn refresh(pool: &DbPool) {
    let state = pool.state();
    metrics::gauge!("db_pool_connections").set(f64::from(state.connections));
    metrics::gauge!("db_pool_connections_in_use")
        .set(f64::from(state.connections - state.idle_connections));
    let Ok(mut conn) = pool.get() else {
        metrics::counter!("metrics_scrape_database_failures_total").increment(1);
        return;
    };
    let at = now();
    if let Ok(depth) = OutboxMail::depth_by_status(&mut conn) {
        for (status, count) in depth {
            metrics::gauge!("outbox_mails", "status" => status.as_str()).set(count as f64);
        }
    }
    if let Ok(oldest) = OutboxMail::oldest_due(&mut conn, at) {
        let age = oldest.map(|t| (at - t).num_milliseconds().max(0) as f64 / 1000.0);
        metrics::gauge!("outbox_oldest_due_age_seconds").set(age.unwrap_or(0.0));
    }
    if let Ok((open, uncovered)) = Visit::open_and_uncovered(&mut conn, at) {
        metrics::gauge!("visits_open").set(open as f64);
        metrics::gauge!("visits_uncovered").set(uncovered as f64);
    }
}

async fn scrape(pool: web::Data<DbPool>, handle: web::Data<PrometheusHandle>) -> HttpResponse {
    let pool = pool.get_ref().clone();
    // The database gauges are read off the async workers.
    let _ = web::block(move || refresh(&pool)).await;
    HttpResponse::Ok()
        .content_type("text/plain; version=0.0.4; charset=utf-8")
        .body(handle.render())
}

/// The metrics listener: `GET /metrics` on `listener`, one worker, nothing else.
pub fn serve(listener: std::net::TcpListener, pool: DbPool) -> std::io::Result<Server> {
    let handle = handle().map_err(std::io::Error::other)?;
    let (pool, handle) = (web::Data::new(pool), web::Data::new(handle));
    Ok(HttpServer::new(move || {
        App::new()
            .app_data(pool.clone())
            .app_data(handle.clone())
            .route("/metrics", web::get().to(scrape))
    })
    .workers(1)
    .listen(listener)?
    .run())
}
