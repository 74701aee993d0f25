//! Visits (shifts) and the locks that keep bookings from overlapping.

use crate::domain::ids::{BranchId, ClientId, HelperId, SeriesId, UserId, VisitId};
use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::db::schema::{clients, helpers, visits};
use crate::db::{DbConnection, Scope};
use crate::domain::{VisitAttention, VisitStatus};

/// The ids of the visits helper `$h` comes to as a joint visit's second helper, a subquery
/// (written out: a boxed subquery is no SQL fragment for the two-backend connection).
macro_rules! joint_visits_of {
    ($h:expr) => {
        crate::db::schema::joint_visits::table
            .filter(crate::db::schema::joint_visits::helper_id.eq($h))
            .select(crate::db::schema::joint_visits::visit_id)
    };
}

mod board;
mod clashes;
mod history;
pub mod joint;
mod offers;

pub use board::BoardRow;
pub use history::{Clients, CompletedVisit, HoldingVisit};
pub use offers::VisitOffer;

/// Statuses that hold a slot.
pub const ACTIVE_STATUSES: [VisitStatus; 2] = VisitStatus::HOLDING_SLOT;

/// A visit.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = visits)]
pub struct Visit {
    /// Id.
    pub id: VisitId,
    /// Branch.
    pub branch_id: BranchId,
    /// Client.
    pub client_id: ClientId,
    /// Helper.
    pub helper_id: HelperId,
    /// Series a recurring visit belongs to (its first occurrence's id).
    pub series_id: Option<SeriesId>,
    /// Start (UTC).
    pub starts_at: NaiveDateTime,
    /// End (UTC).
    pub ends_at: NaiveDateTime,
    /// Booked length in minutes (30-minute steps).
    pub minutes: i32,
    /// Task segments, JSON `[{"task","minutes"}]`.
    pub segments: String,
    /// Where the visit stands.
    pub status: VisitStatus,
    /// Booked with a helper from outside the client's team.
    pub substitute: bool,
    /// Grows with each reschedule (calendar invites).
    pub sequence: i32,
    /// Who booked.
    pub booked_by: Option<UserId>,
    /// When it was cancelled.
    pub cancelled_at: Option<NaiveDateTime>,
    /// Cancelled inside the notice period (the hours are used).
    pub late_cancellation: bool,
    /// Check-in time.
    pub checked_in_at: Option<NaiveDateTime>,
    /// Helper's distance from the client's home at check-in.
    pub check_in_distance_m: Option<i64>,
    /// Check-out time.
    pub checked_out_at: Option<NaiveDateTime>,
    /// Helper's distance at check-out.
    pub check_out_distance_m: Option<i64>,
    /// A check-in or check-out was too far from the client's home.
    pub position_flagged: bool,
    /// Created.
    pub created_at: NaiveDateTime,
    /// Changed.
    pub updated_at: NaiveDateTime,
    /// Why the visit may not happen as booked (its helper cannot come), if so.
    pub attention: Option<VisitAttention>,
    /// Since when it needs attention.
    pub attention_since: Option<NaiveDateTime>,
    /// Later cancellations use the hours (`None` on rows booked before this was stored).
    pub free_cancellation_until: Option<NaiveDateTime>,
    /// Minutes taken from the clip card and paid, once attendance is verified or reviewed.
    pub consumed_minutes: Option<i32>,
    /// Who reviewed an unverified attendance.
    pub reviewed_by: Option<UserId>,
    /// When.
    pub reviewed_at: Option<NaiveDateTime>,
    /// What the helper said when they said they cannot come.
    pub open_reason: Option<String>,
    /// When an open visit was offered beyond the client's team, to the branch's free helpers.
    pub offered_branch_at: Option<NaiveDateTime>,
    /// When an open visit passed its deadline untaken (the branch leaders were alerted).
    pub uncovered_at: Option<NaiveDateTime>,
    /// A check-in or check-out reached the service late (recorded offline).
    pub synced_late: bool,
}

/// A visit to insert.
#[derive(Debug, Insertable)]
#[diesel(table_name = visits)]
pub struct NewVisit {
    /// Branch.
    pub branch_id: BranchId,
    /// Client.
    pub client_id: ClientId,
    /// Helper.
    pub helper_id: HelperId,
    /// Series.
    pub series_id: Option<SeriesId>,
    /// Start.
    pub starts_at: NaiveDateTime,
    /// End.
    pub ends_at: NaiveDateTime,
    /// Minutes.
    pub minutes: i32,
    /// Segments JSON.
    pub segments: String,
    /// Status.
    pub status: VisitStatus,
    /// Substitute.
    pub substitute: bool,
    /// Sequence.
    pub sequence: i32,
    /// Booked by.
    pub booked_by: Option<UserId>,
    /// Late cancellation.
    pub late_cancellation: bool,
    /// Flagged.
    pub position_flagged: bool,
    /// Free cancellation until.
    pub free_cancellation_until: Option<NaiveDateTime>,
    /// Created.
    pub created_at: NaiveDateTime,
    /// Changed.
    pub updated_at: NaiveDateTime,
}

/// Filters for visit lists.
#[derive(Debug, Clone)]
pub struct VisitFilter {
    /// What the caller may see.
    pub scope: Scope,
    /// Only these statuses.
    pub statuses: Vec<VisitStatus>,
    /// Only visits that need attention (true) or that do not (false).
    pub needs_attention: Option<bool>,
    /// Branch.
    pub branch_id: Option<BranchId>,
    /// Helper.
    pub helper_id: Option<HelperId>,
    /// Client.
    pub client_id: Option<ClientId>,
    /// Starting at or after.
    pub from: Option<NaiveDateTime>,
    /// Starting before.
    pub to: Option<NaiveDateTime>,
    /// Changed at or after (an app syncing what changed since it last looked).
    pub updated_since: Option<NaiveDateTime>,
}

/// Whose visits or pairs a query means: a helper's or a client's (two ids that cannot be swapped).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Whose {
    /// The helper's visits.
    Helper(HelperId),
    /// The client's visits.
    Client(ClientId),
}

impl Visit {
    /// The visit happens as booked again (or is over): no reason, no open offer, not uncovered.
    pub fn clear_attention(&mut self) {
        self.attention = None;
        self.attention_since = None;
        self.open_reason = None;
        self.offered_branch_at = None;
        self.uncovered_at = None;
    }

    /// Inserts a visit.
    pub fn insert(conn: &mut DbConnection, new: &NewVisit) -> QueryResult<Visit> {
        diesel::insert_into(visits::table)
            .values(new)
            .returning(visits::all_columns)
            .get_result(conn)
    }

    /// One visit.
    pub fn find(conn: &mut DbConnection, id: VisitId) -> QueryResult<Visit> {
        visits::table
            .find(id)
            .select(Visit::as_select())
            .first(conn)
    }

    /// Visits matching the filter in start order (ties by id), after the `(start, id)` cursor.
    pub fn list(
        conn: &mut DbConnection,
        f: &VisitFilter,
        after: Option<(NaiveDateTime, VisitId)>,
        limit: i64,
    ) -> QueryResult<Vec<Visit>> {
        let mut q = visits::table
            .filter(visits::status.eq_any(f.statuses.clone()))
            .into_boxed();
        if let Some((start, id)) = after {
            q = q.filter(
                visits::starts_at
                    .gt(start)
                    .or(visits::starts_at.eq(start).and(visits::id.gt(id))),
            );
        }
        match &f.scope {
            Scope::All => {}
            Scope::Branch(branch) => q = q.filter(visits::branch_id.eq(*branch)),
            Scope::Own { helper, clients } => {
                let me = helper.unwrap_or(HelperId::NONE);
                q = q.filter(
                    visits::helper_id
                        .eq(me)
                        .or(visits::id.eq_any(joint_visits_of!(me)))
                        .or(visits::client_id.eq_any(clients.clone())),
                );
            }
        }
        if let Some(v) = f.branch_id {
            q = q.filter(visits::branch_id.eq(v));
        }
        // A helper's visits include the joint ones they come to as the second helper.
        if let Some(v) = f.helper_id {
            q = q.filter(
                visits::helper_id
                    .eq(v)
                    .or(visits::id.eq_any(joint_visits_of!(v))),
            );
        }
        if let Some(v) = f.client_id {
            q = q.filter(visits::client_id.eq(v));
        }
        if let Some(v) = f.from {
            q = q.filter(visits::starts_at.ge(v));
        }
        if let Some(v) = f.to {
            q = q.filter(visits::starts_at.lt(v));
        }
        if let Some(v) = f.updated_since {
            q = q.filter(visits::updated_at.ge(v));
        }
        match f.needs_attention {
            Some(true) => q = q.filter(visits::attention.is_not_null()),
            Some(false) => q = q.filter(visits::attention.is_null()),
            None => {}
        }
        q.order((visits::starts_at, visits::id))
            .limit(limit)
            .select(Visit::as_select())
            .load(conn)
    }

    /// A helper's visits still to come that hold a slot (booked or checked in), by start.
    pub fn upcoming_for_helper(
        conn: &mut DbConnection,
        helper_id: HelperId,
        from: NaiveDateTime,
    ) -> QueryResult<Vec<Visit>> {
        visits::table
            .filter(visits::helper_id.eq(helper_id))
            .filter(visits::status.eq(VisitStatus::Booked))
            .filter(visits::ends_at.gt(from))
            .order((visits::starts_at, visits::id))
            .select(Visit::as_select())
            .load(conn)
    }

    /// A client's booked visits still to come, by start.
    pub fn upcoming_for_client(
        conn: &mut DbConnection,
        client_id: ClientId,
        from: NaiveDateTime,
    ) -> QueryResult<Vec<Visit>> {
        visits::table
            .filter(visits::client_id.eq(client_id))
            .filter(visits::status.eq(VisitStatus::Booked))
            .filter(visits::ends_at.gt(from))
            .order((visits::starts_at, visits::id))
            .select(Visit::as_select())
            .load(conn)
    }

    /// Whether the helper holds a booked or checked-in visit with the client (a substitute
    /// sees the client from booking until the visit is over).
    pub fn helper_is_booked_with(
        conn: &mut DbConnection,
        helper_id: HelperId,
        client_id: ClientId,
    ) -> QueryResult<bool> {
        diesel::select(diesel::dsl::exists(
            visits::table
                .filter(
                    visits::helper_id
                        .eq(helper_id)
                        .or(visits::id.eq_any(joint_visits_of!(helper_id))),
                )
                .filter(visits::client_id.eq(client_id))
                .filter(visits::status.eq_any(ACTIVE_STATUSES)),
        ))
        .get_result(conn)
    }

    /// Writes every mutable field back.
    pub fn save(conn: &mut DbConnection, v: &Visit) -> QueryResult<()> {
        diesel::update(visits::table.find(v.id))
            .set((
                visits::helper_id.eq(v.helper_id),
                visits::starts_at.eq(v.starts_at),
                visits::ends_at.eq(v.ends_at),
                visits::minutes.eq(v.minutes),
                visits::segments.eq(&v.segments),
                visits::status.eq(v.status),
                visits::substitute.eq(v.substitute),
                visits::sequence.eq(v.sequence),
                visits::cancelled_at.eq(v.cancelled_at),
                visits::late_cancellation.eq(v.late_cancellation),
                visits::checked_in_at.eq(v.checked_in_at),
                visits::check_in_distance_m.eq(v.check_in_distance_m),
                visits::checked_out_at.eq(v.checked_out_at),
                visits::check_out_distance_m.eq(v.check_out_distance_m),
                visits::position_flagged.eq(v.position_flagged),
                visits::updated_at.eq(v.updated_at),
                visits::attention.eq(v.attention),
                visits::attention_since.eq(v.attention_since),
                visits::free_cancellation_until.eq(v.free_cancellation_until),
                visits::consumed_minutes.eq(v.consumed_minutes),
                visits::reviewed_by.eq(v.reviewed_by),
                visits::reviewed_at.eq(v.reviewed_at),
                visits::open_reason.eq(&v.open_reason),
                visits::offered_branch_at.eq(v.offered_branch_at),
                visits::uncovered_at.eq(v.uncovered_at),
                visits::synced_late.eq(v.synced_late),
            ))
            .execute(conn)
            .map(|_| ())
    }

    /// Booked visits starting in `(from, to]`, by start.
    pub fn booked_starting_between(
        conn: &mut DbConnection,
        from: NaiveDateTime,
        to: NaiveDateTime,
    ) -> QueryResult<Vec<Visit>> {
        visits::table
            .filter(visits::status.eq(VisitStatus::Booked))
            .filter(visits::starts_at.gt(from))
            .filter(visits::starts_at.le(to))
            .order((visits::starts_at, visits::id))
            .select(Visit::as_select())
            .load(conn)
    }

    /// Marks a visit as part of a series.
    pub fn set_series(
        conn: &mut DbConnection,
        id: VisitId,
        series_id: SeriesId,
    ) -> QueryResult<()> {
        diesel::update(visits::table.find(id))
            .set(visits::series_id.eq(Some(series_id)))
            .execute(conn)
            .map(|_| ())
    }
}
