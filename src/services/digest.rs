//! The branch leader's morning digest: what needs the branch, read in a handful of queries
//! whatever its size — clients short of helpers, visits in the next 7 days whose helper cannot
//! come (open, or uncovered past their deadline), clients whose hours run out within two weeks
//! at their booked rate, active helpers with no weekly availability declared, and applications
//! waiting in one stage longer than `digest.application_wait_days`.
//!
//! `GET /api/v1/branches/{id}/digest` shows it to the branch at any time; the mail job
//! (`services::mailings::send_digests`) sends it each morning.

use std::collections::HashMap;

use crate::auth::Caller;
use crate::config::DigestSettings;
use crate::db::DbConnection;
use crate::db::models::branch::Branch;
use crate::db::models::helper::Helper;
use crate::db::models::visit::Visit;
use crate::domain::digest::{
    Digest, HoursRunningOut, NamedHelper, ShortClient, VisitWithoutHelper, WaitingApplication,
};
use crate::domain::ids::{BranchId, ClientId};
use crate::error::ApiError;
use crate::services::clients::standing;
use crate::services::clip_cards::forecast;
use crate::services::visits::time_zone;
use chrono::{Duration, NaiveDateTime, SecondsFormat};

/// How far ahead the digest looks for visits without a helper.
pub const COVER_DAYS: i64 = 7;
/// How far ahead hours running out are named (as the forecast's mail).
pub const HOURS_DAYS: i64 = 14;

/// The digest of a branch the caller manages (else 404), as of `now`.
pub fn for_branch(
    conn: &mut DbConnection,
    caller: &Caller,
    branch_id: BranchId,
    settings: &DigestSettings,
    now: NaiveDateTime,
) -> Result<Digest, ApiError> {
    caller.require_branch(branch_id)?;
    let branch = Branch::find(conn, branch_id)?;
    compute(conn, &branch, settings, now)
}

/// The digest of `branch` as of `now` (for a caller already checked, or the mail job).
pub fn compute(
    conn: &mut DbConnection,
    branch: &Branch,
    settings: &DigestSettings,
    now: NaiveDateTime,
) -> Result<Digest, ApiError> {
    let tz = time_zone(branch);
    let today = now.and_utc().with_timezone(&tz).date_naive();
    let standings = standing::standings(conn, branch.id, 0)?;
    let names: HashMap<ClientId, &str> = standings
        .iter()
        .map(|s| (s.client_id, s.name.as_str()))
        .collect();
    let short_of_helpers = standings
        .iter()
        .filter(|s| s.short_of_helpers)
        .map(|s| ShortClient {
            client_id: s.client_id,
            name: s.name.clone(),
            team: s.team,
            complete_at: i64::from(s.wanted.max(2)),
        })
        .collect();
    let visits_without_helper =
        Visit::needing_cover(conn, branch.id, now, now + Duration::days(COVER_DAYS))?
            .into_iter()
            .map(|(visit, client_name)| VisitWithoutHelper {
                visit_id: visit.id,
                client_id: visit.client_id,
                client_name,
                starts_at: visit.starts_at.and_utc(),
                cover: visit.cover(now),
                attention: visit.attention,
            })
            .collect();
    let forecasts = forecast::of_branch(conn, branch, now)?;
    let mut soon: Vec<_> = forecasts
        .into_values()
        .filter_map(|f| {
            f.runs_out_on
                .filter(|day| *day <= today + Duration::days(HOURS_DAYS))
                .map(|day| (f.client_id, day, f.available_minutes))
        })
        .collect();
    soon.sort_by_key(|(client, day, _)| (*day, *client));
    let hours_running_out = soon
        .into_iter()
        .map(
            |(client_id, runs_out_on, available_minutes)| HoursRunningOut {
                name: names
                    .get(&client_id)
                    .copied()
                    .unwrap_or_default()
                    .to_string(),
                client_id,
                runs_out_on,
                available_minutes,
            },
        )
        .collect();
    let helpers_without_availability = Helper::active_without_availability(conn, branch.id)?
        .into_iter()
        .map(|(helper_id, name)| NamedHelper { helper_id, name })
        .collect();
    let wait = settings.application_wait_days;
    let waiting_applications = Helper::waiting_since(conn, branch.id, now - Duration::days(wait))?
        .into_iter()
        .map(|(helper_id, name, status, since)| WaitingApplication {
            helper_id,
            name,
            status,
            days: (now - since).num_days(),
        })
        .collect();
    Ok(Digest {
        branch_id: branch.id,
        day: today,
        at: now.and_utc().to_rfc3339_opts(SecondsFormat::Secs, true),
        short_of_helpers,
        visits_without_helper,
        hours_running_out,
        helpers_without_availability,
        waiting_applications,
        application_wait_days: wait,
    })
}
