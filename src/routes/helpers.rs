//! `/api/v1/applications` (public) and `/api/v1/helpers`.

use crate::domain::ids::{BranchId, HelperId};
use actix_web::{HttpRequest, HttpResponse, web};
use serde::Deserialize;

use super::extract::{JsonBody, ListResponse, PageQuery, client_address};
use super::query::{Instant, QueryParams};
use super::reply;
use crate::auth::Caller;
use crate::db;
use crate::domain::HelperStatus;
use crate::error::{ApiError, Problem};
use crate::services::erasure;
use crate::services::helpers::{
    self, ApplicationInput, ApplicationReceipt, ApplicationStatus, HelperPatch, HelperSearch,
    HelperView, TransitionInput, TransitionResult, TransitionView,
};
use crate::state::AppState;

/// Registers the routes.
pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(web::resource("/api/v1/applications").route(web::post().to(apply)))
        .service(
            web::resource("/api/v1/applications/{status_token}")
                .route(web::get().to(application_status)),
        )
        .service(web::resource("/api/v1/helpers").route(web::get().to(list)))
        .service(
            web::resource("/api/v1/helpers/{id}")
                .route(web::get().to(get))
                .route(web::patch().to(update))
                .route(web::delete().to(erase)),
        )
        .service(
            web::resource("/api/v1/helpers/{id}/transitions").route(web::post().to(transition)),
        )
        .service(web::resource("/api/v1/helpers/{id}/history").route(web::get().to(history)));
}

/// Filters of `GET /api/v1/helpers`.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct HelperQuery {
    /// Only this branch.
    pub branch: Option<BranchId>,
    /// Only this status.
    #[param(inline)]
    pub status: Option<HelperStatus>,
    /// Only names containing this text (any case).
    pub q: Option<String>,
    /// Only helpers whose record changed at or after this instant (RFC 3339): their details,
    /// skills or status. Figures computed at the time of asking (days in stage, waitlist
    /// place) move without a change.
    #[param(value_type = Option<String>, format = DateTime)]
    pub updated_since: Option<Instant>,
    /// Items per page, 1–200.
    pub limit: Option<i64>,
    /// Cursor from the previous page.
    pub cursor: Option<String>,
}

/// A student applies to a branch (no login needed; throttled per address).
#[utoipa::path(post, path = "/api/v1/applications", tag = "helpers", request_body = ApplicationInput,
    responses((status = 201, body = ApplicationReceipt), (status = 409, body = Problem), (status = 422, body = Problem),
        (status = 429, body = Problem, headers(("Retry-After" = u64, description = "seconds to wait")))))]
pub async fn apply(
    req: HttpRequest,
    state: web::Data<AppState>,
    JsonBody(input): JsonBody<ApplicationInput>,
) -> Result<HttpResponse, ApiError> {
    let address = client_address(&req, &state.settings.server.trusted_proxies);
    let st = state.clone();
    reply::created(&state, move |conn| {
        helpers::apply(conn, &st.settings.throttle, &address, input)
    })
    .await
}

/// An applicant's own status and waitlist position, by the token from the application.
#[utoipa::path(get, path = "/api/v1/applications/{status_token}", tag = "helpers", params(("status_token" = String, Path)),
    responses((status = 200, body = ApplicationStatus), (status = 404, body = Problem)))]
pub async fn application_status(
    state: web::Data<AppState>,
    token: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let token = token.into_inner();
    reply::ok(&state, move |conn| {
        helpers::application_status(conn, &token)
    })
    .await
}

/// Helpers in every status, with days in the current stage.
#[utoipa::path(get, path = "/api/v1/helpers", tag = "helpers", security(("bearer" = [])), params(HelperQuery),
    responses((status = 200, body = ListResponse<HelperView>), (status = 400, body = Problem), (status = 401, body = Problem), (status = 422, body = Problem)))]
pub async fn list(
    state: web::Data<AppState>,
    caller: Caller,
    QueryParams(query): QueryParams<HelperQuery>,
) -> Result<HttpResponse, ApiError> {
    let page = PageQuery {
        limit: query.limit,
        cursor: query.cursor,
    }
    .page()?;
    let search = HelperSearch {
        branch: query.branch,
        status: query.status,
        name: query.q,
        updated_since: query.updated_since.map(|Instant(at)| at),
    };
    reply::page(
        &state,
        page,
        move |conn| helpers::list(conn, &caller, search, page),
        |h| h.id,
    )
    .await
}

/// One helper.
#[utoipa::path(get, path = "/api/v1/helpers/{id}", tag = "helpers", security(("bearer" = [])), params(("id" = i64, Path), ("If-None-Match" = Option<String>, Header, description = "the ETag of the copy you have")),
    responses((status = 304, description = "the copy named in If-None-Match is current"), (status = 200, body = HelperView), (status = 401, body = Problem), (status = 404, body = Problem)))]
pub async fn get(
    req: HttpRequest,
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<HelperId>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    reply::record(&req, &state, move |conn| helpers::get(conn, &caller, id)).await
}

/// Changes a helper's profile (branch staff, or the helper).
#[utoipa::path(patch, path = "/api/v1/helpers/{id}", tag = "helpers", security(("bearer" = [])), params(("id" = i64, Path)), request_body = HelperPatch,
    responses((status = 200, body = HelperView), (status = 401, body = Problem), (status = 404, body = Problem), (status = 422, body = Problem)))]
pub async fn update(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<HelperId>,
    JsonBody(input): JsonBody<HelperPatch>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    reply::ok(&state, move |conn| {
        helpers::update(conn, &caller, id, input)
    })
    .await
}

/// Erases a helper who has left or was rejected: personal data and the criminal-record check
/// gone, login closed unless it serves another capacity; hours kept anonymised for payroll.
#[utoipa::path(delete, path = "/api/v1/helpers/{id}", tag = "helpers", security(("bearer" = [])), params(("id" = i64, Path)),
    responses((status = 204, description = "erased"), (status = 401, body = Problem), (status = 403, body = Problem), (status = 404, body = Problem), (status = 409, body = Problem)))]
pub async fn erase(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<HelperId>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    db::run(&state.pool, move |conn| {
        erasure::erase_helper(conn, &caller, id)
    })
    .await?;
    Ok(HttpResponse::NoContent().finish())
}

/// Moves a helper through the recruitment pipeline.
#[utoipa::path(post, path = "/api/v1/helpers/{id}/transitions", tag = "helpers", security(("bearer" = [])), params(("id" = i64, Path)), request_body = TransitionInput,
    responses((status = 200, body = TransitionResult), (status = 401, body = Problem), (status = 403, body = Problem), (status = 404, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)))]
pub async fn transition(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<HelperId>,
    JsonBody(input): JsonBody<TransitionInput>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    reply::ok(&state, move |conn| {
        helpers::transition(conn, &caller, id, input)
    })
    .await
}

/// Every move of a helper, oldest first.
#[utoipa::path(get, path = "/api/v1/helpers/{id}/history", tag = "helpers", security(("bearer" = [])), params(("id" = i64, Path)),
    responses((status = 200, body = Vec<TransitionView>), (status = 401, body = Problem), (status = 404, body = Problem)))]
pub async fn history(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<HelperId>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    reply::ok(&state, move |conn| helpers::history(conn, &caller, id)).await
}
