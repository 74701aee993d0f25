//! The coverage forecast (`forecast`) of a branch or a client for the next 8 weeks, read in
//! eight queries whatever the branch's size: the clients, their teams, their visits, and the
//! helpers' status, windows, exceptions and term periods.

use std::collections::HashMap;

use chrono::{Duration, NaiveDate, NaiveDateTime};
use serde::Serialize;

use crate::auth::Caller;
use crate::db::DbConnection;
use crate::db::models::assignment::Assignment;
use crate::db::models::availability::Availability;
use crate::db::models::branch::Branch;
use crate::db::models::client::Client;
use crate::db::models::helper::Helper;
use crate::db::models::term_period::TermPeriod;
use crate::db::models::visit::{Clients, Visit};
use crate::domain::HelperStatus;
use crate::domain::ids::{BranchId, ClientId, HelperId};
use crate::error::ApiError;
use crate::services::board::{self, local_midnight, monday_of};
use crate::services::clients::managed;
use crate::services::visits::time_zone;

mod forecast;

pub use forecast::{HelperTimes, UsualTime, occurrence, usual_times, weeks};

/// How many weeks ahead, this one included.
pub const WEEKS: usize = 8;
/// How far back visits count for the usual times.
pub const USUAL_BACK_DAYS: i64 = 28;
/// How far ahead they count.
pub const USUAL_AHEAD_DAYS: i64 = 56;

/// One client's weeks.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ClientCoverage {
    /// Client.
    pub client_id: ClientId,
    /// Name.
    pub name: String,
    /// Helpers on the team.
    pub team: usize,
    /// The client's usual visit times.
    pub usual_times: Vec<UsualTime>,
    /// Per week (the forecast's `weeks`): the fewest of the team who can come to one of the
    /// week's usual times; absent for a week whose times have all passed.
    pub available: Vec<Option<usize>>,
    /// The Mondays of the weeks the client would have nobody.
    pub nobody_weeks: Vec<NaiveDate>,
}

/// A branch's next 8 weeks.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct CoverageForecast {
    /// The branch.
    pub branch_id: BranchId,
    /// The Mondays of the weeks, this week first.
    pub weeks: Vec<NaiveDate>,
    /// Clients with usual visit times (the others have nothing to cover).
    pub clients_with_usual_times: usize,
    /// Of those, the clients whose whole team can come every week.
    pub fully_covered: usize,
    /// Client-weeks with nobody.
    pub nobody_weeks: usize,
    /// The clients with a week below their whole team: those with a week of nobody first (the
    /// soonest first), then by the fewest available.
    pub at_risk: Vec<ClientCoverage>,
}

/// The branch's forecast (its staff; others 404).
pub fn for_branch(
    conn: &mut DbConnection,
    caller: &Caller,
    branch_id: BranchId,
    now: NaiveDateTime,
) -> Result<CoverageForecast, ApiError> {
    let branch = board::managed(conn, caller, branch_id)?;
    compute(conn, &branch, now)
}

/// One client's forecast: the weeks and the client's figures.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ClientForecast {
    /// The Mondays of the weeks, this week first.
    pub weeks: Vec<NaiveDate>,
    /// The client's figures for them.
    pub coverage: ClientCoverage,
}

/// One client's weeks (staff of the client's branch).
pub fn for_client(
    conn: &mut DbConnection,
    caller: &Caller,
    client_id: ClientId,
    now: NaiveDateTime,
) -> Result<ClientForecast, ApiError> {
    let client = managed(conn, caller, client_id)?;
    let branch = Branch::find(conn, client.branch_id)?;
    let mondays = mondays(&branch, now);
    let team: Vec<HelperId> = Assignment::open_for_client(conn, client_id)?
        .into_iter()
        .map(|a| a.helper_id)
        .collect();
    let times = visit_times(conn, Clients::One(client_id), now)?
        .remove(&client_id)
        .unwrap_or_default();
    let helpers = helper_times(conn, &branch, &mondays)?;
    let coverage = client_weeks(
        (client.id, client.name),
        &team,
        times,
        &helpers,
        &mondays,
        &branch,
        now,
    );
    Ok(ClientForecast {
        weeks: mondays,
        coverage,
    })
}

/// The branch's forecast as of `now` (for a caller already checked).
pub fn compute(
    conn: &mut DbConnection,
    branch: &Branch,
    now: NaiveDateTime,
) -> Result<CoverageForecast, ApiError> {
    let mondays = mondays(branch, now);
    let mut teams: HashMap<ClientId, Vec<HelperId>> = HashMap::new();
    for pair in Assignment::open_in_branch(conn, branch.id)? {
        teams
            .entry(pair.client_id)
            .or_default()
            .push(pair.helper_id);
    }
    let mut times = visit_times(conn, Clients::OfBranch(branch.id), now)?;
    let helpers = helper_times(conn, branch, &mondays)?;
    let mut with_times = 0;
    let mut fully_covered = 0;
    let mut nobody = 0;
    let mut at_risk = vec![];
    for (client_id, name, _) in Client::in_branch(conn, branch.id)? {
        let Some(usual) = times.remove(&client_id).filter(|t| !t.is_empty()) else {
            continue;
        };
        with_times += 1;
        let team = teams.get(&client_id).map(Vec::as_slice).unwrap_or_default();
        let c = client_weeks(
            (client_id, name),
            team,
            usual,
            &helpers,
            &mondays,
            branch,
            now,
        );
        nobody += c.nobody_weeks.len();
        if c.available.iter().flatten().all(|n| *n >= c.team) && c.team > 0 {
            fully_covered += 1;
        } else {
            at_risk.push(c);
        }
    }
    at_risk.sort_by_key(|c| {
        (
            c.nobody_weeks.first().copied().unwrap_or(NaiveDate::MAX),
            c.available.iter().flatten().min().copied().unwrap_or(0),
            c.client_id,
        )
    });
    Ok(CoverageForecast {
        branch_id: branch.id,
        weeks: mondays,
        clients_with_usual_times: with_times,
        fully_covered,
        nobody_weeks: nobody,
        at_risk,
    })
}

fn client_weeks(
    (client_id, name): (ClientId, String),
    team: &[HelperId],
    times: Vec<(NaiveDateTime, i64)>,
    helpers: &HashMap<HelperId, HelperTimes>,
    mondays: &[NaiveDate],
    branch: &Branch,
    now: NaiveDateTime,
) -> ClientCoverage {
    let tz = time_zone(branch);
    let usual = usual_times(&tz, times);
    let nobody_home = HelperTimes::default();
    let members: Vec<&HelperTimes> = team
        .iter()
        .map(|h| helpers.get(h).unwrap_or(&nobody_home))
        .collect();
    let available = weeks(&members, &usual, mondays, &tz, now);
    let nobody_weeks = mondays
        .iter()
        .zip(&available)
        .filter(|(_, n)| **n == Some(0))
        .map(|(monday, _)| *monday)
        .collect();
    ClientCoverage {
        client_id,
        name,
        team: team.len(),
        usual_times: usual,
        available,
        nobody_weeks,
    }
}

/// The Mondays of this week and the next seven, branch time.
fn mondays(branch: &Branch, now: NaiveDateTime) -> Vec<NaiveDate> {
    let today = now.and_utc().with_timezone(&time_zone(branch)).date_naive();
    let first = monday_of(today);
    (0..WEEKS as i64)
        .map(|w| first + Duration::weeks(w))
        .collect()
}

/// Each client's visit starts and lengths in the usual-times window.
fn visit_times(
    conn: &mut DbConnection,
    of: Clients,
    now: NaiveDateTime,
) -> Result<HashMap<ClientId, Vec<(NaiveDateTime, i64)>>, ApiError> {
    let mut times: HashMap<ClientId, Vec<(NaiveDateTime, i64)>> = HashMap::new();
    let from = now - Duration::days(USUAL_BACK_DAYS);
    let to = now + Duration::days(USUAL_AHEAD_DAYS);
    for v in Visit::starts_between(conn, of, from, to)? {
        times
            .entry(v.client_id)
            .or_default()
            .push((v.starts_at, i64::from(v.minutes)));
    }
    Ok(times)
}

/// What decides each helper of the branch's coming, over the forecast's weeks.
fn helper_times(
    conn: &mut DbConnection,
    branch: &Branch,
    mondays: &[NaiveDate],
) -> Result<HashMap<HelperId, HelperTimes>, ApiError> {
    let first = mondays.first().copied().unwrap_or_default();
    let last = first + Duration::weeks(WEEKS as i64);
    let mut helpers: HashMap<HelperId, HelperTimes> = HashMap::new();
    let periods = TermPeriod::covering(conn, branch.id, first, last)?;
    for facts in Helper::working_facts(conn, branch.id)? {
        let term_periods = match (&facts.institution, facts.term_opt_out) {
            (Some(institution), false) => periods
                .iter()
                .filter(|p| p.is_of(institution))
                .map(|p| (p.starts_on, p.ends_on))
                .collect(),
            _ => vec![],
        };
        helpers.insert(
            facts.id,
            HelperTimes {
                working: facts.status == HelperStatus::Active,
                windows: vec![],
                exceptions: vec![],
                term_periods,
                leaves_on: facts.leaves_on,
            },
        );
    }
    for window in Availability::windows_in_branch(conn, branch.id)? {
        if let Some(h) = helpers.get_mut(&window.helper_id) {
            h.windows.push(window);
        }
    }
    let (from, to) = (
        local_midnight(&branch.time_zone, first),
        local_midnight(&branch.time_zone, last),
    );
    for e in Availability::exceptions_in_branch(conn, branch.id, from, to)? {
        if let Some(h) = helpers.get_mut(&e.helper_id) {
            h.exceptions.push((e.starts_at, e.ends_at));
        }
    }
    Ok(helpers)
}
