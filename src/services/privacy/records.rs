//! The parts every export has: the login, the mails sent to the person (without their
//! content) and the audit entries about them and by them.

use chrono::NaiveDateTime;
use serde::Serialize;

use crate::db::DbConnection;
use crate::db::models::audit::{AuditEvent, AuditFilter};
use crate::db::models::outbox::{MailRecord, OutboxMail};
use crate::db::models::user::User;
use crate::domain::audit::{AuditAction, AuditEntity};
use crate::domain::ids::UserId;
use crate::domain::{MailKind, OutboxStatus};
use crate::error::ApiError;
use crate::services::audit::AuditEventView;

/// The person's login, as the export shows it (never the password hash or tokens).
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct AccountRecord {
    /// Account id.
    pub id: UserId,
    /// Login email.
    pub email: String,
    /// Name on the account.
    pub name: String,
    /// Can sign in.
    pub active: bool,
    /// A password is set.
    pub has_password: bool,
    /// Opened (UTC).
    #[serde(serialize_with = "crate::db::models::utc")]
    pub created_at: NaiveDateTime,
}

impl From<User> for AccountRecord {
    fn from(u: User) -> AccountRecord {
        AccountRecord {
            id: u.id,
            email: u.email,
            name: u.name,
            active: u.active,
            has_password: u.password_hash.is_some(),
            created_at: u.created_at,
        }
    }
}

/// A mail sent (or still due) to the person: what it was about and when, not its content.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct MailView {
    /// Outbox id.
    pub id: i64,
    /// What it was about.
    pub kind: MailKind,
    /// The address it went to.
    pub recipient: String,
    /// Its language.
    pub language: String,
    /// Its subject line.
    pub subject: String,
    /// Where it stands.
    pub status: OutboxStatus,
    /// Enqueued (UTC).
    #[serde(serialize_with = "crate::db::models::utc")]
    pub created_at: NaiveDateTime,
    /// Delivered (UTC).
    #[serde(serialize_with = "crate::db::models::utc_opt")]
    pub sent_at: Option<NaiveDateTime>,
}

impl From<MailRecord> for MailView {
    fn from(m: MailRecord) -> MailView {
        MailView {
            id: m.id,
            kind: m.kind,
            recipient: m.recipient,
            language: m.language,
            subject: m.subject,
            status: m.status,
            created_at: m.created_at,
            sent_at: m.sent_at,
        }
    }
}

/// The mails to each address (an address given twice counts once), oldest first.
pub(super) fn mails_to<'a>(
    conn: &mut DbConnection,
    addresses: impl IntoIterator<Item = &'a str>,
) -> Result<Vec<MailView>, ApiError> {
    let mut seen = std::collections::BTreeSet::new();
    let mut mails = vec![];
    for address in addresses {
        if seen.insert(address.trim().to_lowercase()) {
            mails.extend(OutboxMail::records_to(conn, address)?);
        }
    }
    mails.sort_by_key(|m| m.id);
    Ok(mails.into_iter().map(MailView::from).collect())
}

/// The audit entries about one record, oldest first.
pub(super) fn audit_about(
    conn: &mut DbConnection,
    entity: AuditEntity,
    id: i64,
) -> Result<Vec<AuditEventView>, ApiError> {
    let filter = AuditFilter {
        entity: Some(entity),
        entity_id: Some(id),
        actor_user_id: None,
    };
    every(conn, &filter)
}

/// What the person's login did that was audited, oldest first.
pub(super) fn audit_by(
    conn: &mut DbConnection,
    user: Option<UserId>,
) -> Result<Vec<AuditEventView>, ApiError> {
    let Some(user) = user else {
        return Ok(vec![]);
    };
    let filter = AuditFilter {
        entity: None,
        entity_id: None,
        actor_user_id: Some(user),
    };
    every(conn, &filter)
}

fn every(conn: &mut DbConnection, filter: &AuditFilter) -> Result<Vec<AuditEventView>, ApiError> {
    let mut events = AuditEvent::list(conn, filter, i64::MAX, i64::MAX)?;
    events.reverse();
    Ok(events.into_iter().map(AuditEventView::from).collect())
}

/// The export is itself an audited read of everything about the record.
pub(super) fn record_export(
    conn: &mut DbConnection,
    actor: UserId,
    entity: AuditEntity,
    id: i64,
) -> Result<(), ApiError> {
    AuditEvent::record(conn, Some(actor), AuditAction::Export, entity, id, &["*"])?;
    Ok(())
}
