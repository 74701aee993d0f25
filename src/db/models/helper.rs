//! Students (helpers) and their moves through the recruitment pipeline.

use crate::domain::ids::{BranchId, HelperId};
use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;

use crate::db::DbConnection;
use crate::db::schema::{helper_transitions, helpers};
use crate::domain::{CheckOutcome, HelperStatus};

mod erasure;
mod terms;
mod transitions;
mod waiting;

pub use waiting::WAITING_STAGES;

pub use transitions::{HelperTransition, NewHelperTransition, PriorStatus};

/// A student, in any status from applicant to left.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = helpers)]
pub struct Helper {
    /// Id.
    pub id: HelperId,
    /// Branch applied to.
    pub branch_id: BranchId,
    /// Full name.
    pub name: String,
    /// Email.
    pub email: String,
    /// Phone.
    pub phone: String,
    /// What and where they study.
    pub study_programme: String,
    /// Skills, JSON list.
    pub skills: String,
    /// Languages, JSON list.
    pub languages: String,
    /// Home latitude.
    pub home_lat: f64,
    /// Home longitude.
    pub home_lon: f64,
    /// Most clients they want.
    pub capacity: i32,
    /// Hours a week they want.
    pub hours_per_week: i32,
    /// Pipeline status.
    pub status: HelperStatus,
    /// Where a waitlisted student resumes.
    pub resume_status: Option<HelperStatus>,
    /// When the status last changed.
    pub status_changed_at: NaiveDateTime,
    /// When they applied (waitlist order).
    pub applied_at: NaiveDateTime,
    /// Date of the criminal-record check.
    pub criminal_record_checked_on: Option<NaiveDate>,
    /// Outcome of the check: `clear` or `not_clear`.
    pub criminal_record_outcome: Option<CheckOutcome>,
    /// Hash of the applicant's status-lookup token.
    pub status_token_hash: String,
    /// Created.
    pub created_at: NaiveDateTime,
    /// Changed.
    pub updated_at: NaiveDateTime,
    /// Visits a week the student wants (students decide how much they work).
    pub visits_per_week: Option<i32>,
    /// Set when the helper's personal data was erased (the row stays for hours and payroll).
    pub deleted_at: Option<NaiveDateTime>,
    /// The name in lower case, for search.
    pub search_name: String,
    /// Home traits they cannot work with (matching rule 4), JSON list.
    pub avoids: String,
    /// The institution the helper attends (its term periods make them unavailable).
    pub institution: Option<String>,
    /// Works through the institution's term periods anyway.
    pub term_opt_out: bool,
    /// The announced last day: unavailable from it, pairs end on it.
    pub leaves_on: Option<NaiveDate>,
}

/// An application to store.
#[derive(Debug, Insertable)]
#[diesel(table_name = helpers)]
pub struct NewHelper {
    /// Branch.
    pub branch_id: BranchId,
    /// Name.
    pub name: String,
    /// Email.
    pub email: String,
    /// Phone.
    pub phone: String,
    /// Study programme.
    pub study_programme: String,
    /// Skills JSON.
    pub skills: String,
    /// Languages JSON.
    pub languages: String,
    /// Latitude.
    pub home_lat: f64,
    /// Longitude.
    pub home_lon: f64,
    /// Capacity.
    pub capacity: i32,
    /// Hours a week.
    pub hours_per_week: i32,
    /// Status.
    pub status: HelperStatus,
    /// Status changed.
    pub status_changed_at: NaiveDateTime,
    /// Applied.
    pub applied_at: NaiveDateTime,
    /// Status token hash.
    pub status_token_hash: String,
    /// Created.
    pub created_at: NaiveDateTime,
    /// Changed.
    pub updated_at: NaiveDateTime,
    /// Lower-case name.
    pub search_name: String,
}

/// Profile fields a PATCH may change (status moves only through transitions).
#[derive(Debug, Default, AsChangeset)]
#[diesel(table_name = helpers)]
pub struct HelperChanges {
    /// Name.
    pub name: Option<String>,
    /// Phone.
    pub phone: Option<String>,
    /// Study programme.
    pub study_programme: Option<String>,
    /// Skills JSON.
    pub skills: Option<String>,
    /// Languages JSON.
    pub languages: Option<String>,
    /// Latitude.
    pub home_lat: Option<f64>,
    /// Longitude.
    pub home_lon: Option<f64>,
    /// Capacity.
    pub capacity: Option<i32>,
    /// Hours a week.
    pub hours_per_week: Option<i32>,
    /// Changed.
    pub updated_at: Option<NaiveDateTime>,
    /// Lower-case name (set with `name`).
    pub search_name: Option<String>,
    /// Avoided home traits JSON.
    pub avoids: Option<String>,
    /// Institution (`Some(None)` clears it).
    pub institution: Option<Option<String>>,
    /// Opt-out of the institution's term periods.
    pub term_opt_out: Option<bool>,
    /// Announced last day (`Some(None)` withdraws it).
    pub leaves_on: Option<Option<NaiveDate>>,
}

/// Filters for listing helpers.
#[derive(Debug, Default)]
pub struct HelperFilter {
    /// Only this branch.
    pub branch_id: Option<BranchId>,
    /// Only this status.
    pub status: Option<HelperStatus>,
    /// Only this id (a helper sees only themself).
    pub only_id: Option<HelperId>,
    /// Only names containing this (lower case).
    pub name_contains: Option<String>,
    /// Only helpers whose `updated_at` is at or after this.
    pub updated_since: Option<NaiveDateTime>,
}

impl HelperFilter {
    /// Every active helper of a branch.
    pub fn active_in(branch_id: BranchId) -> HelperFilter {
        HelperFilter {
            branch_id: Some(branch_id),
            status: Some(HelperStatus::Active),
            only_id: None,
            name_contains: None,
            updated_since: None,
        }
    }
}

impl Helper {
    /// Stores an application.
    pub fn insert(conn: &mut DbConnection, new: &NewHelper) -> QueryResult<Helper> {
        diesel::insert_into(helpers::table)
            .values(new)
            .returning(helpers::all_columns)
            .get_result(conn)
    }

    /// One helper by id.
    pub fn find(conn: &mut DbConnection, id: HelperId) -> QueryResult<Helper> {
        helpers::table
            .find(id)
            .select(Helper::as_select())
            .first(conn)
    }

    /// The applicant holding a status token.
    pub fn find_by_status_token(
        conn: &mut DbConnection,
        token_hash: &str,
    ) -> QueryResult<Option<Helper>> {
        helpers::table
            .filter(helpers::status_token_hash.eq(token_hash))
            .select(Helper::as_select())
            .first(conn)
            .optional()
    }

    /// Id and name of a branch's helpers in one status, in id order (the week board's rows).
    pub fn names_in_branch(
        conn: &mut DbConnection,
        branch_id: BranchId,
        status: HelperStatus,
    ) -> QueryResult<Vec<(HelperId, String)>> {
        helpers::table
            .filter(helpers::branch_id.eq(branch_id))
            .filter(helpers::status.eq(status))
            .order(helpers::id)
            .select((helpers::id, helpers::name))
            .load(conn)
    }

    /// Helpers matching `filter`, after `after_id`, in id order.
    pub fn list(
        conn: &mut DbConnection,
        filter: &HelperFilter,
        after_id: i64,
        limit: i64,
    ) -> QueryResult<Vec<Helper>> {
        let mut query = helpers::table.filter(helpers::id.gt(after_id)).into_boxed();
        if let Some(branch) = filter.branch_id {
            query = query.filter(helpers::branch_id.eq(branch));
        }
        if let Some(status) = &filter.status {
            query = query.filter(helpers::status.eq(*status));
        }
        if let Some(id) = filter.only_id {
            query = query.filter(helpers::id.eq(id));
        }
        if let Some(since) = filter.updated_since {
            query = query.filter(helpers::updated_at.ge(since));
        }
        if let Some(part) = &filter.name_contains {
            query = query.filter(
                helpers::search_name
                    .like(super::contains_pattern(part))
                    .escape('\\'),
            );
        }
        query
            .order(helpers::id)
            .limit(limit)
            .select(Helper::as_select())
            .load(conn)
    }

    /// Whether this email has an application at the branch that is not rejected or left.
    pub fn has_open_application(
        conn: &mut DbConnection,
        branch_id: BranchId,
        email: &str,
    ) -> QueryResult<bool> {
        diesel::select(diesel::dsl::exists(
            helpers::table
                .filter(helpers::branch_id.eq(branch_id))
                .filter(helpers::email.eq(email))
                .filter(helpers::status.ne_all([HelperStatus::Rejected, HelperStatus::Left])),
        ))
        .get_result(conn)
    }

    /// 1-based place on the branch's waitlist, in order of application.
    pub fn waitlist_position(conn: &mut DbConnection, helper: &Helper) -> QueryResult<i64> {
        let ahead: i64 = helpers::table
            .filter(helpers::branch_id.eq(helper.branch_id))
            .filter(helpers::status.eq(HelperStatus::Waitlisted))
            .filter(
                helpers::applied_at
                    .lt(helper.applied_at)
                    .or(helpers::applied_at
                        .eq(helper.applied_at)
                        .and(helpers::id.lt(helper.id))),
            )
            .count()
            .get_result(conn)?;
        Ok(ahead + 1)
    }

    /// Applies profile changes and returns the new row.
    pub fn update(
        conn: &mut DbConnection,
        id: HelperId,
        changes: &HelperChanges,
    ) -> QueryResult<Helper> {
        diesel::update(helpers::table.find(id))
            .set(changes)
            .execute(conn)?;
        Helper::find(conn, id)
    }

    /// Moves the helper from `from` to `to`, only if it is still in `from`: a concurrent
    /// move makes this return 0 rows instead of skipping a stage.
    pub fn set_status(
        conn: &mut DbConnection,
        id: HelperId,
        from: HelperStatus,
        to: HelperStatus,
        resume: Option<HelperStatus>,
        record: Option<(NaiveDate, CheckOutcome)>,
        now: NaiveDateTime,
    ) -> QueryResult<usize> {
        let target = helpers::table
            .filter(helpers::id.eq(id))
            .filter(helpers::status.eq(from));
        let changed = diesel::update(target)
            .set((
                helpers::status.eq(to),
                helpers::resume_status.eq(resume),
                helpers::status_changed_at.eq(now),
                helpers::updated_at.eq(now),
            ))
            .execute(conn)?;
        if let (1, Some((on, outcome))) = (changed, record) {
            diesel::update(helpers::table.find(id))
                .set((
                    helpers::criminal_record_checked_on.eq(Some(on)),
                    helpers::criminal_record_outcome.eq(Some(outcome)),
                ))
                .execute(conn)?;
        }
        Ok(changed)
    }

    /// Display names of helpers by id (erased ones read "(deleted)").
    pub fn names(
        conn: &mut DbConnection,
        ids: &[HelperId],
    ) -> QueryResult<Vec<(HelperId, String)>> {
        helpers::table
            .filter(helpers::id.eq_any(ids))
            .select((helpers::id, helpers::name))
            .load(conn)
    }

    /// The recorded moves of a helper, oldest first.
    pub fn history(conn: &mut DbConnection, id: HelperId) -> QueryResult<Vec<HelperTransition>> {
        helper_transitions::table
            .filter(helper_transitions::helper_id.eq(id))
            .order(helper_transitions::id)
            .select(HelperTransition::as_select())
            .load(conn)
    }

    /// Records a move.
    pub fn record_transition(
        conn: &mut DbConnection,
        new: &NewHelperTransition,
    ) -> QueryResult<()> {
        diesel::insert_into(helper_transitions::table)
            .values(new)
            .execute(conn)
            .map(|_| ())
    }
}
