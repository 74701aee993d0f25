//! Who a caller is, for authorization.

use serde::{Deserialize, Serialize};

/// The role of an account.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// National administration: everything.
    Admin,
    /// Leads one branch.
    BranchLeader,
    /// A student: self and own clients, limited fields.
    Helper,
    /// An elderly client, or a relative holding the client's account.
    Client,
}

impl Role {
    /// The name stored in the database and used in tokens.
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Admin => "admin",
            Role::BranchLeader => "branch_leader",
            Role::Helper => "helper",
            Role::Client => "client",
        }
    }

    /// Parses a stored or requested role name.
    pub fn parse(raw: &str) -> Result<Role, String> {
        [Role::Admin, Role::BranchLeader, Role::Helper, Role::Client]
            .into_iter()
            .find(|r| r.as_str() == raw)
            .ok_or_else(|| {
                format!("unknown role {raw:?}; one of admin, branch_leader, helper, client")
            })
    }
}
