//! Visits with the client's own helpers, paid by reserving clip-card minutes. Every change
//! locks the client and the helper rows first, so overlapping bookings and overdrawn
//! balances are impossible across processes on PostgreSQL and on SQLite.
//!
//! One file per use case: `booking` (book, reschedule), `ending` (cancel, no-show),
//! `attendance` (check in, check out, review), `attention` (visits whose helper cannot come).

mod attendance;
mod attention;
mod booking;
mod ending;
mod feedback;
mod listing;
mod mine;
mod open;
mod report;

use crate::domain::ids::{BranchId, ClientId, HelperId, SeriesId, VisitId};
use chrono::{DateTime, FixedOffset, NaiveDateTime};
use chrono_tz::Tz;
use serde::Serialize;

use crate::auth::Caller;
use crate::auth::policy::{Care, Right};
use crate::db::DbConnection;
use crate::db::models::branch::Branch;
use crate::db::models::client::Client;
use crate::db::models::ledger::Balance;
use crate::db::models::visit::{Visit, joint};
use crate::domain::{VisitAttention, VisitCover, VisitStatus};
use crate::error::ApiError;

pub use attendance::{Check, ReviewInput, check, review};
pub use attention::{recheck_helper, recheck_pair};
pub use booking::{book, reschedule, weekly_starts};
pub use ending::{
    Cancellation, LateCancellation, cancel, cancel_agreeing, cancel_for_erasure, no_show,
};
pub use feedback::{FeedbackInput, FeedbackView, feedback_on, give};
pub use listing::{VisitCursor, VisitListQuery, list, list_own, views};
pub use mine::{MyVisit, VisitPart, my_schedule};
pub use open::{
    OfferRound, OfferedAs, OpenInput, OpenVisit, accept, offer_round, offered_to_me, open,
};
pub use report::{
    ReportInput, ReportView, TaskDone, TaskReport, read_report, shown as report_shown,
};

/// One task of a visit, e.g. 30 minutes of cleaning.
#[derive(Debug, Clone, Serialize, eserde::Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Segment {
    /// A skill from the vocabulary.
    #[schema(value_type = crate::domain::Skill, example = "cleaning")]
    pub task: String,
    /// Minutes, in 30-minute steps.
    #[schema(example = 30)]
    pub minutes: i32,
}

/// Body of `POST /api/v1/visits`.
#[derive(Debug, eserde::Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"client_id": 1, "helper_id": 1, "starts_at": "2027-01-12T10:00:00+01:00",
    "segments": [{"task": "cleaning", "minutes": 30}, {"task": "it", "minutes": 30}]}))]
pub struct VisitInput {
    /// Client.
    pub client_id: ClientId,
    /// Helper: one of the client's current helpers (a substitute only when booked by the branch).
    pub helper_id: HelperId,
    /// Start, RFC 3339 with offset, on the quarter hour, e.g. `2026-12-01T10:00:00+01:00`.
    #[eserde(compat)]
    pub starts_at: DateTime<FixedOffset>,
    /// Tasks; their minutes add up to the visit's length.
    pub segments: Vec<Segment>,
    /// Book a helper from outside the client's team (branch staff only; the visit is flagged).
    #[serde(default)]
    pub substitute: bool,
    /// Repeat weekly at the same local time, for `visits.recurring_weeks_ahead` weeks unless `repeat_weeks` says otherwise.
    #[serde(default)]
    pub repeat_weekly: bool,
    /// Occurrences of a weekly series in all (1 = once); implies `repeat_weekly`.
    #[serde(default)]
    pub repeat_weeks: Option<u32>,
    /// A joint handover visit: this helper (the successor, on the client's team) comes with
    /// `helper_id`. Branch staff only, once (not weekly); the client's hours are charged once,
    /// both helpers' minutes count for payroll.
    #[serde(default)]
    pub joint_helper_id: Option<HelperId>,
}

/// Body of `PATCH /api/v1/visits/{id}`.
#[derive(Debug, Default, eserde::Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"starts_at": "2027-01-13T14:00:00+01:00"}))]
pub struct VisitPatch {
    /// New start.
    #[eserde(compat)]
    #[serde(default)]
    pub starts_at: Option<DateTime<FixedOffset>>,
    /// New tasks (and so length).
    #[serde(default)]
    pub segments: Option<Vec<Segment>>,
    /// Another of the client's helpers (the branch may also name a substitute).
    #[serde(default)]
    pub helper_id: Option<HelperId>,
}

/// Body of `POST /api/v1/visits/{id}/check-out`: the position, and the visit's report.
#[derive(Debug, eserde::Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"lat": 56.157, "lon": 10.205, "report": {"tasks": [{"done": true}], "concern": false}}))]
pub struct CheckOutInput {
    /// Latitude.
    pub lat: f64,
    /// Longitude.
    pub lon: f64,
    /// When the phone recorded the check-out, if it is sent later (no signal); RFC 3339.
    #[eserde(compat)]
    #[serde(default)]
    pub recorded_at: Option<DateTime<FixedOffset>>,
    /// What was done, per task, and any worry about the client (optional).
    #[serde(default)]
    pub report: Option<ReportInput>,
}

/// A helper's position at check-in or check-out.
#[derive(Debug, eserde::Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"lat": 56.157, "lon": 10.205}))]
pub struct PositionInput {
    /// Latitude.
    pub lat: f64,
    /// Longitude.
    pub lon: f64,
    /// When the phone recorded the check, if it is sent later (no signal at the door): accepted
    /// up to `visits.offline_sync_hours` back, and the visit is marked `synced_late`; RFC 3339.
    #[eserde(compat)]
    #[serde(default)]
    pub recorded_at: Option<DateTime<FixedOffset>>,
}

/// A visit as the API shows it: UTC plus the branch's local time, with the names a schedule shows.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct VisitView {
    /// Id.
    pub id: VisitId,
    /// Branch.
    pub branch_id: BranchId,
    /// Client.
    pub client_id: ClientId,
    /// The client's name.
    pub client_name: String,
    /// The client's address (where the visit is).
    pub address: String,
    /// Helper.
    pub helper_id: HelperId,
    /// The helper's name.
    pub helper_name: String,
    /// First occurrence of a recurring booking.
    pub series_id: Option<SeriesId>,
    /// Start, UTC.
    pub starts_at: String,
    /// End, UTC.
    pub ends_at: String,
    /// Start in the branch's time zone.
    pub local_starts_at: String,
    /// End in the branch's time zone.
    pub local_ends_at: String,
    /// The branch's time zone.
    pub time_zone: String,
    /// Length in minutes.
    pub minutes: i32,
    /// Tasks.
    pub segments: Vec<Segment>,
    /// Where the visit stands.
    pub status: VisitStatus,
    /// Booked with a helper from outside the team.
    pub substitute: bool,
    /// Grows on each reschedule.
    pub sequence: i32,
    /// Until this moment (UTC) a cancellation is free; later the hours are used.
    pub free_cancellation_until: String,
    /// Cancelled inside the notice period.
    pub late_cancellation: bool,
    /// Check-in time (UTC).
    pub checked_in_at: Option<String>,
    /// Check-out time (UTC).
    pub checked_out_at: Option<String>,
    /// Distance from the home at check-in, metres.
    pub check_in_distance_m: Option<i64>,
    /// Distance from the home at check-out, metres.
    pub check_out_distance_m: Option<i64>,
    /// Check-in or check-out too far from the home.
    pub position_flagged: bool,
    /// A check-in or check-out reached the service late (recorded offline, sent later).
    pub synced_late: bool,
    /// Why the branch must look at this visit (its helper cannot come, or attendance is unverified).
    pub attention: Option<VisitAttention>,
    /// Since when (UTC).
    pub attention_since: Option<String>,
    /// Minutes taken from the clip card and paid, once attendance is verified or reviewed.
    pub consumed_minutes: Option<i32>,
    /// Whether somebody comes: `open` while its helper cannot come and other helpers are
    /// offered it, `uncovered` when nobody took it by the deadline.
    pub cover: VisitCover,
    /// A joint handover visit's second helper: the successor, who comes with `helper_id`.
    pub joint_helper_id: Option<HelperId>,
}

/// What a booking answers.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Booking {
    /// The visits booked (several for a recurring booking).
    pub visits: Vec<VisitView>,
    /// The client's balance afterwards.
    pub balance: Balance,
    /// True when the balance is at or below the low-balance mark.
    pub low_balance: bool,
}

fn utc(at: NaiveDateTime) -> String {
    at.and_utc()
        .to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
}

/// The branch's time zone (validated when the branch was saved).
pub fn time_zone(branch: &Branch) -> Tz {
    zone_named(&branch.time_zone)
}

/// A stored IANA time-zone name as a zone; names are validated when a branch is saved.
pub fn zone_named(name: &str) -> Tz {
    name.parse().unwrap_or(chrono_tz::Europe::Copenhagen)
}

/// The names a schedule shows next to a visit.
#[derive(Debug, Clone, Default)]
pub struct VisitNames {
    /// Client's name.
    pub client_name: String,
    /// Client's address.
    pub address: String,
    /// Helper's name.
    pub helper_name: String,
    /// A joint handover visit's second helper.
    pub joint_helper_id: Option<HelperId>,
}

/// When a cancellation stops being free: stored at booking; older rows fall back to the rule.
pub fn free_cancellation_until(visit: &Visit, free_hours: i64) -> NaiveDateTime {
    visit
        .free_cancellation_until
        .unwrap_or(visit.starts_at - chrono::Duration::hours(free_hours))
}

/// Shapes a visit for the API.
pub fn view(visit: Visit, branch: &Branch, names: VisitNames, free_hours: i64) -> VisitView {
    let tz = time_zone(branch);
    let local = |at: NaiveDateTime| {
        at.and_utc()
            .with_timezone(&tz)
            .to_rfc3339_opts(chrono::SecondsFormat::Secs, false)
    };
    VisitView {
        id: visit.id,
        branch_id: visit.branch_id,
        client_id: visit.client_id,
        client_name: names.client_name,
        address: names.address,
        helper_id: visit.helper_id,
        helper_name: names.helper_name,
        series_id: visit.series_id,
        starts_at: utc(visit.starts_at),
        ends_at: utc(visit.ends_at),
        local_starts_at: local(visit.starts_at),
        local_ends_at: local(visit.ends_at),
        time_zone: branch.time_zone.clone(),
        minutes: visit.minutes,
        segments: serde_json::from_str(&visit.segments).unwrap_or_default(),
        status: visit.status,
        substitute: visit.substitute,
        sequence: visit.sequence,
        free_cancellation_until: utc(free_cancellation_until(&visit, free_hours)),
        late_cancellation: visit.late_cancellation,
        checked_in_at: visit.checked_in_at.map(utc),
        checked_out_at: visit.checked_out_at.map(utc),
        check_in_distance_m: visit.check_in_distance_m,
        check_out_distance_m: visit.check_out_distance_m,
        position_flagged: visit.position_flagged,
        synced_late: visit.synced_late,
        attention: visit.attention,
        attention_since: visit.attention_since.map(utc),
        consumed_minutes: visit.consumed_minutes,
        cover: visit.cover(crate::db::models::now()),
        joint_helper_id: names.joint_helper_id,
    }
}

/// Shapes one visit, loading its branch and names.
pub fn view_one(
    conn: &mut DbConnection,
    visit: Visit,
    free_hours: i64,
) -> Result<VisitView, ApiError> {
    let branch = Branch::find(conn, visit.branch_id)?;
    let names = listing::names_for(conn, std::slice::from_ref(&visit))?
        .remove(&visit.id)
        .unwrap_or_default();
    Ok(view(visit, &branch, names, free_hours))
}

/// Loads a visit the caller may see: staff of its branch, its helper, or the client side
/// with the view right; 404 for anyone else.
fn visible(conn: &mut DbConnection, caller: &Caller, id: VisitId) -> Result<Visit, ApiError> {
    let visit = Visit::find(conn, id)?;
    // A joint visit's second helper sees it as its helper does.
    let sees = |helper_id| {
        caller.sees_care(Care {
            branch_id: visit.branch_id,
            client_id: visit.client_id,
            helper_id,
        })
    };
    if sees(visit.helper_id) || joint::helper_of(conn, visit.id)?.is_some_and(sees) {
        Ok(visit)
    } else {
        Err(ApiError::NotFound)
    }
}

/// One visit.
pub fn get(
    conn: &mut DbConnection,
    caller: &Caller,
    free_hours: i64,
    id: VisitId,
) -> Result<VisitView, ApiError> {
    let visit = visible(conn, caller, id)?;
    view_one(conn, visit, free_hours)
}

/// Whether the caller may book, move and cancel the client's visits (staff of the branch,
/// or the client side with the book right); a relative without it gets 403.
fn require_booker(
    conn: &mut DbConnection,
    caller: &Caller,
    client_id: ClientId,
) -> Result<crate::db::models::client::Client, ApiError> {
    caller.may_book()?;
    let client = Client::find(conn, client_id)?;
    caller.may_act_for(client.branch_id, client.id, Right::Book)?;
    Ok(client)
}
