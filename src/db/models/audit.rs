//! The audit log: who read or changed personal data, when, which fields (GDPR).

use crate::domain::ids::UserId;
use chrono::NaiveDateTime;
use diesel::prelude::*;

use diesel::connection::TransactionManager;

use crate::db::schema::audit_events;
use std::cell::RefCell;

use crate::db::DbConnection;
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

/// An event to append.
#[derive(Debug, Clone, Insertable)]
#[diesel(table_name = audit_events)]
pub struct NewAuditEvent {
    /// When (UTC).
    pub at: NaiveDateTime,
    /// Who.
    pub actor_user_id: Option<UserId>,
    /// What.
    pub action: AuditAction,
    /// The kind of record.
    pub entity: AuditEntity,
    /// The record.
    pub entity_id: i64,
    /// The fields, a JSON list.
    pub fields: String,
}

thread_local! {
    /// The rows of the read running on this thread, while one runs through `db::run_read`.
    static DEFERRED: RefCell<Option<Vec<NewAuditEvent>>> = const { RefCell::new(None) };
}

/// Takes `rows` for the running read's group commit; gives them back when no read collects on
/// this thread (the caller then inserts them itself).
fn defer(rows: Vec<NewAuditEvent>) -> Option<Vec<NewAuditEvent>> {
    DEFERRED.with(|deferred| match deferred.borrow_mut().as_mut() {
        Some(collected) => {
            collected.extend(rows);
            None
        }
        None => Some(rows),
    })
}

/// Collects the audit rows recorded outside a transaction by the work on this thread, until
/// dropped (also when the work panics, so the next work on the thread does not collect by
/// mistake). `db::run_read` hands them to the group commit.
pub(crate) struct Collecting;

impl Collecting {
    /// Starts collecting on this thread.
    pub(crate) fn start() -> Collecting {
        DEFERRED.with(|deferred| *deferred.borrow_mut() = Some(vec![]));
        Collecting
    }

    /// The rows collected.
    pub(crate) fn finish(self) -> Vec<NewAuditEvent> {
        DEFERRED.with(|deferred| deferred.borrow_mut().take().unwrap_or_default())
    }
}

impl Drop for Collecting {
    fn drop(&mut self) {
        DEFERRED.with(|deferred| *deferred.borrow_mut() = None);
    }
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
        let rows: Vec<NewAuditEvent> = entity_ids
            .iter()
            .map(|id| NewAuditEvent {
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
            match defer(rows) {
                Some(rows) => rows,
                None => return Ok(()),
            }
        };
        AuditEvent::insert_all(conn, &rows)
    }

    /// Inserts rows in as few statements as the databases allow.
    pub fn insert_all(conn: &mut DbConnection, rows: &[NewAuditEvent]) -> QueryResult<()> {
        // Six values per row; SQLite allows 32,766 bound values per statement.
        for chunk in rows.chunks(1_000) {
            // diesel's multi-backend connection has no batch insert; each backend has one.
            let statement = diesel::insert_into(audit_events::table).values(chunk);
            match conn {
                DbConnection::Postgresql(c) => statement.execute(c)?,
                DbConnection::Sqlite(c) => statement.execute(c)?,
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
