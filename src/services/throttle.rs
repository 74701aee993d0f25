//! Rate limits for what anyone can call without an account, counted in the database so every
//! instance shares them: public applications and password-reset requests per address, and
//! failed logins.
//!
//! Logins are limited so that guessing stops without a stranger being able to lock the real
//! person out: failures count per account *and* address (the real user's own address is not
//! slowed by someone else's guesses), with a doubling wait after the allowance; and per address
//! across all accounts, which stops one machine spraying many accounts.

use chrono::{Duration, NaiveDateTime};

use crate::config::ThrottleSettings;
use crate::db::DbConnection;
use crate::db::models::throttle::ThrottleEvent;
use crate::error::ApiError;

/// Failed logins for one account from one address.
const LOGIN_PAIR: &str = "login:account+address";
/// Failed logins from one address, any account.
const LOGIN_ADDRESS: &str = "login:address";
/// Public applications from one address.
const APPLICATION: &str = "application:address";
/// Password-reset requests from one address.
const RESET_ADDRESS: &str = "password_reset:address";
/// Password-reset mails to one account.
const RESET_ACCOUNT: &str = "password_reset:account";

/// Attempts are forgotten after a day; every window here is shorter.
const FORGET_AFTER_HOURS: i64 = 24;

fn too_many(what: &str, wait: Duration) -> ApiError {
    let seconds = wait.num_seconds().max(1);
    let minutes = (seconds + 59) / 60;
    ApiError::TooManyRequests {
        detail: format!("too many {what}; try again in {minutes} minute(s)"),
        retry_after_secs: seconds as u64,
    }
}

/// A fixed-window allowance: `max` attempts per `window`; the next becomes possible when the
/// oldest attempt in the window falls out of it.
fn allowance(
    conn: &mut DbConnection,
    bucket: &str,
    key: &str,
    max: u32,
    window: Duration,
    now: NaiveDateTime,
) -> Result<Option<Duration>, ApiError> {
    let attempts = ThrottleEvent::since(conn, bucket, key, now - window)?;
    if attempts.len() < max as usize {
        return Ok(None);
    }
    let oldest = attempts[attempts.len() - max as usize];
    Ok(Some(oldest + window - now))
}

fn record(
    conn: &mut DbConnection,
    bucket: &str,
    key: &str,
    now: NaiveDateTime,
) -> Result<(), ApiError> {
    ThrottleEvent::record(
        conn,
        bucket,
        key,
        now,
        now - Duration::hours(FORGET_AFTER_HOURS),
    )?;
    Ok(())
}

/// Refuses a login attempt while the pair (account, address) or the address is throttled.
pub fn check_login(
    conn: &mut DbConnection,
    settings: &ThrottleSettings,
    account: &str,
    address: &str,
    now: NaiveDateTime,
) -> Result<(), ApiError> {
    let window = Duration::minutes(settings.login_window_minutes);
    if let Some(wait) = allowance(
        conn,
        LOGIN_ADDRESS,
        address,
        settings.login_failures_per_address,
        window,
        now,
    )? {
        return Err(too_many("failed logins from your address", wait));
    }
    let pair = format!("{account}|{address}");
    let failures = ThrottleEvent::since(conn, LOGIN_PAIR, &pair, now - window)?;
    let allowed = settings.login_failures_per_account as usize;
    if let (true, Some(last)) = (failures.len() >= allowed, failures.last()) {
        // 1, 2, 4 … minutes after the last failure, never longer than the window.
        let doublings = (failures.len() - allowed).min(16) as u32;
        let wait = Duration::minutes(1_i64 << doublings).min(window);
        let until = *last + wait;
        if until > now {
            return Err(too_many("failed logins for this account", until - now));
        }
    }
    Ok(())
}

/// Counts a failed login.
pub fn login_failed(
    conn: &mut DbConnection,
    account: &str,
    address: &str,
    now: NaiveDateTime,
) -> Result<(), ApiError> {
    record(conn, LOGIN_PAIR, &format!("{account}|{address}"), now)?;
    record(conn, LOGIN_ADDRESS, address, now)
}

/// Forgets the pair's failures after a successful login.
pub fn login_succeeded(
    conn: &mut DbConnection,
    account: &str,
    address: &str,
) -> Result<(), ApiError> {
    ThrottleEvent::clear(conn, LOGIN_PAIR, &format!("{account}|{address}"))?;
    Ok(())
}

/// Counts one attempt per `key` and hour, refusing it (429) past `max`; `what` names it.
fn hourly(
    conn: &mut DbConnection,
    bucket: &str,
    key: &str,
    max: u32,
    what: &str,
    now: NaiveDateTime,
) -> Result<(), ApiError> {
    if let Some(wait) = allowance(conn, bucket, key, max, Duration::hours(1), now)? {
        return Err(too_many(what, wait));
    }
    record(conn, bucket, key, now)
}

/// Counts a public application from `address`, refusing it past the hourly allowance.
pub fn application(
    conn: &mut DbConnection,
    settings: &ThrottleSettings,
    address: &str,
    now: NaiveDateTime,
) -> Result<(), ApiError> {
    let max = settings.applications_per_address_per_hour;
    hourly(
        conn,
        APPLICATION,
        address,
        max,
        "applications from your address",
        now,
    )
}

/// Counts a password-reset request from `address`, refusing it past the hourly allowance.
pub fn reset_request(
    conn: &mut DbConnection,
    settings: &ThrottleSettings,
    address: &str,
    now: NaiveDateTime,
) -> Result<(), ApiError> {
    let max = settings.password_resets_per_address_per_hour;
    let what = "password-reset requests from your address";
    hourly(conn, RESET_ADDRESS, address, max, what, now)
}

/// Whether another reset mail may go to `account` this hour (the answer to the caller is the
/// same either way, so nobody learns whether the address has an account).
pub fn reset_mail_allowed(
    conn: &mut DbConnection,
    settings: &ThrottleSettings,
    account: &str,
    now: NaiveDateTime,
) -> Result<bool, ApiError> {
    let hour = Duration::hours(1);
    let blocked = allowance(
        conn,
        RESET_ACCOUNT,
        account,
        settings.password_resets_per_account_per_hour,
        hour,
        now,
    )?
    .is_some();
    if !blocked {
        record(conn, RESET_ACCOUNT, account, now)?;
    }
    Ok(!blocked)
}
