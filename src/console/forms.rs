//! Query and form shapes that several console pages share, and reading what was typed.

use serde::Deserialize;

/// `?done=` after a form: what it did, shown as the text `done_<flag>` where there is one.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DoneQuery {
    /// The flag.
    pub done: Option<String>,
}

/// A form of a button alone: nothing but its CSRF token, which `Posted` checks.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EmptyForm {}

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
