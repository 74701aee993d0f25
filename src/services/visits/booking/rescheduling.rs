//! Moving or resizing a booked visit: every rule of a booking checked again, minutes re-reserved.

use super::*;
use crate::domain::ids::VisitId;

/// Changes a booked visit's time, tasks or helper, with every booking rule re-checked.
///
/// The notice period cannot be dodged: a visit moved once its free cancellation has passed
/// keeps that passed deadline, so cancelling the moved visit still uses the hours, and
/// shortening it then uses the minutes given up. A visit that needed attention (its helper
/// could not come) gets a fresh deadline: the move is ours.
pub fn reschedule(
    conn: &mut DbConnection,
    caller: &Caller,
    settings: &VisitSettings,
    id: VisitId,
    patch: VisitPatch,
) -> Result<VisitView, ApiError> {
    let mut errors = vec![];
    let new_segments = match patch.segments.as_deref().map(|s| segments(settings, s)) {
        Some(Err(e)) => {
            errors.extend(e);
            None
        }
        Some(Ok(parsed)) => Some(parsed),
        None => None,
    };
    if let Some(Err(e)) = patch.starts_at.as_ref().map(|t| check_start(settings, t)) {
        errors.push(e);
    }
    if !errors.is_empty() {
        return Err(ApiError::Validation(errors));
    }
    crate::db::write_transaction(conn, |conn| {
        let seen = visible(conn, caller, id)?;
        let client = require_booker(conn, caller, seen.client_id)?;
        let helper_id = patch.helper_id.unwrap_or(seen.helper_id);
        Visit::lock_people(conn, seen.client_id, helper_id)?;
        // Read again under the locks: a concurrent change may have landed in between.
        let mut visit = Visit::find(conn, id)?;
        if visit.status != VisitStatus::Booked {
            return Err(ApiError::Conflict(format!(
                "a {} visit cannot be moved",
                visit.status
            )));
        }
        // Outside the team is a substitute: the branch may choose one; the client side may
        // only keep the substitute the branch already booked.
        let substitute = !Assignment::is_open(conn, visit.client_id, helper_id)?;
        let keeps_branch_choice = helper_id == visit.helper_id && visit.substitute;
        if substitute && caller.staff.is_none() && !keeps_branch_choice {
            return Err(ApiError::field(
                "helper_id",
                "is not one of the client's helpers",
            ));
        }
        let start = patch
            .starts_at
            .map(|t| t.with_timezone(&Utc).naive_utc())
            .unwrap_or(visit.starts_at);
        let (minutes, segments_json) = new_segments
            .clone()
            .unwrap_or((visit.minutes, visit.segments.clone()));
        let branch = Branch::find(conn, visit.branch_id)?;
        let slot = Slot {
            client: &client,
            helper_id,
            start,
            minutes,
            segments: &segments_json,
            substitute,
            series_id: visit.series_id,
            joint_helper_id: crate::db::models::visit::joint::helper_of(conn, visit.id)?,
        };
        check_slot(conn, settings, &slot, &time_zone(&branch), Some(id))?;
        let at = now();
        let deadline = free_cancellation_until(&visit, settings.free_cancellation_hours);
        let ours = visit.attention.is_some_and(|a| a.helper_cannot_come());
        if minutes != visit.minutes {
            // Minutes given up after the deadline are cancelled late: they are used, not released.
            let given_up = if at > deadline && !ours {
                (visit.minutes - minutes).max(0)
            } else {
                0
            };
            let moves = [
                (LedgerKind::Release, visit.minutes - given_up),
                (LedgerKind::Charge, given_up),
            ];
            for (kind, moved) in moves.into_iter().filter(|(_, m)| *m > 0) {
                LedgerEntry::append(
                    conn,
                    &NewLedgerEntry::for_visit(
                        kind,
                        visit.client_id,
                        id,
                        moved,
                        caller.user_id,
                        at,
                    ),
                )?;
            }
            let resized = Visit {
                minutes,
                ..visit.clone()
            };
            super::reserve(conn, &resized, caller.user_id)?;
        }
        if at <= deadline || ours {
            visit.free_cancellation_until =
                Some(start - Duration::hours(settings.free_cancellation_hours));
        } else {
            visit.free_cancellation_until = Some(deadline);
        }
        let previous_helper_id = visit.helper_id;
        visit.helper_id = helper_id;
        visit.substitute = substitute;
        visit.starts_at = start;
        visit.ends_at = start + Duration::minutes(i64::from(minutes));
        visit.minutes = minutes;
        visit.segments = segments_json;
        visit.sequence += 1;
        visit.updated_at = at;
        // Every rule was just checked for the helper and time: nothing stands in the way now.
        visit.clear_attention();
        Visit::save(conn, &visit)?;
        mailings::rescheduled(conn, &visit, previous_helper_id)?;
        view_one(conn, visit, settings.free_cancellation_hours)
    })
}
