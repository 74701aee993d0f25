//! Moves through the recruitment pipeline and what each move sets off.

use crate::domain::audit::{AuditAction, AuditEntity};
use crate::domain::ids::{HelperId, UserId};
use chrono::{NaiveDate, NaiveDateTime};
use serde::Serialize;

use super::{HelperView, view, visible};
use crate::auth::Caller;
use crate::db::DbConnection;
use crate::db::models::assignment::Assignment;
use crate::db::models::audit::AuditEvent;
use crate::db::models::helper::{Helper, HelperTransition, NewHelperTransition, PriorStatus};
use crate::db::models::now;
use crate::db::models::user::{User, UserChanges};
use crate::db::models::visit::Whose;
use crate::domain::pipeline::TransitionError;
use crate::domain::validation::not_in_future;
use crate::domain::{CheckOutcome, HelperStatus, Text, Validator};
use crate::error::ApiError;
use crate::services::invitations::{self, Capacity};
use crate::services::{erasure, visits};

/// Body of `POST /api/v1/helpers/{id}/transitions`.
#[derive(Debug, eserde::Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"to": "interview_3", "note": "second interview went well", "criminal_record": {"checked_on": "2026-11-20", "outcome": "clear"}}))]
pub struct TransitionInput {
    /// Target status.
    #[schema(value_type = crate::domain::HelperStatus)]
    pub to: String,
    /// Why (shown in the history).
    #[serde(default)]
    pub note: String,
    /// Date and outcome of the criminal-record check (recorded at interview_2; never the document).
    #[serde(default)]
    pub criminal_record: Option<CriminalRecordCheck>,
}

/// A criminal-record check: only date and outcome are kept.
#[derive(Debug, eserde::Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CriminalRecordCheck {
    /// Date of the certificate check.
    #[eserde(compat)]
    pub checked_on: NaiveDate,
    /// `clear` or `not_clear`.
    #[schema(value_type = crate::domain::CheckOutcome)]
    pub outcome: String,
}

/// Result of a move: the helper, and what the move set off.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct TransitionResult {
    /// The helper after the move.
    pub helper: HelperView,
    /// On activation of a helper without a password: a set-password link was mailed to them.
    pub invitation_sent: bool,
    /// Assignments ended by a pause or departure.
    pub assignments_ended: usize,
    /// Booked visits that now need the branch's attention (the helper cannot come).
    pub visits_affected: usize,
}

/// Moves a helper through the pipeline (staff of the branch).
pub fn transition(
    conn: &mut DbConnection,
    caller: &Caller,
    id: HelperId,
    input: TransitionInput,
) -> Result<TransitionResult, ApiError> {
    caller.require_staff()?;
    let mut v = Validator::default();
    let to = v.check("to", HelperStatus::parse(&input.to));
    let note = v.check("note", Text::optional(&input.note, 2000));
    let record = match &input.criminal_record {
        None => Some(None),
        Some(check) => {
            let outcome = v.check(
                "criminal_record.outcome",
                CheckOutcome::parse(&check.outcome)
                    .map_err(|_| "must be clear or not_clear".to_string()),
            );
            let on = v.check(
                "criminal_record.checked_on",
                not_in_future(check.checked_on),
            );
            (|| Some(Some((on?, outcome?))))()
        }
    };
    let (to, note, record) = v.into_value((|| Some((to?, note?, record?)))())?;
    crate::db::write_transaction(conn, |conn| {
        let helper = visible(conn, caller, id)?;
        let from = helper.status;
        let resume = helper.resume_status;
        if record.is_some() && !from.records_criminal_check() {
            return Err(ApiError::field(
                "criminal_record",
                "is recorded when leaving interview_2",
            ));
        }
        let check = match &record {
            Some((_, outcome)) => Some(*outcome),
            None => helper.criminal_record_outcome,
        };
        from.check_move(to, resume, check).map_err(|e| match e {
            TransitionError::NotAllowed { .. } => ApiError::Conflict(e.to_string()),
            TransitionError::CriminalRecordCheckMissing => {
                ApiError::field("criminal_record", e.to_string())
            }
        })?;
        let at = now();
        let new_resume = (to == HelperStatus::Waitlisted).then_some(from);
        if Helper::set_status(conn, id, from, to, new_resume, record, at)? == 0 {
            return Err(ApiError::Conflict(
                "the helper's status changed meanwhile; reload and try again".into(),
            ));
        }
        Helper::record_transition(
            conn,
            &NewHelperTransition {
                helper_id: id,
                from_status: PriorStatus(Some(from)),
                to_status: to,
                actor_user_id: Some(caller.user_id),
                note: note.into_string(),
                criminal_record_checked_on: record.as_ref().map(|(on, _)| *on),
                criminal_record_outcome: record.map(|(_, outcome)| outcome),
                at,
            },
        )?;
        AuditEvent::record(
            conn,
            Some(caller.user_id),
            AuditAction::Transition,
            AuditEntity::Helper,
            id,
            &["status"],
        )?;
        let effects = apply_side_effects(conn, caller, &helper, to, at)?;
        crate::email::helper_moved(conn, &helper, to, effects.invite_token.as_deref())?;
        let helper = Helper::find(conn, id)?;
        Ok(TransitionResult {
            helper: view(conn, helper)?,
            invitation_sent: effects.invite_token.is_some(),
            assignments_ended: effects.assignments_ended,
            visits_affected: effects.visits_affected,
        })
    })
}

/// Where a helper can be moved now.
#[derive(Debug, Serialize)]
pub struct Moves {
    /// Where the helper stands.
    pub from: HelperStatus,
    /// The stages the pipeline allows from there, in pipeline order.
    pub to: Vec<HelperStatus>,
    /// Whether a move from here records the criminal-record check (date and outcome).
    pub records_check: bool,
}

/// The moves the pipeline allows for a helper now (staff of the branch): a stage that needs a
/// clear criminal-record check is offered when one is on file or can come with the move.
pub fn moves(conn: &mut DbConnection, caller: &Caller, id: HelperId) -> Result<Moves, ApiError> {
    caller.require_staff()?;
    let helper = visible(conn, caller, id)?;
    let from = helper.status;
    let resume = helper.resume_status;
    // Leaving interview 2 the check comes with the move, so the stage after it is offered.
    let check = if from.records_criminal_check() {
        Some(CheckOutcome::Clear)
    } else {
        helper.criminal_record_outcome
    };
    Ok(Moves {
        from,
        to: from.moves(resume, check),
        records_check: from.records_criminal_check(),
    })
}

/// What a move set off.
struct Effects {
    invite_token: Option<String>,
    assignments_ended: usize,
    visits_affected: usize,
}

/// Activation opens (or links) the helper's login; pausing or leaving ends pairs and marks the
/// booked visits the helper can no longer make; leaving also closes the login unless it serves
/// another capacity (a helper who is also a relative keeps it, without the helper role).
fn apply_side_effects(
    conn: &mut DbConnection,
    caller: &Caller,
    helper: &Helper,
    to: HelperStatus,
    at: NaiveDateTime,
) -> Result<Effects, ApiError> {
    let mut effects = Effects {
        invite_token: None,
        assignments_ended: 0,
        visits_affected: 0,
    };
    match to {
        HelperStatus::Active => {
            let invited = invitations::open_or_link(
                conn,
                &helper.email,
                &helper.name,
                Capacity::Helper(helper.id),
                at,
            )?;
            effects.invite_token = invited.token;
        }
        HelperStatus::Paused | HelperStatus::Left => {
            let reason = format!("helper {}", to.as_str());
            effects.assignments_ended = Assignment::end_all(
                conn,
                Whose::Helper(helper.id),
                Some(caller.user_id),
                &reason,
                at,
            )?;
            if to == HelperStatus::Left
                && let Some(user) = User::find_by_helper(conn, helper.id)?
            {
                User::update(
                    conn,
                    user.id,
                    &UserChanges {
                        helper_id: Some(None),
                        updated_at: Some(at),
                        ..Default::default()
                    },
                )?;
                erasure::close_if_unused(conn, user.id, at)?;
            }
        }
        _ => {}
    }
    // Every move that changes whether the helper can come re-checks their booked visits.
    effects.visits_affected = visits::recheck_helper(conn, helper.id)?;
    Ok(effects)
}

/// The recorded moves of a helper the caller may see.
pub fn history(
    conn: &mut DbConnection,
    caller: &Caller,
    id: HelperId,
) -> Result<Vec<TransitionView>, ApiError> {
    visible(conn, caller, id)?;
    let moves = Helper::history(conn, id)?;
    Ok(moves.into_iter().map(TransitionView::from).collect())
}

/// One recorded move through the pipeline, as the API shows it.
#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct TransitionView {
    /// Id.
    pub id: i64,
    /// Helper.
    pub helper_id: HelperId,
    /// Status before; the empty text for the application itself.
    #[schema(value_type = String)]
    #[serde(serialize_with = "prior_status")]
    pub from_status: Option<HelperStatus>,
    /// Status after.
    pub to_status: HelperStatus,
    /// Who made the move (none for the applicant's own application).
    pub actor_user_id: Option<UserId>,
    /// Why.
    pub note: String,
    /// Criminal-record check date recorded with this move.
    pub criminal_record_checked_on: Option<NaiveDate>,
    /// Criminal-record check outcome recorded with this move.
    pub criminal_record_outcome: Option<CheckOutcome>,
    /// When (UTC).
    #[serde(serialize_with = "crate::db::models::utc")]
    pub at: NaiveDateTime,
}

// The API has always shown the application's row with `""` as its prior status.
fn prior_status<S: serde::Serializer>(
    status: &Option<HelperStatus>,
    s: S,
) -> Result<S::Ok, S::Error> {
    s.serialize_str(status.map_or("", HelperStatus::as_str))
}

impl From<HelperTransition> for TransitionView {
    fn from(t: HelperTransition) -> TransitionView {
        TransitionView {
            id: t.id,
            helper_id: t.helper_id,
            from_status: t.from_status.0,
            to_status: t.to_status,
            actor_user_id: t.actor_user_id,
            note: t.note,
            criminal_record_checked_on: t.criminal_record_checked_on,
            criminal_record_outcome: t.criminal_record_outcome,
            at: t.at,
        }
    }
}
