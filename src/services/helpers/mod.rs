//! Students: the public application, the recruitment pipeline, profiles.

use crate::domain::audit::{AuditAction, AuditEntity};
use crate::domain::ids::{BranchId, HelperId};
use chrono::{NaiveDate, NaiveDateTime};

use serde::Serialize;

use crate::auth::Caller;
use crate::auth::policy::Right;
use crate::db::models::audit::AuditEvent;
use crate::db::models::helper::{Helper, HelperChanges, HelperFilter};
use crate::db::models::{from_json_list, now, to_json_list};
use crate::db::{DbConnection, Page, Scope};
use crate::domain::text::search_key;
use crate::domain::{HelperStatus, LanguageCode, Phone, Position, Skill, Text, Validator};
use crate::error::ApiError;

mod application;
pub mod leaving;
mod pipeline;

pub use application::{
    ApplicationInput, ApplicationReceipt, ApplicationStatus, application_status, apply,
};
pub use pipeline::{
    CriminalRecordCheck, Moves, TransitionInput, TransitionResult, TransitionView, history, moves,
    transition,
};

/// A helper as staff and the helper themself see it.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct HelperView {
    /// Id.
    pub id: HelperId,
    /// Branch.
    pub branch_id: BranchId,
    /// Name.
    pub name: String,
    /// Email.
    pub email: String,
    /// Phone.
    pub phone: String,
    /// Study programme.
    pub study_programme: String,
    /// Skills.
    #[schema(value_type = Vec<crate::domain::Skill>)]
    pub skills: Vec<String>,
    /// Languages.
    pub languages: Vec<String>,
    /// Home traits they cannot work with (`pets`: an allergy; `smoking`): matching leaves
    /// such homes out (rule 4).
    #[schema(value_type = Vec<crate::domain::HomeTrait>)]
    pub avoids: Vec<String>,
    /// The institution they attend: its term periods (exams, holidays) make them unavailable.
    pub institution: Option<String>,
    /// Works through the institution's term periods anyway.
    pub term_opt_out: bool,
    /// The announced leave date (`PUT /api/v1/helpers/{id}/leaving`): unavailable from it on;
    /// the pairs end on it.
    pub leaves_on: Option<NaiveDate>,
    /// Home position.
    pub home: Position,
    /// Most clients wanted.
    pub capacity: i32,
    /// Hours a week wanted.
    pub hours_per_week: i32,
    /// Pipeline status.
    pub status: HelperStatus,
    /// Whole days in the current status.
    pub days_in_stage: i64,
    /// Applied (UTC).
    #[serde(serialize_with = "crate::db::models::utc")]
    pub applied_at: NaiveDateTime,
    /// Date of the criminal-record check.
    pub criminal_record_checked_on: Option<NaiveDate>,
    /// Outcome of the check.
    pub criminal_record_outcome: Option<crate::domain::CheckOutcome>,
    /// Place on the waitlist when waitlisted.
    pub waitlist_position: Option<i64>,
}

/// Body of `PATCH /api/v1/helpers/{id}`.
#[derive(Debug, Default, eserde::Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"capacity": 2, "hours_per_week": 8}))]
pub struct HelperPatch {
    /// Name.
    #[serde(default)]
    pub name: Option<String>,
    /// Phone.
    #[serde(default)]
    pub phone: Option<String>,
    /// Study programme.
    #[serde(default)]
    pub study_programme: Option<String>,
    /// Skills.
    #[schema(value_type = Option<Vec<crate::domain::Skill>>)]
    #[serde(default)]
    pub skills: Option<Vec<String>>,
    /// Languages.
    #[serde(default)]
    pub languages: Option<Vec<String>>,
    /// Home position.
    #[serde(default)]
    pub home: Option<Position>,
    /// Most clients wanted (0–3).
    #[serde(default)]
    pub capacity: Option<i32>,
    /// Hours a week (0–40).
    #[serde(default)]
    pub hours_per_week: Option<i32>,
    /// Home traits they cannot work with: `pets`, `smoking`.
    #[schema(value_type = Option<Vec<crate::domain::HomeTrait>>)]
    #[serde(default)]
    pub avoids: Option<Vec<String>>,
    /// The institution they attend (the branch's term periods of it apply); `""` for none.
    #[serde(default)]
    pub institution: Option<String>,
    /// `true`: the institution's term periods do not make them unavailable.
    #[serde(default)]
    pub term_opt_out: Option<bool>,
}

fn skills(raw: &[String]) -> Result<String, String> {
    Skill::parse_list(raw).map(|s| to_json_list(&s.iter().map(|k| k.as_str()).collect::<Vec<_>>()))
}

fn languages(raw: &[String]) -> Result<String, String> {
    let codes = LanguageCode::parse_list(raw)?;
    if codes.is_empty() {
        return Err("list at least one language".into());
    }
    Ok(to_json_list(
        &codes.iter().map(|c| c.as_str()).collect::<Vec<_>>(),
    ))
}

fn in_range(value: i32, low: i32, high: i32) -> Result<i32, String> {
    if (low..=high).contains(&value) {
        Ok(value)
    } else {
        Err(format!("must be between {low} and {high}"))
    }
}

fn waitlist_position(conn: &mut DbConnection, helper: &Helper) -> Result<Option<i64>, ApiError> {
    if helper.status == HelperStatus::Waitlisted {
        Ok(Some(Helper::waitlist_position(conn, helper)?))
    } else {
        Ok(None)
    }
}

pub(crate) fn view(conn: &mut DbConnection, helper: Helper) -> Result<HelperView, ApiError> {
    let waitlist_position = waitlist_position(conn, &helper)?;
    Ok(HelperView {
        id: helper.id,
        branch_id: helper.branch_id,
        skills: from_json_list(&helper.skills),
        languages: from_json_list(&helper.languages),
        avoids: from_json_list(&helper.avoids),
        institution: helper.institution.clone(),
        term_opt_out: helper.term_opt_out,
        leaves_on: helper.leaves_on,
        home: Position {
            lat: helper.home_lat,
            lon: helper.home_lon,
        },
        days_in_stage: (now() - helper.status_changed_at).num_days(),
        name: helper.name,
        email: helper.email,
        phone: helper.phone,
        study_programme: helper.study_programme,
        capacity: helper.capacity,
        hours_per_week: helper.hours_per_week,
        status: helper.status,
        applied_at: helper.applied_at,
        criminal_record_checked_on: helper.criminal_record_checked_on,
        criminal_record_outcome: helper.criminal_record_outcome,
        waitlist_position,
    })
}

/// A helper the caller may see: staff of its branch, or the helper themself; else 404.
fn visible(conn: &mut DbConnection, caller: &Caller, id: HelperId) -> Result<Helper, ApiError> {
    let helper = Helper::find(conn, id)?;
    if caller.reaches_helper(helper.branch_id, id) {
        Ok(helper)
    } else {
        Err(ApiError::NotFound)
    }
}

/// Filters of a helper list.
#[derive(Debug, Default)]
pub struct HelperSearch {
    /// Only this branch.
    pub branch: Option<BranchId>,
    /// Only this status.
    pub status: Option<HelperStatus>,
    /// Only names containing this (any case).
    pub name: Option<String>,
    /// Only helpers changed at or after this instant (UTC).
    pub updated_since: Option<chrono::NaiveDateTime>,
}

/// Helpers the caller may see (staff: their branch or all; a helper only themself).
pub fn list(
    conn: &mut DbConnection,
    caller: &Caller,
    search: HelperSearch,
    page: Page,
) -> Result<Vec<HelperView>, ApiError> {
    let mut filter = HelperFilter {
        branch_id: search.branch,
        status: search.status,
        only_id: None,
        name_contains: search
            .name
            .as_deref()
            .map(search_key)
            .filter(|n| !n.is_empty()),
        updated_since: search.updated_since,
    };
    match caller.scope(Right::View) {
        Scope::All => {}
        scope @ Scope::Branch(_) => match scope.branch_filter(search.branch) {
            Some(branch) => filter.branch_id = branch,
            None => return Ok(vec![]),
        },
        Scope::Own {
            helper: Some(own), ..
        } => filter.only_id = Some(own),
        Scope::Own { helper: None, .. } => return Ok(vec![]),
    }
    let helpers = Helper::list(conn, &filter, page.after, page.limit)?;
    helpers
        .into_iter()
        .map(|h| {
            AuditEvent::record(
                conn,
                Some(caller.user_id),
                AuditAction::Read,
                AuditEntity::Helper,
                h.id,
                &["name", "email", "phone", "home"],
            )?;
            view(conn, h)
        })
        .collect()
}

/// One helper.
pub fn get(conn: &mut DbConnection, caller: &Caller, id: HelperId) -> Result<HelperView, ApiError> {
    let helper = visible(conn, caller, id)?;
    AuditEvent::record(
        conn,
        Some(caller.user_id),
        AuditAction::Read,
        AuditEntity::Helper,
        id,
        &["name", "email", "phone", "home"],
    )?;
    view(conn, helper)
}

/// Changes a helper's profile: staff of the branch, or the helper themself.
pub fn update(
    conn: &mut DbConnection,
    caller: &Caller,
    id: HelperId,
    patch: HelperPatch,
) -> Result<HelperView, ApiError> {
    if visible(conn, caller, id)?.deleted_at.is_some() {
        return Err(ApiError::NotFound);
    }
    let mut v = Validator::default();
    let name = v.check_opt("name", patch.name.as_deref(), |n| {
        Text::required(n, 200).map(Text::into_string)
    });
    let phone = v.check_opt("phone", patch.phone.as_deref(), |p| {
        Phone::parse(p).map(Phone::into_string)
    });
    let programme = v.check_opt("study_programme", patch.study_programme.as_deref(), |p| {
        Text::required(p, 200).map(Text::into_string)
    });
    let skills = v.check_opt("skills", patch.skills.as_deref(), skills);
    let languages = v.check_opt("languages", patch.languages.as_deref(), languages);
    let home = v.check_opt("home", patch.home, |p| Position::parse(p.lat, p.lon));
    let capacity = v.check_opt("capacity", patch.capacity, |c| in_range(c, 0, 3));
    let hours = v.check_opt("hours_per_week", patch.hours_per_week, |h| {
        in_range(h, 0, 40)
    });
    let avoids = v.check_opt(
        "avoids",
        patch.avoids.as_deref(),
        crate::services::clients::home_traits,
    );
    let institution = v.check_opt("institution", patch.institution.as_deref(), |t| {
        Text::optional(t, 200).map(|t| Some(t.into_string()).filter(|t| !t.is_empty()))
    });
    let built = (|| {
        let home = home?;
        let name = name?;
        Some(HelperChanges {
            search_name: name.as_deref().map(search_key),
            name,
            phone: phone?,
            study_programme: programme?,
            skills: skills?,
            languages: languages?,
            home_lat: home.map(|p| p.lat),
            home_lon: home.map(|p| p.lon),
            capacity: capacity?,
            hours_per_week: hours?,
            avoids: avoids?,
            institution: institution?,
            term_opt_out: patch.term_opt_out,
            leaves_on: None,
            updated_at: Some(now()),
        })
    })();
    let changes = v.into_value(built)?;
    let fields = changed_fields(&patch);
    crate::db::write_transaction(conn, |conn| {
        let helper = Helper::update(conn, id, &changes)?;
        // Term periods now apply, or no longer do: booked visits on their days open or close.
        if patch.institution.is_some() || patch.term_opt_out.is_some() {
            crate::services::visits::recheck_helper(conn, id)?;
        }
        AuditEvent::record(
            conn,
            Some(caller.user_id),
            AuditAction::Update,
            AuditEntity::Helper,
            id,
            &fields,
        )?;
        view(conn, helper)
    })
}

fn changed_fields(patch: &HelperPatch) -> Vec<&'static str> {
    [
        ("name", patch.name.is_some()),
        ("phone", patch.phone.is_some()),
        ("study_programme", patch.study_programme.is_some()),
        ("skills", patch.skills.is_some()),
        ("languages", patch.languages.is_some()),
        ("home", patch.home.is_some()),
        ("capacity", patch.capacity.is_some()),
        ("hours_per_week", patch.hours_per_week.is_some()),
        ("avoids", patch.avoids.is_some()),
        ("institution", patch.institution.is_some()),
        ("term_opt_out", patch.term_opt_out.is_some()),
    ]
    .into_iter()
    .filter_map(|(name, set)| set.then_some(name))
    .collect()
}
