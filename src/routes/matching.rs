//! `/api/v1/branches/{id}/matching/*`: propose pairs, commit a proposal.

use crate::domain::ids::BranchId;
use actix_web::{HttpResponse, web};

use super::extract::JsonBody;
use super::reply;
use crate::auth::Caller;
use crate::error::{ApiError, Problem};
use crate::services::matching::{self, CommitInput, CommitResult, Preview, PreviewInput};
use crate::state::AppState;

/// Registers the routes.
pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(
        web::resource("/api/v1/branches/{id}/matching/preview").route(web::post().to(preview)),
    )
    .service(web::resource("/api/v1/branches/{id}/matching/commit").route(web::post().to(commit)));
}

/// Proposes the optimal pairs for a branch's active helpers and clients, with explanations.
#[utoipa::path(post, path = "/api/v1/branches/{id}/matching/preview", tag = "matching", security(("bearer" = [])),
    params(("id" = i64, Path)), request_body = PreviewInput,
    responses((status = 200, body = Preview), (status = 403, body = Problem), (status = 404, body = Problem), (status = 422, body = Problem)))]
pub async fn preview(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<BranchId>,
    JsonBody(input): JsonBody<PreviewInput>,
) -> Result<HttpResponse, ApiError> {
    let (branch, params) = (id.into_inner(), matching::params(input)?);
    reply::ok(&state, move |conn| {
        matching::preview(conn, &caller, branch, params)
    })
    .await
}

/// Commits a proposal; 409 when the branch's data changed since the preview.
#[utoipa::path(post, path = "/api/v1/branches/{id}/matching/commit", tag = "matching", security(("bearer" = [])),
    params(("id" = i64, Path)), request_body = CommitInput,
    responses((status = 200, body = CommitResult), (status = 403, body = Problem), (status = 404, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)))]
pub async fn commit(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<BranchId>,
    JsonBody(input): JsonBody<CommitInput>,
) -> Result<HttpResponse, ApiError> {
    let branch = id.into_inner();
    reply::ok(&state, move |conn| {
        matching::commit(conn, &caller, branch, input.proposal_id)
    })
    .await
}
