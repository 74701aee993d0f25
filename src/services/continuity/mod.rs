//! The continuity index (`index`): how much of a client's help comes from their own team, how
//! often the team changed, how long it has been short. For one client, and for a branch as a
//! distribution with the clients worst off. Staff of the branch only.

use std::collections::HashMap;

use chrono::{Duration, NaiveDateTime, SecondsFormat};
use serde::Serialize;

use crate::auth::Caller;
use crate::db::DbConnection;
use crate::db::models::assignment::Assignment;
use crate::db::models::audit::AuditEvent;
use crate::db::models::client::Client;
use crate::db::models::visit::{Clients, Visit};
use crate::domain::audit::{AuditAction, AuditEntity};
use crate::domain::ids::{BranchId, ClientId};
use crate::error::ApiError;
use crate::services::clients::managed;

mod index;

pub use index::{CHANGE_DAYS, ClientContinuity, SHARE_DAYS, client_index, worst_first};
use index::{DoneVisit, History, Pair};

/// How many of the worst-off clients the branch's figure names.
pub const WORST: usize = 20;

/// Fields the index reads of a client (its audit entry names them).
const READ_FIELDS: [&str; 2] = ["name", "continuity"];

/// Clients whose team share falls in `[from_percent, to_percent)` (the last band includes 100).
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ShareBand {
    /// Lower bound, percent.
    pub from_percent: u32,
    /// Upper bound, percent.
    pub to_percent: u32,
    /// Clients in the band.
    pub clients: usize,
}

/// The continuity of a branch's clients.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct BranchContinuity {
    /// The branch.
    pub branch_id: BranchId,
    /// When it was computed (UTC, RFC 3339).
    pub at: String,
    /// Clients of the branch (erased ones are not counted).
    pub clients: usize,
    /// Completed visit minutes of the last 90 days, all clients.
    pub completed_minutes: i64,
    /// Of those, the minutes done by each client's current team.
    pub team_minutes: i64,
    /// `team_minutes / completed_minutes`; absent without completed visits.
    pub team_share: Option<f64>,
    /// Clients whose team is complete now.
    pub complete_teams: usize,
    /// Clients by team share, in ten bands of ten percent.
    pub distribution: Vec<ShareBand>,
    /// Clients without a completed visit in the last 90 days (not in the distribution).
    pub without_visits: usize,
    /// The clients worst off (lowest share, then longest short, then most changes), at most 20.
    pub worst: Vec<ClientContinuity>,
}

/// One client's index (staff of the client's branch; others 403/404). The read is audited.
pub fn for_client(
    conn: &mut DbConnection,
    caller: &Caller,
    client_id: ClientId,
    now: NaiveDateTime,
) -> Result<ClientContinuity, ApiError> {
    let client = managed(conn, caller, client_id)?;
    let mut histories = histories(
        conn,
        Clients::One(client_id),
        vec![(client.id, client.name, client.wanted)],
        now,
    )?;
    let history = histories.pop().ok_or(ApiError::NotFound)?;
    AuditEvent::record(
        conn,
        Some(caller.user_id),
        AuditAction::Read,
        AuditEntity::Client,
        client_id,
        &READ_FIELDS,
    )?;
    Ok(client_index(&history, now))
}

/// The branch's figure (its staff; 404 for anyone else). The named clients' reads are audited.
pub fn for_branch(
    conn: &mut DbConnection,
    caller: &Caller,
    branch_id: BranchId,
    now: NaiveDateTime,
) -> Result<BranchContinuity, ApiError> {
    caller.require_branch(branch_id)?;
    let clients = Client::in_branch(conn, branch_id)?;
    let histories = histories(conn, Clients::OfBranch(branch_id), clients, now)?;
    let mut all: Vec<ClientContinuity> = histories.iter().map(|h| client_index(h, now)).collect();
    let figure = summarise(branch_id, &mut all, now);
    let named: Vec<ClientId> = figure.worst.iter().map(|c| c.client_id).collect();
    AuditEvent::record_many(
        conn,
        Some(caller.user_id),
        AuditAction::Read,
        AuditEntity::Client,
        &named,
        &READ_FIELDS,
    )?;
    Ok(figure)
}

/// The branch's totals, bands and worst off from every client's index.
fn summarise(
    branch_id: BranchId,
    all: &mut [ClientContinuity],
    now: NaiveDateTime,
) -> BranchContinuity {
    let mut bands = vec![0usize; 10];
    let mut without_visits = 0;
    for c in all.iter() {
        if c.completed_minutes > 0 {
            // Integer arithmetic: 0.6 must fall in the 60 % band, not below it.
            let band = (c.team_minutes * 10 / c.completed_minutes).clamp(0, 9);
            bands[usize::try_from(band).unwrap_or(0)] += 1;
        } else {
            without_visits += 1;
        }
    }
    let completed_minutes: i64 = all.iter().map(|c| c.completed_minutes).sum();
    let team_minutes: i64 = all.iter().map(|c| c.team_minutes).sum();
    all.sort_by(worst_first);
    BranchContinuity {
        branch_id,
        at: now.and_utc().to_rfc3339_opts(SecondsFormat::Secs, true),
        clients: all.len(),
        completed_minutes,
        team_minutes,
        team_share: (completed_minutes > 0).then(|| team_minutes as f64 / completed_minutes as f64),
        complete_teams: all
            .iter()
            .filter(|c| c.days_since_team_complete == Some(0))
            .count(),
        distribution: bands
            .into_iter()
            .zip(0u32..)
            .map(|(clients, band)| ShareBand {
                from_percent: band * 10,
                to_percent: band * 10 + 10,
                clients,
            })
            .collect(),
        without_visits,
        // Only clients with completed visits have a share to be worst at; the rest are counted.
        worst: all
            .iter()
            .filter(|c| c.team_share.is_some())
            .take(WORST)
            .cloned()
            .collect(),
    }
}

/// The histories of `clients` (id, name, wanted) in two queries, whatever their number.
fn histories(
    conn: &mut DbConnection,
    of: Clients,
    clients: Vec<(ClientId, String, i32)>,
    now: NaiveDateTime,
) -> Result<Vec<History>, ApiError> {
    let mut pairs: HashMap<ClientId, Vec<Pair>> = HashMap::new();
    for a in Assignment::history(conn, of)? {
        pairs.entry(a.client_id).or_default().push(Pair {
            helper_id: a.helper_id,
            started_at: a.started_at,
            ended_at: a.ended_at,
        });
    }
    let mut visits: HashMap<ClientId, Vec<DoneVisit>> = HashMap::new();
    let from = now - Duration::days(SHARE_DAYS);
    for v in Visit::completed_between(conn, of, from, now)? {
        visits.entry(v.client_id).or_default().push(DoneVisit {
            helper_id: v.helper_id,
            minutes: v.counted_minutes(),
        });
    }
    Ok(clients
        .into_iter()
        .map(|(client_id, name, wanted)| History {
            pairs: pairs.remove(&client_id).unwrap_or_default(),
            visits: visits.remove(&client_id).unwrap_or_default(),
            client_id,
            name,
            wanted,
        })
        .collect())
}
