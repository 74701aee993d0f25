//! Feedback on a completed visit, from each side (`services::visits::feedback`).

use crate::domain::ids::VisitId;
use actix_web::{HttpResponse, web};

use crate::auth::Caller;
use crate::error::{ApiError, Problem};
use crate::routes::extract::JsonBody;
use crate::routes::reply;
use crate::services::visits::{self, FeedbackInput, FeedbackView};
use crate::state::AppState;

/// Registers the routes.
pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(
        web::resource("/api/v1/visits/{id}/feedback")
            .route(web::post().to(give_feedback))
            .route(web::get().to(feedback)),
    );
}

/// Rates a completed visit, once per side: the client's side (the client, or a relative with the
/// view right) or the helper who came. `dont_pair_again` rules the helper out for the client and
/// tells the branch; it ends nothing by itself.
#[utoipa::path(post, path = "/api/v1/visits/{id}/feedback", tag = "visits", security(("bearer" = [])), params(("id" = i64, Path)), request_body = FeedbackInput,
    responses((status = 201, body = FeedbackView), (status = 403, body = Problem), (status = 404, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)))]
pub async fn give_feedback(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<VisitId>,
    JsonBody(input): JsonBody<FeedbackInput>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    reply::created(&state, move |conn| visits::give(conn, &caller, id, input)).await
}

/// The feedback on a visit: both sides for the branch, each side its own.
#[utoipa::path(get, path = "/api/v1/visits/{id}/feedback", tag = "visits", security(("bearer" = [])), params(("id" = i64, Path)),
    responses((status = 200, body = Vec<FeedbackView>), (status = 404, body = Problem)))]
pub async fn feedback(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<VisitId>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    reply::ok(&state, move |conn| visits::feedback_on(conn, &caller, id)).await
}
