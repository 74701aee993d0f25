//! The branch's week at a glance, for the console's home page: each active helper's visits
//! Monday to Sunday in the branch's time zone, and what needs the leader today — clients short
//! of helpers, clients low on hours, visits that need attention or were not checked in by
//! their start. Read in a fixed handful of queries, whatever the size of the branch.

use crate::domain::ids::{BranchId, ClientId, HelperId, VisitId};
use std::collections::{BTreeMap, HashMap};

use chrono::{Datelike, Duration, NaiveDate, NaiveDateTime, TimeZone, Timelike};
use serde::Serialize;

use super::clients::standing;
use super::visits::{self, VisitView};
use crate::auth::Caller;
use crate::db::models::branch::Branch;
use crate::db::models::helper::Helper;
use crate::db::models::visit::{Visit, VisitFilter};
use crate::db::{DbConnection, Scope};
use crate::domain::{HelperStatus, VisitStatus};
use crate::error::ApiError;

/// A week of a branch.
#[derive(Debug, Serialize)]
pub struct Week {
    /// Monday, in the branch's calendar.
    pub monday: NaiveDate,
    /// The seven days.
    pub days: Vec<NaiveDate>,
    /// One row per active helper (and per other helper with a visit this week), by name.
    pub rows: Vec<HelperRow>,
    /// Visits in the week.
    pub visit_count: usize,
}

/// One helper's week.
#[derive(Debug, Serialize)]
pub struct HelperRow {
    /// Helper.
    pub helper_id: HelperId,
    /// Name.
    pub name: String,
    /// Where the helper stands (a paused or left helper's row shows why their visits need cover).
    pub status: HelperStatus,
    /// Visits per day, Monday first, each day in start order.
    pub days: Vec<Vec<BoardVisit>>,
}

/// A visit as a block on the board: only what the block shows (a board holds thousands).
#[derive(Debug, Serialize)]
pub struct BoardVisit {
    /// Visit.
    pub id: VisitId,
    /// Client.
    pub client_id: ClientId,
    /// The client's name.
    pub client_name: String,
    /// Local start, `HH:MM`.
    pub start: String,
    /// Local end, `HH:MM`.
    pub end: String,
    /// Length in minutes.
    pub minutes: i32,
    /// Tasks.
    pub segments: Vec<visits::Segment>,
    /// Where the visit stands.
    pub status: VisitStatus,
    /// Booked with a helper from outside the team.
    pub substitute: bool,
    /// Why the branch must look at it.
    pub attention: Option<crate::domain::VisitAttention>,
    /// Check-in or check-out far from the home.
    pub position_flagged: bool,
}

/// What needs the leader, beside the week.
#[derive(Debug, Serialize)]
pub struct Attention {
    /// Clients whose team is below two helpers or below what they want.
    pub short_of_helpers: Vec<ShortOfHelpers>,
    /// Clients with this many free minutes or fewer.
    pub low_on_hours: Vec<LowClient>,
    /// Visits from today on that the branch must look at.
    pub visits: Vec<VisitView>,
    /// Booked visits whose start has passed without a check-in (the last seven days).
    pub not_checked_in: Vec<VisitView>,
}

/// A client short of helpers.
#[derive(Debug, Serialize)]
pub struct ShortOfHelpers {
    /// Client.
    pub client_id: ClientId,
    /// Name.
    pub name: String,
    /// Current helpers.
    pub team: usize,
    /// Helpers wanted.
    pub wanted: i32,
}

/// A client low on hours.
#[derive(Debug, Serialize)]
pub struct LowClient {
    /// Client.
    pub client_id: ClientId,
    /// Name.
    pub name: String,
    /// Minutes free to book.
    pub available_minutes: i64,
}

/// The Monday of the week that holds `day`.
pub fn monday_of(day: NaiveDate) -> NaiveDate {
    day - Duration::days(i64::from(day.weekday().num_days_from_monday()))
}

/// The week from `monday` of a branch the caller manages (else 404; the branch as `managed`
/// read it, so a page reads it once).
pub fn week(
    conn: &mut DbConnection,
    caller: &Caller,
    branch: &Branch,
    monday: NaiveDate,
) -> Result<Week, ApiError> {
    if !caller.manages_branch(branch.id) {
        return Err(ApiError::NotFound);
    }
    let branch_id = branch.id;
    let monday = monday_of(monday);
    let days: Vec<NaiveDate> = (0..7).map(|d| monday + Duration::days(d)).collect();
    let from = local_midnight(&branch.time_zone, monday);
    let to = local_midnight(&branch.time_zone, monday + Duration::days(7));
    let shown: Vec<VisitStatus> = VisitStatus::ALL
        .iter()
        .copied()
        .filter(|s| *s != VisitStatus::Cancelled)
        .collect();
    let found = Visit::board_rows(conn, branch_id, &shown, from, to)?;
    let visit_count = found.len();
    let tz = visits::time_zone(branch);
    let mut by_helper: HashMap<HelperId, Vec<Vec<BoardVisit>>> = HashMap::new();
    let helper_ids: Vec<HelperId> = found.iter().map(|(v, _)| v.helper_id).collect();
    for (visit, client_name) in found {
        let start = visit.starts_at.and_utc().with_timezone(&tz);
        let end = visit.ends_at.and_utc().with_timezone(&tz);
        let day = (start.date_naive() - monday).num_days().clamp(0, 6) as usize;
        let block = BoardVisit {
            id: visit.id,
            client_id: visit.client_id,
            client_name,
            start: clock(start.hour(), start.minute()),
            end: clock(end.hour(), end.minute()),
            minutes: visit.minutes,
            segments: serde_json::from_str(&visit.segments).unwrap_or_default(),
            status: visit.status,
            substitute: visit.substitute,
            attention: visit.attention,
            position_flagged: visit.position_flagged,
        };
        by_helper
            .entry(visit.helper_id)
            .or_insert_with(|| (0..7).map(|_| Vec::new()).collect())[day]
            .push(block);
    }
    let active = Helper::names_in_branch(conn, branch_id, HelperStatus::Active)?;
    let mut helpers: BTreeMap<HelperId, (String, HelperStatus)> = active
        .into_iter()
        .map(|(id, name)| (id, (name, HelperStatus::Active)))
        .collect();
    let others: Vec<HelperId> = helper_ids
        .into_iter()
        .filter(|id| !helpers.contains_key(id))
        .collect();
    for id in others {
        if let std::collections::btree_map::Entry::Vacant(slot) = helpers.entry(id) {
            let helper = Helper::find(conn, id)?;
            slot.insert((helper.name, helper.status));
        }
    }
    let mut rows: Vec<HelperRow> = helpers
        .into_iter()
        .map(|(helper_id, (name, status))| HelperRow {
            helper_id,
            name,
            status,
            days: by_helper
                .remove(&helper_id)
                .unwrap_or_else(|| (0..7).map(|_| Vec::new()).collect()),
        })
        .collect();
    rows.sort_by(|a, b| {
        (
            a.status != HelperStatus::Active,
            a.name.to_lowercase(),
            a.helper_id,
        )
            .cmp(&(
                b.status != HelperStatus::Active,
                b.name.to_lowercase(),
                b.helper_id,
            ))
    });
    Ok(Week {
        monday,
        days,
        rows,
        visit_count,
    })
}

/// What needs the leader of a branch the caller manages (else 404), as of `now`.
pub fn attention(
    conn: &mut DbConnection,
    caller: &Caller,
    branch: &Branch,
    low_minutes: i64,
    free_hours: i64,
    now: NaiveDateTime,
) -> Result<Attention, ApiError> {
    let branch_id = branch.id;
    let mut short_of_helpers = vec![];
    let mut low_on_hours = vec![];
    for client in standing::of_branch(conn, caller, branch_id, low_minutes)? {
        if client.short_of_helpers {
            short_of_helpers.push(ShortOfHelpers {
                client_id: client.client_id,
                name: client.name.clone(),
                team: client.team,
                wanted: client.wanted,
            });
        }
        if client.low_on_hours {
            low_on_hours.push(LowClient {
                client_id: client.client_id,
                name: client.name,
                available_minutes: client.available_minutes,
            });
        }
    }
    let filter = |statuses: Vec<VisitStatus>, attention: Option<bool>, from, to| VisitFilter {
        scope: Scope::Branch(branch_id),
        statuses,
        needs_attention: attention,
        branch_id: Some(branch_id),
        helper_id: None,
        client_id: None,
        from,
        to,
        updated_since: None,
    };
    let day_start = now - Duration::hours(24);
    let flagged = Visit::list(
        conn,
        &filter(VisitStatus::ALL.to_vec(), Some(true), Some(day_start), None),
        None,
        200,
    )?;
    let late = Visit::list(
        conn,
        &filter(
            vec![VisitStatus::Booked],
            Some(false),
            Some(now - Duration::days(7)),
            Some(now),
        ),
        None,
        200,
    )?;
    Ok(Attention {
        short_of_helpers,
        low_on_hours,
        visits: visits::views(conn, flagged, free_hours)?,
        not_checked_in: visits::views(conn, late, free_hours)?,
    })
}

/// `HH:MM` without going through a format string (a board formats thousands of them).
fn clock(hour: u32, minute: u32) -> String {
    let digit = |d: u32| char::from_digit(d % 10, 10).unwrap_or('0');
    [
        digit(hour / 10),
        digit(hour),
        ':',
        digit(minute / 10),
        digit(minute),
    ]
    .into_iter()
    .collect()
}

/// The branch, when the caller manages it; 404 otherwise (as for a record one may not see).
pub fn managed(
    conn: &mut DbConnection,
    caller: &Caller,
    branch_id: BranchId,
) -> Result<Branch, ApiError> {
    if !caller.manages_branch(branch_id) {
        return Err(ApiError::NotFound);
    }
    Ok(Branch::find(conn, branch_id)?)
}

/// Midnight at the start of `day` in the branch's time zone, as stored (UTC).
pub fn local_midnight(time_zone: &str, day: NaiveDate) -> NaiveDateTime {
    let tz = visits::zone_named(time_zone);
    let midnight = day.and_hms_opt(0, 0, 0).unwrap_or_default();
    tz.from_local_datetime(&midnight)
        .earliest()
        .map(|t| t.naive_utc())
        .unwrap_or(midnight)
}
