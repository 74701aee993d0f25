//! What a client's record looks like to the one asking, one client or a list.

use crate::domain::audit::{AuditAction, AuditEntity};
use crate::domain::ids::{AssignmentId, BranchId, ClientId, HelperId};
use diesel::OptionalExtension;
use serde::Serialize;
use std::collections::HashMap;

use crate::auth::Caller;
use crate::auth::policy::Right;
use crate::db::models::assignment::Assignment;
use crate::db::models::audit::AuditEvent;
use crate::db::models::client::{Client, ClientFilter};
use crate::db::models::from_json_list;
use crate::db::models::helper::Helper;
use crate::db::models::relative::Relative;
use crate::db::{DbConnection, Page, Scope};
use crate::domain::text::search_key;
use crate::domain::{ClientSource, Position};
use crate::error::ApiError;

use super::relatives::RelativeView;
use super::{PERSONAL_FIELDS, Sight, access};

/// The personal fields a helper's record of a client shows.
const HELPER_FIELDS: [&str; 4] = ["name", "phone", "address", "care_notes"];

/// A client as the branch and the client see them.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ClientView {
    /// Id.
    pub id: ClientId,
    /// Branch.
    pub branch_id: BranchId,
    /// Name.
    pub name: String,
    /// Email.
    pub email: Option<String>,
    /// Phone.
    pub phone: Option<String>,
    /// Address.
    pub address: String,
    /// Home position.
    pub position: Position,
    /// Needs.
    #[schema(value_type = Vec<crate::domain::Skill>)]
    pub needs: Vec<String>,
    /// Languages.
    pub languages: Vec<String>,
    /// Mail language.
    #[schema(value_type = crate::domain::MailLanguage)]
    pub preferred_language: String,
    /// Wanted helpers.
    pub wanted: i32,
    /// Source.
    pub source: ClientSource,
    /// Source detail.
    pub source_detail: Option<String>,
    /// Municipal home care.
    pub municipal_home_care: bool,
    /// Care notes.
    pub care_notes: String,
    /// What the home has that a helper may have to avoid (matching rule 4).
    #[schema(value_type = Vec<crate::domain::HomeTrait>)]
    pub home_traits: Vec<String>,
    /// Relatives and their rights.
    pub relatives: Vec<RelativeView>,
    /// Number of current helpers; below 2 the branch must act.
    pub current_helpers: usize,
    /// True when the team is below 2 helpers.
    pub short_of_helpers: bool,
}

/// What a helper sees of their own client: only what a visit needs.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
// Only for the schema (`additionalProperties: false`): a full client is then one of
// `ClientShown`'s shapes, not both, as its `oneOf` requires.
#[serde(deny_unknown_fields)]
pub struct ClientForHelper {
    /// Id.
    pub id: ClientId,
    /// Name.
    pub name: String,
    /// Phone.
    pub phone: Option<String>,
    /// Address.
    pub address: String,
    /// Home position.
    pub position: Position,
    /// Needs.
    #[schema(value_type = Vec<crate::domain::Skill>)]
    pub needs: Vec<String>,
    /// Languages.
    pub languages: Vec<String>,
    /// Pets, allergies, door instructions.
    pub care_notes: String,
    /// What the home has (`pets`, `smoking`).
    #[schema(value_type = Vec<crate::domain::HomeTrait>)]
    pub home_traits: Vec<String>,
}

/// A client in the shape the caller may see.
#[derive(Debug, Serialize, utoipa::ToSchema)]
#[serde(untagged)]
pub enum ClientShown {
    /// Branch staff and the client themself.
    Full(ClientView),
    /// The client's own helpers.
    ForHelper(ClientForHelper),
}

impl ClientShown {
    /// The client id, for cursors.
    pub fn id(&self) -> ClientId {
        match self {
            ClientShown::Full(c) => c.id,
            ClientShown::ForHelper(c) => c.id,
        }
    }
}

/// A current helper of a client, as the client sees them.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ClientHelper {
    /// Assignment id.
    pub assignment_id: AssignmentId,
    /// Helper id.
    pub helper_id: HelperId,
    /// Helper's name.
    pub name: String,
    /// Helper's skills.
    #[schema(value_type = Vec<crate::domain::Skill>)]
    pub skills: Vec<String>,
    /// Helper's languages.
    pub languages: Vec<String>,
    /// Helping since (UTC).
    #[serde(serialize_with = "crate::db::models::utc")]
    pub since: chrono::NaiveDateTime,
}

pub fn full_view(conn: &mut DbConnection, c: Client) -> Result<ClientView, ApiError> {
    let relatives = Relative::for_client(conn, c.id)?
        .into_iter()
        .map(RelativeView::from)
        .collect();
    let current_helpers = Assignment::open_for_client(conn, c.id)?.len();
    Ok(ClientView {
        id: c.id,
        branch_id: c.branch_id,
        position: Position {
            lat: c.lat,
            lon: c.lon,
        },
        needs: from_json_list(&c.needs),
        languages: from_json_list(&c.languages),
        name: c.name,
        email: c.email,
        phone: c.phone,
        address: c.address,
        preferred_language: c.preferred_language,
        wanted: c.wanted,
        source: c.source,
        source_detail: c.source_detail,
        municipal_home_care: c.municipal_home_care,
        care_notes: c.care_notes,
        home_traits: from_json_list(&c.home_traits),
        relatives,
        current_helpers,
        short_of_helpers: current_helpers < 2,
    })
}

fn helper_view(c: Client) -> ClientForHelper {
    ClientForHelper {
        id: c.id,
        position: Position {
            lat: c.lat,
            lon: c.lon,
        },
        needs: from_json_list(&c.needs),
        languages: from_json_list(&c.languages),
        name: c.name,
        phone: c.phone,
        address: c.address,
        care_notes: c.care_notes,
        home_traits: from_json_list(&c.home_traits),
    }
}

/// One client in the shape the caller may see; 404 when they may not.
pub fn get(
    conn: &mut DbConnection,
    caller: &Caller,
    id: ClientId,
) -> Result<ClientShown, ApiError> {
    let client = Client::find(conn, id)?;
    let shown = match access(conn, caller, &client)? {
        Some(Sight::Full) => ClientShown::Full(full_view(conn, client)?),
        Some(Sight::ForHelper) => ClientShown::ForHelper(helper_view(client)),
        None => return Err(ApiError::NotFound),
    };
    AuditEvent::record(
        conn,
        Some(caller.user_id),
        AuditAction::Read,
        AuditEntity::Client,
        id,
        &PERSONAL_FIELDS,
    )?;
    Ok(shown)
}

/// Filters of a client list.
#[derive(Debug, Default)]
pub struct ClientSearch {
    /// Only this branch.
    pub branch: Option<BranchId>,
    /// Only clients with fewer than two current helpers.
    pub short_of_helpers: bool,
    /// Only names containing this (any case).
    pub name: Option<String>,
    /// Only clients from this source.
    pub source: Option<ClientSource>,
    /// Only clients changed at or after this instant (UTC).
    pub updated_since: Option<chrono::NaiveDateTime>,
}

/// Clients the caller may see: staff their branch (or all), the client side their own, a
/// helper the clients they serve or are booked to visit (in the limited shape).
pub fn list(
    conn: &mut DbConnection,
    caller: &Caller,
    search: ClientSearch,
    page: Page,
) -> Result<Vec<ClientShown>, ApiError> {
    list_in(conn, caller, caller.scope(Right::View), search, page)
}

/// The caller's own clients, whatever else they are: a helper's (served, or booked to visit, in
/// the limited shape), and those they act for as the client or a relative (in full). A staff
/// account holds no such capacity and gets an empty list.
pub fn mine(
    conn: &mut DbConnection,
    caller: &Caller,
    page: Page,
) -> Result<Vec<ClientShown>, ApiError> {
    let scope = Scope::Own {
        helper: caller.helper_id(),
        clients: caller.clients_with(Right::View),
    };
    list_in(conn, caller, scope, ClientSearch::default(), page)
}

fn list_in(
    conn: &mut DbConnection,
    caller: &Caller,
    scope: Scope,
    search: ClientSearch,
    page: Page,
) -> Result<Vec<ClientShown>, ApiError> {
    let Some(branch_id) = scope.branch_filter(search.branch) else {
        return Ok(vec![]);
    };
    let full_for = match &scope {
        Scope::Own { clients, .. } => Some(clients.clone()),
        _ => None,
    };
    let filter = ClientFilter {
        scope,
        branch_id,
        short_of_helpers: search.short_of_helpers,
        name_contains: search
            .name
            .as_deref()
            .map(search_key)
            .filter(|n| !n.is_empty()),
        source: search.source,
        updated_since: search.updated_since,
    };
    let clients = Client::list(conn, &filter, page.after, page.limit)?;
    let ids: Vec<ClientId> = clients.iter().map(|c| c.id).collect();
    AuditEvent::record_many(
        conn,
        Some(caller.user_id),
        AuditAction::Read,
        AuditEntity::Client,
        &ids,
        &PERSONAL_FIELDS,
    )?;
    clients
        .into_iter()
        .map(|c| {
            let full = full_for.as_ref().is_none_or(|own| own.contains(&c.id));
            Ok(if full {
                ClientShown::Full(full_view(conn, c)?)
            } else {
                ClientShown::ForHelper(helper_view(c))
            })
        })
        .collect()
}

/// What each visit needs, for the caller's own visits as a helper: the what-a-visit-needs record
/// of each client the caller may still see (serving them, or booked to visit), audited as one
/// read each. A client they no longer serve is left out: an old visit does not reopen the record.
pub fn cards_for_helper(
    conn: &mut DbConnection,
    caller: &Caller,
    ids: &[ClientId],
) -> Result<HashMap<ClientId, ClientForHelper>, ApiError> {
    let mut cards = HashMap::new();
    for &id in ids {
        let Some(client) = Client::find(conn, id).optional()? else {
            continue;
        };
        if access(conn, caller, &client)?.is_some() {
            cards.insert(id, helper_view(client));
        }
    }
    let shown: Vec<ClientId> = cards.keys().copied().collect();
    AuditEvent::record_many(
        conn,
        Some(caller.user_id),
        AuditAction::Read,
        AuditEntity::Client,
        &shown,
        &HELPER_FIELDS,
    )?;
    Ok(cards)
}

/// The client's current helpers (anyone who may see the client).
pub fn current_helpers(
    conn: &mut DbConnection,
    caller: &Caller,
    client_id: ClientId,
) -> Result<Vec<ClientHelper>, ApiError> {
    let client = Client::find(conn, client_id)?;
    if access(conn, caller, &client)?.is_none() {
        return Err(ApiError::NotFound);
    }
    Assignment::open_for_client(conn, client_id)?
        .into_iter()
        .map(|a| {
            let h = Helper::find(conn, a.helper_id)?;
            Ok(ClientHelper {
                assignment_id: a.id,
                helper_id: h.id,
                name: h.name,
                skills: from_json_list(&h.skills),
                languages: from_json_list(&h.languages),
                since: a.started_at,
            })
        })
        .collect()
}
