//! `GET /api/v1/branches/{id}/digest`: what the branch leader's morning digest would say now.

use actix_web::{HttpResponse, web};

use super::reply;
use crate::auth::Caller;
use crate::db::models::now;
use crate::domain::digest::Digest;
use crate::domain::ids::BranchId;
use crate::error::{ApiError, Problem};
use crate::services::digest;
use crate::state::AppState;

/// Registers the route.
pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route("/api/v1/branches/{id}/digest", web::get().to(branch_digest));
}

/// What needs the branch now, as the morning digest mails it: clients short of helpers, visits
/// of the next 7 days without a helper, clients whose hours run out within two weeks, active
/// helpers without availability, applications waiting too long in one stage.
#[utoipa::path(get, path = "/api/v1/branches/{id}/digest", tag = "branches", security(("bearer" = [])), params(("id" = i64, Path)),
    responses((status = 200, body = Digest), (status = 401, body = Problem), (status = 404, body = Problem)))]
pub async fn branch_digest(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<BranchId>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    let settings = state.settings.digest.clone();
    reply::ok(&state, move |conn| {
        digest::for_branch(conn, &caller, id, &settings, now())
    })
    .await
}
