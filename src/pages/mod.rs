//! Public pages that links in mails open: set a password (from an invitation or a reset
//! mail), ask for a reset link, and an applicant's status. They are another adapter over the
//! same services as the API and own only what is HTML: forms, messages, language.

mod texts;

use std::sync::OnceLock;

use actix_web::http::StatusCode;
use actix_web::http::header::{self, ContentType};
use actix_web::{HttpRequest, HttpResponse, web};
use minijinja::Environment;
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use crate::db::{self, models::now};
use crate::error::ApiError;
use crate::routes::client_address;
use crate::services::{helpers, invitations, sessions};
use crate::state::AppState;
use texts::{PageLang, Texts};

const FILES: &[(&str, &str)] = &[
    (
        "layout.html",
        include_str!("../../templates/pages/layout.html"),
    ),
    (
        "set_password.html",
        include_str!("../../templates/pages/set_password.html"),
    ),
    (
        "forgot_password.html",
        include_str!("../../templates/pages/forgot_password.html"),
    ),
    (
        "message.html",
        include_str!("../../templates/pages/message.html"),
    ),
    (
        "application.html",
        include_str!("../../templates/pages/application.html"),
    ),
    ("home.html", include_str!("../../templates/pages/home.html")),
];

/// Registers the pages.
pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(web::resource("/").route(web::get().to(home)))
        .service(
            web::resource("/set-password")
                .route(web::get().to(set_password_form))
                .route(web::post().to(set_password)),
        )
        .service(
            web::resource("/forgot-password")
                .route(web::get().to(forgot_password_form))
                .route(web::post().to(forgot_password)),
        )
        .service(web::resource("/application/{token}").route(web::get().to(application)));
}

fn environment() -> Result<&'static Environment<'static>, ApiError> {
    static ENV: OnceLock<Result<Environment<'static>, String>> = OnceLock::new();
    ENV.get_or_init(|| {
        let mut env = Environment::new();
        for (name, source) in FILES {
            env.add_template(name, source)
                .map_err(|e| format!("{name}: {e}"))?;
        }
        Ok(env)
    })
    .as_ref()
    .map_err(|e| ApiError::Internal(anyhow::anyhow!("page templates: {e}")))
}

/// Renders a page; `status` lets a refused form answer 422 with the form and its message.
fn page(
    status: StatusCode,
    name: &str,
    lang: PageLang,
    values: Value,
) -> Result<HttpResponse, ApiError> {
    let mut values = values;
    if let Value::Object(map) = &mut values {
        map.insert("lang".into(), Value::from(lang.code()));
        map.insert(
            "t".into(),
            serde_json::to_value(Texts::of(lang)).unwrap_or(Value::Null),
        );
    }
    let html = environment()?
        .get_template(name)
        .and_then(|t| t.render(&values))
        .map_err(|e| ApiError::Internal(anyhow::anyhow!("page {name}: {e}")))?;
    Ok(HttpResponse::build(status)
        .content_type(ContentType::html())
        .insert_header((header::CACHE_CONTROL, "no-store"))
        // A set-password page's address holds its token: never hand it on.
        .insert_header((header::REFERRER_POLICY, "no-referrer"))
        .body(html))
}

fn message(
    lang: PageLang,
    title: &str,
    kind: &str,
    text: &str,
    link: Option<(&str, &str)>,
) -> Result<HttpResponse, ApiError> {
    page(
        StatusCode::OK,
        "message.html",
        lang,
        json!({"title": title, "kind": kind, "message": text,
               "link": link.map(|l| l.0), "link_text": link.map(|l| l.1)}),
    )
}

/// Where links in mails that only say "log in" land.
async fn home(req: HttpRequest) -> Result<HttpResponse, ApiError> {
    let lang = PageLang::of(&req);
    page(
        StatusCode::OK,
        "home.html",
        lang,
        json!({"title": "helpmatch"}),
    )
}

/// `?token=` of a mailed link.
#[derive(Debug, Deserialize)]
pub struct TokenQuery {
    token: Option<String>,
}

/// The set-password form, when the link's token still works; else how to get a new link.
async fn set_password_form(
    req: HttpRequest,
    state: web::Data<AppState>,
    query: web::Query<TokenQuery>,
) -> Result<HttpResponse, ApiError> {
    let lang = PageLang::of(&req);
    let t = Texts::of(lang);
    let token = query.into_inner().token.unwrap_or_default();
    let probe = token.clone();
    let live = db::run(&state.pool, move |conn| {
        sessions::password_token_is_live(conn, &probe, now())
    })
    .await?;
    if !live {
        return message(
            lang,
            t.expired_title,
            "error",
            t.expired,
            Some(("/forgot-password", t.ask_again)),
        );
    }
    page(
        StatusCode::OK,
        "set_password.html",
        lang,
        json!({"token": token, "title": t.set_title}),
    )
}

/// The set-password form as posted.
#[derive(Debug, Deserialize, Serialize)]
pub struct SetPasswordForm {
    token: String,
    password: String,
    repeat: String,
}

async fn set_password(
    req: HttpRequest,
    state: web::Data<AppState>,
    form: web::Form<SetPasswordForm>,
) -> Result<HttpResponse, ApiError> {
    let lang = PageLang::of(&req);
    let t = Texts::of(lang);
    let form = form.into_inner();
    let again = |error: &str| {
        page(
            StatusCode::UNPROCESSABLE_ENTITY,
            "set_password.html",
            lang,
            json!({"token": form.token, "title": t.set_title, "error": error}),
        )
    };
    if form.password != form.repeat {
        return again(t.mismatch);
    }
    let (token, password) = (form.token.clone(), form.password.clone());
    let outcome = db::run(&state.pool, move |conn| {
        sessions::set_password_with_token(conn, &token, &password, now())
    })
    .await;
    match outcome {
        Ok(sessions::PasswordSet::AppUser) => message(lang, t.done_title, "ok", t.done, None),
        Ok(sessions::PasswordSet::Staff) => message(
            lang,
            t.done_title,
            "ok",
            t.done_staff,
            Some(("/console/login", t.to_console)),
        ),
        Err(ApiError::Validation(_)) => again(t.too_short),
        Err(ApiError::Unauthorized(_)) => message(
            lang,
            t.expired_title,
            "error",
            t.expired,
            Some(("/forgot-password", t.ask_again)),
        ),
        Err(other) => Err(other),
    }
}

async fn forgot_password_form(req: HttpRequest) -> Result<HttpResponse, ApiError> {
    let lang = PageLang::of(&req);
    page(
        StatusCode::OK,
        "forgot_password.html",
        lang,
        json!({"title": Texts::of(lang).forgot_title}),
    )
}

/// The reset request as posted.
#[derive(Debug, Deserialize)]
pub struct ForgotForm {
    email: String,
}

async fn forgot_password(
    req: HttpRequest,
    state: web::Data<AppState>,
    form: web::Form<ForgotForm>,
) -> Result<HttpResponse, ApiError> {
    let lang = PageLang::of(&req);
    let t = Texts::of(lang);
    let address = client_address(&req, &state.settings.server.trusted_proxies);
    let email = form.into_inner().email;
    let st = state.clone();
    let outcome = db::run(&state.pool, move |conn| {
        invitations::request_reset(conn, &st.settings.throttle, &email, &address)
    })
    .await;
    match outcome {
        Ok(()) => message(lang, t.forgot_title, "ok", t.sent, None),
        Err(ApiError::TooManyRequests {
            retry_after_secs, ..
        }) => {
            let mut refused = page(
                StatusCode::TOO_MANY_REQUESTS,
                "forgot_password.html",
                lang,
                json!({"title": t.forgot_title, "error": t.slow_down}),
            )?;
            // Like every 429, the page says when to try again.
            refused.headers_mut().insert(
                header::RETRY_AFTER,
                header::HeaderValue::from(retry_after_secs.max(1)),
            );
            Ok(refused)
        }
        Err(other) => Err(other),
    }
}

/// An applicant's status page, the link in the application-received mail.
async fn application(
    req: HttpRequest,
    state: web::Data<AppState>,
    token: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let lang = PageLang::of(&req);
    let t = Texts::of(lang);
    let token = token.into_inner();
    match db::run(&state.pool, move |conn| {
        helpers::application_status(conn, &token)
    })
    .await
    {
        Ok(status) => {
            let stage = texts::stage(status.status.as_str(), lang);
            page(
                StatusCode::OK,
                "application.html",
                lang,
                json!({"title": t.application_title, "status": status, "stage": stage}),
            )
        }
        Err(ApiError::NotFound) => message(
            lang,
            t.application_title,
            "error",
            t.unknown_application,
            None,
        ),
        Err(other) => Err(other),
    }
}
