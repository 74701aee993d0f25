//! Thin HTTP handlers, one module per resource: parse → call the domain → respond.

mod extract;
mod health;

use actix_web::web;

/// Registers every route of the service.
pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.configure(health::configure);
}
