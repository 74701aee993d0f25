//! `Idempotency-Key`: a retried POST with the same key returns the first answer and does
//! nothing twice. The key is stored in the same transaction as the work, so either both
//! happen or neither; a concurrent duplicate loses on the unique index and reads the winner's answer.
//! The key is bound to the request it first came with (a fingerprint of path and body): the same
//! key with a different request is refused with 422, as payment APIs do, instead of replaying an
//! answer to a question that was not asked. The HTTP side (the header, the fingerprint, the
//! response) is `routes::idempotent`; the console's forms send their one-time id as the key.

use crate::domain::ids::UserId;
use serde::Serialize;

use crate::db::DbConnection;
use crate::db::models::{idempotency, now};
use crate::error::ApiError;

/// An answer computed on the blocking pool (an `HttpResponse` cannot cross threads).
#[derive(Debug)]
pub struct Answer {
    /// The HTTP status of the first answer.
    pub status: u16,
    /// Its JSON body.
    pub body: String,
    replayed: bool,
}

impl Answer {
    /// Whether this is the stored answer to an earlier request with the same key.
    pub fn replayed(&self) -> bool {
        self.replayed
    }
}

/// Which keyed request this is: who, which endpoint, which key, and the request's fingerprint.
#[derive(Debug, Clone)]
pub struct Keyed {
    /// The account.
    pub user_id: UserId,
    /// The endpoint template, e.g. `POST /api/v1/visits`.
    pub endpoint: &'static str,
    /// The `Idempotency-Key`, if sent.
    pub key: Option<String>,
    /// `body_fingerprint` of the request.
    pub fingerprint: String,
}

/// Runs `work` once per (user, endpoint, key) and answers with `status` and its JSON.
pub fn respond_once<T: Serialize>(
    conn: &mut DbConnection,
    keyed: &Keyed,
    status: u16,
    work: impl FnOnce(&mut DbConnection) -> Result<T, ApiError>,
) -> Result<Answer, ApiError> {
    let (user_id, endpoint) = (keyed.user_id, keyed.endpoint);
    let key = keyed.key.as_deref();
    let Some(key) = key else {
        let value = work(conn)?;
        let body = serde_json::to_string(&value).map_err(|e| ApiError::Internal(e.into()))?;
        return Ok(Answer {
            status,
            body,
            replayed: false,
        });
    };
    if let Some(stored) = idempotency::find(conn, user_id, endpoint, key)? {
        return replay(stored, &keyed.fingerprint);
    }
    let outcome = crate::db::write_transaction(conn, |conn| {
        let value = work(conn)?;
        let body = serde_json::to_string(&value).map_err(|e| ApiError::Internal(e.into()))?;
        idempotency::store(
            conn,
            user_id,
            endpoint,
            key,
            &keyed.fingerprint,
            (i32::from(status), &body),
            now(),
        )?;
        Ok::<_, ApiError>(body)
    });
    match outcome {
        Ok(body) => Ok(Answer {
            status,
            body,
            replayed: false,
        }),
        // Lost the race to a request with the same key: answer what it answered.
        Err(error) => match idempotency::find(conn, user_id, endpoint, key)? {
            Some(stored) => replay(stored, &keyed.fingerprint),
            None => Err(error),
        },
    }
}

fn replay(
    (status, body, request_hash): idempotency::StoredAnswer,
    fingerprint: &str,
) -> Result<Answer, ApiError> {
    // Keys stored before fingerprints existed have none; they replay as they always did.
    if !request_hash.is_empty() && request_hash != fingerprint {
        return Err(ApiError::IdempotencyKeyReused(
            "this Idempotency-Key was already used for a different request; use a new key for a new request".into(),
        ));
    }
    Ok(Answer {
        status: u16::try_from(status).unwrap_or(200),
        body,
        replayed: true,
    })
}
