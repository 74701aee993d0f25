//! The report a visit leaves (`services::visits::report`).

use crate::domain::ids::VisitId;
use actix_web::{HttpRequest, HttpResponse, web};

use crate::auth::Caller;
use crate::error::{ApiError, Problem};
use crate::routes::reply;
use crate::services::visits::{self, ReportView};
use crate::state::AppState;

/// Registers the routes.
pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(web::resource("/api/v1/visits/{id}/report").route(web::get().to(report)));
}

/// A visit's report: what was done per task, with the helper's notes. The client's side with the
/// view right, the branch and the helper who wrote it read it (a worry only the branch and that
/// helper); 404 for anyone else, and while there is none. Reads are audited.
#[utoipa::path(get, path = "/api/v1/visits/{id}/report", tag = "visits", security(("bearer" = [])), params(("id" = i64, Path), ("If-None-Match" = Option<String>, Header, description = "the ETag of the copy you have")),
    responses((status = 304, description = "the copy named in If-None-Match is current"), (status = 200, body = ReportView), (status = 404, body = Problem)))]
pub async fn report(
    req: HttpRequest,
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<VisitId>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    reply::record(&req, &state, move |conn| {
        visits::read_report(conn, &caller, id)
    })
    .await
}
