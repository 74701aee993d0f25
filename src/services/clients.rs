//! Elderly clients, their relatives and their current helpers.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::auth::Caller;
use crate::auth::policy::Reach;
use crate::db::models::assignment::Assignment;
use crate::db::models::audit::AuditEvent;
use crate::db::models::branch::Branch;
use crate::db::models::client::{Client, ClientChanges, ClientFilter, NewClient};
use crate::db::models::helper::Helper;
use crate::db::models::relative::{NewRelative, Relative};
use crate::db::models::{from_json_list, now, to_json_list};
use crate::db::{DbConnection, Page};
use crate::domain::Role;
use crate::domain::{ClientSource, Email, LanguageCode, Phone, Position, Skill, Text, Validator};
use crate::error::ApiError;

use super::sessions::{self, AccountLinks};

/// Body of `POST /api/v1/clients`.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ClientInput {
    /// Branch (a branch leader may only use their own).
    pub branch_id: i64,
    /// Full name.
    pub name: String,
    /// Email for confirmations.
    pub email: Option<String>,
    /// Phone.
    pub phone: Option<String>,
    /// Street address.
    pub address: String,
    /// Home position (no geocoder is reachable: coordinates are input).
    pub position: Position,
    /// Needed skills from the vocabulary.
    pub needs: Vec<String>,
    /// Spoken languages (ISO 639-1).
    pub languages: Vec<String>,
    /// Language for mail: `da`, `en` or `nb`; left out, the branch's (`da` in DK, `nb` in NO).
    pub preferred_language: Option<String>,
    /// How many helpers: 2 or 3.
    pub wanted: i32,
    /// How they found us.
    pub source: String,
    /// Which partner, municipality, …
    pub source_detail: Option<String>,
    /// Also receives municipal home care.
    #[serde(default)]
    pub municipal_home_care: bool,
    /// Pets, allergies, door instructions.
    #[serde(default)]
    pub care_notes: String,
}

/// Body of `PATCH /api/v1/clients/{id}`.
#[derive(Debug, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ClientPatch {
    /// Name.
    pub name: Option<String>,
    /// Email.
    pub email: Option<String>,
    /// Phone.
    pub phone: Option<String>,
    /// Address.
    pub address: Option<String>,
    /// Home position.
    pub position: Option<Position>,
    /// Needs.
    pub needs: Option<Vec<String>>,
    /// Languages.
    pub languages: Option<Vec<String>>,
    /// Mail language: `da`, `en` or `nb`.
    pub preferred_language: Option<String>,
    /// 2 or 3.
    pub wanted: Option<i32>,
    /// Source.
    pub source: Option<String>,
    /// Source detail.
    pub source_detail: Option<String>,
    /// Municipal home care.
    pub municipal_home_care: Option<bool>,
    /// Care notes.
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
    pub needs: Vec<String>,
    /// Languages.
    pub languages: Vec<String>,
    /// Mail language.
    pub preferred_language: String,
    /// Wanted helpers.
    pub wanted: i32,
    /// Source.
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

/// Body of `POST /api/v1/clients/{id}/relatives`.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RelativeInput {
    /// Name.
    pub name: String,
    /// Email (needed for an account).
    pub email: Option<String>,
    /// Phone.
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
    /// Date the client consented.
    pub consent_given_on: NaiveDate,
    /// Open a login for the relative (returns an invitation token).
    #[serde(default)]
    pub create_account: bool,
}

/// A relative added, with the invitation for their account if one was opened.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct RelativeCreated {
    /// The relative.
    pub relative: Relative,
    /// Token for `POST /api/v1/auth/accept-invitation`.
    pub invite_token: Option<String>,
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
        Some(NewClient {
            branch_id: input.branch_id,
            name: name?.into_string(),
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

/// How the caller relates to a client, or `None` when they may not see it.
fn access(
    conn: &mut DbConnection,
    caller: &Caller,
    client: &Client,
) -> Result<Option<bool>, ApiError> {
    // Some(true) = full view, Some(false) = helper view.
    Ok(match caller.reach() {
        Reach::All => Some(true),
        Reach::Branch(branch) => (client.branch_id == branch).then_some(true),
        Reach::Client(own) => {
            let may_view = caller.relative.is_none_or(|r| r.view || r.book || r.pay);
            (own == client.id && may_view).then_some(true)
        }
        Reach::Helper(helper) => Assignment::is_open(conn, client.id, helper)?.then_some(false),
        Reach::Nothing => None,
    })
}

/// One client in the shape the caller may see; 404 when they may not.
pub fn get(conn: &mut DbConnection, caller: &Caller, id: i64) -> Result<ClientShown, ApiError> {
    let client = Client::find(conn, id)?;
    let shown = match access(conn, caller, &client)? {
        Some(true) => ClientShown::Full(full_view(conn, client)?),
        Some(false) => ClientShown::ForHelper(helper_view(client)),
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

/// Clients the caller may see, optionally in one branch or only those short of helpers.
pub fn list(
    conn: &mut DbConnection,
    caller: &Caller,
    branch: Option<i64>,
    short_of_helpers: bool,
    page: Page,
) -> Result<Vec<ClientShown>, ApiError> {
    let mut filter = ClientFilter {
        branch_id: branch,
        short_of_helpers,
        ..Default::default()
    };
    let full = match caller.reach() {
        Reach::All => true,
        Reach::Branch(own) if branch.is_none_or(|b| b == own) => {
            filter.branch_id = Some(own);
            true
        }
        Reach::Helper(helper) => {
            filter.helper_id = Some(helper);
            false
        }
        Reach::Client(own) => {
            filter.only_id = Some(own);
            true
        }
        _ => return Ok(vec![]),
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
            Ok(if full {
                ClientShown::Full(full_view(conn, c)?)
            } else {
                ClientShown::ForHelper(helper_view(c))
            })
        })
        .collect()
}

/// Staff-only access to a client of their branch; 404 otherwise (403 for non-staff).
fn managed(conn: &mut DbConnection, caller: &Caller, id: i64) -> Result<Client, ApiError> {
    let client = Client::find(conn, id)?;
    match access(conn, caller, &client)? {
        Some(_) if caller.require_staff().is_ok() => Ok(client),
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
        Some(ClientChanges {
            name: name?,
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

/// Deletes a client: personal data erased, relatives removed, pairs ended, accounts closed.
/// The row stays (anonymised) so past visits and hours still add up.
pub fn delete(conn: &mut DbConnection, caller: &Caller, id: i64) -> Result<(), ApiError> {
    managed(conn, caller, id)?;
    crate::db::write_transaction(conn, |conn| {
        let at = now();
        Assignment::end_all_for_client(conn, id, Some(caller.user_id), "client deleted", at)?;
        crate::db::models::user::User::deactivate_for_client(conn, id, at)?;
        Relative::delete_for_client(conn, id)?;
        let erased = ClientChanges {
            name: Some("(deleted)".into()),
            email: Some(None),
            phone: Some(None),
            address: Some(String::new()),
            care_notes: Some(String::new()),
            source_detail: Some(None),
            deleted_at: Some(Some(at)),
            updated_at: Some(at),
            ..Default::default()
        };
        Client::update(conn, id, &erased)?;
        AuditEvent::record(
            conn,
            Some(caller.user_id),
            "delete",
            "client",
            id,
            &PERSONAL_FIELDS,
        )?;
        Ok(())
    })
}

/// Adds a relative with the rights the client consented to (staff of the branch).
pub fn add_relative(
    conn: &mut DbConnection,
    caller: &Caller,
    client_id: i64,
    input: RelativeInput,
) -> Result<RelativeCreated, ApiError> {
    managed(conn, caller, client_id)?;
    let mut v = Validator::default();
    let name = v.check("name", Text::required(&input.name, 200));
    let email = v.check_opt("email", input.email.as_deref(), Email::parse);
    let phone = v.check_opt("phone", input.phone.as_deref(), Phone::parse);
    let relation = v.check("relation", Text::required(&input.relation, 100));
    if input.create_account && input.email.is_none() {
        v.fail("email", "an account needs an email");
    }
    let built = (|| Some((name?, email?, phone?, relation?)))();
    let (name, email, phone, relation) = v.into_value(built)?;
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
                consent_given_on: input.consent_given_on,
                created_at: at,
            },
        )?;
        let mut invite_token = None;
        if let (true, Some(email)) = (input.create_account, email) {
            let links = AccountLinks {
                client_id: Some(client_id),
                relative_id: Some(relative.id),
                ..Default::default()
            };
            let account = (email.into_string(), name.into_string());
            invite_token = Some(sessions::invite_account(
                conn,
                account.0,
                account.1,
                Role::Client,
                links,
                at,
            )?);
        }
        AuditEvent::record(
            conn,
            Some(caller.user_id),
            "create",
            "relative",
            relative.id,
            &["name", "email", "phone"],
        )?;
        Ok(RelativeCreated {
            relative,
            invite_token,
        })
    })
}

/// Opens a login for the client themself (staff of the branch); returns the invitation token.
pub fn open_account(
    conn: &mut DbConnection,
    caller: &Caller,
    client_id: i64,
) -> Result<String, ApiError> {
    let client = managed(conn, caller, client_id)?;
    let email = client
        .email
        .ok_or_else(|| ApiError::field("email", "the client has no email"))?;
    let links = AccountLinks {
        client_id: Some(client_id),
        ..Default::default()
    };
    sessions::invite_account(conn, email, client.name, Role::Client, links, now())
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
