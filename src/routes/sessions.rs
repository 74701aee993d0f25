//! `/api/v1/auth/*` and `/api/v1/me`.

use actix_web::{HttpRequest, HttpResponse, web};

use super::extract::{JsonBody, client_address};
use super::reply;
use crate::auth::Caller;
use crate::db::{self, models::now};
use crate::error::{ApiError, Problem};
use crate::services::accounts::{self, UserView};
use crate::services::invitations;
use crate::services::sessions::{self, LoginAttempt, TokenPair};
use crate::state::AppState;

/// Registers the routes.
pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(web::resource("/api/v1/auth/login").route(web::post().to(login)))
        .service(web::resource("/api/v1/auth/refresh").route(web::post().to(refresh)))
        .service(web::resource("/api/v1/auth/logout").route(web::post().to(logout)))
        .service(
            web::resource("/api/v1/auth/accept-invitation")
                .route(web::post().to(accept_invitation)),
        )
        .service(web::resource("/api/v1/auth/password-reset").route(web::post().to(request_reset)))
        .service(web::resource("/api/v1/auth/reset-password").route(web::post().to(reset_password)))
        .service(web::resource("/api/v1/me").route(web::get().to(me)))
        .service(web::resource("/api/v1/me/password").route(web::post().to(change_password)));
}

/// Body of `POST /api/v1/auth/login`.
#[derive(Debug, eserde::Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"email": "admin@example.dk", "password": "a-long-enough-password"}))]
pub struct LoginInput {
    /// Account email.
    pub email: String,
    /// Password.
    pub password: String,
}

/// Body of refresh and logout.
#[derive(Debug, eserde::Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"refresh_token": "the refresh_token from login"}))]
pub struct RefreshInput {
    /// The refresh token from login or the last refresh.
    pub refresh_token: String,
}

/// Body of `POST /api/v1/auth/accept-invitation` and `/reset-password`.
#[derive(Debug, eserde::Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"token": "the token from the mailed link", "password": "a-long-enough-password"}))]
pub struct SetPasswordInput {
    /// The one-time token from the mailed link (`…/set-password?token=…`).
    pub token: String,
    /// The new password (at least 10 characters).
    pub password: String,
}

/// Body of `POST /api/v1/auth/password-reset`.
#[derive(Debug, eserde::Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"email": "anna@example.dk"}))]
pub struct ResetRequestInput {
    /// The account's email.
    pub email: String,
}

/// Body of `POST /api/v1/me/password`.
#[derive(Debug, eserde::Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"current_password": "a-long-enough-password", "new_password": "another-long-password"}))]
pub struct ChangePasswordInput {
    /// The current password.
    pub current_password: String,
    /// The new password (at least 10 characters).
    pub new_password: String,
}

/// Logs in with email and password. Failed logins are throttled per account and address (a
/// doubling wait) and per address; a 429 says in `Retry-After` when to try again.
#[utoipa::path(post, path = "/api/v1/auth/login", tag = "auth", request_body = LoginInput,
    responses((status = 200, body = TokenPair), (status = 401, body = Problem), (status = 422, body = Problem),
        (status = 429, body = Problem, headers(("Retry-After" = u64, description = "seconds to wait")))))]
pub async fn login(
    req: HttpRequest,
    state: web::Data<AppState>,
    JsonBody(input): JsonBody<LoginInput>,
) -> Result<HttpResponse, ApiError> {
    let address = client_address(&req, &state.settings.server.trusted_proxies);
    let st = state.clone();
    reply::ok(&state, move |conn| {
        let attempt = LoginAttempt {
            email: &input.email,
            password: &input.password,
            address: &address,
        };
        sessions::login(conn, &st.tokens, &st.settings.throttle, attempt, now())
    })
    .await
}

/// Exchanges a refresh token for a new pair (the old one stops working).
#[utoipa::path(post, path = "/api/v1/auth/refresh", tag = "auth", request_body = RefreshInput,
    responses((status = 200, body = TokenPair), (status = 401, body = Problem), (status = 422, body = Problem)))]
pub async fn refresh(
    state: web::Data<AppState>,
    JsonBody(input): JsonBody<RefreshInput>,
) -> Result<HttpResponse, ApiError> {
    let st = state.clone();
    reply::ok(&state, move |conn| {
        sessions::refresh(conn, &st.tokens, &input.refresh_token, now())
    })
    .await
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

/// Sets the first password of an invited account with the token from the mailed link.
#[utoipa::path(post, path = "/api/v1/auth/accept-invitation", tag = "auth", request_body = SetPasswordInput,
    responses((status = 204, description = "password set; every earlier session ended"), (status = 401, body = Problem), (status = 422, body = Problem)))]
pub async fn accept_invitation(
    state: web::Data<AppState>,
    JsonBody(input): JsonBody<SetPasswordInput>,
) -> Result<HttpResponse, ApiError> {
    set_password(state, input).await
}

/// Sets a new password with the token from a reset mail (it works once, for an hour).
#[utoipa::path(post, path = "/api/v1/auth/reset-password", tag = "auth", request_body = SetPasswordInput,
    responses((status = 204, description = "password set; every earlier session ended"), (status = 401, body = Problem), (status = 422, body = Problem)))]
pub async fn reset_password(
    state: web::Data<AppState>,
    JsonBody(input): JsonBody<SetPasswordInput>,
) -> Result<HttpResponse, ApiError> {
    set_password(state, input).await
}

async fn set_password(
    state: web::Data<AppState>,
    input: SetPasswordInput,
) -> Result<HttpResponse, ApiError> {
    db::run(&state.pool, move |conn| {
        sessions::set_password_with_token(conn, &input.token, &input.password, now())
    })
    .await?;
    Ok(HttpResponse::NoContent().finish())
}

/// Forgotten password: mails a reset link when the email has an account. The answer is the
/// same either way (nobody learns who has an account); requests are throttled per address.
#[utoipa::path(post, path = "/api/v1/auth/password-reset", tag = "auth", request_body = ResetRequestInput,
    responses((status = 202, description = "if the email has an account, a reset link is on its way"), (status = 422, body = Problem),
        (status = 429, body = Problem, headers(("Retry-After" = u64, description = "seconds to wait")))))]
pub async fn request_reset(
    req: HttpRequest,
    state: web::Data<AppState>,
    JsonBody(input): JsonBody<ResetRequestInput>,
) -> Result<HttpResponse, ApiError> {
    let address = client_address(&req, &state.settings.server.trusted_proxies);
    let st = state.clone();
    db::run(&state.pool, move |conn| {
        invitations::request_reset(conn, &st.settings.throttle, &input.email, &address)
    })
    .await?;
    Ok(HttpResponse::Accepted().json(serde_json::json!({
        "detail": "If this email has an account, a link to set a new password is on its way."
    })))
}

/// Who am I.
#[utoipa::path(get, path = "/api/v1/me", tag = "auth", security(("bearer" = [])),
    responses((status = 200, body = UserView), (status = 401, body = Problem)))]
pub async fn me(state: web::Data<AppState>, caller: Caller) -> Result<HttpResponse, ApiError> {
    reply::ok(&state, move |conn| {
        accounts::get(conn, &caller, caller.user_id)
    })
    .await
}

/// Changes my password. Every session ends, this one too: the answer is a fresh token pair.
#[utoipa::path(post, path = "/api/v1/me/password", tag = "auth", security(("bearer" = [])), request_body = ChangePasswordInput,
    responses((status = 200, body = TokenPair), (status = 401, body = Problem), (status = 422, body = Problem)))]
pub async fn change_password(
    state: web::Data<AppState>,
    caller: Caller,
    JsonBody(input): JsonBody<ChangePasswordInput>,
) -> Result<HttpResponse, ApiError> {
    let st = state.clone();
    reply::ok(&state, move |conn| {
        sessions::change_password(
            conn,
            &st.tokens,
            caller.user_id,
            &input.current_password,
            &input.new_password,
            now(),
        )
    })
    .await
}
