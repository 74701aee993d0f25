//! The console's hours pages (to be built).

use actix_web::web;

/// Templates of this area, compiled in (see `render`).
pub const TEMPLATES: &[(&str, &str)] = &[];

/// Registers the pages.
pub fn configure(_cfg: &mut web::ServiceConfig) {}
