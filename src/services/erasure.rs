//! Erasure (GDPR art. 17) for clients and for helpers who have left: personal data gone,
//! accounts closed (or only unlinked, when the login still serves another capacity), mails to
//! them forgotten; visits, hours, payroll and ledger rows stay, anonymised, as bookkeeping
//! law requires.

use crate::domain::audit::{AuditAction, AuditEntity};
use crate::domain::ids::{ClientId, HelperId, UserId};
use chrono::NaiveDateTime;

use crate::auth::Caller;
use crate::db::DbConnection;
use crate::db::models::assignment::Assignment;
use crate::db::models::audit::AuditEvent;
use crate::db::models::availability::Availability;
use crate::db::models::client::{Client, ClientChanges};
use crate::db::models::helper::Helper;
use crate::db::models::now;
use crate::db::models::outbox::OutboxMail;
use crate::db::models::password_token::PasswordToken;
use crate::db::models::relative::Relative;
use crate::db::models::user::{User, UserChanges};
use crate::db::models::visit::Whose;
use crate::error::ApiError;

use super::{sessions, visits};

const CLIENT_FIELDS: [&str; 5] = ["name", "email", "phone", "address", "care_notes"];
const HELPER_FIELDS: [&str; 6] = [
    "name",
    "email",
    "phone",
    "study_programme",
    "home",
    "criminal_record",
];

/// Closes an account that lost its last capacity: inactive, anonymised (so the email can be
/// used again and nothing personal stays), every token ended. An account that still serves
/// another capacity stays open; the next request already sees it without the lost one.
pub fn close_if_unused(
    conn: &mut DbConnection,
    user_id: UserId,
    at: NaiveDateTime,
) -> Result<bool, ApiError> {
    let user = User::find(conn, user_id)?;
    let unused = user.role.is_none()
        && user.helper_id.is_none()
        && user.client_id.is_none()
        && Relative::for_user(conn, user_id)?.is_empty();
    if !unused {
        return Ok(false);
    }
    OutboxMail::forget_recipient(conn, &user.email)?;
    User::update(
        conn,
        user_id,
        &UserChanges {
            email: Some(format!("erased-{user_id}@invalid")),
            name: Some("(deleted)".into()),
            password_hash: Some(None),
            active: Some(false),
            updated_at: Some(at),
            ..Default::default()
        },
    )?;
    PasswordToken::retire_all(conn, user_id, at)?;
    sessions::end_sessions(conn, user_id, at)?;
    Ok(true)
}

/// Forgets the mails to an erased address; an address an open account still logs in with is
/// not erased (a relative who still acts for another client keeps the mails about them).
pub(crate) fn forget_unless_in_use(conn: &mut DbConnection, email: &str) -> Result<(), ApiError> {
    let address = email.trim().to_lowercase();
    if User::find_by_email(conn, &address)?.is_some_and(|u| u.active) {
        return Ok(());
    }
    OutboxMail::forget_recipient(conn, &address)?;
    Ok(())
}

/// Erases a client (staff of the branch): upcoming visits cancelled free (their helpers told),
/// pairs ended, relatives removed, the client's and the relatives' logins closed unless they
/// serve someone else, mails to them forgotten. The row stays, anonymised, so past visits and
/// hours still add up.
pub fn erase_client(
    conn: &mut DbConnection,
    caller: &Caller,
    id: ClientId,
) -> Result<(), ApiError> {
    crate::db::write_transaction(conn, |conn| {
        let client = super::clients::managed(conn, caller, id)?;
        let at = now();
        visits::cancel_for_erasure(conn, id, caller.user_id)?;
        Assignment::end_all(
            conn,
            Whose::Client(id),
            Some(caller.user_id),
            "client deleted",
            at,
        )?;
        let relatives = Relative::for_client(conn, id)?;
        Relative::delete_for_client(conn, id)?;
        for relative in &relatives {
            if let Some(user_id) = relative.user_id {
                close_if_unused(conn, user_id, at)?;
            }
            if let Some(email) = &relative.email {
                forget_unless_in_use(conn, email)?;
            }
        }
        if let Some(account) = User::find_by_client(conn, id)? {
            User::update(
                conn,
                account.id,
                &UserChanges {
                    client_id: Some(None),
                    updated_at: Some(at),
                    ..Default::default()
                },
            )?;
            close_if_unused(conn, account.id, at)?;
        }
        if let Some(email) = &client.email {
            forget_unless_in_use(conn, email)?;
        }
        let erased = ClientChanges {
            name: Some("(deleted)".into()),
            email: Some(None),
            phone: Some(None),
            address: Some(String::new()),
            care_notes: Some(String::new()),
            home_traits: Some("[]".into()),
            source_detail: Some(None),
            search_name: Some(String::new()),
            deleted_at: Some(Some(at)),
            updated_at: Some(at),
            ..Default::default()
        };
        Client::update(conn, id, &erased)?;
        AuditEvent::record(
            conn,
            Some(caller.user_id),
            AuditAction::Delete,
            AuditEntity::Client,
            id,
            &CLIENT_FIELDS,
        )?;
        Ok(())
    })
}

/// Erases a helper who has left or was rejected (staff of the branch): name, contact, study,
/// home, the criminal-record check and pipeline notes gone, availability removed, the login
/// closed unless it serves another capacity. Visits and hours stay for payroll, anonymised.
pub fn erase_helper(
    conn: &mut DbConnection,
    caller: &Caller,
    id: HelperId,
) -> Result<(), ApiError> {
    caller.require_staff()?;
    crate::db::write_transaction(conn, |conn| {
        let helper = Helper::find(conn, id)?;
        caller.require_branch(helper.branch_id)?;
        if helper.deleted_at.is_some() {
            return Err(ApiError::NotFound);
        }
        let status = helper.status;
        if !status.is_final() {
            return Err(ApiError::Conflict(format!(
                "the helper is {}; only a helper who has left or was rejected can be erased (move them to left first)",
                helper.status
            )));
        }
        erase_helper_record(conn, Some(caller.user_id), id, now())
    })
}

/// The erasure itself, for staff and for the retention job (`actor` none): availability
/// removed, the login closed unless it serves another capacity, mails forgotten, the row
/// anonymised, audited.
pub(crate) fn erase_helper_record(
    conn: &mut DbConnection,
    actor: Option<UserId>,
    id: HelperId,
    at: NaiveDateTime,
) -> Result<(), ApiError> {
    let helper = Helper::find(conn, id)?;
    Availability::erase(conn, id)?;
    if let Some(account) = User::find_by_helper(conn, id)? {
        User::update(
            conn,
            account.id,
            &UserChanges {
                helper_id: Some(None),
                updated_at: Some(at),
                ..Default::default()
            },
        )?;
        close_if_unused(conn, account.id, at)?;
    }
    forget_unless_in_use(conn, &helper.email)?;
    Helper::erase(conn, id, at)?;
    AuditEvent::record(
        conn,
        actor,
        AuditAction::Delete,
        AuditEntity::Helper,
        id,
        &HELPER_FIELDS,
    )?;
    Ok(())
}
