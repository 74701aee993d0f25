//! `/api/v1/assignments`: helper–client pairs.

use crate::domain::ids::{AssignmentId, ClientId, HelperId};
use actix_web::{HttpResponse, web};
use serde::Deserialize;

use super::extract::{JsonBody, ListResponse, PageQuery};
use super::query::QueryParams;
use super::reply;
use crate::auth::Caller;
use crate::db;
use crate::error::{ApiError, Problem};
use crate::services::assignments::{self, AssignmentInput, AssignmentView, PairsShown};
use crate::state::AppState;

/// Registers the routes.
pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(
        web::resource("/api/v1/assignments")
            .route(web::get().to(list))
            .route(web::post().to(create)),
    )
    .service(web::resource("/api/v1/assignments/{id}").route(web::delete().to(end)));
}

/// Filters of `GET /api/v1/assignments`.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct AssignmentQuery {
    /// Only this client.
    pub client_id: Option<ClientId>,
    /// Only this helper.
    pub helper_id: Option<HelperId>,
    /// Only open pairs (default true); false includes ended ones.
    pub open: Option<bool>,
    /// Items per page, 1–200.
    pub limit: Option<i64>,
    /// Cursor from the previous page.
    pub cursor: Option<String>,
}

/// Pairs the caller may see.
#[utoipa::path(get, path = "/api/v1/assignments", tag = "assignments", security(("bearer" = [])), params(AssignmentQuery),
    responses((status = 200, body = ListResponse<AssignmentView>), (status = 401, body = Problem), (status = 422, body = Problem)))]
pub async fn list(
    state: web::Data<AppState>,
    caller: Caller,
    QueryParams(query): QueryParams<AssignmentQuery>,
) -> Result<HttpResponse, ApiError> {
    let q = query;
    let page = PageQuery {
        limit: q.limit,
        cursor: q.cursor,
    }
    .page()?;
    let shown = if q.open.unwrap_or(true) {
        PairsShown::Open
    } else {
        PairsShown::All
    };
    reply::page(
        &state,
        page,
        move |conn| assignments::list(conn, &caller, q.client_id, q.helper_id, shown, page),
        |a| a.id,
    )
    .await
}

/// Pairs a helper with a client by hand (branch staff).
#[utoipa::path(post, path = "/api/v1/assignments", tag = "assignments", security(("bearer" = [])), request_body = AssignmentInput,
    responses((status = 201, body = AssignmentView), (status = 401, body = Problem), (status = 403, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)))]
pub async fn create(
    state: web::Data<AppState>,
    caller: Caller,
    JsonBody(input): JsonBody<AssignmentInput>,
) -> Result<HttpResponse, ApiError> {
    reply::created(&state, move |conn| {
        assignments::create(conn, &caller, input)
    })
    .await
}

/// Ends a pair; the record stays as history.
#[utoipa::path(delete, path = "/api/v1/assignments/{id}", tag = "assignments", security(("bearer" = [])), params(("id" = i64, Path)),
    responses((status = 204, description = "ended"), (status = 401, body = Problem), (status = 403, body = Problem), (status = 404, body = Problem)))]
pub async fn end(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<AssignmentId>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    db::run(&state.pool, move |conn| assignments::end(conn, &caller, id)).await?;
    Ok(HttpResponse::NoContent().finish())
}
