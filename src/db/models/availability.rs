//! When a student can work: weekly windows (local time) and exceptions (exams, holidays).

use crate::domain::ids::HelperId;
use chrono::{Datelike, NaiveDateTime, Timelike};
use chrono_tz::Tz;
use diesel::prelude::*;

use crate::db::DbConnection;
use crate::db::schema::{availability_exceptions, availability_windows, helpers};

/// A weekly window: ISO weekday (1 = Monday) and minutes after local midnight.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = availability_windows)]
pub struct Window {
    /// Id.
    pub id: i64,
    /// Helper.
    pub helper_id: HelperId,
    /// 1 = Monday … 7 = Sunday.
    pub weekday: i32,
    /// Start, minutes after local midnight.
    pub start_minute: i32,
    /// End, minutes after local midnight.
    pub end_minute: i32,
}

/// A period the helper cannot work.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = availability_exceptions)]
pub struct Exception {
    /// Id.
    pub id: i64,
    /// Helper.
    pub helper_id: HelperId,
    /// From (UTC).
    pub starts_at: NaiveDateTime,
    /// Until (UTC).
    pub ends_at: NaiveDateTime,
    /// e.g. exams.
    pub reason: String,
}

/// Why a helper cannot take a visit at a time.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Unavailable {
    /// An exception (exams, holiday, illness) covers it.
    Exception,
    /// It is outside the weekly hours the helper declared.
    OutsideHours,
}

/// Reads and replaces availability.
pub struct Availability;

impl Availability {
    /// Whether the helper is unavailable for `[start, end)`, and why.
    pub fn unavailable(
        conn: &mut DbConnection,
        helper_id: HelperId,
        tz: &Tz,
        start: NaiveDateTime,
        end: NaiveDateTime,
    ) -> QueryResult<Option<Unavailable>> {
        if !Self::exceptions(conn, helper_id, Some(start), Some(end))?.is_empty() {
            return Ok(Some(Unavailable::Exception));
        }
        let windows = Self::windows(conn, helper_id)?;
        if windows.is_empty() {
            return Ok(None);
        }
        let (local_start, local_end) = (
            start.and_utc().with_timezone(tz),
            end.and_utc().with_timezone(tz),
        );
        let weekday = local_start.weekday().number_from_monday() as i32;
        let from = (local_start.hour() * 60 + local_start.minute()) as i32;
        let same_day = local_end.date_naive() == local_start.date_naive();
        let to = if same_day {
            (local_end.hour() * 60 + local_end.minute()) as i32
        } else {
            24 * 60 + (local_end.hour() * 60 + local_end.minute()) as i32
        };
        let inside = windows
            .iter()
            .any(|w| w.weekday == weekday && w.start_minute <= from && to <= w.end_minute);
        Ok((!inside).then_some(Unavailable::OutsideHours))
    }

    /// A helper's weekly windows.
    pub fn windows(conn: &mut DbConnection, helper_id: HelperId) -> QueryResult<Vec<Window>> {
        availability_windows::table
            .filter(availability_windows::helper_id.eq(helper_id))
            .order((
                availability_windows::weekday,
                availability_windows::start_minute,
            ))
            .select(Window::as_select())
            .load(conn)
    }

    /// Replaces the weekly windows and the wanted visits a week.
    pub fn replace(
        conn: &mut DbConnection,
        helper_id: HelperId,
        windows: &[(i32, i32, i32)],
        visits_per_week: Option<i32>,
    ) -> QueryResult<()> {
        diesel::delete(
            availability_windows::table.filter(availability_windows::helper_id.eq(helper_id)),
        )
        .execute(conn)?;
        for (weekday, start, end) in windows {
            diesel::insert_into(availability_windows::table)
                .values((
                    availability_windows::helper_id.eq(helper_id),
                    availability_windows::weekday.eq(weekday),
                    availability_windows::start_minute.eq(start),
                    availability_windows::end_minute.eq(end),
                ))
                .execute(conn)?;
        }
        diesel::update(helpers::table.find(helper_id))
            .set(helpers::visits_per_week.eq(visits_per_week))
            .execute(conn)?;
        Ok(())
    }

    /// Adds an exception.
    pub fn add_exception(
        conn: &mut DbConnection,
        helper_id: HelperId,
        starts_at: NaiveDateTime,
        ends_at: NaiveDateTime,
        reason: &str,
    ) -> QueryResult<Exception> {
        diesel::insert_into(availability_exceptions::table)
            .values((
                availability_exceptions::helper_id.eq(helper_id),
                availability_exceptions::starts_at.eq(starts_at),
                availability_exceptions::ends_at.eq(ends_at),
                availability_exceptions::reason.eq(reason),
            ))
            .returning(availability_exceptions::all_columns)
            .get_result(conn)
    }

    /// Exceptions overlapping `[from, to)`, or all when both are open.
    pub fn exceptions(
        conn: &mut DbConnection,
        helper_id: HelperId,
        from: Option<NaiveDateTime>,
        to: Option<NaiveDateTime>,
    ) -> QueryResult<Vec<Exception>> {
        let mut q = availability_exceptions::table
            .filter(availability_exceptions::helper_id.eq(helper_id))
            .into_boxed();
        if let Some(to) = to {
            q = q.filter(availability_exceptions::starts_at.lt(to));
        }
        if let Some(from) = from {
            q = q.filter(availability_exceptions::ends_at.gt(from));
        }
        q.order(availability_exceptions::starts_at)
            .select(Exception::as_select())
            .load(conn)
    }

    /// Removes a helper's windows and exceptions (erasure: exception reasons can be personal).
    pub fn erase(conn: &mut DbConnection, helper_id: HelperId) -> QueryResult<()> {
        diesel::delete(
            availability_windows::table.filter(availability_windows::helper_id.eq(helper_id)),
        )
        .execute(conn)?;
        diesel::delete(
            availability_exceptions::table.filter(availability_exceptions::helper_id.eq(helper_id)),
        )
        .execute(conn)?;
        Ok(())
    }
}
