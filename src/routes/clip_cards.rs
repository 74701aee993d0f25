//! Prices, clip cards, balances and the ledger.

use crate::domain::ids::{BranchId, ClientId};
use actix_web::{HttpRequest, HttpResponse, web};

use super::extract::{JsonBody, ListResponse, PageQuery};
use super::idempotent::{self, body_fingerprint, idempotency_key};
use super::query::QueryParams;
use super::reply;
use crate::auth::Caller;
use crate::db::models::now;
use crate::db::{self, models::ledger::Balance};
use crate::error::{ApiError, Problem};
use crate::services::clip_cards::{
    self, ClipCardView, HoursForecast, LedgerEntryView, PriceInput, PriceList, PriceView, Purchase,
    PurchaseInput,
};
use crate::services::idempotency::{Keyed, respond_once};
use crate::state::AppState;

/// Registers the routes.
pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(
        web::resource("/api/v1/branches/{id}/prices")
            .route(web::get().to(prices))
            .route(web::post().to(add_price)),
    )
    .service(
        web::resource("/api/v1/clients/{id}/clip-cards")
            .route(web::get().to(cards))
            .route(web::post().to(buy)),
    )
    .service(web::resource("/api/v1/clients/{id}/balance").route(web::get().to(balance)))
    .service(
        web::resource("/api/v1/clients/{id}/hours-forecast").route(web::get().to(hours_forecast)),
    )
    .service(web::resource("/api/v1/clients/{id}/ledger").route(web::get().to(ledger)));
}

/// Clip-card and single-hour prices in force, with their history.
#[utoipa::path(get, path = "/api/v1/branches/{id}/prices", tag = "clip cards", security(("bearer" = [])), params(("id" = i64, Path)),
    responses((status = 200, body = PriceList), (status = 404, body = Problem)))]
pub async fn prices(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<BranchId>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    reply::ok(&state, move |conn| clip_cards::prices(conn, &caller, id)).await
}

/// Sets a new price from a date (admin); earlier purchases keep their price.
#[utoipa::path(post, path = "/api/v1/branches/{id}/prices", tag = "clip cards", security(("bearer" = [])), params(("id" = i64, Path)), request_body = PriceInput,
    responses((status = 201, body = PriceView), (status = 403, body = Problem), (status = 404, body = Problem), (status = 422, body = Problem)))]
pub async fn add_price(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<BranchId>,
    JsonBody(input): JsonBody<PriceInput>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    reply::created(&state, move |conn| {
        clip_cards::add_price(conn, &caller, id, input)
    })
    .await
}

/// Buys a clip card for a client. Send an `Idempotency-Key` header to make a retry safe.
#[utoipa::path(post, path = "/api/v1/clients/{id}/clip-cards", tag = "clip cards", security(("bearer" = [])), params(("id" = i64, Path),
    ("Idempotency-Key" = Option<String>, Header, description = "the same key again returns the first answer")), request_body = PurchaseInput,
    responses((status = 201, body = Purchase), (status = 403, body = Problem), (status = 404, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)))]
pub async fn buy(
    req: HttpRequest,
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<ClientId>,
    JsonBody(input): JsonBody<PurchaseInput>,
) -> Result<HttpResponse, ApiError> {
    let client = id.into_inner();
    // One key per account across clients: the same key for another client is a different request.
    let keyed = Keyed {
        user_id: caller.user_id,
        endpoint: "POST /api/v1/clients/{id}/clip-cards",
        key: idempotency_key(&req)?,
        fingerprint: body_fingerprint(&req),
    };
    let answer = db::run(&state.pool, move |conn| {
        respond_once(conn, &keyed, 201, |conn| {
            clip_cards::buy(conn, &caller, client, input)
        })
    })
    .await?;
    Ok(idempotent::into_response(answer))
}

/// Remaining, reserved and used minutes, derived from the ledger.
#[utoipa::path(get, path = "/api/v1/clients/{id}/balance", tag = "clip cards", security(("bearer" = [])), params(("id" = i64, Path)),
    responses((status = 200, body = Balance), (status = 404, body = Problem)))]
pub async fn balance(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<ClientId>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    reply::ok(&state, move |conn| clip_cards::balance(conn, &caller, id)).await
}

/// The day the client's hours run out at the rate they book: the free minutes last, after the
/// last booked visit, at the minutes booked in the next 28 days spread over those days.
#[utoipa::path(get, path = "/api/v1/clients/{id}/hours-forecast", tag = "clip cards", security(("bearer" = [])), params(("id" = i64, Path)),
    responses((status = 200, body = HoursForecast), (status = 404, body = Problem)))]
pub async fn hours_forecast(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<ClientId>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    reply::ok(&state, move |conn| {
        clip_cards::forecast::for_client(conn, &caller, id, now())
    })
    .await
}

/// The client's clip cards, oldest first: what was bought, when, at which price, how paid.
#[utoipa::path(get, path = "/api/v1/clients/{id}/clip-cards", tag = "clip cards", security(("bearer" = [])), params(("id" = i64, Path), PageQuery),
    responses((status = 200, body = ListResponse<ClipCardView>), (status = 404, body = Problem)))]
pub async fn cards(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<ClientId>,
    QueryParams(query): QueryParams<PageQuery>,
) -> Result<HttpResponse, ApiError> {
    let (id, page) = (id.into_inner(), query.page()?);
    reply::page(
        &state,
        page,
        move |conn| clip_cards::cards(conn, &caller, id, page),
        |c| c.id,
    )
    .await
}

/// Every movement of minutes, oldest first.
#[utoipa::path(get, path = "/api/v1/clients/{id}/ledger", tag = "clip cards", security(("bearer" = [])), params(("id" = i64, Path), PageQuery),
    responses((status = 200, body = ListResponse<LedgerEntryView>), (status = 404, body = Problem)))]
pub async fn ledger(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<ClientId>,
    QueryParams(query): QueryParams<PageQuery>,
) -> Result<HttpResponse, ApiError> {
    let (id, page) = (id.into_inner(), query.page()?);
    reply::page(
        &state,
        page,
        move |conn| clip_cards::ledger(conn, &caller, id, page),
        |e| e.id,
    )
    .await
}
