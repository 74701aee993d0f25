//! The week board, the console's home page: a row per helper, Monday to Sunday in the branch's
//! time zone, each visit a block that opens it, each day a place to book; beside it, what
//! needs the leader today.

use actix_web::{HttpResponse, web};
use chrono::{Duration, NaiveDate, Utc};
use minijinja::context;
use serde::{Deserialize, Serialize};

use super::render::ConsolePage;
use super::session::Session;
use super::texts::Lang;
use crate::db::{self, models::now};
use crate::domain::{HelperStatus, VisitStatus};
use crate::error::ApiError;
use crate::routes::QueryParams;
use crate::services::board;
use crate::startup::AppState;

/// Registers the page.
pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route("/branches/{branch}/board", web::get().to(week));
}

/// `?week=` any day of the week to show (default: this week).
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WeekQuery {
    week: Option<NaiveDate>,
    /// What a form just did (e.g. `visit_booked`), shown as the text `done_<flag>` if there is one.
    done: Option<String>,
}

async fn week(
    state: web::Data<AppState>,
    session: Session,
    path: web::Path<i64>,
    QueryParams(query): QueryParams<WeekQuery>,
) -> Result<HttpResponse, ApiError> {
    let branch_id = path.into_inner();
    let caller = session.caller.clone();
    let free_hours = state.settings.visits.free_cancellation_hours;
    let low = state.settings.visits.low_balance_minutes;
    let week_of = query.week;
    let (branch, week, attention) = db::run(&state.pool, move |conn| {
        let branch = board::managed(conn, &caller, branch_id)?;
        let today = Utc::now()
            .with_timezone(&crate::services::visits::time_zone(&branch))
            .date_naive();
        let monday = week_of.unwrap_or(today);
        let week = board::week(conn, &caller, branch_id, monday)?;
        let attention = board::attention(conn, &caller, branch_id, low, free_hours, now())?;
        Ok::<_, ApiError>((branch, week, attention))
    })
    .await?;
    let previous = week.monday - Duration::days(7);
    let next = week.monday + Duration::days(7);
    let base = format!("/console/branches/{branch_id}/board");
    // Straight into template values: the week holds thousands of visits, so no JSON detour.
    ConsolePage::new(
        "board.html",
        context! {
            title => session.lang.text("board"),
            me => session.layout(),
            branch => context! { id => branch.id, name => branch.name },
            nav => "board",
            here => format!("{base}?week={}", week.monday),
            days => &week.days,
            monday => week.monday,
            visit_count => week.visit_count,
            rows => rows(&week, session.lang),
            attention,
            previous => format!("{base}?week={previous}"),
            next => format!("{base}?week={next}"),
            this_week => base,
            done => query.done.as_deref().and_then(|flag| session.lang.done(flag)),
        },
    )
    .render(session.lang)
}

/// A helper's row as the page prints it.
#[derive(Debug, Serialize)]
struct Row<'a> {
    helper_id: i64,
    name: &'a str,
    active: bool,
    status: String,
    cells: Vec<Cell<'a>>,
}

/// One day of a row.
#[derive(Debug, Serialize)]
struct Cell<'a> {
    day: String,
    blocks: Vec<Block<'a>>,
}

/// A visit block with its texts ready: a week holds thousands, and a template lookup per text
/// and per block costs more than the whole database read (measured; docs/benchmarks.md).
#[derive(Debug, Serialize)]
struct Block<'a> {
    id: i64,
    class: &'static str,
    time: String,
    client_name: &'a str,
    tasks: String,
    status: String,
    badges: Vec<(String, bool)>,
}

fn rows(week: &board::Week, lang: Lang) -> Vec<Row<'_>> {
    let days: Vec<String> = week.days.iter().map(|d| d.to_string()).collect();
    week.rows
        .iter()
        .map(|row| Row {
            helper_id: row.helper_id,
            name: &row.name,
            active: row.status == HelperStatus::Active,
            status: lang.text(&format!("helper_status_{}", row.status.as_str())),
            cells: row
                .days
                .iter()
                .zip(&days)
                .map(|(visits, day)| Cell {
                    day: day.clone(),
                    blocks: visits.iter().map(|v| block(v, lang)).collect(),
                })
                .collect(),
        })
        .collect()
}

fn block(v: &board::BoardVisit, lang: Lang) -> Block<'_> {
    let tasks: Vec<String> = v
        .segments
        .iter()
        .map(|s| lang.text(&format!("skill_{}", s.task)))
        .collect();
    let mut badges = vec![];
    if v.substitute {
        badges.push((lang.text("badge_substitute"), false));
    }
    if let Some(reason) = v.attention {
        badges.push((lang.text(&format!("attention_{}", reason.as_str())), true));
    }
    if v.position_flagged {
        badges.push((lang.text("badge_position"), true));
    }
    Block {
        id: v.id,
        class: match (v.status, v.attention.is_some()) {
            (_, true) => "needs-attention",
            (VisitStatus::Completed, _) => "status-completed",
            (VisitStatus::CheckedIn, _) => "status-checked_in",
            (VisitStatus::NoShow, _) => "status-no_show",
            _ => "status-booked",
        },
        time: format!("{}–{}", v.start, v.end),
        client_name: &v.client_name,
        tasks: format!("{} · {} {}", tasks.join(", "), v.minutes, lang.text("min")),
        status: lang.text(&format!("status_{}", v.status.as_str())),
        badges,
    }
}
