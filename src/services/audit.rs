//! The audit log as admins read it: newest first, filtered by record or actor.

use chrono::NaiveDateTime;

use crate::auth::Caller;
use crate::db::DbConnection;
use crate::db::models::audit::{AuditEvent, AuditFilter};
use crate::domain::audit::{AuditAction, AuditEntity};
use crate::domain::ids::UserId;
use crate::error::ApiError;

/// One audited access, as admins read it.
#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct AuditEventView {
    /// Id.
    pub id: i64,
    /// When (UTC).
    #[serde(serialize_with = "crate::db::models::utc")]
    pub at: NaiveDateTime,
    /// Who (none for the public application form).
    pub actor_user_id: Option<UserId>,
    /// What was done.
    pub action: AuditAction,
    /// The kind of record.
    pub entity: AuditEntity,
    /// Id of the record.
    pub entity_id: i64,
    /// Names of the fields read or changed, JSON list (never their values).
    pub fields: String,
}

impl From<AuditEvent> for AuditEventView {
    fn from(e: AuditEvent) -> AuditEventView {
        AuditEventView {
            id: e.id,
            at: e.at,
            actor_user_id: e.actor_user_id,
            action: e.action,
            entity: e.entity,
            entity_id: e.entity_id,
            fields: e.fields,
        }
    }
}

/// Events matching `filter`, newest first, older than the event `before` (admin).
pub fn list(
    conn: &mut DbConnection,
    caller: &Caller,
    filter: &AuditFilter,
    before: i64,
    limit: i64,
) -> Result<Vec<AuditEventView>, ApiError> {
    caller.require_admin()?;
    let events = AuditEvent::list(conn, filter, before, limit)?;
    Ok(events.into_iter().map(AuditEventView::from).collect())
}
