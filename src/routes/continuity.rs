//! `/api/v1/clients/{id}/continuity` and `/api/v1/branches/{id}/continuity`: the same faces,
//! measured (`services::continuity`).

use actix_web::{HttpResponse, web};

use super::reply;
use crate::auth::Caller;
use crate::db::models::now;
use crate::domain::ids::{BranchId, ClientId};
use crate::error::{ApiError, Problem};
use crate::services::continuity::{self, BranchContinuity, ClientContinuity};
use crate::state::AppState;

/// Registers the routes.
pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route(
        "/api/v1/clients/{id}/continuity",
        web::get().to(client_continuity),
    )
    .route(
        "/api/v1/branches/{id}/continuity",
        web::get().to(branch_continuity),
    );
}

/// A client's continuity index: the share of the last 90 days' completed visit minutes done by
/// the current team, team changes in the last 12 months, days since the team was last complete.
#[utoipa::path(get, path = "/api/v1/clients/{id}/continuity", tag = "clients", security(("bearer" = [])), params(("id" = i64, Path)),
    responses((status = 200, body = ClientContinuity), (status = 401, body = Problem), (status = 403, body = Problem), (status = 404, body = Problem)))]
pub async fn client_continuity(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<ClientId>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    reply::ok(&state, move |conn| {
        continuity::for_client(conn, &caller, id, now())
    })
    .await
}

/// The branch's continuity: totals, the clients by team share in ten bands, and the 20 clients
/// worst off.
#[utoipa::path(get, path = "/api/v1/branches/{id}/continuity", tag = "branches", security(("bearer" = [])), params(("id" = i64, Path)),
    responses((status = 200, body = BranchContinuity), (status = 401, body = Problem), (status = 404, body = Problem)))]
pub async fn branch_continuity(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<BranchId>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    reply::ok(&state, move |conn| {
        continuity::for_branch(conn, &caller, id, now())
    })
    .await
}
