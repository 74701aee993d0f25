//! The audit log: who read or changed personal data, when, which fields (GDPR).

use crate::domain::ids::UserId;
use chrono::NaiveDateTime;
use diesel::prelude::*;

use diesel::connection::TransactionManager;

use crate::db::schema::audit_events;
use crate::db::{AuditRow, DbConnection, defer_audit, insert_audit};
use crate::domain::audit::{AuditAction, AuditEntity};

/// One audited access.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = audit_events)]
pub struct AuditEvent {
    /// Id.
    pub id: i64,
    /// When (UTC).
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

/// Filters for the audit list.
#[derive(Debug, Default)]
pub struct AuditFilter {
    /// Only this kind of record.
    pub entity: Option<AuditEntity>,
    /// Only this record.
    pub entity_id: Option<i64>,
    /// Only this actor.
    pub actor_user_id: Option<UserId>,
}

impl AuditEvent {
    /// Appends an event.
    pub fn record(
        conn: &mut DbConnection,
        actor: Option<UserId>,
        action: AuditAction,
        entity: AuditEntity,
        entity_id: impl Into<i64> + Copy,
        fields: &[&str],
    ) -> QueryResult<()> {
        AuditEvent::record_many(conn, actor, action, entity, &[entity_id], fields)
    }

    /// Appends the same event for many records in as few statements as the databases allow:
    /// a list page audits every record it shows, and one insert per record was most of its cost.
    pub fn record_many<I: Into<i64> + Copy>(
        conn: &mut DbConnection,
        actor: Option<UserId>,
        action: AuditAction,
        entity: AuditEntity,
        entity_ids: &[I],
        fields: &[&str],
    ) -> QueryResult<()> {
        let at = super::now();
        let fields = super::to_json_list(fields);
        let rows: Vec<AuditRow> = entity_ids
            .iter()
            .map(|id| AuditRow {
                at,
                actor_user_id: actor,
                action,
                entity,
                entity_id: (*id).into(),
                fields: fields.clone(),
            })
            .collect();
        // A write's rows commit with it; a read's wait for the group commit (`db::run_read`).
        let in_transaction = <DbConnection as diesel::Connection>::TransactionManager::transaction_manager_status_mut(conn)
            .transaction_depth()?
            .is_some();
        let rows = if in_transaction {
            rows
        } else {
            match defer_audit(rows) {
                Some(rows) => rows,
                None => return Ok(()),
            }
        };
        insert_audit(conn, &rows)?;
        Ok(())
    }

    /// Events matching `filter`, newest first, before `before_id`.
    pub fn list(
        conn: &mut DbConnection,
        filter: &AuditFilter,
        before_id: i64,
        limit: i64,
    ) -> QueryResult<Vec<AuditEvent>> {
        let mut query = audit_events::table
            .filter(audit_events::id.lt(before_id))
            .into_boxed();
        if let Some(entity) = &filter.entity {
            query = query.filter(audit_events::entity.eq(*entity));
        }
        if let Some(id) = filter.entity_id {
            query = query.filter(audit_events::entity_id.eq(id));
        }
        if let Some(actor) = filter.actor_user_id {
            query = query.filter(audit_events::actor_user_id.eq(actor));
        }
        query
            .order(audit_events::id.desc())
            .limit(limit)
            .select(AuditEvent::as_select())
            .load(conn)
    }

    /// Deletes the entries older than `before`; how many went.
    pub fn delete_before(conn: &mut DbConnection, before: NaiveDateTime) -> QueryResult<usize> {
        diesel::delete(audit_events::table.filter(audit_events::at.lt(before))).execute(conn)
    }
}
