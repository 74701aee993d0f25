//! Relatives who act for a client, with the rights the client consented to.

use crate::domain::ids::{ClientId, RelativeId, UserId};
use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;

use crate::db::DbConnection;
use crate::db::models::client::Client;
use crate::db::schema::relatives;

/// A relative of a client.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = relatives)]
pub struct Relative {
    /// Id.
    pub id: RelativeId,
    /// The client.
    pub client_id: ClientId,
    /// Name.
    pub name: String,
    /// Email.
    pub email: Option<String>,
    /// Phone.
    pub phone: Option<String>,
    /// e.g. daughter, son, neighbour.
    pub relation: String,
    /// May see the client's visits and balance.
    pub can_view: bool,
    /// May book and cancel visits.
    pub can_book: bool,
    /// May buy clip cards.
    pub can_pay: bool,
    /// Date the client gave consent.
    pub consent_given_on: NaiveDate,
    /// Created.
    pub created_at: NaiveDateTime,
    /// The login this relative acts through, if they have one (one login may be the relative of several clients).
    pub user_id: Option<UserId>,
    /// Gets each visit's report by mail (with the view right).
    pub wants_reports: bool,
}

/// A relative to add.
#[derive(Debug, Insertable)]
#[diesel(table_name = relatives)]
pub struct NewRelative {
    /// Client.
    pub client_id: ClientId,
    /// Name.
    pub name: String,
    /// Email.
    pub email: Option<String>,
    /// Phone.
    pub phone: Option<String>,
    /// Relation.
    pub relation: String,
    /// View right.
    pub can_view: bool,
    /// Book right.
    pub can_book: bool,
    /// Pay right.
    pub can_pay: bool,
    /// Consent date.
    pub consent_given_on: NaiveDate,
    /// Created.
    pub created_at: NaiveDateTime,
    /// Login.
    pub user_id: Option<UserId>,
    /// Report mails.
    pub wants_reports: bool,
}

impl Relative {
    /// Adds a relative.
    pub fn insert(conn: &mut DbConnection, new: &NewRelative) -> QueryResult<Relative> {
        let added: Relative = diesel::insert_into(relatives::table)
            .values(new)
            .returning(relatives::all_columns)
            .get_result(conn)?;
        // The client's record lists its relatives.
        Client::touch(conn, &[added.client_id])?;
        Ok(added)
    }

    /// One relative.
    pub fn find(conn: &mut DbConnection, id: RelativeId) -> QueryResult<Relative> {
        relatives::table
            .find(id)
            .select(Relative::as_select())
            .first(conn)
    }

    /// A client's relatives.
    pub fn for_client(conn: &mut DbConnection, client_id: ClientId) -> QueryResult<Vec<Relative>> {
        relatives::table
            .filter(relatives::client_id.eq(client_id))
            .order(relatives::id)
            .select(Relative::as_select())
            .load(conn)
    }

    /// The relative rows an account acts through.
    pub fn for_user(conn: &mut DbConnection, user_id: UserId) -> QueryResult<Vec<Relative>> {
        relatives::table
            .filter(relatives::user_id.eq(user_id))
            .order(relatives::id)
            .select(Relative::as_select())
            .load(conn)
    }

    /// Lets an account act as this relative.
    pub fn link_user(conn: &mut DbConnection, id: RelativeId, user_id: UserId) -> QueryResult<()> {
        let clients: Vec<ClientId> = diesel::update(relatives::table.find(id))
            .set(relatives::user_id.eq(Some(user_id)))
            .returning(relatives::client_id)
            .get_results(conn)?;
        Client::touch(conn, &clients).map(|_| ())
    }

    /// Removes one relative row.
    pub fn delete(conn: &mut DbConnection, id: RelativeId) -> QueryResult<usize> {
        let clients: Vec<ClientId> = diesel::delete(relatives::table.find(id))
            .returning(relatives::client_id)
            .get_results(conn)?;
        Client::touch(conn, &clients)?;
        Ok(clients.len())
    }

    /// Removes a client's relatives (on erasure).
    pub fn delete_for_client(conn: &mut DbConnection, client_id: ClientId) -> QueryResult<usize> {
        diesel::delete(relatives::table.filter(relatives::client_id.eq(client_id))).execute(conn)
    }
}
