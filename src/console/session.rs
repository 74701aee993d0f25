//! Who is signed in: the session cookie (`HttpOnly`, `SameSite=Strict`, `Secure` over HTTPS),
//! looked up in the database on every request; and `Posted<T>`, the only way a console
//! handler reads a form, which refuses a post without the session's CSRF token.

use std::future::Future;
use std::pin::Pin;

use actix_web::cookie::{Cookie, SameSite, time};
use actix_web::{FromRequest, HttpRequest, dev::Payload, web};
use serde::de::DeserializeOwned;

use super::texts::Lang;
use crate::auth::Caller;
use crate::db::{self, models::now};
use crate::error::ApiError;
use crate::services::console_sessions;
use crate::state::AppState;

/// The session cookie.
pub const SESSION_COOKIE: &str = "hm_session";
/// The sign-in form's token before there is a session (double submit: cookie and field agree).
pub const SIGN_IN_COOKIE: &str = "hm_signin";

/// A signed-in staff member and the request's language.
#[derive(Debug, Clone)]
pub struct Session {
    /// Who, with their rights now.
    pub caller: Caller,
    /// Their name.
    pub name: String,
    /// The token every form carries.
    pub csrf: String,
    /// The page language.
    pub lang: Lang,
}

impl Session {
    /// The values every signed-in page's layout reads.
    pub fn layout(&self) -> serde_json::Value {
        serde_json::json!({
            "name": self.name,
            "csrf": self.csrf,
            "admin": self.caller.is_admin(),
        })
    }
}

impl FromRequest for Session {
    type Error = ApiError;
    type Future = Pin<Box<dyn Future<Output = Result<Session, ApiError>>>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let state = req.app_data::<web::Data<AppState>>().cloned();
        let token = req.cookie(SESSION_COOKIE).map(|c| c.value().to_string());
        let lang = Lang::of(req);
        Box::pin(async move {
            let state = state
                .ok_or_else(|| ApiError::Internal(anyhow::anyhow!("application state missing")))?;
            let token = token.ok_or_else(sign_in_first)?;
            let current = db::run(&state.pool, move |conn| {
                console_sessions::current(conn, &token, now())
            })
            .await?
            .ok_or_else(sign_in_first)?;
            Ok(Session {
                caller: current.caller,
                name: current.name,
                csrf: current.csrf_token,
                lang,
            })
        })
    }
}

fn sign_in_first() -> ApiError {
    ApiError::Unauthorized("sign in to the console first".into())
}

/// A form posted from a console page, with the session that posted it. The body is read as
/// `application/x-www-form-urlencoded`; its `csrf` field must be the session's token.
#[derive(Debug)]
pub struct Posted<T> {
    /// Who posted.
    pub session: Session,
    /// The form's fields.
    pub form: T,
}

impl<T: DeserializeOwned + 'static> FromRequest for Posted<T> {
    type Error = ApiError;
    type Future = Pin<Box<dyn Future<Output = Result<Posted<T>, ApiError>>>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let session = Session::from_request(req, &mut Payload::None);
        let body = web::Bytes::from_request(req, payload);
        Box::pin(async move {
            let session = session.await?;
            let body = body
                .await
                .map_err(|e| ApiError::BadRequest(format!("the form could not be read: {e}")))?;
            let (csrf, form) = read_form::<T>(&body)?;
            if !same_token(csrf.as_deref(), &session.csrf) {
                return Err(stale_form());
            }
            Ok(Posted { session, form })
        })
    }
}

/// The `csrf` field and the rest of the form as `T`.
pub fn read_form<T: DeserializeOwned>(body: &[u8]) -> Result<(Option<String>, T), ApiError> {
    let mut csrf = None;
    let mut rest = form_urlencoded::Serializer::new(String::new());
    for (key, value) in form_urlencoded::parse(body) {
        if key == "csrf" {
            csrf = Some(value.into_owned());
        } else {
            rest.append_pair(&key, &value);
        }
    }
    let form = serde_urlencoded::from_str(&rest.finish())
        .map_err(|e| ApiError::BadRequest(format!("the form is not one this console sent: {e}")))?;
    Ok((csrf, form))
}

/// Compares two tokens in time that does not depend on where they differ.
pub fn same_token(given: Option<&str>, expected: &str) -> bool {
    let Some(given) = given else { return false };
    given.len() == expected.len()
        && !expected.is_empty()
        && given
            .bytes()
            .zip(expected.bytes())
            .fold(0u8, |acc, (a, b)| acc | (a ^ b))
            == 0
}

/// A post without the session's token: from another site, or a page from an older session.
pub fn stale_form() -> ApiError {
    ApiError::Forbidden(
        "this form did not come from your current session; open the page again and resend it"
            .into(),
    )
}

/// A cookie of the console: `HttpOnly`, `SameSite=Strict`, path `/console`.
pub fn cookie(
    name: &'static str,
    value: String,
    max_age: Option<time::Duration>,
    secure: bool,
) -> Cookie<'static> {
    let mut cookie = Cookie::build(name, value)
        .path("/console")
        .http_only(true)
        .same_site(SameSite::Strict)
        .secure(secure)
        .finish();
    if let Some(age) = max_age {
        cookie.set_max_age(age);
    }
    cookie
}

/// The same cookie, expired (sign-out).
pub fn removal(name: &'static str, secure: bool) -> Cookie<'static> {
    let mut gone = cookie(name, String::new(), None, secure);
    gone.make_removal();
    gone
}

/// Whether the session cookie must be `Secure`: always when configured, and whenever a trusted
/// proxy says the browser spoke HTTPS to it (the service itself listens on plain HTTP).
pub fn over_https(req: &HttpRequest, state: &AppState) -> bool {
    if state.settings.console.secure_cookie {
        return true;
    }
    let from_proxy = req
        .peer_addr()
        .is_some_and(|peer| state.settings.server.trusted_proxies.contains(&peer.ip()));
    from_proxy
        && req
            .headers()
            .get("x-forwarded-proto")
            .and_then(|v| v.to_str().ok())
            .is_some_and(|p| p.trim().eq_ignore_ascii_case("https"))
}
