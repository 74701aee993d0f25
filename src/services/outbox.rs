//! The mail outbox as admins see it: mails by status, and putting a failed one back in the
//! queue. Shared by `GET/POST /api/v1/outbox…` and the console's failed-mails page.

use crate::auth::Caller;
use crate::db::models::now;
use crate::db::models::outbox::OutboxMail;
use crate::db::{DbConnection, Page};
use crate::domain::OutboxStatus;
use crate::error::ApiError;

/// Checks a status filter: `pending`, `sending`, `sent` or `failed`.
pub fn status(raw: Option<&str>) -> Result<Option<OutboxStatus>, ApiError> {
    raw.map(|s| {
        OutboxStatus::parse(s)
            .map_err(|_| ApiError::field("status", "must be pending, sending, sent or failed"))
    })
    .transpose()
}

/// Mails in id order, optionally only one status (admin).
pub fn list(
    conn: &mut DbConnection,
    caller: &Caller,
    status: Option<OutboxStatus>,
    page: Page,
) -> Result<Vec<OutboxMail>, ApiError> {
    caller.require_admin()?;
    Ok(OutboxMail::list(conn, status, page.after, page.limit)?)
}

/// Puts a failed mail back in the queue, due now (admin); any other mail is a 409, as is a
/// failed one whose content the retention job has purged.
pub fn resend(conn: &mut DbConnection, caller: &Caller, id: i64) -> Result<OutboxMail, ApiError> {
    caller.require_admin()?;
    let mail = OutboxMail::find(conn, id)?;
    if !OutboxMail::resend(conn, id, now())? {
        if mail.status == OutboxStatus::Failed {
            return Err(ApiError::Conflict(
                "this mail's content was purged after the retention period (retention.mail_days); it cannot be resent".into(),
            ));
        }
        return Err(ApiError::Conflict(format!(
            "only failed mails can be resent; this one is {}",
            mail.status
        )));
    }
    tracing::info!(outbox.id = id, mail.kind = %mail.kind, "mail queued again by an admin");
    Ok(OutboxMail::find(conn, id)?)
}
