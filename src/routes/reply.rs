//! A handler's last step, written once: run the service on the pool, answer with its JSON.

use actix_web::HttpResponse;
use actix_web::http::StatusCode;
use serde::Serialize;

use super::extract::ListResponse;
use crate::db::{self, DbConnection, Page};
use crate::error::ApiError;
use crate::state::AppState;

/// Runs `work` on a pooled connection off the async workers and answers 200 with its result.
pub async fn ok<T, F>(state: &AppState, work: F) -> Result<HttpResponse, ApiError>
where
    T: Serialize + Send + 'static,
    F: FnOnce(&mut DbConnection) -> Result<T, ApiError> + Send + 'static,
{
    with_status(state, StatusCode::OK, work).await
}

/// As [`ok`], answering 201: the request made a record.
pub async fn created<T, F>(state: &AppState, work: F) -> Result<HttpResponse, ApiError>
where
    T: Serialize + Send + 'static,
    F: FnOnce(&mut DbConnection) -> Result<T, ApiError> + Send + 'static,
{
    with_status(state, StatusCode::CREATED, work).await
}

/// Runs a list query and answers 200 with one page of it; `id_of` gives an item's cursor.
pub async fn page<T, I, F>(
    state: &AppState,
    page: Page,
    work: F,
    id_of: impl Fn(&T) -> I,
) -> Result<HttpResponse, ApiError>
where
    T: Serialize + Send + 'static,
    I: Into<i64>,
    F: FnOnce(&mut DbConnection) -> Result<Vec<T>, ApiError> + Send + 'static,
{
    let items = db::run(&state.pool, work).await?;
    Ok(HttpResponse::Ok().json(ListResponse::new(items, page, id_of)))
}

async fn with_status<T, F>(
    state: &AppState,
    status: StatusCode,
    work: F,
) -> Result<HttpResponse, ApiError>
where
    T: Serialize + Send + 'static,
    F: FnOnce(&mut DbConnection) -> Result<T, ApiError> + Send + 'static,
{
    let value = db::run(&state.pool, work).await?;
    Ok(HttpResponse::build(status).json(value))
}
