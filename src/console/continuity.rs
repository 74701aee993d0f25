//! Continuity: the branch's clients by how much of their help comes from their own team, and
//! the clients worst off (`services::continuity`), and the next 8 weeks: the clients with a week
//! below their whole team, those who would have nobody first (`services::coverage`).

use actix_web::{HttpResponse, web};
use serde_json::json;

use super::render::ConsolePage;
use super::session::Session;
use crate::db;
use crate::db::models::now;
use crate::domain::ids::BranchId;
use crate::error::ApiError;
use crate::services::{board, continuity, coverage};
use crate::state::AppState;

/// Clients with a thin week the page lists (the API has them all).
const AT_RISK_SHOWN: usize = 50;

/// Registers the page.
pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route("/branches/{branch}/continuity", web::get().to(page));
}

async fn page(
    state: web::Data<AppState>,
    session: Session,
    path: web::Path<BranchId>,
) -> Result<HttpResponse, ApiError> {
    let branch_id = path.into_inner();
    let caller = session.caller.clone();
    let (branch, figure, mut ahead) = db::run(&state.pool, move |conn| {
        let branch = board::managed(conn, &caller, branch_id)?;
        let figure = continuity::for_branch(conn, &caller, branch_id, now())?;
        let ahead = coverage::compute(conn, &branch, now())?;
        Ok::<_, ApiError>((branch, figure, ahead))
    })
    .await?;
    let at_risk = ahead.at_risk.len();
    ahead.at_risk.truncate(AT_RISK_SHOWN);
    let lang = session.lang;
    let most = figure
        .distribution
        .iter()
        .map(|b| b.clients)
        .max()
        .unwrap_or(0)
        .max(1);
    let bands: Vec<_> = figure
        .distribution
        .iter()
        .map(|b| json!({"from": b.from_percent, "to": b.to_percent, "clients": b.clients}))
        .collect();
    ConsolePage::new(
        "continuity.html",
        json!({
            "title": lang.text("continuity"),
            "me": session.layout(),
            "branch": {"id": branch.id, "name": branch.name},
            "nav": "continuity",
            "here": format!("/console/branches/{branch_id}/continuity"),
            "figure": figure,
            "bands": bands,
            // The bars' common scale: the fullest band.
            "most": most,
            "share_days": continuity::SHARE_DAYS,
            "ahead": ahead,
            "at_risk": at_risk,
        }),
    )
    .render(lang)
}
