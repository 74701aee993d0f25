//! Booking visits with the client's own helpers, paid by reserving clip-card minutes.
//! Every booking locks the client and the helper rows first, so overlapping bookings and
//! overdrawn balances are impossible across processes on PostgreSQL and on SQLite.

use chrono::{DateTime, Duration, FixedOffset, NaiveDateTime, Utc};
use chrono_tz::Tz;
use serde::{Deserialize, Serialize};

use super::availability;
use super::clip_cards::{self, Right};
use super::visit_mail;
use crate::auth::Caller;
use crate::auth::policy::Reach;
use crate::config::VisitSettings;
use crate::db::models::assignment::Assignment;
use crate::db::models::branch::Branch;
use crate::db::models::client::Client;
use crate::db::models::helper::Helper;
use crate::db::models::ledger::{Balance, LedgerEntry, NewLedgerEntry};
use crate::db::models::now;
use crate::db::models::visit::{NewVisit, Visit, VisitFilter};
use crate::db::{DbConnection, Page};
use crate::domain::{HelperStatus, Skill};
use crate::error::{ApiError, FieldError};
use crate::matching::distance_m;

/// One task of a visit, e.g. 30 minutes of cleaning.
#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Segment {
    /// A skill from the vocabulary.
    pub task: String,
    /// Minutes, in 30-minute steps.
    pub minutes: i32,
}

/// Body of `POST /api/v1/visits`.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct VisitInput {
    /// Client.
    pub client_id: i64,
    /// Helper: one of the client's current helpers (a substitute only when booked by the branch).
    pub helper_id: i64,
    /// Start, RFC 3339 with offset, e.g. `2026-12-01T10:00:00+01:00`.
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
    pub repeat_weeks: Option<u32>,
}

/// Body of `PATCH /api/v1/visits/{id}`.
#[derive(Debug, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct VisitPatch {
    /// New start.
    pub starts_at: Option<DateTime<FixedOffset>>,
    /// New tasks (and so length).
    pub segments: Option<Vec<Segment>>,
    /// Another of the client's helpers.
    pub helper_id: Option<i64>,
}

/// A helper's position at check-in or check-out.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PositionInput {
    /// Latitude.
    pub lat: f64,
    /// Longitude.
    pub lon: f64,
}

/// A visit as the API shows it: UTC plus the branch's local time.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct VisitView {
    /// Id.
    pub id: i64,
    /// Branch.
    pub branch_id: i64,
    /// Client.
    pub client_id: i64,
    /// Helper.
    pub helper_id: i64,
    /// First occurrence of a recurring booking.
    pub series_id: Option<i64>,
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
    /// `booked`, `checked_in`, `completed`, `cancelled`, `no_show`.
    pub status: String,
    /// Booked with a helper from outside the team.
    pub substitute: bool,
    /// Grows on each reschedule.
    pub sequence: i32,
    /// Cancelled inside the notice period.
    pub late_cancellation: bool,
    /// Distance from the home at check-in, metres.
    pub check_in_distance_m: Option<i64>,
    /// Distance from the home at check-out, metres.
    pub check_out_distance_m: Option<i64>,
    /// Check-in or check-out too far from the home.
    pub position_flagged: bool,
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

fn time_zone(branch: &Branch) -> Tz {
    branch
        .time_zone
        .parse()
        .unwrap_or(chrono_tz::Europe::Copenhagen)
}

/// Shapes a visit for the API.
pub fn view(visit: Visit, branch: &Branch) -> VisitView {
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
        helper_id: visit.helper_id,
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
        late_cancellation: visit.late_cancellation,
        check_in_distance_m: visit.check_in_distance_m,
        check_out_distance_m: visit.check_out_distance_m,
        position_flagged: visit.position_flagged,
    }
}

/// Checks tasks and returns (total minutes, segments JSON).
fn segments(settings: &VisitSettings, segments: &[Segment]) -> Result<(i32, String), ApiError> {
    let mut errors = vec![];
    if segments.is_empty() {
        errors.push(FieldError::new("segments", "list at least one task"));
    }
    for (i, s) in segments.iter().enumerate() {
        if let Err(m) = Skill::parse(&s.task) {
            errors.push(FieldError::new(format!("segments[{i}].task"), m));
        }
        if s.minutes <= 0 || s.minutes % 30 != 0 {
            errors.push(FieldError::new(
                format!("segments[{i}].minutes"),
                "must be a positive multiple of 30",
            ));
        }
    }
    let total: i64 = segments.iter().map(|s| i64::from(s.minutes)).sum();
    if errors.is_empty()
        && !(i64::from(settings.min_minutes)..=i64::from(settings.max_minutes)).contains(&total)
    {
        errors.push(FieldError::new(
            "segments",
            format!(
                "a visit lasts {} to {} minutes",
                settings.min_minutes, settings.max_minutes
            ),
        ));
    }
    if !errors.is_empty() {
        return Err(ApiError::Validation(errors));
    }
    let json = serde_json::to_string(segments).map_err(|e| ApiError::Internal(e.into()))?;
    Ok((total as i32, json))
}

/// Who may book for a client, and whether they may book a substitute.
fn check_booker(caller: &Caller, substitute: bool) -> Result<(), ApiError> {
    match caller.reach() {
        Reach::All | Reach::Branch(_) => Ok(()),
        Reach::Client(_) if !substitute => Ok(()),
        Reach::Client(_) => Err(ApiError::Forbidden(
            "only the branch can book a substitute helper".into(),
        )),
        _ => Err(ApiError::Forbidden(
            "helpers do not book visits; the branch or the client does".into(),
        )),
    }
}

/// Books one occurrence with every rule checked; the caller holds the transaction.
#[allow(clippy::too_many_arguments)]
fn book_one(
    conn: &mut DbConnection,
    caller: &Caller,
    settings: &VisitSettings,
    client: &Client,
    helper_id: i64,
    start: NaiveDateTime,
    minutes: i32,
    segments: &str,
    substitute: bool,
    series_id: Option<i64>,
) -> Result<Visit, ApiError> {
    Visit::lock_people(conn, client.id, helper_id)?;
    let helper = Helper::find(conn, helper_id)
        .ok()
        .filter(|h| h.branch_id == client.branch_id)
        .ok_or_else(|| ApiError::field("helper_id", "no such helper in the client's branch"))?;
    if helper.status != HelperStatus::Active.as_str() {
        return Err(ApiError::Conflict(format!(
            "the helper is {}, not active",
            helper.status
        )));
    }
    if !substitute && !Assignment::is_open(conn, client.id, helper_id)? {
        return Err(ApiError::field(
            "helper_id",
            "is not one of the client's helpers; the branch can book a substitute",
        ));
    }
    let end = start + Duration::minutes(i64::from(minutes));
    if start <= now() {
        return Err(ApiError::field("starts_at", "must be in the future"));
    }
    let branch = Branch::find(conn, client.branch_id)?;
    availability::check(conn, helper_id, &time_zone(&branch), start, end)?;
    let buffer = Duration::minutes(settings.travel_buffer_minutes);
    if !Visit::overlapping(
        conn,
        Some(helper_id),
        None,
        start - buffer,
        end + buffer,
        None,
    )?
    .is_empty()
    {
        return Err(ApiError::Conflict(
            "the helper already has a visit then (travel time included)".into(),
        ));
    }
    if !Visit::overlapping(conn, None, Some(client.id), start, end, None)?.is_empty() {
        return Err(ApiError::Conflict(
            "the client already has a visit then".into(),
        ));
    }
    let at = now();
    let visit = Visit::insert(
        conn,
        &NewVisit {
            branch_id: client.branch_id,
            client_id: client.id,
            helper_id,
            series_id,
            starts_at: start,
            ends_at: end,
            minutes,
            segments: segments.to_string(),
            status: "booked".into(),
            substitute,
            sequence: 0,
            booked_by: Some(caller.user_id),
            late_cancellation: false,
            position_flagged: false,
            created_at: at,
            updated_at: at,
        },
    )?;
    clip_cards::reserve(conn, &visit, caller.user_id)?;
    Ok(visit)
}

/// The starts of a weekly series at the same local wall-clock time, across DST changes.
pub fn weekly_starts(first: DateTime<Utc>, tz: &Tz, weeks: u32) -> Vec<NaiveDateTime> {
    let local = first.with_timezone(tz).naive_local();
    (0..weeks)
        .filter_map(|week| {
            let wall = local + Duration::weeks(i64::from(week));
            // In the spring-forward gap the wall time does not exist: take the hour after.
            let resolved = wall.and_local_timezone(*tz).earliest().or_else(|| {
                (wall + Duration::hours(1))
                    .and_local_timezone(*tz)
                    .earliest()
            });
            resolved.map(|t| t.naive_utc())
        })
        .collect()
}

/// Books a visit, or a weekly series all-or-nothing.
pub fn book(
    conn: &mut DbConnection,
    caller: &Caller,
    settings: &VisitSettings,
    input: VisitInput,
) -> Result<Booking, ApiError> {
    check_booker(caller, input.substitute)?;
    let (minutes, segments_json) = segments(settings, &input.segments)?;
    let weeks = match (input.repeat_weeks, input.repeat_weekly) {
        (Some(weeks), _) => weeks,
        (None, true) => settings.recurring_weeks_ahead,
        (None, false) => 1,
    };
    if !(1..=52).contains(&weeks) {
        return Err(ApiError::field("repeat_weeks", "must be between 1 and 52"));
    }
    crate::db::write_transaction(conn, |conn| {
        let client = clip_cards::client_for(conn, caller, input.client_id, Right::Book)?;
        let branch = Branch::find(conn, client.branch_id)?;
        let starts = weekly_starts(
            input.starts_at.with_timezone(&Utc),
            &time_zone(&branch),
            weeks,
        );
        let mut booked = Vec::with_capacity(starts.len());
        let mut series = None;
        for (week, start) in starts.into_iter().enumerate() {
            let visit = book_one(
                conn,
                caller,
                settings,
                &client,
                input.helper_id,
                start,
                minutes,
                &segments_json,
                input.substitute,
                series,
            )
            .map_err(|e| match (e, weeks) {
                (ApiError::Conflict(m), 2..) => {
                    ApiError::Conflict(format!("week {}: {m}", week + 1))
                }
                (other, _) => other,
            })?;
            if weeks > 1 && series.is_none() {
                series = Some(visit.id);
                crate::db::models::visit::Visit::set_series(conn, visit.id, visit.id)?;
            }
            booked.push(Visit::find(conn, visit.id)?);
        }
        visit_mail::booked(conn, &client, &branch, &booked)?;
        let balance = LedgerEntry::balance(conn, client.id)?;
        let low_balance = balance.available_minutes <= settings.low_balance_minutes;
        if low_balance {
            visit_mail::low_balance(conn, &client, &branch, &balance)?;
        }
        Ok(Booking {
            low_balance,
            visits: booked.into_iter().map(|v| view(v, &branch)).collect(),
            balance,
        })
    })
}

/// Loads a visit the caller may see.
fn visible(conn: &mut DbConnection, caller: &Caller, id: i64) -> Result<Visit, ApiError> {
    let visit = Visit::find(conn, id)?;
    let allowed = match caller.reach() {
        Reach::All => true,
        Reach::Branch(branch) => visit.branch_id == branch,
        Reach::Helper(helper) => visit.helper_id == helper,
        Reach::Client(client) => {
            visit.client_id == client
                && clip_cards::client_for(conn, caller, client, Right::View).is_ok()
        }
        Reach::Nothing => false,
    };
    if allowed {
        Ok(visit)
    } else {
        Err(ApiError::NotFound)
    }
}

/// One visit.
pub fn get(conn: &mut DbConnection, caller: &Caller, id: i64) -> Result<VisitView, ApiError> {
    let visit = visible(conn, caller, id)?;
    let branch = Branch::find(conn, visit.branch_id)?;
    Ok(view(visit, &branch))
}

/// Visits in a period the caller may see, filtered by branch, helper or client.
pub fn list(
    conn: &mut DbConnection,
    caller: &Caller,
    mut filter: VisitFilter,
    page: Page,
) -> Result<Vec<VisitView>, ApiError> {
    match caller.reach() {
        Reach::All => {}
        Reach::Branch(branch) if filter.branch_id.is_none_or(|b| b == branch) => {
            filter.branch_id = Some(branch)
        }
        Reach::Helper(helper) => filter.helper_id = Some(helper),
        Reach::Client(client) => {
            clip_cards::client_for(conn, caller, client, Right::View)?;
            filter.client_id = Some(client);
        }
        _ => return Ok(vec![]),
    }
    let visits = Visit::list(conn, &filter, page.after, page.limit)?;
    let mut views = Vec::with_capacity(visits.len());
    let mut branch: Option<Branch> = None;
    for visit in visits {
        if branch.as_ref().is_none_or(|b| b.id != visit.branch_id) {
            branch = Some(Branch::find(conn, visit.branch_id)?);
        }
        if let Some(b) = &branch {
            views.push(view(visit, b));
        }
    }
    Ok(views)
}

/// Changes a booked visit's time, tasks or helper, with every booking rule re-checked.
pub fn reschedule(
    conn: &mut DbConnection,
    caller: &Caller,
    settings: &VisitSettings,
    id: i64,
    patch: VisitPatch,
) -> Result<VisitView, ApiError> {
    check_booker(caller, false)?;
    let new_segments = patch
        .segments
        .as_deref()
        .map(|s| segments(settings, s))
        .transpose()?;
    crate::db::write_transaction(conn, |conn| {
        let seen = visible(conn, caller, id)?;
        clip_cards::client_for(conn, caller, seen.client_id, Right::Book)?;
        let helper_id = patch.helper_id.unwrap_or(seen.helper_id);
        Visit::lock_people(conn, seen.client_id, helper_id)?;
        // Read again under the locks: a concurrent change may have landed in between.
        let mut visit = Visit::find(conn, id)?;
        if visit.status != "booked" {
            return Err(ApiError::Conflict(format!(
                "a {} visit cannot be moved",
                visit.status
            )));
        }
        let start = patch
            .starts_at
            .map(|t| t.with_timezone(&Utc).naive_utc())
            .unwrap_or(visit.starts_at);
        let (minutes, segments_json) = new_segments
            .clone()
            .unwrap_or((visit.minutes, visit.segments.clone()));
        let end = start + Duration::minutes(i64::from(minutes));
        if start <= now() {
            return Err(ApiError::field("starts_at", "must be in the future"));
        }
        if helper_id != visit.helper_id && !Assignment::is_open(conn, visit.client_id, helper_id)? {
            return Err(ApiError::field(
                "helper_id",
                "is not one of the client's helpers",
            ));
        }
        let branch = Branch::find(conn, visit.branch_id)?;
        availability::check(conn, helper_id, &time_zone(&branch), start, end)?;
        let buffer = Duration::minutes(settings.travel_buffer_minutes);
        if !Visit::overlapping(
            conn,
            Some(helper_id),
            None,
            start - buffer,
            end + buffer,
            Some(id),
        )?
        .is_empty()
        {
            return Err(ApiError::Conflict(
                "the helper already has a visit then (travel time included)".into(),
            ));
        }
        if !Visit::overlapping(conn, None, Some(visit.client_id), start, end, Some(id))?.is_empty()
        {
            return Err(ApiError::Conflict(
                "the client already has a visit then".into(),
            ));
        }
        let at = now();
        if minutes != visit.minutes {
            LedgerEntry::append(
                conn,
                &NewLedgerEntry::for_visit(
                    "release",
                    visit.client_id,
                    id,
                    visit.minutes,
                    caller.user_id,
                    at,
                ),
            )?;
            let resized = Visit {
                minutes,
                ..visit.clone()
            };
            clip_cards::reserve(conn, &resized, caller.user_id)?;
        }
        let previous_helper_id = visit.helper_id;
        visit.helper_id = helper_id;
        visit.starts_at = start;
        visit.ends_at = end;
        visit.minutes = minutes;
        visit.segments = segments_json;
        visit.sequence += 1;
        visit.updated_at = at;
        Visit::save(conn, &visit)?;
        visit_mail::rescheduled(conn, &visit, previous_helper_id)?;
        Ok(view(visit, &branch))
    })
}

/// Cancels a booked visit: free before the notice period, else its minutes are used.
pub fn cancel(
    conn: &mut DbConnection,
    caller: &Caller,
    settings: &VisitSettings,
    id: i64,
) -> Result<VisitView, ApiError> {
    check_booker(caller, false)?;
    crate::db::write_transaction(conn, |conn| {
        let visit = visible(conn, caller, id)?;
        clip_cards::client_for(conn, caller, visit.client_id, Right::Book)?;
        Visit::lock_people(conn, visit.client_id, visit.helper_id)?;
        let mut visit = Visit::find(conn, id)?;
        if visit.status != "booked" {
            return Err(ApiError::Conflict(format!(
                "a {} visit cannot be cancelled",
                visit.status
            )));
        }
        let at = now();
        let late = at > visit.starts_at - Duration::hours(settings.free_cancellation_hours);
        LedgerEntry::append(
            conn,
            &NewLedgerEntry::for_visit(
                if late { "charge" } else { "release" },
                visit.client_id,
                id,
                visit.minutes,
                caller.user_id,
                at,
            ),
        )?;
        visit.status = "cancelled".into();
        visit.cancelled_at = Some(at);
        visit.late_cancellation = late;
        visit.sequence += 1;
        visit.updated_at = at;
        Visit::save(conn, &visit)?;
        visit_mail::cancelled(conn, &visit)?;
        let branch = Branch::find(conn, visit.branch_id)?;
        Ok(view(visit, &branch))
    })
}

/// Records a no-show (branch staff): the minutes are used.
pub fn no_show(conn: &mut DbConnection, caller: &Caller, id: i64) -> Result<VisitView, ApiError> {
    caller.require_staff()?;
    crate::db::write_transaction(conn, |conn| {
        let mut visit = visible(conn, caller, id)?;
        Visit::lock_people(conn, visit.client_id, visit.helper_id)?;
        visit = Visit::find(conn, id)?;
        if visit.status != "booked" {
            return Err(ApiError::Conflict(format!(
                "a {} visit cannot become a no-show",
                visit.status
            )));
        }
        let at = now();
        LedgerEntry::append(
            conn,
            &NewLedgerEntry::for_visit(
                "charge",
                visit.client_id,
                id,
                visit.minutes,
                caller.user_id,
                at,
            ),
        )?;
        visit.status = "no_show".into();
        visit.updated_at = at;
        Visit::save(conn, &visit)?;
        let branch = Branch::find(conn, visit.branch_id)?;
        Ok(view(visit, &branch))
    })
}

/// The helper checks in (or out) with their position; too far from the home is flagged, not refused.
pub fn check(
    conn: &mut DbConnection,
    caller: &Caller,
    settings: &VisitSettings,
    id: i64,
    position: PositionInput,
    check_out: bool,
) -> Result<VisitView, ApiError> {
    let Reach::Helper(own) = caller.reach() else {
        return Err(ApiError::Forbidden(
            "only the visit's helper checks in and out".into(),
        ));
    };
    crate::domain::Position::parse(position.lat, position.lon)
        .map_err(|m| ApiError::field("lat", m))?;
    crate::db::write_transaction(conn, |conn| {
        let visit = visible(conn, caller, id)?;
        Visit::lock_people(conn, visit.client_id, visit.helper_id)?;
        let mut visit = Visit::find(conn, id)?;
        if visit.helper_id != own {
            return Err(ApiError::NotFound);
        }
        let client = Client::find(conn, visit.client_id)?;
        let distance = distance_m(position.lat, position.lon, client.lat, client.lon);
        let at = now();
        match (check_out, visit.status.as_str()) {
            (false, "booked") => {
                visit.status = "checked_in".into();
                visit.checked_in_at = Some(at);
                visit.check_in_distance_m = Some(distance);
            }
            (true, "checked_in") => {
                visit.status = "completed".into();
                visit.checked_out_at = Some(at);
                visit.check_out_distance_m = Some(distance);
                LedgerEntry::append(
                    conn,
                    &NewLedgerEntry::for_visit(
                        "consume",
                        visit.client_id,
                        id,
                        visit.minutes,
                        caller.user_id,
                        at,
                    ),
                )?;
            }
            (_, status) => {
                let action = if check_out {
                    "check out of"
                } else {
                    "check in to"
                };
                return Err(ApiError::Conflict(format!(
                    "cannot {action} a {status} visit"
                )));
            }
        }
        visit.position_flagged |= distance > settings.position_flag_distance_m;
        visit.updated_at = at;
        Visit::save(conn, &visit)?;
        if check_out {
            visit_mail::done(conn, &visit)?;
        }
        let branch = Branch::find(conn, visit.branch_id)?;
        Ok(view(visit, &branch))
    })
}
