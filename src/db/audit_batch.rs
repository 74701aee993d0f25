//! Group commit for the audit rows of reads. Every read of personal data is audited, and the
//! answer may only go out once its row is durable; one commit per read made that commit the
//! cost of every read. A read run through `run_read` collects its audit rows instead of
//! inserting them, and one writer commits the rows of every read waiting at that moment in one
//! transaction; each read is answered when the commit holding its rows has returned. Rows
//! recorded inside a transaction (a write's own audit) are never deferred: they commit with it.

use std::cell::RefCell;

use chrono::NaiveDateTime;
use diesel::prelude::*;
use tokio::sync::{mpsc, oneshot};

use super::connection::DbConnection;
use super::pool::DbError;
use super::schema::audit_events;
use crate::domain::audit::{AuditAction, AuditEntity};
use crate::domain::ids::UserId;

/// One audit row waiting for its commit.
#[derive(Debug, Clone)]
pub struct AuditRow {
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
    /// The rows of the read running on this thread, while one runs through `run_read`.
    static DEFERRED: RefCell<Option<Vec<AuditRow>>> = const { RefCell::new(None) };
}

/// Takes `rows` for the running read's group commit; gives them back when no read collects on
/// this thread (the caller then inserts them itself).
pub(crate) fn defer_audit(rows: Vec<AuditRow>) -> Option<Vec<AuditRow>> {
    DEFERRED.with(|deferred| match deferred.borrow_mut().as_mut() {
        Some(collected) => {
            collected.extend(rows);
            None
        }
        None => Some(rows),
    })
}

/// Collects the audit rows of the work on this thread until dropped (also when the work panics,
/// so the next work on the thread does not collect by mistake).
pub(crate) struct Collecting;

impl Collecting {
    pub(crate) fn start() -> Collecting {
        DEFERRED.with(|deferred| *deferred.borrow_mut() = Some(vec![]));
        Collecting
    }

    pub(crate) fn finish(self) -> Vec<AuditRow> {
        DEFERRED.with(|deferred| deferred.borrow_mut().take().unwrap_or_default())
    }
}

impl Drop for Collecting {
    fn drop(&mut self) {
        DEFERRED.with(|deferred| *deferred.borrow_mut() = None);
    }
}

/// Inserts rows in as few statements as the databases allow.
pub(crate) fn insert_audit(conn: &mut DbConnection, rows: &[AuditRow]) -> QueryResult<()> {
    // Six values per row; SQLite allows 32,766 bound values per statement.
    for chunk in rows.chunks(1_000) {
        let values: Vec<_> = chunk
            .iter()
            .map(|r| {
                (
                    audit_events::at.eq(r.at),
                    audit_events::actor_user_id.eq(r.actor_user_id),
                    audit_events::action.eq(r.action),
                    audit_events::entity.eq(r.entity),
                    audit_events::entity_id.eq(r.entity_id),
                    audit_events::fields.eq(r.fields.clone()),
                )
            })
            .collect();
        // diesel's multi-backend connection has no batch insert; each backend has one.
        let statement = diesel::insert_into(audit_events::table).values(values);
        match conn {
            DbConnection::Postgresql(c) => statement.execute(c)?,
            DbConnection::Sqlite(c) => statement.execute(c)?,
        };
    }
    Ok(())
}

struct Waiting {
    rows: Vec<AuditRow>,
    done: oneshot::Sender<Result<(), String>>,
}

/// The writer of the reads' audit rows: one task, one connection of its own, one commit at a
/// time holding every row that arrived while the last one ran.
#[derive(Clone)]
pub struct AuditBatcher {
    queue: mpsc::UnboundedSender<Waiting>,
}

/// Most reads' rows in one commit (a bound on the transaction's size, not a wait).
const MOST_PER_COMMIT: usize = 512;

impl AuditBatcher {
    /// Starts the writer on the current tokio runtime; it opens its connection to `url` when
    /// first needed and again after a failure.
    pub fn start(url: String) -> AuditBatcher {
        let (queue, mut waiting) = mpsc::unbounded_channel::<Waiting>();
        tokio::spawn(async move {
            let mut conn: Option<DbConnection> = None;
            while let Some(first) = waiting.recv().await {
                let mut group = vec![first];
                while group.len() < MOST_PER_COMMIT {
                    match waiting.try_recv() {
                        Ok(more) => group.push(more),
                        Err(_) => break,
                    }
                }
                let rows: Vec<AuditRow> = group.iter().flat_map(|w| w.rows.clone()).collect();
                let url = url.clone();
                let held = conn.take();
                let outcome = tokio::task::spawn_blocking(move || {
                    let mut c = match held {
                        Some(c) => c,
                        None => DbConnection::open(&url).map_err(|e| e.to_string())?,
                    };
                    let written = super::write_transaction(&mut c, |c| insert_audit(c, &rows))
                        .map_err(|e| e.to_string());
                    // A connection that failed is dropped; the next group opens a new one.
                    Ok::<_, String>((written.is_ok().then_some(c), written))
                })
                .await
                .map_err(|e| e.to_string())
                .and_then(|r| r);
                let result = match outcome {
                    Ok((kept, written)) => {
                        conn = kept;
                        written
                    }
                    Err(error) => Err(error),
                };
                metrics::histogram!("audit_group_commit_rows").record(group.len() as f64);
                for w in group {
                    let _ = w.done.send(result.clone());
                }
            }
        });
        AuditBatcher { queue }
    }

    /// Commits `rows` with those of the other reads waiting now; returns once they are durable.
    pub async fn write(&self, rows: Vec<AuditRow>) -> Result<(), DbError> {
        if rows.is_empty() {
            return Ok(());
        }
        let (done, committed) = oneshot::channel();
        self.queue
            .send(Waiting { rows, done })
            .map_err(|_| DbError::Shutdown)?;
        committed
            .await
            .map_err(|_| DbError::Shutdown)?
            .map_err(DbError::Audit)
    }
}
