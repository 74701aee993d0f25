//! The people the matcher looks at in a branch: the rows a preview is computed from (one
//! definition, so the map a leader sees is the input the proposal came from), and the same
//! people with names and positions for the console's plot.

use crate::domain::ids::BranchId;
use serde::Serialize;

use crate::auth::Caller;
use crate::db::models::assignment::Assignment;
use crate::db::models::branch::Branch;
use crate::db::models::client::{Client, ClientFilter};
use crate::db::models::helper::{Helper, HelperFilter};
use crate::db::{DbConnection, Scope};
use crate::error::ApiError;

/// A branch's active helpers, its clients, and every open pair of those clients.
pub(super) struct MatcherRows {
    pub helpers: Vec<Helper>,
    pub clients: Vec<Client>,
    pub open: Vec<Assignment>,
}

/// The matcher's rows of a branch.
pub(super) fn rows(conn: &mut DbConnection, branch_id: BranchId) -> Result<MatcherRows, ApiError> {
    let mut helpers = Helper::list(conn, &HelperFilter::active_in(branch_id), 0, i64::MAX)?;
    // From their leave date a helper takes no clients (their pairs end that day).
    let branch = crate::db::models::branch::Branch::find(conn, branch_id)?;
    let today = chrono::Utc::now()
        .with_timezone(&super::visits::time_zone(&branch))
        .date_naive();
    helpers.retain(|h| h.leaves_on.is_none_or(|last| last > today));
    let clients = Client::list(
        conn,
        &ClientFilter {
            scope: Scope::Branch(branch_id),
            branch_id: Some(branch_id),
            short_of_helpers: false,
            name_contains: None,
            source: None,
            updated_since: None,
        },
        0,
        i64::MAX,
    )?;
    let open = Assignment::open_in_branch(conn, branch_id)?;
    Ok(MatcherRows {
        helpers,
        clients,
        open,
    })
}

/// A person on the map.
#[derive(Debug, Clone, Serialize)]
pub struct MapPoint {
    /// Helper or client id.
    pub id: i64,
    /// Name.
    pub name: String,
    /// Latitude (a helper's home, a client's address).
    pub lat: f64,
    /// Longitude.
    pub lon: f64,
}

/// The people a preview of the branch is computed from.
#[derive(Debug, Clone, Serialize)]
pub struct BranchMap {
    /// The branch's centre, for an empty branch.
    pub centre: (f64, f64),
    /// Active helpers, by id.
    pub helpers: Vec<MapPoint>,
    /// Clients, by id.
    pub clients: Vec<MapPoint>,
}

/// The branch's matcher input as names and positions (branch staff).
pub fn map(
    conn: &mut DbConnection,
    caller: &Caller,
    branch_id: BranchId,
) -> Result<BranchMap, ApiError> {
    caller.require_staff()?;
    caller.require_branch(branch_id)?;
    let branch = Branch::find(conn, branch_id)?;
    let rows = rows(conn, branch_id)?;
    Ok(BranchMap {
        centre: (branch.centre_lat, branch.centre_lon),
        helpers: rows
            .helpers
            .into_iter()
            .map(|h| MapPoint {
                id: h.id.0,
                name: h.name,
                lat: h.home_lat,
                lon: h.home_lon,
            })
            .collect(),
        clients: rows
            .clients
            .into_iter()
            .map(|c| MapPoint {
                id: c.id.0,
                name: c.name,
                lat: c.lat,
                lon: c.lon,
            })
            .collect(),
    })
}
