//! `/api/v1/reports/hours`: hours per helper per month, JSON or CSV.

use crate::domain::ids::BranchId;
use actix_web::{HttpResponse, web};
use serde::Deserialize;

use super::query::QueryParams;
use crate::auth::Caller;
use crate::db;
use crate::error::{ApiError, Problem};
use crate::services::reports::{self, HoursReport};
use crate::state::AppState;

/// Registers the routes.
pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(web::resource("/api/v1/reports/hours").route(web::get().to(hours)));
}

/// Query of the hours report.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct HoursQuery {
    /// Branch.
    pub branch: BranchId,
    /// `YYYY-MM`, in the branch's time zone.
    pub month: String,
    /// `json` (default) or `csv`.
    pub format: Option<String>,
}

/// Hours per helper in a month, for payroll and tax: completed visits by booked length.
#[utoipa::path(get, path = "/api/v1/reports/hours", tag = "reports", security(("bearer" = [])), params(HoursQuery),
    responses((status = 200, body = HoursReport, description = "JSON, or text/csv with format=csv"), (status = 403, body = Problem), (status = 404, body = Problem), (status = 422, body = Problem)))]
pub async fn hours(
    state: web::Data<AppState>,
    caller: Caller,
    QueryParams(query): QueryParams<HoursQuery>,
) -> Result<HttpResponse, ApiError> {
    let q = query;
    let csv = match q.format.as_deref() {
        None | Some("json") => false,
        Some("csv") => true,
        Some(_) => {
            return Err(ApiError::field("format", "must be json or csv"));
        }
    };
    let (branch, month) = (q.branch, q.month);
    let report = db::run(&state.pool, move |conn| {
        reports::hours(conn, &caller, branch, &month)
    })
    .await?;
    if csv {
        let name = format!(
            "attachment; filename=\"hours-{}-{}.csv\"",
            report.branch_id, report.month
        );
        Ok(HttpResponse::Ok()
            .content_type("text/csv; charset=utf-8")
            .insert_header(("Content-Disposition", name))
            .body(report.to_csv()?))
    } else {
        Ok(HttpResponse::Ok().json(report))
    }
}
