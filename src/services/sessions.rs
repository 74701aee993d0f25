//! Login, refresh, logout, and setting a password with a one-time token (an invitation or a
//! reset) or with the current one.

use crate::domain::ids::UserId;
use chrono::{Duration, NaiveDateTime};
use serde::Serialize;

use super::throttle;
use crate::auth::{Claims, TokenKeys, password, secret, token};
use crate::config::ThrottleSettings;
use crate::db::DbConnection;
use crate::db::models::password_token::PasswordToken;
use crate::db::models::session::RefreshToken;
use crate::db::models::user::{User, UserChanges};
use crate::error::{ApiError, FieldError};

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

/// Where a login comes from, for its throttle.
#[derive(Debug, Clone)]
pub struct LoginAttempt<'a> {
    /// Email as typed.
    pub email: &'a str,
    /// Password as typed.
    pub password: &'a str,
    /// The client's address.
    pub address: &'a str,
}

/// Checks email and password; a wrong password and an unknown email answer alike.
pub fn login(
    conn: &mut DbConnection,
    keys: &TokenKeys,
    limits: &ThrottleSettings,
    attempt: LoginAttempt<'_>,
    now: NaiveDateTime,
) -> Result<TokenPair, ApiError> {
    let user = authenticate(conn, limits, attempt, now)?;
    issue(conn, keys, &user, now)
}

/// The active account with this email and password, under the login throttle (the API's login
/// and the console's sign-in share it); a wrong password and an unknown email answer alike.
pub fn authenticate(
    conn: &mut DbConnection,
    limits: &ThrottleSettings,
    attempt: LoginAttempt<'_>,
    now: NaiveDateTime,
) -> Result<User, ApiError> {
    let account = attempt.email.trim().to_lowercase();
    throttle::check_login(conn, limits, &account, attempt.address, now)?;
    let user = User::find_by_email(conn, &account)?;
    let stored = user.as_ref().and_then(|u| u.password_hash.as_deref());
    let matches = password::verify(attempt.password, stored);
    match user {
        Some(user) if matches && user.active => {
            throttle::login_succeeded(conn, &account, attempt.address)?;
            Ok(user)
        }
        _ => {
            throttle::login_failed(conn, &account, attempt.address, now)?;
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

/// Sets a password with a one-time token (an invitation or a reset link); every session the
/// account had ends. The token works once.
pub fn set_password_with_token(
    conn: &mut DbConnection,
    one_time_token: &str,
    new_password: &str,
    now: NaiveDateTime,
) -> Result<PasswordSet, ApiError> {
    password::check_policy(new_password).map_err(|m| ApiError::field("password", m))?;
    let hash = password::hash(new_password)?;
    crate::db::write_transaction(conn, |conn| {
        let invalid = || {
            ApiError::Unauthorized(
                "the link is invalid, has expired or was already used; ask for a new one".into(),
            )
        };
        let (user_id, _) =
            PasswordToken::take_live(conn, &secret::hash_token(one_time_token), now)?
                .ok_or_else(invalid)?;
        let user = User::find(conn, user_id)?;
        if !user.active {
            return Err(invalid());
        }
        set_password(conn, user_id, hash, now)?;
        // Staff sign in to the console in a browser; everyone else uses the app.
        Ok(if user.role.is_some() {
            PasswordSet::Staff
        } else {
            PasswordSet::AppUser
        })
    })
}

/// Whose password a one-time link set: where they sign in next.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PasswordSet {
    /// An admin or branch leader: the console.
    Staff,
    /// A helper, client or relative: the app.
    AppUser,
}

/// Whether a one-time token still works (the set-password page shows the form only then).
pub fn password_token_is_live(
    conn: &mut DbConnection,
    one_time_token: &str,
    now: NaiveDateTime,
) -> Result<bool, ApiError> {
    Ok(PasswordToken::is_live(
        conn,
        &secret::hash_token(one_time_token),
        now,
    )?)
}

/// Changes a password after checking the current one. Every session ends, this one too, so
/// the answer is a fresh pair of tokens.
pub fn change_password(
    conn: &mut DbConnection,
    keys: &TokenKeys,
    user_id: UserId,
    current: &str,
    new_password: &str,
    now: NaiveDateTime,
) -> Result<TokenPair, ApiError> {
    let mut errors = vec![];
    if let Err(m) = password::check_policy(new_password) {
        errors.push(FieldError::new("new_password", m));
    }
    let user = User::find(conn, user_id)?;
    if !password::verify(current, user.password_hash.as_deref()) {
        errors.push(FieldError::new(
            "current_password",
            "is not your current password",
        ));
    }
    if !errors.is_empty() {
        return Err(ApiError::Validation(errors));
    }
    let hash = password::hash(new_password)?;
    crate::db::write_transaction(conn, |conn| {
        set_password(conn, user_id, hash, now)?;
        let user = User::find(conn, user_id)?;
        issue(conn, keys, &user, now)
    })
}

fn set_password(
    conn: &mut DbConnection,
    user_id: UserId,
    hash: String,
    now: NaiveDateTime,
) -> Result<(), ApiError> {
    let changes = UserChanges {
        password_hash: Some(Some(hash)),
        updated_at: Some(now),
        ..Default::default()
    };
    User::update(conn, user_id, &changes)?;
    PasswordToken::retire_all(conn, user_id, now)?;
    end_sessions(conn, user_id, now)
}

/// Ends every session of an account at once: refresh tokens revoked, access tokens outdated.
pub fn end_sessions(
    conn: &mut DbConnection,
    user_id: UserId,
    now: NaiveDateTime,
) -> Result<(), ApiError> {
    RefreshToken::revoke_all(conn, user_id, now)?;
    User::revoke_access_tokens(conn, user_id, now)?;
    Ok(())
}

/// Issues an access token (it names only the account and its token generation; everything
/// else is read per request) and a stored refresh token.
fn issue(
    conn: &mut DbConnection,
    keys: &TokenKeys,
    user: &User,
    now: NaiveDateTime,
) -> Result<TokenPair, ApiError> {
    let issued = now.and_utc().timestamp();
    let claims = Claims {
        sub: user.id,
        generation: user.token_generation,
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
