//! The day-before reminder job.

use chrono::{DateTime, Duration, NaiveDateTime, TimeZone, Utc};
use chrono_tz::Tz;

use super::{everyone, send};
use crate::db::DbConnection;
use crate::db::models::branch::Branch;
use crate::db::models::client::Client;
use crate::db::models::helper::Helper;
use crate::db::models::visit::Visit;
use crate::email;
use crate::error::ApiError;
use crate::services::visits::time_zone;

/// Booked visits are looked at this far ahead; the reminder rule picks from them.
const REMINDER_HORIZON_HOURS: i64 = 48;
/// Local hour on the day before a visit from which its reminder is due.
const REMINDER_HOUR: u32 = 9;

/// When a visit's reminder becomes due: 09:00 branch time on the calendar day before it.
pub fn reminder_due_at(starts_at: NaiveDateTime, tz: &Tz) -> NaiveDateTime {
    let local_day = starts_at.and_utc().with_timezone(tz).date_naive();
    local_day
        .pred_opt()
        .and_then(|day| day.and_hms_opt(REMINDER_HOUR, 0, 0))
        .and_then(|at| tz.from_local_datetime(&at).earliest())
        .map(|at| at.naive_utc())
        .unwrap_or(starts_at - Duration::hours(24))
}

/// The day-before reminder job; idempotent, so any number of workers may run it at any time.
///
/// Rule: a visit still `booked` gets one reminder (per start time and recipient) once `now`
/// is past 09:00 branch time on the calendar day before it and before it starts, unless it was
/// booked or moved after that moment (its confirmation is then fresh). Recipients: the client's
/// side (as for the booking) and the helper. Returns how many mails were queued.
pub fn send_reminders(conn: &mut DbConnection, now: DateTime<Utc>) -> Result<usize, ApiError> {
    let at = now.naive_utc();
    let horizon = at + Duration::hours(REMINDER_HORIZON_HOURS);
    let mut queued = 0;
    for candidate in Visit::booked_starting_between(conn, at, horizon)? {
        queued += crate::db::write_transaction(conn, |conn| {
            Visit::lock_people(conn, candidate.client_id, candidate.helper_id)?;
            // Read again under the locks: it may have been moved or cancelled meanwhile.
            let visit = Visit::find(conn, candidate.id)?;
            let branch = Branch::find(conn, visit.branch_id)?;
            let due = reminder_due_at(visit.starts_at, &time_zone(&branch));
            // No reminder for a visit whose helper cannot come: its family was told already.
            if visit.status != crate::domain::VisitStatus::Booked
                || visit.attention.is_some()
                || visit.starts_at <= at
                || at < due
                || visit.updated_at >= due
            {
                return Ok::<usize, ApiError>(0);
            }
            let client = Client::find(conn, visit.client_id)?;
            let helper = Helper::find(conn, visit.helper_id)?;
            let to = everyone(conn, &client, &helper, &branch)?;
            send(
                conn,
                email::visit_reminder,
                &visit,
                &client,
                &helper,
                &branch,
                &to,
            )
        })?;
    }
    if queued > 0 {
        tracing::info!(reminders = queued, "visit reminders queued");
    }
    Ok(queued)
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::NaiveDate;

    fn utc(y: i32, m: u32, d: u32, h: u32) -> NaiveDateTime {
        NaiveDate::from_ymd_opt(y, m, d)
            .and_then(|d| d.and_hms_opt(h, 0, 0))
            .unwrap()
    }

    #[test]
    fn a_reminder_is_due_at_nine_local_time_the_day_before() {
        let tz = chrono_tz::Europe::Copenhagen;
        // Tuesday 12 January 2027 10:00 CET is 09:00 UTC; due Monday 09:00 CET = 08:00 UTC.
        assert_eq!(
            reminder_due_at(utc(2027, 1, 12, 9), &tz),
            utc(2027, 1, 11, 8)
        );
        // Just after midnight local time (23:30 UTC the evening before).
        let start = utc(2027, 1, 11, 23) + Duration::minutes(30);
        assert_eq!(reminder_due_at(start, &tz), utc(2027, 1, 11, 8));
        // Summer time: 09:00 CEST is 07:00 UTC.
        assert_eq!(reminder_due_at(utc(2027, 6, 2, 8), &tz), utc(2027, 6, 1, 7));
    }
}
