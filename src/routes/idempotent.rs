//! `Idempotency-Key` at the HTTP edge: the header, the request's fingerprint (path and body),
//! and the stored or fresh answer as a response. Storing the first answer in the work's own
//! transaction, and refusing a key reused for another request, is `services::idempotency`.

use actix_web::http::StatusCode;
use actix_web::{HttpMessage, HttpRequest, HttpResponse};

use crate::error::ApiError;
use crate::services::idempotency::Answer;

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

/// The HTTP response of an answer; a replayed one says so in `Idempotent-Replayed`.
pub fn into_response(answer: Answer) -> HttpResponse {
    let mut response = HttpResponse::build(code(answer.status));
    if answer.replayed() {
        response.insert_header(("Idempotent-Replayed", "true"));
    }
    response.content_type("application/json").body(answer.body)
}

/// Fingerprint of a request for idempotency: its path and its JSON body (keys sorted, so the
/// same fields in another order are the same request).
pub fn body_fingerprint(req: &HttpRequest) -> String {
    let body = req
        .extensions()
        .get::<BodyFingerprint>()
        .map(|b| b.0.clone())
        .unwrap_or_default();
    crate::auth::secret::hash_token(&format!("{} {}\n{body}", req.method(), req.path()))
}

/// The canonical JSON of the body, left on the request by `JsonBody`.
#[derive(Debug, Clone)]
pub struct BodyFingerprint(pub String);

fn code(status: u16) -> StatusCode {
    StatusCode::from_u16(status).unwrap_or(StatusCode::OK)
}
