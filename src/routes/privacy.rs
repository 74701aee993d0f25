//! Right of access and portability: everything held about one person as a JSON download.

use actix_web::{HttpResponse, web};

use super::reply;
use crate::auth::Caller;
use crate::domain::ids::{ClientId, HelperId, RelativeId};
use crate::error::{ApiError, Problem};
use crate::services::privacy::{self, ClientExport, HelperExport, RelativeExport};
use crate::state::AppState;

/// Registers the routes.
pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(web::resource("/api/v1/clients/{id}/export").route(web::get().to(client)))
        .service(web::resource("/api/v1/helpers/{id}/export").route(web::get().to(helper)))
        .service(
            web::resource("/api/v1/clients/{id}/relatives/{relative_id}/export")
                .route(web::get().to(relative)),
        );
}

/// Everything held about a client (staff of the branch, or the client themself), as one JSON
/// document to save; the read is audited.
#[utoipa::path(get, path = "/api/v1/clients/{id}/export", tag = "privacy", security(("bearer" = [])), params(("id" = i64, Path)),
    responses((status = 200, body = ClientExport), (status = 401, body = Problem), (status = 403, body = Problem), (status = 404, body = Problem)))]
pub async fn client(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<ClientId>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    let free_hours = state.settings.visits.free_cancellation_hours;
    reply::download(&state, format!("helpmatch-client-{id}.json"), move |conn| {
        privacy::export_client(conn, &caller, free_hours, id)
    })
    .await
}

/// Everything held about a helper (staff of the branch, or the helper themself).
#[utoipa::path(get, path = "/api/v1/helpers/{id}/export", tag = "privacy", security(("bearer" = [])), params(("id" = i64, Path)),
    responses((status = 200, body = HelperExport), (status = 401, body = Problem), (status = 404, body = Problem)))]
pub async fn helper(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<HelperId>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    let free_hours = state.settings.visits.free_cancellation_hours;
    reply::download(&state, format!("helpmatch-helper-{id}.json"), move |conn| {
        privacy::export_helper(conn, &caller, free_hours, id)
    })
    .await
}

/// Everything held about a relative (staff of the client's branch, or the relative
/// themself): each of their relative records that the caller may see, their login, the clip
/// cards they bought, the mails to them and the audit entries.
#[utoipa::path(get, path = "/api/v1/clients/{id}/relatives/{relative_id}/export", tag = "privacy", security(("bearer" = [])), params(("id" = i64, Path), ("relative_id" = i64, Path)),
    responses((status = 200, body = RelativeExport), (status = 401, body = Problem), (status = 403, body = Problem), (status = 404, body = Problem)))]
pub async fn relative(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<(ClientId, RelativeId)>,
) -> Result<HttpResponse, ApiError> {
    let (client_id, relative_id) = path.into_inner();
    reply::download(
        &state,
        format!("helpmatch-relative-{relative_id}.json"),
        move |conn| privacy::export_relative(conn, &caller, client_id, relative_id),
    )
    .await
}
