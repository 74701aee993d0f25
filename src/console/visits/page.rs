//! A visit's page: who, when, what, where it stands, and the forms for what can still be
//! done to it. The actions' posts (in `actions`) come back here with a message, or render
//! this page again with their refusal at their form.

use crate::domain::ids::{BranchId, VisitId};
use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use chrono::DateTime;
use serde::Deserialize;
use serde_json::{Value, json};

use super::form::{self, SegmentFields};
use crate::auth::Caller;
use crate::console::Session;
use crate::console::refusal::Refusal;
use crate::console::render::ConsolePage;
use crate::db::models::branch::Branch;
use crate::db::models::visit::Visit;
use crate::db::{self, DbConnection};
use crate::domain::{VisitCover, VisitStatus};
use crate::error::ApiError;
use crate::routes::QueryParams;
use crate::services::assignments::{self, HelperChoices};
use crate::services::board;
use crate::services::visits::{self, VisitView};
use crate::state::AppState;

/// What an action's redirect may ask the page to confirm.
const DONE: &[&str] = &[
    "visit_rescheduled",
    "visit_helper_changed",
    "visit_cancelled",
    "visit_cancelled_late",
    "visit_no_show",
];

/// `?done=` after an action.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ShowQuery {
    done: Option<String>,
}

/// A visit of a branch the caller manages, and who it could be given to.
pub struct Loaded {
    /// Its branch.
    pub branch: Branch,
    /// The visit.
    pub visit: VisitView,
    /// The client's team and the branch's substitutes (only for a visit that can move).
    pub choices: Option<HelperChoices>,
    /// Why the helper said they cannot come (the branch's to read, not the client's).
    pub open_reason: Option<String>,
}

/// Loads the visit; 404 unless it is in `branch_id` and the caller manages that branch.
pub fn load(
    conn: &mut DbConnection,
    caller: &Caller,
    branch_id: BranchId,
    id: VisitId,
    free_hours: i64,
) -> Result<Loaded, ApiError> {
    let branch = board::managed(conn, caller, branch_id)?;
    let visit = visits::get(conn, caller, free_hours, id)?;
    if visit.branch_id != branch_id {
        return Err(ApiError::NotFound);
    }
    let choices = match visit.status {
        VisitStatus::Booked => Some(assignments::helper_choices(conn, caller, visit.client_id)?),
        _ => None,
    };
    let open_reason = match visit.cover {
        VisitCover::Covered => None,
        _ => Visit::find(conn, id)?.open_reason,
    };
    Ok(Loaded {
        branch,
        visit,
        choices,
        open_reason,
    })
}

/// What the page shows beside the visit itself.
#[derive(Debug, Default)]
pub struct Extra {
    /// The confirmation of the action just done.
    pub done: Option<String>,
    /// An action's refusal, at its form.
    pub refused: Option<Refusal>,
    /// A cancellation waiting for agreement: the minutes it would use.
    pub confirm_late: Option<i32>,
    /// The move form as it was sent (else it shows the visit's own time and tasks).
    pub reschedule: Option<(String, String, SegmentFields)>,
}

/// `GET /console/branches/{branch}/visits/{id}`.
pub async fn show(
    state: web::Data<AppState>,
    session: Session,
    path: web::Path<(BranchId, VisitId)>,
    QueryParams(query): QueryParams<ShowQuery>,
) -> Result<HttpResponse, ApiError> {
    let (branch_id, id) = path.into_inner();
    let caller = session.caller.clone();
    let free_hours = state.settings.visits.free_cancellation_hours;
    let loaded = db::run(&state.pool, move |conn| {
        load(conn, &caller, branch_id, id, free_hours)
    })
    .await?;
    let done = query
        .done
        .filter(|flag| DONE.contains(&flag.as_str()))
        .and_then(|flag| session.lang.done(&flag));
    render(
        &session,
        &loaded,
        Extra {
            done,
            ..Extra::default()
        },
    )
}

/// The page's address.
pub fn address(branch_id: BranchId, id: VisitId) -> String {
    format!("/console/branches/{branch_id}/visits/{id}")
}

/// Renders the page, with the status of a refusal when there is one.
pub fn render(session: &Session, loaded: &Loaded, extra: Extra) -> Result<HttpResponse, ApiError> {
    let lang = session.lang;
    let visit = &loaded.visit;
    let tz = visits::time_zone(&loaded.branch);
    let start = DateTime::parse_from_rfc3339(&visit.local_starts_at).ok();
    let end = DateTime::parse_from_rfc3339(&visit.local_ends_at).ok();
    let day = start
        .map(|s| s.date_naive().to_string())
        .unwrap_or_default();
    let clock = |at: Option<DateTime<chrono::FixedOffset>>| {
        at.map(|t| t.format("%H:%M").to_string())
            .unwrap_or_default()
    };
    let shown = json!({
        "date": day,
        "start": clock(start),
        "end": clock(end),
        "free_until": form::local(&tz, &visit.free_cancellation_until),
        "checked_in": visit.checked_in_at.as_deref().and_then(|t| form::local(&tz, t)),
        "checked_out": visit.checked_out_at.as_deref().and_then(|t| form::local(&tz, t)),
    });
    let (date, time, segments) = extra.reschedule.clone().unwrap_or_else(|| {
        (
            day.clone(),
            clock(start),
            SegmentFields::of(&visit.segments),
        )
    });
    let status = extra
        .refused
        .as_ref()
        .map(|r| r.status)
        .unwrap_or(StatusCode::OK);
    let confirm_late = extra.confirm_late.map(|m| {
        lang.text("visit_late_text")
            .replace("{minutes}", &m.to_string())
    });
    let here = address(loaded.branch.id, visit.id);
    ConsolePage::new(
        "visits_show.html",
        json!({
            "title": format!("{} – {}", lang.text("visit_title"), visit.client_name),
            "me": session.layout(),
            "branch": {"id": loaded.branch.id, "name": loaded.branch.name},
            "nav": "board",
            "here": here,
            "visit": visit,
            "open_reason": loaded.open_reason,
            "shown": shown,
            "actions": visit.status == VisitStatus::Booked,
            "helpers": helper_options(loaded),
            "reschedule": {"date": date, "time": time, "segments": segments.shown()},
            "choices": form::choices(),
            "refused": extra.refused.as_ref().map(|r| form::shown(r, lang)),
            "confirm_late": confirm_late,
            "done": extra.done,
            "board": format!("/console/branches/{}/board?week={day}", loaded.branch.id),
        }),
    )
    .status(status)
    .render(lang)
}

/// Who else the visit can go to: the client's team first, then substitutes.
fn helper_options(loaded: &Loaded) -> Value {
    let Some(choices) = &loaded.choices else {
        return json!({"team": [], "substitutes": []});
    };
    let current = loaded.visit.helper_id;
    let others = |list: &[assignments::TeamMember]| -> Vec<Value> {
        list.iter()
            .filter(|m| m.id != current.0)
            .map(|m| json!({"id": m.id, "name": m.name}))
            .collect()
    };
    json!({"team": others(&choices.team), "substitutes": others(&choices.substitutes)})
}
