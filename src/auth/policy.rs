//! Who may see and change what. Records a caller may not see answer 404, as if absent;
//! actions a role can never take answer 403.

use super::caller::Caller;
use crate::domain::Role;
use crate::error::ApiError;

/// The part of the data a caller can reach.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reach {
    /// Everything (admin).
    All,
    /// One branch (branch leader).
    Branch(i64),
    /// Themself and their own clients (helper).
    Helper(i64),
    /// One client (the client or a relative).
    Client(i64),
    /// Nothing (an account missing its link).
    Nothing,
}

impl Caller {
    /// The part of the data this caller can reach.
    pub fn reach(&self) -> Reach {
        match (self.role, self.branch_id, self.helper_id, self.client_id) {
            (Role::Admin, ..) => Reach::All,
            (Role::BranchLeader, Some(branch), ..) => Reach::Branch(branch),
            (Role::Helper, _, Some(helper), _) => Reach::Helper(helper),
            (Role::Client, .., Some(client)) => Reach::Client(client),
            _ => Reach::Nothing,
        }
    }

    /// The branch filter for staff lists: `None` means every branch.
    pub fn staff_branch_filter(&self) -> Result<Option<i64>, ApiError> {
        match self.reach() {
            Reach::All => Ok(None),
            Reach::Branch(branch) => Ok(Some(branch)),
            _ => Err(self.forbidden()),
        }
    }

    /// Admin or branch leader, else 403.
    pub fn require_staff(&self) -> Result<(), ApiError> {
        self.staff_branch_filter().map(|_| ())
    }

    /// Admin, else 403.
    pub fn require_admin(&self) -> Result<(), ApiError> {
        if self.role == Role::Admin {
            Ok(())
        } else {
            Err(self.forbidden())
        }
    }

    /// True when this caller manages `branch_id` (admin, or its leader).
    pub fn manages_branch(&self, branch_id: i64) -> bool {
        match self.reach() {
            Reach::All => true,
            Reach::Branch(own) => own == branch_id,
            _ => false,
        }
    }

    /// 404 unless this caller manages `branch_id`: another branch's records do not exist for them.
    pub fn require_branch(&self, branch_id: i64) -> Result<(), ApiError> {
        if self.manages_branch(branch_id) {
            Ok(())
        } else {
            Err(ApiError::NotFound)
        }
    }

    fn forbidden(&self) -> ApiError {
        ApiError::Forbidden(format!("the {} role may not do this", self.role.as_str()))
    }
}
