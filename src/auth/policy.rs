//! Who may see and change what. Records a caller may not see answer 404, as if absent;
//! actions a role can never take answer 403. A caller may hold several capacities (a helper
//! whose grandmother is a client); each rule asks for the capacity it needs.

use super::caller::{Caller, ClientLink, RelativeRights, Staff};
pub use crate::db::Scope;
use crate::domain::ids::{BranchId, ClientId, HelperId};
use crate::error::ApiError;

/// What a client-side caller wants to do with a client's records.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Right {
    /// See balance, ledger, visits.
    View,
    /// Book, move and cancel visits.
    Book,
    /// Buy clip cards.
    Pay,
}

impl RelativeRights {
    /// Whether these rights include `right`.
    pub fn allows(self, right: Right) -> bool {
        match right {
            Right::View => self.sees(),
            Right::Book => self.book,
            Right::Pay => self.pay,
        }
    }
}

impl Caller {
    /// True for an admin.
    pub fn is_admin(&self) -> bool {
        self.staff == Some(Staff::Admin)
    }

    /// The scope of lists: staff see their reach, everyone else their own records.
    pub fn scope(&self, right: Right) -> Scope {
        match self.staff {
            Some(Staff::Admin) => Scope::All,
            Some(Staff::BranchLeader { branch_id }) => Scope::Branch(branch_id),
            None => Scope::Own {
                helper: self.helper_id(),
                clients: self.clients_with(right),
            },
        }
    }

    /// The branch filter for staff lists: `None` means every branch.
    pub fn staff_branch_filter(&self) -> Result<Option<BranchId>, ApiError> {
        match self.staff {
            Some(Staff::Admin) => Ok(None),
            Some(Staff::BranchLeader { branch_id }) => Ok(Some(branch_id)),
            None => Err(self.forbidden()),
        }
    }

    /// Admin or branch leader, else 403.
    pub fn require_staff(&self) -> Result<(), ApiError> {
        self.staff_branch_filter().map(|_| ())
    }

    /// Admin, else 403.
    pub fn require_admin(&self) -> Result<(), ApiError> {
        if self.is_admin() {
            Ok(())
        } else {
            Err(self.forbidden())
        }
    }

    /// True when this caller manages `branch_id` (admin, or its leader).
    pub fn manages_branch(&self, branch_id: BranchId) -> bool {
        match self.staff {
            Some(Staff::Admin) => true,
            Some(Staff::BranchLeader { branch_id: own }) => own == branch_id,
            None => false,
        }
    }

    /// 404 unless this caller manages `branch_id`: another branch's records do not exist for them.
    pub fn require_branch(&self, branch_id: BranchId) -> Result<(), ApiError> {
        if self.manages_branch(branch_id) {
            Ok(())
        } else {
            Err(ApiError::NotFound)
        }
    }

    /// True when the caller belongs to `branch_id` in any capacity (staff, helper, client side).
    pub fn belongs_to_branch(&self, branch_id: BranchId) -> bool {
        self.manages_branch(branch_id)
            || self.helper.is_some_and(|h| h.branch_id == branch_id)
            || self.clients.iter().any(|c| c.branch_id == branch_id)
    }

    /// The branches the caller belongs to, for branch lists; `None` means every branch (admin).
    pub fn branch_ids(&self) -> Option<Vec<BranchId>> {
        if self.is_admin() {
            return None;
        }
        let mut ids: Vec<BranchId> = self
            .staff
            .iter()
            .filter_map(|s| match s {
                Staff::BranchLeader { branch_id } => Some(*branch_id),
                Staff::Admin => None,
            })
            .chain(self.helper.map(|h| h.branch_id))
            .chain(self.clients.iter().map(|c| c.branch_id))
            .collect();
        ids.sort_unstable();
        ids.dedup();
        Some(ids)
    }

    /// The caller's helper id, while they are active or paused.
    pub fn helper_id(&self) -> Option<HelperId> {
        self.helper.map(|h| h.helper_id)
    }

    /// How the caller acts for `client_id`, if they do (as the client or a relative).
    pub fn client_link(&self, client_id: ClientId) -> Option<&ClientLink> {
        self.clients.iter().find(|c| c.client_id == client_id)
    }

    /// Clients the caller acts for with `right`.
    pub fn clients_with(&self, right: Right) -> Vec<ClientId> {
        self.clients
            .iter()
            .filter(|c| c.rights.allows(right))
            .map(|c| c.client_id)
            .collect()
    }

    /// True when the caller holds no capacity but the client side (no staff role, no helper).
    pub fn is_client_side_only(&self) -> bool {
        self.staff.is_none() && self.helper.is_none()
    }

    fn forbidden(&self) -> ApiError {
        let role = match (self.staff, self.helper, self.clients.is_empty()) {
            (Some(Staff::Admin), ..) => "admin",
            (Some(Staff::BranchLeader { .. }), ..) => "branch_leader",
            (None, Some(_), _) => "helper",
            (None, None, false) => "client",
            (None, None, true) => "account",
        };
        ApiError::Forbidden(format!("the {role} role may not do this"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::auth::caller::HelperLink;
    use crate::domain::ids::{RelativeId, UserId};

    fn relative(client_id: ClientId, view: bool, book: bool, pay: bool) -> ClientLink {
        ClientLink {
            client_id,
            branch_id: BranchId(1),
            relative_id: Some(RelativeId(client_id.0 * 10)),
            rights: RelativeRights { view, book, pay },
        }
    }

    #[test]
    fn a_helper_who_is_also_a_relative_reaches_both_but_books_only_with_the_right() {
        let caller = Caller {
            user_id: UserId(1),
            staff: None,
            helper: Some(HelperLink {
                helper_id: HelperId(7),
                branch_id: BranchId(1),
                active: true,
            }),
            clients: vec![
                relative(ClientId(3), true, false, false),
                relative(ClientId(4), true, true, false),
            ],
        };

        assert_eq!(
            caller.scope(Right::View),
            Scope::Own {
                helper: Some(HelperId(7)),
                clients: vec![ClientId(3), ClientId(4)]
            }
        );
        assert_eq!(caller.clients_with(Right::Book), vec![ClientId(4)]);
        assert!(caller.clients_with(Right::Pay).is_empty());
        assert!(caller.require_staff().is_err());
        assert!(!caller.manages_branch(BranchId(1)));
        assert!(caller.belongs_to_branch(BranchId(1)));
        assert!(!caller.belongs_to_branch(BranchId(2)));
    }

    #[test]
    fn a_branch_leader_manages_only_their_branch() {
        let caller = Caller {
            user_id: UserId(2),
            staff: Some(Staff::BranchLeader {
                branch_id: BranchId(5),
            }),
            helper: None,
            clients: vec![],
        };

        assert!(caller.manages_branch(BranchId(5)));
        assert!(!caller.manages_branch(BranchId(6)));
        assert!(matches!(
            caller.require_branch(BranchId(6)),
            Err(ApiError::NotFound)
        ));
        assert_eq!(caller.scope(Right::View), Scope::Branch(BranchId(5)));
        assert_eq!(caller.branch_ids(), Some(vec![BranchId(5)]));
    }
}
