//! `/api/v1/clients/{id}/exclusions`: helpers ruled out for a client (matching rule 3).

use actix_web::{HttpResponse, web};

use super::extract::JsonBody;
use super::reply;
use crate::auth::Caller;
use crate::db;
use crate::domain::ids::{ClientId, HelperId};
use crate::error::{ApiError, Problem};
use crate::services::clients::exclusions::{self, ExclusionInput, ExclusionView};
use crate::state::AppState;

/// Registers the routes.
pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(
        web::resource("/api/v1/clients/{id}/exclusions")
            .route(web::get().to(exclusions))
            .route(web::post().to(exclude)),
    )
    .service(
        web::resource("/api/v1/clients/{id}/exclusions/{helper_id}")
            .route(web::delete().to(lift_exclusion)),
    );
}

/// The helpers ruled out for the client, whoever asked (branch staff).
#[utoipa::path(get, path = "/api/v1/clients/{id}/exclusions", tag = "clients", security(("bearer" = [])), params(("id" = i64, Path)),
    responses((status = 200, body = Vec<ExclusionView>), (status = 401, body = Problem), (status = 403, body = Problem), (status = 404, body = Problem)))]
pub async fn exclusions(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<ClientId>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    reply::ok(&state, move |conn| exclusions::list(conn, &caller, id)).await
}

/// The branch rules a helper out for the client: matching and open-visit offers leave them
/// out; a pair of the two stays until the branch ends it.
#[utoipa::path(post, path = "/api/v1/clients/{id}/exclusions", tag = "clients", security(("bearer" = [])), params(("id" = i64, Path)), request_body = ExclusionInput,
    responses((status = 201, body = ExclusionView), (status = 401, body = Problem), (status = 403, body = Problem), (status = 404, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)))]
pub async fn exclude(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<ClientId>,
    JsonBody(input): JsonBody<ExclusionInput>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    reply::created(&state, move |conn| {
        exclusions::add(conn, &caller, id, input)
    })
    .await
}

/// The branch lifts an exclusion, whoever asked for it.
#[utoipa::path(delete, path = "/api/v1/clients/{id}/exclusions/{helper_id}", tag = "clients", security(("bearer" = [])),
    params(("id" = i64, Path), ("helper_id" = i64, Path)),
    responses((status = 204, description = "lifted"), (status = 401, body = Problem), (status = 403, body = Problem), (status = 404, body = Problem)))]
pub async fn lift_exclusion(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<(ClientId, HelperId)>,
) -> Result<HttpResponse, ApiError> {
    let (id, helper_id) = path.into_inner();
    db::run(&state.pool, move |conn| {
        exclusions::lift(conn, &caller, id, helper_id)
    })
    .await?;
    Ok(HttpResponse::NoContent().finish())
}
