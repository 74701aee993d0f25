//! Who a caller is, for authorization.

use crate::vocabulary;

vocabulary! {
    /// The role of an account. Only the staff roles (`admin`, `branch_leader`) are stored on an
    /// account; `helper` and `client` are what an account's links make it.
    pub enum Role {
        /// National administration: everything.
        Admin = "admin",
        /// Leads one branch.
        BranchLeader = "branch_leader",
        /// A student: self and own clients, limited fields.
        Helper = "helper",
        /// An elderly client, or a relative holding the client's account.
        Client = "client",
    }
}
