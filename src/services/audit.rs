//! The audit log as admins read it: newest first, filtered by record or actor.

use crate::auth::Caller;
use crate::db::DbConnection;
use crate::db::models::audit::{AuditEvent, AuditFilter};
use crate::error::ApiError;

/// Events matching `filter`, newest first, older than the event `before` (admin).
pub fn list(
    conn: &mut DbConnection,
    caller: &Caller,
    filter: &AuditFilter,
    before: i64,
    limit: i64,
) -> Result<Vec<AuditEvent>, ApiError> {
    caller.require_admin()?;
    Ok(AuditEvent::list(conn, filter, before, limit)?)
}
