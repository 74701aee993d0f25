//! Helper–client pairs. Ended, never deleted.

use crate::domain::ids::{AssignmentId, BranchId, ClientId, HelperId, UserId};
use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::db::models::client::Client;
use crate::db::models::visit::Whose;
use crate::db::schema::assignments;
use crate::db::{DbConnection, Scope};

/// A helper serving a client, from `started_at` until `ended_at`.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = assignments)]
pub struct Assignment {
    /// Id.
    pub id: AssignmentId,
    /// Client.
    pub client_id: ClientId,
    /// Helper.
    pub helper_id: HelperId,
    /// Start (UTC).
    pub started_at: NaiveDateTime,
    /// Who made the pair.
    pub started_by: Option<UserId>,
    /// End (UTC), if ended.
    pub ended_at: Option<NaiveDateTime>,
    /// Who ended it.
    pub ended_by: Option<UserId>,
    /// Why it ended.
    pub end_reason: Option<String>,
}

/// Whether a list shows only the pairs that go on, or the ended ones too.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PairsShown {
    /// Only pairs not ended.
    Open,
    /// Every pair, ended or not.
    All,
}

/// Which pairs a list shows.
#[derive(Debug, Clone)]
pub struct AssignmentFilter {
    /// What the caller may see.
    pub scope: Scope,
    /// Only this client.
    pub client_id: Option<ClientId>,
    /// Only this helper.
    pub helper_id: Option<HelperId>,
    /// Only open pairs.
    pub shown: PairsShown,
}

impl Assignment {
    /// Starts a pair; the partial unique index refuses a second open pair of the same two.
    pub fn start(
        conn: &mut DbConnection,
        client_id: ClientId,
        helper_id: HelperId,
        by: Option<UserId>,
        now: NaiveDateTime,
    ) -> QueryResult<Assignment> {
        let started = diesel::insert_into(assignments::table)
            .values((
                assignments::client_id.eq(client_id),
                assignments::helper_id.eq(helper_id),
                assignments::started_at.eq(now),
                assignments::started_by.eq(by),
            ))
            .returning(assignments::all_columns)
            .get_result(conn)?;
        // The client's record shows its team.
        Client::touch(conn, &[client_id])?;
        Ok(started)
    }

    /// One assignment.
    pub fn find(conn: &mut DbConnection, id: AssignmentId) -> QueryResult<Assignment> {
        assignments::table
            .find(id)
            .select(Assignment::as_select())
            .first(conn)
    }

    /// Ends an open pair; returns false when it was already ended.
    pub fn end(
        conn: &mut DbConnection,
        id: AssignmentId,
        by: Option<UserId>,
        reason: &str,
        now: NaiveDateTime,
    ) -> QueryResult<bool> {
        let open = assignments::table
            .filter(assignments::id.eq(id))
            .filter(assignments::ended_at.is_null());
        let clients: Vec<ClientId> = diesel::update(open)
            .set((
                assignments::ended_at.eq(Some(now)),
                assignments::ended_by.eq(by),
                assignments::end_reason.eq(Some(reason)),
            ))
            .returning(assignments::client_id)
            .get_results(conn)?;
        Client::touch(conn, &clients)?;
        Ok(clients.len() == 1)
    }

    /// Ends every open pair of a helper (paused or left) or of a client (deleted).
    pub fn end_all(
        conn: &mut DbConnection,
        whose: Whose,
        by: Option<UserId>,
        reason: &str,
        now: NaiveDateTime,
    ) -> QueryResult<usize> {
        let open = assignments::table.filter(assignments::ended_at.is_null());
        let ended = (
            assignments::ended_at.eq(Some(now)),
            assignments::ended_by.eq(by),
            assignments::end_reason.eq(Some(reason)),
        );
        // Two statements, one per column: diesel cannot update through a boxed query.
        let clients: Vec<ClientId> = match whose {
            Whose::Helper(helper_id) => {
                diesel::update(open.filter(assignments::helper_id.eq(helper_id)))
                    .set(ended)
                    .returning(assignments::client_id)
                    .get_results(conn)?
            }
            Whose::Client(client_id) => {
                diesel::update(open.filter(assignments::client_id.eq(client_id)))
                    .set(ended)
                    .returning(assignments::client_id)
                    .get_results(conn)?
            }
        };
        Client::touch(conn, &clients)?;
        Ok(clients.len())
    }

    /// Open pairs of a client.
    pub fn open_for_client(
        conn: &mut DbConnection,
        client_id: ClientId,
    ) -> QueryResult<Vec<Assignment>> {
        assignments::table
            .filter(assignments::client_id.eq(client_id))
            .filter(assignments::ended_at.is_null())
            .order(assignments::id)
            .select(Assignment::as_select())
            .load(conn)
    }

    /// Open pairs of a helper.
    pub fn open_for_helper(
        conn: &mut DbConnection,
        helper_id: HelperId,
    ) -> QueryResult<Vec<Assignment>> {
        assignments::table
            .filter(assignments::helper_id.eq(helper_id))
            .filter(assignments::ended_at.is_null())
            .order(assignments::id)
            .select(Assignment::as_select())
            .load(conn)
    }

    /// Whether the helper currently serves the client.
    pub fn is_open(
        conn: &mut DbConnection,
        client_id: ClientId,
        helper_id: HelperId,
    ) -> QueryResult<bool> {
        diesel::select(diesel::dsl::exists(
            assignments::table
                .filter(assignments::client_id.eq(client_id))
                .filter(assignments::helper_id.eq(helper_id))
                .filter(assignments::ended_at.is_null()),
        ))
        .get_result(conn)
    }

    /// Assignments in the filter's scope, after `after_id`, in id order.
    pub fn list(
        conn: &mut DbConnection,
        filter: &AssignmentFilter,
        after_id: i64,
        limit: i64,
    ) -> QueryResult<Vec<Assignment>> {
        use crate::db::schema::clients;
        let mut query = assignments::table
            .filter(assignments::id.gt(after_id))
            .into_boxed();
        match &filter.scope {
            Scope::All => {}
            Scope::Branch(branch) => {
                let in_branch = clients::table
                    .filter(clients::branch_id.eq(*branch))
                    .select(clients::id);
                query = query.filter(assignments::client_id.eq_any(in_branch));
            }
            Scope::Own { helper, clients } => {
                query = query.filter(
                    assignments::helper_id
                        .eq(helper.unwrap_or(HelperId::NONE))
                        .or(assignments::client_id.eq_any(clients.clone())),
                );
            }
        }
        if let Some(client) = filter.client_id {
            query = query.filter(assignments::client_id.eq(client));
        }
        if let Some(helper) = filter.helper_id {
            query = query.filter(assignments::helper_id.eq(helper));
        }
        if filter.shown == PairsShown::Open {
            query = query.filter(assignments::ended_at.is_null());
        }
        query
            .order(assignments::id)
            .limit(limit)
            .select(Assignment::as_select())
            .load(conn)
    }

    /// Every pair, ended or not, of one client or of every client of a branch, in id order.
    pub fn history(
        conn: &mut DbConnection,
        of: crate::db::models::visit::Clients,
    ) -> QueryResult<Vec<Assignment>> {
        use crate::db::models::visit::Clients;
        use crate::db::schema::clients;
        let query = assignments::table.into_boxed();
        let query = match of {
            Clients::One(client) => query.filter(assignments::client_id.eq(client)),
            Clients::OfBranch(branch) => query.filter(
                assignments::client_id.eq_any(
                    clients::table
                        .filter(clients::branch_id.eq(branch))
                        .select(clients::id),
                ),
            ),
        };
        query
            .order(assignments::id)
            .select(Assignment::as_select())
            .load(conn)
    }

    /// Open pairs of every client in a branch, in id order.
    pub fn open_in_branch(
        conn: &mut DbConnection,
        branch_id: BranchId,
    ) -> QueryResult<Vec<Assignment>> {
        use crate::db::schema::clients;
        assignments::table
            .inner_join(clients::table)
            .filter(clients::branch_id.eq(branch_id))
            .filter(assignments::ended_at.is_null())
            .order(assignments::id)
            .select(Assignment::as_select())
            .load(conn)
    }

    /// How many open pairs each client of a branch has (clients without any are absent).
    pub fn open_counts_in_branch(
        conn: &mut DbConnection,
        branch_id: BranchId,
    ) -> QueryResult<Vec<(ClientId, i64)>> {
        use crate::db::schema::clients;
        use diesel::dsl::count_star;
        assignments::table
            .inner_join(clients::table)
            .filter(clients::branch_id.eq(branch_id))
            .filter(assignments::ended_at.is_null())
            .group_by(assignments::client_id)
            .select((assignments::client_id, count_star()))
            .load(conn)
    }
}
