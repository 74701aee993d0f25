//! `/api/v1/visits`: book, list, move, cancel, check in and out.

use actix_web::{HttpRequest, HttpResponse, web};
use chrono::{DateTime, FixedOffset};
use serde::Deserialize;

use super::extract::{JsonBody, ListResponse, PageQuery};
use super::idempotent::{idempotency_key, respond_once};
use crate::auth::Caller;
use crate::db::{self, models::visit::VisitFilter};
use crate::error::{ApiError, Problem};
use crate::services::visits::{self, Booking, PositionInput, VisitInput, VisitPatch, VisitView};
use crate::startup::AppState;

/// Registers the routes.
pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(
        web::resource("/api/v1/visits")
            .route(web::get().to(list))
            .route(web::post().to(book)),
    )
    .service(
        web::resource("/api/v1/visits/{id}")
            .route(web::get().to(get))
            .route(web::patch().to(reschedule)),
    )
    .service(web::resource("/api/v1/visits/{id}/cancel").route(web::post().to(cancel)))
    .service(web::resource("/api/v1/visits/{id}/no-show").route(web::post().to(no_show)))
    .service(web::resource("/api/v1/visits/{id}/check-in").route(web::post().to(check_in)))
    .service(web::resource("/api/v1/visits/{id}/check-out").route(web::post().to(check_out)));
}

/// Filters of `GET /api/v1/visits`: a schedule for a branch, helper or client over a period.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
pub struct VisitQuery {
    /// Only this branch.
    pub branch: Option<i64>,
    /// Only this helper.
    pub helper: Option<i64>,
    /// Only this client.
    pub client: Option<i64>,
    /// Starting at or after (RFC 3339).
    pub from: Option<DateTime<FixedOffset>>,
    /// Starting before (RFC 3339).
    pub to: Option<DateTime<FixedOffset>>,
    /// Items per page, 1–200.
    pub limit: Option<i64>,
    /// Cursor from the previous page.
    pub cursor: Option<String>,
}

/// Books a visit (or a weekly series) with one of the client's helpers, paid from the clip card.
/// Send an `Idempotency-Key` header to make a retry safe.
#[utoipa::path(post, path = "/api/v1/visits", tag = "visits", security(("bearer" = [])), request_body = VisitInput,
    params(("Idempotency-Key" = Option<String>, Header, description = "the same key again returns the first answer")),
    responses((status = 201, body = Booking), (status = 403, body = Problem), (status = 404, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)))]
pub async fn book(
    req: HttpRequest,
    state: web::Data<AppState>,
    caller: Caller,
    JsonBody(input): JsonBody<VisitInput>,
) -> Result<HttpResponse, ApiError> {
    let key = idempotency_key(&req)?;
    let settings = state.settings.visits.clone();
    let user = caller.user_id;
    let answer = db::run(&state.pool, move |conn| {
        respond_once(
            conn,
            user,
            "POST /api/v1/visits",
            key.as_deref(),
            201,
            |conn| visits::book(conn, &caller, &settings, input),
        )
    })
    .await?;
    Ok(answer.into_response())
}

/// The visits the caller may see, in a period.
#[utoipa::path(get, path = "/api/v1/visits", tag = "visits", security(("bearer" = [])), params(VisitQuery),
    responses((status = 200, body = ListResponse<VisitView>), (status = 422, body = Problem)))]
pub async fn list(
    state: web::Data<AppState>,
    caller: Caller,
    query: web::Query<VisitQuery>,
) -> Result<HttpResponse, ApiError> {
    let q = query.into_inner();
    let page = PageQuery {
        limit: q.limit,
        cursor: q.cursor,
    }
    .page()?;
    let filter = VisitFilter {
        branch_id: q.branch,
        helper_id: q.helper,
        client_id: q.client,
        from: q.from.map(|t| t.naive_utc()),
        to: q.to.map(|t| t.naive_utc()),
    };
    let items = db::run(&state.pool, move |conn| {
        visits::list(conn, &caller, filter, page)
    })
    .await?;
    Ok(HttpResponse::Ok().json(ListResponse::new(items, page, |v| v.id)))
}

/// One visit.
#[utoipa::path(get, path = "/api/v1/visits/{id}", tag = "visits", security(("bearer" = [])), params(("id" = i64, Path)),
    responses((status = 200, body = VisitView), (status = 404, body = Problem)))]
pub async fn get(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<i64>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    let visit = db::run(&state.pool, move |conn| visits::get(conn, &caller, id)).await?;
    Ok(HttpResponse::Ok().json(visit))
}

/// Moves a booked visit (time, tasks or helper); every booking rule is checked again.
#[utoipa::path(patch, path = "/api/v1/visits/{id}", tag = "visits", security(("bearer" = [])), params(("id" = i64, Path)), request_body = VisitPatch,
    responses((status = 200, body = VisitView), (status = 403, body = Problem), (status = 404, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)))]
pub async fn reschedule(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<i64>,
    JsonBody(input): JsonBody<VisitPatch>,
) -> Result<HttpResponse, ApiError> {
    let (id, settings) = (id.into_inner(), state.settings.visits.clone());
    let visit = db::run(&state.pool, move |conn| {
        visits::reschedule(conn, &caller, &settings, id, input)
    })
    .await?;
    Ok(HttpResponse::Ok().json(visit))
}

/// Cancels a visit: free until the notice period, later the hours are used.
#[utoipa::path(post, path = "/api/v1/visits/{id}/cancel", tag = "visits", security(("bearer" = [])), params(("id" = i64, Path)),
    responses((status = 200, body = VisitView), (status = 403, body = Problem), (status = 404, body = Problem), (status = 409, body = Problem)))]
pub async fn cancel(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<i64>,
) -> Result<HttpResponse, ApiError> {
    let (id, settings) = (id.into_inner(), state.settings.visits.clone());
    let visit = db::run(&state.pool, move |conn| {
        visits::cancel(conn, &caller, &settings, id)
    })
    .await?;
    Ok(HttpResponse::Ok().json(visit))
}

/// Records that the client was not there (branch staff); the hours are used.
#[utoipa::path(post, path = "/api/v1/visits/{id}/no-show", tag = "visits", security(("bearer" = [])), params(("id" = i64, Path)),
    responses((status = 200, body = VisitView), (status = 403, body = Problem), (status = 404, body = Problem), (status = 409, body = Problem)))]
pub async fn no_show(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<i64>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    let visit = db::run(&state.pool, move |conn| visits::no_show(conn, &caller, id)).await?;
    Ok(HttpResponse::Ok().json(visit))
}

/// The helper checks in with their position (too far from the home is flagged, not refused).
#[utoipa::path(post, path = "/api/v1/visits/{id}/check-in", tag = "visits", security(("bearer" = [])), params(("id" = i64, Path)), request_body = PositionInput,
    responses((status = 200, body = VisitView), (status = 403, body = Problem), (status = 404, body = Problem), (status = 409, body = Problem)))]
pub async fn check_in(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<i64>,
    JsonBody(input): JsonBody<PositionInput>,
) -> Result<HttpResponse, ApiError> {
    let (id, settings) = (id.into_inner(), state.settings.visits.clone());
    let visit = db::run(&state.pool, move |conn| {
        visits::check(conn, &caller, &settings, id, input, false)
    })
    .await?;
    Ok(HttpResponse::Ok().json(visit))
}

/// The helper checks out; the booked minutes are consumed from the clip card.
#[utoipa::path(post, path = "/api/v1/visits/{id}/check-out", tag = "visits", security(("bearer" = [])), params(("id" = i64, Path)), request_body = PositionInput,
    responses((status = 200, body = VisitView), (status = 403, body = Problem), (status = 404, body = Problem), (status = 409, body = Problem)))]
pub async fn check_out(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<i64>,
    JsonBody(input): JsonBody<PositionInput>,
) -> Result<HttpResponse, ApiError> {
    let (id, settings) = (id.into_inner(), state.settings.visits.clone());
    let visit = db::run(&state.pool, move |conn| {
        visits::check(conn, &caller, &settings, id, input, true)
    })
    .await?;
    Ok(HttpResponse::Ok().json(visit))
}
