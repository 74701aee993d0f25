//! The public application and what an applicant sees of it.

use crate::domain::audit::{AuditAction, AuditEntity};
use crate::domain::ids::{BranchId, HelperId};
use diesel::OptionalExtension;
use serde::Serialize;

use super::{in_range, languages, skills, waitlist_position};
use crate::auth::secret;
use crate::config::ThrottleSettings;
use crate::db::DbConnection;
use crate::db::models::audit::AuditEvent;
use crate::db::models::branch::Branch;
use crate::db::models::helper::{Helper, NewHelper, NewHelperTransition, PriorStatus};
use crate::db::models::now;
use crate::domain::text::search_key;
use crate::domain::{Email, HelperStatus, Phone, Position, Text, Validator};
use crate::error::ApiError;
use crate::services::throttle;

/// Body of `POST /api/v1/applications`.
#[derive(Debug, eserde::Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"branch_id": 1, "name": "Anna Jensen", "email": "anna@example.dk", "phone": "+45 12 34 56 78", "study_programme": "Medicine, Aarhus University", "skills": ["it", "cooking"], "languages": ["da", "en"], "home": {"lat": 56.16, "lon": 10.20}, "capacity": 3, "hours_per_week": 6}))]
pub struct ApplicationInput {
    /// Branch applied to.
    pub branch_id: BranchId,
    /// Full name.
    pub name: String,
    /// Email.
    pub email: String,
    /// Phone.
    pub phone: String,
    /// What and where they study.
    pub study_programme: String,
    /// Skills from the vocabulary.
    #[schema(value_type = Vec<crate::domain::Skill>)]
    pub skills: Vec<String>,
    /// ISO 639-1 codes.
    pub languages: Vec<String>,
    /// Home position.
    pub home: Position,
    /// How many clients they want (1–3).
    pub capacity: i32,
    /// Hours a week they want (1–40).
    pub hours_per_week: i32,
}

/// What an applicant gets back: keep `status_token` to look up the application later.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ApplicationReceipt {
    /// Helper record id.
    pub helper_id: HelperId,
    /// Current status (`applied`).
    pub status: HelperStatus,
    /// Secret for `GET /api/v1/applications/{status_token}`.
    pub status_token: String,
}

/// What an applicant sees of their own application.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ApplicationStatus {
    /// Branch applied to.
    pub branch: String,
    /// Current status.
    pub status: HelperStatus,
    /// Days in the current status.
    pub days_in_stage: i64,
    /// Place on the branch waitlist when waitlisted (1 = next).
    pub waitlist_position: Option<i64>,
}

/// A student applies to a branch (public, throttled per address). Returns the status token once.
pub fn apply(
    conn: &mut DbConnection,
    limits: &ThrottleSettings,
    address: &str,
    input: ApplicationInput,
) -> Result<ApplicationReceipt, ApiError> {
    let mut v = Validator::default();
    let name = v.check("name", Text::required(&input.name, 200));
    let email = v.check("email", Email::parse(&input.email));
    let phone = v.check("phone", Phone::parse(&input.phone));
    let programme = v.check(
        "study_programme",
        Text::required(&input.study_programme, 200),
    );
    let skills = v.check("skills", skills(&input.skills));
    let languages = v.check("languages", languages(&input.languages));
    let home = v.check("home", Position::parse(input.home.lat, input.home.lon));
    let capacity = v.check("capacity", in_range(input.capacity, 1, 3));
    let hours = v.check("hours_per_week", in_range(input.hours_per_week, 1, 40));
    let token = secret::new_token()
        .map_err(|e| ApiError::Internal(anyhow::anyhow!("no randomness: {e}")))?;
    let at = now();
    let built = (|| {
        let home = home?;
        let name = name?.into_string();
        Some(NewHelper {
            branch_id: input.branch_id,
            search_name: search_key(&name),
            name,
            email: email?.into_string(),
            phone: phone?.into_string(),
            study_programme: programme?.into_string(),
            skills: skills?,
            languages: languages?,
            home_lat: home.lat,
            home_lon: home.lon,
            capacity: capacity?,
            hours_per_week: hours?,
            status: HelperStatus::Applied,
            status_changed_at: at,
            applied_at: at,
            status_token_hash: secret::hash_token(&token),
            created_at: at,
            updated_at: at,
        })
    })();
    let new = v.into_value(built)?;
    crate::db::write_transaction(conn, |conn| {
        throttle::application(conn, limits, address, at)?;
        let branch = Branch::find(conn, new.branch_id)
            .optional()?
            .filter(|b| b.active);
        if branch.is_none() {
            return Err(ApiError::field("branch_id", "no such active branch"));
        }
        if Helper::has_open_application(conn, new.branch_id, &new.email)? {
            return Err(ApiError::Conflict(
                "an application with this email is already open at this branch".into(),
            ));
        }
        let helper = Helper::insert(conn, &new)?;
        Helper::record_transition(
            conn,
            &NewHelperTransition {
                helper_id: helper.id,
                from_status: PriorStatus(None),
                to_status: helper.status,
                actor_user_id: None,
                note: "application received".into(),
                criminal_record_checked_on: None,
                criminal_record_outcome: None,
                at,
            },
        )?;
        AuditEvent::record(
            conn,
            None,
            AuditAction::Create,
            AuditEntity::Helper,
            helper.id,
            &["name", "email", "phone", "home"],
        )?;
        crate::email::application_received(conn, &helper, &token)?;
        Ok(ApplicationReceipt {
            helper_id: helper.id,
            status: helper.status,
            status_token: token,
        })
    })
}

/// An applicant looks up their own application by its token.
pub fn application_status(
    conn: &mut DbConnection,
    token: &str,
) -> Result<ApplicationStatus, ApiError> {
    let helper = Helper::find_by_status_token(conn, &secret::hash_token(token))?
        .ok_or(ApiError::NotFound)?;
    let branch = Branch::find(conn, helper.branch_id)?;
    let waitlist_position = waitlist_position(conn, &helper)?;
    Ok(ApplicationStatus {
        branch: branch.name,
        status: helper.status,
        days_in_stage: (now() - helper.status_changed_at).num_days(),
        waitlist_position,
    })
}
