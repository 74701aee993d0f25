//! Visits that end without happening: cancelled, or the client was not there.

use super::{VisitView, free_cancellation_until, require_booker, view_one, visible};
use crate::auth::Caller;
use crate::config::VisitSettings;
use crate::db::DbConnection;
use crate::db::models::ledger::{LedgerEntry, NewLedgerEntry};
use crate::db::models::now;
use crate::db::models::visit::Visit;
use crate::domain::ids::{ClientId, UserId, VisitId};
use crate::domain::{LedgerKind, VisitStatus};
use crate::error::ApiError;
use crate::services::mailings;

/// Whether a cancellation may go ahead when it is late (and so uses the visit's minutes).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LateCancellation {
    /// The person cancelling agreed beforehand: a late cancellation is charged.
    Agreed,
    /// Stop and say what it would use, so the person can be asked first.
    AskFirst,
}

/// What a cancellation did: cancelled, or stopped before charging because it would be late.
#[derive(Debug)]
pub enum Cancellation {
    /// Cancelled: free, or late and agreed to.
    Cancelled(Box<VisitView>),
    /// Nothing changed: cancelling now is late and would use these minutes of the clip card.
    WouldBeLate {
        /// Minutes a late cancellation uses.
        minutes: i32,
    },
}

/// Cancels a booked visit: free until its `free_cancellation_until`, later its minutes are
/// used. A visit whose helper cannot come (it needs the branch's attention) is always free.
pub fn cancel(
    conn: &mut DbConnection,
    caller: &Caller,
    settings: &VisitSettings,
    id: VisitId,
) -> Result<VisitView, ApiError> {
    match cancel_agreeing(conn, caller, settings, id, LateCancellation::Agreed)? {
        Cancellation::Cancelled(visit) => Ok(*visit),
        // Agreed beforehand, so a late cancellation never stops to ask.
        Cancellation::WouldBeLate { .. } => Err(ApiError::Internal(anyhow::anyhow!(
            "visit {id}: a cancellation agreed to be late stopped anyway"
        ))),
    }
}

/// Cancels like `cancel`, but a late one only when it was `Agreed`; otherwise it changes nothing
/// and says what it would use, so a person can be asked first. Deciding and charging happen
/// in one transaction: a deadline passing between the question and the answer cannot charge
/// anyone who was told the cancellation was free.
pub fn cancel_agreeing(
    conn: &mut DbConnection,
    caller: &Caller,
    settings: &VisitSettings,
    id: VisitId,
    late: LateCancellation,
) -> Result<Cancellation, ApiError> {
    crate::db::write_transaction(conn, |conn| {
        let seen = visible(conn, caller, id)?;
        require_booker(conn, caller, seen.client_id)?;
        Visit::lock_people(conn, seen.client_id, seen.helper_id)?;
        let mut visit = Visit::find(conn, id)?;
        if visit.status != VisitStatus::Booked {
            return Err(ApiError::Conflict(format!(
                "a {} visit cannot be cancelled",
                visit.status
            )));
        }
        let at = now();
        let ours = visit.attention.is_some_and(|a| a.helper_cannot_come());
        let agreed = late == LateCancellation::Agreed;
        let late = !ours && at > free_cancellation_until(&visit, settings.free_cancellation_hours);
        if late && !agreed {
            return Ok(Cancellation::WouldBeLate {
                minutes: visit.minutes,
            });
        }
        LedgerEntry::append(
            conn,
            &NewLedgerEntry::for_visit(
                if late {
                    LedgerKind::Charge
                } else {
                    LedgerKind::Release
                },
                visit.client_id,
                id,
                visit.minutes,
                caller.user_id,
                at,
            ),
        )?;
        visit.status = VisitStatus::Cancelled;
        visit.cancelled_at = Some(at);
        visit.late_cancellation = late;
        visit.consumed_minutes = late.then_some(visit.minutes);
        visit.clear_attention();
        visit.sequence += 1;
        visit.updated_at = at;
        Visit::save(conn, &visit)?;
        mailings::cancelled(conn, &visit)?;
        Ok(Cancellation::Cancelled(Box::new(view_one(
            conn,
            visit,
            settings.free_cancellation_hours,
        )?)))
    })
}

/// Records a no-show (branch staff), once the visit has started: the minutes are used.
/// Refused while the visit's own helper could not come: nobody came, so nothing is charged.
pub fn no_show(
    conn: &mut DbConnection,
    caller: &Caller,
    settings: &VisitSettings,
    id: VisitId,
) -> Result<VisitView, ApiError> {
    caller.require_staff()?;
    crate::db::write_transaction(conn, |conn| {
        let seen = visible(conn, caller, id)?;
        Visit::lock_people(conn, seen.client_id, seen.helper_id)?;
        let mut visit = Visit::find(conn, id)?;
        if visit.status != VisitStatus::Booked {
            return Err(ApiError::Conflict(format!(
                "a {} visit cannot become a no-show",
                visit.status
            )));
        }
        let at = now();
        if at < visit.starts_at {
            return Err(ApiError::Conflict(
                "a no-show can be recorded only after the visit has started".into(),
            ));
        }
        if visit.attention.is_some_and(|a| a.helper_cannot_come()) {
            return Err(ApiError::Conflict(
                "the visit's helper could not come; cancel it (free) or give it to another helper"
                    .into(),
            ));
        }
        LedgerEntry::append(
            conn,
            &NewLedgerEntry::for_visit(
                LedgerKind::Charge,
                visit.client_id,
                id,
                visit.minutes,
                caller.user_id,
                at,
            ),
        )?;
        visit.status = VisitStatus::NoShow;
        visit.consumed_minutes = Some(visit.minutes);
        visit.updated_at = at;
        Visit::save(conn, &visit)?;
        mailings::no_show(conn, &visit)?;
        view_one(conn, visit, settings.free_cancellation_hours)
    })
}

/// Cancels a client's visits still to come, free, because the client is being erased; their
/// helpers are told. Call inside the erasure's transaction. Returns how many were cancelled.
pub fn cancel_for_erasure(
    conn: &mut DbConnection,
    client_id: ClientId,
    by: UserId,
) -> Result<usize, ApiError> {
    let at = now();
    let upcoming = Visit::upcoming_for_client(conn, client_id, at)?;
    for mut visit in upcoming.iter().cloned() {
        LedgerEntry::append(
            conn,
            &NewLedgerEntry::for_visit(
                LedgerKind::Release,
                client_id,
                visit.id,
                visit.minutes,
                by,
                at,
            ),
        )?;
        visit.status = VisitStatus::Cancelled;
        visit.cancelled_at = Some(at);
        visit.clear_attention();
        visit.sequence += 1;
        visit.updated_at = at;
        Visit::save(conn, &visit)?;
        mailings::cancelled_for_helper(conn, &visit)?;
    }
    Ok(upcoming.len())
}
