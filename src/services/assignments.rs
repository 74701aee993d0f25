//! Manual helper–client pairs by the branch. Pairs end; they are never deleted.

use crate::auth::Caller;
use crate::auth::policy::Care;
use crate::db::DbConnection;
pub use crate::db::models::assignment::PairsShown;
use crate::db::models::assignment::{Assignment, AssignmentFilter};
use crate::db::models::audit::AuditEvent;
use crate::db::models::client::Client;
use crate::db::models::helper::Helper;
use crate::db::models::now;
use crate::domain::HelperStatus;
use crate::domain::audit::{AuditAction, AuditEntity};
use crate::domain::ids::{AssignmentId, BranchId, ClientId, HelperId, UserId};
use crate::error::ApiError;
use chrono::NaiveDateTime;
use diesel::OptionalExtension;

/// Body of `POST /api/v1/assignments`.
#[derive(Debug, eserde::Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"client_id": 1, "helper_id": 1}))]
pub struct AssignmentInput {
    /// Client.
    pub client_id: ClientId,
    /// Helper (must be active, in the client's branch).
    pub helper_id: HelperId,
}

/// A helper serving a client, from `started_at` until `ended_at`.
#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct AssignmentView {
    /// Id.
    pub id: AssignmentId,
    /// Client.
    pub client_id: ClientId,
    /// Helper.
    pub helper_id: HelperId,
    /// Start (UTC).
    #[serde(serialize_with = "crate::db::models::utc")]
    pub started_at: NaiveDateTime,
    /// Who made the pair.
    pub started_by: Option<UserId>,
    /// End (UTC), if ended.
    #[serde(serialize_with = "crate::db::models::utc_opt")]
    pub ended_at: Option<NaiveDateTime>,
    /// Who ended it.
    pub ended_by: Option<UserId>,
    /// Why it ended.
    pub end_reason: Option<String>,
}

impl From<Assignment> for AssignmentView {
    fn from(a: Assignment) -> AssignmentView {
        AssignmentView {
            id: a.id,
            client_id: a.client_id,
            helper_id: a.helper_id,
            started_at: a.started_at,
            started_by: a.started_by,
            ended_at: a.ended_at,
            ended_by: a.ended_by,
            end_reason: a.end_reason,
        }
    }
}

fn visible_assignment(
    conn: &mut DbConnection,
    caller: &Caller,
    assignment: &Assignment,
) -> Result<bool, ApiError> {
    let branch = Client::find_any(conn, assignment.client_id)?.branch_id;
    Ok(caller.sees_care(Care {
        branch_id: branch,
        client_id: assignment.client_id,
        helper_id: assignment.helper_id,
    }))
}

/// Pairs a helper with a client by hand (staff of the branch).
pub fn create(
    conn: &mut DbConnection,
    caller: &Caller,
    input: AssignmentInput,
) -> Result<AssignmentView, ApiError> {
    caller.require_staff()?;
    crate::db::write_transaction(conn, |conn| {
        let client = Client::find(conn, input.client_id)
            .optional()?
            .filter(|c| caller.manages_branch(c.branch_id))
            .ok_or_else(|| ApiError::field("client_id", "no such client in your branch"))?;
        let helper = Helper::find(conn, input.helper_id)
            .optional()?
            .filter(|h| h.branch_id == client.branch_id)
            .ok_or_else(|| ApiError::field("helper_id", "no such helper in the client's branch"))?;
        if helper.status != HelperStatus::Active {
            return Err(ApiError::Conflict(format!(
                "the helper is {}, not active",
                helper.status
            )));
        }
        if Assignment::is_open(conn, client.id, helper.id)? {
            return Err(ApiError::Conflict(
                "this helper already serves this client".into(),
            ));
        }
        let assignment =
            Assignment::start(conn, client.id, helper.id, Some(caller.user_id), now())?;
        // Visits of this pair that were waiting on an ended pair are fine again.
        super::visits::recheck_pair(conn, client.id, helper.id)?;
        AuditEvent::record(
            conn,
            Some(caller.user_id),
            AuditAction::Create,
            AuditEntity::Assignment,
            assignment.id,
            &["client_id", "helper_id"],
        )?;
        Ok(assignment.into())
    })
}

/// Assignments the caller may see, filtered by client, helper and open/ended.
pub fn list(
    conn: &mut DbConnection,
    caller: &Caller,
    client_id: Option<ClientId>,
    helper_id: Option<HelperId>,
    shown: PairsShown,
    page: crate::db::Page,
) -> Result<Vec<AssignmentView>, ApiError> {
    let filter = AssignmentFilter {
        scope: caller.scope(crate::auth::policy::Right::View),
        client_id,
        helper_id,
        shown,
    };
    let pairs = Assignment::list(conn, &filter, page.after, page.limit)?;
    Ok(pairs.into_iter().map(AssignmentView::from).collect())
}

/// Ends a pair (staff of the branch). Ending an ended pair changes nothing.
pub fn end(conn: &mut DbConnection, caller: &Caller, id: AssignmentId) -> Result<(), ApiError> {
    caller.require_staff()?;
    let assignment = Assignment::find(conn, id)?;
    if !visible_assignment(conn, caller, &assignment)? {
        return Err(ApiError::NotFound);
    }
    crate::db::write_transaction(conn, |conn| {
        if Assignment::end(conn, id, Some(caller.user_id), "ended by the branch", now())? {
            super::visits::recheck_pair(conn, assignment.client_id, assignment.helper_id)?;
            AuditEvent::record(
                conn,
                Some(caller.user_id),
                AuditAction::Delete,
                AuditEntity::Assignment,
                id,
                &["ended_at"],
            )?;
        }
        Ok(())
    })
}

/// A helper of a branch and the clients they serve now: who a booking for them can be for.
#[derive(Debug, Clone, serde::Serialize)]
pub struct HelperTeam {
    /// Helper.
    pub helper_id: HelperId,
    /// The helper's name.
    pub name: String,
    /// Where the helper stands (only an active helper can be booked).
    pub status: HelperStatus,
    /// Clients with an open pair to this helper, by name.
    pub clients: Vec<TeamMember>,
}

/// One person in a team, by id and name.
#[derive(Debug, Clone, serde::Serialize)]
pub struct TeamMember {
    /// Client or helper id.
    pub id: i64,
    /// Name.
    pub name: String,
}

/// The helper's current clients, for staff of the helper's branch `branch_id`; 404 when the
/// caller does not manage that branch or the helper is not in it.
pub fn team_of_helper(
    conn: &mut DbConnection,
    caller: &Caller,
    branch_id: BranchId,
    helper_id: HelperId,
) -> Result<HelperTeam, ApiError> {
    caller.require_branch(branch_id)?;
    let helper = Helper::find(conn, helper_id)
        .optional()?
        .filter(|h| h.branch_id == branch_id && h.deleted_at.is_none())
        .ok_or(ApiError::NotFound)?;
    let filter = AssignmentFilter {
        scope: crate::db::Scope::Branch(branch_id),
        client_id: None,
        helper_id: Some(helper_id),
        shown: PairsShown::Open,
    };
    let ids: Vec<ClientId> = Assignment::list(conn, &filter, 0, i64::MAX / 2)?
        .into_iter()
        .map(|a| a.client_id)
        .collect();
    let mut clients: Vec<TeamMember> = Client::names(conn, &ids)?
        .into_iter()
        .map(|(id, name, _)| TeamMember { id: id.0, name })
        .collect();
    clients.sort_by_key(|c| (c.name.to_lowercase(), c.id));
    Ok(HelperTeam {
        helper_id,
        status: helper.status,
        name: helper.name,
        clients,
    })
}

/// Who can take a visit of a client: the client's current team, then the branch's other
/// active helpers, who would come as substitutes.
#[derive(Debug, Clone, serde::Serialize)]
pub struct HelperChoices {
    /// Active helpers with an open pair to the client, by name.
    pub team: Vec<TeamMember>,
    /// The branch's other active helpers, by name.
    pub substitutes: Vec<TeamMember>,
}

/// The helpers a visit of `client_id` can be given to (staff of the client's branch; 404
/// for anyone else).
pub fn helper_choices(
    conn: &mut DbConnection,
    caller: &Caller,
    client_id: ClientId,
) -> Result<HelperChoices, ApiError> {
    let client = Client::find(conn, client_id)?;
    caller.require_branch(client.branch_id)?;
    let active = Helper::list(
        conn,
        &crate::db::models::helper::HelperFilter::active_in(client.branch_id),
        0,
        i64::MAX / 2,
    )?;
    let in_team: std::collections::HashSet<HelperId> =
        Assignment::open_for_client(conn, client_id)?
            .into_iter()
            .map(|a| a.helper_id)
            .collect();
    let (mut team, mut substitutes): (Vec<_>, Vec<_>) = active
        .into_iter()
        .map(|h| {
            (
                in_team.contains(&h.id),
                TeamMember {
                    id: h.id.0,
                    name: h.name,
                },
            )
        })
        .partition(|(member, _)| *member);
    let by_name = |list: &mut Vec<(bool, TeamMember)>| {
        list.sort_by_key(|(_, m)| (m.name.to_lowercase(), m.id));
        list.drain(..).map(|(_, m)| m).collect::<Vec<_>>()
    };
    Ok(HelperChoices {
        team: by_name(&mut team),
        substitutes: by_name(&mut substitutes),
    })
}
