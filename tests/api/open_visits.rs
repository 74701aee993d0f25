//! Open visits (issue 15): a helper who cannot come opens the visit, the client's other helpers
//! and later the branch's free helpers are offered it, the first to accept takes it, and a visit
//! nobody takes goes uncovered for the branch, free to cancel.

use chrono::{Duration, Utc};
use reqwest::Method;
use serde_json::{Value, json};

use helpmatch::db::DbConnection;
use helpmatch::services::visits::{OfferRound, offer_round};

use crate::on_both_backends;
use crate::support::{TestApp, TestBackend, assert_problem, spawn_app, test_settings};
use crate::visit_edges::{Team, act, mails_to, named_helper, starts_in_hours, team, visit};

mod offers;
mod taking;

const LEADER: &str = "leader@example.dk";

/// Karen's team: Anna (the booked helper) and Bo; Sara is another helper of the branch.
struct World {
    t: Team,
    leader: String,
    bo: i64,
    bo_token: String,
    sara: i64,
    sara_token: String,
}

async fn world(app: &TestApp) -> World {
    let t = team(app).await;
    let leader = app.leader_token(&t.admin, t.branch, LEADER).await;
    let (bo, bo_token) = named_helper(app, &t.admin, t.branch, "Bo Hansen", "bo@example.dk").await;
    app.assign(&t.admin, t.client, bo).await;
    let (sara, sara_token) =
        named_helper(app, &t.admin, t.branch, "Sara Holm", "sara@example.dk").await;
    World {
        t,
        leader,
        bo,
        bo_token,
        sara,
        sara_token,
    }
}

/// Anna's visit to Karen starting `hours` from now, 60 minutes.
async fn booked_in(app: &TestApp, w: &World, hours: i64) -> i64 {
    app.book_id(
        &w.t.admin,
        w.t.client,
        w.t.helper,
        &starts_in_hours(hours),
        60,
    )
    .await
}

/// `POST /api/v1/visits/{id}/open` by `token` with a reason.
async fn open(app: &TestApp, token: &str, id: i64) -> reqwest::Response {
    act(app, token, id, "open", json!({"reason": "exam that day"})).await
}

/// `POST /api/v1/visits/{id}/accept` by `token`.
async fn accept(app: &TestApp, token: &str, id: i64) -> reqwest::Response {
    act(app, token, id, "accept", json!({})).await
}

/// The ids of the open visits `token`'s helper is offered, with how.
async fn offered(app: &TestApp, token: &str) -> Vec<(i64, String)> {
    let list = app.get_ok("/api/v1/me/open-visits", token).await;
    list.as_array()
        .expect("a list")
        .iter()
        .map(|o| {
            (
                o["visit"]["id"].as_i64().expect("id"),
                o["offered_as"].as_str().expect("offered_as").to_string(),
            )
        })
        .collect()
}

/// One open-visit round, as the job runs it, `hours` from now.
fn round_in(app: &TestApp, hours: i64) -> OfferRound {
    let mut conn = DbConnection::open(&app.database.url).expect("database");
    offer_round(
        &mut conn,
        &test_settings().visits,
        Utc::now() + Duration::hours(hours),
    )
    .expect("round")
}

/// (available, reserved, used) minutes of Karen's clip card.
async fn balance(app: &TestApp, w: &World) -> (i64, i64, i64) {
    let b = app.balance(&w.t.admin, w.t.client).await;
    (
        b["available_minutes"].as_i64().expect("available"),
        b["reserved_minutes"].as_i64().expect("reserved"),
        b["used_minutes"].as_i64().expect("used"),
    )
}

fn recipients(app: &TestApp, kind: &str) -> Vec<String> {
    let mut to: Vec<String> = crate::visit_edges::mails(app, kind)
        .into_iter()
        .map(|m| m.recipient)
        .collect();
    to.sort();
    to
}
