//! A handler's last step, written once: run the service on the pool, answer with its JSON.

use actix_web::http::StatusCode;
use actix_web::http::header::{self, HeaderValue};
use actix_web::{HttpRequest, HttpResponse};
use base64::Engine;
use serde::Serialize;
use sha2::{Digest, Sha256};

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
    let items = db::run_read(&state.pool, &state.audit, work).await?;
    Ok(HttpResponse::Ok().json(ListResponse::new(items, page, id_of)))
}

/// As [`ok`] for one record, with an `ETag` (a hash of the JSON answered): a request whose
/// `If-None-Match` names the current tag gets 304 and no body, so an app that has the record
/// need not download it again. The service still runs (and audits the read).
pub async fn record<T, F>(
    req: &HttpRequest,
    state: &AppState,
    work: F,
) -> Result<HttpResponse, ApiError>
where
    T: Serialize + Send + 'static,
    F: FnOnce(&mut DbConnection) -> Result<T, ApiError> + Send + 'static,
{
    let value = db::run_read(&state.pool, &state.audit, work).await?;
    let body = serde_json::to_vec(&value).map_err(|e| ApiError::Internal(e.into()))?;
    let digest = Sha256::digest(&body);
    let tag = format!(
        "\"{}\"",
        base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(&digest[..18])
    );
    let matches = req
        .headers()
        .get_all(header::IF_NONE_MATCH)
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .map(|t| t.trim().trim_start_matches("W/"))
        .any(|t| t == tag || t == "*");
    let etag = HeaderValue::from_str(&tag).map_err(|e| ApiError::Internal(e.into()))?;
    if matches {
        return Ok(HttpResponse::NotModified()
            .insert_header((header::ETAG, etag))
            .finish());
    }
    Ok(HttpResponse::Ok()
        .insert_header((header::ETAG, etag))
        .content_type("application/json")
        .body(body))
}

/// A JSON document to keep (a person's export): saved as `filename`, never cached.
pub async fn download<T, F>(
    state: &AppState,
    filename: String,
    work: F,
) -> Result<HttpResponse, ApiError>
where
    T: Serialize + Send + 'static,
    F: FnOnce(&mut DbConnection) -> Result<T, ApiError> + Send + 'static,
{
    let mut response = with_status(state, StatusCode::OK, work).await?;
    let headers = response.headers_mut();
    let disposition = HeaderValue::from_str(&format!("attachment; filename=\"{filename}\""))
        .map_err(|e| ApiError::Internal(e.into()))?;
    headers.insert(header::CONTENT_DISPOSITION, disposition);
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    Ok(response)
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
