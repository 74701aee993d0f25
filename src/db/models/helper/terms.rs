//! Which helpers attend which institution (term periods make them unavailable).

use super::*;

impl Helper {
    /// Id, institution and opt-out of a branch's helpers in `statuses` who named an institution.
    pub fn with_institution(
        conn: &mut DbConnection,
        branch_id: BranchId,
        statuses: &[HelperStatus],
    ) -> QueryResult<Vec<(HelperId, String, bool)>> {
        let rows: Vec<(HelperId, Option<String>, bool)> = helpers::table
            .filter(helpers::branch_id.eq(branch_id))
            .filter(helpers::status.eq_any(statuses.to_vec()))
            .filter(helpers::institution.is_not_null())
            .order(helpers::id)
            .select((helpers::id, helpers::institution, helpers::term_opt_out))
            .load(conn)?;
        Ok(rows
            .into_iter()
            .filter_map(|(id, institution, opted_out)| institution.map(|i| (id, i, opted_out)))
            .collect())
    }
}

/// What the coverage forecast needs of a helper: whether they work, and their institution.
#[derive(Debug, Clone, Queryable)]
pub struct WorkingFacts {
    /// Helper.
    pub id: HelperId,
    /// Status (only active helpers come).
    pub status: HelperStatus,
    /// Institution, if named.
    pub institution: Option<String>,
    /// Works through term periods.
    pub term_opt_out: bool,
    /// Announced last day.
    pub leaves_on: Option<NaiveDate>,
}

impl Helper {
    /// The working facts of every helper of a branch.
    pub fn working_facts(
        conn: &mut DbConnection,
        branch_id: BranchId,
    ) -> QueryResult<Vec<WorkingFacts>> {
        helpers::table
            .filter(helpers::branch_id.eq(branch_id))
            .select((
                helpers::id,
                helpers::status,
                helpers::institution,
                helpers::term_opt_out,
                helpers::leaves_on,
            ))
            .load(conn)
    }
}
