//! Signed-in console sessions: in the database, so every instance of the service sees the same
//! ones and signing out anywhere ends the session everywhere.

use crate::domain::ids::UserId;
use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::db::DbConnection;
use crate::db::schema::console_sessions;

/// A stored session (only its token's hash).
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = console_sessions)]
pub struct ConsoleSession {
    /// Id.
    pub id: i64,
    /// Whose session.
    pub user_id: UserId,
    /// SHA-256 of the cookie's token, hex.
    pub token_hash: String,
    /// The token every form of this session carries.
    pub csrf_token: String,
    /// The account's token generation at sign-in: a password change ends the session.
    pub generation: i32,
    /// Expiry.
    pub expires_at: NaiveDateTime,
    /// Signed in.
    pub created_at: NaiveDateTime,
}

/// A session to store.
pub struct NewConsoleSession<'a> {
    /// Whose session.
    pub user_id: UserId,
    /// SHA-256 of the cookie's token, hex.
    pub token_hash: &'a str,
    /// The forms' token.
    pub csrf_token: &'a str,
    /// The account's token generation now.
    pub generation: i32,
    /// Expiry.
    pub expires_at: NaiveDateTime,
}

impl ConsoleSession {
    /// Stores a new session.
    pub fn insert(
        conn: &mut DbConnection,
        new: NewConsoleSession<'_>,
        now: NaiveDateTime,
    ) -> QueryResult<()> {
        diesel::insert_into(console_sessions::table)
            .values((
                console_sessions::user_id.eq(new.user_id),
                console_sessions::token_hash.eq(new.token_hash),
                console_sessions::csrf_token.eq(new.csrf_token),
                console_sessions::generation.eq(new.generation),
                console_sessions::expires_at.eq(new.expires_at),
                console_sessions::created_at.eq(now),
            ))
            .execute(conn)
            .map(|_| ())
    }

    /// The live session with this token hash.
    pub fn find_live(
        conn: &mut DbConnection,
        token_hash: &str,
        now: NaiveDateTime,
    ) -> QueryResult<Option<ConsoleSession>> {
        console_sessions::table
            .filter(console_sessions::token_hash.eq(token_hash))
            .filter(console_sessions::expires_at.gt(now))
            .select(ConsoleSession::as_select())
            .first(conn)
            .optional()
    }

    /// Ends one session (sign-out).
    pub fn delete(conn: &mut DbConnection, token_hash: &str) -> QueryResult<usize> {
        diesel::delete(console_sessions::table.filter(console_sessions::token_hash.eq(token_hash)))
            .execute(conn)
    }

    /// Drops sessions that expired, so the table does not grow (done at each sign-in).
    pub fn delete_expired(conn: &mut DbConnection, now: NaiveDateTime) -> QueryResult<usize> {
        diesel::delete(console_sessions::table.filter(console_sessions::expires_at.le(now)))
            .execute(conn)
    }
}
