//! The `Caller` extractor: a handler that takes `caller: Caller` only runs for a valid token.

use std::future::{Ready, ready};

use actix_web::{FromRequest, HttpRequest, dev::Payload, http::header, web};

use super::token::Claims;
use crate::domain::Role;
use crate::error::ApiError;
use crate::startup::AppState;

/// What a relative holding a client's account may do.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct RelativeRights {
    /// See visits, balance and helpers.
    pub view: bool,
    /// Book and cancel visits.
    pub book: bool,
    /// Buy clip cards.
    pub pay: bool,
}

/// The authenticated account making a request.
#[derive(Debug, Clone)]
pub struct Caller {
    /// Account id.
    pub user_id: i64,
    /// Role.
    pub role: Role,
    /// Branch of a branch leader, helper or client.
    pub branch_id: Option<i64>,
    /// Helper record of a helper.
    pub helper_id: Option<i64>,
    /// Client record of a client account.
    pub client_id: Option<i64>,
    /// Set when a relative holds the client account.
    pub relative: Option<RelativeRights>,
}

impl Caller {
    fn from_claims(claims: Claims) -> Option<Caller> {
        let role = Role::parse(&claims.role).ok()?;
        let relative = claims
            .relative_rights
            .map(|[view, book, pay]| RelativeRights { view, book, pay });
        Some(Caller {
            user_id: claims.sub,
            role,
            branch_id: claims.branch_id,
            helper_id: claims.helper_id,
            client_id: claims.client_id,
            relative,
        })
    }
}

impl FromRequest for Caller {
    type Error = ApiError;
    type Future = Ready<Result<Caller, ApiError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        ready(authenticate(req))
    }
}

fn authenticate(req: &HttpRequest) -> Result<Caller, ApiError> {
    let unauthorized = || {
        ApiError::Unauthorized("a valid access token is required (Authorization: Bearer …)".into())
    };
    let state = req
        .app_data::<web::Data<AppState>>()
        .ok_or_else(|| ApiError::Internal(anyhow::anyhow!("application state missing")))?;
    let token = req
        .headers()
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .ok_or_else(unauthorized)?;
    let claims = state.tokens.verify(token.trim()).ok_or_else(unauthorized)?;
    Caller::from_claims(claims).ok_or_else(unauthorized)
}
