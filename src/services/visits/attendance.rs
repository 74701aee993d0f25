//! Attendance: the helper checks in and out at the client's home; what the clip card pays and
//! payroll counts follows from it.
//!
//! The rule (docs/api.md, "Attendance"): check-in is accepted from `visits.check_in_opens_minutes`
//! before the start until the visit's end, by the visit's own active helper; check-out only after
//! check-in. A visit whose check-in and check-out were both near the home and whose checked time
//! is at most `visits.short_visit_tolerance_minutes` short of the booked time is *verified*: its
//! booked minutes are consumed and paid at check-out. Otherwise it is completed but *unverified*
//! (attention `position_far` or `short_visit`): nothing is consumed or paid until the branch
//! reviews it and says how many minutes to charge (0 releases them all).

use crate::domain::ids::VisitId;
use chrono::{DateTime, Duration, FixedOffset, NaiveDateTime};

use super::report::ReportInput;
use super::{PositionInput, VisitView, view_one, visible};
use crate::auth::Caller;
use crate::config::VisitSettings;
use crate::db::DbConnection;
use crate::db::models::client::Client;
use crate::db::models::ledger::{LedgerEntry, NewLedgerEntry};
use crate::db::models::now;
use crate::db::models::visit::Visit;
use crate::domain::{LedgerKind, VisitAttention, VisitStatus};
use crate::error::ApiError;
use crate::matching::distance_m;
use crate::services::mailings;

/// Body of `POST /api/v1/visits/{id}/review`.
#[derive(Debug, eserde::Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"minutes": 60}))]
pub struct ReviewInput {
    /// Minutes to charge the client and pay the helper, 0 to the booked length.
    pub minutes: i32,
}

/// Which end of a visit the helper records.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Check {
    /// Arriving: the visit starts.
    In,
    /// Leaving: the visit is done and its minutes are used.
    Out,
}

/// When the phone recorded a check: now, or the `recorded_at` it sends later (no signal at the
/// door). A time in the future (beyond a minute of clock drift) or older than
/// `visits.offline_sync_hours` is refused.
fn recorded_time(
    settings: &VisitSettings,
    recorded_at: Option<DateTime<FixedOffset>>,
) -> Result<NaiveDateTime, ApiError> {
    let received = now();
    let Some(recorded) = recorded_at.map(|t| t.naive_utc()) else {
        return Ok(received);
    };
    if recorded > received + Duration::minutes(1) {
        return Err(ApiError::field("recorded_at", "is in the future"));
    }
    if received - recorded > Duration::hours(settings.offline_sync_hours) {
        return Err(ApiError::field(
            "recorded_at",
            format!(
                "is more than {} hours ago; the branch records what happened",
                settings.offline_sync_hours
            ),
        ));
    }
    Ok(recorded)
}

/// The helper checks in (or out) with their position; at check-out, with the visit's report.
pub fn check(
    conn: &mut DbConnection,
    caller: &Caller,
    settings: &VisitSettings,
    id: VisitId,
    position: PositionInput,
    which: Check,
    report: Option<ReportInput>,
) -> Result<VisitView, ApiError> {
    let Some(own) = caller.helper else {
        return Err(ApiError::Forbidden(
            "only the visit's helper checks in and out".into(),
        ));
    };
    crate::domain::Position::parse(position.lat, position.lon)
        .map_err(|m| ApiError::field("lat", m))?;
    let at = recorded_time(settings, position.recorded_at)?;
    crate::db::write_transaction(conn, |conn| {
        let seen = visible(conn, caller, id)?;
        if seen.helper_id != own.helper_id {
            return Err(ApiError::NotFound);
        }
        // A paused helper does not start visits; one paused mid-visit may still check out.
        if !own.active && which == Check::In {
            return Err(ApiError::Conflict(
                "you are paused; the branch takes care of your visits".into(),
            ));
        }
        Visit::lock_people(conn, seen.client_id, seen.helper_id)?;
        let mut visit = Visit::find(conn, id)?;
        let report = match (which, report) {
            (_, None) => None,
            (Check::Out, Some(report)) => {
                let segments: Vec<super::Segment> = serde_json::from_str(&visit.segments)
                    .map_err(|e| ApiError::Internal(e.into()))?;
                Some(super::report::check(report, &segments)?)
            }
            (Check::In, Some(_)) => return Err(ApiError::field("report", "is given at check-out")),
        };
        let client = Client::find_any(conn, visit.client_id)?;
        let distance = distance_m(position.lat, position.lon, client.lat, client.lon);
        let far = distance > settings.position_flag_distance_m;
        if which == Check::Out {
            check_out_now(conn, caller, settings, &mut visit, at, distance, far)?;
        } else {
            check_in_now(settings, &mut visit, at, distance, far)?;
        }
        // Sent from a phone that had no signal: accepted, and marked for the branch.
        visit.synced_late |= now() - at > Duration::minutes(settings.offline_late_minutes);
        Visit::save(conn, &visit)?;
        if let Some(report) = report {
            super::report::record(conn, &visit, report)?;
        }
        if visit.consumed_minutes.is_some() {
            mailings::done(conn, &visit)?;
        }
        view_one(conn, visit, settings.free_cancellation_hours)
    })
}

fn check_in_now(
    settings: &VisitSettings,
    visit: &mut Visit,
    at: NaiveDateTime,
    distance: i64,
    far: bool,
) -> Result<(), ApiError> {
    if visit.status != VisitStatus::Booked {
        return Err(ApiError::Conflict(format!(
            "cannot check in to a {} visit",
            visit.status
        )));
    }
    if visit.attention == Some(VisitAttention::AssignmentEnded) && !visit.substitute {
        return Err(ApiError::Conflict(
            "you no longer visit this client; the branch takes care of this visit".into(),
        ));
    }
    let opens = visit.starts_at - Duration::minutes(settings.check_in_opens_minutes);
    if at < opens {
        return Err(ApiError::Conflict(format!(
            "check-in opens {} minutes before the start ({} UTC)",
            settings.check_in_opens_minutes,
            opens.format("%Y-%m-%d %H:%M")
        )));
    }
    if at > visit.ends_at {
        return Err(ApiError::Conflict(
            "the visit is over; the branch records what happened".into(),
        ));
    }
    visit.status = VisitStatus::CheckedIn;
    visit.checked_in_at = Some(at);
    visit.check_in_distance_m = Some(distance);
    visit.position_flagged |= far;
    // The helper came: a changed availability no longer stands in the way.
    visit.clear_attention();
    visit.updated_at = now();
    Ok(())
}

fn check_out_now(
    conn: &mut DbConnection,
    caller: &Caller,
    settings: &VisitSettings,
    visit: &mut Visit,
    at: NaiveDateTime,
    distance: i64,
    far: bool,
) -> Result<(), ApiError> {
    if visit.status != VisitStatus::CheckedIn {
        return Err(ApiError::Conflict(format!(
            "cannot check out of a {} visit (check in first)",
            visit.status
        )));
    }
    let checked_in = visit.checked_in_at.unwrap_or(at);
    if at < checked_in {
        return Err(ApiError::Conflict(
            "the check-out was recorded before the check-in".into(),
        ));
    }
    visit.status = VisitStatus::Completed;
    visit.checked_out_at = Some(at);
    visit.check_out_distance_m = Some(distance);
    visit.position_flagged |= far;
    visit.updated_at = at;
    let short = (at - checked_in).num_minutes()
        < i64::from(visit.minutes) - settings.short_visit_tolerance_minutes;
    let unverified = match (visit.position_flagged, short) {
        (true, _) => Some(VisitAttention::PositionFar),
        (false, true) => Some(VisitAttention::ShortVisit),
        (false, false) => None,
    };
    match unverified {
        Some(reason) => {
            visit.attention = Some(reason);
            visit.attention_since = Some(at);
        }
        None => {
            LedgerEntry::append(
                conn,
                &NewLedgerEntry::for_visit(
                    LedgerKind::Consume,
                    visit.client_id,
                    visit.id,
                    visit.minutes,
                    caller.user_id,
                    at,
                ),
            )?;
            visit.consumed_minutes = Some(visit.minutes);
        }
    }
    Ok(())
}

/// The branch settles a completed visit whose attendance was not verified: `minutes` are
/// charged and paid, the rest of the booked minutes go back to the clip card.
pub fn review(
    conn: &mut DbConnection,
    caller: &Caller,
    settings: &VisitSettings,
    id: VisitId,
    input: ReviewInput,
) -> Result<VisitView, ApiError> {
    caller.require_staff()?;
    crate::db::write_transaction(conn, |conn| {
        let seen = visible(conn, caller, id)?;
        Visit::lock_people(conn, seen.client_id, seen.helper_id)?;
        let mut visit = Visit::find(conn, id)?;
        let pending = visit.status == VisitStatus::Completed
            && visit.consumed_minutes.is_none()
            && visit.attention.is_some_and(|a| !a.helper_cannot_come());
        if !pending {
            return Err(ApiError::Conflict(
                "only a completed visit whose attendance is unverified is reviewed".into(),
            ));
        }
        if !(0..=visit.minutes).contains(&input.minutes) {
            return Err(ApiError::field(
                "minutes",
                format!("must be between 0 and the booked {} minutes", visit.minutes),
            ));
        }
        let at = now();
        let moves = [
            (LedgerKind::Consume, input.minutes),
            (LedgerKind::Release, visit.minutes - input.minutes),
        ];
        for (kind, minutes) in moves.into_iter().filter(|(_, m)| *m > 0) {
            LedgerEntry::append(
                conn,
                &NewLedgerEntry::for_visit(kind, visit.client_id, id, minutes, caller.user_id, at),
            )?;
        }
        visit.consumed_minutes = Some(input.minutes);
        visit.reviewed_by = Some(caller.user_id);
        visit.reviewed_at = Some(at);
        visit.clear_attention();
        visit.updated_at = at;
        Visit::save(conn, &visit)?;
        mailings::done(conn, &visit)?;
        view_one(conn, visit, settings.free_cancellation_hours)
    })
}
