//! Helper availability: students decide when and how much they work.

use crate::domain::ids::HelperId;
use chrono::{DateTime, NaiveDateTime, Utc};
use serde::Serialize;

use crate::auth::Caller;
use crate::db::DbConnection;
use crate::db::models::availability::{Availability, Exception};
use crate::db::models::helper::Helper;
use crate::db::models::term_period::TermPeriod;
use crate::domain::Text;
use crate::error::{ApiError, FieldError};

/// A weekly window in the branch's local time.
#[derive(Debug, Clone, Serialize, eserde::Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct WindowInput {
    /// 1 = Monday … 7 = Sunday.
    pub weekday: i32,
    /// Local start, `HH:MM`.
    pub start: String,
    /// Local end, `HH:MM` (after start; `24:00` for midnight).
    pub end: String,
}

/// Body of `PUT /api/v1/helpers/{id}/availability` and its answer.
#[derive(Debug, Serialize, eserde::Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"windows": [{"weekday": 1, "start": "09:00", "end": "15:00"}, {"weekday": 3, "start": "12:00", "end": "18:00"}], "visits_per_week": 3}))]
pub struct AvailabilityInput {
    /// Weekly windows; an empty list means no restriction.
    pub windows: Vec<WindowInput>,
    /// How many visits a week the student wants.
    #[serde(default)]
    pub visits_per_week: Option<i32>,
}

/// A helper's availability.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct AvailabilityView {
    /// Weekly windows.
    pub windows: Vec<WindowInput>,
    /// Visits a week wanted.
    pub visits_per_week: Option<i32>,
    /// Exceptions (exams, holidays).
    pub exceptions: Vec<ExceptionView>,
    /// The branch's term periods of the helper's institution that have not ended; they make
    /// the helper unavailable unless `term_opt_out`.
    pub term_periods: Vec<TermPeriodShown>,
    /// The helper works through their institution's term periods.
    pub term_opt_out: bool,
}

/// A term period of the helper's institution.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct TermPeriodShown {
    /// What it is.
    pub name: String,
    /// First day (branch time).
    pub starts_on: chrono::NaiveDate,
    /// Last day, included.
    pub ends_on: chrono::NaiveDate,
}

/// A period the helper cannot work.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ExceptionView {
    /// Id.
    pub id: i64,
    /// Helper.
    pub helper_id: HelperId,
    /// From (UTC).
    #[serde(serialize_with = "crate::db::models::utc")]
    pub starts_at: NaiveDateTime,
    /// Until (UTC).
    #[serde(serialize_with = "crate::db::models::utc")]
    pub ends_at: NaiveDateTime,
    /// e.g. exams.
    pub reason: String,
}

impl From<Exception> for ExceptionView {
    fn from(e: Exception) -> ExceptionView {
        ExceptionView {
            id: e.id,
            helper_id: e.helper_id,
            starts_at: e.starts_at,
            ends_at: e.ends_at,
            reason: e.reason,
        }
    }
}

/// Body of `POST /api/v1/helpers/{id}/availability/exceptions`.
#[derive(Debug, eserde::Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"starts_at": "2027-01-04T00:00:00Z", "ends_at": "2027-01-18T00:00:00Z", "reason": "exams"}))]
pub struct ExceptionInput {
    /// From, RFC 3339.
    #[eserde(compat)]
    pub starts_at: DateTime<Utc>,
    /// Until, RFC 3339.
    #[eserde(compat)]
    pub ends_at: DateTime<Utc>,
    /// Why (e.g. exams).
    #[serde(default)]
    pub reason: String,
}

fn minutes_of(raw: &str) -> Option<i32> {
    let (h, m) = raw.split_once(':')?;
    let (h, m): (i32, i32) = (h.parse().ok()?, m.parse().ok()?);
    ((0..=23).contains(&h) && (0..=59).contains(&m) || (h == 24 && m == 0)).then_some(h * 60 + m)
}

fn hhmm(minutes: i32) -> String {
    format!("{:02}:{:02}", minutes / 60, minutes % 60)
}

/// The helper themself or the branch's staff; 404 for others.
fn editable(
    conn: &mut DbConnection,
    caller: &Caller,
    helper_id: HelperId,
) -> Result<Helper, ApiError> {
    let helper = Helper::find(conn, helper_id)?;
    if caller.reaches_helper(helper.branch_id, helper_id) {
        Ok(helper)
    } else {
        Err(ApiError::NotFound)
    }
}

/// Reads availability.
pub fn get(
    conn: &mut DbConnection,
    caller: &Caller,
    helper_id: HelperId,
) -> Result<AvailabilityView, ApiError> {
    let helper = editable(conn, caller, helper_id)?;
    let windows = Availability::windows(conn, helper_id)?
        .into_iter()
        .map(|w| WindowInput {
            weekday: w.weekday,
            start: hhmm(w.start_minute),
            end: hhmm(w.end_minute),
        })
        .collect();
    Ok(AvailabilityView {
        windows,
        visits_per_week: helper.visits_per_week,
        exceptions: Availability::exceptions(conn, helper_id, None, None)?
            .into_iter()
            .map(ExceptionView::from)
            .collect(),
        term_periods: term_periods(conn, &helper)?,
        term_opt_out: helper.term_opt_out,
    })
}

fn term_periods(
    conn: &mut DbConnection,
    helper: &Helper,
) -> Result<Vec<TermPeriodShown>, ApiError> {
    let Some(institution) = &helper.institution else {
        return Ok(vec![]);
    };
    let branch = crate::db::models::branch::Branch::find(conn, helper.branch_id)?;
    let today = chrono::Utc::now()
        .with_timezone(&super::visits::time_zone(&branch))
        .date_naive();
    Ok(TermPeriod::of_branch(conn, helper.branch_id, Some(today))?
        .into_iter()
        .filter(|p| p.is_of(institution))
        .map(|p| TermPeriodShown {
            name: p.name,
            starts_on: p.starts_on,
            ends_on: p.ends_on,
        })
        .collect())
}

/// Replaces the weekly windows and visits a week.
pub fn replace(
    conn: &mut DbConnection,
    caller: &Caller,
    helper_id: HelperId,
    input: AvailabilityInput,
) -> Result<AvailabilityView, ApiError> {
    let mut errors = vec![];
    let mut windows = vec![];
    for (i, w) in input.windows.iter().enumerate() {
        let (start, end) = (minutes_of(&w.start), minutes_of(&w.end));
        if !(1..=7).contains(&w.weekday) {
            errors.push(FieldError::new(
                format!("windows[{i}].weekday"),
                "must be 1 (Monday) to 7 (Sunday)",
            ));
        }
        match (start, end) {
            (Some(s), Some(e)) if s < e => windows.push((w.weekday, s, e)),
            _ => errors.push(FieldError::new(
                format!("windows[{i}]"),
                "start and end are HH:MM with start before end",
            )),
        }
    }
    if input
        .visits_per_week
        .is_some_and(|v| !(0..=40).contains(&v))
    {
        errors.push(FieldError::new(
            "visits_per_week",
            "must be between 0 and 40",
        ));
    }
    if !errors.is_empty() {
        return Err(ApiError::Validation(errors));
    }
    crate::db::write_transaction(conn, |conn| {
        editable(conn, caller, helper_id)?;
        Availability::replace(conn, helper_id, &windows, input.visits_per_week)?;
        super::visits::recheck_helper(conn, helper_id)?;
        get(conn, caller, helper_id)
    })
}

/// Adds an exception (exams, holidays).
pub fn add_exception(
    conn: &mut DbConnection,
    caller: &Caller,
    helper_id: HelperId,
    input: ExceptionInput,
) -> Result<ExceptionView, ApiError> {
    if input.ends_at <= input.starts_at {
        return Err(ApiError::field("ends_at", "must be after starts_at"));
    }
    let reason = Text::optional(&input.reason, 200).map_err(|m| ApiError::field("reason", m))?;
    crate::db::write_transaction(conn, |conn| {
        editable(conn, caller, helper_id)?;
        let exception = Availability::add_exception(
            conn,
            helper_id,
            input.starts_at.naive_utc(),
            input.ends_at.naive_utc(),
            reason.as_str(),
        )?;
        super::visits::recheck_helper(conn, helper_id)?;
        Ok(exception.into())
    })
}
