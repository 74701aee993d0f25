//! Staff accounts (admins, branch leaders) and who-am-I.

use crate::domain::ids::{BranchId, ClientId, HelperId, RelativeId, UserId};
use diesel::OptionalExtension;
use serde::Serialize;

use crate::auth::{Caller, password};
use crate::db::DbConnection;
use crate::db::Page;
use crate::db::models::branch::Branch;
use crate::db::models::client::Client;
use crate::db::models::helper::Helper;
use crate::db::models::now;
use crate::db::models::relative::Relative;
use crate::db::models::user::{NewUser, User, UserChanges};
use crate::domain::{Email, HelperStatus, Role, Text, Validator};
use crate::error::ApiError;

use super::invitations::{self, Capacity};
use super::sessions;

/// A client an account acts for.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ClientAccess {
    /// The client.
    pub client_id: ClientId,
    /// The client's branch.
    pub branch_id: BranchId,
    /// The relative record, when the account is a relative's (absent: the client themself).
    pub relative_id: Option<RelativeId>,
    /// May see visits, balance and helpers.
    pub can_view: bool,
    /// May book and cancel visits.
    pub can_book: bool,
    /// May buy clip cards.
    pub can_pay: bool,
}

/// An account as the API shows it (never the password hash), with every capacity it holds.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct UserView {
    /// Id.
    pub id: UserId,
    /// Login email.
    pub email: String,
    /// Name.
    pub name: String,
    /// The main role: the staff role, else `helper`, else `client`.
    pub role: Option<Role>,
    /// Every role the account holds now (a helper may also be a client's relative).
    pub roles: Vec<Role>,
    /// The branch the account belongs to: a leader's, a helper's, or the first client's.
    pub branch_id: Option<BranchId>,
    /// Helper record of a helper account (while active or paused).
    pub helper_id: Option<HelperId>,
    /// The client record of a client's own account.
    pub client_id: Option<ClientId>,
    /// Clients the account acts for, with the rights each gave.
    pub clients: Vec<ClientAccess>,
    /// Whether the account can log in.
    pub active: bool,
    /// Whether a password is set.
    pub has_password: bool,
}

/// Body of `POST /api/v1/users`.
#[derive(Debug, eserde::Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"email": "leader.aarhus@example.dk", "name": "Mette Leder", "role": "branch_leader", "branch_id": 1}))]
pub struct UserInput {
    /// Login email.
    pub email: String,
    /// Name.
    pub name: String,
    /// `admin` or `branch_leader`.
    #[eserde(compat)]
    pub role: Role,
    /// Required for a branch leader.
    #[serde(default)]
    pub branch_id: Option<BranchId>,
    /// Optional first password; without it an invitation is mailed.
    #[serde(default)]
    pub password: Option<String>,
}

/// Body of `PATCH /api/v1/users/{id}`.
#[derive(Debug, Default, eserde::Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"active": false}))]
pub struct UserPatch {
    /// Name.
    #[serde(default)]
    pub name: Option<String>,
    /// `admin` or `branch_leader`.
    #[eserde(compat)]
    #[serde(default)]
    pub role: Option<Role>,
    /// Branch of a branch leader.
    #[serde(default)]
    pub branch_id: Option<BranchId>,
    /// Deactivate or reactivate the account (deactivation ends its sessions at once).
    #[serde(default)]
    pub active: Option<bool>,
}

fn staff_role(role: Role) -> Result<Role, String> {
    match role {
        Role::Admin | Role::BranchLeader => Ok(role),
        _ => Err("staff accounts are admin or branch_leader; helpers and clients get accounts through their records".into()),
    }
}

/// The view of an account with its capacities as they are now.
pub fn view(conn: &mut DbConnection, user: User) -> Result<UserView, ApiError> {
    let staff = user.role;
    let helper = match user.helper_id {
        Some(id) => Some(Helper::find(conn, id)?),
        None => None,
    }
    .filter(|h| matches!(h.status, HelperStatus::Active | HelperStatus::Paused));
    let mut clients = vec![];
    let client = match user.client_id {
        Some(id) => Client::find(conn, id).optional()?,
        None => None,
    };
    if let Some(client) = client {
        clients.push(ClientAccess {
            client_id: client.id,
            branch_id: client.branch_id,
            relative_id: None,
            can_view: true,
            can_book: true,
            can_pay: true,
        });
    }
    for r in Relative::for_user(conn, user.id)? {
        if let Ok(client) = Client::find(conn, r.client_id) {
            clients.push(ClientAccess {
                client_id: client.id,
                branch_id: client.branch_id,
                relative_id: Some(r.id),
                can_view: r.can_view,
                can_book: r.can_book,
                can_pay: r.can_pay,
            });
        }
    }
    let roles: Vec<Role> = staff
        .into_iter()
        .chain(helper.as_ref().map(|_| Role::Helper))
        .chain((!clients.is_empty()).then_some(Role::Client))
        .collect();
    let branch_id = user
        .branch_id
        .or(helper.as_ref().map(|h| h.branch_id))
        .or(clients.first().map(|c| c.branch_id));
    Ok(UserView {
        id: user.id,
        has_password: user.password_hash.is_some(),
        email: user.email,
        name: user.name,
        role: roles.first().copied(),
        roles,
        branch_id,
        helper_id: helper.map(|h| h.id),
        client_id: user.client_id,
        clients,
        active: user.active,
    })
}

/// Creates a staff account (admin only). Without a password, an invitation is mailed.
pub fn create(
    conn: &mut DbConnection,
    caller: &Caller,
    input: UserInput,
) -> Result<UserView, ApiError> {
    caller.require_admin()?;
    let mut v = Validator::default();
    let email = v.check("email", Email::parse(&input.email));
    let name = v.check("name", Text::required(&input.name, 200));
    let role = v.check("role", staff_role(input.role));
    let password = match &input.password {
        Some(p) => v
            .check("password", password::check_policy(p))
            .map(|_| Some(p.clone())),
        None => Some(None),
    };
    match (role, input.branch_id) {
        (Some(Role::BranchLeader), None) => v.fail("branch_id", "a branch leader needs a branch"),
        (Some(Role::Admin), Some(_)) => v.fail("branch_id", "an admin belongs to no branch"),
        _ => {}
    }
    let built = (|| Some((email?, name?, role?, password?)))();
    let (email, name, role, password) = v.into_value(built)?;
    if let Some(branch) = input.branch_id {
        Branch::find(conn, branch)
            .optional()?
            .ok_or_else(|| ApiError::field("branch_id", "no such branch"))?;
    }
    crate::db::write_transaction(conn, |conn| {
        let user = insert_staff(
            conn,
            email,
            name,
            role,
            input.branch_id,
            password.as_deref(),
        )?;
        view(conn, user)
    })
}

/// Creates the first admin from the command line.
pub fn create_admin(
    conn: &mut DbConnection,
    email: &str,
    name: &str,
    password_given: &str,
) -> Result<UserView, ApiError> {
    let email = Email::parse(email).map_err(|m| ApiError::field("email", m))?;
    let name = Text::required(name, 200).map_err(|m| ApiError::field("name", m))?;
    password::check_policy(password_given).map_err(|m| ApiError::field("password", m))?;
    let user = insert_staff(conn, email, name, Role::Admin, None, Some(password_given))?;
    view(conn, user)
}

fn insert_staff(
    conn: &mut DbConnection,
    email: Email,
    name: Text,
    role: Role,
    branch_id: Option<BranchId>,
    password_given: Option<&str>,
) -> Result<User, ApiError> {
    if User::find_by_email(conn, email.as_str())?.is_some() {
        return Err(ApiError::Conflict(
            "an account with this email already exists".into(),
        ));
    }
    let at = now();
    let Some(password_given) = password_given else {
        let invited = invitations::open_or_link(
            conn,
            email.as_str(),
            name.as_str(),
            Capacity::Staff(role, branch_id),
            at,
        )?;
        if let Some(token) = &invited.token {
            invitations::mail_invitation(conn, &invited.user, token, None)?;
        }
        return Ok(invited.user);
    };
    Ok(User::insert(
        conn,
        &NewUser {
            email: email.into_string(),
            name: name.into_string(),
            password_hash: Some(password::hash(password_given)?),
            role: Some(role),
            branch_id,
            helper_id: None,
            client_id: None,
            active: true,
            created_at: at,
            updated_at: at,
        },
    )?)
}

/// Staff accounts the caller can see: all for admins, their branch's for a branch leader.
pub fn list(
    conn: &mut DbConnection,
    caller: &Caller,
    page: Page,
) -> Result<Vec<UserView>, ApiError> {
    let branch = caller.staff_branch_filter()?;
    User::list_staff(conn, branch, page.after, page.limit)?
        .into_iter()
        .map(|u| view(conn, u))
        .collect()
}

/// One account: any for admins; their branch's staff for a branch leader; themself for anyone.
pub fn get(conn: &mut DbConnection, caller: &Caller, id: UserId) -> Result<UserView, ApiError> {
    let user = User::find(conn, id)?;
    let visible = id == caller.user_id
        || match caller.staff_branch_filter() {
            Ok(None) => true,
            Ok(Some(branch)) => {
                user.branch_id == Some(branch) && user.role == Some(Role::BranchLeader)
            }
            Err(_) => false,
        };
    if visible {
        view(conn, user)
    } else {
        Err(ApiError::NotFound)
    }
}

/// Changes a staff account (admin only). Deactivating ends the account's sessions at once.
pub fn update(
    conn: &mut DbConnection,
    caller: &Caller,
    id: UserId,
    patch: UserPatch,
) -> Result<UserView, ApiError> {
    caller.require_admin()?;
    let user = User::find(conn, id)?;
    let Some(current_role) = user.role else {
        return Err(ApiError::Conflict(
            "only staff accounts are changed here; helpers and clients through their records"
                .into(),
        ));
    };
    let mut v = Validator::default();
    let name = v.check_opt("name", patch.name.as_deref(), |n| {
        Text::required(n, 200).map(Text::into_string)
    });
    let role = v.check_opt("role", patch.role, staff_role);
    let (name, role) = v.into_value((|| Some((name?, role?)))())?;
    let final_role = role.unwrap_or(current_role);
    let final_branch = match final_role {
        Role::Admin => None,
        _ => patch.branch_id.or(user.branch_id),
    };
    if final_role == Role::BranchLeader && final_branch.is_none() {
        return Err(ApiError::field(
            "branch_id",
            "a branch leader needs a branch",
        ));
    }
    if let Some(branch) = patch.branch_id {
        Branch::find(conn, branch)
            .optional()?
            .ok_or_else(|| ApiError::field("branch_id", "no such branch"))?;
    }
    let demoting_admin =
        current_role == Role::Admin && (final_role != Role::Admin || patch.active == Some(false));
    crate::db::write_transaction(conn, |conn| {
        if demoting_admin && User::count_active_with_role(conn, Role::Admin)? <= 1 {
            return Err(ApiError::Conflict(
                "the last active admin cannot be removed".into(),
            ));
        }
        let at = now();
        let changes = UserChanges {
            name,
            role: role.map(Some),
            branch_id: Some(final_branch),
            active: patch.active,
            updated_at: Some(at),
            ..Default::default()
        };
        let updated = User::update(conn, id, &changes)?;
        if patch.active == Some(false) {
            sessions::end_sessions(conn, id, at)?;
        }
        view(conn, updated)
    })
}
