//! Thin HTTP handlers, one module per resource: parse → call a service → respond.

mod accounts;
mod assignments;
mod audit;
mod availability;
mod branches;
mod caller;
mod clients;
mod clip_cards;
mod continuity;
mod coverage;
mod digest;
mod exclusions;
mod extract;
mod health;
mod helpers;
mod idempotent;
mod leaving;
mod matching;
pub mod openapi;
mod outbox;
mod privacy;
mod query;
mod reply;
mod reports;
mod sessions;
mod term_periods;
mod visits;

use actix_web::web;

pub use caller::AdminCaller;
pub use extract::{JsonBody, ListResponse, PageQuery, client_address};
pub use query::QueryParams;

/// Registers every route of the service.
pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.configure(health::configure)
        .configure(sessions::configure)
        .configure(branches::configure)
        .configure(accounts::configure)
        .configure(helpers::configure)
        .configure(leaving::configure)
        .configure(clients::configure)
        .configure(exclusions::configure)
        .configure(continuity::configure)
        .configure(digest::configure)
        .configure(coverage::configure)
        .configure(term_periods::configure)
        .configure(availability::configure)
        .configure(clip_cards::configure)
        .configure(visits::configure)
        .configure(reports::configure)
        .configure(matching::configure)
        .configure(assignments::configure)
        .configure(audit::configure)
        .configure(outbox::configure)
        .configure(privacy::configure)
        .configure(openapi::configure);
}
