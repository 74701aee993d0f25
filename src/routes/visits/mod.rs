//! `/api/v1/visits`: book, list, move, cancel, check in and out.

use crate::domain::ids::VisitId;
use actix_web::{HttpRequest, HttpResponse, web};

use super::extract::{JsonBody, ListResponse};
use super::idempotent::{self, body_fingerprint, idempotency_key};
use super::query::QueryParams;
use super::reply;
use crate::auth::Caller;
use crate::db;
use crate::error::{ApiError, Problem};
use crate::services::idempotency::{Keyed, respond_once};
use crate::services::visits::{
    self, Booking, Check, CheckOutInput, MyVisit, PositionInput, ReportInput, ReviewInput,
    VisitInput, VisitListQuery, VisitPatch, VisitView,
};
use crate::state::AppState;

pub(crate) mod feedback;
pub(crate) mod open;
pub(crate) mod report;

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
    .service(web::resource("/api/v1/visits/{id}/check-out").route(web::post().to(check_out)))
    .service(web::resource("/api/v1/visits/{id}/review").route(web::post().to(review)))
    .service(web::resource("/api/v1/me/visits").route(web::get().to(my_visits)))
    .configure(open::configure)
    .configure(report::configure)
    .configure(feedback::configure);
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
    let keyed = Keyed {
        user_id: caller.user_id,
        endpoint: "POST /api/v1/visits",
        key: idempotency_key(&req)?,
        fingerprint: body_fingerprint(&req),
    };
    let settings = state.settings.visits.clone();
    let answer = db::run(&state.pool, move |conn| {
        respond_once(conn, &keyed, 201, |conn| {
            visits::book(conn, &caller, &settings, input)
        })
    })
    .await?;
    Ok(idempotent::into_response(answer))
}

/// The visits the caller may see, in start order, with the names a schedule shows; cancelled
/// visits only when asked for (`status=cancelled`).
#[utoipa::path(get, path = "/api/v1/visits", tag = "visits", security(("bearer" = [])), params(VisitListQuery),
    responses((status = 200, body = ListResponse<VisitView>), (status = 400, body = Problem), (status = 422, body = Problem)))]
pub async fn list(
    state: web::Data<AppState>,
    caller: Caller,
    QueryParams(query): QueryParams<VisitListQuery>,
) -> Result<HttpResponse, ApiError> {
    let free_hours = state.settings.visits.free_cancellation_hours;
    let (items, next) = db::run(&state.pool, move |conn| {
        visits::list(conn, &caller, free_hours, query)
    })
    .await?;
    Ok(HttpResponse::Ok().json(ListResponse {
        items,
        next_cursor: next.map(|c| c.encode()),
    }))
}

/// The caller's own schedule: a helper's visits with what each needs (the client's phone, needs
/// and care notes), and the visits of the clients they act for with the helper's first name.
#[utoipa::path(get, path = "/api/v1/me/visits", tag = "visits", security(("bearer" = [])), params(VisitListQuery),
    responses((status = 200, body = ListResponse<MyVisit>), (status = 400, body = Problem), (status = 422, body = Problem)))]
pub async fn my_visits(
    state: web::Data<AppState>,
    caller: Caller,
    QueryParams(query): QueryParams<VisitListQuery>,
) -> Result<HttpResponse, ApiError> {
    let free_hours = state.settings.visits.free_cancellation_hours;
    let (items, next) = db::run_read(&state.pool, &state.audit, move |conn| {
        visits::my_schedule(conn, &caller, free_hours, query)
    })
    .await?;
    Ok(HttpResponse::Ok().json(ListResponse {
        items,
        next_cursor: next.map(|c| c.encode()),
    }))
}

/// One visit.
#[utoipa::path(get, path = "/api/v1/visits/{id}", tag = "visits", security(("bearer" = [])), params(("id" = i64, Path), ("If-None-Match" = Option<String>, Header, description = "the ETag of the copy you have")),
    responses((status = 304, description = "the copy named in If-None-Match is current"), (status = 200, body = VisitView), (status = 404, body = Problem)))]
pub async fn get(
    req: HttpRequest,
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<VisitId>,
) -> Result<HttpResponse, ApiError> {
    let (id, free_hours) = (
        id.into_inner(),
        state.settings.visits.free_cancellation_hours,
    );
    reply::record(&req, &state, move |conn| {
        visits::get(conn, &caller, free_hours, id)
    })
    .await
}

/// Moves a booked visit (time, tasks or helper); every booking rule is checked again.
#[utoipa::path(patch, path = "/api/v1/visits/{id}", tag = "visits", security(("bearer" = [])), params(("id" = i64, Path)), request_body = VisitPatch,
    responses((status = 200, body = VisitView), (status = 403, body = Problem), (status = 404, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)))]
pub async fn reschedule(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<VisitId>,
    JsonBody(input): JsonBody<VisitPatch>,
) -> Result<HttpResponse, ApiError> {
    let (id, settings) = (id.into_inner(), state.settings.visits.clone());
    reply::ok(&state, move |conn| {
        visits::reschedule(conn, &caller, &settings, id, input)
    })
    .await
}

/// Cancels a visit: free until the notice period, later the hours are used.
#[utoipa::path(post, path = "/api/v1/visits/{id}/cancel", tag = "visits", security(("bearer" = [])), params(("id" = i64, Path)),
    responses((status = 200, body = VisitView), (status = 403, body = Problem), (status = 404, body = Problem), (status = 409, body = Problem)))]
pub async fn cancel(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<VisitId>,
) -> Result<HttpResponse, ApiError> {
    let (id, settings) = (id.into_inner(), state.settings.visits.clone());
    reply::ok(&state, move |conn| {
        visits::cancel(conn, &caller, &settings, id)
    })
    .await
}

/// Records that the client was not there (branch staff, once the visit has started); the hours are used.
#[utoipa::path(post, path = "/api/v1/visits/{id}/no-show", tag = "visits", security(("bearer" = [])), params(("id" = i64, Path)),
    responses((status = 200, body = VisitView), (status = 403, body = Problem), (status = 404, body = Problem), (status = 409, body = Problem)))]
pub async fn no_show(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<VisitId>,
) -> Result<HttpResponse, ApiError> {
    let (id, settings) = (id.into_inner(), state.settings.visits.clone());
    reply::ok(&state, move |conn| {
        visits::no_show(conn, &caller, &settings, id)
    })
    .await
}

/// The visit's helper checks in with their position, from `visits.check_in_opens_minutes` before
/// the start until its end (too far from the home is flagged, not refused).
#[utoipa::path(post, path = "/api/v1/visits/{id}/check-in", tag = "visits", security(("bearer" = [])), params(("id" = i64, Path)), request_body = PositionInput,
    responses((status = 200, body = VisitView), (status = 403, body = Problem), (status = 404, body = Problem), (status = 409, body = Problem)))]
pub async fn check_in(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<VisitId>,
    JsonBody(input): JsonBody<PositionInput>,
) -> Result<HttpResponse, ApiError> {
    attend(state, caller, id, (input, None), Check::In).await
}

/// The helper checks out, with the visit's report (per task: done, a note; any worry about the
/// client alerts the branch leaders). Verified attendance (near the home at both ends, about the
/// booked length) consumes the booked minutes; otherwise the branch reviews the visit first.
#[utoipa::path(post, path = "/api/v1/visits/{id}/check-out", tag = "visits", security(("bearer" = [])), params(("id" = i64, Path)), request_body = CheckOutInput,
    responses((status = 200, body = VisitView), (status = 403, body = Problem), (status = 404, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)))]
pub async fn check_out(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<VisitId>,
    JsonBody(input): JsonBody<CheckOutInput>,
) -> Result<HttpResponse, ApiError> {
    let position = PositionInput {
        lat: input.lat,
        lon: input.lon,
        recorded_at: input.recorded_at,
    };
    attend(state, caller, id, (position, input.report), Check::Out).await
}

/// Check-in and check-out differ only in which end of the visit the position is for.
async fn attend(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<VisitId>,
    (position, report): (PositionInput, Option<ReportInput>),
    check: Check,
) -> Result<HttpResponse, ApiError> {
    let (id, settings) = (id.into_inner(), state.settings.visits.clone());
    reply::ok(&state, move |conn| {
        visits::check(conn, &caller, &settings, id, position, check, report)
    })
    .await
}

/// The branch settles a visit whose attendance was not verified: how many minutes to charge
/// and pay (the rest go back to the clip card).
#[utoipa::path(post, path = "/api/v1/visits/{id}/review", tag = "visits", security(("bearer" = [])), params(("id" = i64, Path)), request_body = ReviewInput,
    responses((status = 200, body = VisitView), (status = 403, body = Problem), (status = 404, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)))]
pub async fn review(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<VisitId>,
    JsonBody(input): JsonBody<ReviewInput>,
) -> Result<HttpResponse, ApiError> {
    let (id, settings) = (id.into_inner(), state.settings.visits.clone());
    reply::ok(&state, move |conn| {
        visits::review(conn, &caller, &settings, id, input)
    })
    .await
}
