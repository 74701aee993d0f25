//! The week board, the console's home page: a row per helper, Monday to Sunday in the branch's
//! time zone, each visit a block that opens it, each day a place to book; beside it, what
//! needs the leader today.

use crate::domain::ids::BranchId;
use actix_web::{HttpResponse, web};
use chrono::{Duration, NaiveDate, Utc};
use minijinja::{Value, context};
use serde::Deserialize;

use super::render::ConsolePage;
use super::session::Session;
use crate::db::{self, models::now};
use crate::error::ApiError;
use crate::routes::QueryParams;
use crate::services::board;
use crate::state::AppState;

mod grid;

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
    path: web::Path<BranchId>,
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
        let week = board::week(conn, &caller, &branch, monday)?;
        let attention = board::attention(conn, &caller, &branch, low, free_hours, now())?;
        Ok::<_, ApiError>((branch, week, attention))
    })
    .await?;
    let previous = week.monday - Duration::days(7);
    let next = week.monday + Duration::days(7);
    let base = format!("/console/branches/{branch_id}/board");
    let grid = grid::rows(&week, branch_id, session.lang)
        .map_err(|e| ApiError::Internal(anyhow::anyhow!("board grid: {e}")))?;
    // The grid is written in Rust (board/grid.rs); the template prints the page around it.
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
            grid => Value::from_safe_string(grid),
            attention,
            previous => format!("{base}?week={previous}"),
            next => format!("{base}?week={next}"),
            this_week => base,
            done => query.done.as_deref().and_then(|flag| session.lang.done(flag)),
        },
    )
    .render(session.lang)
}
