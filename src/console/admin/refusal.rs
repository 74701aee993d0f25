//! A service's refusal as a form shows it: the status the API would answer, one message, and
//! the message of each field (the matching and admin forms share it).

use actix_web::ResponseError;
use actix_web::http::StatusCode;
use serde_json::{Map, Value};

use crate::error::ApiError;

/// What a refused form shows.
pub struct Refusal {
    /// 422 for invalid input, 409 for a conflict with the current state, 403 for a right.
    pub status: StatusCode,
    /// The service's words.
    pub message: String,
    /// Field name → its message, for the messages beside the fields.
    pub fields: Value,
}

/// A refusal to show at the form, or the error itself when it is no refusal (not found,
/// internal): those become the error page.
pub fn refusal(error: ApiError) -> Result<Refusal, ApiError> {
    let mut fields = Map::new();
    let message = match &error {
        ApiError::Validation(errors) => {
            for e in errors {
                fields
                    .entry(e.field.clone())
                    .or_insert_with(|| Value::from(e.message.clone()));
            }
            errors
                .iter()
                .map(|f| format!("{}: {}", f.field, f.message))
                .collect::<Vec<_>>()
                .join("; ")
        }
        ApiError::Conflict(m) | ApiError::Forbidden(m) => m.clone(),
        _ => return Err(error),
    };
    Ok(Refusal {
        status: error.status_code(),
        message,
        fields: Value::Object(fields),
    })
}

/// A number typed into a form: empty is `None`, anything else must be a whole number.
pub fn whole_number(
    errors: &mut Vec<crate::error::FieldError>,
    field: &str,
    raw: &str,
) -> Option<i64> {
    let raw = raw.trim();
    if raw.is_empty() {
        return None;
    }
    raw.parse().ok().or_else(|| {
        errors.push(crate::error::FieldError::new(
            field,
            "must be a whole number",
        ));
        None
    })
}
