//! The console's visits: the booking form the week board's "+ Book" opens, and a visit's
//! page with what can still be done to it (move, give to another helper, cancel, record a
//! no-show). Forms are read here into the services' inputs; the services decide, and a
//! refusal is shown at its form with the status the API would answer.

mod actions;
mod booking;
mod form;
mod page;

use actix_web::web;

/// Registers the pages.
pub fn configure(cfg: &mut web::ServiceConfig) {
    // `new` before `{id}`: the form's address is not a visit.
    cfg.route("/branches/{branch}/visits/new", web::get().to(booking::new))
        .route("/branches/{branch}/visits", web::post().to(booking::book))
        .route("/branches/{branch}/visits/{id}", web::get().to(page::show))
        .route(
            "/branches/{branch}/visits/{id}/reschedule",
            web::post().to(actions::reschedule),
        )
        .route(
            "/branches/{branch}/visits/{id}/helper",
            web::post().to(actions::change_helper),
        )
        .route(
            "/branches/{branch}/visits/{id}/cancel",
            web::post().to(actions::cancel),
        )
        .route(
            "/branches/{branch}/visits/{id}/no-show",
            web::post().to(actions::no_show),
        );
}
