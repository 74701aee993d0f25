//! Write transactions that behave the same on both backends under concurrency.

use diesel::connection::{AnsiTransactionManager, TransactionManager};
use diesel::result::Error;

use super::connection::DbConnection;

/// Runs `work` in a transaction meant to write. On SQLite it starts with `BEGIN IMMEDIATE`:
/// a plain (deferred) transaction that reads first and writes later fails at once with
/// "database is locked" when another writer got there first, instead of waiting its turn.
/// Inside an outer transaction it becomes a savepoint, as `Connection::transaction` does.
pub fn write_transaction<T, E, F>(conn: &mut DbConnection, work: F) -> Result<T, E>
where
    F: FnOnce(&mut DbConnection) -> Result<T, E>,
    E: From<Error>,
{
    let nested =
        <DbConnection as diesel::Connection>::TransactionManager::transaction_manager_status_mut(
            conn,
        )
        .transaction_depth()?
        .is_some();
    match conn {
        DbConnection::Sqlite(inner) if !nested => {
            AnsiTransactionManager::begin_transaction_sql(inner, "BEGIN IMMEDIATE")?
        }
        _ => <DbConnection as diesel::Connection>::TransactionManager::begin_transaction(conn)?,
    }
    match work(conn) {
        Ok(value) => {
            <DbConnection as diesel::Connection>::TransactionManager::commit_transaction(conn)?;
            Ok(value)
        }
        Err(error) => {
            <DbConnection as diesel::Connection>::TransactionManager::rollback_transaction(conn)?;
            Err(error)
        }
    }
}
