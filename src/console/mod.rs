//! The branch leaders' console under `/console/`: server-rendered pages over the same services
//! as the API. It owns only what is HTML: sessions in a cookie, forms with a CSRF token,
//! language, and turning a service's refusal into a message at the form.
//!
//! One file per area: `session` (cookie, CSRF, who is signed in), `sign_in`, `board` (the week),
//! `visits` (book, move, cancel), `recruitment`, `clients`, `matching`, `hours`, `admin`;
//! `render` (templates, headers, error pages), `refusal` (a service's refusal at the form) and
//! `texts` (Danish and English).

mod admin;
mod board;
mod clients;
mod continuity;
mod forms;
mod hours;
mod matching;
mod recruitment;
mod refusal;
mod render;
mod session;
mod sign_in;
mod texts;
mod visits;

use actix_web::middleware::ErrorHandlers;
use actix_web::web;

pub use render::ConsolePage;
pub use session::{Posted, Session};
pub use texts::Lang;

/// Registers the console's pages and its two static files.
pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(
        web::scope("/console")
            .wrap(ErrorHandlers::new().default_handler(render::error_page))
            .configure(render::configure_static)
            .configure(sign_in::configure)
            .configure(board::configure)
            .configure(visits::configure)
            .configure(recruitment::configure)
            .configure(clients::configure)
            .configure(matching::configure)
            .configure(continuity::configure)
            .configure(hours::configure)
            .configure(admin::configure)
            .default_service(web::to(render::not_found)),
    );
}
