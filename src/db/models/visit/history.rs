//! Reads over many visits for the branch's measures: the completed visits behind the continuity
//! index and the booked ones behind the clip-card forecast, for one client or a whole branch.

use super::*;

/// Which clients a measure reads: one, or every client of a branch.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Clients {
    /// One client.
    One(ClientId),
    /// Every client of the branch.
    OfBranch(BranchId),
}

/// A completed visit, as a measure counts it.
#[derive(Debug, Clone, Copy, Queryable)]
pub struct CompletedVisit {
    /// Client.
    pub client_id: ClientId,
    /// Helper.
    pub helper_id: HelperId,
    /// Booked length.
    pub minutes: i32,
    /// Charged length, once verified or reviewed.
    pub consumed_minutes: Option<i32>,
}

impl CompletedVisit {
    /// The minutes it counted: those charged, else the booked length.
    pub fn counted_minutes(&self) -> i64 {
        i64::from(self.consumed_minutes.unwrap_or(self.minutes))
    }
}

/// A visit holding the client's hours (booked or under way).
#[derive(Debug, Clone, Copy, Queryable)]
pub struct HoldingVisit {
    /// Client.
    pub client_id: ClientId,
    /// Start (UTC).
    pub starts_at: NaiveDateTime,
    /// Booked length.
    pub minutes: i32,
}

impl Visit {
    /// Completed visits of `clients` that started in `[from, to)`.
    pub fn completed_between(
        conn: &mut DbConnection,
        of: Clients,
        from: NaiveDateTime,
        to: NaiveDateTime,
    ) -> QueryResult<Vec<CompletedVisit>> {
        let mut query = visits::table
            .filter(visits::status.eq(VisitStatus::Completed))
            .filter(visits::starts_at.ge(from))
            .filter(visits::starts_at.lt(to))
            .into_boxed();
        query = match of {
            Clients::One(client) => query.filter(visits::client_id.eq(client)),
            Clients::OfBranch(branch) => query.filter(visits::branch_id.eq(branch)),
        };
        query
            .select((
                visits::client_id,
                visits::helper_id,
                visits::minutes,
                visits::consumed_minutes,
            ))
            .load(conn)
    }

    /// Visits of `clients` holding hours (booked or checked in) that start at or after `from`,
    /// by start.
    pub fn holding_from(
        conn: &mut DbConnection,
        of: Clients,
        from: NaiveDateTime,
    ) -> QueryResult<Vec<HoldingVisit>> {
        let mut query = visits::table
            .filter(visits::status.eq_any(VisitStatus::HOLDING_SLOT))
            .filter(visits::starts_at.ge(from))
            .into_boxed();
        query = match of {
            Clients::One(client) => query.filter(visits::client_id.eq(client)),
            Clients::OfBranch(branch) => query.filter(visits::branch_id.eq(branch)),
        };
        query
            .order((visits::client_id, visits::starts_at, visits::id))
            .select((visits::client_id, visits::starts_at, visits::minutes))
            .load(conn)
    }
}

impl Visit {
    /// A branch's booked visits whose helper cannot come (open or uncovered) starting in
    /// `[from, to)`, by start, each with its client's name.
    pub fn needing_cover(
        conn: &mut DbConnection,
        branch_id: BranchId,
        from: NaiveDateTime,
        to: NaiveDateTime,
    ) -> QueryResult<Vec<(Visit, String)>> {
        visits::table
            .inner_join(clients::table.on(clients::id.eq(visits::client_id)))
            .filter(visits::branch_id.eq(branch_id))
            .filter(visits::status.eq(VisitStatus::Booked))
            .filter(visits::attention.eq_any(VisitAttention::HELPER_CANNOT_COME.map(Some)))
            .filter(visits::starts_at.ge(from))
            .filter(visits::starts_at.lt(to))
            .order((visits::starts_at, visits::id))
            .select((Visit::as_select(), clients::name))
            .load(conn)
    }
}

impl Visit {
    /// The client and start of every visit of `clients` that is not cancelled, starting in
    /// `[from, to)` (the coverage forecast reads the clients' usual times from them).
    pub fn starts_between(
        conn: &mut DbConnection,
        of: Clients,
        from: NaiveDateTime,
        to: NaiveDateTime,
    ) -> QueryResult<Vec<HoldingVisit>> {
        let mut query = visits::table
            .filter(visits::status.ne(VisitStatus::Cancelled))
            .filter(visits::starts_at.ge(from))
            .filter(visits::starts_at.lt(to))
            .into_boxed();
        query = match of {
            Clients::One(client) => query.filter(visits::client_id.eq(client)),
            Clients::OfBranch(branch) => query.filter(visits::branch_id.eq(branch)),
        };
        query
            .order((visits::client_id, visits::starts_at))
            .select((visits::client_id, visits::starts_at, visits::minutes))
            .load(conn)
    }
}
