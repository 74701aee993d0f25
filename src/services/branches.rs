//! City branches: created and changed by admins, read by their staff.

use crate::domain::ids::BranchId;
use chrono::NaiveDateTime;
use chrono_tz::Tz;

use crate::auth::Caller;
use crate::db::DbConnection;
use crate::db::Page;
use crate::db::models::branch::{Branch, BranchChanges, NewBranch};
use crate::db::models::now;
use crate::domain::{Country, Phone, Position, Text, Validator};
use crate::error::ApiError;

/// A city branch, as the API shows it.
#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct BranchView {
    /// Id.
    pub id: BranchId,
    /// City name, unique.
    pub name: String,
    /// ISO 3166-1 alpha-2 country code.
    pub country: Country,
    /// IANA time zone, e.g. Europe/Copenhagen.
    pub time_zone: String,
    /// ISO 4217 currency, e.g. DKK.
    pub currency: String,
    /// Latitude of the city centre.
    pub centre_lat: f64,
    /// Longitude of the city centre.
    pub centre_lon: f64,
    /// Phone number of the branch.
    pub phone: Option<String>,
    /// Inactive branches take no new clients or applications.
    pub active: bool,
    /// Created (UTC).
    #[serde(serialize_with = "crate::db::models::utc")]
    pub created_at: NaiveDateTime,
    /// Last changed (UTC).
    #[serde(serialize_with = "crate::db::models::utc")]
    pub updated_at: NaiveDateTime,
}

impl From<Branch> for BranchView {
    fn from(b: Branch) -> BranchView {
        BranchView {
            id: b.id,
            name: b.name,
            country: b.country,
            time_zone: b.time_zone,
            currency: b.currency,
            centre_lat: b.centre_lat,
            centre_lon: b.centre_lon,
            phone: b.phone,
            active: b.active,
            created_at: b.created_at,
            updated_at: b.updated_at,
        }
    }
}

/// Body of `POST /api/v1/branches`.
#[derive(Debug, eserde::Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"name": "Aarhus", "country": "DK", "time_zone": "Europe/Copenhagen", "currency": "DKK", "centre": {"lat": 56.1567, "lon": 10.2108}, "phone": "+45 70 20 30 40"}))]
pub struct BranchInput {
    /// City name, e.g. Aarhus.
    pub name: String,
    /// ISO 3166-1 alpha-2, e.g. DK or NO.
    pub country: String,
    /// IANA time zone, e.g. Europe/Copenhagen.
    pub time_zone: String,
    /// ISO 4217 code, e.g. DKK or NOK.
    pub currency: String,
    /// City centre.
    pub centre: Position,
    /// Branch phone number.
    #[serde(default)]
    pub phone: Option<String>,
    /// Defaults to true.
    #[serde(default)]
    pub active: Option<bool>,
}

/// Body of `PATCH /api/v1/branches/{id}`: any subset of the fields.
#[derive(Debug, Default, eserde::Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"phone": "+45 70 20 30 41"}))]
pub struct BranchPatch {
    /// City name.
    #[serde(default)]
    pub name: Option<String>,
    /// Country code.
    #[serde(default)]
    pub country: Option<String>,
    /// Time zone.
    #[serde(default)]
    pub time_zone: Option<String>,
    /// Currency.
    #[serde(default)]
    pub currency: Option<String>,
    /// City centre.
    #[serde(default)]
    pub centre: Option<Position>,
    /// Phone.
    #[serde(default)]
    pub phone: Option<String>,
    /// Active.
    #[serde(default)]
    pub active: Option<bool>,
}

fn country(raw: &str) -> Result<Country, String> {
    Country::parse(&raw.trim().to_ascii_uppercase())
}

/// The country's time zone and currency rule, as field errors.
fn check_country(v: &mut Validator, country: Country, time_zone: &str, currency: &str) {
    for (field, message) in country.check_branch(time_zone, currency) {
        v.fail(field, message);
    }
}

fn currency(raw: &str) -> Result<String, String> {
    let code = raw.trim().to_ascii_uppercase();
    if code.len() == 3 && code.chars().all(|c| c.is_ascii_uppercase()) {
        Ok(code)
    } else {
        Err("must be an ISO 4217 code such as DKK or NOK".into())
    }
}

fn time_zone(raw: &str) -> Result<String, String> {
    raw.trim()
        .parse::<Tz>()
        .map(|tz| tz.name().to_string())
        .map_err(|_| "must be an IANA time zone such as Europe/Copenhagen".into())
}

/// Validates a new branch.
pub fn validate_new(input: BranchInput) -> Result<NewBranch, ApiError> {
    let mut v = Validator::default();
    let name = v.check("name", Text::required(&input.name, 100));
    let country = v.check("country", country(&input.country));
    let time_zone = v.check("time_zone", time_zone(&input.time_zone));
    let currency = v.check("currency", currency(&input.currency));
    let centre = v.check(
        "centre",
        Position::parse(input.centre.lat, input.centre.lon),
    );
    let phone = v.check_opt("phone", input.phone.as_deref(), Phone::parse);
    if let (Some(c), Some(tz), Some(cur)) = (&country, &time_zone, &currency) {
        check_country(&mut v, *c, tz, cur);
    }
    let at = now();
    let built = (|| {
        Some(NewBranch {
            name: name?.into_string(),
            country: country?,
            time_zone: time_zone?,
            currency: currency?,
            centre_lat: centre?.lat,
            centre_lon: centre.as_ref()?.lon,
            phone: phone?.map(Phone::into_string),
            active: input.active.unwrap_or(true),
            created_at: at,
            updated_at: at,
        })
    })();
    v.into_value(built)
}

/// Validates a patch.
pub fn validate_patch(input: BranchPatch) -> Result<BranchChanges, ApiError> {
    let mut v = Validator::default();
    let name = v.check_opt("name", input.name.as_deref(), |n| {
        Text::required(n, 100).map(Text::into_string)
    });
    let country = v.check_opt("country", input.country.as_deref(), country);
    let time_zone = v.check_opt("time_zone", input.time_zone.as_deref(), time_zone);
    let currency = v.check_opt("currency", input.currency.as_deref(), currency);
    let centre = v.check_opt("centre", input.centre, |c| Position::parse(c.lat, c.lon));
    let phone = v.check_opt("phone", input.phone.as_deref(), |p| {
        Phone::parse(p).map(Phone::into_string)
    });
    let built = (|| {
        let centre = centre?;
        Some(BranchChanges {
            name: name?,
            country: country?,
            time_zone: time_zone?,
            currency: currency?,
            centre_lat: centre.map(|c| c.lat),
            centre_lon: centre.map(|c| c.lon),
            phone: phone?.map(Some),
            active: input.active,
            updated_at: Some(now()),
        })
    })();
    v.into_value(built)
}

/// Creates a branch (admin).
pub fn create(
    conn: &mut DbConnection,
    caller: &Caller,
    new: NewBranch,
) -> Result<BranchView, ApiError> {
    caller.require_admin()?;
    if Branch::find_by_name(conn, &new.name)?.is_some() {
        return Err(ApiError::Conflict(format!(
            "a branch named {:?} already exists",
            new.name
        )));
    }
    crate::db::write_transaction(conn, |conn| {
        let branch = Branch::insert(conn, &new)?;
        super::clip_cards::add_default_prices(conn, &branch)?;
        Ok(branch.into())
    })
}

/// Branches the caller can see: all for admins, their own for everyone else.
pub fn list(
    conn: &mut DbConnection,
    caller: &Caller,
    page: Page,
) -> Result<Vec<BranchView>, ApiError> {
    let branches = Branch::list(conn, caller.branch_ids(), page.after, page.limit)?;
    Ok(branches.into_iter().map(BranchView::from).collect())
}

/// One branch the caller can see.
pub fn get(conn: &mut DbConnection, caller: &Caller, id: BranchId) -> Result<BranchView, ApiError> {
    if !caller.belongs_to_branch(id) {
        return Err(ApiError::NotFound);
    }
    Ok(Branch::find(conn, id)?.into())
}

/// Changes a branch (admin).
pub fn update(
    conn: &mut DbConnection,
    caller: &Caller,
    id: BranchId,
    changes: BranchChanges,
) -> Result<BranchView, ApiError> {
    caller.require_admin()?;
    let current = Branch::find(conn, id)?;
    let mut v = Validator::default();
    check_country(
        &mut v,
        changes.country.unwrap_or(current.country),
        changes.time_zone.as_deref().unwrap_or(&current.time_zone),
        changes.currency.as_deref().unwrap_or(&current.currency),
    );
    v.finish()?;
    if let Some(name) = &changes.name
        && Branch::find_by_name(conn, name)?.is_some_and(|b| b.id != id)
    {
        return Err(ApiError::Conflict(format!(
            "a branch named {name:?} already exists"
        )));
    }
    Ok(Branch::update(conn, id, &changes)?.into())
}

/// The demo branches: the Danish cities of the business, centre coordinates included.
const DEMO_BRANCHES: [(&str, f64, f64); 6] = [
    ("Aarhus", 56.1567, 10.2108),
    ("Aalborg", 57.0488, 9.9217),
    ("Silkeborg", 56.1697, 9.5451),
    ("Horsens", 55.8607, 9.8503),
    ("Kolding", 55.4904, 9.4722),
    ("København", 55.6761, 12.5683),
];

/// Adds the demo branches that are missing, each with the Danish prices; returns how many
/// were added.
pub fn seed_demo(conn: &mut DbConnection) -> Result<usize, ApiError> {
    let mut added = 0;
    for (name, lat, lon) in DEMO_BRANCHES {
        if Branch::find_by_name(conn, name)?.is_some() {
            continue;
        }
        let at = now();
        crate::db::write_transaction(conn, |conn| {
            let branch = Branch::insert(
                conn,
                &NewBranch {
                    name: name.into(),
                    country: Country::Denmark,
                    time_zone: "Europe/Copenhagen".into(),
                    currency: "DKK".into(),
                    centre_lat: lat,
                    centre_lon: lon,
                    phone: None,
                    active: true,
                    created_at: at,
                    updated_at: at,
                },
            )?;
            // Without prices nobody could buy a clip card at a demo branch.
            super::clip_cards::add_default_prices(conn, &branch)
        })?;
        added += 1;
    }
    Ok(added)
}
