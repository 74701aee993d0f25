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
    /// Narrows a requested branch filter to the scope: `Err(())` when the scope excludes it.
    #[allow(clippy::result_unit_err)] // the only failure is "outside the scope": nothing to say
    pub fn branch_filter(&self, requested: Option<i64>) -> Result<Option<i64>, ()> {
        match (self, requested) {
            (Scope::Branch(own), Some(b)) if *own != b => Err(()),
            (Scope::Branch(own), _) => Ok(Some(*own)),
            (_, requested) => Ok(requested),
        }
    }
}
