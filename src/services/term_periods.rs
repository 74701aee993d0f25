//! Term calendars: the exam and holiday periods of the institutions a branch's students
//! attend. A helper who names their institution (`institution` on the helper) is unavailable
//! in its periods unless they opt out (`term_opt_out`): booking refuses those days, and booked
//! visits in them become open, as with an exception the helper recorded.

use chrono::{Duration, NaiveDate};
use serde::Serialize;

use crate::auth::Caller;
use crate::db::DbConnection;
use crate::db::models::helper::Helper;
use crate::db::models::now;
use crate::db::models::term_period::{NewTermPeriod, TermPeriod};
use crate::domain::ids::{BranchId, HelperId};
use crate::domain::{HelperStatus, Text, Validator};
use crate::error::ApiError;
use crate::services::board;
use crate::services::visits::{recheck_helper, time_zone};

/// The longest period a branch records.
pub const MAX_DAYS: i64 = 366;

/// Body of `POST /api/v1/branches/{id}/term-periods`.
#[derive(Debug, eserde::Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"institution": "Aarhus Universitet", "name": "Winter exams", "starts_on": "2027-01-04", "ends_on": "2027-01-22"}))]
pub struct TermPeriodInput {
    /// The institution (helpers name the same, any case).
    pub institution: String,
    /// What the period is.
    pub name: String,
    /// First day (branch time).
    #[eserde(compat)]
    pub starts_on: NaiveDate,
    /// Last day, included.
    #[eserde(compat)]
    pub ends_on: NaiveDate,
}

/// A term period as the branch sees it.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct TermPeriodView {
    /// Id.
    pub id: i64,
    /// Branch.
    pub branch_id: BranchId,
    /// Institution.
    pub institution: String,
    /// Name.
    pub name: String,
    /// First day.
    pub starts_on: NaiveDate,
    /// Last day, included.
    pub ends_on: NaiveDate,
    /// Active or paused helpers of the branch it makes unavailable (institution named, not
    /// opted out).
    pub helpers: usize,
}

fn view(conn: &mut DbConnection, period: TermPeriod) -> Result<TermPeriodView, ApiError> {
    let helpers = affected(conn, &period)?.len();
    Ok(TermPeriodView {
        id: period.id,
        branch_id: period.branch_id,
        institution: period.institution,
        name: period.name,
        starts_on: period.starts_on,
        ends_on: period.ends_on,
        helpers,
    })
}

/// The helpers a period makes unavailable: of its branch, working (active or paused), naming
/// its institution, not opted out.
fn affected(conn: &mut DbConnection, period: &TermPeriod) -> Result<Vec<HelperId>, ApiError> {
    Ok(Helper::with_institution(
        conn,
        period.branch_id,
        &[HelperStatus::Active, HelperStatus::Paused],
    )?
    .into_iter()
    .filter(|(_, institution, opted_out)| !opted_out && period.is_of(institution))
    .map(|(id, _, _)| id)
    .collect())
}

/// The branch's periods that have not ended, by start (its staff; others 404).
pub fn list(
    conn: &mut DbConnection,
    caller: &Caller,
    branch_id: BranchId,
) -> Result<Vec<TermPeriodView>, ApiError> {
    let branch = board::managed(conn, caller, branch_id)?;
    let today = chrono::Utc::now()
        .with_timezone(&time_zone(&branch))
        .date_naive();
    TermPeriod::of_branch(conn, branch_id, Some(today))?
        .into_iter()
        .map(|p| view(conn, p))
        .collect()
}

/// Records a period; the booked visits of the helpers it makes unavailable become open.
pub fn create(
    conn: &mut DbConnection,
    caller: &Caller,
    branch_id: BranchId,
    input: TermPeriodInput,
) -> Result<TermPeriodView, ApiError> {
    let branch = board::managed(conn, caller, branch_id)?;
    let today = chrono::Utc::now()
        .with_timezone(&time_zone(&branch))
        .date_naive();
    let mut v = Validator::default();
    let institution = v.check(
        "institution",
        Text::required(&input.institution, 200).map(Text::into_string),
    );
    let name = v.check(
        "name",
        Text::required(&input.name, 200).map(Text::into_string),
    );
    let end = input.ends_on;
    let days = v.check(
        "ends_on",
        if end < input.starts_on {
            Err("must be on or after starts_on".to_string())
        } else if end - input.starts_on > Duration::days(MAX_DAYS) {
            Err(format!("a period is at most {MAX_DAYS} days"))
        } else if end < today {
            Err("is in the past".to_string())
        } else {
            Ok(())
        },
    );
    let new = v.into_value((|| {
        days?;
        Some(NewTermPeriod {
            branch_id,
            institution: institution?,
            name: name?,
            starts_on: input.starts_on,
            ends_on: input.ends_on,
            created_by: Some(caller.user_id),
            created_at: now(),
        })
    })())?;
    crate::db::write_transaction(conn, |conn| {
        let same = TermPeriod::of_branch(conn, branch_id, None)?
            .into_iter()
            .any(|p| {
                p.is_of(&new.institution)
                    && p.starts_on == new.starts_on
                    && p.ends_on == new.ends_on
                    && p.name.trim().to_lowercase() == new.name.trim().to_lowercase()
            });
        if same {
            return Err(ApiError::Conflict(
                "the branch has recorded this period already".into(),
            ));
        }
        let period = TermPeriod::insert(conn, &new)?;
        for helper in affected(conn, &period)? {
            recheck_helper(conn, helper)?;
        }
        view(conn, period)
    })
}

/// Removes a period (its staff; none: 404); visits it had opened are covered again.
pub fn delete(
    conn: &mut DbConnection,
    caller: &Caller,
    branch_id: BranchId,
    id: i64,
) -> Result<(), ApiError> {
    board::managed(conn, caller, branch_id)?;
    crate::db::write_transaction(conn, |conn| {
        let period = TermPeriod::find(conn, branch_id, id)?.ok_or(ApiError::NotFound)?;
        let helpers = affected(conn, &period)?;
        TermPeriod::delete(conn, id)?;
        for helper in helpers {
            recheck_helper(conn, helper)?;
        }
        Ok(())
    })
}
