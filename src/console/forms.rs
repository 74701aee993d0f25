//! Query and form shapes that several console pages share.

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
