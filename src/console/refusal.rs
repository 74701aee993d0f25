//! A service's refusal shown at the form that caused it: the status the API would answer, what
//! is wrong with the form as a whole, and each field's complaint beside the field. Errors that
//! are not about the form (not found, not signed in, a failure) are left to the console's error
//! pages. Each area words it for its pages: `summary` (admin, matching), `values` (clients,
//! recruitment), `lines` (visits).

use actix_web::ResponseError;
use actix_web::http::StatusCode;
use serde_json::{Map, Value, json};

use crate::console::Lang;
use crate::error::{ApiError, FieldError};

/// A refused form.
#[derive(Debug, Clone)]
pub struct Refusal {
    /// 422 for fields, 409 for a clash with the current state, 403 for a missing right.
    pub status: StatusCode,
    /// Which form it belongs to, on a page with several (the visit page).
    pub form: Option<&'static str>,
    /// What is wrong with the form as a whole: the service's words for a clash or a missing
    /// right, or the console's own; empty when only fields were refused.
    messages: Vec<String>,
    /// Each refused field with the service's words for it.
    fields: Vec<FieldError>,
}

impl Refusal {
    /// The refusal in `error`, or the error itself when no form can answer it.
    pub fn of(error: ApiError) -> Result<Refusal, ApiError> {
        let status = error.status_code();
        match error {
            ApiError::Validation(fields) => Ok(Refusal::fields(fields)),
            ApiError::Conflict(message)
            | ApiError::Forbidden(message)
            | ApiError::IdempotencyKeyReused(message) => Ok(Refusal::said(status, message)),
            other => Err(other),
        }
    }

    /// Fields the console itself could not read (a number that is not one), as a 422.
    pub fn fields(fields: Vec<FieldError>) -> Refusal {
        Refusal {
            status: StatusCode::UNPROCESSABLE_ENTITY,
            form: None,
            messages: vec![],
            fields,
        }
    }

    /// Lines the console wrote itself about a form it could not read, as a 422.
    pub fn unreadable(messages: Vec<String>) -> Refusal {
        Refusal {
            status: StatusCode::UNPROCESSABLE_ENTITY,
            form: None,
            messages,
            fields: vec![],
        }
    }

    /// One message for the whole form, answered with `status`.
    pub fn said(status: StatusCode, message: String) -> Refusal {
        Refusal {
            status,
            form: None,
            messages: vec![message],
            fields: vec![],
        }
    }

    /// The same refusal, shown at `form` on a page with several.
    pub fn at(self, form: &'static str) -> Refusal {
        Refusal {
            form: Some(form),
            ..self
        }
    }

    /// Every line to show: the messages about the whole form, then each field as `field_line`
    /// words it.
    pub fn lines(&self, field_line: impl Fn(&FieldError) -> String) -> Vec<String> {
        self.messages
            .iter()
            .cloned()
            .chain(self.fields.iter().map(field_line))
            .collect()
    }

    /// Everything in one line: `field: message; field: message`, or the message.
    pub fn summary(&self) -> String {
        self.lines(|f| format!("{}: {}", f.field, f.message))
            .join("; ")
    }

    /// Field name → its first message, for the messages beside the fields.
    pub fn by_field(&self) -> Value {
        let mut by_field = Map::new();
        for f in &self.fields {
            by_field
                .entry(f.field.clone())
                .or_insert_with(|| Value::from(f.message.clone()));
        }
        Value::Object(by_field)
    }

    /// `{"message", "fields": [{field, label, message}], "by_field": {field: message}}` for a
    /// template; a field's label is the area's `<area>_field_<name>` text where it has one, and
    /// refused fields alone are told as `cl_form_has_errors`.
    pub fn values(&self, lang: Lang, area: &str) -> Value {
        let texts = lang.texts();
        let listed: Vec<Value> = self
            .fields
            .iter()
            .map(|f| {
                let label = texts
                    .get(format!("{area}_field_{}", f.field))
                    .and_then(Value::as_str)
                    .unwrap_or(&f.field);
                json!({"field": f.field, "label": label, "message": f.message})
            })
            .collect();
        let message = if self.messages.is_empty() {
            lang.text("cl_form_has_errors")
        } else {
            self.messages.join("; ")
        };
        json!({"message": message, "fields": listed, "by_field": self.by_field()})
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fields_are_told_each_way_an_area_shows_them() {
        let refused = Refusal::of(ApiError::Validation(vec![
            FieldError::new("name", "must not be empty"),
            FieldError::new("name", "is too short"),
            FieldError::new("phone", "is not a phone number"),
        ]))
        .expect("a refusal");
        assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(
            refused.summary(),
            "name: must not be empty; name: is too short; phone: is not a phone number"
        );
        assert_eq!(
            refused.by_field(),
            json!({"name": "must not be empty", "phone": "is not a phone number"})
        );
        let values = refused.values(Lang::En, "cl");
        assert_eq!(
            values["message"],
            json!(Lang::En.text("cl_form_has_errors"))
        );
        assert_eq!(values["fields"].as_array().map(Vec::len), Some(3));
    }

    #[test]
    fn a_clash_is_the_services_words_and_a_fault_is_no_refusal() {
        let refused = Refusal::of(ApiError::Conflict("the slot is taken".into()))
            .expect("a refusal")
            .at("booking");
        assert_eq!(refused.status, StatusCode::CONFLICT);
        assert_eq!(refused.form, Some("booking"));
        assert_eq!(refused.summary(), "the slot is taken");
        assert_eq!(
            refused.values(Lang::En, "cl")["message"],
            "the slot is taken"
        );
        assert!(Refusal::of(ApiError::NotFound).is_err());
    }
}
