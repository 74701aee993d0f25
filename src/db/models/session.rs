//! Refresh tokens and failed logins: the state of authentication lives in the database,
//! so every instance of the service sees the same sessions and the same rate limits.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::db::DbConnection;
use crate::db::schema::{login_failures, refresh_tokens};

/// A stored refresh token (only its hash).
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = refresh_tokens)]
pub struct RefreshToken {
    /// Id.
    pub id: i64,
    /// Whose session.
    pub user_id: i64,
    /// SHA-256 of the token, hex.
    pub token_hash: String,
    /// Expiry.
    pub expires_at: NaiveDateTime,
    /// Set on logout, rotation or password change.
    pub revoked_at: Option<NaiveDateTime>,
    /// Issued.
    pub created_at: NaiveDateTime,
}

impl RefreshToken {
    /// Stores a new token hash.
    pub fn insert(
        conn: &mut DbConnection,
        user_id: i64,
        token_hash: &str,
        expires_at: NaiveDateTime,
        now: NaiveDateTime,
    ) -> QueryResult<()> {
        diesel::insert_into(refresh_tokens::table)
            .values((
                refresh_tokens::user_id.eq(user_id),
                refresh_tokens::token_hash.eq(token_hash),
                refresh_tokens::expires_at.eq(expires_at),
                refresh_tokens::created_at.eq(now),
            ))
            .execute(conn)
            .map(|_| ())
    }

    /// Revokes a live token and returns it; `None` when unknown, expired or already revoked.
    /// The conditional update makes two concurrent refreshes with one token yield one winner.
    pub fn take_live(
        conn: &mut DbConnection,
        token_hash: &str,
        now: NaiveDateTime,
    ) -> QueryResult<Option<RefreshToken>> {
        let live = refresh_tokens::table
            .filter(refresh_tokens::token_hash.eq(token_hash))
            .filter(refresh_tokens::revoked_at.is_null())
            .filter(refresh_tokens::expires_at.gt(now));
        let revoked = diesel::update(live)
            .set(refresh_tokens::revoked_at.eq(Some(now)))
            .execute(conn)?;
        if revoked == 0 {
            return Ok(None);
        }
        refresh_tokens::table
            .filter(refresh_tokens::token_hash.eq(token_hash))
            .select(RefreshToken::as_select())
            .first(conn)
            .optional()
    }

    /// Revokes every live token of a user (password change, deactivation).
    pub fn revoke_all(
        conn: &mut DbConnection,
        user_id: i64,
        now: NaiveDateTime,
    ) -> QueryResult<usize> {
        diesel::update(
            refresh_tokens::table
                .filter(refresh_tokens::user_id.eq(user_id))
                .filter(refresh_tokens::revoked_at.is_null()),
        )
        .set(refresh_tokens::revoked_at.eq(Some(now)))
        .execute(conn)
    }
}

/// Failed login bookkeeping.
pub struct LoginFailures;

impl LoginFailures {
    /// Records one failure for an account key and an address key.
    pub fn record(
        conn: &mut DbConnection,
        account_key: &str,
        address_key: &str,
        now: NaiveDateTime,
    ) -> QueryResult<()> {
        diesel::insert_into(login_failures::table)
            .values((
                login_failures::account_key.eq(account_key),
                login_failures::address_key.eq(address_key),
                login_failures::at.eq(now),
            ))
            .execute(conn)
            .map(|_| ())
    }

    /// Failures since `since` for the account and for the address.
    pub fn count_since(
        conn: &mut DbConnection,
        account_key: &str,
        address_key: &str,
        since: NaiveDateTime,
    ) -> QueryResult<(i64, i64)> {
        let account = login_failures::table
            .filter(login_failures::account_key.eq(account_key))
            .filter(login_failures::at.gt(since))
            .count()
            .get_result(conn)?;
        let address = login_failures::table
            .filter(login_failures::address_key.eq(address_key))
            .filter(login_failures::at.gt(since))
            .count()
            .get_result(conn)?;
        Ok((account, address))
    }

    /// Forgets an account's failures after a successful login.
    pub fn clear_account(conn: &mut DbConnection, account_key: &str) -> QueryResult<usize> {
        diesel::delete(login_failures::table.filter(login_failures::account_key.eq(account_key)))
            .execute(conn)
    }
}
