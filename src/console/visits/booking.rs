//! Booking a visit from the week board: the form for one helper and day, and its post. The
//! post is one call of the booking service (a weekly series included, so nothing is half
//! booked), keyed by the form's one-time id: a form sent twice books once.

use crate::domain::ids::{BranchId, ClientId, HelperId};
use actix_web::{HttpResponse, web};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use serde_json::json;

use super::form::{self, SegmentFields};
use crate::console::refusal::Refusal;
use crate::console::render::{ConsolePage, see_other};
use crate::console::{Lang, Posted, Session};
use crate::db::models::branch::Branch;
use crate::db::{self, DbConnection};
use crate::error::ApiError;
use crate::routes::QueryParams;
use crate::services::assignments::{self, HelperTeam};
use crate::services::idempotency::{Keyed, respond_once};
use crate::services::{board, visits};
use crate::state::AppState;

/// The endpoint the idempotency keys of this form are stored under.
const ENDPOINT: &str = "POST /console/branches/{branch}/visits";

/// `?helper=&date=` of the booking form.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NewQuery {
    helper: HelperId,
    date: Option<NaiveDate>,
}

/// The booking form as posted. Every field is text, read here, so that a wrong value gets a
/// message at the form rather than a page saying the form could not be read.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct BookingForm {
    #[serde(default)]
    form_id: String,
    #[serde(default)]
    helper_id: String,
    #[serde(default)]
    client_id: String,
    #[serde(default)]
    date: String,
    #[serde(default)]
    time: String,
    #[serde(flatten)]
    segments: SegmentFields,
    #[serde(default)]
    repeat: String,
    #[serde(default)]
    weeks: String,
}

impl BookingForm {
    /// The service's input, or what the console could not read.
    fn input(&self, branch: &Branch, lang: Lang) -> Result<visits::VisitInput, Vec<String>> {
        let mut errors = vec![];
        let client_id = self.client_id.trim().parse::<ClientId>().map_err(|_| {
            errors.push(lang.text("visit_pick_client"));
        });
        let helper_id = self
            .helper_id
            .trim()
            .parse::<HelperId>()
            .unwrap_or(HelperId(0));
        let starts_at = form::local_start(&visits::time_zone(branch), &self.date, &self.time, lang)
            .map_err(|e| errors.extend(e));
        let repeat_weeks = match self.repeat.as_str() {
            "" => Ok(None),
            _ => self.weeks.trim().parse::<u32>().map(Some).map_err(|_| {
                errors.push(lang.text("visit_bad_weeks"));
            }),
        };
        match (client_id, starts_at, repeat_weeks) {
            (Ok(client_id), Ok(starts_at), Ok(repeat_weeks)) if errors.is_empty() => {
                Ok(visits::VisitInput {
                    client_id,
                    helper_id,
                    starts_at,
                    segments: self.segments.segments(),
                    substitute: false,
                    repeat_weekly: repeat_weeks.is_some(),
                    repeat_weeks,
                    joint_helper_id: None,
                })
            }
            _ => Err(errors),
        }
    }

    /// The same request again: every field but the one-time id (and the CSRF token, which
    /// the form reader has already taken out).
    fn fingerprint(&self, branch_id: BranchId) -> String {
        let fields = BookingForm {
            form_id: String::new(),
            ..self.clone()
        };
        let canonical = serde_json::to_string(&fields).unwrap_or_default();
        crate::auth::secret::hash_token(&format!("{ENDPOINT} {branch_id}\n{canonical}"))
    }
}

/// A fresh one-time id for a form.
fn new_form_id() -> Result<String, ApiError> {
    crate::auth::secret::new_token()
        .map_err(|e| ApiError::Internal(anyhow::anyhow!("no randomness: {e}")))
}

/// `GET /console/branches/{branch}/visits/new?helper=&date=`.
pub async fn new(
    state: web::Data<AppState>,
    session: Session,
    path: web::Path<BranchId>,
    QueryParams(query): QueryParams<NewQuery>,
) -> Result<HttpResponse, ApiError> {
    let branch_id = path.into_inner();
    let caller = session.caller.clone();
    let (branch, team) = db::run(&state.pool, move |conn| {
        load(conn, &caller, branch_id, query.helper)
    })
    .await?;
    let today = chrono::Utc::now()
        .with_timezone(&visits::time_zone(&branch))
        .date_naive();
    let blank = BookingForm {
        form_id: new_form_id()?,
        helper_id: team.helper_id.to_string(),
        date: query.date.unwrap_or(today).to_string(),
        time: "10:00".into(),
        weeks: state.settings.visits.recurring_weeks_ahead.to_string(),
        ..BookingForm::default()
    };
    page(&session, &branch, &team, &blank, None)
}

fn load(
    conn: &mut DbConnection,
    caller: &crate::auth::Caller,
    branch_id: BranchId,
    helper_id: HelperId,
) -> Result<(Branch, HelperTeam), ApiError> {
    let branch = board::managed(conn, caller, branch_id)?;
    let team = assignments::team_of_helper(conn, caller, branch_id, helper_id)?;
    Ok((branch, team))
}

/// What the post came to.
enum BookingOutcome {
    /// Booked now, or earlier by the same form (`replayed`).
    Booked { replayed: bool },
    /// Not booked: the form again.
    Refused(Box<Refused>),
}

/// A refused booking and what the form needs to show it again.
struct Refused {
    branch: Branch,
    team: HelperTeam,
    refusal: Refusal,
    /// The form's one-time id is spent (on other values): the form needs a new one.
    renew: bool,
}

/// `POST /console/branches/{branch}/visits`.
pub async fn book(
    state: web::Data<AppState>,
    path: web::Path<BranchId>,
    posted: Posted<BookingForm>,
) -> Result<HttpResponse, ApiError> {
    let branch_id = path.into_inner();
    let Posted { session, mut form } = posted;
    let helper_id = form
        .helper_id
        .trim()
        .parse::<HelperId>()
        .map_err(|_| ApiError::BadRequest("the form names no helper".into()))?;
    let caller = session.caller.clone();
    let settings = state.settings.visits.clone();
    let lang = session.lang;
    let sent = form.clone();
    let outcome = db::run(
        &state.pool,
        move |conn| -> Result<BookingOutcome, ApiError> {
            let (branch, team) = load(conn, &caller, branch_id, helper_id)?;
            let input = match sent.input(&branch, lang) {
                Ok(input) => input,
                Err(errors) => {
                    return Ok(BookingOutcome::Refused(Box::new(Refused {
                        branch,
                        team,
                        refusal: Refusal::unreadable(errors).at("booking"),
                        renew: false,
                    })));
                }
            };
            let keyed = Keyed {
                user_id: caller.user_id,
                endpoint: ENDPOINT,
                key: Some(sent.form_id.clone()).filter(|id| !id.trim().is_empty()),
                fingerprint: sent.fingerprint(branch_id),
            };
            match respond_once(conn, &keyed, 201, |conn| {
                visits::book(conn, &caller, &settings, input)
            }) {
                Ok(answer) => Ok(BookingOutcome::Booked {
                    replayed: answer.replayed(),
                }),
                Err(error) => Ok(BookingOutcome::Refused(Box::new(Refused {
                    branch,
                    team,
                    renew: matches!(error, ApiError::IdempotencyKeyReused(_)),
                    refusal: form::refusal("booking", error, lang)?,
                }))),
            }
        },
    )
    .await?;
    match outcome {
        BookingOutcome::Booked { replayed } => {
            let done = match (replayed, form.repeat.is_empty()) {
                (true, _) => "visit_booked_once",
                (false, true) => "visit_booked",
                (false, false) => "visit_series_booked",
            };
            let week = NaiveDate::parse_from_str(form.date.trim(), "%Y-%m-%d")
                .map(|d| format!("week={d}&"))
                .unwrap_or_default();
            Ok(see_other(&format!(
                "/console/branches/{branch_id}/board?{week}done={done}"
            )))
        }
        BookingOutcome::Refused(refused) => {
            let Refused {
                branch,
                team,
                refusal,
                renew,
            } = *refused;
            // An id already spent on other values cannot book again: the form gets a new one.
            if renew {
                form.form_id = new_form_id()?;
            }
            page(&session, &branch, &team, &form, Some(refusal))
        }
    }
}

/// The form, blank or as it was sent with the reason it was refused.
fn page(
    session: &Session,
    branch: &Branch,
    team: &HelperTeam,
    form: &BookingForm,
    refused: Option<Refusal>,
) -> Result<HttpResponse, ApiError> {
    let status = refused
        .as_ref()
        .map(|r| r.status)
        .unwrap_or(actix_web::http::StatusCode::OK);
    let clients: Vec<_> = team
        .clients
        .iter()
        .map(|c| {
            json!({"value": c.id.to_string(), "name": c.name,
                   "selected": c.id.to_string() == form.client_id.trim()})
        })
        .collect();
    let day = NaiveDate::parse_from_str(form.date.trim(), "%Y-%m-%d").ok();
    let board_week = day.map(|d| format!("?week={d}")).unwrap_or_default();
    let here_day = day.map(|d| format!("&date={d}")).unwrap_or_default();
    ConsolePage::new(
        "visits_new.html",
        json!({
            "title": session.lang.text("visit_book_title"),
            "me": session.layout(),
            "branch": {"id": branch.id, "name": branch.name},
            "nav": "board",
            "here": format!("/console/branches/{}/visits/new?helper={}{here_day}",
                            branch.id, team.helper_id),
            "helper": team,
            "clients": clients,
            "form": form,
            "segments": form.segments.shown(),
            "choices": form::choices(),
            "refused": refused.as_ref().map(|r| form::shown(r, session.lang)),
            "board": format!("/console/branches/{}/board{board_week}", branch.id),
            "time_zone": branch.time_zone,
        }),
    )
    .status(status)
    .render(session.lang)
}
