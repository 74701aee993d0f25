//! Students: the public application, the recruitment pipeline, profiles.

use chrono::{NaiveDate, NaiveDateTime};
use serde::{Deserialize, Serialize};

use crate::auth::Caller;
use crate::auth::policy::Reach;
use crate::auth::secret;
use crate::db::models::assignment::Assignment;
use crate::db::models::audit::AuditEvent;
use crate::db::models::branch::Branch;
use crate::db::models::helper::{
    Helper, HelperChanges, HelperFilter, HelperTransition, NewHelper, NewHelperTransition,
};
use crate::db::models::session::RefreshToken;
use crate::db::models::user::{User, UserChanges};
use crate::db::models::{from_json_list, now, to_json_list};
use crate::db::{DbConnection, Page};
use crate::domain::Role;
use crate::domain::pipeline::TransitionError;
use crate::domain::{Email, HelperStatus, LanguageCode, Phone, Position, Skill, Text, Validator};
use crate::error::ApiError;

use super::sessions::{self, AccountLinks};

/// Body of `POST /api/v1/applications`.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ApplicationInput {
    /// Branch applied to.
    pub branch_id: i64,
    /// Full name.
    pub name: String,
    /// Email.
    pub email: String,
    /// Phone.
    pub phone: String,
    /// What and where they study.
    pub study_programme: String,
    /// Skills from the vocabulary.
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
    pub helper_id: i64,
    /// Current status (`applied`).
    pub status: String,
    /// Secret for `GET /api/v1/applications/{status_token}`.
    pub status_token: String,
}

/// What an applicant sees of their own application.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ApplicationStatus {
    /// Branch applied to.
    pub branch: String,
    /// Current status.
    pub status: String,
    /// Days in the current status.
    pub days_in_stage: i64,
    /// Place on the branch waitlist when waitlisted (1 = next).
    pub waitlist_position: Option<i64>,
}

/// A helper as staff and the helper themself see it.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct HelperView {
    /// Id.
    pub id: i64,
    /// Branch.
    pub branch_id: i64,
    /// Name.
    pub name: String,
    /// Email.
    pub email: String,
    /// Phone.
    pub phone: String,
    /// Study programme.
    pub study_programme: String,
    /// Skills.
    pub skills: Vec<String>,
    /// Languages.
    pub languages: Vec<String>,
    /// Home position.
    pub home: Position,
    /// Most clients wanted.
    pub capacity: i32,
    /// Hours a week wanted.
    pub hours_per_week: i32,
    /// Pipeline status.
    pub status: String,
    /// Whole days in the current status.
    pub days_in_stage: i64,
    /// Applied (UTC).
    #[serde(serialize_with = "crate::db::models::utc")]
    pub applied_at: NaiveDateTime,
    /// Date of the criminal-record check.
    pub criminal_record_checked_on: Option<NaiveDate>,
    /// Outcome of the check.
    pub criminal_record_outcome: Option<String>,
    /// Place on the waitlist when waitlisted.
    pub waitlist_position: Option<i64>,
}

/// Body of `PATCH /api/v1/helpers/{id}`.
#[derive(Debug, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct HelperPatch {
    /// Name.
    pub name: Option<String>,
    /// Phone.
    pub phone: Option<String>,
    /// Study programme.
    pub study_programme: Option<String>,
    /// Skills.
    pub skills: Option<Vec<String>>,
    /// Languages.
    pub languages: Option<Vec<String>>,
    /// Home position.
    pub home: Option<Position>,
    /// Most clients wanted (0–3).
    pub capacity: Option<i32>,
    /// Hours a week (0–40).
    pub hours_per_week: Option<i32>,
}

/// Body of `POST /api/v1/helpers/{id}/transitions`.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TransitionInput {
    /// Target status.
    pub to: String,
    /// Why (shown in the history).
    #[serde(default)]
    pub note: String,
    /// Date and outcome of the criminal-record check (recorded at interview_2; never the document).
    pub criminal_record: Option<CriminalRecordCheck>,
}

/// A criminal-record check: only date and outcome are kept.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CriminalRecordCheck {
    /// Date of the certificate check.
    pub checked_on: NaiveDate,
    /// `clear` or `not_clear`.
    pub outcome: String,
}

/// Result of a move: the helper and, on activation, an invitation to set a password.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct TransitionResult {
    /// The helper after the move.
    pub helper: HelperView,
    /// On activation of a helper without a password: token for `POST /api/v1/auth/accept-invitation`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub invite_token: Option<String>,
    /// Assignments ended by a pause or departure.
    pub assignments_ended: usize,
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

/// A student applies to a branch (public). Returns the status token once.
pub fn apply(
    conn: &mut DbConnection,
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
        Some(NewHelper {
            branch_id: input.branch_id,
            name: name?.into_string(),
            email: email?.into_string(),
            phone: phone?.into_string(),
            study_programme: programme?.into_string(),
            skills: skills?,
            languages: languages?,
            home_lat: home.lat,
            home_lon: home.lon,
            capacity: capacity?,
            hours_per_week: hours?,
            status: HelperStatus::Applied.as_str().into(),
            status_changed_at: at,
            applied_at: at,
            status_token_hash: secret::hash_token(&token),
            created_at: at,
            updated_at: at,
        })
    })();
    let new = v.into_value(built)?;
    crate::db::write_transaction(conn, |conn| {
        let branch = Branch::find(conn, new.branch_id).ok().filter(|b| b.active);
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
                from_status: String::new(),
                to_status: helper.status.clone(),
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
            "create",
            "helper",
            helper.id,
            &["name", "email", "phone", "home"],
        )?;
        crate::email::application_received(conn, &helper)?;
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
        status: helper.status.clone(),
        days_in_stage: (now() - helper.status_changed_at).num_days(),
        waitlist_position,
    })
}

fn waitlist_position(conn: &mut DbConnection, helper: &Helper) -> Result<Option<i64>, ApiError> {
    if helper.status == HelperStatus::Waitlisted.as_str() {
        Ok(Some(Helper::waitlist_position(conn, helper)?))
    } else {
        Ok(None)
    }
}

fn view(conn: &mut DbConnection, helper: Helper) -> Result<HelperView, ApiError> {
    let waitlist_position = waitlist_position(conn, &helper)?;
    Ok(HelperView {
        id: helper.id,
        branch_id: helper.branch_id,
        skills: from_json_list(&helper.skills),
        languages: from_json_list(&helper.languages),
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
fn visible(conn: &mut DbConnection, caller: &Caller, id: i64) -> Result<Helper, ApiError> {
    let helper = Helper::find(conn, id)?;
    let allowed = match caller.reach() {
        Reach::All => true,
        Reach::Branch(branch) => helper.branch_id == branch,
        Reach::Helper(own) => own == id,
        _ => false,
    };
    if allowed {
        Ok(helper)
    } else {
        Err(ApiError::NotFound)
    }
}

/// Helpers in a branch and status the caller may see (a helper sees only themself).
pub fn list(
    conn: &mut DbConnection,
    caller: &Caller,
    branch: Option<i64>,
    status: Option<String>,
    page: Page,
) -> Result<Vec<HelperView>, ApiError> {
    let mut filter = HelperFilter {
        branch_id: branch,
        status,
        only_id: None,
    };
    match caller.reach() {
        Reach::All => {}
        Reach::Branch(own) if branch.is_none_or(|b| b == own) => filter.branch_id = Some(own),
        Reach::Helper(own) => filter.only_id = Some(own),
        _ => return Ok(vec![]),
    }
    let helpers = Helper::list(conn, &filter, page.after, page.limit)?;
    helpers
        .into_iter()
        .map(|h| {
            AuditEvent::record(
                conn,
                Some(caller.user_id),
                "read",
                "helper",
                h.id,
                &["name", "email", "phone", "home"],
            )?;
            view(conn, h)
        })
        .collect()
}

/// One helper.
pub fn get(conn: &mut DbConnection, caller: &Caller, id: i64) -> Result<HelperView, ApiError> {
    let helper = visible(conn, caller, id)?;
    AuditEvent::record(
        conn,
        Some(caller.user_id),
        "read",
        "helper",
        id,
        &["name", "email", "phone", "home"],
    )?;
    view(conn, helper)
}

/// Changes a helper's profile: staff of the branch, or the helper themself.
pub fn update(
    conn: &mut DbConnection,
    caller: &Caller,
    id: i64,
    patch: HelperPatch,
) -> Result<HelperView, ApiError> {
    visible(conn, caller, id)?;
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
    let built = (|| {
        let home = home?;
        Some(HelperChanges {
            name: name?,
            phone: phone?,
            study_programme: programme?,
            skills: skills?,
            languages: languages?,
            home_lat: home.map(|p| p.lat),
            home_lon: home.map(|p| p.lon),
            capacity: capacity?,
            hours_per_week: hours?,
            updated_at: Some(now()),
        })
    })();
    let changes = v.into_value(built)?;
    let fields = changed_fields(&patch);
    crate::db::write_transaction(conn, |conn| {
        let helper = Helper::update(conn, id, &changes)?;
        AuditEvent::record(conn, Some(caller.user_id), "update", "helper", id, &fields)?;
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
    ]
    .into_iter()
    .filter_map(|(name, set)| set.then_some(name))
    .collect()
}

/// Moves a helper through the pipeline (staff of the branch).
pub fn transition(
    conn: &mut DbConnection,
    caller: &Caller,
    id: i64,
    input: TransitionInput,
) -> Result<TransitionResult, ApiError> {
    caller.require_staff()?;
    let to = HelperStatus::parse(&input.to).map_err(|m| ApiError::field("to", m))?;
    let note = Text::optional(&input.note, 2000).map_err(|m| ApiError::field("note", m))?;
    let record = match &input.criminal_record {
        None => None,
        Some(check) => match check.outcome.as_str() {
            "clear" | "not_clear" => Some((check.checked_on, check.outcome.clone())),
            _ => {
                return Err(ApiError::field(
                    "criminal_record.outcome",
                    "must be clear or not_clear",
                ));
            }
        },
    };
    crate::db::write_transaction(conn, |conn| {
        let helper = visible(conn, caller, id)?;
        let from = HelperStatus::parse(&helper.status)
            .map_err(|m| ApiError::Internal(anyhow::anyhow!(m)))?;
        let resume = helper
            .resume_status
            .as_deref()
            .and_then(|s| HelperStatus::parse(s).ok());
        if record.is_some() && !matches!(from, HelperStatus::Interview2) {
            return Err(ApiError::field(
                "criminal_record",
                "is recorded when leaving interview_2",
            ));
        }
        let record_clear = match &record {
            Some((_, outcome)) => outcome == "clear",
            None => helper.criminal_record_outcome.as_deref() == Some("clear"),
        };
        from.check_move(to, resume, record_clear)
            .map_err(|e| match e {
                TransitionError::NotAllowed { .. } => ApiError::Conflict(e.to_string()),
                TransitionError::CriminalRecordCheckMissing => {
                    ApiError::field("criminal_record", e.to_string())
                }
            })?;
        let at = now();
        let new_resume = (to == HelperStatus::Waitlisted).then_some(from.as_str());
        let record_ref = record.as_ref().map(|(on, outcome)| (*on, outcome.as_str()));
        if Helper::set_status(
            conn,
            id,
            from.as_str(),
            to.as_str(),
            new_resume,
            record_ref,
            at,
        )? == 0
        {
            return Err(ApiError::Conflict(
                "the helper's status changed meanwhile; reload and try again".into(),
            ));
        }
        Helper::record_transition(
            conn,
            &NewHelperTransition {
                helper_id: id,
                from_status: from.as_str().into(),
                to_status: to.as_str().into(),
                actor_user_id: Some(caller.user_id),
                note: note.into_string(),
                criminal_record_checked_on: record.as_ref().map(|(on, _)| *on),
                criminal_record_outcome: record.as_ref().map(|(_, outcome)| outcome.clone()),
                at,
            },
        )?;
        AuditEvent::record(
            conn,
            Some(caller.user_id),
            "transition",
            "helper",
            id,
            &["status"],
        )?;
        let (invite_token, assignments_ended) = apply_side_effects(conn, caller, &helper, to, at)?;
        crate::email::helper_moved(conn, &helper, to, invite_token.as_deref())?;
        let helper = Helper::find(conn, id)?;
        Ok(TransitionResult {
            helper: view(conn, helper)?,
            invite_token,
            assignments_ended,
        })
    })
}

/// Activation opens an account; pausing or leaving ends pairs; leaving closes the account.
fn apply_side_effects(
    conn: &mut DbConnection,
    caller: &Caller,
    helper: &Helper,
    to: HelperStatus,
    at: NaiveDateTime,
) -> Result<(Option<String>, usize), ApiError> {
    let account = User::find_by_email(conn, &helper.email)?;
    match to {
        HelperStatus::Active => {
            match account {
                Some(user) if user.helper_id == Some(helper.id) => {
                    // Reactivated: an account with a password needs no new invitation.
                    let (token, hash, expires) = sessions::new_invitation(at)?;
                    let invite = user.password_hash.is_none();
                    let changes = UserChanges {
                        active: Some(true),
                        invite_token_hash: invite.then_some(Some(hash)),
                        invite_expires_at: invite.then_some(Some(expires)),
                        updated_at: Some(at),
                        ..Default::default()
                    };
                    User::update(conn, user.id, &changes)?;
                    Ok((invite.then_some(token), 0))
                }
                Some(_) => Err(ApiError::Conflict(
                    "another account already uses this helper's email".into(),
                )),
                None => {
                    let links = AccountLinks {
                        helper_id: Some(helper.id),
                        ..Default::default()
                    };
                    let token = sessions::invite_account(
                        conn,
                        helper.email.clone(),
                        helper.name.clone(),
                        Role::Helper,
                        links,
                        at,
                    )?;
                    Ok((Some(token), 0))
                }
            }
        }
        HelperStatus::Paused | HelperStatus::Left => {
            let reason = format!("helper {}", to.as_str());
            let ended =
                Assignment::end_all_for_helper(conn, helper.id, Some(caller.user_id), &reason, at)?;
            if let (HelperStatus::Left, Some(user)) =
                (to, account.filter(|u| u.helper_id == Some(helper.id)))
            {
                User::update(
                    conn,
                    user.id,
                    &UserChanges {
                        active: Some(false),
                        updated_at: Some(at),
                        ..Default::default()
                    },
                )?;
                RefreshToken::revoke_all(conn, user.id, at)?;
            }
            Ok((None, ended))
        }
        _ => Ok((None, 0)),
    }
}

/// The recorded moves of a helper the caller may see.
pub fn history(
    conn: &mut DbConnection,
    caller: &Caller,
    id: i64,
) -> Result<Vec<HelperTransition>, ApiError> {
    visible(conn, caller, id)?;
    Ok(Helper::history(conn, id)?)
}
