//! Request extractors shared by the handlers: JSON bodies with field-level errors, pages.

use std::future::Future;
use std::net::IpAddr;
use std::pin::Pin;

use actix_web::{FromRequest, HttpMessage, HttpRequest, dev::Payload, web};
use serde::{Deserialize, Serialize};

use super::idempotent::BodyFingerprint;
use crate::db::Page;
use crate::error::{ApiError, FieldError};

/// A JSON body whose type errors name the field (`position.lat: invalid type …`).
/// Syntax, size and content-type errors are answered by the JSON config in `startup`.
pub struct JsonBody<T>(pub T);

impl<T: for<'de> eserde::EDeserialize<'de> + 'static> FromRequest for JsonBody<T> {
    type Error = actix_web::Error;
    type Future = Pin<Box<dyn Future<Output = Result<Self, Self::Error>>>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let value = web::Json::<serde_json::Value>::from_request(req, payload);
        let req = req.clone();
        Box::pin(async move {
            let value = value.await?.into_inner();
            // serde_json's maps are sorted by key, so this is the same for the same fields.
            let text = value.to_string();
            req.extensions_mut().insert(BodyFingerprint(text.clone()));
            // eserde reads on past the first bad field, so every bad field is named at once.
            eserde::json::from_str::<T>(&text)
                .map(JsonBody)
                .map_err(|errors| {
                    let fields = errors
                        .iter()
                        .map(|e| {
                            let field = e
                                .path()
                                .map(|p| p.to_string())
                                .filter(|p| !p.is_empty() && p != ".")
                                .unwrap_or_else(|| "body".into());
                            // eserde's shadow types would otherwise show in the message
                            // ("expected struct __ImplEDeserializeForPosition").
                            FieldError::new(field, e.message().replace("__ImplEDeserializeFor", ""))
                        })
                        .collect();
                    ApiError::Validation(fields).into()
                })
        })
    }
}

/// The client's address: the peer's, or — when the peer is one of `trusted` proxies — the
/// nearest address in `X-Forwarded-For` that is not itself a trusted proxy. Anything further
/// left in that header could be forged by the client, so it is never read.
pub fn client_address(req: &HttpRequest, trusted: &[IpAddr]) -> String {
    let Some(peer) = req.peer_addr().map(|a| a.ip()) else {
        return String::new();
    };
    if !trusted.contains(&peer) {
        return peer.to_string();
    }
    let forwarded = req
        .headers()
        .get_all("x-forwarded-for")
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .filter_map(|hop| hop.trim().parse::<IpAddr>().ok())
        .collect::<Vec<_>>();
    forwarded
        .into_iter()
        .rev()
        .find(|hop| !trusted.contains(hop))
        .unwrap_or(peer)
        .to_string()
}

/// `?limit=&cursor=` on every list.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct PageQuery {
    /// Items per page, 1–200 (default 50).
    pub limit: Option<i64>,
    /// `next_cursor` of the previous page.
    pub cursor: Option<String>,
}

impl PageQuery {
    /// Validates the limit and decodes the cursor.
    pub fn page(&self) -> Result<Page, ApiError> {
        let limit = self.limit.unwrap_or(50);
        let mut errors = vec![];
        if !(1..=200).contains(&limit) {
            errors.push(FieldError::new("limit", "must be between 1 and 200"));
        }
        let after = match &self.cursor {
            None => 0,
            Some(cursor) => cursor
                .parse::<i64>()
                .ok()
                .filter(|id| *id >= 0)
                .unwrap_or_else(|| {
                    errors.push(FieldError::new(
                        "cursor",
                        "is not a cursor this service gave out",
                    ));
                    0
                }),
        };
        if errors.is_empty() {
            Ok(Page { after, limit })
        } else {
            Err(ApiError::Validation(errors))
        }
    }
}

/// A page of results in a stable order.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ListResponse<T> {
    /// The items.
    pub items: Vec<T>,
    /// Pass as `cursor` for the next page; absent on the last page.
    pub next_cursor: Option<String>,
}

impl<T> ListResponse<T> {
    /// Builds a page; `id_of` gives the cursor of the last item when the page is full.
    pub fn new<I: Into<i64>>(
        items: Vec<T>,
        page: Page,
        id_of: impl Fn(&T) -> I,
    ) -> ListResponse<T> {
        let full = items.len() as i64 == page.limit;
        let next_cursor = if full {
            items.last().map(|last| id_of(last).into().to_string())
        } else {
            None
        };
        ListResponse { items, next_cursor }
    }
}
