//! The `Caller` extractor of the API: a handler that takes `caller: Caller` only runs for a
//! valid bearer token of an account that is active now. The account and its links are read on
//! every request (one indexed query plus one for relative links), so a deactivated leader, a
//! helper who left or a changed password stops the next request, not the token's expiry.

use std::future::Future;
use std::pin::Pin;

use actix_web::{FromRequest, HttpRequest, dev::Payload, http::header, web};

use crate::auth::Caller;
use crate::db::models::user::User;
use crate::db::{self, DbError};
use crate::error::ApiError;
use crate::state::AppState;

impl FromRequest for Caller {
    type Error = ApiError;
    type Future = Pin<Box<dyn Future<Output = Result<Caller, ApiError>>>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let state = req.app_data::<web::Data<AppState>>().cloned();
        let token = bearer_token(req);
        Box::pin(async move {
            let state = state
                .ok_or_else(|| ApiError::Internal(anyhow::anyhow!("application state missing")))?;
            let claims = token
                .and_then(|t| state.tokens.verify(&t))
                .ok_or_else(unauthorized)?;
            let row = db::run(&state.pool, move |conn| {
                User::load_caller(conn, claims.sub, claims.generation).map_err(DbError::from)
            })
            .await
            .map_err(ApiError::from)?;
            row.map(Caller::from_row).ok_or_else(unauthorized)
        })
    }
}

/// A caller who must be an admin: the role requirement is the handler's parameter type, so a
/// handler cannot forget it. Anyone else gets the 403 `require_admin` gives.
pub struct AdminCaller(pub Caller);

impl FromRequest for AdminCaller {
    type Error = ApiError;
    type Future = Pin<Box<dyn Future<Output = Result<AdminCaller, ApiError>>>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let caller = Caller::from_request(req, payload);
        Box::pin(async move {
            let caller = caller.await?;
            caller.require_admin()?;
            Ok(AdminCaller(caller))
        })
    }
}

fn unauthorized() -> ApiError {
    ApiError::Unauthorized("a valid access token is required (Authorization: Bearer …)".into())
}

/// The token of `Authorization: Bearer …`; the scheme is case-insensitive (RFC 9110 §11.1).
fn bearer_token(req: &HttpRequest) -> Option<String> {
    let value = req.headers().get(header::AUTHORIZATION)?.to_str().ok()?;
    let (scheme, token) = value.trim().split_once(' ')?;
    let token = token.trim();
    (scheme.eq_ignore_ascii_case("bearer") && !token.is_empty()).then(|| token.to_string())
}
