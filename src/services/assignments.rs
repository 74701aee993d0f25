//! Manual helper–client pairs by the branch. Pairs end; they are never deleted.

use crate::auth::Caller;
use crate::auth::policy::Right;
use crate::db::DbConnection;
use crate::db::models::assignment::{Assignment, AssignmentFilter};
use crate::db::models::audit::AuditEvent;
use crate::db::models::client::Client;
use crate::db::models::helper::Helper;
use crate::db::models::now;
use crate::domain::HelperStatus;
use crate::error::ApiError;

/// Body of `POST /api/v1/assignments`.
#[derive(Debug, eserde::Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"client_id": 1, "helper_id": 1}))]
pub struct AssignmentInput {
    /// Client.
    pub client_id: i64,
    /// Helper (must be active, in the client's branch).
    pub helper_id: i64,
}

fn visible_assignment(
    conn: &mut DbConnection,
    caller: &Caller,
    assignment: &Assignment,
) -> Result<bool, ApiError> {
    let branch = Client::find_any(conn, assignment.client_id)?.branch_id;
    Ok(caller.manages_branch(branch)
        || caller.helper_id() == Some(assignment.helper_id)
        || caller
            .client_link(assignment.client_id)
            .is_some_and(|l| l.rights.allows(Right::View)))
}

/// Pairs a helper with a client by hand (staff of the branch).
pub fn create(
    conn: &mut DbConnection,
    caller: &Caller,
    input: AssignmentInput,
) -> Result<Assignment, ApiError> {
    caller.require_staff()?;
    crate::db::write_transaction(conn, |conn| {
        let client = Client::find(conn, input.client_id)
            .ok()
            .filter(|c| caller.manages_branch(c.branch_id))
            .ok_or_else(|| ApiError::field("client_id", "no such client in your branch"))?;
        let helper = Helper::find(conn, input.helper_id)
            .ok()
            .filter(|h| h.branch_id == client.branch_id)
            .ok_or_else(|| ApiError::field("helper_id", "no such helper in the client's branch"))?;
        if helper.status != HelperStatus::Active.as_str() {
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
            "create",
            "assignment",
            assignment.id,
            &["client_id", "helper_id"],
        )?;
        Ok(assignment)
    })
}

/// Assignments the caller may see, filtered by client, helper and open/ended.
pub fn list(
    conn: &mut DbConnection,
    caller: &Caller,
    client_id: Option<i64>,
    helper_id: Option<i64>,
    open_only: bool,
    page: crate::db::Page,
) -> Result<Vec<Assignment>, ApiError> {
    let filter = AssignmentFilter {
        scope: caller.scope(Right::View),
        client_id,
        helper_id,
        open_only,
    };
    Ok(Assignment::list(conn, &filter, page.after, page.limit)?)
}

/// Ends a pair (staff of the branch). Ending an ended pair changes nothing.
pub fn end(conn: &mut DbConnection, caller: &Caller, id: i64) -> Result<(), ApiError> {
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
                "delete",
                "assignment",
                id,
                &["ended_at"],
            )?;
        }
        Ok(())
    })
}
