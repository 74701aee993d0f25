//! When a student can work: weekly windows (local time) and exceptions (exams, holidays).

use crate::db::models::term_period::TermPeriod;
use crate::domain::ids::{BranchId, HelperId};
use chrono::{Datelike, NaiveDate, NaiveDateTime, Timelike};
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

/// The first and last local day of `[start, end)` (an end at midnight is the day before's).
pub fn local_days(tz: &Tz, start: NaiveDateTime, end: NaiveDateTime) -> (NaiveDate, NaiveDate) {
    let first = start.and_utc().with_timezone(tz).date_naive();
    let last = (end - chrono::Duration::seconds(1))
        .max(start)
        .and_utc()
        .with_timezone(tz)
        .date_naive();
    (first, last)
}

/// Whether `[start, end)` lies inside one of the weekly windows (local time); with no windows
/// declared, any time is.
pub fn inside_windows(
    windows: &[Window],
    tz: &Tz,
    start: NaiveDateTime,
    end: NaiveDateTime,
) -> bool {
    if windows.is_empty() {
        return true;
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
    windows
        .iter()
        .any(|w| w.weekday == weekday && w.start_minute <= from && to <= w.end_minute)
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
        if !Self::exceptions(conn, helper_id, Some(start), Some(end))?.is_empty()
            || Self::day_off(conn, helper_id, tz, start, end)?
        {
            return Ok(Some(Unavailable::Exception));
        }
        let windows = Self::windows(conn, helper_id)?;
        Ok((!inside_windows(&windows, tz, start, end)).then_some(Unavailable::OutsideHours))
    }

    /// Whether a day of `[start, end)` is on or after the helper's announced leave date, or in a term
    /// period of their institution (never for one who named none or opted out): the
    /// exceptions the branch keeps for them.
    fn day_off(
        conn: &mut DbConnection,
        helper_id: HelperId,
        tz: &Tz,
        start: NaiveDateTime,
        end: NaiveDateTime,
    ) -> QueryResult<bool> {
        let (branch_id, institution, opted_out, leaves_on): (
            BranchId,
            Option<String>,
            bool,
            Option<NaiveDate>,
        ) = helpers::table
            .find(helper_id)
            .select((
                helpers::branch_id,
                helpers::institution,
                helpers::term_opt_out,
                helpers::leaves_on,
            ))
            .first(conn)?;
        let (first, last) = local_days(tz, start, end);
        // From the leave date on they are gone.
        if leaves_on.is_some_and(|day| last >= day) {
            return Ok(true);
        }
        let Some(institution) = institution.filter(|_| !opted_out) else {
            return Ok(false);
        };
        Ok(TermPeriod::covering(conn, branch_id, first, last)?
            .iter()
            .any(|p| p.is_of(&institution)))
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

    /// The weekly windows of every helper of a branch (the coverage forecast reads them at once).
    pub fn windows_in_branch(
        conn: &mut DbConnection,
        branch_id: BranchId,
    ) -> QueryResult<Vec<Window>> {
        availability_windows::table
            .inner_join(helpers::table.on(helpers::id.eq(availability_windows::helper_id)))
            .filter(helpers::branch_id.eq(branch_id))
            .select(Window::as_select())
            .load(conn)
    }

    /// The exceptions of every helper of a branch overlapping `[from, to)`.
    pub fn exceptions_in_branch(
        conn: &mut DbConnection,
        branch_id: BranchId,
        from: NaiveDateTime,
        to: NaiveDateTime,
    ) -> QueryResult<Vec<Exception>> {
        availability_exceptions::table
            .inner_join(helpers::table.on(helpers::id.eq(availability_exceptions::helper_id)))
            .filter(helpers::branch_id.eq(branch_id))
            .filter(availability_exceptions::starts_at.lt(to))
            .filter(availability_exceptions::ends_at.gt(from))
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
