//! Open visits as stored: the booked visits whose helper cannot come, the moments their offer
//! widened and they went uncovered, and who was told about them (`visit_offers`).

use super::*;
use crate::db::schema::visit_offers;
use crate::domain::VisitCover;

const OPEN_REASONS: [VisitAttention; 6] = VisitAttention::HELPER_CANNOT_COME;

impl Visit {
    /// True while the visit is open: booked, not started, and its helper cannot come.
    pub fn is_open(&self, now: NaiveDateTime) -> bool {
        self.status == VisitStatus::Booked
            && self.starts_at > now
            && self
                .attention
                .is_some_and(VisitAttention::helper_cannot_come)
    }

    /// Whether somebody comes: covered, open, or open past its deadline (uncovered).
    pub fn cover(&self, now: NaiveDateTime) -> VisitCover {
        match (self.is_open(now), self.uncovered_at) {
            (false, _) => VisitCover::Covered,
            (true, None) => VisitCover::Open,
            (true, Some(_)) => VisitCover::Uncovered,
        }
    }

    /// Open visits starting after `now`, soonest first; one branch, or every branch (`None`).
    pub fn open_after(
        conn: &mut DbConnection,
        branch_id: Option<BranchId>,
        now: NaiveDateTime,
    ) -> QueryResult<Vec<Visit>> {
        let mut q = visits::table
            .filter(visits::status.eq(VisitStatus::Booked))
            .filter(visits::starts_at.gt(now))
            .filter(visits::attention.eq_any(OPEN_REASONS))
            .into_boxed();
        if let Some(branch_id) = branch_id {
            q = q.filter(visits::branch_id.eq(branch_id));
        }
        q.order((visits::starts_at, visits::id))
            .select(Visit::as_select())
            .load(conn)
    }

    /// Marks the offer widened to the branch, once: false when it already was, or the visit is
    /// no longer open (another instance, or an accept, came first).
    pub fn widen_offer(
        conn: &mut DbConnection,
        id: VisitId,
        now: NaiveDateTime,
    ) -> QueryResult<bool> {
        diesel::update(
            visits::table
                .filter(visits::id.eq(id))
                .filter(visits::offered_branch_at.is_null())
                .filter(visits::status.eq(VisitStatus::Booked))
                .filter(visits::attention.eq_any(OPEN_REASONS)),
        )
        .set((
            visits::offered_branch_at.eq(Some(now)),
            visits::updated_at.eq(now),
        ))
        .execute(conn)
        .map(|n| n == 1)
    }

    /// Marks an open visit uncovered, once (as `widen_offer`).
    pub fn mark_uncovered(
        conn: &mut DbConnection,
        id: VisitId,
        now: NaiveDateTime,
    ) -> QueryResult<bool> {
        diesel::update(
            visits::table
                .filter(visits::id.eq(id))
                .filter(visits::uncovered_at.is_null())
                .filter(visits::status.eq(VisitStatus::Booked))
                .filter(visits::attention.eq_any(OPEN_REASONS)),
        )
        .set((
            visits::uncovered_at.eq(Some(now)),
            visits::updated_at.eq(now),
        ))
        .execute(conn)
        .map(|n| n == 1)
    }
}

/// Who was told about a visit while it is open.
pub struct VisitOffer;

impl VisitOffer {
    /// The helpers told about the visit since `opened` (its current opening; rows of an
    /// earlier opening stay, and do not count).
    pub fn helpers(
        conn: &mut DbConnection,
        visit_id: VisitId,
        opened: NaiveDateTime,
    ) -> QueryResult<Vec<HelperId>> {
        visit_offers::table
            .filter(visit_offers::visit_id.eq(visit_id))
            .filter(visit_offers::offered_at.ge(opened))
            .order(visit_offers::id)
            .select(visit_offers::helper_id)
            .load(conn)
    }

    /// Records that `helper_id` was told; call with the visit's people locked. A helper told in
    /// an earlier opening is told again: their old row gives way.
    pub fn record(
        conn: &mut DbConnection,
        visit_id: VisitId,
        helper_id: HelperId,
        at: NaiveDateTime,
    ) -> QueryResult<()> {
        diesel::delete(
            visit_offers::table
                .filter(visit_offers::visit_id.eq(visit_id))
                .filter(visit_offers::helper_id.eq(helper_id)),
        )
        .execute(conn)?;
        diesel::insert_into(visit_offers::table)
            .values((
                visit_offers::visit_id.eq(visit_id),
                visit_offers::helper_id.eq(helper_id),
                visit_offers::offered_at.eq(at),
            ))
            .execute(conn)
            .map(|_| ())
    }

    /// Forgets the offers of a visit that is no longer open (taken, cancelled, covered again).
    pub fn clear(conn: &mut DbConnection, visit_id: VisitId) -> QueryResult<()> {
        diesel::delete(visit_offers::table.filter(visit_offers::visit_id.eq(visit_id)))
            .execute(conn)
            .map(|_| ())
    }
}

impl Visit {
    /// How many visits still ahead are open, and how many of those uncovered (every branch).
    pub fn open_and_uncovered(
        conn: &mut DbConnection,
        now: NaiveDateTime,
    ) -> QueryResult<(i64, i64)> {
        let open = || {
            visits::table
                .filter(visits::status.eq(VisitStatus::Booked))
                .filter(visits::starts_at.gt(now))
                .filter(visits::attention.eq_any(OPEN_REASONS.map(Some)))
        };
        let all = open().count().get_result(conn)?;
        let uncovered = open()
            .filter(visits::uncovered_at.is_not_null())
            .count()
            .get_result(conn)?;
        Ok((all, uncovered))
    }
}
