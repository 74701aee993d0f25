//! `Idempotency-Key`: a retried POST with the same key returns the first answer and does
//! nothing twice. The key is stored in the same transaction as the work, so either both
//! happen or neither; a concurrent duplicate loses on the unique index and reads the winner's answer.

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse};
use serde::Serialize;

use crate::db::DbConnection;
use crate::db::models::{idempotency, now};
use crate::error::ApiError;

/// The `Idempotency-Key` header, if sent (1–200 visible ASCII characters).
pub fn idempotency_key(req: &HttpRequest) -> Result<Option<String>, ApiError> {
    let Some(value) = req.headers().get("idempotency-key") else {
        return Ok(None);
    };
    let key = value
        .to_str()
        .ok()
        .map(str::trim)
        .filter(|k| (1..=200).contains(&k.len()));
    match key {
        Some(key) => Ok(Some(key.to_string())),
        None => Err(ApiError::field(
            "Idempotency-Key",
            "must be 1 to 200 visible ASCII characters",
        )),
    }
}

/// An answer computed on the blocking pool (an `HttpResponse` cannot cross threads).
#[derive(Debug)]
pub struct Answer {
    status: u16,
    body: String,
    replayed: bool,
}

impl Answer {
    /// The HTTP response.
    pub fn into_response(self) -> HttpResponse {
        let mut response = HttpResponse::build(code(self.status));
        if self.replayed {
            response.insert_header(("Idempotent-Replayed", "true"));
        }
        response.content_type("application/json").body(self.body)
    }
}

/// Runs `work` once per (user, endpoint, key) and answers with `status` and its JSON.
pub fn respond_once<T: Serialize>(
    conn: &mut DbConnection,
    user_id: i64,
    endpoint: &str,
    key: Option<&str>,
    status: u16,
    work: impl FnOnce(&mut DbConnection) -> Result<T, ApiError>,
) -> Result<Answer, ApiError> {
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
        return Ok(replay(stored));
    }
    let outcome = crate::db::write_transaction(conn, |conn| {
        let value = work(conn)?;
        let body = serde_json::to_string(&value).map_err(|e| ApiError::Internal(e.into()))?;
        idempotency::store(
            conn,
            user_id,
            endpoint,
            key,
            i32::from(status),
            &body,
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
            Some(stored) => Ok(replay(stored)),
            None => Err(error),
        },
    }
}

fn code(status: u16) -> StatusCode {
    StatusCode::from_u16(status).unwrap_or(StatusCode::OK)
}

fn replay((status, body): idempotency::StoredAnswer) -> Answer {
    Answer {
        status: u16::try_from(status).unwrap_or(200),
        body,
        replayed: true,
    }
}
