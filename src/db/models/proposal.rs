//! Stored matching previews, so a commit applies exactly what the leader saw.

use crate::domain::ids::{BranchId, ProposalId, UserId};
use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::db::DbConnection;
use crate::db::schema::{branches, matching_proposals};

/// A stored preview.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = matching_proposals)]
pub struct Proposal {
    /// Id.
    pub id: ProposalId,
    /// Branch.
    pub branch_id: BranchId,
    /// Hash of the matcher's input when previewed.
    pub fingerprint: String,
    /// The matcher's parameters, JSON.
    pub params: String,
    /// Pairs to start, JSON `[[client_id, helper_id], …]`.
    pub new_pairs: String,
    /// Assignment ids to end, JSON `[id, …]`.
    pub ended_assignments: String,
    /// Who previewed.
    pub created_by: Option<UserId>,
    /// When.
    pub created_at: NaiveDateTime,
    /// Who committed.
    pub committed_by: Option<UserId>,
    /// When it was committed.
    pub committed_at: Option<NaiveDateTime>,
}

/// A preview to store.
#[derive(Debug, Insertable)]
#[diesel(table_name = matching_proposals)]
pub struct NewProposal {
    /// Branch.
    pub branch_id: BranchId,
    /// Fingerprint.
    pub fingerprint: String,
    /// Params JSON.
    pub params: String,
    /// New pairs JSON.
    pub new_pairs: String,
    /// Ended assignments JSON.
    pub ended_assignments: String,
    /// Who.
    pub created_by: Option<UserId>,
    /// When.
    pub created_at: NaiveDateTime,
}

impl Proposal {
    /// Stores a preview.
    pub fn insert(conn: &mut DbConnection, new: &NewProposal) -> QueryResult<Proposal> {
        diesel::insert_into(matching_proposals::table)
            .values(new)
            .returning(matching_proposals::all_columns)
            .get_result(conn)
    }

    /// One preview.
    pub fn find(conn: &mut DbConnection, id: ProposalId) -> QueryResult<Proposal> {
        matching_proposals::table
            .filter(matching_proposals::id.eq(id))
            .select(Proposal::as_select())
            .first(conn)
    }

    /// Marks a preview committed, once: false when it already was.
    pub fn mark_committed(
        conn: &mut DbConnection,
        id: ProposalId,
        by: UserId,
        now: NaiveDateTime,
    ) -> QueryResult<bool> {
        let open = matching_proposals::table
            .filter(matching_proposals::id.eq(id))
            .filter(matching_proposals::committed_at.is_null());
        let changed = diesel::update(open)
            .set((
                matching_proposals::committed_by.eq(Some(by)),
                matching_proposals::committed_at.eq(Some(now)),
            ))
            .execute(conn)?;
        Ok(changed == 1)
    }

    /// Serialises commits per branch: a write to the branch row is the first statement of the
    /// transaction, so PostgreSQL row-locks it and SQLite takes its write lock before any read.
    pub fn lock_branch(conn: &mut DbConnection, branch_id: BranchId) -> QueryResult<usize> {
        diesel::update(branches::table.find(branch_id))
            .set(branches::updated_at.eq(branches::updated_at))
            .execute(conn)
    }
}
