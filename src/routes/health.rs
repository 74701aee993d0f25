//! `GET /health/live` and `GET /health/ready`.

use actix_web::{HttpResponse, web};
use serde_json::json;

use crate::db::{self, Readiness};
use crate::error::ApiError;
use crate::state::AppState;

/// Registers the health routes.
pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(web::resource("/health/live").route(web::get().to(live)))
        .service(web::resource("/health/ready").route(web::get().to(ready)));
}

/// The process is up and answering.
#[utoipa::path(get, path = "/health/live", tag = "health", responses((status = 200, description = "live")))]
pub async fn live() -> HttpResponse {
    HttpResponse::Ok().json(json!({"status": "live"}))
}

/// The database is reachable and every migration is applied.
#[utoipa::path(get, path = "/health/ready", tag = "health",
    responses((status = 200, description = "ready"), (status = 503, body = crate::error::Problem)))]
pub async fn ready(state: web::Data<AppState>) -> Result<HttpResponse, ApiError> {
    // A checkout waits at most `database.connect_timeout_secs`, so a dead database gives
    // a prompt 503 rather than a hung probe.
    match db::run(&state.pool, db::readiness).await? {
        Readiness::Ready => Ok(HttpResponse::Ok().json(json!({"status": "ready"}))),
        Readiness::MigrationsPending => Err(ApiError::Unavailable(
            "database migrations are pending".into(),
        )),
    }
}
