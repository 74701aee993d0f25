//! `/api/v1/branches`.

use crate::domain::ids::BranchId;
use actix_web::{HttpRequest, HttpResponse, web};

use super::caller::AdminCaller;
use super::extract::{JsonBody, ListResponse, PageQuery};
use super::query::QueryParams;
use super::reply;
use crate::auth::Caller;
use crate::error::{ApiError, Problem};
use crate::services::branches::{self, BranchInput, BranchPatch, BranchView};
use crate::state::AppState;

/// Registers the routes.
pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(
        web::resource("/api/v1/branches")
            .route(web::get().to(list))
            .route(web::post().to(create)),
    )
    .service(
        web::resource("/api/v1/branches/{id}")
            .route(web::get().to(get))
            .route(web::patch().to(update)),
    );
}

/// Lists the branches the caller can see.
#[utoipa::path(get, path = "/api/v1/branches", tag = "branches", security(("bearer" = [])), params(PageQuery),
    responses((status = 200, body = ListResponse<BranchView>), (status = 401, body = Problem), (status = 422, body = Problem)))]
pub async fn list(
    state: web::Data<AppState>,
    caller: Caller,
    QueryParams(query): QueryParams<PageQuery>,
) -> Result<HttpResponse, ApiError> {
    let page = query.page()?;
    reply::page(
        &state,
        page,
        move |conn| branches::list(conn, &caller, page),
        |b| b.id,
    )
    .await
}

/// Creates a branch (admin).
#[utoipa::path(post, path = "/api/v1/branches", tag = "branches", security(("bearer" = [])), request_body = BranchInput,
    responses((status = 201, body = BranchView), (status = 401, body = Problem), (status = 403, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)))]
pub async fn create(
    state: web::Data<AppState>,
    AdminCaller(caller): AdminCaller,
    JsonBody(input): JsonBody<BranchInput>,
) -> Result<HttpResponse, ApiError> {
    let new = branches::validate_new(input)?;
    reply::created(&state, move |conn| branches::create(conn, &caller, new)).await
}

/// One branch.
#[utoipa::path(get, path = "/api/v1/branches/{id}", tag = "branches", security(("bearer" = [])), params(("id" = i64, Path), ("If-None-Match" = Option<String>, Header, description = "the ETag of the copy you have")),
    responses((status = 304, description = "the copy named in If-None-Match is current"), (status = 200, body = BranchView), (status = 401, body = Problem), (status = 404, body = Problem)))]
pub async fn get(
    req: HttpRequest,
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<BranchId>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    reply::record(&req, &state, move |conn| branches::get(conn, &caller, id)).await
}

/// Changes a branch (admin).
#[utoipa::path(patch, path = "/api/v1/branches/{id}", tag = "branches", security(("bearer" = [])), params(("id" = i64, Path)), request_body = BranchPatch,
    responses((status = 200, body = BranchView), (status = 401, body = Problem), (status = 403, body = Problem), (status = 404, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)))]
pub async fn update(
    state: web::Data<AppState>,
    AdminCaller(caller): AdminCaller,
    id: web::Path<BranchId>,
    JsonBody(input): JsonBody<BranchPatch>,
) -> Result<HttpResponse, ApiError> {
    let (id, changes) = (id.into_inner(), branches::validate_patch(input)?);
    reply::ok(&state, move |conn| {
        branches::update(conn, &caller, id, changes)
    })
    .await
}
