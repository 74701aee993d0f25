//! The branch's client list as the console shows it: name, address, source and where each
//! client stands, searched and filtered, a page at a time. Lean on purpose: the list reads four
//! columns and three grouped counts for the whole branch, and audits only the clients it shows,
//! in one statement — not the full record of every client with an audit insert each.

use crate::domain::audit::{AuditAction, AuditEntity};
use crate::domain::ids::{BranchId, ClientId};
use std::collections::HashMap;

use serde::Serialize;

use super::standing::{self, Standing};
use crate::auth::Caller;
use crate::db::DbConnection;
use crate::db::models::audit::AuditEvent;
use crate::db::models::client::Client;
use crate::domain::ClientSource;
use crate::domain::text::search_key;
use crate::error::ApiError;

/// What the list is narrowed to; `None`/`false` is no filter.
#[derive(Debug, Clone, Default)]
pub struct RosterSearch {
    /// Names containing this (any case).
    pub name: Option<String>,
    /// Only clients from this source.
    pub source: Option<ClientSource>,
    /// Only clients short of helpers.
    pub short_of_helpers: bool,
    /// Only clients low on hours.
    pub low_on_hours: bool,
}

/// One client in the list.
#[derive(Debug, Serialize)]
pub struct RosterRow {
    /// Client.
    pub client_id: ClientId,
    /// Name.
    pub name: String,
    /// Address.
    pub address: String,
    /// Where the client came from.
    pub source: ClientSource,
    /// Team and hours.
    pub standing: Standing,
}

/// One page of the list.
#[derive(Debug, Serialize)]
pub struct Roster {
    /// The page's clients, by name.
    pub rows: Vec<RosterRow>,
    /// Clients the search found, on every page.
    pub total: usize,
    /// The page shown, from 1.
    pub page: usize,
    /// Pages in all (at least 1).
    pub pages: usize,
}

/// What the list shows of each client, and so what its audit entry names.
const SHOWN_FIELDS: [&str; 2] = ["name", "address"];

/// Page `page` (from 1; past the end is the last) of `per_page` clients of a branch the
/// caller manages (else 404).
pub fn roster(
    conn: &mut DbConnection,
    caller: &Caller,
    branch_id: BranchId,
    search: &RosterSearch,
    low_minutes: i64,
    page: usize,
    per_page: usize,
) -> Result<Roster, ApiError> {
    let mut standings: HashMap<ClientId, Standing> =
        standing::of_branch(conn, caller, branch_id, low_minutes)?
            .into_iter()
            .map(|s| (s.client_id, s))
            .collect();
    let key = search
        .name
        .as_deref()
        .map(search_key)
        .filter(|k| !k.is_empty());
    let found = Client::roster(conn, branch_id, key.as_deref(), search.source)?;
    let mut rows: Vec<RosterRow> = found
        .into_iter()
        .filter_map(|(client_id, name, address, source)| {
            let standing = standings.remove(&client_id)?;
            let wanted = (!search.short_of_helpers || standing.short_of_helpers)
                && (!search.low_on_hours || standing.low_on_hours);
            wanted.then_some(RosterRow {
                client_id,
                name,
                address,
                source,
                standing,
            })
        })
        .collect();
    rows.sort_by_cached_key(|r| (r.name.to_lowercase(), r.client_id));
    let total = rows.len();
    let per_page = per_page.max(1);
    let pages = total.div_ceil(per_page).max(1);
    let page = page.clamp(1, pages);
    let rows: Vec<RosterRow> = rows
        .into_iter()
        .skip((page - 1) * per_page)
        .take(per_page)
        .collect();
    let shown: Vec<ClientId> = rows.iter().map(|r| r.client_id).collect();
    AuditEvent::record_many(
        conn,
        Some(caller.user_id),
        AuditAction::Read,
        AuditEntity::Client,
        &shown,
        &SHOWN_FIELDS,
    )?;
    Ok(Roster {
        rows,
        total,
        page,
        pages,
    })
}
