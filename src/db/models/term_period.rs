//! Exam and holiday periods of the institutions a branch's students attend (`term_periods`).

use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;

use crate::db::DbConnection;
use crate::db::schema::term_periods;
use crate::domain::ids::{BranchId, UserId};

/// One period: `institution`'s `name` (e.g. "winter exams") from `starts_on` to `ends_on`,
/// both days included, in the branch's time zone.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = term_periods)]
pub struct TermPeriod {
    /// Id.
    pub id: i64,
    /// Branch.
    pub branch_id: BranchId,
    /// The institution, as the branch wrote it (matched without regard to case).
    pub institution: String,
    /// What the period is.
    pub name: String,
    /// First day.
    pub starts_on: NaiveDate,
    /// Last day.
    pub ends_on: NaiveDate,
    /// Who recorded it.
    pub created_by: Option<UserId>,
    /// When.
    pub created_at: NaiveDateTime,
}

/// A period to store.
#[derive(Debug, Insertable)]
#[diesel(table_name = term_periods)]
pub struct NewTermPeriod {
    /// Branch.
    pub branch_id: BranchId,
    /// Institution.
    pub institution: String,
    /// Name.
    pub name: String,
    /// First day.
    pub starts_on: NaiveDate,
    /// Last day.
    pub ends_on: NaiveDate,
    /// Who.
    pub created_by: Option<UserId>,
    /// When.
    pub created_at: NaiveDateTime,
}

impl TermPeriod {
    /// Whether the period is `institution`'s (case and surrounding spaces aside).
    pub fn is_of(&self, institution: &str) -> bool {
        // Lower-cased in full, not only ASCII: "Københavns Universitet" is "KØBENHAVNS …".
        self.institution.trim().to_lowercase() == institution.trim().to_lowercase()
    }

    /// Whether the period covers any day of `[first, last]`.
    pub fn covers_any(&self, first: NaiveDate, last: NaiveDate) -> bool {
        self.starts_on <= last && self.ends_on >= first
    }

    /// Stores a period.
    pub fn insert(conn: &mut DbConnection, new: &NewTermPeriod) -> QueryResult<TermPeriod> {
        diesel::insert_into(term_periods::table)
            .values(new)
            .returning(term_periods::all_columns)
            .get_result(conn)
    }

    /// One period of a branch.
    pub fn find(
        conn: &mut DbConnection,
        branch_id: BranchId,
        id: i64,
    ) -> QueryResult<Option<TermPeriod>> {
        term_periods::table
            .filter(term_periods::branch_id.eq(branch_id))
            .filter(term_periods::id.eq(id))
            .select(TermPeriod::as_select())
            .first(conn)
            .optional()
    }

    /// A branch's periods that end on or after `from`, by start (all with `None`).
    pub fn of_branch(
        conn: &mut DbConnection,
        branch_id: BranchId,
        from: Option<NaiveDate>,
    ) -> QueryResult<Vec<TermPeriod>> {
        let mut query = term_periods::table
            .filter(term_periods::branch_id.eq(branch_id))
            .into_boxed();
        if let Some(from) = from {
            query = query.filter(term_periods::ends_on.ge(from));
        }
        query
            .order((term_periods::starts_on, term_periods::id))
            .select(TermPeriod::as_select())
            .load(conn)
    }

    /// A branch's periods covering any day of `[first, last]`.
    pub fn covering(
        conn: &mut DbConnection,
        branch_id: BranchId,
        first: NaiveDate,
        last: NaiveDate,
    ) -> QueryResult<Vec<TermPeriod>> {
        term_periods::table
            .filter(term_periods::branch_id.eq(branch_id))
            .filter(term_periods::starts_on.le(last))
            .filter(term_periods::ends_on.ge(first))
            .select(TermPeriod::as_select())
            .load(conn)
    }

    /// Removes a period.
    pub fn delete(conn: &mut DbConnection, id: i64) -> QueryResult<usize> {
        diesel::delete(term_periods::table.find(id)).execute(conn)
    }
}
