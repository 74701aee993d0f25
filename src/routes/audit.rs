//! `/api/v1/audit`: who read or changed personal data (admin).

use crate::domain::ids::UserId;
use actix_web::{HttpResponse, web};
use serde::Deserialize;

use super::caller::AdminCaller;
use super::query::QueryParams;
use crate::db::{self, models::audit::AuditFilter};
use crate::domain::audit::AuditEntity;
use crate::error::{ApiError, Problem};
use crate::services::audit::{self, AuditEventView};
use crate::state::AppState;

/// Registers the routes.
pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(web::resource("/api/v1/audit").route(web::get().to(list)));
}

/// Filters of `GET /api/v1/audit`; newest first.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct AuditQuery {
    /// Only this kind of record.
    #[param(inline)]
    pub entity: Option<AuditEntity>,
    /// Id of the record.
    pub entity_id: Option<i64>,
    /// Only this account's actions.
    pub actor_user_id: Option<UserId>,
    /// Items per page, 1–200.
    pub limit: Option<i64>,
    /// Cursor from the previous page.
    pub cursor: Option<String>,
}

/// A page of audit events, newest first.
#[derive(Debug, serde::Serialize, utoipa::ToSchema)]
pub struct AuditPage {
    /// Events.
    pub items: Vec<AuditEventView>,
    /// Cursor for older events.
    pub next_cursor: Option<String>,
}

/// Lists audit events (admin).
#[utoipa::path(get, path = "/api/v1/audit", tag = "audit", security(("bearer" = [])), params(AuditQuery),
    responses((status = 200, body = AuditPage), (status = 401, body = Problem), (status = 403, body = Problem), (status = 422, body = Problem)))]
pub async fn list(
    state: web::Data<AppState>,
    AdminCaller(caller): AdminCaller,
    QueryParams(query): QueryParams<AuditQuery>,
) -> Result<HttpResponse, ApiError> {
    let q = query;
    let limit = q.limit.unwrap_or(50);
    if !(1..=200).contains(&limit) {
        return Err(ApiError::field("limit", "must be between 1 and 200"));
    }
    let before = match q.cursor.as_deref() {
        None => i64::MAX,
        Some(c) => c
            .parse::<i64>()
            .map_err(|_| ApiError::field("cursor", "is not a cursor this service gave out"))?,
    };
    let filter = AuditFilter {
        entity: q.entity,
        entity_id: q.entity_id,
        actor_user_id: q.actor_user_id,
    };
    let items = db::run(&state.pool, move |conn| {
        audit::list(conn, &caller, &filter, before, limit)
    })
    .await?;
    let next_cursor = (items.len() as i64 == limit)
        .then(|| items.last().map(|e| e.id.to_string()))
        .flatten();
    Ok(HttpResponse::Ok().json(AuditPage { items, next_cursor }))
}
