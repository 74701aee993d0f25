//! `/api/v1/auth/*` and `/api/v1/me`.

use actix_web::{HttpRequest, HttpResponse, web};
use serde::Deserialize;

use super::extract::JsonBody;
use crate::auth::Caller;
use crate::db::{self, models::now};
use crate::error::{ApiError, Problem};
use crate::services::accounts::{self, UserView};
use crate::services::sessions::{self, TokenPair};
use crate::startup::AppState;

/// Registers the routes.
pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(web::resource("/api/v1/auth/login").route(web::post().to(login)))
        .service(web::resource("/api/v1/auth/refresh").route(web::post().to(refresh)))
        .service(web::resource("/api/v1/auth/logout").route(web::post().to(logout)))
        .service(
            web::resource("/api/v1/auth/accept-invitation")
                .route(web::post().to(accept_invitation)),
        )
        .service(web::resource("/api/v1/me").route(web::get().to(me)))
        .service(web::resource("/api/v1/me/password").route(web::post().to(change_password)));
}

/// Body of `POST /api/v1/auth/login`.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LoginInput {
    /// Account email.
    pub email: String,
    /// Password.
    pub password: String,
}

/// Body of refresh and logout.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RefreshInput {
    /// The refresh token from login or the last refresh.
    pub refresh_token: String,
}

/// Body of `POST /api/v1/auth/accept-invitation`.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AcceptInvitationInput {
    /// The invitation token.
    pub token: String,
    /// The new password (at least 10 characters).
    pub password: String,
}

/// Body of `POST /api/v1/me/password`.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ChangePasswordInput {
    /// The current password.
    pub current_password: String,
    /// The new password (at least 10 characters).
    pub new_password: String,
}

/// Logs in with email and password.
#[utoipa::path(post, path = "/api/v1/auth/login", tag = "auth", request_body = LoginInput,
    responses((status = 200, body = TokenPair), (status = 401, body = Problem), (status = 422, body = Problem), (status = 429, body = Problem)))]
pub async fn login(
    req: HttpRequest,
    state: web::Data<AppState>,
    JsonBody(input): JsonBody<LoginInput>,
) -> Result<HttpResponse, ApiError> {
    // The peer address, not X-Forwarded-For, which any caller can forge.
    let address = req
        .peer_addr()
        .map(|a| a.ip().to_string())
        .unwrap_or_default();
    let st = state.clone();
    let pair = db::run(&state.pool, move |conn| {
        sessions::login(
            conn,
            &st.tokens,
            &input.email,
            &input.password,
            &address,
            now(),
        )
    })
    .await?;
    Ok(HttpResponse::Ok().json(pair))
}

/// Exchanges a refresh token for a new pair (the old one stops working).
#[utoipa::path(post, path = "/api/v1/auth/refresh", tag = "auth", request_body = RefreshInput,
    responses((status = 200, body = TokenPair), (status = 401, body = Problem), (status = 422, body = Problem)))]
pub async fn refresh(
    state: web::Data<AppState>,
    JsonBody(input): JsonBody<RefreshInput>,
) -> Result<HttpResponse, ApiError> {
    let st = state.clone();
    let pair = db::run(&state.pool, move |conn| {
        sessions::refresh(conn, &st.tokens, &input.refresh_token, now())
    })
    .await?;
    Ok(HttpResponse::Ok().json(pair))
}

/// Ends the session behind a refresh token.
#[utoipa::path(post, path = "/api/v1/auth/logout", tag = "auth", request_body = RefreshInput,
    responses((status = 204, description = "logged out"), (status = 422, body = Problem)))]
pub async fn logout(
    state: web::Data<AppState>,
    JsonBody(input): JsonBody<RefreshInput>,
) -> Result<HttpResponse, ApiError> {
    db::run(&state.pool, move |conn| {
        sessions::logout(conn, &input.refresh_token, now())
    })
    .await?;
    Ok(HttpResponse::NoContent().finish())
}

/// Sets the first password of an invited account.
#[utoipa::path(post, path = "/api/v1/auth/accept-invitation", tag = "auth", request_body = AcceptInvitationInput,
    responses((status = 204, description = "password set"), (status = 401, body = Problem), (status = 422, body = Problem)))]
pub async fn accept_invitation(
    state: web::Data<AppState>,
    JsonBody(input): JsonBody<AcceptInvitationInput>,
) -> Result<HttpResponse, ApiError> {
    db::run(&state.pool, move |conn| {
        sessions::accept_invitation(conn, &input.token, &input.password, now())
    })
    .await?;
    Ok(HttpResponse::NoContent().finish())
}

/// Who am I.
#[utoipa::path(get, path = "/api/v1/me", tag = "auth", security(("bearer" = [])),
    responses((status = 200, body = UserView), (status = 401, body = Problem)))]
pub async fn me(state: web::Data<AppState>, caller: Caller) -> Result<HttpResponse, ApiError> {
    let user = db::run(&state.pool, move |conn| {
        accounts::get(conn, &caller, caller.user_id)
    })
    .await?;
    Ok(HttpResponse::Ok().json(user))
}

/// Changes my password; every other session ends.
#[utoipa::path(post, path = "/api/v1/me/password", tag = "auth", security(("bearer" = [])), request_body = ChangePasswordInput,
    responses((status = 204, description = "changed"), (status = 401, body = Problem), (status = 422, body = Problem)))]
pub async fn change_password(
    state: web::Data<AppState>,
    caller: Caller,
    JsonBody(input): JsonBody<ChangePasswordInput>,
) -> Result<HttpResponse, ApiError> {
    db::run(&state.pool, move |conn| {
        sessions::change_password(
            conn,
            caller.user_id,
            &input.current_password,
            &input.new_password,
            now(),
        )
    })
    .await?;
    Ok(HttpResponse::NoContent().finish())
}
