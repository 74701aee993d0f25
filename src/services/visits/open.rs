//! Open visits: when a booked visit's helper cannot come — they said so (`open`), or they
//! paused, left, became unavailable or the pair ended (`attention`) — the visit is offered to
//! the client's other current helpers, and after `visits.open_offer_delay_hours` (at once when
//! it starts within `visits.open_offer_branch_within_hours`) to the branch's other active
//! helpers who are free then, nearest first. The first to accept takes it; the client's hours
//! stay reserved throughout. Nobody has taken it `visits.open_cover_deadline_hours` before the
//! start: it is uncovered and the branch leaders are alerted; the branch may still give it to
//! someone or cancel it, free.

use chrono::{DateTime, Duration, NaiveDateTime, Utc};
use serde::Serialize;

use super::{VisitView, time_zone, view_one, visible};
use crate::auth::Caller;
use crate::config::VisitSettings;
use crate::db::models::assignment::{Assignment, AssignmentFilter, PairsShown};
use crate::db::models::availability::Availability;
use crate::db::models::branch::Branch;
use crate::db::models::client::Client;
use crate::db::models::feedback::Exclusion;
use crate::db::models::helper::{Helper, HelperFilter};
use crate::db::models::visit::{Visit, VisitOffer, Whose};
use crate::db::models::{from_json_list, now};
use crate::db::{DbConnection, Scope};
use crate::domain::ids::{HelperId, VisitId};
use crate::domain::{HelperStatus, HomeTrait, Text, VisitAttention, VisitStatus};
use crate::error::ApiError;
use crate::matching::distance_m;
use crate::services::mailings;

/// Body of `POST /api/v1/visits/{id}/open`.
#[derive(Debug, eserde::Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"reason": "exam that day"}))]
pub struct OpenInput {
    /// Why the helper cannot come (1–500 characters; the branch sees it).
    pub reason: String,
}

/// Who an open visit is offered to first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum OfferedAs {
    /// One of the client's current helpers.
    Team,
    /// Another free helper of the branch (would come as a substitute).
    Substitute,
}

/// An open visit as a helper who may take it sees it.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct OpenVisit {
    /// The visit: when, where, how long, which tasks.
    pub visit: VisitView,
    /// Whether the caller is on the client's team or would come as a substitute.
    pub offered_as: OfferedAs,
    /// From the helper's home to the client's, metres.
    pub distance_m: i64,
}

/// The visit's helper (or the branch) says the helper cannot come: the visit is open. The hours
/// stay reserved; the client's side and the branch leaders are told, and the helpers it is
/// offered to are mailed.
pub fn open(
    conn: &mut DbConnection,
    caller: &Caller,
    settings: &VisitSettings,
    id: VisitId,
    input: OpenInput,
) -> Result<VisitView, ApiError> {
    let reason = Text::required(&input.reason, 500).map_err(|m| ApiError::field("reason", m))?;
    crate::db::write_transaction(conn, |conn| {
        let seen = visible(conn, caller, id)?;
        if !caller.manages_branch(seen.branch_id) && caller.helper_id() != Some(seen.helper_id) {
            return Err(ApiError::Forbidden(
                "only the visit's helper or the branch can say the helper cannot come".into(),
            ));
        }
        Visit::lock_people(conn, seen.client_id, seen.helper_id)?;
        let mut visit = Visit::find(conn, id)?;
        let at = now();
        if visit.status != VisitStatus::Booked || visit.starts_at <= at {
            return Err(ApiError::Conflict(format!(
                "only a booked visit that has not started can be opened; this one is {}",
                visit.status
            )));
        }
        if visit.is_open(at) {
            return Err(ApiError::Conflict(
                "the visit is already open: its helper cannot come".into(),
            ));
        }
        visit.attention = Some(VisitAttention::HelperDeclined);
        visit.attention_since = Some(at);
        visit.open_reason = Some(reason.into_string());
        if visit.starts_at <= at + Duration::hours(settings.open_offer_branch_within_hours) {
            visit.offered_branch_at = Some(at);
        }
        visit.updated_at = at;
        Visit::save(conn, &visit)?;
        mailings::needs_attention(conn, std::slice::from_ref(&visit))?;
        offer(conn, settings, &visit, at)?;
        view_one(conn, visit, settings.free_cancellation_hours)
    })
}

/// The open visits the calling helper may take now, team visits first, then nearest first.
pub fn offered_to_me(
    conn: &mut DbConnection,
    caller: &Caller,
    settings: &VisitSettings,
) -> Result<Vec<OpenVisit>, ApiError> {
    let Some(me) = caller.helper.filter(|h| h.active) else {
        return Err(ApiError::Forbidden(
            "only active helpers are offered open visits".into(),
        ));
    };
    let helper = Helper::find(conn, me.helper_id)?;
    let branch = Branch::find(conn, helper.branch_id)?;
    let at = now();
    let mut offered = vec![];
    for visit in Visit::open_after(conn, Some(helper.branch_id), at)? {
        let client = Client::find_any(conn, visit.client_id)?;
        if let Some(offered_as) = offered_as(conn, settings, &visit, &client, &branch, &helper)? {
            let distance = distance_m(client.lat, client.lon, helper.home_lat, helper.home_lon);
            offered.push((offered_as, distance, visit));
        }
    }
    offered.sort_by_key(|(offered_as, distance, visit)| {
        (*offered_as != OfferedAs::Team, *distance, visit.starts_at)
    });
    offered
        .into_iter()
        .map(|(offered_as, distance_m, visit)| {
            Ok(OpenVisit {
                visit: view_one(conn, visit, settings.free_cancellation_hours)?,
                offered_as,
                distance_m,
            })
        })
        .collect()
}

/// The calling helper takes an open visit offered to them. Exactly one of many concurrent
/// accepts wins: each locks the client's row first, and the losers find the visit no longer
/// open (409). The client's side gets the new helper and an updated invite, the helper who
/// could not come a cancellation, the others offered it word that it is taken.
pub fn accept(
    conn: &mut DbConnection,
    caller: &Caller,
    settings: &VisitSettings,
    id: VisitId,
) -> Result<VisitView, ApiError> {
    let Some(me) = caller.helper.filter(|h| h.active) else {
        return Err(ApiError::Forbidden(
            "only active helpers take open visits".into(),
        ));
    };
    crate::db::write_transaction(conn, |conn| {
        let seen = Visit::find(conn, id)?;
        if seen.branch_id != me.branch_id {
            return Err(ApiError::NotFound);
        }
        Visit::lock_people(conn, seen.client_id, me.helper_id)?;
        let mut visit = Visit::find(conn, id)?;
        let at = now();
        if !visit.is_open(at) {
            return Err(ApiError::Conflict(
                "the visit is not open: another helper took it, or it changed".into(),
            ));
        }
        if visit.helper_id == me.helper_id {
            return Err(ApiError::Conflict(
                "you are the helper who cannot come to this visit".into(),
            ));
        }
        let helper = Helper::find(conn, me.helper_id)?;
        let client = Client::find_any(conn, visit.client_id)?;
        let branch = Branch::find(conn, visit.branch_id)?;
        let offered_as = offered_as(conn, settings, &visit, &client, &branch, &helper)?
            .ok_or(ApiError::NotFound)?;
        let previous = visit.helper_id;
        let opened = visit.attention_since.unwrap_or(at);
        visit.helper_id = helper.id;
        visit.substitute = offered_as == OfferedAs::Substitute;
        visit.clear_attention();
        visit.sequence += 1;
        visit.updated_at = at;
        Visit::save(conn, &visit)?;
        let others: Vec<HelperId> = VisitOffer::helpers(conn, visit.id, opened)?
            .into_iter()
            .filter(|h| *h != helper.id && *h != previous)
            .collect();
        VisitOffer::clear(conn, visit.id)?;
        mailings::rescheduled(conn, &visit, previous)?;
        mailings::offer_taken(conn, &visit, &others)?;
        tracing::info!(
            visit.id = visit.id.0,
            helper.id = helper.id.0,
            "open visit taken"
        );
        view_one(conn, visit, settings.free_cancellation_hours)
    })
}

/// Whether `helper` may take the open `visit` now, and as what: not its own helper, active in
/// its branch, not ruled out for the client ("don't pair us again") nor avoiding a trait of
/// the home (matching rules 3 and 4), a shared language when the client lists any, free then (declared hours, no
/// exception, no other visit within the travel buffer); on the client's team, or — once the
/// offer has widened — any other helper of the branch.
fn offered_as(
    conn: &mut DbConnection,
    settings: &VisitSettings,
    visit: &Visit,
    client: &Client,
    branch: &Branch,
    helper: &Helper,
) -> Result<Option<OfferedAs>, ApiError> {
    if helper.id == visit.helper_id
        || helper.status != HelperStatus::Active
        || helper.branch_id != visit.branch_id
        || helper.deleted_at.is_some()
    {
        return Ok(None);
    }
    let home_avoided = HomeTrait::conflict(
        &from_json_list(&client.home_traits),
        &from_json_list(&helper.avoids),
    );
    if home_avoided || Exclusion::applies(conn, visit.client_id, helper.id)? {
        return Ok(None);
    }
    let team = Assignment::is_open(conn, visit.client_id, helper.id)?;
    if !team && visit.offered_branch_at.is_none() {
        return Ok(None);
    }
    let wanted = from_json_list(&client.languages);
    let spoken = from_json_list(&helper.languages);
    if !wanted.is_empty() && !wanted.iter().any(|l| spoken.contains(l)) {
        return Ok(None);
    }
    let tz = time_zone(branch);
    if Availability::unavailable(conn, helper.id, &tz, visit.starts_at, visit.ends_at)?.is_some() {
        return Ok(None);
    }
    let buffer = Duration::minutes(settings.travel_buffer_minutes);
    let busy = Visit::overlapping(
        conn,
        Whose::Helper(helper.id),
        visit.starts_at - buffer,
        visit.ends_at + buffer,
        Some(visit.id),
    )?;
    if !busy.is_empty() {
        return Ok(None);
    }
    Ok(Some(if team {
        OfferedAs::Team
    } else {
        OfferedAs::Substitute
    }))
}

/// Mails the helpers the open visit is offered to now and who were not told yet; call with the
/// visit's people locked. Returns how many were told.
fn offer(
    conn: &mut DbConnection,
    settings: &VisitSettings,
    visit: &Visit,
    at: NaiveDateTime,
) -> Result<usize, ApiError> {
    let client = Client::find_any(conn, visit.client_id)?;
    let branch = Branch::find(conn, visit.branch_id)?;
    let told = VisitOffer::helpers(conn, visit.id, visit.attention_since.unwrap_or(at))?;
    let candidates: Vec<Helper> = if visit.offered_branch_at.is_some() {
        Helper::list(
            conn,
            &HelperFilter::active_in(visit.branch_id),
            0,
            i64::MAX / 2,
        )?
    } else {
        let filter = AssignmentFilter {
            scope: Scope::Branch(visit.branch_id),
            client_id: Some(visit.client_id),
            helper_id: None,
            shown: PairsShown::Open,
        };
        let pairs = Assignment::list(conn, &filter, 0, i64::MAX / 2)?;
        let mut team = Vec::with_capacity(pairs.len());
        for pair in pairs.iter().filter(|p| !told.contains(&p.helper_id)) {
            team.push(Helper::find(conn, pair.helper_id)?);
        }
        team
    };
    let mut newly = vec![];
    for helper in candidates.into_iter().filter(|h| !told.contains(&h.id)) {
        if offered_as(conn, settings, visit, &client, &branch, &helper)?.is_some() {
            VisitOffer::record(conn, visit.id, helper.id, at)?;
            newly.push(helper);
        }
    }
    mailings::offered(conn, visit, &client, &branch, &newly)?;
    Ok(newly.len())
}

/// What one round of the open-visit job did.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct OfferRound {
    /// Helpers told about an open visit.
    pub offers: usize,
    /// Visits whose offer widened to the branch.
    pub widened: usize,
    /// Visits found uncovered (the branch leaders alerted).
    pub uncovered: usize,
}

/// The open-visit job, at `now`: offers each open visit to the helpers it has become offered
/// to (a visit the attention rules opened is offered to its team here), widens the offer to the
/// branch once its delay has passed or its start is near, and marks it uncovered at the
/// deadline. Each step is a conditional update or a once-per-helper row, so instances running
/// it side by side do each thing once.
pub fn offer_round(
    conn: &mut DbConnection,
    settings: &VisitSettings,
    now: DateTime<Utc>,
) -> Result<OfferRound, ApiError> {
    let at = now.naive_utc();
    let mut round = OfferRound::default();
    for listed in Visit::open_after(conn, None, at)? {
        crate::db::write_transaction(conn, |conn| {
            Visit::lock_people(conn, listed.client_id, listed.helper_id)?;
            let mut visit = Visit::find(conn, listed.id)?;
            if !visit.is_open(at) {
                return Ok::<_, ApiError>(());
            }
            let opened = visit.attention_since.unwrap_or(at);
            let widen_due = opened + Duration::hours(settings.open_offer_delay_hours) <= at
                || visit.starts_at <= at + Duration::hours(settings.open_offer_branch_within_hours);
            if visit.offered_branch_at.is_none()
                && widen_due
                && Visit::widen_offer(conn, visit.id, at)?
            {
                visit.offered_branch_at = Some(at);
                round.widened += 1;
            }
            round.offers += offer(conn, settings, &visit, at)?;
            let deadline = visit.starts_at - Duration::hours(settings.open_cover_deadline_hours);
            if visit.uncovered_at.is_none()
                && deadline <= at
                && Visit::mark_uncovered(conn, visit.id, at)?
            {
                visit.uncovered_at = Some(at);
                mailings::uncovered(conn, &visit)?;
                round.uncovered += 1;
            }
            Ok(())
        })?;
    }
    Ok(round)
}
