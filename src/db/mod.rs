//! The data layer: one connection type for PostgreSQL and SQLite, the pool, migrations.

mod audit_batch;
mod backup;
mod blocking;
mod connection;
mod failure;
mod migrations;
pub mod models;
mod pool;
pub mod schema;
mod scope;
mod transaction;

pub use audit_batch::AuditBatcher;
pub use backup::{BackupError, backup, restore};
pub use blocking::{run, run_read, with_wait_budget};
pub use connection::{Backend, DbConnection};
pub use migrations::{has_pending_migrations, run_migrations};
pub use pool::{DbError, DbPool, build_pool};
pub use scope::Scope;
pub use transaction::write_transaction;

/// Whether the database answers and has every migration this binary knows.
pub fn readiness(conn: &mut DbConnection) -> Result<Readiness, DbError> {
    Ok(if has_pending_migrations(conn)? {
        Readiness::MigrationsPending
    } else {
        Readiness::Ready
    })
}

/// Result of a readiness check.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Readiness {
    /// Reachable and fully migrated.
    Ready,
    /// Reachable but behind this binary's migrations.
    MigrationsPending,
}

/// A checked page request: ids greater than `after`, at most `limit`, in id order.
#[derive(Debug, Clone, Copy)]
pub struct Page {
    /// Exclusive lower bound on the id.
    pub after: i64,
    /// Page size.
    pub limit: i64,
}
