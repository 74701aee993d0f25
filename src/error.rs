//! The one place where errors become HTTP responses: `application/problem+json` (RFC 9457).

use actix_web::body::{BoxBody, EitherBody};
use actix_web::dev::ServiceResponse;
use actix_web::error::{JsonPayloadError, PathError, QueryPayloadError};
use actix_web::http::StatusCode;
use actix_web::http::header;
use actix_web::middleware::ErrorHandlerResponse;
use actix_web::{HttpRequest, HttpResponse, ResponseError};
use serde::Serialize;

/// Media type of every error body.
pub const PROBLEM_JSON: &str = "application/problem+json";

/// One invalid field of a request.
#[derive(Debug, Clone, Serialize, PartialEq, Eq, utoipa::ToSchema)]
pub struct FieldError {
    /// JSON path of the field, e.g. `position.lat`.
    pub field: String,
    /// What is wrong with it, for a person to read.
    pub message: String,
}

impl FieldError {
    /// A field error from anything printable.
    pub fn new(field: impl Into<String>, message: impl Into<String>) -> FieldError {
        FieldError {
            field: field.into(),
            message: message.into(),
        }
    }
}

/// Every way a request can fail, as the caller sees it.
#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    /// The body or parameters could not be read at all (syntax).
    #[error("{0}")]
    BadRequest(String),
    /// The request was readable but some fields are invalid.
    #[error("the request has invalid fields")]
    Validation(Vec<FieldError>),
    /// No or bad credentials.
    #[error("{0}")]
    Unauthorized(String),
    /// Authenticated but not allowed (for records the caller may not see, use `NotFound`).
    #[error("{0}")]
    Forbidden(String),
    /// No such record, or one the caller may not see.
    #[error("not found")]
    NotFound,
    /// The request clashes with the current state.
    #[error("{0}")]
    Conflict(String),
    /// The body is larger than the service accepts.
    #[error("the request body is larger than {limit} bytes")]
    PayloadTooLarge {
        /// Accepted maximum in bytes.
        limit: usize,
    },
    /// The body's media type is not accepted.
    #[error("{0}")]
    UnsupportedMediaType(String),
    /// Too many attempts in a short time; `Retry-After` says when to try again.
    #[error("{detail}")]
    TooManyRequests {
        /// What was throttled, for a person to read.
        detail: String,
        /// Seconds until an attempt can succeed.
        retry_after_secs: u64,
    },
    /// Query parameters the address does not have, each named.
    #[error("the request has unknown query parameters")]
    UnknownParameters(Vec<FieldError>),
    /// An `Idempotency-Key` already used for a different request.
    #[error("{0}")]
    IdempotencyKeyReused(String),
    /// A dependency (the database) is unavailable right now.
    #[error("{0}")]
    Unavailable(String),
    /// Anything unexpected: logged with its cause chain, never shown to the caller.
    #[error(transparent)]
    Internal(#[from] anyhow::Error),
}

/// The problem+json body.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Problem {
    /// A URI reference naming the kind of problem; documented in docs/api.md.
    #[serde(rename = "type")]
    pub kind: String,
    /// Short summary of the kind of problem.
    pub title: String,
    /// HTTP status code.
    pub status: u16,
    /// What went wrong in this request.
    pub detail: String,
    /// Invalid fields, for validation problems.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub errors: Vec<FieldError>,
}

impl Problem {
    /// A problem for a status with no more specific information.
    pub fn from_status(status: StatusCode) -> Problem {
        let title = status.canonical_reason().unwrap_or("Error").to_string();
        let detail = match status {
            StatusCode::NOT_FOUND => "There is nothing at this address.".to_string(),
            StatusCode::METHOD_NOT_ALLOWED => {
                "This address does not accept this method.".to_string()
            }
            s if s.is_server_error() => "The service could not complete the request.".to_string(),
            _ => title.clone(),
        };
        Problem {
            kind: problem_type(status).into(),
            title,
            status: status.as_u16(),
            detail,
            errors: vec![],
        }
    }

    /// Renders the problem as a response with the problem+json media type. A 503 always says
    /// when to retry (`Retry-After`), as a 429 does with its own wait.
    pub fn into_response(self) -> HttpResponse {
        let status = StatusCode::from_u16(self.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        let mut response = HttpResponse::build(status)
            .content_type(PROBLEM_JSON)
            .json(self);
        if status == StatusCode::SERVICE_UNAVAILABLE {
            set_retry_after(&mut response, UNAVAILABLE_RETRY_AFTER_SECS);
        }
        response
    }
}

/// How long a caller should wait after a 503 (the pool's connection timeout is of this order).
pub const UNAVAILABLE_RETRY_AFTER_SECS: u64 = 5;

/// Sets `Retry-After` in whole seconds (RFC 9110 §10.2.3).
fn set_retry_after(response: &mut HttpResponse, secs: u64) {
    if let Ok(value) = header::HeaderValue::from_str(&secs.max(1).to_string()) {
        response.headers_mut().insert(header::RETRY_AFTER, value);
    }
}

/// The `type` URI of each kind of problem.
fn problem_type(status: StatusCode) -> &'static str {
    match status.as_u16() {
        400 => "/problems/bad-request",
        401 => "/problems/unauthorized",
        403 => "/problems/forbidden",
        404 => "/problems/not-found",
        405 => "/problems/method-not-allowed",
        409 => "/problems/conflict",
        413 => "/problems/payload-too-large",
        415 => "/problems/unsupported-media-type",
        422 => "/problems/validation",
        429 => "/problems/too-many-requests",
        503 => "/problems/unavailable",
        s if s >= 500 => "/problems/internal",
        _ => "about:blank",
    }
}

impl ResponseError for ApiError {
    fn status_code(&self) -> StatusCode {
        match self {
            ApiError::BadRequest(_) | ApiError::UnknownParameters(_) => StatusCode::BAD_REQUEST,
            ApiError::Validation(_) => StatusCode::UNPROCESSABLE_ENTITY,
            ApiError::Unauthorized(_) => StatusCode::UNAUTHORIZED,
            ApiError::Forbidden(_) => StatusCode::FORBIDDEN,
            ApiError::NotFound => StatusCode::NOT_FOUND,
            ApiError::Conflict(_) => StatusCode::CONFLICT,
            ApiError::PayloadTooLarge { .. } => StatusCode::PAYLOAD_TOO_LARGE,
            ApiError::UnsupportedMediaType(_) => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            ApiError::TooManyRequests { .. } => StatusCode::TOO_MANY_REQUESTS,
            ApiError::IdempotencyKeyReused(_) => StatusCode::UNPROCESSABLE_ENTITY,
            ApiError::Unavailable(_) => StatusCode::SERVICE_UNAVAILABLE,
            ApiError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    fn error_response(&self) -> HttpResponse<BoxBody> {
        let status = self.status_code();
        let mut problem = Problem::from_status(status);
        match self {
            ApiError::Internal(cause) => {
                // Logged here, once, with the whole chain; the caller only sees a generic text.
                tracing::error!(error.cause_chain = ?cause, error.message = %cause, "request failed");
            }
            ApiError::Unavailable(reason) => {
                tracing::warn!(%reason, "dependency unavailable");
                problem.detail =
                    "The service is temporarily unavailable; try again shortly.".into();
            }
            ApiError::Validation(errors) | ApiError::UnknownParameters(errors) => {
                problem.detail = self.to_string();
                problem.errors = errors.clone();
            }
            ApiError::IdempotencyKeyReused(detail) => {
                problem.kind = "/problems/idempotency-key-reused".into();
                problem.title = "Idempotency key reused".into();
                problem.detail = detail.clone();
            }
            ApiError::NotFound => {}
            other => problem.detail = other.to_string(),
        }
        let retry_after = match self {
            ApiError::TooManyRequests {
                retry_after_secs, ..
            } => Some(*retry_after_secs),
            _ => None,
        };
        let mut response = problem.into_response();
        if let Some(secs) = retry_after {
            set_retry_after(&mut response, secs);
        }
        response
    }
}

impl ApiError {
    /// A 422 naming one invalid field.
    pub fn field(field: impl Into<String>, message: impl Into<String>) -> ApiError {
        ApiError::Validation(vec![FieldError::new(field, message)])
    }
}

/// Last line of defence: any error response that is not already problem+json (actix's own
/// 404, 405, extractor errors…) is rewritten as one, so nothing answers plain text. HTML pages
/// answer their own refusals in HTML and are left alone.
pub fn problem_for_plain_errors<B>(
    res: ServiceResponse<B>,
) -> actix_web::Result<ErrorHandlerResponse<B>> {
    // Problems stay as they are, and so do the pages' own HTML answers (a refused form).
    let keep = res.headers().get(header::CONTENT_TYPE).is_some_and(|v| {
        v.as_bytes().starts_with(PROBLEM_JSON.as_bytes()) || v.as_bytes().starts_with(b"text/html")
    });
    if keep {
        return Ok(ErrorHandlerResponse::Response(res.map_into_left_body()));
    }
    let status = res.status();
    let allow = res.headers().get(header::ALLOW).cloned();
    let (req, _plain) = res.into_parts();
    let mut response = Problem::from_status(status).into_response();
    if let Some(allow) = allow {
        response.headers_mut().insert(header::ALLOW, allow);
    }
    let res: ServiceResponse<EitherBody<B>> =
        ServiceResponse::new(req, response).map_into_right_body();
    Ok(ErrorHandlerResponse::Response(res))
}

/// Turns actix's JSON body errors into problems with a useful detail.
pub fn json_error(error: JsonPayloadError, _req: &HttpRequest) -> actix_web::Error {
    let api = match &error {
        JsonPayloadError::OverflowKnownLength { limit, .. }
        | JsonPayloadError::Overflow { limit } => ApiError::PayloadTooLarge { limit: *limit },
        JsonPayloadError::ContentType => ApiError::UnsupportedMediaType(
            "the body must be JSON (Content-Type: application/json)".into(),
        ),
        JsonPayloadError::Deserialize(e) if e.is_data() => {
            ApiError::Validation(vec![FieldError::new("body", e.to_string())])
        }
        JsonPayloadError::Deserialize(e) => {
            ApiError::BadRequest(format!("the body is not valid JSON: {e}"))
        }
        other => ApiError::BadRequest(format!("the body could not be read: {other}")),
    };
    api.into()
}

/// Turns query-string errors into problems.
pub fn query_error(error: QueryPayloadError, _req: &HttpRequest) -> actix_web::Error {
    ApiError::Validation(vec![FieldError::new("query", error.to_string())]).into()
}

/// Turns path-parameter errors (e.g. a non-numeric id) into problems.
pub fn path_error(error: PathError, _req: &HttpRequest) -> actix_web::Error {
    ApiError::BadRequest(format!("invalid path parameter: {error}")).into()
}
