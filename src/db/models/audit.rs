//! The audit log: who read or changed personal data, when, which fields (GDPR).

use crate::domain::ids::UserId;
use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::db::DbConnection;
use crate::db::schema::audit_events;
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
        // Six values per row; SQLite allows 32,766 bound values per statement.
        for chunk in entity_ids.chunks(1_000) {
            let rows: Vec<_> = chunk
                .iter()
                .map(|id| {
                    (
                        audit_events::at.eq(at),
                        audit_events::actor_user_id.eq(actor),
                        audit_events::action.eq(action),
                        audit_events::entity.eq(entity),
                        audit_events::entity_id.eq((*id).into()),
                        audit_events::fields.eq(fields.clone()),
                    )
                })
                .collect();
            // diesel's multi-backend connection has no batch insert; each backend has one.
            let insert = diesel::insert_into(audit_events::table).values(rows);
            match conn {
                DbConnection::Postgresql(c) => insert.execute(c)?,
                DbConnection::Sqlite(c) => insert.execute(c)?,
            };
        }
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
