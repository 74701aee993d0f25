//! `/api/v1/users`: staff accounts.

use crate::domain::ids::UserId;
use actix_web::{HttpResponse, web};

use super::extract::{JsonBody, ListResponse, PageQuery};
use super::query::QueryParams;
use super::reply;
use crate::auth::Caller;
use crate::db;
use crate::error::{ApiError, Problem};
use crate::services::accounts::{self, UserInput, UserPatch, UserView};
use crate::services::invitations;
use crate::state::AppState;

/// Registers the routes.
pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(
        web::resource("/api/v1/users")
            .route(web::get().to(list))
            .route(web::post().to(create)),
    )
    .service(
        web::resource("/api/v1/users/{id}")
            .route(web::get().to(get))
            .route(web::patch().to(update)),
    )
    .service(web::resource("/api/v1/users/{id}/invitation").route(web::post().to(reinvite)));
}

/// Staff accounts the caller can see.
#[utoipa::path(get, path = "/api/v1/users", tag = "users", security(("bearer" = [])), params(PageQuery),
    responses((status = 200, body = ListResponse<UserView>), (status = 401, body = Problem), (status = 403, body = Problem)))]
pub async fn list(
    state: web::Data<AppState>,
    caller: Caller,
    QueryParams(query): QueryParams<PageQuery>,
) -> Result<HttpResponse, ApiError> {
    let page = query.page()?;
    reply::page(
        &state,
        page,
        move |conn| accounts::list(conn, &caller, page),
        |u| u.id,
    )
    .await
}

/// Creates a staff account (admin). Without a password, a set-password link is mailed to it.
#[utoipa::path(post, path = "/api/v1/users", tag = "users", security(("bearer" = [])), request_body = UserInput,
    responses((status = 201, body = UserView), (status = 401, body = Problem), (status = 403, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)))]
pub async fn create(
    state: web::Data<AppState>,
    caller: Caller,
    JsonBody(input): JsonBody<UserInput>,
) -> Result<HttpResponse, ApiError> {
    reply::created(&state, move |conn| accounts::create(conn, &caller, input)).await
}

/// One account.
#[utoipa::path(get, path = "/api/v1/users/{id}", tag = "users", security(("bearer" = [])), params(("id" = i64, Path)),
    responses((status = 200, body = UserView), (status = 401, body = Problem), (status = 404, body = Problem)))]
pub async fn get(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<UserId>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    reply::ok(&state, move |conn| accounts::get(conn, &caller, id)).await
}

/// Changes a staff account (admin).
#[utoipa::path(patch, path = "/api/v1/users/{id}", tag = "users", security(("bearer" = [])), params(("id" = i64, Path)), request_body = UserPatch,
    responses((status = 200, body = UserView), (status = 401, body = Problem), (status = 403, body = Problem), (status = 404, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)))]
pub async fn update(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<UserId>,
    JsonBody(input): JsonBody<UserPatch>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    reply::ok(&state, move |conn| {
        accounts::update(conn, &caller, id, input)
    })
    .await
}

/// Mails a new invitation to an account that has no password yet (any account of the caller's
/// branch: staff, helpers, clients, relatives); the previous link stops working.
#[utoipa::path(post, path = "/api/v1/users/{id}/invitation", tag = "users", security(("bearer" = [])), params(("id" = i64, Path)),
    responses((status = 202, description = "a new set-password link was mailed"), (status = 401, body = Problem), (status = 403, body = Problem), (status = 404, body = Problem), (status = 409, body = Problem)))]
pub async fn reinvite(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<UserId>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    db::run(&state.pool, move |conn| {
        invitations::reinvite(conn, &caller, id)
    })
    .await?;
    Ok(HttpResponse::Accepted().json(serde_json::json!({"invitation_sent": true})))
}
