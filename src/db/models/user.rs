//! Accounts that can log in.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::db::DbConnection;
use crate::db::schema::users;

/// An account.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = users)]
pub struct User {
    /// Id.
    pub id: i64,
    /// Login email, lower case, unique.
    pub email: String,
    /// Display name.
    pub name: String,
    /// Argon2 PHC string; `None` until a password is set.
    pub password_hash: Option<String>,
    /// `admin`, `branch_leader`, `helper` or `client`.
    pub role: String,
    /// The branch a branch leader leads.
    pub branch_id: Option<i64>,
    /// The helper this account belongs to.
    pub helper_id: Option<i64>,
    /// The client this account acts for.
    pub client_id: Option<i64>,
    /// Set when a relative holds the client's account.
    pub relative_id: Option<i64>,
    /// Deactivated accounts cannot log in.
    pub active: bool,
    /// Hash of a pending invitation token.
    pub invite_token_hash: Option<String>,
    /// When the invitation expires.
    pub invite_expires_at: Option<NaiveDateTime>,
    /// Created.
    pub created_at: NaiveDateTime,
    /// Changed.
    pub updated_at: NaiveDateTime,
}

/// An account to create.
#[derive(Debug, Insertable)]
#[diesel(table_name = users)]
pub struct NewUser {
    /// Email.
    pub email: String,
    /// Name.
    pub name: String,
    /// Password hash.
    pub password_hash: Option<String>,
    /// Role.
    pub role: String,
    /// Branch.
    pub branch_id: Option<i64>,
    /// Helper.
    pub helper_id: Option<i64>,
    /// Client.
    pub client_id: Option<i64>,
    /// Relative.
    pub relative_id: Option<i64>,
    /// Active.
    pub active: bool,
    /// Invitation hash.
    pub invite_token_hash: Option<String>,
    /// Invitation expiry.
    pub invite_expires_at: Option<NaiveDateTime>,
    /// Created.
    pub created_at: NaiveDateTime,
    /// Changed.
    pub updated_at: NaiveDateTime,
}

/// Fields a PATCH may change.
#[derive(Debug, Default, AsChangeset)]
#[diesel(table_name = users)]
pub struct UserChanges {
    /// Name.
    pub name: Option<String>,
    /// Role.
    pub role: Option<String>,
    /// Branch.
    pub branch_id: Option<Option<i64>>,
    /// Active.
    pub active: Option<bool>,
    /// Password hash.
    pub password_hash: Option<Option<String>>,
    /// Invitation hash.
    pub invite_token_hash: Option<Option<String>>,
    /// Invitation expiry.
    pub invite_expires_at: Option<Option<NaiveDateTime>>,
    /// Changed.
    pub updated_at: Option<NaiveDateTime>,
}

impl User {
    /// Inserts an account.
    pub fn insert(conn: &mut DbConnection, new: &NewUser) -> QueryResult<User> {
        diesel::insert_into(users::table)
            .values(new)
            .returning(users::all_columns)
            .get_result(conn)
    }

    /// One account by id.
    pub fn find(conn: &mut DbConnection, id: i64) -> QueryResult<User> {
        users::table.find(id).select(User::as_select()).first(conn)
    }

    /// One account by (lower-case) email.
    pub fn find_by_email(conn: &mut DbConnection, email: &str) -> QueryResult<Option<User>> {
        users::table
            .filter(users::email.eq(email))
            .select(User::as_select())
            .first(conn)
            .optional()
    }

    /// The account holding a pending invitation.
    pub fn find_by_invite(conn: &mut DbConnection, token_hash: &str) -> QueryResult<Option<User>> {
        users::table
            .filter(users::invite_token_hash.eq(token_hash))
            .select(User::as_select())
            .first(conn)
            .optional()
    }

    /// Staff accounts (admins, branch leaders) after `after_id`; `branch` restricts to one branch.
    pub fn list_staff(
        conn: &mut DbConnection,
        branch: Option<i64>,
        after_id: i64,
        limit: i64,
    ) -> QueryResult<Vec<User>> {
        let mut query = users::table
            .filter(users::id.gt(after_id))
            .filter(users::role.eq_any(["admin", "branch_leader"]))
            .into_boxed();
        if let Some(branch) = branch {
            query = query.filter(users::branch_id.eq(branch));
        }
        query
            .order(users::id)
            .limit(limit)
            .select(User::as_select())
            .load(conn)
    }

    /// Applies changes and returns the new row.
    pub fn update(conn: &mut DbConnection, id: i64, changes: &UserChanges) -> QueryResult<User> {
        diesel::update(users::table.find(id))
            .set(changes)
            .execute(conn)?;
        User::find(conn, id)
    }

    /// Number of accounts with a role (used to refuse removing the last admin).
    pub fn count_active_with_role(conn: &mut DbConnection, role: &str) -> QueryResult<i64> {
        users::table
            .filter(users::role.eq(role))
            .filter(users::active.eq(true))
            .count()
            .get_result(conn)
    }

    /// Closes every account acting for a client (on deletion).
    pub fn deactivate_for_client(
        conn: &mut DbConnection,
        client_id: i64,
        now: NaiveDateTime,
    ) -> QueryResult<usize> {
        diesel::update(users::table.filter(users::client_id.eq(client_id)))
            .set((users::active.eq(false), users::updated_at.eq(now)))
            .execute(conn)
    }
}
