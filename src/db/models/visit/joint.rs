//! Joint handover visits (`joint_visits`): the second helper who comes with a visit's helper.

use super::*;
use crate::db::schema::joint_visits;

/// Records `helper` as the visit's second helper.
pub fn add(conn: &mut DbConnection, visit: VisitId, helper: HelperId) -> QueryResult<()> {
    diesel::insert_into(joint_visits::table)
        .values((
            joint_visits::visit_id.eq(visit),
            joint_visits::helper_id.eq(helper),
        ))
        .execute(conn)
        .map(|_| ())
}

/// The second helper of each of `visits` that has one.
pub fn helpers_of(
    conn: &mut DbConnection,
    visits: &[VisitId],
) -> QueryResult<std::collections::HashMap<VisitId, HelperId>> {
    let mut found = std::collections::HashMap::new();
    // Bound values per statement stay under SQLite's limit.
    for chunk in visits.chunks(1_000) {
        let rows: Vec<(VisitId, HelperId)> = joint_visits::table
            .filter(joint_visits::visit_id.eq_any(chunk))
            .select((joint_visits::visit_id, joint_visits::helper_id))
            .load(conn)?;
        found.extend(rows);
    }
    Ok(found)
}

/// The second helper of one visit, if any.
pub fn helper_of(conn: &mut DbConnection, visit: VisitId) -> QueryResult<Option<HelperId>> {
    joint_visits::table
        .find(visit)
        .select(joint_visits::helper_id)
        .first(conn)
        .optional()
}
