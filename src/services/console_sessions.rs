//! Signing in to the branch console and finding who is signed in. The console is for staff
//! (admins and branch leaders); the login throttle is the API's. A session stops working when
//! the account is deactivated, its password changes (the token generation moves on) or it
//! expires; every request loads the account as it is now, as the API's `Caller` does.

use chrono::{Duration, NaiveDateTime};

use super::sessions::{self, LoginAttempt};
use crate::auth::{Caller, secret};
use crate::config::ThrottleSettings;
use crate::db::DbConnection;
use crate::db::models::console_session::{ConsoleSession, NewConsoleSession};
use crate::db::models::user::User;
use crate::error::ApiError;

/// A new session: the cookie's token and the forms' token, both shown once.
#[derive(Debug)]
pub struct SignedIn {
    /// Goes into the session cookie; the database keeps its hash.
    pub token: String,
    /// Every form of the session carries it.
    pub csrf_token: String,
}

/// The signed-in account of a live session.
#[derive(Debug, Clone)]
pub struct Current {
    /// Who, with their rights as they are now.
    pub caller: Caller,
    /// Their name, for the page header.
    pub name: String,
    /// The session's form token.
    pub csrf_token: String,
}

/// Checks the password (throttled like the API's login) and opens a session for a staff account.
pub fn sign_in(
    conn: &mut DbConnection,
    limits: &ThrottleSettings,
    attempt: LoginAttempt<'_>,
    session_hours: i64,
    now: NaiveDateTime,
) -> Result<SignedIn, ApiError> {
    let user = sessions::authenticate(conn, limits, attempt, now)?;
    if user.role.is_none() {
        return Err(ApiError::Forbidden(
            "the console is for branch staff; helpers, clients and relatives use the app".into(),
        ));
    }
    let token = random()?;
    let csrf_token = random()?;
    ConsoleSession::delete_expired(conn, now)?;
    ConsoleSession::insert(
        conn,
        NewConsoleSession {
            user_id: user.id,
            token_hash: &secret::hash_token(&token),
            csrf_token: &csrf_token,
            generation: user.token_generation,
            expires_at: now + Duration::hours(session_hours),
        },
        now,
    )?;
    Ok(SignedIn { token, csrf_token })
}

/// The staff account signed in with this cookie token, if the session and the account are live.
pub fn current(
    conn: &mut DbConnection,
    token: &str,
    now: NaiveDateTime,
) -> Result<Option<Current>, ApiError> {
    let Some(session) = ConsoleSession::find_live(conn, &secret::hash_token(token), now)? else {
        return Ok(None);
    };
    let Some(row) = User::load_caller(conn, session.user_id, session.generation)? else {
        return Ok(None);
    };
    let name = row.user.name.clone();
    let caller = Caller::from_row(row);
    // A staff role taken away ends console access at once, as deactivation does.
    Ok(caller.staff.is_some().then_some(Current {
        caller,
        name,
        csrf_token: session.csrf_token,
    }))
}

/// Ends the session of this cookie token (signing out on one instance ends it on all).
pub fn sign_out(conn: &mut DbConnection, token: &str) -> Result<(), ApiError> {
    ConsoleSession::delete(conn, &secret::hash_token(token))?;
    Ok(())
}

fn random() -> Result<String, ApiError> {
    secret::new_token().map_err(|e| ApiError::Internal(anyhow::anyhow!("no randomness: {e}")))
}
