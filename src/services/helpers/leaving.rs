//! A student announces the date they leave (graduation, moving): from that date they are
//! unavailable — booked visits on or after it open at once and are offered to the team — the
//! matcher proposes a successor for each of their clients (keep mode, the helper counted out),
//! the branch can book one joint handover visit before it where both come, and on the date
//! their pairs end by themselves (`end_departed`, a periodic job).

use chrono::{DateTime, Duration, NaiveDate, Utc};
use serde::Serialize;

use super::{HelperView, view, visible};
use crate::auth::Caller;
use crate::db::DbConnection;
use crate::db::models::assignment::Assignment;
use crate::db::models::audit::AuditEvent;
use crate::db::models::branch::Branch;
use crate::db::models::client::Client;
use crate::db::models::helper::{Helper, HelperChanges};
use crate::db::models::now;
use crate::domain::HelperStatus;
use crate::domain::audit::{AuditAction, AuditEntity};
use crate::domain::ids::{ClientId, HelperId};
use crate::error::ApiError;
use crate::services::matching::successors;
use crate::services::visits::{recheck_helper, recheck_pair, time_zone};

/// How far ahead a leave date may be announced.
pub const MAX_AHEAD_DAYS: i64 = 730;

/// Body of `PUT /api/v1/helpers/{id}/leaving`.
#[derive(Debug, eserde::Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"leaves_on": "2027-06-30"}))]
pub struct LeavingInput {
    /// The date the helper leaves (branch time): they work until the day before. After today,
    /// at most two years ahead.
    #[eserde(compat)]
    pub leaves_on: NaiveDate,
}

/// A successor proposed for one client, named.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Successor {
    /// Helper.
    pub helper_id: HelperId,
    /// Name.
    pub name: String,
}

/// What becomes of one client of the leaving helper.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ClientHandover {
    /// Client.
    pub client_id: ClientId,
    /// Name.
    pub name: String,
    /// The helpers the matcher proposes to join the client's team.
    pub successors: Vec<Successor>,
    /// Why nobody is proposed, if so.
    pub short_reason: Option<String>,
}

/// The handover of a leaving helper's clients.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Handover {
    /// The leaving helper.
    pub helper_id: HelperId,
    /// Their leave date.
    pub leaves_on: NaiveDate,
    /// Each client they serve now.
    pub clients: Vec<ClientHandover>,
}

fn audit(conn: &mut DbConnection, caller: &Caller, id: HelperId) -> Result<(), ApiError> {
    AuditEvent::record(
        conn,
        Some(caller.user_id),
        AuditAction::Update,
        AuditEntity::Helper,
        id,
        &["leaves_on"],
    )?;
    Ok(())
}

fn branch_today(conn: &mut DbConnection, helper: &Helper) -> Result<NaiveDate, ApiError> {
    let branch = Branch::find(conn, helper.branch_id)?;
    Ok(Utc::now().with_timezone(&time_zone(&branch)).date_naive())
}

/// Announces (or moves) the helper's leave date: the helper themself or staff of the branch.
pub fn announce(
    conn: &mut DbConnection,
    caller: &Caller,
    id: HelperId,
    input: LeavingInput,
) -> Result<HelperView, ApiError> {
    crate::db::write_transaction(conn, |conn| {
        let helper = visible(conn, caller, id)?;
        if helper.deleted_at.is_some() {
            return Err(ApiError::NotFound);
        }
        if !matches!(helper.status, HelperStatus::Active | HelperStatus::Paused) {
            return Err(ApiError::Conflict(format!(
                "the helper is {}: only an active or paused helper announces a leave date",
                helper.status
            )));
        }
        let today = branch_today(conn, &helper)?;
        if input.leaves_on <= today {
            return Err(ApiError::field("leaves_on", "must be after today"));
        }
        if input.leaves_on > today + Duration::days(MAX_AHEAD_DAYS) {
            return Err(ApiError::field(
                "leaves_on",
                format!("must be within {MAX_AHEAD_DAYS} days"),
            ));
        }
        let changes = HelperChanges {
            leaves_on: Some(Some(input.leaves_on)),
            updated_at: Some(now()),
            ..HelperChanges::default()
        };
        let helper = Helper::update(conn, id, &changes)?;
        // Visits from the leave date on open now, while there is time to cover them.
        recheck_helper(conn, id)?;
        audit(conn, caller, id)?;
        view(conn, helper)
    })
}

/// Withdraws an announced leave date before it comes; visits from it on are covered again.
pub fn withdraw(
    conn: &mut DbConnection,
    caller: &Caller,
    id: HelperId,
) -> Result<HelperView, ApiError> {
    crate::db::write_transaction(conn, |conn| {
        let helper = visible(conn, caller, id)?;
        let Some(leaving) = helper.leaves_on else {
            return Err(ApiError::NotFound);
        };
        if leaving <= branch_today(conn, &helper)? {
            return Err(ApiError::Conflict(
                "the leave date has come: the pairs have ended".into(),
            ));
        }
        let changes = HelperChanges {
            leaves_on: Some(None),
            updated_at: Some(now()),
            ..HelperChanges::default()
        };
        let helper = Helper::update(conn, id, &changes)?;
        recheck_helper(conn, id)?;
        audit(conn, caller, id)?;
        view(conn, helper)
    })
}

/// The successors the matcher proposes for each of a leaving helper's clients (staff of the
/// branch; a helper without an announced leave date: 409). Nothing is stored: the branch makes
/// the pairs it wants (`POST /api/v1/assignments`), and can then book a joint visit.
pub fn handover(
    conn: &mut DbConnection,
    caller: &Caller,
    id: HelperId,
) -> Result<Handover, ApiError> {
    caller.require_staff()?;
    let helper = visible(conn, caller, id)?;
    let Some(leaves_on) = helper.leaves_on else {
        return Err(ApiError::Conflict(
            "the helper has announced no leave date (PUT /api/v1/helpers/{id}/leaving)".into(),
        ));
    };
    let proposed = successors(conn, helper.branch_id, id)?;
    let mut clients = Vec::with_capacity(proposed.len());
    for s in proposed {
        let mut named = Vec::with_capacity(s.successors.len());
        for helper_id in s.successors {
            named.push(Successor {
                helper_id,
                name: Helper::find(conn, helper_id)?.name,
            });
        }
        clients.push(ClientHandover {
            client_id: s.client_id,
            name: Client::find(conn, s.client_id)?.name,
            successors: named,
            short_reason: s.short_reason,
        });
    }
    AuditEvent::record_many(
        conn,
        Some(caller.user_id),
        AuditAction::Read,
        AuditEntity::Client,
        &clients.iter().map(|c| c.client_id).collect::<Vec<_>>(),
        &["name"],
    )?;
    Ok(Handover {
        helper_id: id,
        leaves_on,
        clients,
    })
}

/// The periodic job: on a helper's leave date (branch time) every pair of theirs ends, and their
/// booked visits from it on are offered to the team. Idempotent: an ended pair is not
/// ended again. Returns how many pairs ended.
pub fn end_departed(conn: &mut DbConnection, now_at: DateTime<Utc>) -> Result<usize, ApiError> {
    let mut ended = 0;
    for branch in Branch::active(conn)? {
        let today = now_at.with_timezone(&time_zone(&branch)).date_naive();
        for helper in Helper::departed(conn, branch.id, today)? {
            ended += crate::db::write_transaction(conn, |conn| {
                let mut n = 0;
                for pair in Assignment::open_for_helper(conn, helper)? {
                    if Assignment::end(
                        conn,
                        pair.id,
                        None,
                        "the helper left on their leave date",
                        now(),
                    )? {
                        recheck_pair(conn, pair.client_id, helper)?;
                        n += 1;
                    }
                }
                Ok::<usize, ApiError>(n)
            })?;
        }
    }
    if ended > 0 {
        tracing::info!(pairs = ended, "pairs of departed helpers ended");
    }
    Ok(ended)
}
