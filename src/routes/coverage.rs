//! `/api/v1/branches/{id}/coverage-forecast` and `/api/v1/clients/{id}/coverage-forecast`:
//! the next 8 weeks, and the weeks a client would have nobody (`services::coverage`).

use actix_web::{HttpResponse, web};

use super::reply;
use crate::auth::Caller;
use crate::db::models::now;
use crate::domain::ids::{BranchId, ClientId};
use crate::error::{ApiError, Problem};
use crate::services::coverage::{self, ClientForecast, CoverageForecast};
use crate::state::AppState;

/// Registers the routes.
pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route(
        "/api/v1/branches/{id}/coverage-forecast",
        web::get().to(branch_coverage_forecast),
    )
    .route(
        "/api/v1/clients/{id}/coverage-forecast",
        web::get().to(client_coverage_forecast),
    );
}

/// For this week and the next seven: per client, how many of the team can come at the
/// client's usual visit times; the clients with a week below their whole team, those who
/// would have nobody first.
#[utoipa::path(get, path = "/api/v1/branches/{id}/coverage-forecast", tag = "branches", security(("bearer" = [])), params(("id" = i64, Path)),
    responses((status = 200, body = CoverageForecast), (status = 401, body = Problem), (status = 404, body = Problem)))]
pub async fn branch_coverage_forecast(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<BranchId>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    reply::ok(&state, move |conn| {
        coverage::for_branch(conn, &caller, id, now())
    })
    .await
}

/// One client's next 8 weeks.
#[utoipa::path(get, path = "/api/v1/clients/{id}/coverage-forecast", tag = "clients", security(("bearer" = [])), params(("id" = i64, Path)),
    responses((status = 200, body = ClientForecast), (status = 401, body = Problem), (status = 403, body = Problem), (status = 404, body = Problem)))]
pub async fn client_coverage_forecast(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<ClientId>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    reply::ok(&state, move |conn| {
        coverage::for_client(conn, &caller, id, now())
    })
    .await
}
