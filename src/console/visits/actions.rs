//! What a leader does to a booked visit from its page: move it, give it to another helper,
//! cancel it (a late cancellation asks first), record a no-show. Each post calls one service
//! and comes back to the page: with a message when done, with the refusal at its form when not.

use crate::domain::ids::{BranchId, HelperId, VisitId};
use actix_web::{HttpResponse, web};
use serde::{Deserialize, Serialize};

use super::form::{self, SegmentFields};
use super::page::{self, Extra, Loaded};
use crate::auth::Caller;
use crate::config::VisitSettings;
use crate::console::forms::EmptyForm;
use crate::console::refusal::Refusal;
use crate::console::render::see_other;
use crate::console::{Posted, Session};
use crate::db::{self, DbConnection};
use crate::error::ApiError;
use crate::services::visits::{self, Cancellation, VisitPatch};
use crate::state::AppState;

/// Where a post ends up.
enum ActionOutcome {
    /// Done: back to the page with this `done` flag.
    Done(&'static str),
    /// Not done: the page again, with this beside the visit.
    Again(Box<(Loaded, Extra)>),
}

impl ActionOutcome {
    fn refused(loaded: Loaded, refusal: Refusal) -> ActionOutcome {
        ActionOutcome::Again(Box::new((
            loaded,
            Extra {
                refused: Some(refusal),
                ..Extra::default()
            },
        )))
    }

    fn respond(
        self,
        session: &Session,
        branch_id: BranchId,
        id: VisitId,
    ) -> Result<HttpResponse, ApiError> {
        match self {
            ActionOutcome::Done(flag) => Ok(see_other(&format!(
                "{}?done={flag}",
                page::address(branch_id, id)
            ))),
            ActionOutcome::Again(again) => {
                let (loaded, extra) = *again;
                page::render(session, &loaded, extra)
            }
        }
    }
}

/// What every action does around its one service call: load the visit's page as the caller may
/// see it (404 otherwise), run `action` in the same `db::run`, then answer with the page or a 303.
async fn act<F>(
    state: &AppState,
    (branch_id, id): (BranchId, VisitId),
    session: Session,
    action: F,
) -> Result<HttpResponse, ApiError>
where
    F: FnOnce(
            &mut DbConnection,
            &Caller,
            &VisitSettings,
            Loaded,
        ) -> Result<ActionOutcome, ApiError>
        + Send
        + 'static,
{
    let caller = session.caller.clone();
    let settings = state.settings.visits.clone();
    let outcome = db::run(&state.pool, move |conn| {
        let loaded = page::load(
            conn,
            &caller,
            branch_id,
            id,
            settings.free_cancellation_hours,
        )?;
        action(conn, &caller, &settings, loaded)
    })
    .await?;
    outcome.respond(&session, branch_id, id)
}

/// The move form: a new local date and time, and the tasks.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct RescheduleForm {
    #[serde(default)]
    date: String,
    #[serde(default)]
    time: String,
    #[serde(flatten)]
    segments: SegmentFields,
}

/// `POST …/visits/{id}/reschedule`.
pub async fn reschedule(
    state: web::Data<AppState>,
    path: web::Path<(BranchId, VisitId)>,
    posted: Posted<RescheduleForm>,
) -> Result<HttpResponse, ApiError> {
    let Posted { session, form } = posted;
    let lang = session.lang;
    act(
        &state,
        path.into_inner(),
        session,
        move |conn, caller, settings, loaded| {
            let kept = (form.date.clone(), form.time.clone(), form.segments.clone());
            let again = |loaded, refusal| {
                ActionOutcome::Again(Box::new((
                    loaded,
                    Extra {
                        refused: Some(refusal),
                        reschedule: Some(kept),
                        ..Extra::default()
                    },
                )))
            };
            let tz = visits::time_zone(&loaded.branch);
            let starts_at = match form::local_start(&tz, &form.date, &form.time, lang) {
                Ok(at) => at,
                Err(errors) => {
                    return Ok(again(loaded, Refusal::unreadable(errors).at("reschedule")));
                }
            };
            // Tasks go to the service only when changed: a move in time keeps the tasks as booked.
            let asked = form.segments.segments();
            let booked = SegmentFields::of(&loaded.visit.segments).segments();
            let same = |a: &[visits::Segment], b: &[visits::Segment]| {
                a.len() == b.len()
                    && a.iter()
                        .zip(b)
                        .all(|(x, y)| x.task == y.task && x.minutes == y.minutes)
            };
            let patch = VisitPatch {
                starts_at: Some(starts_at),
                segments: (!same(&asked, &booked)).then_some(asked),
                helper_id: None,
            };
            match visits::reschedule(conn, caller, settings, loaded.visit.id, patch) {
                Ok(_) => Ok(ActionOutcome::Done("visit_rescheduled")),
                Err(error) => Ok(again(loaded, form::refusal("reschedule", error, lang)?)),
            }
        },
    )
    .await
}

/// The change-of-helper form.
#[derive(Debug, Deserialize)]
pub struct HelperForm {
    #[serde(default)]
    helper_id: String,
}

/// `POST …/visits/{id}/helper`: another helper of the team, or a substitute.
pub async fn change_helper(
    state: web::Data<AppState>,
    path: web::Path<(BranchId, VisitId)>,
    posted: Posted<HelperForm>,
) -> Result<HttpResponse, ApiError> {
    let Posted { session, form } = posted;
    let lang = session.lang;
    act(
        &state,
        path.into_inner(),
        session,
        move |conn, caller, settings, loaded| {
            let Ok(helper_id) = form.helper_id.trim().parse::<HelperId>() else {
                let message = vec![lang.text("visit_pick_helper")];
                return Ok(ActionOutcome::refused(
                    loaded,
                    Refusal::unreadable(message).at("helper"),
                ));
            };
            let patch = VisitPatch {
                helper_id: Some(helper_id),
                ..VisitPatch::default()
            };
            match visits::reschedule(conn, caller, settings, loaded.visit.id, patch) {
                Ok(_) => Ok(ActionOutcome::Done("visit_helper_changed")),
                Err(error) => Ok(ActionOutcome::refused(
                    loaded,
                    form::refusal("helper", error, lang)?,
                )),
            }
        },
    )
    .await
}

/// The cancel form; `confirm_late=1` once the person has been told the cancellation is late.
#[derive(Debug, Deserialize)]
pub struct CancelForm {
    #[serde(default)]
    confirm_late: String,
}

/// `POST …/visits/{id}/cancel`: at once when free; a late one only when confirmed.
pub async fn cancel(
    state: web::Data<AppState>,
    path: web::Path<(BranchId, VisitId)>,
    posted: Posted<CancelForm>,
) -> Result<HttpResponse, ApiError> {
    let Posted { session, form } = posted;
    let lang = session.lang;
    let late = if form.confirm_late == "1" {
        visits::LateCancellation::Agreed
    } else {
        visits::LateCancellation::AskFirst
    };
    act(
        &state,
        path.into_inner(),
        session,
        move |conn, caller, settings, loaded| match visits::cancel_agreeing(
            conn,
            caller,
            settings,
            loaded.visit.id,
            late,
        ) {
            Ok(Cancellation::Cancelled(visit)) if visit.late_cancellation => {
                Ok(ActionOutcome::Done("visit_cancelled_late"))
            }
            Ok(Cancellation::Cancelled(_)) => Ok(ActionOutcome::Done("visit_cancelled")),
            Ok(Cancellation::WouldBeLate { minutes }) => Ok(ActionOutcome::Again(Box::new((
                loaded,
                Extra {
                    confirm_late: Some(minutes),
                    ..Extra::default()
                },
            )))),
            Err(error) => Ok(ActionOutcome::refused(
                loaded,
                form::refusal("cancel", error, lang)?,
            )),
        },
    )
    .await
}

/// `POST …/visits/{id}/no-show`: the client was not there (the service refuses before the start).
pub async fn no_show(
    state: web::Data<AppState>,
    path: web::Path<(BranchId, VisitId)>,
    posted: Posted<EmptyForm>,
) -> Result<HttpResponse, ApiError> {
    let Posted { session, form: _ } = posted;
    let lang = session.lang;
    act(
        &state,
        path.into_inner(),
        session,
        move |conn, caller, settings, loaded| match visits::no_show(
            conn,
            caller,
            settings,
            loaded.visit.id,
        ) {
            Ok(_) => Ok(ActionOutcome::Done("visit_no_show")),
            Err(error) => Ok(ActionOutcome::refused(
                loaded,
                form::refusal("no_show", error, lang)?,
            )),
        },
    )
    .await
}
