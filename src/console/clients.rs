//! Clients: a list with search by name and filters (short of helpers, low on hours, source),
//! a client's page (details, relatives and their rights, the team, balance and ledger, visits),
//! create and edit (`form`), and buying a clip card on the client's behalf (`clip_card`).

use crate::domain::ids::{BranchId, ClientId};
use actix_web::{HttpResponse, web};
use chrono::{Duration, SecondsFormat, Utc};
use serde::Deserialize;
use serde_json::{Value, json};

use super::render::ConsolePage;
use super::session::Session;
use crate::auth::Caller;
use crate::console::forms::DoneQuery;
use crate::db::models::now;
use crate::db::{self, DbConnection};
use crate::domain::ClientSource;
use crate::error::ApiError;
use crate::routes::QueryParams;
use crate::services::clients::{self, ClientShown, ClientView, RosterSearch, standing};
use crate::services::visits::{self, VisitListQuery};
use crate::services::{board, clip_cards, continuity, mailings};
use crate::state::AppState;

mod clip_card;
mod form;

/// How many ledger entries and visits of each kind a client's page shows.
const RECENT: usize = 20;
/// How far back the page looks for past visits.
const PAST_DAYS: i64 = 90;

/// Registers the pages ("new" before `{id}`, which would not read it as a number).
pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route("/branches/{branch}/clients", web::get().to(list))
        .configure(form::configure)
        .route("/branches/{branch}/clients/{id}", web::get().to(client))
        .configure(clip_card::configure);
}

/// The list's search and filters; an empty value is no filter.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct ListQuery {
    #[serde(default)]
    q: String,
    #[serde(default)]
    short: Option<bool>,
    #[serde(default)]
    low: Option<bool>,
    #[serde(default)]
    source: String,
    /// From 1.
    page: Option<usize>,
}

/// Clients per page of the list.
const PER_PAGE: usize = 100;

async fn list(
    state: web::Data<AppState>,
    session: Session,
    path: web::Path<BranchId>,
    QueryParams(query): QueryParams<ListQuery>,
) -> Result<HttpResponse, ApiError> {
    let branch_id = path.into_inner();
    let source = match query.source.as_str() {
        "" => None,
        raw => Some(ClientSource::parse(raw).map_err(|m| ApiError::field("source", m))?),
    };
    let search = RosterSearch {
        name: Some(query.q.trim().to_string()).filter(|n| !n.is_empty()),
        source,
        short_of_helpers: query.short.unwrap_or(false),
        low_on_hours: query.low.unwrap_or(false),
    };
    let caller = session.caller.clone();
    let low_minutes = state.settings.visits.low_balance_minutes;
    let page = query.page.unwrap_or(1);
    let (branch, roster) = db::run(&state.pool, move |conn| {
        let branch = board::managed(conn, &caller, branch_id)?;
        let roster = clients::roster(
            conn,
            &caller,
            branch_id,
            &search,
            low_minutes,
            page,
            PER_PAGE,
        )?;
        Ok::<_, ApiError>((branch, roster))
    })
    .await?;
    let lang = session.lang;
    let here = format!("/console/branches/{branch_id}/clients");
    // The other pages keep the search and filters.
    let page_link = |n: usize| {
        let mut form = form_urlencoded::Serializer::new(String::new());
        for (key, value) in [("q", query.q.as_str()), ("source", query.source.as_str())] {
            if !value.is_empty() {
                form.append_pair(key, value);
            }
        }
        for (key, on) in [("short", query.short), ("low", query.low)] {
            if on == Some(true) {
                form.append_pair(key, "true");
            }
        }
        form.append_pair("page", &n.to_string());
        format!("{here}?{}", form.finish())
    };
    let page_of = lang
        .text("cl_page_of")
        .replace("{page}", &roster.page.to_string())
        .replace("{pages}", &roster.pages.to_string())
        .replace("{total}", &roster.total.to_string());
    ConsolePage::new(
        "clients.html",
        json!({
            "title": lang.text("clients"),
            "me": session.layout(),
            "branch": {"id": branch.id, "name": branch.name},
            "nav": "clients",
            "previous_page": (roster.page > 1).then(|| page_link(roster.page - 1)),
            "next_page": (roster.page < roster.pages).then(|| page_link(roster.page + 1)),
            "page_of": page_of,
            "here": page_link(roster.page),
            "rows": roster.rows,
            "query": {"q": query.q, "short": query.short.unwrap_or(false), "low": query.low.unwrap_or(false), "source": query.source},
            "sources": ClientSource::ALL,
        }),
    )
    .render(lang)
}

/// A client of the branch in the address the caller manages, in full; else 404.
pub(super) fn of_branch(
    conn: &mut DbConnection,
    caller: &Caller,
    branch_id: BranchId,
    client_id: ClientId,
) -> Result<ClientView, ApiError> {
    match clients::get(conn, caller, client_id)? {
        ClientShown::Full(c) if c.branch_id == branch_id && caller.manages_branch(branch_id) => {
            Ok(c)
        }
        _ => Err(ApiError::NotFound),
    }
}

async fn client(
    state: web::Data<AppState>,
    session: Session,
    path: web::Path<(BranchId, ClientId)>,
    QueryParams(done): QueryParams<DoneQuery>,
) -> Result<HttpResponse, ApiError> {
    let (branch_id, client_id) = path.into_inner();
    let caller = session.caller.clone();
    let free_hours = state.settings.visits.free_cancellation_hours;
    let low_minutes = state.settings.visits.low_balance_minutes;
    let (branch, values) = db::run(&state.pool, move |conn| {
        let branch = board::managed(conn, &caller, branch_id)?;
        let client = of_branch(conn, &caller, branch_id, client_id)?;
        let team = clients::current_helpers(conn, &caller, client_id)?;
        let continuity = continuity::for_client(conn, &caller, client_id, now())?;
        let balance = clip_cards::balance(conn, &caller, client_id)?;
        let forecast = clip_cards::forecast::for_client(conn, &caller, client_id, now())?;
        let ledger = clip_cards::recent_ledger(conn, &caller, client_id, RECENT as i64)?;
        let now = Utc::now();
        let at = |t: chrono::DateTime<Utc>| Some(t.to_rfc3339_opts(SecondsFormat::Secs, true));
        let (upcoming, _) = visits::list(
            conn,
            &caller,
            free_hours,
            VisitListQuery {
                client: Some(client_id),
                from: at(now),
                limit: Some(RECENT as i64),
                ..Default::default()
            },
        )?;
        let (mut past, _) = visits::list(
            conn,
            &caller,
            free_hours,
            VisitListQuery {
                client: Some(client_id),
                from: at(now - Duration::days(PAST_DAYS)),
                to: at(now),
                limit: Some(200),
                ..Default::default()
            },
        )?;
        past.reverse();
        past.truncate(RECENT);
        let values = json!({
            "short_of_helpers": standing::is_short_of_helpers(team.len(), client.wanted),
            "low_on_hours": standing::is_low_on_hours(balance.available_minutes, low_minutes),
            "client": client,
            "team": team,
            "continuity": continuity,
            "balance": balance,
            "runs_out_soon": mailings::runs_out_soon(
                &forecast,
                Utc::now().with_timezone(&visits::time_zone(&branch)).date_naive(),
            ),
            "forecast": forecast,
            "ledger": ledger,
            "upcoming": upcoming,
            "past": past,
        });
        Ok::<_, ApiError>((branch, values))
    })
    .await?;
    let lang = session.lang;
    let done_text = done
        .done
        .as_deref()
        .filter(|d| ["created", "saved", "bought"].contains(d))
        .map(|d| lang.text(&format!("cl_client_done_{d}")));
    let mut page = json!({
        "title": values["client"]["name"],
        "me": session.layout(),
        "branch": {"id": branch.id, "name": branch.name},
        "nav": "clients",
        "here": format!("/console/branches/{branch_id}/clients/{client_id}"),
        "done": done_text,
        "past_days": PAST_DAYS,
    });
    if let (Value::Object(page), Value::Object(values)) = (&mut page, values) {
        page.extend(values);
    }
    ConsolePage::new("clients_client.html", page).render(lang)
}
