//! Accounts that can log in. One login may hold several capacities: a staff role, a helper,
//! the client themself, and relative of any number of clients (`relatives.user_id`).

use crate::domain::ids::{BranchId, ClientId, HelperId, RelativeId, UserId};
use crate::domain::{HelperStatus, Role};
use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::db::DbConnection;
use crate::db::schema::{clients, helpers, relatives, users};

/// An account.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = users)]
pub struct User {
    /// Id.
    pub id: UserId,
    /// Login email, lower case, unique.
    pub email: String,
    /// Display name.
    pub name: String,
    /// Argon2 PHC string; `None` until a password is set.
    pub password_hash: Option<String>,
    /// The staff role (`admin`, `branch_leader`); `None` for helpers, clients and relatives.
    pub role: Option<Role>,
    /// The branch a branch leader leads.
    pub branch_id: Option<BranchId>,
    /// The helper this account belongs to.
    pub helper_id: Option<HelperId>,
    /// The client who holds this account themself.
    pub client_id: Option<ClientId>,
    /// Deactivated accounts cannot log in, and their tokens stop working.
    pub active: bool,
    /// Created.
    pub created_at: NaiveDateTime,
    /// Changed.
    pub updated_at: NaiveDateTime,
    /// Access tokens carry it; raising it ends every token issued before.
    pub token_generation: i32,
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
    /// Staff role.
    pub role: Option<Role>,
    /// Branch of a branch leader.
    pub branch_id: Option<BranchId>,
    /// Helper.
    pub helper_id: Option<HelperId>,
    /// Client.
    pub client_id: Option<ClientId>,
    /// Active.
    pub active: bool,
    /// Created.
    pub created_at: NaiveDateTime,
    /// Changed.
    pub updated_at: NaiveDateTime,
}

/// Fields a change may set.
#[derive(Debug, Default, AsChangeset)]
#[diesel(table_name = users)]
pub struct UserChanges {
    /// Email.
    pub email: Option<String>,
    /// Name.
    pub name: Option<String>,
    /// Staff role.
    pub role: Option<Option<Role>>,
    /// Branch of a branch leader.
    pub branch_id: Option<Option<BranchId>>,
    /// Helper link.
    pub helper_id: Option<Option<HelperId>>,
    /// Client link.
    pub client_id: Option<Option<ClientId>>,
    /// Active.
    pub active: Option<bool>,
    /// Password hash.
    pub password_hash: Option<Option<String>>,
    /// Changed.
    pub updated_at: Option<NaiveDateTime>,
}

/// What the request's caller is, read fresh on every request: the account and its links.
#[derive(Debug, Clone)]
pub struct CallerRow {
    /// The account.
    pub user: User,
    /// The linked helper's branch and status, when the account is a helper's.
    pub helper: Option<(HelperId, BranchId, HelperStatus)>,
    /// The client the account belongs to, with its branch, unless erased.
    pub own_client: Option<(ClientId, BranchId)>,
    /// Clients the account is a relative of: (relative id, client id, branch, view, book, pay).
    pub relative_of: Vec<RelativeLink>,
}

/// A relative link of an account, as loaded with the caller.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RelativeLink {
    /// The relative row.
    pub relative_id: RelativeId,
    /// The client.
    pub client_id: ClientId,
    /// The client's branch.
    pub branch_id: BranchId,
    /// View right.
    pub can_view: bool,
    /// Book right.
    pub can_book: bool,
    /// Pay right.
    pub can_pay: bool,
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
    pub fn find(conn: &mut DbConnection, id: UserId) -> QueryResult<User> {
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

    /// The account of a helper, if it has one.
    pub fn find_by_helper(
        conn: &mut DbConnection,
        helper_id: HelperId,
    ) -> QueryResult<Option<User>> {
        users::table
            .filter(users::helper_id.eq(helper_id))
            .select(User::as_select())
            .first(conn)
            .optional()
    }

    /// The account of a client themself, if they have one.
    pub fn find_by_client(
        conn: &mut DbConnection,
        client_id: ClientId,
    ) -> QueryResult<Option<User>> {
        users::table
            .filter(users::client_id.eq(client_id))
            .select(User::as_select())
            .first(conn)
            .optional()
    }

    /// The account and links of an active caller whose token carries `generation`, in two
    /// indexed queries; `None` when the account is gone, inactive or the token is outdated.
    pub fn load_caller(
        conn: &mut DbConnection,
        id: UserId,
        generation: i32,
    ) -> QueryResult<Option<CallerRow>> {
        let row = users::table
            .left_join(helpers::table.on(users::helper_id.eq(helpers::id.nullable())))
            .left_join(
                clients::table.on(users::client_id
                    .eq(clients::id.nullable())
                    .and(clients::deleted_at.is_null())),
            )
            .filter(users::id.eq(id))
            .filter(users::active.eq(true))
            .filter(users::token_generation.eq(generation))
            .select((
                User::as_select(),
                (helpers::id, helpers::branch_id, helpers::status).nullable(),
                (clients::id, clients::branch_id).nullable(),
            ))
            .first::<(
                User,
                Option<(HelperId, BranchId, HelperStatus)>,
                Option<(ClientId, BranchId)>,
            )>(conn)
            .optional()?;
        let Some((user, helper, own_client)) = row else {
            return Ok(None);
        };
        let relative_of = relatives::table
            .inner_join(clients::table)
            .filter(relatives::user_id.eq(id))
            .filter(clients::deleted_at.is_null())
            .order(relatives::id)
            .select((
                relatives::id,
                relatives::client_id,
                clients::branch_id,
                relatives::can_view,
                relatives::can_book,
                relatives::can_pay,
            ))
            .load::<(RelativeId, ClientId, BranchId, bool, bool, bool)>(conn)?
            .into_iter()
            .map(
                |(relative_id, client_id, branch_id, can_view, can_book, can_pay)| RelativeLink {
                    relative_id,
                    client_id,
                    branch_id,
                    can_view,
                    can_book,
                    can_pay,
                },
            )
            .collect();
        Ok(Some(CallerRow {
            user,
            helper,
            own_client,
            relative_of,
        }))
    }

    /// Staff accounts (admins, branch leaders) after `after_id`; `branch` restricts to one branch.
    pub fn list_staff(
        conn: &mut DbConnection,
        branch: Option<BranchId>,
        after_id: i64,
        limit: i64,
    ) -> QueryResult<Vec<User>> {
        let mut query = users::table
            .filter(users::id.gt(after_id))
            .filter(users::role.is_not_null())
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
    pub fn update(conn: &mut DbConnection, id: UserId, changes: &UserChanges) -> QueryResult<User> {
        diesel::update(users::table.find(id))
            .set(changes)
            .execute(conn)?;
        User::find(conn, id)
    }

    /// Ends every access token the account holds now (the next request must use a new one).
    pub fn revoke_access_tokens(
        conn: &mut DbConnection,
        id: UserId,
        now: NaiveDateTime,
    ) -> QueryResult<()> {
        diesel::update(users::table.find(id))
            .set((
                users::token_generation.eq(users::token_generation + 1),
                users::updated_at.eq(now),
            ))
            .execute(conn)
            .map(|_| ())
    }

    /// The active leaders of a branch (who hear about visits that need attention).
    pub fn branch_leaders(conn: &mut DbConnection, branch_id: BranchId) -> QueryResult<Vec<User>> {
        users::table
            .filter(users::role.eq(Role::BranchLeader))
            .filter(users::branch_id.eq(branch_id))
            .filter(users::active.eq(true))
            .order(users::id)
            .select(User::as_select())
            .load(conn)
    }

    /// Number of active accounts with a staff role (used to refuse removing the last admin).
    pub fn count_active_with_role(conn: &mut DbConnection, role: Role) -> QueryResult<i64> {
        users::table
            .filter(users::role.eq(role))
            .filter(users::active.eq(true))
            .count()
            .get_result(conn)
    }
}
