//! What every handler is handed: read-only, built once at start-up. All mutable state lives in
//! the database, so any number of instances can serve side by side.

use crate::auth::TokenKeys;
use crate::config::Settings;
use crate::db::{AuditBatcher, DbPool};

/// Shared, read-only state handed to every handler.
pub struct AppState {
    /// Connections to the database.
    pub pool: DbPool,
    /// The configuration the service started with.
    pub settings: Settings,
    /// Access-token keys.
    pub tokens: TokenKeys,
    /// The group commit of reads' audit rows (`db::run_read`).
    pub audit: AuditBatcher,
}
