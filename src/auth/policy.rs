//! Who may see and change what. Records a caller may not see answer 404, as if absent;
//! actions a role can never take answer 403. A caller may hold several capacities (a helper
//! whose grandmother is a client); each rule asks for the capacity it needs.

use super::caller::{Caller, ClientLink, RelativeRights, Staff};
pub use crate::db::Scope;
use crate::domain::Role;
use crate::domain::ids::{BranchId, ClientId, HelperId};
use crate::error::ApiError;

/// The parties a record of someone's care names (a visit, a pair).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Care {
    /// The client's branch.
    pub branch_id: BranchId,
    /// The client.
    pub client_id: ClientId,
    /// The helper.
    pub helper_id: HelperId,
}

/// How the caller may see a client's record.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Sight {
    /// The whole record.
    Full,
    /// What a visit needs.
    ForHelper,
}

/// What decides whether a staff caller reaches an account.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AccountReach {
    /// A staff account's branch and role (an admin has no branch and is never reached by a leader).
    pub staff: Option<(BranchId, Role)>,
    /// The branches of the helper, client and relative records the account is linked to.
    pub branches: Vec<BranchId>,
}

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

    /// Whether the caller acts for `client_id` (as the client, or a relative) holding `right`.
    pub fn acts_for(&self, client_id: ClientId, right: Right) -> bool {
        self.client_link(client_id)
            .is_some_and(|link| link.rights.allows(right))
    }

    /// A record of a client's care — a visit, a pair: staff of its branch, its helper, or the
    /// client side with the view right.
    pub fn sees_care(&self, care: Care) -> bool {
        self.manages_branch(care.branch_id)
            || self.helper_id() == Some(care.helper_id)
            || self.acts_for(care.client_id, Right::View)
    }

    /// A helper's own records (profile, availability): staff of the branch or the helper themself.
    pub fn reaches_helper(&self, branch_id: BranchId, helper_id: HelperId) -> bool {
        self.manages_branch(branch_id) || self.helper_id() == Some(helper_id)
    }

    /// How the caller sees a client of `branch_id`: the whole record (staff of the branch, the
    /// client, a relative with any right), only what a visit needs (a helper who serves them —
    /// `serves` is asked only then), or not at all.
    pub fn sight_of_client<E>(
        &self,
        branch_id: BranchId,
        client_id: ClientId,
        serves: impl FnOnce(HelperId) -> Result<bool, E>,
    ) -> Result<Option<Sight>, E> {
        if self.manages_branch(branch_id) || self.acts_for(client_id, Right::View) {
            return Ok(Some(Sight::Full));
        }
        match self.helper_id() {
            Some(helper) => Ok(serves(helper)?.then_some(Sight::ForHelper)),
            None => Ok(None),
        }
    }

    /// Acting for a client with `right` (booking, paying): staff of the branch, or the client
    /// side holding the right. A link without the right is a 403; no link at all a 404.
    pub fn may_act_for(
        &self,
        branch_id: BranchId,
        client_id: ClientId,
        right: Right,
    ) -> Result<(), ApiError> {
        if self.manages_branch(branch_id) {
            return Ok(());
        }
        match self.client_link(client_id) {
            Some(link) if link.rights.allows(right) => Ok(()),
            Some(_) => Err(ApiError::Forbidden(
                "the client has not given you this right".into(),
            )),
            None => Err(ApiError::NotFound),
        }
    }

    /// Booking is the branch's or the client side's: a caller who is only a helper gets 403
    /// before any client is looked up.
    pub fn may_book(&self) -> Result<(), ApiError> {
        if self.staff.is_none() && self.clients.is_empty() {
            return Err(ApiError::Forbidden(
                "helpers do not book visits; the branch or the client does".into(),
            ));
        }
        Ok(())
    }

    /// Only the branch books a helper from outside the client's team.
    pub fn may_book_substitute(&self) -> Result<(), ApiError> {
        if self.staff.is_none() {
            return Err(ApiError::Forbidden(
                "only the branch can book a substitute helper".into(),
            ));
        }
        Ok(())
    }

    /// Whether a staff caller reaches an account: admins every one; a leader the non-admin
    /// staff of their branch and anyone linked to their branch as helper, client or relative.
    pub fn reaches_account(&self, account: &AccountReach) -> bool {
        if self.is_admin() {
            return true;
        }
        match account.staff {
            Some((branch_id, role)) => role != Role::Admin && self.manages_branch(branch_id),
            None => account.branches.iter().any(|b| self.manages_branch(*b)),
        }
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
mod tests;
