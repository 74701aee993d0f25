//! Relatives who act for a client, and logins for the client and the relatives. One person
//! has one login: a daughter with both parents as clients is the relative of each with the
//! same account; a helper whose grandmother is a client keeps one login for both.

use crate::domain::audit::{AuditAction, AuditEntity};
use crate::domain::ids::{ClientId, RelativeId, UserId};
use chrono::{NaiveDate, NaiveDateTime};
use serde::Serialize;

use super::managed;
use crate::auth::Caller;
use crate::db::DbConnection;
use crate::db::models::audit::AuditEvent;
use crate::db::models::client::Client;
use crate::db::models::now;
use crate::db::models::relative::{NewRelative, Relative};
use crate::domain::validation::not_in_future;
use crate::domain::{Email, Phone, Text, Validator};
use crate::email::notices;
use crate::error::ApiError;
use crate::services::erasure;
use crate::services::invitations::{self, Capacity, Invited};

/// Body of `POST /api/v1/clients/{id}/relatives`.
#[derive(Debug, eserde::Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"name": "Lene Nielsen", "email": "lene@example.dk", "relation": "daughter",
    "can_view": true, "can_book": true, "can_pay": false, "consent_given_on": "2026-11-20", "create_account": true}))]
pub struct RelativeInput {
    /// Name.
    pub name: String,
    /// Email (needed for an account).
    #[serde(default)]
    pub email: Option<String>,
    /// Phone.
    #[serde(default)]
    pub phone: Option<String>,
    /// e.g. daughter.
    pub relation: String,
    /// May view.
    #[serde(default)]
    pub can_view: bool,
    /// May book and cancel.
    #[serde(default)]
    pub can_book: bool,
    /// May buy clip cards.
    #[serde(default)]
    pub can_pay: bool,
    /// Send them each visit's report by mail (needs `can_view`).
    #[serde(default)]
    pub wants_reports: bool,
    /// Date the client consented (today or earlier).
    #[eserde(compat)]
    pub consent_given_on: NaiveDate,
    /// Give the relative a login: an invitation is mailed, or an existing login of that email
    /// gets access to this client too.
    #[serde(default)]
    pub create_account: bool,
}

/// A relative of a client, as the API shows them.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct RelativeView {
    /// Id.
    pub id: RelativeId,
    /// The client.
    pub client_id: ClientId,
    /// Name.
    pub name: String,
    /// Email.
    pub email: Option<String>,
    /// Phone.
    pub phone: Option<String>,
    /// e.g. daughter, son, neighbour.
    pub relation: String,
    /// May see the client's visits and balance.
    pub can_view: bool,
    /// May book and cancel visits.
    pub can_book: bool,
    /// May buy clip cards.
    pub can_pay: bool,
    /// Date the client gave consent.
    pub consent_given_on: NaiveDate,
    /// Created.
    #[serde(serialize_with = "crate::db::models::utc")]
    pub created_at: NaiveDateTime,
    /// The login this relative acts through, if they have one (one login may be the relative of several clients).
    pub user_id: Option<UserId>,
    /// Gets each visit's report by mail (only with the view right).
    pub wants_reports: bool,
}

impl From<Relative> for RelativeView {
    fn from(r: Relative) -> RelativeView {
        RelativeView {
            id: r.id,
            client_id: r.client_id,
            name: r.name,
            email: r.email,
            phone: r.phone,
            relation: r.relation,
            can_view: r.can_view,
            can_book: r.can_book,
            can_pay: r.can_pay,
            consent_given_on: r.consent_given_on,
            created_at: r.created_at,
            user_id: r.user_id,
            wants_reports: r.wants_reports,
        }
    }
}

/// A relative added, and whether a login was opened or linked for them.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct RelativeCreated {
    /// The relative.
    pub relative: RelativeView,
    /// A set-password link was mailed (a new login, or one without a password yet).
    pub invitation_sent: bool,
    /// An existing login of that email now also acts for this client (a mail says so).
    pub linked_existing_account: bool,
}

/// What opening a client's own login did.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct AccountOpened {
    /// The account.
    pub user_id: UserId,
    /// A set-password link was mailed to the client.
    pub invitation_sent: bool,
}

/// Adds a relative with the rights the client consented to (staff of the branch).
pub fn add_relative(
    conn: &mut DbConnection,
    caller: &Caller,
    client_id: ClientId,
    input: RelativeInput,
) -> Result<RelativeCreated, ApiError> {
    let client = managed(conn, caller, client_id)?;
    let mut v = Validator::default();
    let name = v.check("name", Text::required(&input.name, 200));
    let email = v.check_opt("email", input.email.as_deref(), Email::parse);
    let phone = v.check_opt("phone", input.phone.as_deref(), Phone::parse);
    let relation = v.check("relation", Text::required(&input.relation, 100));
    let consent = v.check("consent_given_on", not_in_future(input.consent_given_on));
    if input.create_account && input.email.is_none() {
        v.fail("email", "an account needs an email");
    }
    if input.wants_reports && !(input.can_view && input.email.is_some()) {
        v.fail(
            "wants_reports",
            "visit reports are mailed to a relative with the view right and an email",
        );
    }
    let built = (|| Some((name?, email?, phone?, relation?, consent?)))();
    let (name, email, phone, relation, consent) = v.into_value(built)?;
    crate::db::write_transaction(conn, |conn| {
        let at = now();
        let relative = Relative::insert(
            conn,
            &NewRelative {
                client_id,
                name: name.as_str().into(),
                email: email.as_ref().map(|e| e.as_str().to_string()),
                phone: phone.map(Phone::into_string),
                relation: relation.into_string(),
                can_view: input.can_view,
                can_book: input.can_book,
                can_pay: input.can_pay,
                consent_given_on: consent,
                created_at: at,
                user_id: None,
                wants_reports: input.wants_reports,
            },
        )?;
        let (mut invitation_sent, mut linked) = (false, false);
        if let (true, Some(email)) = (input.create_account, &email) {
            let invited = invitations::open_or_link(
                conn,
                email.as_str(),
                name.as_str(),
                Capacity::Relative(relative.id),
                at,
            )?;
            (invitation_sent, linked) = tell_relative(conn, &client, &invited)?;
        }
        AuditEvent::record(
            conn,
            Some(caller.user_id),
            AuditAction::Create,
            AuditEntity::Relative,
            relative.id,
            &["name", "email", "phone"],
        )?;
        Ok(RelativeCreated {
            relative: Relative::find(conn, relative.id)?.into(),
            invitation_sent,
            linked_existing_account: linked,
        })
    })
}

/// Mails the relative: a set-password link for a login without a password, or word that
/// their login now also follows this client. Returns (invitation sent, existing login linked).
fn tell_relative(
    conn: &mut DbConnection,
    client: &Client,
    invited: &Invited,
) -> Result<(bool, bool), ApiError> {
    match &invited.token {
        Some(token) => {
            invitations::mail_invitation(conn, &invited.user, token, Some(&client.name))?;
            Ok((true, false))
        }
        None => {
            let (branch, _) = invitations::mail_context(conn, &invited.user)?;
            notices::relative_access(
                conn,
                &invited.user.email,
                &client.preferred_language,
                branch,
                &invited.user.name,
                &client.name,
            )?;
            Ok((false, true))
        }
    }
}

/// Removes and erases a relative (staff of the branch): their rights end at once, the record
/// goes, their login closes and the mails to them are forgotten unless the login still serves
/// someone else. Clip cards they bought stay in the client's ledger (bookkeeping), their
/// buyer an erased account.
pub fn remove_relative(
    conn: &mut DbConnection,
    caller: &Caller,
    client_id: ClientId,
    relative_id: RelativeId,
) -> Result<(), ApiError> {
    managed(conn, caller, client_id)?;
    crate::db::write_transaction(conn, |conn| {
        let relative = Relative::find(conn, relative_id)?;
        if relative.client_id != client_id {
            return Err(ApiError::NotFound);
        }
        Relative::delete(conn, relative_id)?;
        if let Some(user_id) = relative.user_id {
            erasure::close_if_unused(conn, user_id, now())?;
        }
        // Erasure as for clients and helpers: the mails to them go too, unless the address
        // still signs in (the relative of another client keeps the mails about that one).
        if let Some(email) = &relative.email {
            erasure::forget_unless_in_use(conn, email)?;
        }
        AuditEvent::record(
            conn,
            Some(caller.user_id),
            AuditAction::Delete,
            AuditEntity::Relative,
            relative_id,
            &["name", "email", "phone"],
        )?;
        Ok(())
    })
}

/// Opens a login for the client themself (staff of the branch) and mails the invitation.
pub fn open_account(
    conn: &mut DbConnection,
    caller: &Caller,
    client_id: ClientId,
) -> Result<AccountOpened, ApiError> {
    let client = managed(conn, caller, client_id)?;
    let email = client
        .email
        .clone()
        .ok_or_else(|| ApiError::field("email", "the client has no email"))?;
    crate::db::write_transaction(conn, |conn| {
        let invited = invitations::open_or_link(
            conn,
            &email,
            &client.name,
            Capacity::Client(client_id),
            now(),
        )?;
        if let Some(token) = &invited.token {
            invitations::mail_invitation(conn, &invited.user, token, None)?;
        }
        Ok(AccountOpened {
            user_id: invited.user.id,
            invitation_sent: invited.token.is_some(),
        })
    })
}
