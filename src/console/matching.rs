//! Matching: the leader sets the matcher's parameters, sees the proposal with why each pair
//! is what it is, who is left short and a plot of the branch, and commits it. A proposal the
//! branch's data has outrun since is refused with the reason and a button for a fresh one.
//!
//! The preview is answered on the POST itself (no redirect): it stores a proposal but
//! changes nothing a person sees, and the page is the proposal; reloading it makes another.

mod plot;

use crate::domain::ids::{BranchId, ProposalId};
use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use serde::Deserialize;
use serde_json::{Value, json};

use super::forms::whole_number;
use super::refusal::Refusal;
use super::render::{ConsolePage, see_other};
use super::session::{Posted, Session};
use crate::db;
use crate::error::{ApiError, FieldError};
use crate::matching::Params;
use crate::routes::QueryParams;
use crate::services::{board, matching, matching_map};
use crate::state::AppState;

/// Registers the pages.
pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route("/branches/{branch}/matching", web::get().to(form))
        .route(
            "/branches/{branch}/matching/preview",
            web::post().to(preview),
        )
        .route("/branches/{branch}/matching/commit", web::post().to(commit));
}

/// The parameters as typed (kept as text, so a refused form shows what was typed).
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ParamsForm {
    #[serde(default)]
    mode: String,
    #[serde(default)]
    max_distance_m: String,
    #[serde(default)]
    missing_skill_penalty_m: String,
    #[serde(default)]
    change_penalty_m: String,
}

impl ParamsForm {
    /// The service's defaults, as the empty form shows them.
    fn defaults() -> ParamsForm {
        let d = Params::default();
        ParamsForm {
            mode: "keep".into(),
            max_distance_m: d.max_distance_m.to_string(),
            missing_skill_penalty_m: d.missing_skill_penalty_m.to_string(),
            change_penalty_m: d.change_penalty_m.to_string(),
        }
    }

    /// The service's parameters: numbers read here, every rule checked by the service.
    fn params(&self) -> Result<Params, ApiError> {
        let mut errors: Vec<FieldError> = vec![];
        let input = matching::PreviewInput {
            mode: Some(self.mode.trim().to_string()).filter(|m| !m.is_empty()),
            max_distance_m: whole_number(&mut errors, "max_distance_m", &self.max_distance_m),
            missing_skill_penalty_m: whole_number(
                &mut errors,
                "missing_skill_penalty_m",
                &self.missing_skill_penalty_m,
            ),
            change_penalty_m: whole_number(&mut errors, "change_penalty_m", &self.change_penalty_m),
        };
        match (matching::params(input), errors.is_empty()) {
            (Ok(params), true) => Ok(params),
            (Ok(_), false) => Err(ApiError::Validation(errors)),
            (Err(ApiError::Validation(more)), _) => {
                errors.extend(more);
                Err(ApiError::Validation(errors))
            }
            (Err(other), _) => Err(other),
        }
    }

    fn values(&self) -> Value {
        json!({
            "mode": self.mode,
            "max_distance_m": self.max_distance_m,
            "missing_skill_penalty_m": self.missing_skill_penalty_m,
            "change_penalty_m": self.change_penalty_m,
        })
    }
}

/// `?done=committed&started=&ended=` after a commit.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CommitDone {
    done: Option<String>,
    started: Option<i64>,
    ended: Option<i64>,
}

/// The commit form: the proposal, and the parameters it was made with (for a fresh preview
/// when it is refused). Spelled out: serde's `flatten` would read the numbers as text.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CommitForm {
    proposal_id: ProposalId,
    #[serde(default)]
    mode: String,
    #[serde(default)]
    max_distance_m: String,
    #[serde(default)]
    missing_skill_penalty_m: String,
    #[serde(default)]
    change_penalty_m: String,
}

impl CommitForm {
    fn params(&self) -> ParamsForm {
        ParamsForm {
            mode: self.mode.clone(),
            max_distance_m: self.max_distance_m.clone(),
            missing_skill_penalty_m: self.missing_skill_penalty_m.clone(),
            change_penalty_m: self.change_penalty_m.clone(),
        }
    }
}

fn page_values(session: &Session, branch: &crate::db::models::branch::Branch) -> Value {
    json!({
        "title": session.lang.text("matching_title"),
        "me": session.layout(),
        "branch": {"id": branch.id, "name": branch.name},
        "nav": "matching",
        "here": format!("/console/branches/{}/matching", branch.id),
    })
}

fn merge(mut base: Value, more: Value) -> Value {
    if let (Value::Object(base), Value::Object(more)) = (&mut base, more) {
        base.extend(more);
    }
    base
}

async fn managed(
    state: &AppState,
    session: &Session,
    branch_id: BranchId,
) -> Result<crate::db::models::branch::Branch, ApiError> {
    let caller = session.caller.clone();
    db::run(&state.pool, move |conn| {
        board::managed(conn, &caller, branch_id)
    })
    .await
}

async fn form(
    state: web::Data<AppState>,
    session: Session,
    path: web::Path<BranchId>,
    QueryParams(query): QueryParams<CommitDone>,
) -> Result<HttpResponse, ApiError> {
    let branch = managed(&state, &session, path.into_inner()).await?;
    let done = (query.done.as_deref() == Some("committed"))
        .then(|| json!({"started": query.started.unwrap_or(0), "ended": query.ended.unwrap_or(0)}));
    ConsolePage::new(
        "matching.html",
        merge(
            page_values(&session, &branch),
            json!({"form": ParamsForm::defaults().values(), "errors": {}, "done": done}),
        ),
    )
    .render(session.lang)
}

async fn preview(
    state: web::Data<AppState>,
    posted: Posted<ParamsForm>,
    path: web::Path<BranchId>,
) -> Result<HttpResponse, ApiError> {
    let Posted { session, form } = posted;
    let branch = managed(&state, &session, path.into_inner()).await?;
    let params = match form.params() {
        Ok(params) => params,
        Err(error) => return refused_params(&session, &branch, &form, error),
    };
    let caller = session.caller.clone();
    let branch_id = branch.id;
    let (proposal, map) = db::run(&state.pool, move |conn| {
        let proposal = matching::preview(conn, &caller, branch_id, params)?;
        let map = matching_map::map(conn, &caller, branch_id)?;
        Ok::<_, ApiError>((proposal, map))
    })
    .await?;
    let name = |people: &[matching_map::MapPoint], id: i64| -> String {
        people
            .iter()
            .find(|p| p.id == id)
            .map(|p| p.name.clone())
            .unwrap_or_else(|| format!("#{id}"))
    };
    let pairs: Vec<Value> = proposal
        .pairs
        .iter()
        .map(|p| {
            merge(
                json!(p),
                json!({
                    "client_name": name(&map.clients, p.client_id.0),
                    "helper_name": name(&map.helpers, p.helper_id.0),
                    "km": format!("{:.1}", p.distance_m as f64 / 1000.0),
                }),
            )
        })
        .collect();
    let ended: Vec<Value> = proposal
        .ended
        .iter()
        .map(|e| {
            merge(
                json!(e),
                json!({"client_name": name(&map.clients, e.client_id.0), "helper_name": name(&map.helpers, e.helper_id.0)}),
            )
        })
        .collect();
    let unfilled: Vec<Value> = proposal
        .unfilled
        .iter()
        .map(|u| {
            merge(
                json!(u),
                json!({"client_name": name(&map.clients, u.client_id.0)}),
            )
        })
        .collect();
    let new_count = proposal.pairs.iter().filter(|p| p.new).count();
    ConsolePage::new(
        "matching_preview.html",
        merge(
            page_values(&session, &branch),
            json!({
                "form": form.values(),
                "errors": {},
                "proposal_id": proposal.proposal_id,
                "fingerprint": proposal.fingerprint.get(..12).unwrap_or_default(),
                "pairs": pairs,
                "new_count": new_count,
                "kept_count": proposal.pairs.len() - new_count,
                "ended": ended,
                "unfilled": unfilled,
                "total_km": format!("{:.1}", proposal.total_cost as f64 / 1000.0),
                "plot": plot::plot(&map, &proposal),
            }),
        ),
    )
    .render(session.lang)
}

fn refused_params(
    session: &Session,
    branch: &crate::db::models::branch::Branch,
    form: &ParamsForm,
    error: ApiError,
) -> Result<HttpResponse, ApiError> {
    let refused = Refusal::of(error)?;
    ConsolePage::new(
        "matching.html",
        merge(
            page_values(session, branch),
            json!({"form": form.values(), "errors": refused.by_field(), "error": refused.summary(), "done": null}),
        ),
    )
    .status(refused.status)
    .render(session.lang)
}

async fn commit(
    state: web::Data<AppState>,
    posted: Posted<CommitForm>,
    path: web::Path<BranchId>,
) -> Result<HttpResponse, ApiError> {
    let Posted { session, form } = posted;
    let branch = managed(&state, &session, path.into_inner()).await?;
    let caller = session.caller.clone();
    let (branch_id, proposal_id) = (branch.id, form.proposal_id);
    let done = db::run(&state.pool, move |conn| {
        matching::commit(conn, &caller, branch_id, proposal_id)
    })
    .await;
    match done {
        Ok(result) => Ok(see_other(&format!(
            "/console/branches/{branch_id}/matching?done=committed&started={}&ended={}",
            result.started.len(),
            result.ended
        ))),
        Err(error) => {
            let refused = Refusal::of(error)?;
            let stale = refused.status == StatusCode::CONFLICT;
            ConsolePage::new(
                "matching_stale.html",
                merge(
                    page_values(&session, &branch),
                    json!({"form": form.params().values(), "errors": {}, "error": refused.summary(), "stale": stale}),
                ),
            )
            .status(refused.status)
            .render(session.lang)
        }
    }
}
