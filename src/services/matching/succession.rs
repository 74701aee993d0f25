//! Successors for a leaving helper's clients: the matcher in keep mode with the helper counted
//! out (issue 16, item 4).

use std::collections::{BTreeMap, BTreeSet};

use serde::Serialize;

use super::{build, id};
use crate::db::DbConnection;
use crate::domain::ids::{BranchId, ClientId, HelperId};
use crate::error::ApiError;
use crate::matching::{self, Mode, Params};

/// A successor the matcher proposes for one client of a leaving helper.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Succession {
    /// The client.
    pub client_id: ClientId,
    /// The helpers proposed to join the team (usually one, for the one leaving).
    pub successors: Vec<HelperId>,
    /// Why the client would be left short, if the matcher finds nobody.
    pub short_reason: Option<String>,
}

/// The matcher in keep mode with `leaving` counted out: for each client `leaving` serves now,
/// the helpers it would add to the team (matching's defaults otherwise).
pub fn successors(
    conn: &mut DbConnection,
    branch_id: BranchId,
    leaving: HelperId,
) -> Result<Vec<Succession>, ApiError> {
    let params = Params {
        mode: Mode::Keep,
        ..Params::default()
    };
    let input = build(conn, branch_id, params, &[leaving])?;
    let clients: BTreeSet<ClientId> = input
        .open
        .iter()
        .filter(|a| a.helper_id == leaving)
        .map(|a| a.client_id)
        .collect();
    let solution = matching::solve(&input.instance);
    let mut found: BTreeMap<ClientId, Succession> = clients
        .iter()
        .map(|c| {
            (
                *c,
                Succession {
                    client_id: *c,
                    successors: vec![],
                    short_reason: None,
                },
            )
        })
        .collect();
    for p in matching::explain(&input.instance, &solution) {
        let client: ClientId = id(&p.client)?;
        if let (true, Some(s)) = (p.new, found.get_mut(&client)) {
            s.successors.push(id(&p.helper)?);
        }
    }
    for u in &solution.unfilled {
        let client: ClientId = id(&u.client)?;
        if let Some(s) = found.get_mut(&client) {
            s.short_reason = Some(u.reason.clone());
        }
    }
    Ok(found.into_values().collect())
}
