//! Staff accounts (admins, branch leaders) and who-am-I.

use serde::{Deserialize, Serialize};

use crate::auth::{Caller, password};
use crate::db::models::branch::Branch;
use crate::db::models::now;
use crate::db::models::user::{NewUser, User, UserChanges};
use crate::db::{DbConnection, Page};
use crate::domain::{Email, Role, Text, Validator};
use crate::error::ApiError;

use super::sessions;

/// An account as the API shows it (never the password hash).
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct UserView {
    /// Id.
    pub id: i64,
    /// Login email.
    pub email: String,
    /// Name.
    pub name: String,
    /// Role.
    pub role: String,
    /// Branch of a branch leader.
    pub branch_id: Option<i64>,
    /// Helper record of a helper account.
    pub helper_id: Option<i64>,
    /// Client record of a client account.
    pub client_id: Option<i64>,
    /// Whether the account can log in.
    pub active: bool,
    /// Whether a password is set.
    pub has_password: bool,
    /// Returned once, on creation without a password: lets the person set one via
    /// `POST /api/v1/auth/accept-invitation` (the email issue will mail it).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub invite_token: Option<String>,
}

impl From<User> for UserView {
    fn from(u: User) -> UserView {
        UserView {
            id: u.id,
            has_password: u.password_hash.is_some(),
            email: u.email,
            name: u.name,
            role: u.role,
            branch_id: u.branch_id,
            helper_id: u.helper_id,
            client_id: u.client_id,
            active: u.active,
            invite_token: None,
        }
    }
}

/// Body of `POST /api/v1/users`.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UserInput {
    /// Login email.
    pub email: String,
    /// Name.
    pub name: String,
    /// `admin` or `branch_leader`.
    pub role: String,
    /// Required for a branch leader.
    pub branch_id: Option<i64>,
    /// Optional first password; without it an invitation token is returned.
    pub password: Option<String>,
}

/// Body of `PATCH /api/v1/users/{id}`.
#[derive(Debug, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UserPatch {
    /// Name.
    pub name: Option<String>,
    /// `admin` or `branch_leader`.
    pub role: Option<String>,
    /// Branch of a branch leader.
    pub branch_id: Option<i64>,
    /// Deactivate or reactivate the account.
    pub active: Option<bool>,
}

fn staff_role(raw: &str) -> Result<Role, String> {
    match Role::parse(raw)? {
        role @ (Role::Admin | Role::BranchLeader) => Ok(role),
        _ => Err("staff accounts are admin or branch_leader; helpers and clients get accounts through their records".into()),
    }
}

/// Creates a staff account (admin only).
pub fn create(
    conn: &mut DbConnection,
    caller: &Caller,
    input: UserInput,
) -> Result<UserView, ApiError> {
    caller.require_admin()?;
    let mut v = Validator::default();
    let email = v.check("email", Email::parse(&input.email));
    let name = v.check("name", Text::required(&input.name, 200));
    let role = v.check("role", staff_role(&input.role));
    let password_hash = match &input.password {
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
    let built = (|| Some((email?, name?, role?, password_hash?)))();
    let (email, name, role, password) = v.into_value(built)?;
    if let Some(branch) = input.branch_id {
        Branch::find(conn, branch).map_err(|_| ApiError::field("branch_id", "no such branch"))?;
    }
    insert_staff(
        conn,
        email,
        name,
        role,
        input.branch_id,
        password.as_deref(),
    )
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
    insert_staff(conn, email, name, Role::Admin, None, Some(password_given))
}

fn insert_staff(
    conn: &mut DbConnection,
    email: Email,
    name: Text,
    role: Role,
    branch_id: Option<i64>,
    password_given: Option<&str>,
) -> Result<UserView, ApiError> {
    if User::find_by_email(conn, email.as_str())?.is_some() {
        return Err(ApiError::Conflict(
            "an account with this email already exists".into(),
        ));
    }
    let at = now();
    let (password_hash, invite) = match password_given {
        Some(p) => (Some(password::hash(p)?), None),
        None => (None, Some(sessions::new_invitation(at)?)),
    };
    let user = User::insert(
        conn,
        &NewUser {
            email: email.into_string(),
            name: name.into_string(),
            password_hash,
            role: role.as_str().into(),
            branch_id,
            helper_id: None,
            client_id: None,
            relative_id: None,
            active: true,
            invite_token_hash: invite.as_ref().map(|(_, hash, _)| hash.clone()),
            invite_expires_at: invite.as_ref().map(|(_, _, expires)| *expires),
            created_at: at,
            updated_at: at,
        },
    )?;
    let mut view = UserView::from(user);
    view.invite_token = invite.map(|(token, _, _)| token);
    Ok(view)
}

/// Staff accounts the caller can see: all for admins, their branch's for a branch leader.
pub fn list(
    conn: &mut DbConnection,
    caller: &Caller,
    page: Page,
) -> Result<Vec<UserView>, ApiError> {
    let branch = caller.staff_branch_filter()?;
    Ok(User::list_staff(conn, branch, page.after, page.limit)?
        .into_iter()
        .map(UserView::from)
        .collect())
}

/// One account: any for admins; their branch's staff for a branch leader; themself for anyone.
pub fn get(conn: &mut DbConnection, caller: &Caller, id: i64) -> Result<UserView, ApiError> {
    let user = User::find(conn, id)?;
    let visible = id == caller.user_id
        || match caller.staff_branch_filter() {
            Ok(None) => true,
            Ok(Some(branch)) => user.branch_id == Some(branch) && user.role == "branch_leader",
            Err(_) => false,
        };
    if visible {
        Ok(user.into())
    } else {
        Err(ApiError::NotFound)
    }
}

/// Changes a staff account (admin only). Deactivating ends the account's sessions.
pub fn update(
    conn: &mut DbConnection,
    caller: &Caller,
    id: i64,
    patch: UserPatch,
) -> Result<UserView, ApiError> {
    caller.require_admin()?;
    let user = User::find(conn, id)?;
    let mut v = Validator::default();
    let name = v.check_opt("name", patch.name.as_deref(), |n| {
        Text::required(n, 200).map(Text::into_string)
    });
    let role = v.check_opt("role", patch.role.as_deref(), staff_role);
    let built = (|| Some((name?, role?)))();
    let (name, role) = v.into_value(built)?;
    let final_role = role
        .map(|r| r.as_str().to_string())
        .unwrap_or(user.role.clone());
    let final_branch = patch.branch_id.or(user.branch_id);
    if final_role == "branch_leader" && final_branch.is_none() {
        return Err(ApiError::field(
            "branch_id",
            "a branch leader needs a branch",
        ));
    }
    if let Some(branch) = patch.branch_id {
        Branch::find(conn, branch).map_err(|_| ApiError::field("branch_id", "no such branch"))?;
    }
    let demoting_admin =
        user.role == "admin" && (final_role != "admin" || patch.active == Some(false));
    if demoting_admin && User::count_active_with_role(conn, "admin")? <= 1 {
        return Err(ApiError::Conflict(
            "the last active admin cannot be removed".into(),
        ));
    }
    let at = now();
    let changes = UserChanges {
        name,
        role: role.map(|r| r.as_str().to_string()),
        branch_id: if final_role == "admin" {
            Some(None)
        } else {
            patch.branch_id.map(Some)
        },
        active: patch.active,
        updated_at: Some(at),
        ..Default::default()
    };
    let updated = User::update(conn, id, &changes)?;
    if patch.active == Some(false) {
        crate::db::models::session::RefreshToken::revoke_all(conn, id, at)?;
    }
    Ok(updated.into())
}
