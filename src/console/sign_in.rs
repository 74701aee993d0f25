//! Signing in and out, the language switch, and where `/console/` leads: a branch leader to
//! their branch's week, an admin to the list of branches.

use actix_web::cookie::time;
use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use serde::Deserialize;
use serde_json::json;

use super::render::{ConsolePage, see_other};
use super::session::{self, Posted, SESSION_COOKIE, SIGN_IN_COOKIE, Session, cookie, removal};
use super::texts::{LANG_COOKIE, Lang};
use crate::auth::caller::Staff;
use crate::console::forms::EmptyForm;
use crate::db::{self, models::now};
use crate::error::ApiError;
use crate::routes::client_address;
use crate::services::sessions::LoginAttempt;
use crate::services::{branches, console_sessions};
use crate::state::AppState;

/// Registers the pages.
pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route("/", web::get().to(start))
        .route("", web::get().to(start))
        .route("/login", web::get().to(sign_in_form))
        .route("/login", web::post().to(sign_in))
        .route("/logout", web::post().to(sign_out))
        .route("/language", web::get().to(language))
        .route("/branches", web::get().to(branch_list));
}

/// `/console/`: the leader's week, or the admin's choice of branch.
async fn start(session: Session) -> Result<HttpResponse, ApiError> {
    Ok(match session.caller.staff {
        Some(Staff::BranchLeader { branch_id }) => {
            see_other(&format!("/console/branches/{branch_id}/board"))
        }
        _ => see_other("/console/branches"),
    })
}

/// `?next=` of the sign-in page.
#[derive(Debug, Deserialize)]
struct NextQuery {
    next: Option<String>,
}

/// Only a console page is a place to come back to (no open redirect to another site).
fn safe_next(next: Option<&str>) -> String {
    match next {
        Some(n) if n.starts_with("/console/") && !n.starts_with("//") && !n.contains('\\') => {
            n.to_string()
        }
        _ => "/console/".to_string(),
    }
}

async fn sign_in_form(
    req: HttpRequest,
    state: web::Data<AppState>,
    query: web::Query<NextQuery>,
) -> Result<HttpResponse, ApiError> {
    let next = safe_next(query.next.as_deref());
    sign_in_page(&req, &state, StatusCode::OK, &next, "", None)
}

/// The sign-in form with a fresh form token (also set as a cookie: the post must bring both).
fn sign_in_page(
    req: &HttpRequest,
    state: &AppState,
    status: StatusCode,
    next: &str,
    email: &str,
    error: Option<String>,
) -> Result<HttpResponse, ApiError> {
    let lang = Lang::of(req);
    let csrf = crate::auth::secret::new_token()
        .map_err(|e| ApiError::Internal(anyhow::anyhow!("no randomness: {e}")))?;
    let mut response = ConsolePage::new(
        "sign_in.html",
        json!({"title": lang.text("sign_in"), "csrf": csrf, "next": next, "email": email,
               "error": error, "here": "/console/login"}),
    )
    .status(status)
    .render(lang)?;
    let secure = session::over_https(req, state);
    response
        .add_cookie(&cookie(
            SIGN_IN_COOKIE,
            csrf,
            Some(time::Duration::hours(2)),
            secure,
        ))
        .map_err(|e| ApiError::Internal(anyhow::anyhow!("cookie: {e}")))?;
    Ok(response)
}

#[derive(Debug, Deserialize)]
struct SignInForm {
    email: String,
    password: String,
    next: Option<String>,
}

async fn sign_in(
    req: HttpRequest,
    state: web::Data<AppState>,
    body: web::Bytes,
) -> Result<HttpResponse, ApiError> {
    let lang = Lang::of(&req);
    let (csrf, form) = session::read_form::<SignInForm>(&body)?;
    let expected = req
        .cookie(SIGN_IN_COOKIE)
        .map(|c| c.value().to_string())
        .unwrap_or_default();
    if !session::same_token(csrf.as_deref(), &expected) {
        return Err(session::stale_form());
    }
    let next = safe_next(form.next.as_deref());
    let address = client_address(&req, &state.settings.server.trusted_proxies);
    let limits = state.settings.throttle.clone();
    let hours = state.settings.console.session_hours;
    let email = form.email.clone();
    let outcome = db::run(&state.pool, move |conn| {
        let attempt = LoginAttempt {
            email: &form.email,
            password: &form.password,
            address: &address,
        };
        console_sessions::sign_in(conn, &limits, attempt, hours, now())
    })
    .await;
    let secure = session::over_https(&req, &state);
    match outcome {
        Ok(signed) => {
            let mut response = see_other(&next);
            let age = time::Duration::hours(hours);
            response
                .add_cookie(&cookie(SESSION_COOKIE, signed.token, Some(age), secure))
                .and_then(|_| response.add_removal_cookie(&removal(SIGN_IN_COOKIE, secure)))
                .map_err(|e| ApiError::Internal(anyhow::anyhow!("cookie: {e}")))?;
            Ok(response)
        }
        Err(refused) => {
            let (status, message) = match &refused {
                ApiError::Unauthorized(_) => {
                    (StatusCode::UNAUTHORIZED, lang.text("wrong_password"))
                }
                ApiError::Forbidden(_) => (StatusCode::FORBIDDEN, lang.text("staff_only")),
                ApiError::TooManyRequests { .. } => (
                    StatusCode::TOO_MANY_REQUESTS,
                    lang.text("too_many_sign_ins"),
                ),
                _ => return Err(refused),
            };
            let mut page = sign_in_page(&req, &state, status, &next, &email, Some(message))?;
            if let ApiError::TooManyRequests {
                retry_after_secs, ..
            } = refused
            {
                page.headers_mut().insert(
                    actix_web::http::header::RETRY_AFTER,
                    actix_web::http::header::HeaderValue::from(retry_after_secs),
                );
            }
            Ok(page)
        }
    }
}

async fn sign_out(
    req: HttpRequest,
    state: web::Data<AppState>,
    posted: Posted<EmptyForm>,
) -> Result<HttpResponse, ApiError> {
    let _ = posted.form;
    if let Some(token) = req.cookie(SESSION_COOKIE).map(|c| c.value().to_string()) {
        db::run(&state.pool, move |conn| {
            console_sessions::sign_out(conn, &token)
        })
        .await?;
    }
    let secure = session::over_https(&req, &state);
    let mut response = see_other("/console/login");
    response
        .add_removal_cookie(&removal(SESSION_COOKIE, secure))
        .map_err(|e| ApiError::Internal(anyhow::anyhow!("cookie: {e}")))?;
    Ok(response)
}

#[derive(Debug, Deserialize)]
struct LanguageQuery {
    to: String,
    back: Option<String>,
}

/// The language switch: a cookie that outlasts the session, then back to the page.
async fn language(
    req: HttpRequest,
    state: web::Data<AppState>,
    query: web::Query<LanguageQuery>,
) -> Result<HttpResponse, ApiError> {
    let lang = Lang::parse(&query.to).ok_or_else(|| {
        ApiError::BadRequest("the console speaks Danish (da) and English (en)".into())
    })?;
    let back = match query.back.as_deref() {
        Some("/console/login") => "/console/login".to_string(),
        other => safe_next(other),
    };
    let mut response = see_other(&back);
    let secure = session::over_https(&req, &state);
    response
        .add_cookie(&cookie(
            LANG_COOKIE,
            lang.code().to_string(),
            Some(time::Duration::days(365)),
            secure,
        ))
        .map_err(|e| ApiError::Internal(anyhow::anyhow!("cookie: {e}")))?;
    Ok(response)
}

/// The admin's choice of branch (a leader goes straight to their own).
async fn branch_list(
    state: web::Data<AppState>,
    session: Session,
) -> Result<HttpResponse, ApiError> {
    if let Some(Staff::BranchLeader { branch_id }) = session.caller.staff {
        return Ok(see_other(&format!("/console/branches/{branch_id}/board")));
    }
    let caller = session.caller.clone();
    let all = crate::db::Page {
        after: 0,
        limit: 1000,
    };
    let list = db::run(&state.pool, move |conn| branches::list(conn, &caller, all)).await?;
    ConsolePage::new(
        "branches.html",
        json!({"title": session.lang.text("branches"), "me": session.layout(), "branch": null,
               "nav": "branches", "branches": list, "here": "/console/branches"}),
    )
    .render(session.lang)
}
