//! The week board's read of visits: only the columns a board shows, with client names.

use super::*;

/// The columns a week board shows of a visit (a board reads thousands; the rest stays unread).
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = visits)]
pub struct BoardRow {
    /// Id.
    pub id: VisitId,
    /// Client.
    pub client_id: ClientId,
    /// Helper.
    pub helper_id: HelperId,
    /// Start (UTC).
    pub starts_at: NaiveDateTime,
    /// End (UTC).
    pub ends_at: NaiveDateTime,
    /// Length.
    pub minutes: i32,
    /// Tasks, JSON.
    pub segments: String,
    /// Status.
    pub status: VisitStatus,
    /// Booked with a helper from outside the team.
    pub substitute: bool,
    /// Why the branch must look at it.
    pub attention: Option<VisitAttention>,
    /// Far check-in or check-out.
    pub position_flagged: bool,
}

impl Visit {
    /// A branch's visits in these statuses starting in `[from, to)`, by start: the board's
    /// columns only, each with its client's name (one query, however many visits).
    pub fn board_rows(
        conn: &mut DbConnection,
        branch_id: BranchId,
        statuses: &[VisitStatus],
        from: NaiveDateTime,
        to: NaiveDateTime,
    ) -> QueryResult<Vec<(BoardRow, String)>> {
        visits::table
            .inner_join(clients::table.on(clients::id.eq(visits::client_id)))
            .filter(visits::branch_id.eq(branch_id))
            .filter(visits::status.eq_any(statuses.to_vec()))
            .filter(visits::starts_at.ge(from))
            .filter(visits::starts_at.lt(to))
            .order((visits::starts_at, visits::id))
            .select((BoardRow::as_select(), clients::name))
            .load(conn)
    }
}
