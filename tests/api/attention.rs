//! Booked visits no longer outlive what makes them possible (issue 12): when a helper pauses,
//! leaves, loses the pair, has an exception or narrows their hours, their booked visits are
//! marked, listed for the branch, and the family and the branch leaders are told once; the cause
//! going away or a new helper clears it; such a visit is free to cancel and no no-show; and a
//! substitute booked on a visit sees the client for as long as the visit needs it.

use reqwest::Method;

use serde_json::{Value, json};

use crate::on_both_backends;
use crate::support::{TestApp, TestBackend, assert_problem, spawn_app};
use crate::visit_edges::{
    Team, act, home, mails_to, named_client, named_helper, relative, reschedule, starts_in_hours,
    team, visit, written,
};

mod clearing;
mod marking;

/// The team of `visit_edges::team` plus what the attention rules touch: a branch leader, a second
/// team helper (Bo), a helper outside the team (Sara), and Karen's relatives Mette (sees visits)
/// and Ole (only pays).
struct World {
    t: Team,
    leader: String,
    bo: i64,
    sara: i64,
    sara_token: String,
}

const LEADER: &str = "leader@example.dk";

async fn world(app: &TestApp) -> World {
    let t = team(app).await;
    let leader = app.leader_token(&t.admin, t.branch, LEADER).await;
    let (bo, _) = named_helper(app, &t.admin, t.branch, "Bo Hansen", "bo@example.dk").await;
    app.assign(&t.admin, t.client, bo).await;
    let (sara, sara_token) =
        named_helper(app, &t.admin, t.branch, "Sara Holm", "sara@example.dk").await;
    let mette = ("Mette Nielsen", "mette@example.dk");
    relative(app, &t.admin, t.client, mette, (true, true, false), false).await;
    let ole = ("Ole Nielsen", "ole@example.dk");
    relative(app, &t.admin, t.client, ole, (false, false, true), false).await;
    World {
        t,
        leader,
        bo,
        sara,
        sara_token,
    }
}

async fn book(app: &TestApp, token: &str, client: i64, helper: i64, start: &str) -> i64 {
    app.book_id(token, client, helper, start, 60).await
}

async fn book_substitute(app: &TestApp, admin: &str, client: i64, helper: i64, start: &str) -> i64 {
    let body = json!({"client_id": client, "helper_id": helper, "starts_at": start,
                      "segments": [{"task": "companionship", "minutes": 60}], "substitute": true});
    app.post_ok("/api/v1/visits", Some(admin), body, 201).await["visits"][0]["id"]
        .as_i64()
        .expect("visit id")
}

/// Moves a helper in the pipeline, expecting 200; returns the transition answer.
async fn move_helper(app: &TestApp, token: &str, helper: i64, to: &str) -> Value {
    let response = app.transition(token, helper, json!({ "to": to })).await;
    let status = response.status().as_u16();
    let body: Value = response.json().await.expect("json");
    assert_eq!(status, 200, "{to}: {body}");
    body
}

/// Ids of the visits listed by `GET /api/v1/visits?needs_attention=…`, in start order.
async fn listed(app: &TestApp, token: &str, needs_attention: bool) -> Vec<i64> {
    app.get_ok(
        &format!("/api/v1/visits?needs_attention={needs_attention}"),
        token,
    )
    .await["items"]
        .as_array()
        .expect("items")
        .iter()
        .map(|v| v["id"].as_i64().expect("id"))
        .collect()
}

async fn attention(app: &TestApp, token: &str, id: i64) -> Value {
    visit(app, token, id).await["attention"].clone()
}

/// `POST /api/v1/visits/{id}/cancel`, expecting 200.
async fn cancel(app: &TestApp, token: &str, id: i64) -> Value {
    app.post_ok(
        &format!("/api/v1/visits/{id}/cancel"),
        Some(token),
        json!({}),
        200,
    )
    .await
}

fn balance_of(balance: &Value) -> (i64, i64, i64) {
    (
        balance["available_minutes"].as_i64().expect("available"),
        balance["reserved_minutes"].as_i64().expect("reserved"),
        balance["used_minutes"].as_i64().expect("used"),
    )
}
