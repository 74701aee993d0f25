//! A service's refusal shown at the form that caused it: the status the API would answer, a
//! message, and each field's complaint beside the field. Errors that are not about the form
//! (not found, not signed in, a failure) are left to the console's error pages.

use actix_web::ResponseError;
use actix_web::http::StatusCode;
use serde_json::{Map, Value, json};

use crate::console::Lang;
use crate::error::{ApiError, FieldError};

/// A refused form.
#[derive(Debug)]
pub struct Refusal {
    /// 422 for fields, 409 for a clash with the current state, 403 for a missing right.
    pub status: StatusCode,
    message: String,
    fields: Vec<FieldError>,
}

impl Refusal {
    /// The refusal in `error`, or the error itself when no form can answer it.
    pub fn of(error: ApiError, lang: Lang) -> Result<Refusal, ApiError> {
        let status = error.status_code();
        match error {
            ApiError::Validation(fields) => Ok(Refusal::fields(fields, lang)),
            ApiError::Conflict(message)
            | ApiError::Forbidden(message)
            | ApiError::IdempotencyKeyReused(message) => Ok(Refusal {
                status,
                message,
                fields: vec![],
            }),
            other => Err(other),
        }
    }

    /// Fields the console itself could not read (a number that is not one), as a 422.
    pub fn fields(fields: Vec<FieldError>, lang: Lang) -> Refusal {
        Refusal {
            status: StatusCode::UNPROCESSABLE_ENTITY,
            message: lang.text("cl_form_has_errors"),
            fields,
        }
    }

    /// `{"message", "fields": [{field, label, message}], "by_field": {field: message}}` for a
    /// template; a field's label is the area's `<area>_field_<name>` text where it has one.
    pub fn values(&self, lang: Lang, area: &str) -> Value {
        let texts = lang.texts();
        let mut by_field = Map::new();
        let listed: Vec<Value> = self
            .fields
            .iter()
            .map(|f| {
                by_field
                    .entry(f.field.clone())
                    .or_insert_with(|| Value::from(f.message.clone()));
                let label = texts
                    .get(format!("{area}_field_{}", f.field))
                    .and_then(Value::as_str)
                    .unwrap_or(&f.field);
                json!({"field": f.field, "label": label, "message": f.message})
            })
            .collect();
        json!({"message": self.message, "fields": listed, "by_field": by_field})
    }
}
