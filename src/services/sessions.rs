//! Login, refresh, logout, invitations and password changes.

use chrono::{Duration, NaiveDateTime};
use serde::Serialize;

use crate::auth::{Claims, TokenKeys, password, secret, token};
use crate::db::DbConnection;
use crate::db::models::client::Client;
use crate::db::models::helper::Helper;
use crate::db::models::relative::Relative;
use crate::db::models::session::{LoginFailures, RefreshToken};
use crate::db::models::user::{NewUser, User, UserChanges};
use crate::domain::Role;
use crate::error::ApiError;

/// Failed logins allowed per account in `WINDOW_MINUTES`.
pub const MAX_FAILURES_PER_ACCOUNT: i64 = 5;
/// Failed logins allowed per client address in `WINDOW_MINUTES`.
pub const MAX_FAILURES_PER_ADDRESS: i64 = 20;
/// Length of the rate-limit window.
pub const WINDOW_MINUTES: i64 = 15;

/// What a successful login or refresh returns.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct TokenPair {
    /// JWT for `Authorization: Bearer …`.
    pub access_token: String,
    /// Always `Bearer`.
    pub token_type: &'static str,
    /// Seconds until the access token expires.
    pub expires_in: i64,
    /// Opaque token for `POST /api/v1/auth/refresh`; single use.
    pub refresh_token: String,
}

/// Checks email and password; a wrong password and an unknown email answer alike.
pub fn login(
    conn: &mut DbConnection,
    keys: &TokenKeys,
    email: &str,
    password_given: &str,
    address: &str,
    now: NaiveDateTime,
) -> Result<TokenPair, ApiError> {
    let account_key = email.trim().to_lowercase();
    let since = now - Duration::minutes(WINDOW_MINUTES);
    let (by_account, by_address) = LoginFailures::count_since(conn, &account_key, address, since)?;
    if by_account >= MAX_FAILURES_PER_ACCOUNT || by_address >= MAX_FAILURES_PER_ADDRESS {
        return Err(ApiError::TooManyRequests(format!(
            "too many failed logins; try again in {WINDOW_MINUTES} minutes"
        )));
    }
    let user = User::find_by_email(conn, &account_key)?;
    let stored = user.as_ref().and_then(|u| u.password_hash.as_deref());
    let matches = password::verify(password_given, stored);
    match user {
        Some(user) if matches && user.active => {
            LoginFailures::clear_account(conn, &account_key)?;
            issue(conn, keys, &user, now)
        }
        _ => {
            LoginFailures::record(conn, &account_key, address, now)?;
            Err(ApiError::Unauthorized("wrong email or password".into()))
        }
    }
}

/// Exchanges a live refresh token for a new pair; the old token stops working.
pub fn refresh(
    conn: &mut DbConnection,
    keys: &TokenKeys,
    refresh_token: &str,
    now: NaiveDateTime,
) -> Result<TokenPair, ApiError> {
    crate::db::write_transaction(conn, |conn| {
        let invalid = || {
            ApiError::Unauthorized("the refresh token is invalid, expired or already used".into())
        };
        let stored = RefreshToken::take_live(conn, &secret::hash_token(refresh_token), now)?
            .ok_or_else(invalid)?;
        let user = User::find(conn, stored.user_id)?;
        if !user.active {
            return Err(invalid());
        }
        issue(conn, keys, &user, now)
    })
}

/// Ends the session behind a refresh token. Unknown tokens are ignored (logout is idempotent).
pub fn logout(
    conn: &mut DbConnection,
    refresh_token: &str,
    now: NaiveDateTime,
) -> Result<(), ApiError> {
    RefreshToken::take_live(conn, &secret::hash_token(refresh_token), now)?;
    Ok(())
}

/// Sets the first password with an invitation token and ends any other session.
pub fn accept_invitation(
    conn: &mut DbConnection,
    invite_token: &str,
    new_password: &str,
    now: NaiveDateTime,
) -> Result<(), ApiError> {
    password::check_policy(new_password)
        .map_err(|m| ApiError::Validation(vec![crate::error::FieldError::new("password", m)]))?;
    let hash = password::hash(new_password)?;
    crate::db::write_transaction(conn, |conn| {
        let invalid = || ApiError::Unauthorized("the invitation is invalid or has expired".into());
        let user =
            User::find_by_invite(conn, &secret::hash_token(invite_token))?.ok_or_else(invalid)?;
        if user.invite_expires_at.is_none_or(|expires| expires <= now) || !user.active {
            return Err(invalid());
        }
        set_password(conn, user.id, hash, now)
    })
}

/// Changes a password after checking the current one; every refresh token is revoked.
pub fn change_password(
    conn: &mut DbConnection,
    user_id: i64,
    current: &str,
    new_password: &str,
    now: NaiveDateTime,
) -> Result<(), ApiError> {
    password::check_policy(new_password).map_err(|m| {
        ApiError::Validation(vec![crate::error::FieldError::new("new_password", m)])
    })?;
    let user = User::find(conn, user_id)?;
    if !password::verify(current, user.password_hash.as_deref()) {
        return Err(ApiError::Validation(vec![crate::error::FieldError::new(
            "current_password",
            "is not your current password",
        )]));
    }
    let hash = password::hash(new_password)?;
    crate::db::write_transaction(conn, |conn| set_password(conn, user_id, hash, now))
}

fn set_password(
    conn: &mut DbConnection,
    user_id: i64,
    hash: String,
    now: NaiveDateTime,
) -> Result<(), ApiError> {
    let changes = UserChanges {
        password_hash: Some(Some(hash)),
        invite_token_hash: Some(None),
        invite_expires_at: Some(None),
        updated_at: Some(now),
        ..Default::default()
    };
    User::update(conn, user_id, &changes)?;
    RefreshToken::revoke_all(conn, user_id, now)?;
    Ok(())
}

/// A new invitation token for an account; only its hash is stored. Valid for 14 days.
pub fn new_invitation(now: NaiveDateTime) -> Result<(String, String, NaiveDateTime), ApiError> {
    let token = secret::new_token()
        .map_err(|e| ApiError::Internal(anyhow::anyhow!("no randomness: {e}")))?;
    let hash = secret::hash_token(&token);
    Ok((token, hash, now + Duration::days(14)))
}

/// Who an invited account acts for.
#[derive(Debug, Default)]
pub struct AccountLinks {
    /// The helper record of a helper account.
    pub helper_id: Option<i64>,
    /// The client record of a client account.
    pub client_id: Option<i64>,
    /// The relative holding a client account.
    pub relative_id: Option<i64>,
}

/// Opens an account with no password and returns its invitation token; 409 if the email is taken.
pub fn invite_account(
    conn: &mut DbConnection,
    email: String,
    name: String,
    role: Role,
    links: AccountLinks,
    at: NaiveDateTime,
) -> Result<String, ApiError> {
    if User::find_by_email(conn, &email)?.is_some() {
        return Err(ApiError::Conflict(
            "an account with this email already exists".into(),
        ));
    }
    let (token, hash, expires) = new_invitation(at)?;
    User::insert(
        conn,
        &NewUser {
            email,
            name,
            password_hash: None,
            role: role.as_str().into(),
            branch_id: None,
            helper_id: links.helper_id,
            client_id: links.client_id,
            relative_id: links.relative_id,
            active: true,
            invite_token_hash: Some(hash),
            invite_expires_at: Some(expires),
            created_at: at,
            updated_at: at,
        },
    )?;
    Ok(token)
}

/// Issues an access token and a stored refresh token for `user`.
fn issue(
    conn: &mut DbConnection,
    keys: &TokenKeys,
    user: &User,
    now: NaiveDateTime,
) -> Result<TokenPair, ApiError> {
    let branch_id = match (user.branch_id, user.helper_id, user.client_id) {
        (Some(branch), ..) => Some(branch),
        (None, Some(helper), _) => Some(Helper::find(conn, helper)?.branch_id),
        (None, None, Some(client)) => Some(Client::find(conn, client)?.branch_id),
        _ => None,
    };
    let relative_rights = match user.relative_id {
        Some(id) => {
            let r = Relative::find(conn, id)?;
            Some([r.can_view, r.can_book, r.can_pay])
        }
        None => None,
    };
    let issued = now.and_utc().timestamp();
    let claims = Claims {
        sub: user.id,
        role: user.role.clone(),
        branch_id,
        helper_id: user.helper_id,
        client_id: user.client_id,
        relative_rights,
        iat: issued,
        exp: issued + token::ACCESS_TOKEN_SECONDS,
    };
    let access_token = keys.sign(&claims)?;
    let refresh_token = secret::new_token()
        .map_err(|e| ApiError::Internal(anyhow::anyhow!("no randomness: {e}")))?;
    let expires = now + Duration::days(token::REFRESH_TOKEN_DAYS);
    RefreshToken::insert(
        conn,
        user.id,
        &secret::hash_token(&refresh_token),
        expires,
        now,
    )?;
    Ok(TokenPair {
        access_token,
        token_type: "Bearer",
        expires_in: token::ACCESS_TOKEN_SECONDS,
        refresh_token,
    })
}
