//! Recruitment: a column per pipeline stage with each student's days in the stage, the
//! waitlist in order, and a student's page with their history and a form that moves them on
//! with a note (and, leaving interview 2, the criminal-record check's date and outcome only).
//! Every move goes through the same service as `POST /api/v1/helpers/{id}/transitions`.

use crate::domain::ids::{BranchId, HelperId};
use actix_web::{HttpResponse, web};
use chrono::NaiveDate;
use serde::Deserialize;
use serde_json::{Value, json};

use super::refusal::Refusal;
use super::render::{ConsolePage, see_other};
use super::session::{Posted, Session};
use crate::db::{self, Page};
use crate::domain::HelperStatus;
use crate::error::{ApiError, FieldError};
use crate::routes::QueryParams;
use crate::services::board;
use crate::services::helpers::{
    self, CriminalRecordCheck, HelperSearch, HelperView, TransitionInput,
};
use crate::state::AppState;

/// The stages shown as columns, in pipeline order; the others are counted lists below.
const COLUMNS: [HelperStatus; 6] = [
    HelperStatus::Applied,
    HelperStatus::Screened,
    HelperStatus::Interview1,
    HelperStatus::Interview2,
    HelperStatus::Interview3,
    HelperStatus::Waitlisted,
];
const OTHERS: [HelperStatus; 4] = [
    HelperStatus::Active,
    HelperStatus::Paused,
    HelperStatus::Rejected,
    HelperStatus::Left,
];

/// Registers the pages.
pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route(
        "/branches/{branch}/recruitment",
        web::get().to(stage_columns),
    )
    .route(
        "/branches/{branch}/recruitment/{helper}",
        web::get().to(student),
    )
    .route(
        "/branches/{branch}/recruitment/{helper}",
        web::post().to(move_student),
    );
}

async fn stage_columns(
    state: web::Data<AppState>,
    session: Session,
    path: web::Path<BranchId>,
) -> Result<HttpResponse, ApiError> {
    let branch_id = path.into_inner();
    let caller = session.caller.clone();
    let (branch, everyone) = db::run(&state.pool, move |conn| {
        let branch = board::managed(conn, &caller, branch_id)?;
        let mut everyone: Vec<HelperView> = vec![];
        // The API's pages, followed to the end: a branch has hundreds of students, not more.
        loop {
            let after = everyone.last().map_or(0, |h| h.id.0);
            let search = HelperSearch {
                branch: Some(branch_id),
                ..Default::default()
            };
            let page = helpers::list(conn, &caller, search, Page { after, limit: 200 })?;
            let done = page.len() < 200;
            everyone.extend(page);
            if done {
                break;
            }
        }
        Ok::<_, ApiError>((branch, everyone))
    })
    .await?;
    let in_stage = |stage: HelperStatus| -> Vec<&HelperView> {
        let mut list: Vec<&HelperView> = everyone.iter().filter(|h| h.status == stage).collect();
        // Longest waiting first; the waitlist in its own order.
        list.sort_by_key(|h| (h.waitlist_position, -h.days_in_stage, h.id));
        list
    };
    let columns: Vec<Value> = COLUMNS
        .iter()
        .map(|&stage| json!({"status": stage, "helpers": in_stage(stage)}))
        .collect();
    let others: Vec<Value> = OTHERS
        .iter()
        .map(|&stage| json!({"status": stage, "helpers": in_stage(stage)}))
        .collect();
    ConsolePage::new(
        "recruitment.html",
        json!({
            "title": session.lang.text("recruitment"),
            "me": session.layout(),
            "branch": {"id": branch.id, "name": branch.name},
            "nav": "recruitment",
            "here": format!("/console/branches/{branch_id}/recruitment"),
            "columns": columns,
            "others": others,
        }),
    )
    .render(session.lang)
}

/// `?done=` after a move: what happened, and what it set off.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct MoveDone {
    done: Option<String>,
    ended: Option<usize>,
    affected: Option<usize>,
}

/// The move form's fields (the check's two only when the student is at interview 2).
#[derive(Debug, Default, Deserialize, serde::Serialize)]
#[serde(deny_unknown_fields)]
struct MoveForm {
    #[serde(default)]
    to: String,
    #[serde(default)]
    note: String,
    #[serde(default)]
    checked_on: String,
    #[serde(default)]
    outcome: String,
}

async fn student(
    state: web::Data<AppState>,
    session: Session,
    path: web::Path<(BranchId, HelperId)>,
    QueryParams(done): QueryParams<MoveDone>,
) -> Result<HttpResponse, ApiError> {
    let (branch_id, helper_id) = path.into_inner();
    student_page(&state, &session, branch_id, helper_id, &done, None).await
}

async fn move_student(
    state: web::Data<AppState>,
    posted: Posted<MoveForm>,
    path: web::Path<(BranchId, HelperId)>,
) -> Result<HttpResponse, ApiError> {
    let (branch_id, helper_id) = path.into_inner();
    let Posted { session, form } = posted;
    let input = match transition_input(&form) {
        Ok(input) => input,
        Err(fields) => {
            let refused = Refusal::fields(fields);
            return student_page(
                &state,
                &session,
                branch_id,
                helper_id,
                &MoveDone::default(),
                Some((refused, form)),
            )
            .await;
        }
    };
    let caller = session.caller.clone();
    let moved = db::run(&state.pool, move |conn| {
        // The student must be of the branch in the address, as every record under it.
        of_branch(conn, &caller, branch_id, helper_id)?;
        helpers::transition(conn, &caller, helper_id, input)
    })
    .await;
    match moved {
        Ok(result) => {
            let done = match (result.helper.status.as_str(), result.invitation_sent) {
                ("active", true) => "invited",
                ("active", false) => "activated",
                _ => "moved",
            };
            Ok(see_other(&format!(
                "/console/branches/{branch_id}/recruitment/{helper_id}?done={done}&ended={}&affected={}",
                result.assignments_ended, result.visits_affected
            )))
        }
        Err(error) => {
            let refused = Refusal::of(error)?;
            student_page(
                &state,
                &session,
                branch_id,
                helper_id,
                &MoveDone::default(),
                Some((refused, form)),
            )
            .await
        }
    }
}

/// What the service takes; a date that is not one is a field the console could not read.
fn transition_input(form: &MoveForm) -> Result<TransitionInput, Vec<FieldError>> {
    let (on, outcome) = (form.checked_on.trim(), form.outcome.trim());
    let criminal_record = if on.is_empty() && outcome.is_empty() {
        None
    } else {
        let checked_on = NaiveDate::parse_from_str(on, "%Y-%m-%d").map_err(|_| {
            vec![FieldError::new(
                "criminal_record.checked_on",
                "must be a date (YYYY-MM-DD)",
            )]
        })?;
        Some(CriminalRecordCheck {
            checked_on,
            outcome: outcome.to_string(),
        })
    };
    Ok(TransitionInput {
        to: form.to.clone(),
        note: form.note.clone(),
        criminal_record,
    })
}

/// The helper, when they are of `branch_id` and the caller may see them; else 404.
fn of_branch(
    conn: &mut crate::db::DbConnection,
    caller: &crate::auth::Caller,
    branch_id: BranchId,
    helper_id: HelperId,
) -> Result<HelperView, ApiError> {
    let helper = helpers::get(conn, caller, helper_id)?;
    if helper.branch_id != branch_id {
        return Err(ApiError::NotFound);
    }
    Ok(helper)
}

async fn student_page(
    state: &web::Data<AppState>,
    session: &Session,
    branch_id: BranchId,
    helper_id: HelperId,
    done: &MoveDone,
    refused: Option<(Refusal, MoveForm)>,
) -> Result<HttpResponse, ApiError> {
    let caller = session.caller.clone();
    let (branch, helper, history, moves) = db::run(&state.pool, move |conn| {
        let branch = board::managed(conn, &caller, branch_id)?;
        let helper = of_branch(conn, &caller, branch_id, helper_id)?;
        let history = helpers::history(conn, &caller, helper_id)?;
        let moves = helpers::moves(conn, &caller, helper_id)?;
        Ok::<_, ApiError>((branch, helper, history, moves))
    })
    .await?;
    let lang = session.lang;
    let (status, error, form) = match refused {
        Some((refusal, form)) => (refusal.status, Some(refusal.values(lang, "rec")), form),
        None => (actix_web::http::StatusCode::OK, None, MoveForm::default()),
    };
    let done_text = done
        .done
        .as_deref()
        .filter(|d| ["moved", "invited", "activated"].contains(d))
        .map(|d| lang.text(&format!("rec_moved_{d}")));
    ConsolePage::new(
        "recruitment_student.html",
        json!({
            "title": helper.name,
            "me": session.layout(),
            "branch": {"id": branch.id, "name": branch.name},
            "nav": "recruitment",
            "here": format!("/console/branches/{branch_id}/recruitment/{helper_id}"),
            "helper": helper,
            "history": history,
            "moves": moves,
            "done": done_text,
            "ended": done.ended.unwrap_or(0),
            "affected": done.affected.unwrap_or(0),
            "error": error,
            "form": form,
        }),
    )
    .status(status)
    .render(lang)
}
