//! Open visits: a helper says they cannot come, other helpers see what they are offered and
//! take one (`services::visits::open`).

use crate::domain::ids::VisitId;
use actix_web::{HttpResponse, web};

use crate::auth::Caller;
use crate::error::{ApiError, Problem};
use crate::routes::extract::JsonBody;
use crate::routes::reply;
use crate::services::visits::{self, OpenInput, OpenVisit, VisitView};
use crate::state::AppState;

/// Registers the routes.
pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(web::resource("/api/v1/visits/{id}/open").route(web::post().to(open)))
        .service(web::resource("/api/v1/visits/{id}/accept").route(web::post().to(accept)))
        .service(web::resource("/api/v1/me/open-visits").route(web::get().to(offered_to_me)));
}

/// The visit's helper (or the branch) says the helper cannot come: the visit becomes `open`
/// and is offered to the client's other helpers, later or close to the start to the branch's
/// other free helpers. The client's hours stay reserved.
#[utoipa::path(post, path = "/api/v1/visits/{id}/open", tag = "visits", security(("bearer" = [])), params(("id" = i64, Path)), request_body = OpenInput,
    responses((status = 200, body = VisitView), (status = 403, body = Problem), (status = 404, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)))]
pub async fn open(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<VisitId>,
    JsonBody(input): JsonBody<OpenInput>,
) -> Result<HttpResponse, ApiError> {
    let (id, settings) = (id.into_inner(), state.settings.visits.clone());
    reply::ok(&state, move |conn| {
        visits::open(conn, &caller, &settings, id, input)
    })
    .await
}

/// Takes an open visit offered to the caller (an active helper). The first accept wins; later
/// ones get 409. A visit not offered to the caller is a 404.
#[utoipa::path(post, path = "/api/v1/visits/{id}/accept", tag = "visits", security(("bearer" = [])), params(("id" = i64, Path)),
    responses((status = 200, body = VisitView), (status = 403, body = Problem), (status = 404, body = Problem), (status = 409, body = Problem)))]
pub async fn accept(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<VisitId>,
) -> Result<HttpResponse, ApiError> {
    let (id, settings) = (id.into_inner(), state.settings.visits.clone());
    reply::ok(&state, move |conn| {
        visits::accept(conn, &caller, &settings, id)
    })
    .await
}

/// The open visits the calling helper may take now: their own clients' first, then nearest.
#[utoipa::path(get, path = "/api/v1/me/open-visits", tag = "visits", security(("bearer" = [])),
    responses((status = 200, body = Vec<OpenVisit>), (status = 403, body = Problem)))]
pub async fn offered_to_me(
    state: web::Data<AppState>,
    caller: Caller,
) -> Result<HttpResponse, ApiError> {
    let settings = state.settings.visits.clone();
    reply::ok(&state, move |conn| {
        visits::offered_to_me(conn, &caller, &settings)
    })
    .await
}
