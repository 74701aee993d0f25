//! The OpenAPI document, generated from the handlers, and the offline docs page.

use actix_web::web;
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi};
use utoipa_swagger_ui::SwaggerUi;

use super::{assignments, audit, auth, branches, clients, health, helpers, users};

/// Every documented path.
#[derive(OpenApi)]
#[openapi(
    info(title = "helpmatch", description = "Students helping elderly people at home: people, matching, visits, clip cards."),
    paths(
        health::live, health::ready,
        auth::login, auth::refresh, auth::logout, auth::accept_invitation, auth::me, auth::change_password,
        branches::list, branches::create, branches::get, branches::update,
        users::list, users::create, users::get, users::update,
        helpers::apply, helpers::application_status, helpers::list, helpers::get, helpers::update, helpers::transition, helpers::history,
        clients::list, clients::create, clients::get, clients::update, clients::delete, clients::helpers, clients::add_relative, clients::open_account,
        assignments::list, assignments::create, assignments::end,
        audit::list,
    ),
    modifiers(&BearerAuth),
)]
pub struct ApiDoc;

/// Declares the `bearer` scheme the paths refer to.
struct BearerAuth;

impl Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .bearer_format("JWT")
                    .build(),
            ),
        );
    }
}

/// Serves `/api/v1/openapi.json` and the Swagger UI at `/docs` (its files are vendored, so it works offline).
pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(SwaggerUi::new("/docs/{_:.*}").url("/api/v1/openapi.json", ApiDoc::openapi()))
        .service(web::redirect("/docs", "/docs/"));
}
