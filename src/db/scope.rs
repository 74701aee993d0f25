//! The rows a list may show its caller, as the queries take it (decided by `auth::policy`).

/// The part of the data a list may show.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Scope {
    /// Everything (admin).
    All,
    /// One branch (branch leader).
    Branch(i64),
    /// The caller's own records: their helper record and the clients they act for.
    Own {
        /// The caller's helper id.
        helper: Option<i64>,
        /// Clients the caller acts for with the right the list needs.
        clients: Vec<i64>,
    },
}

impl Scope {
    /// Narrows a requested branch filter to the scope: the filter to apply, or `None` when the
    /// scope excludes the branch asked for (the list is then empty, not an error).
    pub fn branch_filter(&self, requested: Option<i64>) -> Option<Option<i64>> {
        match (self, requested) {
            (Scope::Branch(own), Some(b)) if *own != b => None,
            (Scope::Branch(own), _) => Some(Some(*own)),
            (_, requested) => Some(requested),
        }
    }
}
