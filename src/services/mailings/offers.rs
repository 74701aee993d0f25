//! Mails about open visits: the offer to each helper who may take one, word to the others once
//! one is taken, and the alert to the branch leaders when nobody has taken it in time.

use super::{helper_to, leaders, people, send};
use crate::db::DbConnection;
use crate::db::models::branch::Branch;
use crate::db::models::client::Client;
use crate::db::models::helper::Helper;
use crate::db::models::visit::Visit;
use crate::domain::ids::HelperId;
use crate::email;
use crate::error::ApiError;

/// The open `visit` offered to each of `helpers` (its helper, who cannot come, is named).
pub fn offered(
    conn: &mut DbConnection,
    visit: &Visit,
    client: &Client,
    branch: &Branch,
    helpers: &[Helper],
) -> Result<usize, ApiError> {
    if helpers.is_empty() {
        return Ok(0);
    }
    let absent = Helper::find(conn, visit.helper_id)?;
    let to: Vec<_> = helpers.iter().map(|h| helper_to(h, branch)).collect();
    send(
        conn,
        email::visit_offered,
        visit,
        client,
        &absent,
        branch,
        &to,
    )
}

/// Word to the helpers who were offered the visit that another helper (now its helper) took it.
pub fn offer_taken(
    conn: &mut DbConnection,
    visit: &Visit,
    helpers: &[HelperId],
) -> Result<usize, ApiError> {
    if helpers.is_empty() {
        return Ok(0);
    }
    let (client, branch, taker) = people(conn, visit)?;
    let mut to = vec![];
    for id in helpers {
        to.push(helper_to(&Helper::find(conn, *id)?, &branch));
    }
    send(
        conn,
        email::visit_taken,
        visit,
        &client,
        &taker,
        &branch,
        &to,
    )
}

/// To each active leader of the visit's branch: nobody has taken the open visit by its deadline.
pub fn uncovered(conn: &mut DbConnection, visit: &Visit) -> Result<usize, ApiError> {
    let (client, branch, absent) = people(conn, visit)?;
    let to = leaders(conn, &branch)?;
    send(
        conn,
        email::visit_uncovered,
        visit,
        &client,
        &absent,
        &branch,
        &to,
    )
}
