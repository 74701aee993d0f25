//! Request extractors shared by the handlers: JSON bodies with field-level errors, pages.

use std::future::Future;
use std::pin::Pin;

use actix_web::{FromRequest, HttpRequest, dev::Payload, web};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};

use crate::db::Page;
use crate::error::{ApiError, FieldError};

/// A JSON body whose type errors name the field (`position.lat: invalid type …`).
/// Syntax, size and content-type errors are answered by the JSON config in `startup`.
pub struct JsonBody<T>(pub T);

impl<T: DeserializeOwned + 'static> FromRequest for JsonBody<T> {
    type Error = actix_web::Error;
    type Future = Pin<Box<dyn Future<Output = Result<Self, Self::Error>>>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let value = web::Json::<serde_json::Value>::from_request(req, payload);
        Box::pin(async move {
            let value = value.await?.into_inner();
            serde_path_to_error::deserialize(value)
                .map(JsonBody)
                .map_err(|error| {
                    let path = error.path().to_string();
                    let field = if path == "." {
                        "body".to_string()
                    } else {
                        path
                    };
                    ApiError::field(field, error.into_inner().to_string()).into()
                })
        })
    }
}

/// `?limit=&cursor=` on every list.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
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
    pub fn new(items: Vec<T>, page: Page, id_of: impl Fn(&T) -> i64) -> ListResponse<T> {
        let full = items.len() as i64 == page.limit;
        let next_cursor = if full {
            items.last().map(|last| id_of(last).to_string())
        } else {
            None
        };
        ListResponse { items, next_cursor }
    }
}
