//! The rows a list may show its caller, as the queries take it (decided by `auth::policy`).

use crate::domain::ids::{BranchId, ClientId, HelperId};

/// The part of the data a list may show.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Scope {
    /// Everything (admin).
    All,
    /// One branch (branch leader).
    Branch(BranchId),
    /// The caller's own records: their helper record and the clients they act for.
    Own {
        /// The caller's helper id.
        helper: Option<HelperId>,
        /// Clients the caller acts for with the right the list needs.
        clients: Vec<ClientId>,
    },
}

impl Scope {
    /// Narrows a requested branch filter to the scope: the filter to apply, or `None` when the
    /// scope excludes the branch asked for (the list is then empty, not an error).
    pub fn branch_filter(&self, requested: Option<BranchId>) -> Option<Option<BranchId>> {
        match (self, requested) {
            (Scope::Branch(own), Some(b)) if *own != b => None,
            (Scope::Branch(own), _) => Some(Some(*own)),
            (_, requested) => Some(requested),
        }
    }
}
