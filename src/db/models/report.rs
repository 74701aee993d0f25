//! Visit reports: what the helper recorded at check-out.

use crate::domain::ids::{HelperId, VisitId};
use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::db::DbConnection;
use crate::db::schema::visit_reports;

/// One visit's report, written once at check-out.
#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = visit_reports)]
pub struct VisitReport {
    /// The visit.
    pub visit_id: VisitId,
    /// The helper who wrote it.
    pub helper_id: HelperId,
    /// Per task of the visit, JSON `[{"task","minutes","done","note"}]`.
    pub tasks: String,
    /// The helper is worried about the client's wellbeing (the branch leaders were alerted).
    pub concern: bool,
    /// What worries them.
    pub concern_note: Option<String>,
    /// Written (UTC).
    pub created_at: NaiveDateTime,
}

impl VisitReport {
    /// Stores a report.
    pub fn insert(conn: &mut DbConnection, report: &VisitReport) -> QueryResult<()> {
        diesel::insert_into(visit_reports::table)
            .values(report)
            .execute(conn)
            .map(|_| ())
    }

    /// The report of a visit, if one was written.
    pub fn find(conn: &mut DbConnection, visit_id: VisitId) -> QueryResult<Option<VisitReport>> {
        visit_reports::table
            .filter(visit_reports::visit_id.eq(visit_id))
            .select(VisitReport::as_select())
            .first(conn)
            .optional()
    }
}
