//! Runs the matcher on a branch's people and commits what a branch leader approved.
//! A preview is stored with a fingerprint of its input; a commit is refused (409) when the
//! helpers, clients or current pairs changed since, so nobody commits a stale proposal.

use crate::domain::ids::{AssignmentId, BranchId, ClientId, HelperId, ProposalId};
use std::collections::{BTreeMap, BTreeSet};

use serde::Serialize;
use sha2::{Digest, Sha256};

use super::matching_map::MatcherRows;
use crate::auth::Caller;
use crate::db::DbConnection;
use crate::db::models::assignment::Assignment;
use crate::db::models::audit::AuditEvent;
use crate::db::models::feedback::Exclusion;
use crate::db::models::now;
use crate::db::models::proposal::{NewProposal, Proposal};
use crate::db::models::{branch::Branch, from_json_list};
use crate::error::{ApiError, FieldError};
use crate::matching::{
    self, Instance, InstanceClient, InstanceHelper, Mode, PairExplanation, Params,
};
use crate::services::assignments::AssignmentView;

mod commit;
mod succession;

pub use commit::commit;
pub use succession::{Succession, successors};

/// Body of `POST /api/v1/branches/{id}/matching/preview`; every field optional.
#[derive(Debug, Default, eserde::Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"mode": "keep", "max_distance_m": 15000}))]
pub struct PreviewInput {
    /// `keep` (default): current pairs stay; `rebalance`: pairs may change when it saves more than the penalty.
    #[serde(default)]
    pub mode: Option<String>,
    /// Largest helper–client distance in metres (default 15000).
    #[serde(default)]
    pub max_distance_m: Option<i64>,
    /// Cost per needed skill the helper lacks, in metres (default 5000).
    #[serde(default)]
    pub missing_skill_penalty_m: Option<i64>,
    /// Extra cost of changing a pair in rebalance mode, in metres (default 3000).
    #[serde(default)]
    pub change_penalty_m: Option<i64>,
}

/// One pair of a proposal, with why.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ProposedPair {
    /// Client.
    pub client_id: ClientId,
    /// Helper.
    pub helper_id: HelperId,
    /// Rounded distance, metres.
    pub distance_m: i64,
    /// Needed skills the helper has.
    pub skills_covered: Vec<String>,
    /// Needed skills the helper lacks.
    pub skills_missing: Vec<String>,
    /// Languages both speak.
    pub shared_languages: Vec<String>,
    /// Distance plus missing-skill penalties.
    pub cost: i64,
    /// True for a pair the commit will start; false for one that stays.
    pub new: bool,
}

/// A current pair the proposal would end (rebalance mode).
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct EndedPair {
    /// Assignment.
    pub assignment_id: AssignmentId,
    /// Client.
    pub client_id: ClientId,
    /// Helper.
    pub helper_id: HelperId,
}

/// A client the proposal leaves short, and why.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ShortClient {
    /// Client.
    pub client_id: ClientId,
    /// Helpers still missing.
    pub missing: i64,
    /// Why, in words, e.g. "no helper in range with free capacity shares a language".
    pub reason: String,
    /// The rules that block the client: one, or each pair rule that rules some helpers out.
    pub rules: Vec<BlockingRule>,
}

/// A rule that leaves a client short, in the order the matcher checks them: no helper
/// within `max_distance_m`; else every one in range full or already the client's; else
/// every other one in range with free capacity ruled out by a pair rule (language,
/// exclusion, home trait).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum BlockingRule {
    /// No helper lives within `max_distance_m`.
    Distance,
    /// Every helper in range is full or already the client's.
    Capacity,
    /// No helper in range with free capacity shares one of the client's languages.
    Language,
    /// The helpers in range with free capacity are ones the client excludes ("don't pair us
    /// again", or the branch's decision).
    Excluded,
    /// The helpers in range with free capacity avoid a trait of the home (pets, smoking).
    HomeTrait,
}

impl From<matching::Rule> for BlockingRule {
    fn from(rule: matching::Rule) -> BlockingRule {
        // Exhaustive on purpose: a rule added to the matcher must be named here too.
        match rule {
            matching::Rule::Distance => BlockingRule::Distance,
            matching::Rule::Capacity => BlockingRule::Capacity,
            matching::Rule::Language => BlockingRule::Language,
            matching::Rule::Excluded => BlockingRule::Excluded,
            matching::Rule::HomeTrait => BlockingRule::HomeTrait,
        }
    }
}

/// What `preview` answers.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Preview {
    /// Pass to `…/matching/commit`.
    pub proposal_id: ProposalId,
    /// Hash of the input the proposal was computed from.
    pub fingerprint: String,
    /// The whole resulting set of pairs, kept and new, with explanations.
    pub pairs: Vec<ProposedPair>,
    /// Current pairs the proposal ends.
    pub ended: Vec<EndedPair>,
    /// Clients left short.
    pub unfilled: Vec<ShortClient>,
    /// Sum of pair costs (no change penalties).
    pub total_cost: i64,
    /// Solver time, milliseconds.
    pub elapsed_ms: f64,
}

/// Body of `POST /api/v1/branches/{id}/matching/commit`.
#[derive(Debug, eserde::Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"proposal_id": 1}))]
pub struct CommitInput {
    /// The `proposal_id` of a preview of this branch.
    pub proposal_id: ProposalId,
}

/// What a commit did.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct CommitResult {
    /// Pairs started.
    pub started: Vec<AssignmentView>,
    /// Pairs ended.
    pub ended: usize,
}

/// Checks the parameters against the defaults of matching.md.
pub fn params(input: PreviewInput) -> Result<Params, ApiError> {
    let defaults = Params::default();
    let mut errors = vec![];
    let mode = match input.mode.as_deref() {
        None | Some("keep") => Mode::Keep,
        Some("rebalance") => Mode::Rebalance,
        Some(_) => {
            errors.push(FieldError::new("mode", "must be keep or rebalance"));
            Mode::Keep
        }
    };
    let mut metres = |field: &str, value: Option<i64>, default: i64, max: i64| {
        let value = value.unwrap_or(default);
        if !(0..=max).contains(&value) {
            errors.push(FieldError::new(
                field,
                format!("must be between 0 and {max}"),
            ));
        }
        value
    };
    let params = Params {
        max_distance_m: metres(
            "max_distance_m",
            input.max_distance_m,
            defaults.max_distance_m,
            200_000,
        ),
        missing_skill_penalty_m: metres(
            "missing_skill_penalty_m",
            input.missing_skill_penalty_m,
            defaults.missing_skill_penalty_m,
            1_000_000,
        ),
        change_penalty_m: metres(
            "change_penalty_m",
            input.change_penalty_m,
            defaults.change_penalty_m,
            1_000_000,
        ),
        mode,
    };
    if errors.is_empty() {
        Ok(params)
    } else {
        Err(ApiError::Validation(errors))
    }
}

/// The matcher's input for a branch: active helpers, clients, their open pairs.
struct BranchInstance {
    instance: Instance,
    fingerprint: String,
    open: Vec<Assignment>,
}

fn build(
    conn: &mut DbConnection,
    branch_id: BranchId,
    params: Params,
    counted_out: &[HelperId],
) -> Result<BranchInstance, ApiError> {
    let MatcherRows {
        mut helpers,
        clients,
        open,
    } = super::matching_map::rows(conn, branch_id)?;
    helpers.retain(|h| !counted_out.contains(&h.id));
    let active: BTreeSet<HelperId> = helpers.iter().map(|h| h.id).collect();
    let mut current: BTreeMap<ClientId, Vec<String>> = BTreeMap::new();
    for a in open.iter().filter(|a| active.contains(&a.helper_id)) {
        current
            .entry(a.client_id)
            .or_default()
            .push(a.helper_id.to_string());
    }
    let client_ids: Vec<ClientId> = clients.iter().map(|c| c.id).collect();
    let mut excluded: BTreeMap<ClientId, Vec<String>> = BTreeMap::new();
    // Only helpers in the instance: an exclusion of one who left or paused has nothing to rule out.
    for (client, helper) in Exclusion::of_clients(conn, &client_ids)? {
        if active.contains(&helper) {
            excluded.entry(client).or_default().push(helper.to_string());
        }
    }
    let instance = Instance {
        params,
        helpers: helpers
            .iter()
            .map(|h| InstanceHelper {
                id: h.id.to_string(),
                lat: h.home_lat,
                lon: h.home_lon,
                skills: from_json_list(&h.skills),
                languages: from_json_list(&h.languages),
                capacity: i64::from(h.capacity),
                avoids: from_json_list(&h.avoids),
            })
            .collect(),
        clients: clients
            .iter()
            .map(|c| InstanceClient {
                id: c.id.to_string(),
                lat: c.lat,
                lon: c.lon,
                needs: from_json_list(&c.needs),
                languages: from_json_list(&c.languages),
                wanted: i64::from(c.wanted),
                current: current.remove(&c.id).unwrap_or_default(),
                excluded_helpers: excluded.remove(&c.id).unwrap_or_default(),
                home_traits: from_json_list(&c.home_traits),
            })
            .collect(),
    };
    instance.validate().map_err(|e| {
        ApiError::Internal(anyhow::anyhow!(
            "stored data is not a valid matching instance: {e}"
        ))
    })?;
    let canonical = serde_json::to_string(&instance).map_err(|e| ApiError::Internal(e.into()))?;
    let fingerprint = Sha256::digest(canonical.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    Ok(BranchInstance {
        instance,
        fingerprint,
        open,
    })
}

fn id<T: std::str::FromStr>(text: &str) -> Result<T, ApiError> {
    text.parse()
        .map_err(|_| ApiError::Internal(anyhow::anyhow!("matcher returned a foreign id {text:?}")))
}

/// Runs the matcher for a branch and stores the proposal (branch staff).
pub fn preview(
    conn: &mut DbConnection,
    caller: &Caller,
    branch_id: BranchId,
    params: Params,
) -> Result<Preview, ApiError> {
    caller.require_staff()?;
    caller.require_branch(branch_id)?;
    Branch::find(conn, branch_id)?;
    let input = build(conn, branch_id, params, &[])?;
    let solution = matching::solve(&input.instance);
    metrics::histogram!("matching_solve_seconds").record(solution.stats.elapsed_ms / 1000.0);
    let explained: Vec<PairExplanation> = matching::explain(&input.instance, &solution);
    let mut pairs = Vec::with_capacity(explained.len());
    for p in explained {
        pairs.push(ProposedPair {
            client_id: id(&p.client)?,
            helper_id: id(&p.helper)?,
            distance_m: p.distance_m,
            skills_covered: p.skills_covered,
            skills_missing: p.skills_missing,
            shared_languages: p.shared_languages,
            cost: p.cost,
            new: p.new,
        });
    }
    let kept: BTreeSet<(ClientId, HelperId)> =
        pairs.iter().map(|p| (p.client_id, p.helper_id)).collect();
    let ended: Vec<EndedPair> = input
        .open
        .iter()
        .filter(|a| !kept.contains(&(a.client_id, a.helper_id)))
        .map(|a| EndedPair {
            assignment_id: a.id,
            client_id: a.client_id,
            helper_id: a.helper_id,
        })
        .collect();
    let unfilled = solution
        .unfilled
        .iter()
        .map(|u| {
            Ok(ShortClient {
                client_id: id(&u.client)?,
                missing: u.missing,
                reason: u.reason.clone(),
                rules: u.rules.iter().copied().map(BlockingRule::from).collect(),
            })
        })
        .collect::<Result<Vec<_>, ApiError>>()?;
    let new_pairs: Vec<(ClientId, HelperId)> = pairs
        .iter()
        .filter(|p| p.new)
        .map(|p| (p.client_id, p.helper_id))
        .collect();
    let ended_ids: Vec<AssignmentId> = ended.iter().map(|e| e.assignment_id).collect();
    let proposal = Proposal::insert(
        conn,
        &NewProposal {
            branch_id,
            fingerprint: input.fingerprint.clone(),
            params: serde_json::to_string(&input.instance.params)
                .map_err(|e| ApiError::Internal(e.into()))?,
            new_pairs: serde_json::to_string(&new_pairs)
                .map_err(|e| ApiError::Internal(e.into()))?,
            ended_assignments: serde_json::to_string(&ended_ids)
                .map_err(|e| ApiError::Internal(e.into()))?,
            created_by: Some(caller.user_id),
            created_at: now(),
        },
    )?;
    Ok(Preview {
        proposal_id: proposal.id,
        fingerprint: input.fingerprint,
        pairs,
        ended,
        unfilled,
        total_cost: solution.total_cost,
        elapsed_ms: solution.stats.elapsed_ms,
    })
}
