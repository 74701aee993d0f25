//! Builds the application: database pool, migrations, HTTP server on its own listener.

use std::net::TcpListener;

use actix_web::body::MessageBody;
use actix_web::dev::{Server, ServiceRequest, ServiceResponse};
use actix_web::http::header::{HeaderName, HeaderValue};
use actix_web::middleware::{ErrorHandlers, Next, from_fn};
use actix_web::{App, HttpMessage, HttpServer, web};
use secrecy::ExposeSecret;
use tracing_actix_web::{RequestId, TracingLogger};

use crate::auth::TokenKeys;
use crate::config::Settings;
use crate::db::{self, DbPool};
use crate::error::{self, ApiError, Problem};
use crate::routes;
use crate::state::AppState;

/// A built, bound, not yet running service.
pub struct Application {
    port: u16,
    server: Server,
    jobs: Option<crate::jobs::Jobs>,
    /// `GET /metrics` on `metrics.bind`.
    metrics: Server,
    metrics_port: u16,
}

/// Why the service could not start.
#[derive(Debug, thiserror::Error)]
pub enum StartupError {
    /// The database could not be reached or migrated.
    #[error(transparent)]
    Database(#[from] db::DbError),
    /// The listener could not be bound.
    #[error("cannot listen on {address}: {source}")]
    Bind {
        /// Address that was tried.
        address: String,
        /// Why it failed.
        source: std::io::Error,
    },
    /// The email settings are unusable.
    #[error(transparent)]
    Email(#[from] crate::email::EmailError),
}

impl Application {
    /// Connects to the database, applies migrations and binds the listener (port 0 picks one).
    pub async fn build(settings: Settings) -> Result<Application, StartupError> {
        let pool = db::build_pool(&settings.database)?;
        migrate(&pool)?;
        let jobs = (settings.email.worker)
            .then(|| crate::jobs::Jobs::new(pool.clone(), &settings))
            .transpose()?;
        let address = format!("{}:{}", settings.server.host, settings.server.port);
        let listener = TcpListener::bind(&address).map_err(|source| StartupError::Bind {
            address: address.clone(),
            source,
        })?;
        let port = listener
            .local_addr()
            .map_err(|source| StartupError::Bind { address, source })?
            .port();
        let metrics_address = settings.metrics.bind.clone();
        let metrics_listener =
            TcpListener::bind(&metrics_address).map_err(|source| StartupError::Bind {
                address: metrics_address.clone(),
                source,
            })?;
        let metrics_port = metrics_listener
            .local_addr()
            .map_err(|source| StartupError::Bind {
                address: metrics_address.clone(),
                source,
            })?
            .port();
        let metrics =
            crate::observability::serve(metrics_listener, pool.clone()).map_err(|source| {
                StartupError::Bind {
                    address: metrics_address,
                    source,
                }
            })?;
        let server = serve(listener, pool, settings).map_err(|source| StartupError::Bind {
            address: format!("port {port}"),
            source,
        })?;
        Ok(Application {
            port,
            server,
            jobs,
            metrics,
            metrics_port,
        })
    }

    /// The port the service listens on.
    pub fn port(&self) -> u16 {
        self.port
    }

    /// The port of the metrics listener (`metrics.bind`).
    pub fn metrics_port(&self) -> u16 {
        self.metrics_port
    }

    /// Serves until SIGTERM/SIGINT; in-flight requests get `shutdown_timeout_secs` to finish.
    /// The periodic jobs (`crate::jobs`, when `email.worker`) run alongside and stop after the
    /// server.
    pub async fn run_until_stopped(self) -> std::io::Result<()> {
        let jobs = self.jobs.map(crate::jobs::Jobs::start);
        let metrics = self.metrics.handle();
        tokio::spawn(self.metrics);
        let result = self.server.await;
        metrics.stop(true).await;
        if let Some(jobs) = jobs {
            jobs.stop().await;
        }
        result
    }
}

/// Applies pending migrations through one pooled connection.
pub fn migrate(pool: &DbPool) -> Result<usize, db::DbError> {
    let mut conn = pool.get()?;
    let applied = db::run_migrations(&mut conn)?;
    tracing::info!(migrations.applied = applied, backend = ?conn.backend(), "database ready");
    Ok(applied)
}

fn serve(listener: TcpListener, pool: DbPool, settings: Settings) -> std::io::Result<Server> {
    let workers = settings.server.workers;
    let shutdown = settings.server.shutdown_timeout_secs;
    let max_body = settings.server.max_body_bytes;
    let tokens = TokenKeys::new(&settings.auth.jwt_secret).map_err(std::io::Error::other)?;
    let audit = db::AuditBatcher::start(settings.database.url.expose_secret().to_string());
    let state = web::Data::new(AppState {
        pool,
        settings,
        tokens,
        audit,
    });
    let mut server = HttpServer::new(move || {
        App::new()
            .app_data(state.clone())
            .app_data(
                web::JsonConfig::default()
                    .limit(max_body)
                    .error_handler(error::json_error),
            )
            .app_data(web::PayloadConfig::default().limit(max_body))
            .app_data(web::QueryConfig::default().error_handler(error::query_error))
            .app_data(web::PathConfig::default().error_handler(error::path_error))
            .configure(routes::configure)
            .configure(crate::pages::configure)
            .configure(crate::console::configure)
            .default_service(web::to(not_found))
            // Innermost first: rewrite plain errors, then stamp the request id, then trace.
            .wrap(from_fn(wait_budget))
            .wrap(ErrorHandlers::new().default_handler(error::problem_for_plain_errors))
            .wrap(from_fn(request_id_header))
            .wrap(TracingLogger::default())
            .wrap(from_fn(crate::observability::record_request))
    })
    .listen(listener)?
    .shutdown_timeout(shutdown);
    if workers > 0 {
        server = server.workers(workers);
    }
    Ok(server.run())
}

/// One budget per request for waiting on database connections (`db::run`).
async fn wait_budget(
    req: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<impl MessageBody>, actix_web::Error> {
    db::with_wait_budget(next.call(req)).await
}

/// Any path the service does not have.
async fn not_found() -> Result<actix_web::HttpResponse, ApiError> {
    Ok(Problem::from_status(actix_web::http::StatusCode::NOT_FOUND).into_response())
}

/// Echoes the request id that tracing put on the request's span as `X-Request-Id`,
/// so a caller's report can be found in the logs.
async fn request_id_header(
    req: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<impl MessageBody>, actix_web::Error> {
    let request_id = req.extensions().get::<RequestId>().map(|id| id.to_string());
    let mut res = next.call(req).await?;
    if let Some(value) = request_id.and_then(|id| HeaderValue::from_str(&id).ok()) {
        res.headers_mut()
            .insert(HeaderName::from_static("x-request-id"), value);
    }
    Ok(res)
}
