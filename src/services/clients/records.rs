//! Creating and changing a client's record.

use crate::auth::Caller;
use crate::db::DbConnection;
use crate::db::models::audit::AuditEvent;
use crate::db::models::branch::Branch;
use crate::db::models::client::{Client, ClientChanges, NewClient};
use crate::db::models::{now, to_json_list};
use crate::domain::audit::{AuditAction, AuditEntity};
use crate::domain::ids::{BranchId, ClientId};
use crate::domain::text::search_key;
use crate::domain::{
    ClientSource, Email, HomeTrait, LanguageCode, Phone, Position, Skill, Text, Validator,
};
use crate::error::ApiError;
use diesel::OptionalExtension;

use super::views::{ClientView, full_view};
use super::{PERSONAL_FIELDS, managed};

/// Body of `POST /api/v1/clients`.
#[derive(Debug, eserde::Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"branch_id": 1, "name": "Karen Nielsen", "email": "karen@example.dk", "phone": "+45 87 65 43 21", "address": "Vestergade 1, 8000 Aarhus C", "position": {"lat": 56.157, "lon": 10.205}, "needs": ["it", "shopping"], "languages": ["da"], "wanted": 2, "source": "partner_organisation", "source_detail": "Ældresagen", "municipal_home_care": true, "care_notes": "Cat called Mis; key in the box"}))]
pub struct ClientInput {
    /// Branch (a branch leader may only use their own).
    pub branch_id: BranchId,
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
    /// What the home has that a helper may have to avoid: `pets`, `smoking` (matching rule 4).
    #[schema(value_type = Vec<crate::domain::HomeTrait>)]
    #[serde(default)]
    pub home_traits: Vec<String>,
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
    /// Home traits: `pets`, `smoking`.
    #[schema(value_type = Option<Vec<crate::domain::HomeTrait>>)]
    #[serde(default)]
    pub home_traits: Option<Vec<String>>,
}

fn needs(raw: &[String]) -> Result<String, String> {
    Skill::parse_list(raw).map(|s| to_json_list(&s.iter().map(|k| k.as_str()).collect::<Vec<_>>()))
}

/// A list of home traits as stored: checked, sorted, no duplicates.
pub fn home_traits(raw: &[String]) -> Result<String, String> {
    HomeTrait::parse_list(raw)
        .map(|t| to_json_list(&t.iter().map(|k| k.as_str()).collect::<Vec<_>>()))
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
    let traits = v.check("home_traits", home_traits(&input.home_traits));
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
            source: source?,
            source_detail: detail?.map(Text::into_string),
            municipal_home_care: input.municipal_home_care,
            care_notes: notes?.into_string(),
            home_traits: traits?,
            created_at: at,
            updated_at: at,
        })
    })();
    let mut new = v.into_value(built)?;
    crate::db::write_transaction(conn, |conn| {
        let branch = Branch::find(conn, new.branch_id)
            .optional()?
            .ok_or_else(|| ApiError::field("branch_id", "no such branch"))?;
        if new.preferred_language.is_empty() {
            new.preferred_language = crate::email::country_language(branch.country).into();
        }
        let client = Client::insert(conn, &new)?;
        AuditEvent::record(
            conn,
            Some(caller.user_id),
            AuditAction::Create,
            AuditEntity::Client,
            client.id,
            &PERSONAL_FIELDS,
        )?;
        full_view(conn, client)
    })
}

/// Changes a client (staff of the branch).
pub fn update(
    conn: &mut DbConnection,
    caller: &Caller,
    id: ClientId,
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
    let source = v.check_opt("source", patch.source.as_deref(), ClientSource::parse);
    let detail = v.check_opt("source_detail", patch.source_detail.as_deref(), |d| {
        Text::required(d, 200).map(Text::into_string)
    });
    let notes = v.check_opt("care_notes", patch.care_notes.as_deref(), |n| {
        Text::optional(n, 4000).map(Text::into_string)
    });
    let traits = v.check_opt("home_traits", patch.home_traits.as_deref(), home_traits);
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
            home_traits: traits?,
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
        ("home_traits", patch.home_traits.is_some()),
    ]
    .into_iter()
    .filter_map(|(f, set)| set.then_some(f))
    .collect();
    crate::db::write_transaction(conn, |conn| {
        let client = Client::update(conn, id, &changes)?;
        AuditEvent::record(
            conn,
            Some(caller.user_id),
            AuditAction::Update,
            AuditEntity::Client,
            id,
            &fields,
        )?;
        full_view(conn, client)
    })
}
