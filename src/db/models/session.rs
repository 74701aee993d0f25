//! Refresh tokens: sessions live in the database, so every instance of the service sees the same ones.

use crate::domain::ids::UserId;
use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::db::DbConnection;
use crate::db::schema::refresh_tokens;

/// A stored refresh token (only its hash).
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = refresh_tokens)]
pub struct RefreshToken {
    /// Id.
    pub id: i64,
    /// Whose session.
    pub user_id: UserId,
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
        user_id: UserId,
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
        user_id: UserId,
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
