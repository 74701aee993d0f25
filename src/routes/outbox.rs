//! `/api/v1/outbox`: queued, sent and failed mails (admin), and resending a failed one.

use actix_web::{HttpResponse, web};
use chrono::NaiveDateTime;
use serde::{Deserialize, Serialize};

use super::extract::{ListResponse, PageQuery};
use super::query::QueryParams;
use crate::auth::Caller;
use crate::db;
use crate::db::models::outbox::OutboxMail;
use crate::domain::{MailKind, OutboxStatus};
use crate::error::{ApiError, Problem};
use crate::services::outbox;
use crate::state::AppState;

/// Registers the routes.
pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(web::resource("/api/v1/outbox").route(web::get().to(list)))
        .service(web::resource("/api/v1/outbox/{id}/resend").route(web::post().to(resend)));
}

/// Filters of `GET /api/v1/outbox`.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct OutboxQuery {
    /// `pending`, `sending`, `sent` or `failed`.
    pub status: Option<String>,
    /// Items per page, 1–200.
    pub limit: Option<i64>,
    /// Cursor from the previous page.
    pub cursor: Option<String>,
}

/// A mail as admins see it: where it stands, not its body (which may hold a set-password link).
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct OutboxEntry {
    /// Id.
    pub id: i64,
    /// Kind, e.g. `application_received`.
    pub kind: MailKind,
    /// Recipient address.
    pub recipient: String,
    /// `da` or `en`.
    pub language: String,
    /// Subject.
    pub subject: String,
    /// Carries a calendar invite.
    pub has_calendar_invite: bool,
    /// `pending`, `sending`, `sent` or `failed`.
    pub status: OutboxStatus,
    /// Delivery attempts so far.
    pub attempts: i32,
    /// Why the last attempt failed.
    pub last_error: Option<String>,
    /// Next attempt (pending) or end of the worker's lease (sending), UTC.
    #[serde(serialize_with = "crate::db::models::utc")]
    pub next_attempt_at: NaiveDateTime,
    /// Queued (or re-queued by a resend), UTC.
    #[serde(serialize_with = "crate::db::models::utc")]
    pub created_at: NaiveDateTime,
    /// Delivered, UTC.
    #[serde(serialize_with = "crate::db::models::utc_opt")]
    pub sent_at: Option<NaiveDateTime>,
}

impl From<OutboxMail> for OutboxEntry {
    fn from(mail: OutboxMail) -> OutboxEntry {
        OutboxEntry {
            id: mail.id,
            kind: mail.kind,
            recipient: mail.recipient,
            language: mail.language,
            subject: mail.subject,
            has_calendar_invite: mail.ics.is_some(),
            status: mail.status,
            attempts: mail.attempts,
            last_error: mail.last_error,
            next_attempt_at: mail.next_attempt_at,
            created_at: mail.created_at,
            sent_at: mail.sent_at,
        }
    }
}

/// Lists mails in id order (admin), optionally only one status.
#[utoipa::path(get, path = "/api/v1/outbox", tag = "outbox", security(("bearer" = [])), params(OutboxQuery),
    responses((status = 200, body = ListResponse<OutboxEntry>), (status = 401, body = Problem), (status = 403, body = Problem), (status = 422, body = Problem)))]
pub async fn list(
    state: web::Data<AppState>,
    caller: Caller,
    QueryParams(query): QueryParams<OutboxQuery>,
) -> Result<HttpResponse, ApiError> {
    let q = query;
    let page = PageQuery {
        limit: q.limit,
        cursor: q.cursor,
    }
    .page()?;
    let status = outbox::status(q.status.as_deref())?;
    let mails = db::run(&state.pool, move |conn| {
        outbox::list(conn, &caller, status, page)
    })
    .await?;
    let items: Vec<OutboxEntry> = mails.into_iter().map(OutboxEntry::from).collect();
    Ok(HttpResponse::Ok().json(ListResponse::new(items, page, |m| m.id)))
}

/// Puts a failed mail back in the queue, due now (admin). Only `failed` mails can be resent.
#[utoipa::path(post, path = "/api/v1/outbox/{id}/resend", tag = "outbox", security(("bearer" = [])), params(("id" = i64, Path)),
    responses((status = 200, body = OutboxEntry), (status = 401, body = Problem), (status = 403, body = Problem), (status = 404, body = Problem), (status = 409, body = Problem)))]
pub async fn resend(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<i64>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    let mail = db::run(&state.pool, move |conn| outbox::resend(conn, &caller, id)).await?;
    Ok(HttpResponse::Ok().json(OutboxEntry::from(mail)))
}
