//! Helpers who wait on the branch: applications long in one stage, active helpers who have
//! declared no weekly availability (the morning digest names both).

use super::*;
use crate::db::schema::availability_windows;

/// The pipeline stages an application waits in for the branch to act (waitlisted waits for
/// demand, not for the branch).
pub const WAITING_STAGES: [HelperStatus; 5] = [
    HelperStatus::Applied,
    HelperStatus::Screened,
    HelperStatus::Interview1,
    HelperStatus::Interview2,
    HelperStatus::Interview3,
];

impl Helper {
    /// Id, name, stage and since when of a branch's applications in a waiting stage since
    /// before `before`, longest waiting first.
    pub fn waiting_since(
        conn: &mut DbConnection,
        branch_id: BranchId,
        before: NaiveDateTime,
    ) -> QueryResult<Vec<(HelperId, String, HelperStatus, NaiveDateTime)>> {
        helpers::table
            .filter(helpers::branch_id.eq(branch_id))
            .filter(helpers::status.eq_any(WAITING_STAGES))
            .filter(helpers::status_changed_at.lt(before))
            .order((helpers::status_changed_at, helpers::id))
            .select((
                helpers::id,
                helpers::name,
                helpers::status,
                helpers::status_changed_at,
            ))
            .load(conn)
    }

    /// A branch's helpers whose announced leave date is `today` or earlier, with pairs still open.
    pub fn departed(
        conn: &mut DbConnection,
        branch_id: BranchId,
        today: NaiveDate,
    ) -> QueryResult<Vec<HelperId>> {
        use crate::db::schema::assignments;
        helpers::table
            .filter(helpers::branch_id.eq(branch_id))
            .filter(helpers::leaves_on.le(today))
            .filter(diesel::dsl::exists(
                assignments::table
                    .filter(assignments::helper_id.eq(helpers::id))
                    .filter(assignments::ended_at.is_null()),
            ))
            .order(helpers::id)
            .select(helpers::id)
            .load(conn)
    }

    /// Id and name of a branch's active helpers without a weekly availability window, by name.
    pub fn active_without_availability(
        conn: &mut DbConnection,
        branch_id: BranchId,
    ) -> QueryResult<Vec<(HelperId, String)>> {
        helpers::table
            .filter(helpers::branch_id.eq(branch_id))
            .filter(helpers::status.eq(HelperStatus::Active))
            .filter(diesel::dsl::not(diesel::dsl::exists(
                availability_windows::table.filter(availability_windows::helper_id.eq(helpers::id)),
            )))
            .order((helpers::name, helpers::id))
            .select((helpers::id, helpers::name))
            .load(conn)
    }
}
