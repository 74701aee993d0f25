//! Continuity: the branch's clients by how much of their help comes from their own team, and
//! the clients worst off (`services::continuity`), with links to each client's page.

use actix_web::{HttpResponse, web};
use serde_json::json;

use super::render::ConsolePage;
use super::session::Session;
use crate::db;
use crate::db::models::now;
use crate::domain::ids::BranchId;
use crate::error::ApiError;
use crate::services::{board, continuity};
use crate::state::AppState;

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
    let (branch, figure) = db::run(&state.pool, move |conn| {
        let branch = board::managed(conn, &caller, branch_id)?;
        let figure = continuity::for_branch(conn, &caller, branch_id, now())?;
        Ok::<_, ApiError>((branch, figure))
    })
    .await?;
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
        }),
    )
    .render(lang)
}
