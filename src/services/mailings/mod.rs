//! Which mails an event in the service sends, and to whom — visits, clip-card receipts, low
//! balance — enqueued inside the caller's transaction (see docs/email.md): the client (when they
//! have an address), the relatives the client gave a matching right, and the helper. Relatives read the client's language; a helper
//! reads `email::helper_language` at the visit's branch. Logs carry no addresses.

use crate::db::DbConnection;
use crate::db::models::branch::Branch;
use crate::db::models::client::Client;
use crate::db::models::helper::Helper;
use crate::db::models::ledger::{Balance, ClipCard, LedgerEntry};
use crate::db::models::relative::Relative;
use crate::db::models::user::User;
use crate::db::models::visit::Visit;
use crate::domain::ids::HelperId;
use crate::email::notices::{self, ListedVisit};
use crate::email::{self, ClipCardMail, LowBalanceMail, PayerMail, VisitMail};
use crate::error::ApiError;

mod attention;
mod digest;
mod offers;
mod reminders;
mod reports;
mod running_out;

pub use attention::{needs_attention, no_show};
pub use digest::send_digests;
pub use offers::{offer_taken, offered, uncovered};
pub use reminders::{reminder_due_at, send_reminders};
pub use reports::{concern, pair_excluded, report};
pub use running_out::{WARN_DAYS, runs_out_soon, warn_hours_running_out};

/// One address and the language to write to it in.
struct To {
    address: String,
    language: String,
}

/// The client and their relatives holding `right`, each address once (case-insensitive).
fn client_side(
    conn: &mut DbConnection,
    client: &Client,
    right: fn(&Relative) -> bool,
) -> Result<Vec<To>, ApiError> {
    let mut to: Vec<To> = vec![];
    let relatives = Relative::for_client(conn, client.id)?;
    let addresses = client.email.iter().cloned().chain(
        relatives
            .iter()
            .filter(|r| right(r))
            .filter_map(|r| r.email.clone()),
    );
    for address in addresses {
        let address = address.trim().to_string();
        if !address.is_empty() && !to.iter().any(|t| t.address.eq_ignore_ascii_case(&address)) {
            to.push(To {
                address,
                language: client.preferred_language.clone(),
            });
        }
    }
    Ok(to)
}

fn sees_visits(relative: &Relative) -> bool {
    relative.can_view || relative.can_book
}

fn pays(relative: &Relative) -> bool {
    relative.can_pay
}

fn helper_to(helper: &Helper, branch: &Branch) -> To {
    To {
        address: helper.email.clone(),
        language: email::helper_language(helper, branch.country).into(),
    }
}

/// The values of a visit mail to one recipient.
fn visit_mail<'a>(
    recipient: &'a To,
    visit: &Visit,
    client: &'a Client,
    helper: &'a Helper,
    branch: &'a Branch,
) -> VisitMail<'a> {
    VisitMail {
        recipient: &recipient.address,
        language: &recipient.language,
        branch_name: &branch.name,
        branch_phone: branch.phone.as_deref(),
        client_name: &client.name,
        helper_name: &helper.name,
        start: visit.starts_at.and_utc(),
        time_zone: &branch.time_zone,
        minutes: i64::from(visit.minutes),
        visit_id: visit.id,
        sequence: visit.sequence,
    }
}

/// The client, branch and helper of a visit.
fn people(conn: &mut DbConnection, visit: &Visit) -> Result<(Client, Branch, Helper), ApiError> {
    Ok((
        Client::find_any(conn, visit.client_id)?,
        Branch::find(conn, visit.branch_id)?,
        Helper::find(conn, visit.helper_id)?,
    ))
}

/// Each active leader of `branch`, in the branch country's language.
fn leaders(conn: &mut DbConnection, branch: &Branch) -> Result<Vec<To>, ApiError> {
    let language = email::country_language(branch.country);
    Ok(User::branch_leaders(conn, branch.id)?
        .into_iter()
        .map(|leader| To {
            address: leader.email,
            language: language.into(),
        })
        .collect())
}

/// Sends `event` about `visit` to each of `to`; returns how many were queued.
fn send(
    conn: &mut DbConnection,
    event: impl Fn(&mut DbConnection, &VisitMail<'_>) -> Result<Option<i64>, ApiError>,
    visit: &Visit,
    client: &Client,
    helper: &Helper,
    branch: &Branch,
    to: &[To],
) -> Result<usize, ApiError> {
    let mut queued = 0;
    for recipient in to {
        let mail = visit_mail(recipient, visit, client, helper, branch);
        if event(conn, &mail)?.is_some() {
            queued += 1;
        }
    }
    Ok(queued)
}

/// Everyone who hears about a visit: the client's side and the visit's helper.
fn everyone(
    conn: &mut DbConnection,
    client: &Client,
    helper: &Helper,
    branch: &Branch,
) -> Result<Vec<To>, ApiError> {
    let mut to = client_side(conn, client, sees_visits)?;
    if !to
        .iter()
        .any(|t| t.address.eq_ignore_ascii_case(&helper.email))
    {
        to.push(helper_to(helper, branch));
    }
    Ok(to)
}

/// Visits booked: a confirmation with a calendar invite; a weekly series gets one mail per
/// recipient listing every date, with one invite holding every occurrence.
pub fn booked(
    conn: &mut DbConnection,
    client: &Client,
    branch: &Branch,
    visits: &[Visit],
) -> Result<(), ApiError> {
    let Some(first) = visits.first() else {
        return Ok(());
    };
    let helper = Helper::find(conn, first.helper_id)?;
    let to = everyone(conn, client, &helper, branch)?;
    if visits.len() == 1 {
        send(
            conn,
            email::visit_booked,
            first,
            client,
            &helper,
            branch,
            &to,
        )?;
        return Ok(());
    }
    let listed: Vec<ListedVisit<'_>> = visits
        .iter()
        .map(|v| ListedVisit {
            visit_id: v.id,
            start: v.starts_at.and_utc(),
            client_name: &client.name,
            helper_name: &helper.name,
            attention: None,
            attention_since: None,
        })
        .collect();
    for recipient in &to {
        let mail = visit_mail(recipient, first, client, &helper, branch);
        notices::visit_series_booked(conn, &mail, &listed)?;
    }
    Ok(())
}

/// A visit moved: the new invite (same UID, higher SEQUENCE). When the helper changed, the
/// previous helper gets a cancellation and the new one a confirmation.
pub fn rescheduled(
    conn: &mut DbConnection,
    visit: &Visit,
    previous_helper_id: HelperId,
) -> Result<(), ApiError> {
    let (client, branch, helper) = people(conn, visit)?;
    // The same helper gets the move too; a new helper gets a booking instead (below).
    let to = if previous_helper_id == visit.helper_id {
        everyone(conn, &client, &helper, &branch)?
    } else {
        client_side(conn, &client, sees_visits)?
    };
    send(
        conn,
        email::visit_rescheduled,
        visit,
        &client,
        &helper,
        &branch,
        &to,
    )?;
    if previous_helper_id != visit.helper_id {
        let previous = Helper::find(conn, previous_helper_id)?;
        let to = [helper_to(&previous, &branch)];
        send(
            conn,
            email::visit_cancelled,
            visit,
            &client,
            &previous,
            &branch,
            &to,
        )?;
        let to = [helper_to(&helper, &branch)];
        send(
            conn,
            email::visit_booked,
            visit,
            &client,
            &helper,
            &branch,
            &to,
        )?;
    }
    Ok(())
}

/// A visit cancelled: METHOD:CANCEL to everyone who had the invite. A late cancellation tells
/// the client side that the hours were used and what remains.
pub fn cancelled(conn: &mut DbConnection, visit: &Visit) -> Result<(), ApiError> {
    let (client, branch, helper) = people(conn, visit)?;
    if !visit.late_cancellation {
        let to = everyone(conn, &client, &helper, &branch)?;
        send(
            conn,
            email::visit_cancelled,
            visit,
            &client,
            &helper,
            &branch,
            &to,
        )?;
        return Ok(());
    }
    let balance = LedgerEntry::balance(conn, client.id)?;
    for recipient in client_side(conn, &client, sees_visits)? {
        let mail = visit_mail(&recipient, visit, &client, &helper, &branch);
        notices::visit_cancelled_late(conn, &mail, balance.available_minutes)?;
    }
    cancelled_for_helper(conn, visit)
}

/// A visit cancelled, to its helper only (the client's side hears otherwise, or is erased).
pub fn cancelled_for_helper(conn: &mut DbConnection, visit: &Visit) -> Result<(), ApiError> {
    let (client, branch, helper) = people(conn, visit)?;
    let to = [helper_to(&helper, &branch)];
    send(
        conn,
        email::visit_cancelled,
        visit,
        &client,
        &helper,
        &branch,
        &to,
    )?;
    Ok(())
}

/// A visit checked out: minutes used and the balance left, to the client's side.
pub fn done(conn: &mut DbConnection, visit: &Visit) -> Result<(), ApiError> {
    let (client, branch, helper) = people(conn, visit)?;
    let balance = LedgerEntry::balance(conn, client.id)?;
    for recipient in client_side(conn, &client, sees_visits)? {
        let mut mail = visit_mail(&recipient, visit, &client, &helper, &branch);
        // What was used: the booked time, or what the branch settled on after a review.
        mail.minutes = i64::from(visit.consumed_minutes.unwrap_or(visit.minutes));
        email::visit_done(
            conn,
            &mail,
            balance.available_minutes,
            balance.reserved_minutes,
        )?;
    }
    Ok(())
}

/// Sends a mail about the client's hours to the client and the relatives who pay, each in
/// their language, signed by `branch`: what the receipt and the low-balance mail share.
pub(super) fn to_payers(
    conn: &mut DbConnection,
    client: &Client,
    branch: &Branch,
    mut send: impl FnMut(&mut DbConnection, PayerMail<'_>) -> Result<Option<i64>, ApiError>,
) -> Result<(), ApiError> {
    for recipient in client_side(conn, client, pays)? {
        let to = PayerMail {
            recipient: &recipient.address,
            language: &recipient.language,
            branch_name: &branch.name,
            branch_phone: branch.phone.as_deref(),
            client_name: &client.name,
        };
        send(conn, to)?;
    }
    Ok(())
}

/// The balance fell to the low mark: once per clip card bought, to the client and the
/// relatives who pay (dedupe key `low_balance:{client}:card-{last card id}:{recipient}`).
pub fn low_balance(
    conn: &mut DbConnection,
    client: &Client,
    branch: &Branch,
    balance: &Balance,
) -> Result<(), ApiError> {
    let last_card = ClipCard::last_id_for_client(conn, client.id)?.unwrap_or(0);
    let state = format!("card-{last_card}");
    to_payers(conn, client, branch, |conn, to| {
        email::low_balance(
            conn,
            &LowBalanceMail {
                to,
                client_id: client.id,
                available_minutes: balance.available_minutes,
                state: &state,
            },
        )
    })
}

/// A clip card bought: the receipt, to the client and the relatives who pay.
pub fn clip_card_purchased(
    conn: &mut DbConnection,
    client: &Client,
    card: &ClipCard,
) -> Result<(), ApiError> {
    let branch = Branch::find(conn, client.branch_id)?;
    to_payers(conn, client, &branch, |conn, to| {
        email::clip_card_purchased(
            conn,
            &ClipCardMail {
                to,
                card_id: card.id,
                hours: i64::from(card.minutes) / 60,
                price_minor: card.amount_minor,
                currency: &card.currency,
                purchased_at: card.purchased_at.and_utc(),
                time_zone: &branch.time_zone,
            },
        )
    })
}
