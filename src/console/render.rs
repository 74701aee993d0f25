//! Templates, the headers every console page carries, and error pages: any error under
//! `/console/` (a 404, a refused right, a service's 409) is shown as a page in the reader's
//! language with the right status; "not signed in" becomes a redirect to the sign-in page.

use std::sync::OnceLock;

use actix_web::body::BoxBody;
use actix_web::dev::ServiceResponse;
use actix_web::http::header::{self, ContentType, HeaderValue};
use actix_web::http::{Method, StatusCode};
use actix_web::middleware::ErrorHandlerResponse;
use actix_web::{HttpRequest, HttpResponse, HttpResponseBuilder, web};
use minijinja::{Environment, UndefinedBehavior, Value, context};
use serde::Serialize;
use serde_json::json;

use super::texts::Lang;
use crate::error::ApiError;

/// Only the service's own scripts, styles and images; no frames, forms only to itself.
pub const CONTENT_SECURITY_POLICY: &str = "default-src 'none'; script-src 'self'; style-src 'self'; \
     img-src 'self' data:; connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

/// The vendored htmx (npm `htmx.org`, 0BSD), served from the binary.
const HTMX: &str = include_str!("../../static/console/htmx-2.0.11.min.js");
const HTMX_PATH: &str = "/console/static/htmx-2.0.11.min.js";
const CSS: &str = include_str!("../../static/console/console.css");
const CSS_PATH: &str = "/console/static/console.css";
const SCRIPT: &str = include_str!("../../static/console/console.js");
const SCRIPT_PATH: &str = "/console/static/console.js";

/// `(name, source)` pairs of templates under `templates/console/`, compiled in.
#[macro_export]
macro_rules! console_templates {
    ($($name:literal),* $(,)?) => {
        &[$(($name, include_str!(concat!("../../templates/console/", $name)))),*]
    };
}

const FILES: &[(&str, &str)] = crate::console_templates![
    "layout.html",
    "message.html",
    "sign_in.html",
    "branches.html",
    "board.html",
    "admin.html",
    "admin_branches.html",
    "admin_branch.html",
    "admin_branch_fields.html",
    "admin_users.html",
    "admin_mails.html",
    "clients.html",
    "clients_client.html",
    "clients_form.html",
    "clients_clip_card.html",
    "hours.html",
    "matching.html",
    "matching_form.html",
    "matching_preview.html",
    "matching_plot.html",
    "matching_stale.html",
    "continuity.html",
    "recruitment.html",
    "recruitment_student.html",
    "visits_forms.html",
    "visits_new.html",
    "visits_show.html",
];

/// Registers the static files.
pub fn configure_static(cfg: &mut web::ServiceConfig) {
    cfg.route(
        HTMX_PATH.trim_start_matches("/console"),
        web::get().to(|| async { asset(HTMX, "text/javascript; charset=utf-8") }),
    )
    .route(
        CSS_PATH.trim_start_matches("/console"),
        web::get().to(|| async { asset(CSS, "text/css; charset=utf-8") }),
    )
    .route(
        SCRIPT_PATH.trim_start_matches("/console"),
        web::get().to(|| async { asset(SCRIPT, "text/javascript; charset=utf-8") }),
    );
}

fn asset(body: &'static str, kind: &'static str) -> HttpResponse {
    HttpResponse::Ok()
        .insert_header((header::CONTENT_TYPE, kind))
        // The file's name carries its version (htmx) or it changes only with the binary.
        .insert_header((header::CACHE_CONTROL, "public, max-age=3600"))
        .insert_header((header::X_CONTENT_TYPE_OPTIONS, "nosniff"))
        .body(body)
}

fn environment() -> Result<&'static Environment<'static>, ApiError> {
    static ENV: OnceLock<Result<Environment<'static>, String>> = OnceLock::new();
    ENV.get_or_init(|| {
        let mut env = Environment::new();
        // Printing a missing text or value is a bug the tests should see, not an empty gap
        // on a page; `{% if x %}` on a value a page does not have is fine.
        env.set_undefined_behavior(UndefinedBehavior::SemiStrict);
        for (name, source) in FILES {
            env.add_template(name, source)
                .map_err(|e| format!("{name}: {e}"))?;
        }
        Ok(env)
    })
    .as_ref()
    .map_err(|e| ApiError::Internal(anyhow::anyhow!("console templates: {e}")))
}

/// A page to render: the template, its values, the status; `t`, `lang` and the static paths
/// are added for every page.
pub struct ConsolePage {
    status: StatusCode,
    template: &'static str,
    values: Value,
}

impl ConsolePage {
    /// A 200 page. `values` go to the template as they serialize (a struct, or `json!({…})`).
    pub fn new(template: &'static str, values: impl Serialize) -> ConsolePage {
        ConsolePage {
            status: StatusCode::OK,
            template,
            values: Value::from_serialize(values),
        }
    }

    /// The same page with another status (a refused form answers 422 with the form).
    pub fn status(mut self, status: StatusCode) -> ConsolePage {
        self.status = status;
        self
    }

    /// Renders the page in `lang`.
    pub fn render(self, lang: Lang) -> Result<HttpResponse, ApiError> {
        let html = render_html(self.template, lang, self.values)?;
        Ok(html_response(HttpResponse::build(self.status), html))
    }
}

fn render_html(template: &str, lang: Lang, values: Value) -> Result<String, ApiError> {
    let values = context! {
        lang => lang.code(),
        t => lang.template_texts(),
        htmx_src => HTMX_PATH,
        css_src => CSS_PATH,
        script_src => SCRIPT_PATH,
        ..values
    };
    environment()?
        .get_template(template)
        .and_then(|t| t.render(values))
        .map_err(|e| ApiError::Internal(anyhow::anyhow!("console page {template}: {e}")))
}

fn html_response(mut builder: HttpResponseBuilder, html: String) -> HttpResponse {
    builder
        .content_type(ContentType::html())
        .insert_header((header::CONTENT_SECURITY_POLICY, CONTENT_SECURITY_POLICY))
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .insert_header((header::X_CONTENT_TYPE_OPTIONS, "nosniff"))
        .insert_header((header::X_FRAME_OPTIONS, "DENY"))
        .insert_header((header::REFERRER_POLICY, "same-origin"))
        .body(html)
}

/// A 303 to `location` (after a form post, and to the sign-in page).
pub fn see_other(location: &str) -> HttpResponse {
    HttpResponse::SeeOther()
        .insert_header((header::LOCATION, location))
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .finish()
}

/// Any console address that does not exist.
pub async fn not_found() -> Result<HttpResponse, ApiError> {
    Err(ApiError::NotFound)
}

/// Error handler of the console scope: a page for every error, a redirect for "sign in first".
pub fn error_page<B>(res: ServiceResponse<B>) -> actix_web::Result<ErrorHandlerResponse<B>> {
    let is_page = res
        .headers()
        .get(header::CONTENT_TYPE)
        .is_some_and(|v| v.as_bytes().starts_with(b"text/html"));
    if is_page {
        return Ok(ErrorHandlerResponse::Response(res.map_into_left_body()));
    }
    let status = res.status();
    let detail = res
        .response()
        .error()
        .and_then(|e| e.as_error::<ApiError>())
        .map(shown_detail);
    let retry_after = res.headers().get(header::RETRY_AFTER).cloned();
    let (req, _) = res.into_parts();
    let response = if status == StatusCode::UNAUTHORIZED {
        see_other(&sign_in_address(&req))
    } else {
        message_page(&req, status, detail.flatten(), retry_after)
    };
    Ok(ErrorHandlerResponse::Response(
        ServiceResponse::new(req, response).map_into_right_body(),
    ))
}

/// What a reader is told of an error; nothing of an internal one.
fn shown_detail(error: &ApiError) -> Option<String> {
    match error {
        ApiError::Internal(_) | ApiError::Unavailable(_) | ApiError::NotFound => None,
        ApiError::Validation(fields) | ApiError::UnknownParameters(fields) => Some(
            fields
                .iter()
                .map(|f| format!("{}: {}", f.field, f.message))
                .collect::<Vec<_>>()
                .join("; "),
        ),
        other => Some(other.to_string()),
    }
}

/// The sign-in page, coming back to this page afterwards (only for a page one can open again).
fn sign_in_address(req: &HttpRequest) -> String {
    let path = req
        .uri()
        .path_and_query()
        .map(|p| p.as_str())
        .unwrap_or("/console/");
    if req.method() == Method::GET && path.starts_with("/console/") && !path.starts_with("//") {
        let next: String = form_urlencoded::byte_serialize(path.as_bytes()).collect();
        format!("/console/login?next={next}")
    } else {
        "/console/login".to_string()
    }
}

fn message_page(
    req: &HttpRequest,
    status: StatusCode,
    detail: Option<String>,
    retry_after: Option<HeaderValue>,
) -> HttpResponse<BoxBody> {
    let lang = Lang::of(req);
    let title_key = match status.as_u16() {
        403 => "error_403",
        404 => "error_404",
        409 | 422 => "error_refused",
        429 => "error_429",
        400..=499 => "error_400",
        _ => "error_500",
    };
    let values = json!({
        "title": lang.text(title_key),
        "message": detail.unwrap_or_else(|| lang.text(&format!("{title_key}_text"))),
        "status": status.as_u16(),
    });
    let mut builder = HttpResponse::build(status);
    if let Some(wait) = retry_after {
        builder.insert_header((header::RETRY_AFTER, wait));
    }
    match render_html("message.html", lang, Value::from_serialize(values)) {
        Ok(html) => html_response(builder, html),
        // The page itself failed: still an answer a person can read, never a blank one.
        Err(_) => builder
            .content_type(ContentType::plaintext())
            .body(status.canonical_reason().unwrap_or("error")),
    }
}
