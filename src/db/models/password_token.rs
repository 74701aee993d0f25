//! Single-use tokens that let a person set a password: an invitation or a reset. Only the
//! hash is stored; using one is a conditional update, so a token works exactly once.

use crate::domain::ids::UserId;
use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::db::DbConnection;
use crate::db::schema::password_tokens;

/// Why a token was issued.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TokenPurpose {
    /// A new account's first password.
    Invitation,
    /// A forgotten password.
    PasswordReset,
}

impl TokenPurpose {
    /// The stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            TokenPurpose::Invitation => "invitation",
            TokenPurpose::PasswordReset => "password_reset",
        }
    }
}

/// Password-token queries.
pub struct PasswordToken;

impl PasswordToken {
    /// Stores a new token and retires the account's earlier unused ones of the same purpose
    /// (the newest invitation or reset link is the only one that works).
    pub fn issue(
        conn: &mut DbConnection,
        user_id: UserId,
        purpose: TokenPurpose,
        token_hash: &str,
        expires_at: NaiveDateTime,
        now: NaiveDateTime,
    ) -> QueryResult<()> {
        diesel::update(
            password_tokens::table
                .filter(password_tokens::user_id.eq(user_id))
                .filter(password_tokens::purpose.eq(purpose.as_str()))
                .filter(password_tokens::used_at.is_null()),
        )
        .set(password_tokens::used_at.eq(Some(now)))
        .execute(conn)?;
        diesel::insert_into(password_tokens::table)
            .values((
                password_tokens::user_id.eq(user_id),
                password_tokens::purpose.eq(purpose.as_str()),
                password_tokens::token_hash.eq(token_hash),
                password_tokens::expires_at.eq(expires_at),
                password_tokens::created_at.eq(now),
            ))
            .execute(conn)
            .map(|_| ())
    }

    /// Uses a live token (any purpose) and returns its account and purpose; `None` when
    /// unknown, expired or already used. Two concurrent uses: one wins.
    pub fn take_live(
        conn: &mut DbConnection,
        token_hash: &str,
        now: NaiveDateTime,
    ) -> QueryResult<Option<(UserId, TokenPurpose)>> {
        let live = password_tokens::table
            .filter(password_tokens::token_hash.eq(token_hash))
            .filter(password_tokens::used_at.is_null())
            .filter(password_tokens::expires_at.gt(now));
        let used = diesel::update(live)
            .set(password_tokens::used_at.eq(Some(now)))
            .execute(conn)?;
        if used == 0 {
            return Ok(None);
        }
        let (user_id, purpose) = password_tokens::table
            .filter(password_tokens::token_hash.eq(token_hash))
            .select((password_tokens::user_id, password_tokens::purpose))
            .first::<(UserId, String)>(conn)?;
        let purpose = if purpose == TokenPurpose::Invitation.as_str() {
            TokenPurpose::Invitation
        } else {
            TokenPurpose::PasswordReset
        };
        Ok(Some((user_id, purpose)))
    }

    /// Whether a token is live (for a page that shows the form before the password is sent).
    pub fn is_live(
        conn: &mut DbConnection,
        token_hash: &str,
        now: NaiveDateTime,
    ) -> QueryResult<bool> {
        diesel::select(diesel::dsl::exists(
            password_tokens::table
                .filter(password_tokens::token_hash.eq(token_hash))
                .filter(password_tokens::used_at.is_null())
                .filter(password_tokens::expires_at.gt(now)),
        ))
        .get_result(conn)
    }

    /// Retires every unused token of an account (deactivation, erasure).
    pub fn retire_all(
        conn: &mut DbConnection,
        user_id: UserId,
        now: NaiveDateTime,
    ) -> QueryResult<usize> {
        diesel::update(
            password_tokens::table
                .filter(password_tokens::user_id.eq(user_id))
                .filter(password_tokens::used_at.is_null()),
        )
        .set(password_tokens::used_at.eq(Some(now)))
        .execute(conn)
    }
}
