//! Stored first answers of POSTs sent with an `Idempotency-Key`.

use crate::domain::ids::UserId;
use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::db::DbConnection;
use crate::db::schema::idempotency_keys;

/// The first answer to a keyed request: status, JSON body, and the fingerprint of the request.
pub type StoredAnswer = (i32, String, String);

/// Looks up a stored answer.
pub fn find(
    conn: &mut DbConnection,
    user_id: UserId,
    endpoint: &str,
    key: &str,
) -> QueryResult<Option<StoredAnswer>> {
    idempotency_keys::table
        .filter(idempotency_keys::user_id.eq(user_id))
        .filter(idempotency_keys::endpoint.eq(endpoint))
        .filter(idempotency_keys::idempotency_key.eq(key))
        .select((
            idempotency_keys::status,
            idempotency_keys::body,
            idempotency_keys::request_hash,
        ))
        .first(conn)
        .optional()
}

/// Stores an answer; the unique index makes a concurrent duplicate fail (and roll back its work).
pub fn store(
    conn: &mut DbConnection,
    user_id: UserId,
    endpoint: &str,
    key: &str,
    request_hash: &str,
    answer: (i32, &str),
    now: NaiveDateTime,
) -> QueryResult<()> {
    let (status, body) = answer;
    diesel::insert_into(idempotency_keys::table)
        .values((
            idempotency_keys::user_id.eq(user_id),
            idempotency_keys::endpoint.eq(endpoint),
            idempotency_keys::idempotency_key.eq(key),
            idempotency_keys::status.eq(status),
            idempotency_keys::body.eq(body),
            idempotency_keys::request_hash.eq(request_hash),
            idempotency_keys::created_at.eq(now),
        ))
        .execute(conn)
        .map(|_| ())
}
