//! Thin HTTP handlers, one module per resource: parse → call a service → respond.

mod assignments;
mod audit;
mod auth;
mod branches;
mod clients;
mod extract;
mod health;
mod helpers;
mod matching;
pub mod openapi;
mod users;

use actix_web::web;

pub use extract::{JsonBody, ListResponse, PageQuery};

/// Registers every route of the service.
pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.configure(health::configure)
        .configure(auth::configure)
        .configure(branches::configure)
        .configure(users::configure)
        .configure(helpers::configure)
        .configure(clients::configure)
        .configure(matching::configure)
        .configure(assignments::configure)
        .configure(audit::configure)
        .configure(openapi::configure);
}
