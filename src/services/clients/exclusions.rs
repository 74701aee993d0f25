//! Helpers ruled out for a client (matching rule 3): from "don't pair us again" in feedback,
//! or set and lifted by the branch. An exclusion ends no pair by itself: a helper still on
//! the client's team is named, and the branch ends that pair when it decides to.

use chrono::NaiveDateTime;
use diesel::OptionalExtension;
use serde::Serialize;

use super::managed;
use crate::auth::Caller;
use crate::db::DbConnection;
use crate::db::models::assignment::Assignment;
use crate::db::models::audit::AuditEvent;
use crate::db::models::feedback::Exclusion;
use crate::db::models::helper::Helper;
use crate::db::models::now;
use crate::domain::ExclusionSource;
use crate::domain::audit::{AuditAction, AuditEntity};
use crate::domain::ids::{ClientId, HelperId};
use crate::error::ApiError;

/// Body of `POST /api/v1/clients/{id}/exclusions`.
#[derive(Debug, eserde::Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"helper_id": 7}))]
pub struct ExclusionInput {
    /// The helper never to pair with this client: one of the client's branch.
    pub helper_id: HelperId,
}

/// A helper ruled out for a client, as the branch sees it.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ExclusionView {
    /// The client.
    pub client_id: ClientId,
    /// The helper ruled out.
    pub helper_id: HelperId,
    /// The helper's name.
    pub helper_name: String,
    /// Who asked: the client's side or the helper in their feedback, or the branch.
    pub source: ExclusionSource,
    /// Since (UTC).
    #[serde(serialize_with = "crate::db::models::utc")]
    pub created_at: NaiveDateTime,
    /// The helper is still on the client's team: the branch ends that pair when it decides
    /// (`DELETE /api/v1/assignments/{id}`); matching in keep mode keeps it until then.
    pub pair_open: bool,
}

/// A change of the client's exclusions, in the audit log as a change of that field.
fn audit(conn: &mut DbConnection, caller: &Caller, client_id: ClientId) -> Result<(), ApiError> {
    AuditEvent::record(
        conn,
        Some(caller.user_id),
        AuditAction::Update,
        AuditEntity::Client,
        client_id,
        &["excluded_helpers"],
    )?;
    Ok(())
}

pub fn view(conn: &mut DbConnection, e: Exclusion) -> Result<ExclusionView, ApiError> {
    let helper_name = Helper::find(conn, e.helper_id)?.name;
    Ok(ExclusionView {
        pair_open: Assignment::is_open(conn, e.client_id, e.helper_id)?,
        client_id: e.client_id,
        helper_id: e.helper_id,
        helper_name,
        source: e.source,
        created_at: e.created_at,
    })
}

/// The client's exclusions (staff of the branch; the client's side and helpers get 403/404:
/// an exclusion the helper asked for is not the family's to read).
pub fn list(
    conn: &mut DbConnection,
    caller: &Caller,
    client_id: ClientId,
) -> Result<Vec<ExclusionView>, ApiError> {
    managed(conn, caller, client_id)?;
    Exclusion::for_client(conn, client_id)?
        .into_iter()
        .map(|e| view(conn, e))
        .collect()
}

/// The branch rules a helper out for a client; 409 when they already are.
pub fn add(
    conn: &mut DbConnection,
    caller: &Caller,
    client_id: ClientId,
    input: ExclusionInput,
) -> Result<ExclusionView, ApiError> {
    let client = managed(conn, caller, client_id)?;
    crate::db::write_transaction(conn, |conn| {
        let helper = Helper::find(conn, input.helper_id).optional()?;
        let Some(helper) = helper.filter(|h| h.branch_id == client.branch_id) else {
            return Err(ApiError::field(
                "helper_id",
                "no helper of the client's branch has this id",
            ));
        };
        let exclusion = Exclusion {
            client_id,
            helper_id: helper.id,
            source: ExclusionSource::Branch,
            created_by: Some(caller.user_id),
            created_at: now(),
        };
        if !Exclusion::add(conn, &exclusion)? {
            return Err(ApiError::Conflict(
                "this helper is already ruled out for the client".into(),
            ));
        }
        audit(conn, caller, client_id)?;
        view(conn, exclusion)
    })
}

/// The branch lifts an exclusion, whoever set it; 404 when there is none.
pub fn lift(
    conn: &mut DbConnection,
    caller: &Caller,
    client_id: ClientId,
    helper_id: HelperId,
) -> Result<(), ApiError> {
    managed(conn, caller, client_id)?;
    crate::db::write_transaction(conn, |conn| {
        if !Exclusion::lift(conn, client_id, helper_id)? {
            return Err(ApiError::NotFound);
        }
        audit(conn, caller, client_id)
    })
}
