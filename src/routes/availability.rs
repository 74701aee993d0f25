//! `/api/v1/helpers/{id}/availability`: when a student can work.

use crate::domain::ids::HelperId;
use actix_web::{HttpResponse, web};

use super::extract::JsonBody;
use super::reply;
use crate::auth::Caller;
use crate::error::{ApiError, Problem};
use crate::services::availability::{
    self, AvailabilityInput, AvailabilityView, ExceptionInput, ExceptionView,
};
use crate::state::AppState;

/// Registers the routes.
pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(
        web::resource("/api/v1/helpers/{id}/availability")
            .route(web::get().to(get))
            .route(web::put().to(replace)),
    )
    .service(
        web::resource("/api/v1/helpers/{id}/availability/exceptions")
            .route(web::post().to(add_exception)),
    );
}

/// Weekly windows, visits a week and exceptions.
#[utoipa::path(get, path = "/api/v1/helpers/{id}/availability", tag = "helpers", operation_id = "availability_get", security(("bearer" = [])), params(("id" = i64, Path)),
    responses((status = 200, body = AvailabilityView), (status = 404, body = Problem)))]
pub async fn get(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<HelperId>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    reply::ok(&state, move |conn| availability::get(conn, &caller, id)).await
}

/// Replaces the weekly windows (the helper, or the branch).
#[utoipa::path(put, path = "/api/v1/helpers/{id}/availability", tag = "helpers", operation_id = "availability_replace", security(("bearer" = [])), params(("id" = i64, Path)), request_body = AvailabilityInput,
    responses((status = 200, body = AvailabilityView), (status = 404, body = Problem), (status = 422, body = Problem)))]
pub async fn replace(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<HelperId>,
    JsonBody(input): JsonBody<AvailabilityInput>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    reply::ok(&state, move |conn| {
        availability::replace(conn, &caller, id, input)
    })
    .await
}

/// Adds a period the helper cannot work.
#[utoipa::path(post, path = "/api/v1/helpers/{id}/availability/exceptions", tag = "helpers", operation_id = "availability_add_exception", security(("bearer" = [])), params(("id" = i64, Path)), request_body = ExceptionInput,
    responses((status = 201, body = ExceptionView), (status = 404, body = Problem), (status = 422, body = Problem)))]
pub async fn add_exception(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<HelperId>,
    JsonBody(input): JsonBody<ExceptionInput>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    reply::created(&state, move |conn| {
        availability::add_exception(conn, &caller, id, input)
    })
    .await
}
