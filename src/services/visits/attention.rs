//! Booked visits whose helper can no longer come as booked: the helper paused or left, the pair
//! ended, an exception (exams, illness) or narrowed hours cover the visit. Each such visit is
//! marked with the reason and listed for the branch (`GET /api/v1/visits?needs_attention=true`);
//! the client side and the branch leaders are told once, when a visit becomes affected.
//! Such a visit is open (`open.rs`): the offer round offers it to other helpers. Rebooking,
//! reassigning, another helper accepting it, or cancelling (free) clears it; so does the cause
//! going away.

use crate::domain::ids::{ClientId, HelperId};
use chrono_tz::Tz;

use super::time_zone;
use crate::db::DbConnection;
use crate::db::models::assignment::Assignment;
use crate::db::models::availability::{Availability, Unavailable};
use crate::db::models::branch::Branch;
use crate::db::models::helper::Helper;
use crate::db::models::now;
use crate::db::models::visit::Visit;
use crate::domain::{HelperStatus, VisitAttention};
use crate::error::ApiError;
use crate::services::mailings;

/// Re-evaluates every upcoming booked visit of a helper; call inside the transaction of the
/// change (a pause, an exception, new hours…). Returns how many visits became affected.
pub fn recheck_helper(conn: &mut DbConnection, helper_id: HelperId) -> Result<usize, ApiError> {
    let visits = Visit::upcoming_for_helper(conn, helper_id, now())?;
    recheck(conn, helper_id, visits)
}

/// Re-evaluates the upcoming booked visits of one pair (its assignment ended or started).
pub fn recheck_pair(
    conn: &mut DbConnection,
    client_id: ClientId,
    helper_id: HelperId,
) -> Result<usize, ApiError> {
    let visits = Visit::upcoming_for_helper(conn, helper_id, now())?
        .into_iter()
        .filter(|v| v.client_id == client_id)
        .collect();
    recheck(conn, helper_id, visits)
}

fn recheck(
    conn: &mut DbConnection,
    helper_id: HelperId,
    visits: Vec<Visit>,
) -> Result<usize, ApiError> {
    if visits.is_empty() {
        return Ok(0);
    }
    let helper = Helper::find(conn, helper_id)?;
    let tz = time_zone(&Branch::find(conn, helper.branch_id)?);
    let at = now();
    let mut affected = vec![];
    for mut visit in visits {
        // The helper's own "I can't come" stands until another helper takes the visit.
        if visit.attention == Some(VisitAttention::HelperDeclined) {
            continue;
        }
        let expected = expected(conn, &helper, &visit, &tz)?;
        if visit.attention == expected {
            continue;
        }
        let newly = visit.attention.is_none();
        match expected {
            // The cause went away: the visit's own helper comes after all, the offer ends.
            None => visit.clear_attention(),
            Some(reason) => {
                visit.attention = Some(reason);
                visit.attention_since = Some(visit.attention_since.unwrap_or(at));
            }
        }
        visit.updated_at = at;
        Visit::save(conn, &visit)?;
        if newly && expected.is_some() {
            affected.push(visit);
        }
    }
    if !affected.is_empty() {
        mailings::needs_attention(conn, &affected)?;
        tracing::info!(
            helper.id = helper_id.0,
            visits = affected.len(),
            "visits need attention"
        );
    }
    Ok(affected.len())
}

/// The first reason the visit's helper cannot come as booked, if any.
fn expected(
    conn: &mut DbConnection,
    helper: &Helper,
    visit: &Visit,
    tz: &Tz,
) -> Result<Option<VisitAttention>, ApiError> {
    match helper.status {
        HelperStatus::Active => {}
        HelperStatus::Paused => return Ok(Some(VisitAttention::HelperPaused)),
        _ => return Ok(Some(VisitAttention::HelperLeft)),
    }
    if !visit.substitute && !Assignment::is_open(conn, visit.client_id, helper.id)? {
        return Ok(Some(VisitAttention::AssignmentEnded));
    }
    Ok(
        match Availability::unavailable(conn, helper.id, tz, visit.starts_at, visit.ends_at)? {
            Some(Unavailable::Exception) => Some(VisitAttention::HelperUnavailable),
            Some(Unavailable::OutsideHours) => Some(VisitAttention::OutsideAvailability),
            None => None,
        },
    )
}
