//! `/api/v1/branches/{id}/term-periods`: the exam and holiday periods of the institutions the
//! branch's students attend (`services::term_periods`).

use actix_web::{HttpResponse, web};

use super::extract::JsonBody;
use super::reply;
use crate::auth::Caller;
use crate::db;
use crate::domain::ids::BranchId;
use crate::error::{ApiError, Problem};
use crate::services::term_periods::{self, TermPeriodInput, TermPeriodView};
use crate::state::AppState;

/// Registers the routes.
pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(
        web::resource("/api/v1/branches/{id}/term-periods")
            .route(web::get().to(term_periods_of_branch))
            .route(web::post().to(add_term_period)),
    )
    .service(
        web::resource("/api/v1/branches/{id}/term-periods/{period_id}")
            .route(web::delete().to(remove_term_period)),
    );
}

/// The branch's term periods that have not ended, by start, each with the number of helpers
/// it makes unavailable.
#[utoipa::path(get, path = "/api/v1/branches/{id}/term-periods", tag = "branches", security(("bearer" = [])), params(("id" = i64, Path)),
    responses((status = 200, body = Vec<TermPeriodView>), (status = 401, body = Problem), (status = 404, body = Problem)))]
pub async fn term_periods_of_branch(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<BranchId>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    reply::ok(&state, move |conn| term_periods::list(conn, &caller, id)).await
}

/// Records an exam or holiday period of an institution: the helpers who attend it (and did
/// not opt out) are unavailable on its days; their booked visits then become open.
#[utoipa::path(post, path = "/api/v1/branches/{id}/term-periods", tag = "branches", security(("bearer" = [])), params(("id" = i64, Path)), request_body = TermPeriodInput,
    responses((status = 201, body = TermPeriodView), (status = 401, body = Problem), (status = 404, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)))]
pub async fn add_term_period(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<BranchId>,
    JsonBody(input): JsonBody<TermPeriodInput>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    reply::created(&state, move |conn| {
        term_periods::create(conn, &caller, id, input)
    })
    .await
}

/// Removes a term period; the visits it had opened are covered again.
#[utoipa::path(delete, path = "/api/v1/branches/{id}/term-periods/{period_id}", tag = "branches", security(("bearer" = [])),
    params(("id" = i64, Path), ("period_id" = i64, Path)),
    responses((status = 204, description = "removed"), (status = 401, body = Problem), (status = 404, body = Problem)))]
pub async fn remove_term_period(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<(BranchId, i64)>,
) -> Result<HttpResponse, ApiError> {
    let (id, period_id) = path.into_inner();
    db::run(&state.pool, move |conn| {
        term_periods::delete(conn, &caller, id, period_id)
    })
    .await?;
    Ok(HttpResponse::NoContent().finish())
}
