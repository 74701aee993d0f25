//! Opening accounts and getting back in: invitations (mailed, never handed to someone else),
//! re-invitations, password resets, and linking one login to another capacity (a relative of
//! a second client, a helper whose grandmother is a client).

use crate::domain::ids::{BranchId, ClientId, HelperId, RelativeId, UserId};
use chrono::{Duration, NaiveDateTime};

use super::throttle;
use crate::auth::policy::AccountReach;
use crate::auth::{Caller, secret};
use crate::config::ThrottleSettings;
use crate::db::DbConnection;
use crate::db::models::branch::Branch;
use crate::db::models::client::Client;
use crate::db::models::helper::Helper;
use crate::db::models::now;
use crate::db::models::password_token::{PasswordToken, TokenPurpose};
use crate::db::models::relative::Relative;
use crate::db::models::user::{NewUser, User, UserChanges};
use crate::domain::Role;
use crate::email::BranchContact;
use crate::email::notices::{self, AccountMail, PasswordLink};
use crate::error::ApiError;

/// How long an invitation link works.
pub const INVITATION_DAYS: i64 = 14;
/// How long a reset link works.
pub const RESET_HOURS: i64 = 1;

/// The capacity an account is opened (or linked) for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Capacity {
    /// A staff role; a branch leader's branch.
    Staff(Role, Option<BranchId>),
    /// A helper record.
    Helper(HelperId),
    /// The client themself.
    Client(ClientId),
    /// A relative row of a client.
    Relative(RelativeId),
}

/// The account an invitation went to, and whether a set-password link was mailed.
#[derive(Debug)]
pub struct Invited {
    /// The account (new, or the existing one of that email).
    pub user: User,
    /// The one-time token, when a set-password link was mailed (only the mail carries it to
    /// the person; it is returned here for the activation mail, never to another caller).
    pub token: Option<String>,
}

fn new_token(
    at: NaiveDateTime,
    valid: Duration,
) -> Result<(String, String, NaiveDateTime), ApiError> {
    let token = secret::new_token()
        .map_err(|e| ApiError::Internal(anyhow::anyhow!("no randomness: {e}")))?;
    let hash = secret::hash_token(&token);
    Ok((token, hash, at + valid))
}

/// Stores a new invitation for `user` (earlier unused ones stop working) and returns its token.
fn issue_invitation(
    conn: &mut DbConnection,
    user_id: UserId,
    at: NaiveDateTime,
) -> Result<String, ApiError> {
    let (token, hash, expires) = new_token(at, Duration::days(INVITATION_DAYS))?;
    PasswordToken::issue(conn, user_id, TokenPurpose::Invitation, &hash, expires, at)?;
    Ok(token)
}

/// Opens an account for `email` in `capacity`, or links the existing account of that email
/// (one person, one login). A staff account is never linked to a helper or client record, nor
/// the other way round (409). An account without a password gets a fresh invitation token.
pub fn open_or_link(
    conn: &mut DbConnection,
    email: &str,
    name: &str,
    capacity: Capacity,
    at: NaiveDateTime,
) -> Result<Invited, ApiError> {
    let staff = matches!(capacity, Capacity::Staff(..));
    let user = match User::find_by_email(conn, email)? {
        Some(user) => {
            if user.role.is_some() != staff {
                return Err(ApiError::Conflict(
                    "this email belongs to an account of another kind (staff accounts are kept apart); use another email".into(),
                ));
            }
            link(conn, &user, capacity, at)?
        }
        None => {
            let (role, branch_id) = match capacity {
                Capacity::Staff(role, branch) => (Some(role), branch),
                _ => (None, None),
            };
            let user = User::insert(
                conn,
                &NewUser {
                    email: email.to_string(),
                    name: name.to_string(),
                    password_hash: None,
                    role,
                    branch_id,
                    helper_id: None,
                    client_id: None,
                    active: true,
                    created_at: at,
                    updated_at: at,
                },
            )?;
            if staff {
                user
            } else {
                link(conn, &user, capacity, at)?
            }
        }
    };
    let token = match user.password_hash {
        None => Some(issue_invitation(conn, user.id, at)?),
        Some(_) => None,
    };
    Ok(Invited { user, token })
}

/// Adds `capacity` to an existing account (and opens it again if it was closed).
fn link(
    conn: &mut DbConnection,
    user: &User,
    capacity: Capacity,
    at: NaiveDateTime,
) -> Result<User, ApiError> {
    let mut changes = UserChanges {
        active: Some(true),
        updated_at: Some(at),
        ..Default::default()
    };
    match capacity {
        Capacity::Staff(..) => {
            return Err(ApiError::Conflict(
                "an account with this email already exists".into(),
            ));
        }
        Capacity::Helper(id) => match user.helper_id {
            Some(other) if other != id => {
                return Err(ApiError::Conflict(
                    "this email's account belongs to another helper".into(),
                ));
            }
            _ => changes.helper_id = Some(Some(id)),
        },
        Capacity::Client(id) => match user.client_id {
            Some(other) if other != id => {
                return Err(ApiError::Conflict(
                    "this email's account belongs to another client".into(),
                ));
            }
            _ => changes.client_id = Some(Some(id)),
        },
        Capacity::Relative(relative_id) => {
            Relative::link_user(conn, relative_id, user.id)?;
        }
    }
    Ok(User::update(conn, user.id, &changes)?)
}

/// The branch that signs an account's mails, and the language to write in.
pub fn mail_context(
    conn: &mut DbConnection,
    user: &User,
) -> Result<(BranchContact, String), ApiError> {
    let branch = |conn: &mut DbConnection, id: BranchId| -> Result<BranchContact, ApiError> {
        let b = Branch::find(conn, id)?;
        Ok(BranchContact {
            name: b.name,
            phone: b.phone,
        })
    };
    if let Some(helper_id) = user.helper_id {
        let helper = Helper::find(conn, helper_id)?;
        let home = Branch::find(conn, helper.branch_id)?;
        return Ok((
            BranchContact {
                name: home.name,
                phone: home.phone,
            },
            crate::email::helper_language(&helper, home.country).to_string(),
        ));
    }
    let client = match user.client_id {
        Some(id) => Some(Client::find_any(conn, id)?),
        None => match Relative::for_user(conn, user.id)?.first() {
            Some(r) => Some(Client::find_any(conn, r.client_id)?),
            None => None,
        },
    };
    if let Some(client) = client {
        return Ok((branch(conn, client.branch_id)?, client.preferred_language));
    }
    match user.branch_id {
        Some(id) => {
            let home = Branch::find(conn, id)?;
            let language = crate::email::country_language(home.country).to_string();
            Ok((
                BranchContact {
                    name: home.name,
                    phone: home.phone,
                },
                language,
            ))
        }
        None => Ok((
            BranchContact {
                name: String::new(),
                phone: None,
            },
            "da".into(),
        )),
    }
}

/// Mails an invitation token to the account's address.
pub fn mail_invitation(
    conn: &mut DbConnection,
    user: &User,
    token: &str,
    for_client: Option<&str>,
) -> Result<(), ApiError> {
    let (branch, language) = mail_context(conn, user)?;
    notices::password_link(
        conn,
        PasswordLink::Invitation,
        &AccountMail {
            recipient: &user.email,
            language: &language,
            branch,
            name: &user.name,
            token,
            valid_hours: INVITATION_DAYS * 24,
            for_client,
        },
    )?;
    Ok(())
}

/// Sends a new invitation to an account that has no password yet (the old link stops
/// working). Admins for any account; a branch leader for accounts of their branch.
pub fn reinvite(conn: &mut DbConnection, caller: &Caller, user_id: UserId) -> Result<(), ApiError> {
    caller.require_staff()?;
    crate::db::write_transaction(conn, |conn| {
        let user = User::find(conn, user_id)?;
        if !account_in_reach(conn, caller, &user)? {
            return Err(ApiError::NotFound);
        }
        if !user.active {
            return Err(ApiError::Conflict("the account is closed".into()));
        }
        if user.password_hash.is_some() {
            return Err(ApiError::Conflict(
                "the account has a password; its owner can ask for a reset link".into(),
            ));
        }
        let token = issue_invitation(conn, user.id, now())?;
        mail_invitation(conn, &user, &token, None)
    })
}

/// Whether a staff caller reaches an account (the rule is `Caller::reaches_account`); only the
/// branches of the account's links are looked up here, and only for a leader.
fn account_in_reach(
    conn: &mut DbConnection,
    caller: &Caller,
    user: &User,
) -> Result<bool, ApiError> {
    if caller.is_admin() {
        return Ok(true);
    }
    let mut reach = AccountReach {
        staff: user
            .role
            .zip(user.branch_id)
            .map(|(role, branch)| (branch, role)),
        branches: vec![],
    };
    if reach.staff.is_none() {
        if let Some(helper_id) = user.helper_id {
            reach
                .branches
                .push(Helper::find(conn, helper_id)?.branch_id);
        }
        if let Some(client_id) = user.client_id {
            reach
                .branches
                .push(Client::find_any(conn, client_id)?.branch_id);
        }
        for relative in Relative::for_user(conn, user.id)? {
            reach
                .branches
                .push(Client::find_any(conn, relative.client_id)?.branch_id);
        }
    }
    Ok(caller.reaches_account(&reach))
}

/// A forgotten password: mails a reset link (valid one hour) when the address has an active
/// account. The answer is the same whether or not it has one; the address is throttled.
pub fn request_reset(
    conn: &mut DbConnection,
    limits: &ThrottleSettings,
    email: &str,
    address: &str,
) -> Result<(), ApiError> {
    let at = now();
    let account = email.trim().to_lowercase();
    crate::db::write_transaction(conn, |conn| {
        throttle::reset_request(conn, limits, address, at)?;
        let Some(user) = User::find_by_email(conn, &account)?.filter(|u| u.active) else {
            return Ok(());
        };
        if !throttle::reset_mail_allowed(conn, limits, &account, at)? {
            return Ok(());
        }
        let (token, hash, expires) = new_token(at, Duration::hours(RESET_HOURS))?;
        PasswordToken::issue(
            conn,
            user.id,
            TokenPurpose::PasswordReset,
            &hash,
            expires,
            at,
        )?;
        let (branch, language) = mail_context(conn, &user)?;
        notices::password_link(
            conn,
            PasswordLink::Reset,
            &AccountMail {
                recipient: &user.email,
                language: &language,
                branch,
                name: &user.name,
                token: &token,
                valid_hours: RESET_HOURS,
                for_client: None,
            },
        )?;
        Ok(())
    })
}
