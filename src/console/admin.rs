//! Administration, for admins only (anyone else gets the 404 page, as for an address that
//! does not exist): branches and their prices, staff accounts, and mails that failed.
//! One file per page group: `branches`, `prices`, `staff`, `mails`; a service's refusal becomes
//! messages at the form through `console::refusal`.

mod branches;
mod mails;
mod prices;
mod staff;

use std::future::Future;
use std::pin::Pin;

use actix_web::{FromRequest, HttpRequest, HttpResponse, dev::Payload, web};
use serde::de::DeserializeOwned;
use serde_json::{Value, json};

use super::render::ConsolePage;
use super::session::{Posted, Session};
use crate::error::ApiError;

/// Registers the pages.
pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route("/admin", web::get().to(index))
        .configure(branches::configure)
        .configure(staff::configure)
        .configure(mails::configure)
        .route(
            "/admin/branches/{id}/prices",
            web::post().to(prices::add_price),
        );
}

/// A signed-in admin: the role is in the handler's signature, not in a call it might forget.
pub struct Admin(pub Session);

impl FromRequest for Admin {
    type Error = ApiError;
    type Future = Pin<Box<dyn Future<Output = Result<Admin, ApiError>>>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let session = Session::from_request(req, payload);
        Box::pin(async move { admin_only(session.await?).map(Admin) })
    }
}

/// A form posted by an admin (CSRF checked as for every console form).
pub struct AdminPosted<T> {
    /// Who posted.
    pub session: Session,
    /// The fields.
    pub form: T,
}

impl<T: DeserializeOwned + 'static> FromRequest for AdminPosted<T> {
    type Error = ApiError;
    type Future = Pin<Box<dyn Future<Output = Result<AdminPosted<T>, ApiError>>>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let posted = Posted::<T>::from_request(req, payload);
        Box::pin(async move {
            let Posted { session, form } = posted.await?;
            Ok(AdminPosted {
                session: admin_only(session)?,
                form,
            })
        })
    }
}

fn admin_only(session: Session) -> Result<Session, ApiError> {
    if session.caller.is_admin() {
        Ok(session)
    } else {
        Err(ApiError::NotFound)
    }
}

/// The values every admin page has; `here` is the page's own address.
fn page(session: &Session, title_key: &str, here: &str, more: Value) -> Value {
    let mut values = json!({
        "title": session.lang.text(title_key),
        "me": session.layout(),
        "branch": null,
        "nav": "admin",
        "here": here,
        "errors": {},
        "error": null,
        "done": null,
    });
    if let (Value::Object(base), Value::Object(more)) = (&mut values, more) {
        base.extend(more);
    }
    values
}

async fn index(Admin(session): Admin) -> Result<HttpResponse, ApiError> {
    ConsolePage::new(
        "admin.html",
        page(&session, "admin_title", "/console/admin", json!({})),
    )
    .render(session.lang)
}
