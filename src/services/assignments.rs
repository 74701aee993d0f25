//! Manual helper–client pairs by the branch. Pairs end; they are never deleted.

use serde::Deserialize;

use crate::auth::Caller;
use crate::auth::policy::Reach;
use crate::db::DbConnection;
use crate::db::models::assignment::Assignment;
use crate::db::models::audit::AuditEvent;
use crate::db::models::client::Client;
use crate::db::models::helper::Helper;
use crate::db::models::now;
use crate::domain::HelperStatus;
use crate::error::ApiError;

/// Body of `POST /api/v1/assignments`.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
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
    Ok(match caller.reach() {
        Reach::All => true,
        Reach::Branch(branch) => {
            Client::find(conn, assignment.client_id).is_ok_and(|c| c.branch_id == branch)
        }
        Reach::Helper(helper) => assignment.helper_id == helper,
        Reach::Client(client) => assignment.client_id == client,
        Reach::Nothing => false,
    })
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
    let all = Assignment::list(
        conn, client_id, helper_id, open_only, page.after, page.limit,
    )?;
    let mut visible = Vec::with_capacity(all.len());
    for assignment in all {
        if visible_assignment(conn, caller, &assignment)? {
            visible.push(assignment);
        }
    }
    Ok(visible)
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
