//! Whether a client is short of helpers or low on hours: one rule, read by the week board's
//! side list and by the console's client filters alike.

use crate::domain::ids::{BranchId, ClientId};
use std::collections::HashMap;

use serde::Serialize;

use crate::auth::Caller;
use crate::db::DbConnection;
use crate::db::models::assignment::Assignment;
use crate::db::models::client::Client;
use crate::db::models::ledger::LedgerEntry;
use crate::error::ApiError;

/// Where one client stands: team against wish, free minutes against the low mark.
#[derive(Debug, Clone, Serialize)]
pub struct Standing {
    /// Client.
    pub client_id: ClientId,
    /// Name.
    pub name: String,
    /// Current helpers.
    pub team: usize,
    /// Helpers wanted.
    pub wanted: i32,
    /// Minutes free to book.
    pub available_minutes: i64,
    /// The team is below two helpers or below what the client wants.
    pub short_of_helpers: bool,
    /// The free minutes are at or below the branch's low mark.
    pub low_on_hours: bool,
}

/// A team below two helpers, or below what the client wants, needs the branch.
pub fn is_short_of_helpers(team: usize, wanted: i32) -> bool {
    i64::try_from(team).unwrap_or(i64::MAX) < i64::from(wanted.max(2))
}

/// `low_minutes` free or fewer is low (a client with no clip card has none).
pub fn is_low_on_hours(available_minutes: i64, low_minutes: i64) -> bool {
    available_minutes <= low_minutes
}

/// Every client of a branch the caller manages (else 404), by name, in three queries (two of them grouped).
pub fn of_branch(
    conn: &mut DbConnection,
    caller: &Caller,
    branch_id: BranchId,
    low_minutes: i64,
) -> Result<Vec<Standing>, ApiError> {
    if !caller.manages_branch(branch_id) {
        return Err(ApiError::NotFound);
    }
    standings(conn, branch_id, low_minutes)
}

/// Every client of a branch, by name, in three queries, for a caller already checked (or a job).
pub fn standings(
    conn: &mut DbConnection,
    branch_id: BranchId,
    low_minutes: i64,
) -> Result<Vec<Standing>, ApiError> {
    let clients = Client::in_branch(conn, branch_id)?;
    let teams: HashMap<ClientId, usize> = Assignment::open_counts_in_branch(conn, branch_id)?
        .into_iter()
        .map(|(client, pairs)| (client, usize::try_from(pairs).unwrap_or(0)))
        .collect();
    let available = LedgerEntry::available_in_branch(conn, branch_id)?;
    Ok(clients
        .into_iter()
        .map(|(client_id, name, wanted)| {
            let team = teams.get(&client_id).copied().unwrap_or(0);
            let free = available.get(&client_id).copied().unwrap_or(0);
            Standing {
                client_id,
                name,
                team,
                wanted,
                available_minutes: free,
                short_of_helpers: is_short_of_helpers(team, wanted),
                low_on_hours: is_low_on_hours(free, low_minutes),
            }
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_team_is_short_below_two_or_below_the_wish() {
        assert!(is_short_of_helpers(0, 2));
        assert!(is_short_of_helpers(1, 2));
        assert!(!is_short_of_helpers(2, 2));
        assert!(is_short_of_helpers(2, 3));
        assert!(!is_short_of_helpers(3, 3));
        // A wish below two is still two: every client needs a substitute.
        assert!(is_short_of_helpers(1, 1));
    }

    #[test]
    fn hours_are_low_at_or_below_the_mark() {
        assert!(is_low_on_hours(0, 120));
        assert!(is_low_on_hours(120, 120));
        assert!(!is_low_on_hours(121, 120));
    }
}
