//! The OpenAPI document, generated from the handlers, and the offline docs page.

use actix_web::web;
use utoipa::openapi::path::{Operation, ParameterIn};
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::openapi::{Content, Ref, RefOr, ResponseBuilder};
use utoipa::{Modify, OpenApi};
use utoipa_swagger_ui::SwaggerUi;

use crate::error::PROBLEM_JSON;

use super::{
    accounts, assignments, audit, availability, branches, clients, clip_cards, continuity,
    coverage, digest, exclusions, health, helpers, leaving, matching, outbox, privacy, reports,
    sessions, term_periods, visits,
};

/// Every documented path.
#[derive(OpenApi)]
#[openapi(
    info(title = "helpmatch", description = "Students helping elderly people at home: people, matching, visits, clip cards."),
    paths(
        health::live, health::ready,
        sessions::login, sessions::refresh, sessions::logout, sessions::accept_invitation, sessions::request_reset, sessions::reset_password, sessions::me, sessions::change_password,
        branches::list, branches::create, branches::get, branches::update,
        accounts::list, accounts::create, accounts::get, accounts::update, accounts::reinvite,
        helpers::apply, helpers::application_status, helpers::list, helpers::get, helpers::update, helpers::erase, helpers::transition, helpers::history,
        clients::list, clients::my_clients, clients::create, clients::get, clients::update, clients::delete, clients::helpers, clients::add_relative, clients::remove_relative, clients::open_account,
        exclusions::exclusions, exclusions::exclude, exclusions::lift_exclusion,
        continuity::client_continuity, continuity::branch_continuity, digest::branch_digest,
        coverage::branch_coverage_forecast, coverage::client_coverage_forecast,
        leaving::announce_leaving, leaving::withdraw_leaving, leaving::handover,
        term_periods::term_periods_of_branch, term_periods::add_term_period, term_periods::remove_term_period,
        matching::preview, matching::commit,
        availability::get, availability::replace, availability::add_exception,
        clip_cards::prices, clip_cards::add_price, clip_cards::cards, clip_cards::buy, clip_cards::balance, clip_cards::hours_forecast, clip_cards::ledger,
        visits::book, visits::list, visits::get, visits::reschedule, visits::cancel, visits::no_show, visits::check_in, visits::check_out, visits::review, visits::my_visits,
        visits::open::open, visits::open::accept, visits::open::offered_to_me, visits::report::report,
        visits::feedback::give_feedback, visits::feedback::feedback,
        reports::hours,
        assignments::list, assignments::create, assignments::end,
        audit::list,
        outbox::list, outbox::resend,
        privacy::client, privacy::helper, privacy::relative,
    ),
    modifiers(&BearerAuth, &ProblemResponses),
    tags(
        (name = "auth", description = "Log in, refresh and log out; set a password from an invitation or a reset mail; who am I. Start here."),
        (name = "branches", description = "City branches (country, time zone, currency, centre) and their prices. Admins create them."),
        (name = "users", description = "Staff accounts (admins, branch leaders) and re-sent invitations."),
        (name = "helpers", description = "Students from application through the recruitment pipeline (interviews, criminal-record check) to active, paused or left; their availability; erasure after leaving."),
        (name = "clients", description = "Elderly clients, their relatives and the rights each relative was given, their logins; erasure."),
        (name = "matching", description = "Propose each client's stable 2–3 helpers with the exact matcher, then commit the proposal."),
        (name = "assignments", description = "Helper–client pairs, made by matching or by hand; ended, never deleted."),
        (name = "clip cards", description = "Prices in force, clip-card purchases, balances and the ledger of every minute."),
        (name = "visits", description = "Book (once or weekly), move, cancel, check in and out, review unverified attendance, record no-shows; schedules and visits that need attention.\n\nOpen visits: a booked visit whose helper cannot come (`POST /api/v1/visits/{id}/open`, or the helper paused, left, lost the pair or became unavailable) has `cover: open`. It is offered to the client's other helpers, later (or close to the start at once) to the branch's other free helpers (`GET /api/v1/me/open-visits`); the first `POST /api/v1/visits/{id}/accept` takes it (`cover: covered`, the others get 409). Not taken by the deadline it is `uncovered` and the branch leaders are alerted; cancelling it is free.\n\n```\nbooked/covered --open, pause, leave, pair ends, unavailable--> open --deadline--> uncovered\nopen|uncovered --accept (first wins) | PATCH helper_id | cause goes away--> booked/covered\nopen|uncovered --cancel (free)--> cancelled\nbooked/covered --check-in--> checked_in --check-out--> completed\n```"),
        (name = "reports", description = "Hours per helper and month, for payroll and tax."),
        (name = "outbox", description = "Every mail and its delivery state (admin)."),
        (name = "privacy", description = "Right of access and portability (GDPR art. 15 and 20): everything held about a client, helper or relative as one JSON document, for staff of the branch and the person themself. Erasure is `DELETE` on the person; what is kept, why and for how long: docs/privacy.md."),
        (name = "audit", description = "Who read or changed personal data, and when (admin)."),
        (name = "health", description = "Liveness and readiness for load balancers."),
    ),
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
/// 400 (unreadable body or path, unknown query parameters), 413/415/422 (bodies), 422 (query
/// parameters), 401 (tokens), 503.
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
                // Handlers are named by resource module (`list`, `get`…): the tag makes them unique.
                if let (Some(tag), Some(id)) = (
                    operation.tags.as_ref().and_then(|t| t.first()),
                    operation.operation_id.as_ref(),
                ) {
                    operation.operation_id = Some(format!("{}_{id}", tag.replace(' ', "_")));
                }
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
        generic.extend([
            ("400", "unknown query parameters, each named"),
            ("422", "invalid query parameters"),
        ]);
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
    // OpenAPI requires a description on every response; those declared only with a body
    // get the meaning of their status as docs/api.md defines it.
    for (status, response) in responses.iter_mut() {
        if let RefOr::T(response) = response
            && response.description.is_empty()
        {
            response.description = meaning(status).to_string();
        }
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

/// What a status means in this API (docs/api.md, "Errors").
fn meaning(status: &str) -> &'static str {
    match status {
        "200" => "OK",
        "201" => "created",
        "202" => "accepted",
        "204" => "done; no content",
        "400" => "unreadable body, wrong path type, or unknown query parameters (each named)",
        "401" => "missing, invalid or revoked access token; wrong email or password",
        "403" => "the caller's role may never do this",
        "404" => "no such record, or one the caller may not see",
        "409" => "clashes with the current state",
        "413" => "the body is too large",
        "415" => "the body is not application/json",
        "422" => "invalid fields, each named",
        "429" => "too many attempts; Retry-After says when to try again",
        "503" => "the database is unavailable; Retry-After says when to try again",
        _ => "see docs/api.md",
    }
}

/// Serves `/api/v1/openapi.json` and the Swagger UI at `/docs` (its files are vendored, so it works offline).
pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(SwaggerUi::new("/docs/{_:.*}").url("/api/v1/openapi.json", ApiDoc::openapi()))
        .service(web::redirect("/docs", "/docs/"));
}
