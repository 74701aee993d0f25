//! The OpenAPI document, generated from the handlers, and the offline docs page.

use actix_web::web;
use utoipa::openapi::path::{Operation, ParameterIn};
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::openapi::{Content, Ref, RefOr, ResponseBuilder};
use utoipa::{Modify, OpenApi};
use utoipa_swagger_ui::SwaggerUi;

use crate::error::PROBLEM_JSON;

use super::{
    assignments, audit, auth, availability, branches, clients, clip_cards, health, helpers,
    matching, outbox, reports, users, visits,
};

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
        matching::preview, matching::commit,
        availability::get, availability::replace, availability::add_exception,
        clip_cards::prices, clip_cards::add_price, clip_cards::buy, clip_cards::balance, clip_cards::ledger,
        visits::book, visits::list, visits::get, visits::reschedule, visits::cancel, visits::no_show, visits::check_in, visits::check_out,
        reports::hours,
        assignments::list, assignments::create, assignments::end,
        audit::list,
        outbox::list, outbox::resend,
    ),
    modifiers(&BearerAuth, &ProblemResponses),
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

/// Documents what every operation can answer besides its own statuses, all as problem+json:
/// 400 (unreadable body or path), 413/415/422 (bodies), 422 (query parameters), 401 (tokens), 503.
struct ProblemResponses;

impl Modify for ProblemResponses {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        for item in openapi.paths.paths.values_mut() {
            let operations = [
                &mut item.get,
                &mut item.post,
                &mut item.put,
                &mut item.patch,
                &mut item.delete,
            ];
            for operation in operations.into_iter().flatten() {
                add_generic_problems(operation);
            }
        }
    }
}

fn add_generic_problems(operation: &mut Operation) {
    let params = operation.parameters.as_deref().unwrap_or_default();
    let has_query = params
        .iter()
        .any(|p| matches!(p, RefOr::T(p) if p.parameter_in == ParameterIn::Query));
    let has_path = params
        .iter()
        .any(|p| matches!(p, RefOr::T(p) if p.parameter_in == ParameterIn::Path));
    let has_body = operation.request_body.is_some();
    let secured = operation.security.as_ref().is_some_and(|s| !s.is_empty());
    let mut generic = vec![("503", "the database is unavailable")];
    if has_body || has_path {
        generic.push((
            "400",
            "the body is not JSON, or a path parameter has the wrong type",
        ));
    }
    if has_body {
        generic.extend([
            ("413", "the body is too large"),
            ("415", "the body is not application/json"),
            ("422", "invalid fields"),
        ]);
    }
    if has_query {
        generic.push(("422", "invalid query parameters"));
    }
    if secured {
        generic.push(("401", "missing or invalid access token"));
    }
    let responses = &mut operation.responses.responses;
    for (status, description) in generic {
        responses.entry(status.to_string()).or_insert_with(|| {
            let content = Content::new(Some(Ref::from_schema_name("Problem")));
            RefOr::T(
                ResponseBuilder::new()
                    .description(description)
                    .content(PROBLEM_JSON, content)
                    .build(),
            )
        });
    }
    // Errors are problem+json, not the application/json utoipa assumes.
    for (status, response) in responses.iter_mut() {
        let error = status.starts_with('4') || status.starts_with('5');
        if let (true, RefOr::T(response)) = (error, response)
            && let Some(content) = response.content.shift_remove("application/json")
        {
            response.content.insert(PROBLEM_JSON.to_string(), content);
        }
    }
}

/// Serves `/api/v1/openapi.json` and the Swagger UI at `/docs` (its files are vendored, so it works offline).
pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(SwaggerUi::new("/docs/{_:.*}").url("/api/v1/openapi.json", ApiDoc::openapi()))
        .service(web::redirect("/docs", "/docs/"));
}
