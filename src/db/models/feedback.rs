//! Feedback on completed visits, and the helpers a client must not be paired with.

use crate::domain::ids::{ClientId, HelperId, UserId, VisitId};
use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::db::DbConnection;
use crate::db::schema::{client_exclusions, visit_feedback};
use crate::domain::{ExclusionSource, FeedbackSide};

/// One side's feedback on a visit.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = visit_feedback)]
pub struct Feedback {
    /// Id.
    pub id: i64,
    /// The visit.
    pub visit_id: VisitId,
    /// Who rated.
    pub side: FeedbackSide,
    /// 1 (poor) to 5 (very good).
    pub rating: i32,
    /// An optional comment.
    pub comment: Option<String>,
    /// "Don't pair us again".
    pub dont_pair_again: bool,
    /// The account that gave it.
    pub given_by: Option<UserId>,
    /// When.
    pub created_at: NaiveDateTime,
}

/// Feedback to store.
#[derive(Debug, Insertable)]
#[diesel(table_name = visit_feedback)]
pub struct NewFeedback {
    /// The visit.
    pub visit_id: VisitId,
    /// Who rated.
    pub side: FeedbackSide,
    /// 1–5.
    pub rating: i32,
    /// Comment.
    pub comment: Option<String>,
    /// "Don't pair us again".
    pub dont_pair_again: bool,
    /// The account.
    pub given_by: Option<UserId>,
    /// When.
    pub created_at: NaiveDateTime,
}

impl Feedback {
    /// Stores one side's feedback (a second from the same side breaks the unique key; the
    /// service checks first, with the visit's people locked).
    pub fn insert(conn: &mut DbConnection, new: &NewFeedback) -> QueryResult<()> {
        diesel::insert_into(visit_feedback::table)
            .values(new)
            .execute(conn)
            .map(|_| ())
    }

    /// The feedback on a visit, client side first.
    pub fn for_visit(conn: &mut DbConnection, visit_id: VisitId) -> QueryResult<Vec<Feedback>> {
        visit_feedback::table
            .filter(visit_feedback::visit_id.eq(visit_id))
            .order(visit_feedback::id)
            .select(Feedback::as_select())
            .load(conn)
    }
}

/// A helper ruled out for a client.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = client_exclusions)]
pub struct Exclusion {
    /// The client.
    pub client_id: ClientId,
    /// The helper ruled out.
    pub helper_id: HelperId,
    /// Who ruled them out.
    pub source: ExclusionSource,
    /// The account that did.
    pub created_by: Option<UserId>,
    /// When.
    pub created_at: NaiveDateTime,
}

impl Exclusion {
    /// Rules `helper_id` out for `client_id`; false when they already were.
    pub fn add(conn: &mut DbConnection, exclusion: &Exclusion) -> QueryResult<bool> {
        if Self::applies(conn, exclusion.client_id, exclusion.helper_id)? {
            return Ok(false);
        }
        diesel::insert_into(client_exclusions::table)
            .values((
                client_exclusions::client_id.eq(exclusion.client_id),
                client_exclusions::helper_id.eq(exclusion.helper_id),
                client_exclusions::source.eq(exclusion.source),
                client_exclusions::created_by.eq(exclusion.created_by),
                client_exclusions::created_at.eq(exclusion.created_at),
            ))
            .execute(conn)
            .map(|_| true)
    }

    /// Lifts an exclusion; false when there was none.
    pub fn lift(
        conn: &mut DbConnection,
        client_id: ClientId,
        helper_id: HelperId,
    ) -> QueryResult<bool> {
        diesel::delete(
            client_exclusions::table
                .filter(client_exclusions::client_id.eq(client_id))
                .filter(client_exclusions::helper_id.eq(helper_id)),
        )
        .execute(conn)
        .map(|n| n == 1)
    }

    /// A client's exclusions, oldest first.
    pub fn for_client(conn: &mut DbConnection, client_id: ClientId) -> QueryResult<Vec<Exclusion>> {
        client_exclusions::table
            .filter(client_exclusions::client_id.eq(client_id))
            .order((client_exclusions::created_at, client_exclusions::helper_id))
            .select(Exclusion::as_select())
            .load(conn)
    }

    /// Every exclusion of the given clients, as (client, helper).
    pub fn of_clients(
        conn: &mut DbConnection,
        client_ids: &[ClientId],
    ) -> QueryResult<Vec<(ClientId, HelperId)>> {
        let mut all = Vec::new();
        // Bound values per statement stay far below SQLite's limit.
        for chunk in client_ids.chunks(10_000) {
            all.extend(
                client_exclusions::table
                    .filter(client_exclusions::client_id.eq_any(chunk))
                    .select((client_exclusions::client_id, client_exclusions::helper_id))
                    .load::<(ClientId, HelperId)>(conn)?,
            );
        }
        Ok(all)
    }

    /// Whether the helper is ruled out for the client.
    pub fn applies(
        conn: &mut DbConnection,
        client_id: ClientId,
        helper_id: HelperId,
    ) -> QueryResult<bool> {
        diesel::select(diesel::dsl::exists(
            client_exclusions::table
                .filter(client_exclusions::client_id.eq(client_id))
                .filter(client_exclusions::helper_id.eq(helper_id)),
        ))
        .get_result(conn)
    }
}
