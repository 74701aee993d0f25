//! Elderly clients, their relatives and their current helpers.

use serde::Serialize;

use crate::auth::Caller;
use crate::auth::policy::Right;
use crate::db::models::assignment::Assignment;
use crate::db::models::audit::AuditEvent;
use crate::db::models::branch::Branch;
use crate::db::models::client::{Client, ClientChanges, ClientFilter, NewClient};
use crate::db::models::helper::Helper;
use crate::db::models::relative::Relative;
use crate::db::models::visit::Visit;
use crate::db::models::{from_json_list, now, to_json_list};
use crate::db::{DbConnection, Page, Scope};
use crate::domain::text::search_key;
use crate::domain::{ClientSource, Email, LanguageCode, Phone, Position, Skill, Text, Validator};
use crate::error::ApiError;

mod relatives;

pub use relatives::{
    AccountOpened, RelativeCreated, RelativeInput, add_relative, open_account, remove_relative,
};

/// Body of `POST /api/v1/clients`.
#[derive(Debug, eserde::Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"branch_id": 1, "name": "Karen Nielsen", "email": "karen@example.dk", "phone": "+45 87 65 43 21", "address": "Vestergade 1, 8000 Aarhus C", "position": {"lat": 56.157, "lon": 10.205}, "needs": ["it", "shopping"], "languages": ["da"], "wanted": 2, "source": "partner_organisation", "source_detail": "Ældresagen", "municipal_home_care": true, "care_notes": "Cat called Mis; key in the box"}))]
pub struct ClientInput {
    /// Branch (a branch leader may only use their own).
    pub branch_id: i64,
    /// Full name.
    pub name: String,
    /// Email for confirmations.
    #[serde(default)]
    pub email: Option<String>,
    /// Phone.
    #[serde(default)]
    pub phone: Option<String>,
    /// Street address.
    pub address: String,
    /// Home position (no geocoder is reachable: coordinates are input).
    pub position: Position,
    /// Needed skills from the vocabulary.
    #[schema(value_type = Vec<crate::domain::Skill>)]
    pub needs: Vec<String>,
    /// Spoken languages (ISO 639-1).
    pub languages: Vec<String>,
    /// Language for mail: `da`, `en` or `nb`; left out, the branch's (`da` in DK, `nb` in NO).
    #[schema(value_type = Option<crate::domain::MailLanguage>)]
    #[serde(default)]
    pub preferred_language: Option<String>,
    /// How many helpers: 2 or 3.
    pub wanted: i32,
    /// How they found us.
    #[schema(value_type = crate::domain::ClientSource)]
    pub source: String,
    /// Which partner, municipality, …
    #[serde(default)]
    pub source_detail: Option<String>,
    /// Also receives municipal home care.
    #[serde(default)]
    pub municipal_home_care: bool,
    /// Pets, allergies, door instructions.
    #[serde(default)]
    pub care_notes: String,
}

/// Body of `PATCH /api/v1/clients/{id}`.
#[derive(Debug, Default, eserde::Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"phone": "+45 87 65 43 22", "wanted": 3}))]
pub struct ClientPatch {
    /// Name.
    #[serde(default)]
    pub name: Option<String>,
    /// Email.
    #[serde(default)]
    pub email: Option<String>,
    /// Phone.
    #[serde(default)]
    pub phone: Option<String>,
    /// Address.
    #[serde(default)]
    pub address: Option<String>,
    /// Home position.
    #[serde(default)]
    pub position: Option<Position>,
    /// Needs.
    #[schema(value_type = Option<Vec<crate::domain::Skill>>)]
    #[serde(default)]
    pub needs: Option<Vec<String>>,
    /// Languages.
    #[serde(default)]
    pub languages: Option<Vec<String>>,
    /// Mail language: `da`, `en` or `nb`.
    #[schema(value_type = Option<crate::domain::MailLanguage>)]
    #[serde(default)]
    pub preferred_language: Option<String>,
    /// 2 or 3.
    #[serde(default)]
    pub wanted: Option<i32>,
    /// Source.
    #[schema(value_type = Option<crate::domain::ClientSource>)]
    #[serde(default)]
    pub source: Option<String>,
    /// Source detail.
    #[serde(default)]
    pub source_detail: Option<String>,
    /// Municipal home care.
    #[serde(default)]
    pub municipal_home_care: Option<bool>,
    /// Care notes.
    #[serde(default)]
    pub care_notes: Option<String>,
}

/// A client as the branch and the client see them.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ClientView {
    /// Id.
    pub id: i64,
    /// Branch.
    pub branch_id: i64,
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
    #[schema(value_type = crate::domain::ClientSource)]
    pub source: String,
    /// Source detail.
    pub source_detail: Option<String>,
    /// Municipal home care.
    pub municipal_home_care: bool,
    /// Care notes.
    pub care_notes: String,
    /// Relatives and their rights.
    pub relatives: Vec<Relative>,
    /// Number of current helpers; below 2 the branch must act.
    pub current_helpers: usize,
    /// True when the team is below 2 helpers.
    pub short_of_helpers: bool,
}

/// What a helper sees of their own client: only what a visit needs.
#[derive(Debug, Serialize, utoipa::ToSchema)]
// Only for the schema (`additionalProperties: false`): a full client is then one of
// `ClientShown`'s shapes, not both, as its `oneOf` requires.
#[serde(deny_unknown_fields)]
pub struct ClientForHelper {
    /// Id.
    pub id: i64,
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
    pub fn id(&self) -> i64 {
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
    pub assignment_id: i64,
    /// Helper id.
    pub helper_id: i64,
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

const PERSONAL_FIELDS: [&str; 5] = ["name", "email", "phone", "address", "care_notes"];

fn needs(raw: &[String]) -> Result<String, String> {
    Skill::parse_list(raw).map(|s| to_json_list(&s.iter().map(|k| k.as_str()).collect::<Vec<_>>()))
}

fn languages(raw: &[String]) -> Result<String, String> {
    LanguageCode::parse_list(raw)
        .map(|c| to_json_list(&c.iter().map(|l| l.as_str()).collect::<Vec<_>>()))
}

fn mail_language(raw: &str) -> Result<String, String> {
    match raw {
        "da" | "en" | "nb" => Ok(raw.into()),
        _ => Err("must be da, en or nb".into()),
    }
}

fn wanted(value: i32) -> Result<i32, String> {
    if (2..=3).contains(&value) {
        Ok(value)
    } else {
        Err("must be 2 or 3".into())
    }
}

/// Creates a client (admin, or the branch's leader).
pub fn create(
    conn: &mut DbConnection,
    caller: &Caller,
    input: ClientInput,
) -> Result<ClientView, ApiError> {
    caller.require_staff()?;
    let mut v = Validator::default();
    let name = v.check("name", Text::required(&input.name, 200));
    let email = v.check_opt("email", input.email.as_deref(), Email::parse);
    let phone = v.check_opt("phone", input.phone.as_deref(), Phone::parse);
    let address = v.check("address", Text::required(&input.address, 300));
    let position = v.check(
        "position",
        Position::parse(input.position.lat, input.position.lon),
    );
    let needs = v.check("needs", needs(&input.needs));
    let languages = v.check("languages", languages(&input.languages));
    let preferred = v.check_opt(
        "preferred_language",
        input.preferred_language.as_deref(),
        mail_language,
    );
    let wanted = v.check("wanted", wanted(input.wanted));
    let source = v.check("source", ClientSource::parse(&input.source));
    let detail = v.check_opt("source_detail", input.source_detail.as_deref(), |d| {
        Text::required(d, 200)
    });
    let notes = v.check("care_notes", Text::optional(&input.care_notes, 4000));
    if !caller.manages_branch(input.branch_id) {
        v.fail("branch_id", "you can only add clients to your own branch");
    }
    let at = now();
    let built = (|| {
        let position = position?;
        let name = name?.into_string();
        Some(NewClient {
            branch_id: input.branch_id,
            search_name: search_key(&name),
            name,
            email: email?.map(Email::into_string),
            phone: phone?.map(Phone::into_string),
            address: address?.into_string(),
            lat: position.lat,
            lon: position.lon,
            needs: needs?,
            languages: languages?,
            // Empty until the branch is read: left out, it is the branch's language.
            preferred_language: preferred?.unwrap_or_default(),
            wanted: wanted?,
            source: source?.as_str().into(),
            source_detail: detail?.map(Text::into_string),
            municipal_home_care: input.municipal_home_care,
            care_notes: notes?.into_string(),
            created_at: at,
            updated_at: at,
        })
    })();
    let mut new = v.into_value(built)?;
    crate::db::write_transaction(conn, |conn| {
        let branch = Branch::find(conn, new.branch_id)
            .map_err(|_| ApiError::field("branch_id", "no such branch"))?;
        if new.preferred_language.is_empty() {
            new.preferred_language = crate::email::country_language(&branch.country).into();
        }
        let client = Client::insert(conn, &new)?;
        AuditEvent::record(
            conn,
            Some(caller.user_id),
            "create",
            "client",
            client.id,
            &PERSONAL_FIELDS,
        )?;
        full_view(conn, client)
    })
}

fn full_view(conn: &mut DbConnection, c: Client) -> Result<ClientView, ApiError> {
    let relatives = Relative::for_client(conn, c.id)?;
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
    }
}

/// How the caller may see a client: the full record (staff of the branch, the client, a
/// relative with any right), only what a visit needs (a helper who serves the client, or is
/// booked to visit them until that visit is over), or not at all.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Sight {
    Full,
    ForHelper,
}

fn access(
    conn: &mut DbConnection,
    caller: &Caller,
    client: &Client,
) -> Result<Option<Sight>, ApiError> {
    if caller.manages_branch(client.branch_id)
        || caller
            .client_link(client.id)
            .is_some_and(|link| link.rights.allows(Right::View))
    {
        return Ok(Some(Sight::Full));
    }
    let Some(helper) = caller.helper_id() else {
        return Ok(None);
    };
    let serves = Assignment::is_open(conn, client.id, helper)?
        || Visit::helper_is_booked_with(conn, helper, client.id)?;
    Ok(serves.then_some(Sight::ForHelper))
}

/// One client in the shape the caller may see; 404 when they may not.
pub fn get(conn: &mut DbConnection, caller: &Caller, id: i64) -> Result<ClientShown, ApiError> {
    let client = Client::find(conn, id)?;
    let shown = match access(conn, caller, &client)? {
        Some(Sight::Full) => ClientShown::Full(full_view(conn, client)?),
        Some(Sight::ForHelper) => ClientShown::ForHelper(helper_view(client)),
        None => return Err(ApiError::NotFound),
    };
    AuditEvent::record(
        conn,
        Some(caller.user_id),
        "read",
        "client",
        id,
        &PERSONAL_FIELDS,
    )?;
    Ok(shown)
}

/// Filters of a client list.
#[derive(Debug, Default)]
pub struct ClientSearch {
    /// Only this branch.
    pub branch: Option<i64>,
    /// Only clients with fewer than two current helpers.
    pub short_of_helpers: bool,
    /// Only names containing this (any case).
    pub name: Option<String>,
    /// Only clients from this source.
    pub source: Option<ClientSource>,
}

/// Clients the caller may see: staff their branch (or all), the client side their own, a
/// helper the clients they serve or are booked to visit (in the limited shape).
pub fn list(
    conn: &mut DbConnection,
    caller: &Caller,
    search: ClientSearch,
    page: Page,
) -> Result<Vec<ClientShown>, ApiError> {
    let scope = caller.scope(Right::View);
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
        source: search.source.map(|s| s.as_str().to_string()),
    };
    let clients = Client::list(conn, &filter, page.after, page.limit)?;
    clients
        .into_iter()
        .map(|c| {
            AuditEvent::record(
                conn,
                Some(caller.user_id),
                "read",
                "client",
                c.id,
                &PERSONAL_FIELDS,
            )?;
            let full = full_for.as_ref().is_none_or(|own| own.contains(&c.id));
            Ok(if full {
                ClientShown::Full(full_view(conn, c)?)
            } else {
                ClientShown::ForHelper(helper_view(c))
            })
        })
        .collect()
}

/// Staff-only access to a client of their branch; 404 otherwise (403 for non-staff).
pub(crate) fn managed(
    conn: &mut DbConnection,
    caller: &Caller,
    id: i64,
) -> Result<Client, ApiError> {
    let client = Client::find(conn, id)?;
    match access(conn, caller, &client)? {
        Some(_) if caller.manages_branch(client.branch_id) => Ok(client),
        Some(_) => Err(ApiError::Forbidden(
            "only the branch can change a client's record".into(),
        )),
        None => Err(ApiError::NotFound),
    }
}

/// Changes a client (staff of the branch).
pub fn update(
    conn: &mut DbConnection,
    caller: &Caller,
    id: i64,
    patch: ClientPatch,
) -> Result<ClientView, ApiError> {
    managed(conn, caller, id)?;
    let mut v = Validator::default();
    let name = v.check_opt("name", patch.name.as_deref(), |n| {
        Text::required(n, 200).map(Text::into_string)
    });
    let email = v.check_opt("email", patch.email.as_deref(), |e| {
        Email::parse(e).map(Email::into_string)
    });
    let phone = v.check_opt("phone", patch.phone.as_deref(), |p| {
        Phone::parse(p).map(Phone::into_string)
    });
    let address = v.check_opt("address", patch.address.as_deref(), |a| {
        Text::required(a, 300).map(Text::into_string)
    });
    let position = v.check_opt("position", patch.position, |p| {
        Position::parse(p.lat, p.lon)
    });
    let needs = v.check_opt("needs", patch.needs.as_deref(), needs);
    let languages = v.check_opt("languages", patch.languages.as_deref(), languages);
    let preferred = v.check_opt(
        "preferred_language",
        patch.preferred_language.as_deref(),
        mail_language,
    );
    let wanted = v.check_opt("wanted", patch.wanted, wanted);
    let source = v.check_opt("source", patch.source.as_deref(), |s| {
        ClientSource::parse(s).map(|s| s.as_str().to_string())
    });
    let detail = v.check_opt("source_detail", patch.source_detail.as_deref(), |d| {
        Text::required(d, 200).map(Text::into_string)
    });
    let notes = v.check_opt("care_notes", patch.care_notes.as_deref(), |n| {
        Text::optional(n, 4000).map(Text::into_string)
    });
    let built = (|| {
        let position = position?;
        let name = name?;
        Some(ClientChanges {
            search_name: name.as_deref().map(search_key),
            name,
            email: email?.map(Some),
            phone: phone?.map(Some),
            address: address?,
            lat: position.map(|p| p.lat),
            lon: position.map(|p| p.lon),
            needs: needs?,
            languages: languages?,
            preferred_language: preferred?,
            wanted: wanted?,
            source: source?,
            source_detail: detail?.map(Some),
            municipal_home_care: patch.municipal_home_care,
            care_notes: notes?,
            deleted_at: None,
            updated_at: Some(now()),
        })
    })();
    let changes = v.into_value(built)?;
    let fields: Vec<&str> = [
        ("name", patch.name.is_some()),
        ("email", patch.email.is_some()),
        ("phone", patch.phone.is_some()),
        ("address", patch.address.is_some()),
        ("position", patch.position.is_some()),
        ("needs", patch.needs.is_some()),
        ("languages", patch.languages.is_some()),
        ("preferred_language", patch.preferred_language.is_some()),
        ("wanted", patch.wanted.is_some()),
        ("source", patch.source.is_some()),
        ("source_detail", patch.source_detail.is_some()),
        ("municipal_home_care", patch.municipal_home_care.is_some()),
        ("care_notes", patch.care_notes.is_some()),
    ]
    .into_iter()
    .filter_map(|(f, set)| set.then_some(f))
    .collect();
    crate::db::write_transaction(conn, |conn| {
        let client = Client::update(conn, id, &changes)?;
        AuditEvent::record(conn, Some(caller.user_id), "update", "client", id, &fields)?;
        full_view(conn, client)
    })
}

/// The client's current helpers (anyone who may see the client).
pub fn current_helpers(
    conn: &mut DbConnection,
    caller: &Caller,
    client_id: i64,
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
