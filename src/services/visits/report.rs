//! Visit reports: at check-out the helper records, per task, whether it was done with an
//! optional short note, and any worry about the client's wellbeing. A worry alerts the branch
//! leaders at once (inside the check-out's transaction); relatives who asked for reports (with
//! the view right) get the report by mail. The client's side, the branch and the helper who
//! wrote it read it; the worry itself only the branch and that helper. Every read is audited.

use chrono::NaiveDateTime;
use serde::{Deserialize, Serialize};

use super::{Segment, visible};
use crate::auth::Caller;
use crate::auth::policy::Right;
use crate::db::DbConnection;
use crate::db::models::audit::AuditEvent;
use crate::db::models::helper::Helper;
use crate::db::models::now;
use crate::db::models::report::VisitReport;
use crate::db::models::visit::Visit;
use crate::domain::Text;
use crate::domain::audit::{AuditAction, AuditEntity};
use crate::domain::ids::{HelperId, VisitId};
use crate::error::{ApiError, FieldError};
use crate::services::mailings;

/// Longest note on one task.
const TASK_NOTE_CHARS: usize = 300;
/// Longest description of a worry.
const CONCERN_NOTE_CHARS: usize = 1000;

/// The report sent with `POST /api/v1/visits/{id}/check-out`.
#[derive(Debug, eserde::Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"tasks": [{"done": true}, {"done": false, "note": "no vacuum bags"}], "concern": false}))]
pub struct ReportInput {
    /// One entry per task of the visit, in the visit's order.
    pub tasks: Vec<TaskDone>,
    /// A worry about the client's wellbeing: the branch leaders are alerted at once.
    #[serde(default)]
    pub concern: bool,
    /// What worries the helper (only with `concern`; up to 1,000 characters).
    #[serde(default)]
    pub concern_note: Option<String>,
}

/// Whether one task was done.
#[derive(Debug, eserde::Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TaskDone {
    /// Done as booked.
    pub done: bool,
    /// A short note (up to 300 characters).
    #[serde(default)]
    pub note: Option<String>,
}

/// One task as reported.
#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
pub struct TaskReport {
    /// The task (a skill).
    #[schema(value_type = crate::domain::Skill)]
    pub task: String,
    /// Minutes booked for it.
    pub minutes: i32,
    /// Done as booked.
    pub done: bool,
    /// The helper's note.
    pub note: Option<String>,
}

/// A visit's report as its reader may see it.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ReportView {
    /// The visit.
    pub visit_id: VisitId,
    /// Who wrote it.
    pub helper_id: HelperId,
    /// Their name.
    pub helper_name: String,
    /// Per task of the visit.
    pub tasks: Vec<TaskReport>,
    /// A worry about the client's wellbeing (shown to the branch and the helper who wrote it;
    /// `null` for the client's side).
    pub concern: Option<bool>,
    /// What worries the helper (as `concern`).
    pub concern_note: Option<String>,
    /// Written (UTC).
    #[serde(serialize_with = "crate::db::models::utc")]
    pub created_at: NaiveDateTime,
}

/// A checked report, ready to store with the check-out.
pub struct CheckedReport {
    tasks: Vec<TaskReport>,
    concern: bool,
    concern_note: Option<String>,
}

/// Checks a report against the visit's tasks: every field error at once.
pub fn check(input: ReportInput, segments: &[Segment]) -> Result<CheckedReport, ApiError> {
    let mut errors = vec![];
    if input.tasks.len() != segments.len() {
        errors.push(FieldError::new(
            "report.tasks",
            format!("one entry per task of the visit ({})", segments.len()),
        ));
    }
    let mut tasks = vec![];
    for (i, (given, booked)) in input.tasks.iter().zip(segments).enumerate() {
        let note = match given
            .note
            .as_deref()
            .map(|n| Text::optional(n, TASK_NOTE_CHARS))
        {
            None => None,
            Some(Ok(text)) => Some(text.into_string()).filter(|t| !t.is_empty()),
            Some(Err(m)) => {
                errors.push(FieldError::new(format!("report.tasks[{i}].note"), m));
                None
            }
        };
        tasks.push(TaskReport {
            task: booked.task.clone(),
            minutes: booked.minutes,
            done: given.done,
            note,
        });
    }
    let concern_note = match input.concern_note.as_deref() {
        None => None,
        Some(_) if !input.concern => {
            errors.push(FieldError::new(
                "report.concern_note",
                "is given only with concern: true",
            ));
            None
        }
        Some(raw) => match Text::optional(raw, CONCERN_NOTE_CHARS) {
            Ok(text) => Some(text.into_string()).filter(|t| !t.is_empty()),
            Err(m) => {
                errors.push(FieldError::new("report.concern_note", m));
                None
            }
        },
    };
    if !errors.is_empty() {
        return Err(ApiError::Validation(errors));
    }
    Ok(CheckedReport {
        tasks,
        concern: input.concern,
        concern_note,
    })
}

/// Stores the report of a visit being checked out, alerts the leaders to a worry and mails the
/// relatives who asked for reports; call inside the check-out's transaction.
pub fn record(
    conn: &mut DbConnection,
    visit: &Visit,
    report: CheckedReport,
) -> Result<(), ApiError> {
    let tasks = serde_json::to_string(&report.tasks).map_err(|e| ApiError::Internal(e.into()))?;
    let stored = VisitReport {
        visit_id: visit.id,
        helper_id: visit.helper_id,
        tasks,
        concern: report.concern,
        concern_note: report.concern_note,
        created_at: now(),
    };
    VisitReport::insert(conn, &stored)?;
    if stored.concern {
        mailings::concern(conn, visit, stored.concern_note.as_deref())?;
    }
    mailings::report(conn, visit, &report.tasks)?;
    Ok(())
}

/// A visit's report: for the branch, the client's side with the view right, and the helper
/// who wrote it; 404 for anyone else and while there is none. The read is audited.
pub fn read_report(
    conn: &mut DbConnection,
    caller: &Caller,
    id: VisitId,
) -> Result<ReportView, ApiError> {
    let visit = visible(conn, caller, id)?;
    let report = VisitReport::find(conn, id)?.ok_or(ApiError::NotFound)?;
    let staff = caller.manages_branch(visit.branch_id);
    let writer = caller.helper_id() == Some(report.helper_id);
    if !(staff || writer || caller.acts_for(visit.client_id, Right::View)) {
        return Err(ApiError::NotFound);
    }
    AuditEvent::record(
        conn,
        Some(caller.user_id),
        AuditAction::Read,
        AuditEntity::VisitReport,
        id,
        &["tasks", "concern"],
    )?;
    shown(conn, report, staff || writer)
}

/// A stored report as its reader sees it; the worry only for those who `see_concern` (the
/// branch and the helper who wrote it).
pub fn shown(
    conn: &mut DbConnection,
    report: VisitReport,
    sees_concern: bool,
) -> Result<ReportView, ApiError> {
    let tasks: Vec<TaskReport> =
        serde_json::from_str(&report.tasks).map_err(|e| ApiError::Internal(e.into()))?;
    Ok(ReportView {
        visit_id: report.visit_id,
        helper_id: report.helper_id,
        helper_name: Helper::find(conn, report.helper_id)?.name,
        tasks,
        concern: sees_concern.then_some(report.concern),
        concern_note: report.concern_note.filter(|_| sees_concern),
        created_at: report.created_at,
    })
}
