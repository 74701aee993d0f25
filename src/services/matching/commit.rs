//! Committing a proposal: the branch locked, the input's fingerprint compared, pairs ended
//! and started in one transaction.

use super::*;
use crate::domain::audit::{AuditAction, AuditEntity};
use crate::domain::ids::{AssignmentId, BranchId, ClientId, HelperId, ProposalId};
use crate::services::assignments::AssignmentView;
use diesel::OptionalExtension;

/// Applies a stored proposal if nothing changed since it was computed (branch staff).
pub fn commit(
    conn: &mut DbConnection,
    caller: &Caller,
    branch_id: BranchId,
    proposal_id: ProposalId,
) -> Result<CommitResult, ApiError> {
    caller.require_staff()?;
    caller.require_branch(branch_id)?;
    crate::db::write_transaction(conn, |conn| {
        if Proposal::lock_branch(conn, branch_id)? == 0 {
            return Err(ApiError::NotFound);
        }
        let proposal = Proposal::find(conn, proposal_id)
            .optional()?
            .filter(|p| p.branch_id == branch_id)
            .ok_or_else(|| ApiError::field("proposal_id", "no such proposal for this branch"))?;
        if proposal.committed_at.is_some() {
            return Err(ApiError::Conflict(
                "this proposal was already committed".into(),
            ));
        }
        let params: Params =
            serde_json::from_str(&proposal.params).map_err(|e| ApiError::Internal(e.into()))?;
        if build(conn, branch_id, params, &[])?.fingerprint != proposal.fingerprint {
            return Err(ApiError::Conflict(
                "helpers, clients or pairs changed since this preview; preview again".into(),
            ));
        }
        let new_pairs: Vec<(ClientId, HelperId)> =
            serde_json::from_str(&proposal.new_pairs).map_err(|e| ApiError::Internal(e.into()))?;
        let ended_ids: Vec<AssignmentId> = serde_json::from_str(&proposal.ended_assignments)
            .map_err(|e| ApiError::Internal(e.into()))?;
        let at = now();
        let mut ended = 0;
        for assignment in ended_ids {
            if Assignment::end(
                conn,
                assignment,
                Some(caller.user_id),
                "rebalanced by matching",
                at,
            )? {
                ended += 1;
                let pair = Assignment::find(conn, assignment)?;
                crate::services::visits::recheck_pair(conn, pair.client_id, pair.helper_id)?;
            }
        }
        let mut started = Vec::with_capacity(new_pairs.len());
        for (client, helper) in new_pairs {
            started.push(Assignment::start(
                conn,
                client,
                helper,
                Some(caller.user_id),
                at,
            )?);
        }
        crate::email::match_committed(conn, &started)?;
        Proposal::mark_committed(conn, proposal_id, caller.user_id, at)?;
        AuditEvent::record(
            conn,
            Some(caller.user_id),
            AuditAction::Commit,
            AuditEntity::MatchingProposal,
            proposal_id,
            &["assignments"],
        )?;
        let started = started.into_iter().map(AssignmentView::from).collect();
        Ok(CommitResult { started, ended })
    })
}
