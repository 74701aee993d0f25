//! `/api/v1/helpers/{id}/leaving` and `/api/v1/helpers/{id}/handover`: a student's announced
//! leave date and the successors for their clients (`services::helpers::leaving`).

use actix_web::{HttpResponse, web};

use super::extract::JsonBody;
use super::reply;
use crate::auth::Caller;
use crate::domain::ids::HelperId;
use crate::error::{ApiError, Problem};
use crate::services::helpers::HelperView;
use crate::services::helpers::leaving::{self, Handover, LeavingInput};
use crate::state::AppState;

/// Registers the routes.
pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(
        web::resource("/api/v1/helpers/{id}/leaving")
            .route(web::put().to(announce_leaving))
            .route(web::delete().to(withdraw_leaving)),
    )
    .route("/api/v1/helpers/{id}/handover", web::get().to(handover));
}

/// Announces or moves the helper's leave date (the helper or the branch): visits from it on
/// open at once and are offered to the team; on the date, the pairs end by themselves.
#[utoipa::path(put, path = "/api/v1/helpers/{id}/leaving", tag = "helpers", security(("bearer" = [])), params(("id" = i64, Path)), request_body = LeavingInput,
    responses((status = 200, body = HelperView), (status = 401, body = Problem), (status = 404, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)))]
pub async fn announce_leaving(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<HelperId>,
    JsonBody(input): JsonBody<LeavingInput>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    reply::ok(&state, move |conn| {
        leaving::announce(conn, &caller, id, input)
    })
    .await
}

/// Withdraws the announced leave date before it comes; visits from it on are covered again.
#[utoipa::path(delete, path = "/api/v1/helpers/{id}/leaving", tag = "helpers", security(("bearer" = [])), params(("id" = i64, Path)),
    responses((status = 200, body = HelperView), (status = 401, body = Problem), (status = 404, body = Problem), (status = 409, body = Problem)))]
pub async fn withdraw_leaving(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<HelperId>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    reply::ok(&state, move |conn| leaving::withdraw(conn, &caller, id)).await
}

/// For each client of a helper who announced a leave date, the successors the matcher proposes
/// (keep mode, the helper counted out). Nothing is stored.
#[utoipa::path(get, path = "/api/v1/helpers/{id}/handover", tag = "helpers", security(("bearer" = [])), params(("id" = i64, Path)),
    responses((status = 200, body = Handover), (status = 401, body = Problem), (status = 403, body = Problem), (status = 404, body = Problem), (status = 409, body = Problem)))]
pub async fn handover(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<HelperId>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    reply::ok(&state, move |conn| leaving::handover(conn, &caller, id)).await
}
