//! Elderly clients.

use crate::domain::ids::{BranchId, ClientId, HelperId};
use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::db::models::contains_pattern;
use crate::db::models::visit::ACTIVE_STATUSES;
use crate::db::schema::{assignments, clients, visits};
use crate::db::{DbConnection, Scope};
use crate::domain::ClientSource;

/// An elderly client.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = clients)]
pub struct Client {
    /// Id.
    pub id: ClientId,
    /// Branch.
    pub branch_id: BranchId,
    /// Full name.
    pub name: String,
    /// Email for confirmations.
    pub email: Option<String>,
    /// Phone.
    pub phone: Option<String>,
    /// Street address.
    pub address: String,
    /// Home latitude.
    pub lat: f64,
    /// Home longitude.
    pub lon: f64,
    /// Needed skills, JSON list.
    pub needs: String,
    /// Spoken languages, JSON list.
    pub languages: String,
    /// Language for mail (`da` or `en`).
    pub preferred_language: String,
    /// How many helpers (2 or 3).
    pub wanted: i32,
    /// How they found us.
    pub source: ClientSource,
    /// Which partner, municipality, …
    pub source_detail: Option<String>,
    /// Also receives municipal home care.
    pub municipal_home_care: bool,
    /// Pets, allergies, door instructions: for the branch and the client's own helpers.
    pub care_notes: String,
    /// Set when the client was deleted (personal data erased).
    pub deleted_at: Option<NaiveDateTime>,
    /// Created.
    pub created_at: NaiveDateTime,
    /// Changed.
    pub updated_at: NaiveDateTime,
    /// The name in lower case, for search.
    pub search_name: String,
    /// What the home has that a helper may avoid (matching rule 4), JSON list.
    pub home_traits: String,
}

/// A client to create.
#[derive(Debug, Insertable)]
#[diesel(table_name = clients)]
pub struct NewClient {
    /// Branch.
    pub branch_id: BranchId,
    /// Name.
    pub name: String,
    /// Email.
    pub email: Option<String>,
    /// Phone.
    pub phone: Option<String>,
    /// Address.
    pub address: String,
    /// Latitude.
    pub lat: f64,
    /// Longitude.
    pub lon: f64,
    /// Needs JSON.
    pub needs: String,
    /// Languages JSON.
    pub languages: String,
    /// Mail language.
    pub preferred_language: String,
    /// Wanted helpers.
    pub wanted: i32,
    /// Source.
    pub source: ClientSource,
    /// Source detail.
    pub source_detail: Option<String>,
    /// Municipal home care.
    pub municipal_home_care: bool,
    /// Care notes.
    pub care_notes: String,
    /// Created.
    pub created_at: NaiveDateTime,
    /// Changed.
    pub updated_at: NaiveDateTime,
    /// Lower-case name.
    pub search_name: String,
    /// Home traits JSON.
    pub home_traits: String,
}

/// Fields a PATCH may change.
#[derive(Debug, Default, AsChangeset)]
#[diesel(table_name = clients)]
pub struct ClientChanges {
    /// Name.
    pub name: Option<String>,
    /// Email.
    pub email: Option<Option<String>>,
    /// Phone.
    pub phone: Option<Option<String>>,
    /// Address.
    pub address: Option<String>,
    /// Latitude.
    pub lat: Option<f64>,
    /// Longitude.
    pub lon: Option<f64>,
    /// Needs JSON.
    pub needs: Option<String>,
    /// Languages JSON.
    pub languages: Option<String>,
    /// Mail language.
    pub preferred_language: Option<String>,
    /// Wanted.
    pub wanted: Option<i32>,
    /// Source.
    pub source: Option<ClientSource>,
    /// Source detail.
    pub source_detail: Option<Option<String>>,
    /// Municipal home care.
    pub municipal_home_care: Option<bool>,
    /// Care notes.
    pub care_notes: Option<String>,
    /// Deleted.
    pub deleted_at: Option<Option<NaiveDateTime>>,
    /// Changed.
    pub updated_at: Option<NaiveDateTime>,
    /// Lower-case name (set with `name`).
    pub search_name: Option<String>,
    /// Home traits JSON.
    pub home_traits: Option<String>,
}

/// Which clients a caller may list.
#[derive(Debug)]
pub struct ClientFilter {
    /// What the caller may see: a helper sees the clients they serve or are booked to visit.
    pub scope: Scope,
    /// Only this branch.
    pub branch_id: Option<BranchId>,
    /// Only clients with fewer than two current helpers (the branch must act).
    pub short_of_helpers: bool,
    /// Only names containing this (lower case).
    pub name_contains: Option<String>,
    /// Only clients from this source.
    pub source: Option<ClientSource>,
    /// Only clients whose `updated_at` is at or after this.
    pub updated_since: Option<NaiveDateTime>,
}

impl Client {
    /// Inserts a client.
    pub fn insert(conn: &mut DbConnection, new: &NewClient) -> QueryResult<Client> {
        diesel::insert_into(clients::table)
            .values(new)
            .returning(clients::all_columns)
            .get_result(conn)
    }

    /// One client, also an erased (anonymised) one.
    pub fn find_any(conn: &mut DbConnection, id: ClientId) -> QueryResult<Client> {
        clients::table
            .find(id)
            .select(Client::as_select())
            .first(conn)
    }

    /// One client that is not deleted.
    pub fn find(conn: &mut DbConnection, id: ClientId) -> QueryResult<Client> {
        clients::table
            .find(id)
            .filter(clients::deleted_at.is_null())
            .select(Client::as_select())
            .first(conn)
    }

    /// Clients matching `filter`, not deleted, after `after_id`, in id order.
    pub fn list(
        conn: &mut DbConnection,
        filter: &ClientFilter,
        after_id: i64,
        limit: i64,
    ) -> QueryResult<Vec<Client>> {
        let mut query = clients::table
            .filter(clients::id.gt(after_id))
            .filter(clients::deleted_at.is_null())
            .into_boxed();
        if let Some(branch) = filter.branch_id {
            query = query.filter(clients::branch_id.eq(branch));
        }
        match &filter.scope {
            Scope::All => {}
            Scope::Branch(branch) => query = query.filter(clients::branch_id.eq(*branch)),
            Scope::Own { helper, clients } => {
                let helper = helper.unwrap_or(HelperId::NONE);
                let served = assignments::table
                    .filter(assignments::helper_id.eq(helper))
                    .filter(assignments::ended_at.is_null())
                    .select(assignments::client_id);
                let visiting = visits::table
                    .filter(visits::helper_id.eq(helper))
                    .filter(visits::status.eq_any(ACTIVE_STATUSES))
                    .select(visits::client_id);
                query = query.filter(
                    clients::id
                        .eq_any(clients.clone())
                        .or(clients::id.eq_any(served))
                        .or(clients::id.eq_any(visiting)),
                );
            }
        }
        if let Some(part) = &filter.name_contains {
            query = query.filter(
                clients::search_name
                    .like(contains_pattern(part))
                    .escape('\\'),
            );
        }
        if let Some(source) = filter.source {
            query = query.filter(clients::source.eq(source));
        }
        if let Some(since) = filter.updated_since {
            query = query.filter(clients::updated_at.ge(since));
        }
        if filter.short_of_helpers {
            // Portable correlated count; diesel's DSL has no HAVING over a correlated subquery.
            query = query.filter(diesel::dsl::sql::<diesel::sql_types::Bool>(
                "(SELECT COUNT(*) FROM assignments a WHERE a.client_id = clients.id AND a.ended_at IS NULL) < 2",
            ));
        }
        query
            .order(clients::id)
            .limit(limit)
            .select(Client::as_select())
            .load(conn)
    }

    /// Id, name and helpers wanted of every client of a branch who is not erased, by name.
    pub fn in_branch(
        conn: &mut DbConnection,
        branch_id: BranchId,
    ) -> QueryResult<Vec<(ClientId, String, i32)>> {
        clients::table
            .filter(clients::branch_id.eq(branch_id))
            .filter(clients::deleted_at.is_null())
            .order((clients::name, clients::id))
            .select((clients::id, clients::name, clients::wanted))
            .load(conn)
    }

    /// Id, name, address and source of the branch's clients who are not erased, by name;
    /// optionally only names containing `name_contains` (a search key) or from one source.
    pub fn roster(
        conn: &mut DbConnection,
        branch_id: BranchId,
        name_contains: Option<&str>,
        source: Option<ClientSource>,
    ) -> QueryResult<Vec<(ClientId, String, String, ClientSource)>> {
        let mut query = clients::table
            .filter(clients::branch_id.eq(branch_id))
            .filter(clients::deleted_at.is_null())
            .into_boxed();
        if let Some(part) = name_contains {
            query = query.filter(
                clients::search_name
                    .like(contains_pattern(part))
                    .escape('\\'),
            );
        }
        if let Some(source) = source {
            query = query.filter(clients::source.eq(source));
        }
        query
            .order((clients::name, clients::id))
            .select((
                clients::id,
                clients::name,
                clients::address,
                clients::source,
            ))
            .load(conn)
    }

    /// Display names and addresses of clients by id (erased ones read "(deleted)").
    pub fn names(
        conn: &mut DbConnection,
        ids: &[ClientId],
    ) -> QueryResult<Vec<(ClientId, String, String)>> {
        clients::table
            .filter(clients::id.eq_any(ids))
            .select((clients::id, clients::name, clients::address))
            .load(conn)
    }

    /// Marks clients' records changed (a relative or the team changed, which their record shows),
    /// so an app syncing by `updated_since` or by ETag hears of it.
    pub fn touch(conn: &mut DbConnection, ids: &[ClientId]) -> QueryResult<usize> {
        if ids.is_empty() {
            return Ok(0);
        }
        diesel::update(clients::table.filter(clients::id.eq_any(ids)))
            .set(clients::updated_at.eq(super::now()))
            .execute(conn)
    }

    /// Applies changes and returns the new row.
    pub fn update(
        conn: &mut DbConnection,
        id: ClientId,
        changes: &ClientChanges,
    ) -> QueryResult<Client> {
        diesel::update(clients::table.find(id))
            .set(changes)
            .execute(conn)?;
        clients::table
            .find(id)
            .select(Client::as_select())
            .first(conn)
    }
}
