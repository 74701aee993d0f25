//! Mails that failed: the outbox filtered to `failed`, each with a button that puts it back
//! in the queue (the outbox service, as `POST /api/v1/outbox/{id}/resend`). Bodies are never
//! shown: a set-password mail carries its link.

use actix_web::{HttpResponse, web};
use serde_json::{Value, json};

use super::{Admin, AdminPosted, page};
use crate::console::ConsolePage;
use crate::console::forms::{DoneQuery, EmptyForm};
use crate::console::refusal::Refusal;
use crate::console::render::see_other;
use crate::console::session::Session;
use crate::db::{self, Page};
use crate::domain::OutboxStatus;
use crate::error::ApiError;
use crate::routes::QueryParams;
use crate::services::outbox;
use crate::state::AppState;

/// How many failed mails one page lists (the oldest first).
const SHOWN: i64 = 200;

/// Registers the pages.
pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route("/admin/mails", web::get().to(list))
        .route("/admin/mails/{id}/resend", web::post().to(resend));
}

async fn list(
    state: web::Data<AppState>,
    Admin(session): Admin,
    QueryParams(query): QueryParams<DoneQuery>,
) -> Result<HttpResponse, ApiError> {
    mails_page(&state, &session, None, query.done).await
}

async fn mails_page(
    state: &AppState,
    session: &Session,
    refused: Option<Refusal>,
    done: Option<String>,
) -> Result<HttpResponse, ApiError> {
    let caller = session.caller.clone();
    let failed = db::run(&state.pool, move |conn| {
        outbox::list(
            conn,
            &caller,
            Some(OutboxStatus::Failed),
            Page {
                after: 0,
                limit: SHOWN,
            },
        )
    })
    .await?;
    let mails: Vec<Value> = failed
        .iter()
        .map(|m| {
            json!({
                "id": m.id,
                "kind": m.kind,
                "recipient": m.recipient,
                "subject": m.subject,
                "attempts": m.attempts,
                "last_error": m.last_error,
                "created_at": m.created_at.format("%Y-%m-%d %H:%M UTC").to_string(),
            })
        })
        .collect();
    let status = refused.as_ref().map(|r| r.status);
    let values = page(
        session,
        "admin_mails",
        "/console/admin/mails",
        json!({
            "mails": mails,
            "error": refused.map(|r| r.summary()),
            "done": done,
        }),
    );
    let page = ConsolePage::new("admin_mails.html", values);
    match status {
        Some(status) => page.status(status),
        None => page,
    }
    .render(session.lang)
}

async fn resend(
    state: web::Data<AppState>,
    posted: AdminPosted<EmptyForm>,
    path: web::Path<i64>,
) -> Result<HttpResponse, ApiError> {
    let AdminPosted { session, .. } = posted;
    let id = path.into_inner();
    let caller = session.caller.clone();
    let queued = db::run(&state.pool, move |conn| outbox::resend(conn, &caller, id)).await;
    match queued {
        Ok(_) => Ok(see_other("/console/admin/mails?done=resent")),
        Err(error) => {
            let refused = Refusal::of(error)?;
            mails_page(&state, &session, Some(refused), None).await
        }
    }
}
