//! The policy's rules, one capacity at a time.

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

fn helper(helper_id: HelperId, branch: BranchId) -> Caller {
    Caller {
        user_id: UserId(3),
        staff: None,
        helper: Some(HelperLink {
            helper_id,
            branch_id: branch,
            active: true,
        }),
        clients: vec![],
    }
}

#[test]
fn a_visit_or_pair_is_seen_by_its_branch_its_helper_and_the_client_side_with_the_view_right() {
    let care = Care {
        branch_id: BranchId(1),
        client_id: ClientId(3),
        helper_id: HelperId(7),
    };
    assert!(helper(HelperId(7), BranchId(1)).sees_care(care));
    assert!(!helper(HelperId(8), BranchId(1)).sees_care(care));
    let leader = |branch_id| Caller {
        user_id: UserId(2),
        staff: Some(Staff::BranchLeader { branch_id }),
        helper: None,
        clients: vec![],
    };
    assert!(leader(BranchId(1)).sees_care(care));
    assert!(!leader(BranchId(2)).sees_care(care));
    let relative_with = |view, book| Caller {
        user_id: UserId(4),
        staff: None,
        helper: None,
        clients: vec![relative(ClientId(3), view, book, false)],
    };
    assert!(relative_with(true, false).sees_care(care));
    // Any right lets a relative see the client's records.
    assert!(relative_with(false, true).sees_care(care));
    assert!(!relative_with(false, false).sees_care(care));
}

#[test]
fn acting_for_a_client_needs_the_right_and_a_missing_link_is_a_404() {
    let caller = Caller {
        user_id: UserId(4),
        staff: None,
        helper: None,
        clients: vec![relative(ClientId(3), true, false, false)],
    };
    assert!(
        caller
            .may_act_for(BranchId(1), ClientId(3), Right::View)
            .is_ok()
    );
    assert!(matches!(
        caller.may_act_for(BranchId(1), ClientId(3), Right::Book),
        Err(ApiError::Forbidden(_))
    ));
    assert!(matches!(
        caller.may_act_for(BranchId(1), ClientId(9), Right::View),
        Err(ApiError::NotFound)
    ));
    assert!(caller.may_book().is_ok());
    assert!(matches!(
        caller.may_book_substitute(),
        Err(ApiError::Forbidden(_))
    ));
    assert!(matches!(
        helper(HelperId(7), BranchId(1)).may_book(),
        Err(ApiError::Forbidden(_))
    ));
}

#[test]
fn a_helper_sees_a_client_for_a_visit_only_while_serving_them_and_is_asked_only_then() {
    let caller = helper(HelperId(7), BranchId(1));
    let sight = |serves: bool| {
        caller.sight_of_client(BranchId(1), ClientId(3), |h| {
            assert_eq!(h, HelperId(7));
            Ok::<_, ApiError>(serves)
        })
    };
    assert_eq!(sight(true).unwrap(), Some(Sight::ForHelper));
    assert_eq!(sight(false).unwrap(), None);
    let leader = Caller {
        user_id: UserId(2),
        staff: Some(Staff::BranchLeader {
            branch_id: BranchId(1),
        }),
        helper: None,
        clients: vec![],
    };
    let full = leader.sight_of_client(BranchId(1), ClientId(3), |_| -> Result<bool, ApiError> {
        panic!("staff are not asked whether they serve the client")
    });
    assert_eq!(full.unwrap(), Some(Sight::Full));
}

#[test]
fn a_leader_reaches_their_branchs_accounts_but_never_an_admin() {
    let leader = Caller {
        user_id: UserId(2),
        staff: Some(Staff::BranchLeader {
            branch_id: BranchId(1),
        }),
        helper: None,
        clients: vec![],
    };
    let staff = |branch, role| AccountReach {
        staff: Some((branch, role)),
        branches: vec![],
    };
    assert!(leader.reaches_account(&staff(BranchId(1), Role::BranchLeader)));
    assert!(!leader.reaches_account(&staff(BranchId(2), Role::BranchLeader)));
    assert!(!leader.reaches_account(&staff(BranchId(1), Role::Admin)));
    let linked = |branches| AccountReach {
        staff: None,
        branches,
    };
    assert!(leader.reaches_account(&linked(vec![BranchId(2), BranchId(1)])));
    assert!(!leader.reaches_account(&linked(vec![BranchId(2)])));
    assert!(!leader.reaches_account(&linked(vec![])));
}
