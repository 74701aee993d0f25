//! Mails about visits that went wrong: a no-show, and visits whose helper cannot come.

use super::{client_side, people, sees_visits, visit_mail};
use crate::db::DbConnection;
use crate::db::models::branch::Branch;
use crate::db::models::client::Client;
use crate::db::models::helper::Helper;
use crate::db::models::ledger::LedgerEntry;
use crate::db::models::user::User;
use crate::db::models::visit::Visit;
use crate::email;
use crate::email::notices::{self, Audience, ListedVisit};
use crate::error::ApiError;

/// A no-show: the client side hears that the hours were used and what remains.
pub fn no_show(conn: &mut DbConnection, visit: &Visit) -> Result<(), ApiError> {
    let (client, branch, helper) = people(conn, visit)?;
    let balance = LedgerEntry::balance(conn, client.id)?;
    for recipient in client_side(conn, &client, sees_visits)? {
        let mail = visit_mail(&recipient, visit, &client, &helper, &branch);
        notices::visit_no_show(conn, &mail, balance.available_minutes)?;
    }
    Ok(())
}

/// Visits whose helper cannot come as booked: one mail per client side recipient listing that
/// client's affected visits, and one per branch leader listing all of them.
pub fn needs_attention(conn: &mut DbConnection, visits: &[Visit]) -> Result<(), ApiError> {
    let Some(first) = visits.first() else {
        return Ok(());
    };
    let branch = Branch::find(conn, first.branch_id)?;
    let helper = Helper::find(conn, first.helper_id)?;
    let mut clients: Vec<Client> = vec![];
    for visit in visits {
        if !clients.iter().any(|c| c.id == visit.client_id) {
            clients.push(Client::find_any(conn, visit.client_id)?);
        }
    }
    fn listed<'a>(
        visits: &'a [Visit],
        client: &'a Client,
        helper: &'a Helper,
    ) -> Vec<ListedVisit<'a>> {
        visits
            .iter()
            .filter(|v| v.client_id == client.id)
            .map(|v| ListedVisit {
                visit_id: v.id,
                start: v.starts_at.and_utc(),
                client_name: &client.name,
                helper_name: &helper.name,
                attention: v.attention,
                attention_since: v.attention_since.map(|at| at.and_utc()),
            })
            .collect()
    }
    let contact = || email::BranchContact {
        name: branch.name.clone(),
        phone: branch.phone.clone(),
    };
    let mut everything = vec![];
    for client in &clients {
        let theirs = listed(visits, client, &helper);
        for recipient in client_side(conn, client, sees_visits)? {
            notices::visits_need_attention(
                conn,
                &recipient.address,
                &recipient.language,
                contact(),
                &branch.time_zone,
                Audience::ClientSide,
                &theirs,
            )?;
        }
        everything.extend(theirs);
    }
    for leader in User::branch_leaders(conn, branch.id)? {
        notices::visits_need_attention(
            conn,
            &leader.email,
            email::country_language(branch.country),
            contact(),
            &branch.time_zone,
            Audience::Branch,
            &everything,
        )?;
    }
    Ok(())
}
