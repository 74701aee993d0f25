//! Who is calling: an account that is active now, with its staff role, helper record and
//! client links, read from the database on every request (`routes::caller` extracts it from
//! the bearer token; the console from its session).

use crate::db::models::user::CallerRow;
use crate::domain::ids::{BranchId, ClientId, HelperId, RelativeId, UserId};
use crate::domain::{HelperStatus, Role};

/// What a relative may do for a client; the client themself holds every right.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct RelativeRights {
    /// See visits, balance and helpers.
    pub view: bool,
    /// Book and cancel visits.
    pub book: bool,
    /// Buy clip cards.
    pub pay: bool,
}

impl RelativeRights {
    /// Every right: the client acting for themself.
    pub const ALL: RelativeRights = RelativeRights {
        view: true,
        book: true,
        pay: true,
    };

    /// Any right lets a relative see the client's record.
    pub fn sees(self) -> bool {
        self.view || self.book || self.pay
    }
}

/// A staff role with its scope.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Staff {
    /// National administration: everything.
    Admin,
    /// Leads one branch.
    BranchLeader {
        /// The branch.
        branch_id: BranchId,
    },
}

/// The caller's helper record.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct HelperLink {
    /// Helper id.
    pub helper_id: HelperId,
    /// The helper's branch.
    pub branch_id: BranchId,
    /// True while the helper is active (not paused).
    pub active: bool,
}

/// A client the caller acts for: as the client themself or as a relative.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ClientLink {
    /// Client id.
    pub client_id: ClientId,
    /// The client's branch.
    pub branch_id: BranchId,
    /// The relative row, when the caller is a relative (`None`: the client themself).
    pub relative_id: Option<RelativeId>,
    /// What the caller may do for this client.
    pub rights: RelativeRights,
}

/// The authenticated account making a request, with every capacity it holds right now.
#[derive(Debug, Clone)]
pub struct Caller {
    /// Account id.
    pub user_id: UserId,
    /// Staff role, if any (a staff account holds no other capacity).
    pub staff: Option<Staff>,
    /// The caller's helper record, while they are active or paused.
    pub helper: Option<HelperLink>,
    /// Clients the caller acts for (themself, or as a relative).
    pub clients: Vec<ClientLink>,
}

impl Caller {
    /// Builds the caller from the account row and its links as they are now.
    pub fn from_row(row: CallerRow) -> Caller {
        let staff = match (row.user.role, row.user.branch_id) {
            (Some(Role::Admin), _) => Some(Staff::Admin),
            (Some(Role::BranchLeader), Some(branch_id)) => Some(Staff::BranchLeader { branch_id }),
            _ => None,
        };
        let helper = row.helper.and_then(|(helper_id, branch_id, status)| {
            matches!(status, HelperStatus::Active | HelperStatus::Paused).then_some(HelperLink {
                helper_id,
                branch_id,
                active: status == HelperStatus::Active,
            })
        });
        let own = row.own_client.map(|(client_id, branch_id)| ClientLink {
            client_id,
            branch_id,
            relative_id: None,
            rights: RelativeRights::ALL,
        });
        let relatives = row.relative_of.iter().map(|r| ClientLink {
            client_id: r.client_id,
            branch_id: r.branch_id,
            relative_id: Some(r.relative_id),
            rights: RelativeRights {
                view: r.can_view,
                book: r.can_book,
                pay: r.can_pay,
            },
        });
        Caller {
            user_id: row.user.id,
            staff,
            helper,
            clients: own.into_iter().chain(relatives).collect(),
        }
    }
}
