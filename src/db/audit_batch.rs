//! Group commit for the audit rows of reads. Every read of personal data is audited, and the
//! answer may only go out once its row is durable; one commit per read made that commit the
//! cost of every read. A read run through `run_read` collects its audit rows instead of
//! inserting them (`models::audit::Collecting`), and one writer commits the rows of every read waiting at that moment in one
//! transaction; each read is answered when the commit holding its rows has returned. Rows
//! recorded inside a transaction (a write's own audit) are never deferred: they commit with it.

use tokio::sync::{mpsc, oneshot};

use super::connection::DbConnection;
use super::models::audit::{AuditEvent, NewAuditEvent};
use super::pool::DbError;

struct Waiting {
    rows: Vec<NewAuditEvent>,
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
                let rows: Vec<NewAuditEvent> = group.iter().flat_map(|w| w.rows.clone()).collect();
                let url = url.clone();
                let held = conn.take();
                let outcome = tokio::task::spawn_blocking(move || {
                    let mut c = match held {
                        Some(c) => c,
                        None => DbConnection::open(&url).map_err(|e| e.to_string())?,
                    };
                    let written =
                        super::write_transaction(&mut c, |c| AuditEvent::insert_all(c, &rows))
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
    pub async fn write(&self, rows: Vec<NewAuditEvent>) -> Result<(), DbError> {
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
