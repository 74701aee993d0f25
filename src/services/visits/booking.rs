//! Booking a visit (or a weekly series) and moving one.

use crate::domain::ids::{SeriesId, UserId};
use chrono::{DateTime, Duration, FixedOffset, NaiveDateTime, Timelike, Utc};
use chrono_tz::Tz;

use super::{
    Booking, VisitInput, VisitPatch, VisitView, free_cancellation_until, require_booker, time_zone,
    view_one, visible,
};
use crate::auth::Caller;
use crate::config::VisitSettings;
use crate::db::DbConnection;
use crate::db::models::assignment::Assignment;
use crate::db::models::branch::Branch;
use crate::db::models::ledger::{Balance, LedgerEntry, NewLedgerEntry};
use crate::db::models::now;
use crate::db::models::visit::{NewVisit, Visit};
use crate::domain::{LedgerKind, Skill, VisitStatus};
use crate::error::{ApiError, FieldError};
use crate::services::mailings;

mod checks;
mod rescheduling;

use checks::{Slot, check_slot};

pub use rescheduling::reschedule;

/// Checks tasks and returns (total minutes, segments JSON).
fn segments(
    settings: &VisitSettings,
    segments: &[super::Segment],
) -> Result<(i32, String), Vec<FieldError>> {
    let mut errors = vec![];
    if segments.is_empty() {
        errors.push(FieldError::new("segments", "list at least one task"));
    }
    for (i, s) in segments.iter().enumerate() {
        if let Err(m) = Skill::parse(&s.task) {
            errors.push(FieldError::new(format!("segments[{i}].task"), m));
        }
        if s.minutes <= 0 || s.minutes % 30 != 0 {
            errors.push(FieldError::new(
                format!("segments[{i}].minutes"),
                "must be a positive multiple of 30",
            ));
        }
    }
    let total: i64 = segments.iter().map(|s| i64::from(s.minutes)).sum();
    if errors.is_empty()
        && !(i64::from(settings.min_minutes)..=i64::from(settings.max_minutes)).contains(&total)
    {
        errors.push(FieldError::new(
            "segments",
            format!(
                "a visit lasts {} to {} minutes",
                settings.min_minutes, settings.max_minutes
            ),
        ));
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    let json = serde_json::to_string(segments).map_err(|e| {
        vec![FieldError::new(
            "segments",
            format!("cannot be stored: {e}"),
        )]
    })?;
    Ok((total as i32, json))
}

/// Visits start on the step (`visits.start_step_minutes`, the quarter hour by default), to
/// the minute: 10:07 is a typing error, not a time anyone arranges a visit for.
fn check_start(settings: &VisitSettings, start: &DateTime<FixedOffset>) -> Result<(), FieldError> {
    let step = settings.start_step_minutes.max(1);
    if start.minute().is_multiple_of(step) && start.second() == 0 && start.nanosecond() == 0 {
        Ok(())
    } else {
        Err(FieldError::new(
            "starts_at",
            format!("visits start on a multiple of {step} minutes past the hour"),
        ))
    }
}

/// Books one occurrence with every rule checked; the caller holds the transaction.
fn book_one(
    conn: &mut DbConnection,
    caller: &Caller,
    settings: &VisitSettings,
    tz: &Tz,
    slot: Slot<'_>,
) -> Result<Visit, ApiError> {
    // Client first, then the helpers in id order (see `Visit::lock_helper`).
    let (first, second) = match slot.joint_helper_id {
        Some(joint) => (slot.helper_id.min(joint), Some(slot.helper_id.max(joint))),
        None => (slot.helper_id, None),
    };
    Visit::lock_people(conn, slot.client.id, first)?;
    if let Some(second) = second {
        Visit::lock_helper(conn, second)?;
    }
    check_slot(conn, settings, &slot, tz, None)?;
    let at = now();
    let visit = Visit::insert(
        conn,
        &NewVisit {
            branch_id: slot.client.branch_id,
            client_id: slot.client.id,
            helper_id: slot.helper_id,
            series_id: slot.series_id,
            starts_at: slot.start,
            ends_at: slot.start + Duration::minutes(i64::from(slot.minutes)),
            minutes: slot.minutes,
            segments: slot.segments.to_string(),
            status: VisitStatus::Booked,
            substitute: slot.substitute,
            sequence: 0,
            booked_by: Some(caller.user_id),
            late_cancellation: false,
            position_flagged: false,
            free_cancellation_until: Some(
                slot.start - Duration::hours(settings.free_cancellation_hours),
            ),
            created_at: at,
            updated_at: at,
        },
    )?;
    if let Some(joint) = slot.joint_helper_id {
        crate::db::models::visit::joint::add(conn, visit.id, joint)?;
    }
    reserve(conn, &visit, caller.user_id)?;
    Ok(visit)
}

/// Reserves a visit's minutes if the balance covers them; call with the client locked.
fn reserve(conn: &mut DbConnection, visit: &Visit, by: UserId) -> Result<Balance, ApiError> {
    let balance = LedgerEntry::balance(conn, visit.client_id)?;
    if balance.available_minutes < i64::from(visit.minutes) {
        return Err(ApiError::Conflict(format!(
            "the clip-card balance covers {} minutes; this visit needs {}",
            balance.available_minutes, visit.minutes
        )));
    }
    LedgerEntry::append(
        conn,
        &NewLedgerEntry::for_visit(
            LedgerKind::Reserve,
            visit.client_id,
            visit.id,
            visit.minutes,
            by,
            now(),
        ),
    )?;
    Ok(LedgerEntry::balance(conn, visit.client_id)?)
}

/// The starts of a weekly series at the same local wall-clock time, across DST changes.
pub fn weekly_starts(first: DateTime<Utc>, tz: &Tz, weeks: u32) -> Vec<NaiveDateTime> {
    let local = first.with_timezone(tz).naive_local();
    (0..weeks)
        .filter_map(|week| {
            let wall = local + Duration::weeks(i64::from(week));
            // In the spring-forward gap the wall time does not exist: take the hour after.
            let resolved = wall.and_local_timezone(*tz).earliest().or_else(|| {
                (wall + Duration::hours(1))
                    .and_local_timezone(*tz)
                    .earliest()
            });
            resolved.map(|t| t.naive_utc())
        })
        .collect()
}

/// Books a visit, or a weekly series all-or-nothing.
pub fn book(
    conn: &mut DbConnection,
    caller: &Caller,
    settings: &VisitSettings,
    input: VisitInput,
) -> Result<Booking, ApiError> {
    if input.substitute {
        caller.may_book_substitute()?;
    }
    let mut errors = vec![];
    let parsed = segments(settings, &input.segments).map_err(|e| errors.extend(e));
    if let Err(e) = check_start(settings, &input.starts_at) {
        errors.push(e);
    }
    let weeks = match (input.repeat_weeks, input.repeat_weekly) {
        (Some(weeks), _) => weeks,
        (None, true) => settings.recurring_weeks_ahead,
        (None, false) => 1,
    };
    if !(1..=52).contains(&weeks) {
        errors.push(FieldError::new("repeat_weeks", "must be between 1 and 52"));
    }
    if input.joint_helper_id.is_some() {
        // A handover visit is arranged by the branch, once.
        caller.may_book_substitute()?;
        if weeks > 1 {
            errors.push(FieldError::new(
                "joint_helper_id",
                "a joint handover visit is booked once, not weekly",
            ));
        }
    }
    let (minutes, segments_json) = match parsed {
        Ok(parsed) if errors.is_empty() => parsed,
        _ => return Err(ApiError::Validation(errors)),
    };
    let booking = crate::db::write_transaction(conn, |conn| {
        let client = require_booker(conn, caller, input.client_id)?;
        let branch = Branch::find(conn, client.branch_id)?;
        let tz = time_zone(&branch);
        let starts = weekly_starts(input.starts_at.with_timezone(&Utc), &tz, weeks);
        let mut booked = Vec::with_capacity(starts.len());
        let mut series = None;
        for (week, start) in starts.into_iter().enumerate() {
            let slot = Slot {
                client: &client,
                helper_id: input.helper_id,
                start,
                minutes,
                segments: &segments_json,
                substitute: input.substitute,
                series_id: series,
                joint_helper_id: input.joint_helper_id,
            };
            let visit =
                book_one(conn, caller, settings, &tz, slot).map_err(|e| match (e, weeks) {
                    (ApiError::Conflict(m), 2..) => {
                        ApiError::Conflict(format!("week {}: {m}", week + 1))
                    }
                    (other, _) => other,
                })?;
            if weeks > 1 && series.is_none() {
                let first = SeriesId::first(visit.id);
                series = Some(first);
                Visit::set_series(conn, visit.id, first)?;
            }
            booked.push(Visit::find(conn, visit.id)?);
        }
        mailings::booked(conn, &client, &branch, &booked)?;
        let balance = LedgerEntry::balance(conn, client.id)?;
        let low_balance = balance.available_minutes <= settings.low_balance_minutes;
        if low_balance {
            mailings::low_balance(conn, &client, &branch, &balance)?;
        }
        let mut visits = Vec::with_capacity(booked.len());
        for visit in booked {
            visits.push(view_one(conn, visit, settings.free_cancellation_hours)?);
        }
        Ok::<_, ApiError>(Booking {
            low_balance,
            visits,
            balance,
        })
    })?;
    // Counted once committed: a refused or rolled-back booking is no booking.
    metrics::counter!("bookings_total").increment(1);
    metrics::counter!("visits_booked_total").increment(booking.visits.len() as u64);
    Ok(booking)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn settings() -> VisitSettings {
        crate::config::Settings::load_from(
            crate::config::Environment::Test,
            &std::path::PathBuf::from("config"),
        )
        .map(|s| s.visits)
        .unwrap_or_else(|e| panic!("{e}"))
    }

    #[test]
    fn visits_start_on_the_quarter_hour_only() {
        let s = settings();
        let at = |t: &str| DateTime::parse_from_rfc3339(t).unwrap();
        assert!(check_start(&s, &at("2027-01-12T10:00:00+01:00")).is_ok());
        assert!(check_start(&s, &at("2027-01-12T10:45:00+01:00")).is_ok());
        assert!(check_start(&s, &at("2027-01-12T10:07:00+01:00")).is_err());
        assert!(check_start(&s, &at("2027-01-12T10:15:30+01:00")).is_err());
    }
}
