//! Visits at their edges (issue 12): attendance checked against the visit's own time and
//! helper, no-shows only after the start, a notice period that moving a visit cannot dodge,
//! idempotency keys bound to their request, and starts on the quarter hour.
//!
//! The few helpers the attention and schedule tests share live here too (`pub(crate)`).

use chrono::{DateTime, Duration, Utc};

use helpmatch::db::DbConnection;

use reqwest::{Method, Response};

use serde_json::{Value, json};

use crate::on_both_backends;
use crate::support::fixtures::client;
use crate::support::{TestApp, TestBackend, assert_problem, spawn_app};

mod attendance_edges;
mod changes_and_keys;

/// A branch, helper Anna (with a login) serving Karen, who has bought one 8-hour clip card.
/// Anna has declared no availability, so any time is bookable.
pub(crate) struct Team {
    pub admin: String,
    pub branch: i64,
    pub helper: i64,
    pub helper_token: String,
    pub client: i64,
}

pub(crate) async fn team(app: &TestApp) -> Team {
    let admin = app.admin_token().await;
    let branch = app.create_branch(&admin, "Aarhus").await;
    let (helper, helper_token) = app.activate_helper(&admin, branch, "anna@example.dk").await;
    let client = app.create_client(&admin, branch, "karen@example.dk").await;
    app.assign(&admin, client, helper).await;
    app.buy(&admin, client, "clip_card_8h").await;
    Team {
        admin,
        branch,
        helper,
        helper_token,
        client,
    }
}

/// Another active helper of the branch with a login, named `name`; returns (id, token).
pub(crate) async fn named_helper(
    app: &TestApp,
    admin: &str,
    branch: i64,
    name: &str,
    email: &str,
) -> (i64, String) {
    let (id, token) = app.activate_helper(admin, branch, email).await;
    let renamed = app
        .call(
            Method::PATCH,
            &format!("/api/v1/helpers/{id}"),
            Some(admin),
            Some(json!({ "name": name })),
        )
        .await;
    assert_eq!(renamed.status().as_u16(), 200, "helper renamed");
    (id, token)
}

/// Another client of the branch named `name`, with an 8-hour clip card.
pub(crate) async fn named_client(
    app: &TestApp,
    admin: &str,
    branch: i64,
    name: &str,
    email: &str,
) -> i64 {
    let mut body = client(branch, email);
    body["name"] = json!(name);
    let id = app.post_ok("/api/v1/clients", Some(admin), body, 201).await["id"]
        .as_i64()
        .expect("client id");
    app.buy(admin, id, "clip_card_8h").await;
    id
}

/// Adds a relative of `client`; with `login` their invitation is accepted and their token returned.
pub(crate) async fn relative(
    app: &TestApp,
    admin: &str,
    client: i64,
    (name, email): (&str, &str),
    (view, book, pay): (bool, bool, bool),
    login: bool,
) -> Option<String> {
    let body = json!({"name": name, "email": email, "relation": "child", "can_view": view,
                      "can_book": book, "can_pay": pay, "consent_given_on": "2026-11-01",
                      "create_account": login});
    app.post_ok(
        &format!("/api/v1/clients/{client}/relatives"),
        Some(admin),
        body,
        201,
    )
    .await;
    if !login {
        return None;
    }
    let invite = app.mailed_token(email);
    app.post_ok(
        "/api/v1/auth/accept-invitation",
        None,
        json!({"token": invite, "password": crate::support::fixtures::PASSWORD}),
        204,
    )
    .await;
    Some(
        app.token_for(email, crate::support::fixtures::PASSWORD)
            .await,
    )
}

/// A start `hours` after the next quarter hour from now (UTC, RFC 3339): inside the notice
/// period when `hours` < 24.
pub(crate) fn starts_in_hours(hours: i64) -> String {
    let quarter = 15 * 60;
    let next = (Utc::now().timestamp() / quarter + 1) * quarter;
    let at = DateTime::from_timestamp(next + hours * 3600, 0).expect("time");
    at.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
}

/// Parses a timestamp the API gave out.
pub(crate) fn instant(raw: &Value) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(raw.as_str().expect("a timestamp"))
        .expect("RFC 3339")
        .with_timezone(&Utc)
}

/// The visit as the admin sees it.
pub(crate) async fn visit(app: &TestApp, token: &str, id: i64) -> Value {
    app.get_ok(&format!("/api/v1/visits/{id}"), token).await
}

/// `POST /api/v1/visits/{id}/{action}` with `body`.
pub(crate) async fn act(
    app: &TestApp,
    token: &str,
    id: i64,
    action: &str,
    body: Value,
) -> Response {
    app.call(
        Method::POST,
        &format!("/api/v1/visits/{id}/{action}"),
        Some(token),
        Some(body),
    )
    .await
}

/// `PATCH /api/v1/visits/{id}`.
pub(crate) async fn reschedule(app: &TestApp, token: &str, id: i64, body: Value) -> Response {
    app.call(
        Method::PATCH,
        &format!("/api/v1/visits/{id}"),
        Some(token),
        Some(body),
    )
    .await
}

/// The client's home: check-ins there are never flagged.
pub(crate) fn home() -> Value {
    json!({"lat": 56.157, "lon": 10.205})
}

/// A queued mail, read from the outbox as the recipient would read it.
#[derive(Debug, Clone)]
pub(crate) struct Mail {
    pub recipient: String,
    pub subject: String,
    pub text: String,
    pub ics: Option<String>,
}

/// Every queued mail of `kind`, oldest first.
pub(crate) fn mails(app: &TestApp, kind: &str) -> Vec<Mail> {
    use diesel::prelude::*;
    use helpmatch::db::schema::outbox;
    let mut conn = DbConnection::open(&app.database.url).expect("database");
    let rows: Vec<(String, String, String, Option<String>)> = outbox::table
        .filter(outbox::kind.eq(kind))
        .order(outbox::id.asc())
        .select((
            outbox::recipient,
            outbox::subject,
            outbox::text_body,
            outbox::ics,
        ))
        .load(&mut conn)
        .expect("outbox");
    rows.into_iter()
        .map(|(recipient, subject, text, ics)| Mail {
            recipient,
            subject,
            text,
            ics,
        })
        .collect()
}

/// The mails of `kind` to `recipient`.
pub(crate) fn mails_to(app: &TestApp, kind: &str, recipient: &str) -> Vec<Mail> {
    mails(app, kind)
        .into_iter()
        .filter(|m| m.recipient == recipient)
        .collect()
}

/// How a mail writes a visit's start (Danish, the branch's time zone).
pub(crate) fn written(visit: &Value) -> String {
    helpmatch::email::when(instant(&visit["starts_at"]), "Europe/Copenhagen", "da")
}

fn balance_of(balance: &Value) -> (i64, i64, i64) {
    (
        balance["available_minutes"].as_i64().expect("available"),
        balance["reserved_minutes"].as_i64().expect("reserved"),
        balance["used_minutes"].as_i64().expect("used"),
    )
}

fn field_names(problem: &Value) -> Vec<String> {
    problem["errors"]
        .as_array()
        .expect("errors")
        .iter()
        .map(|e| e["field"].as_str().expect("field").to_string())
        .collect()
}

// ---------------------------------------------------------------- idempotency

fn keyed(app: &TestApp, token: &str, path: &str, key: &str) -> reqwest::RequestBuilder {
    app.client
        .post(format!("{}{path}", app.address))
        .bearer_auth(token)
        .header("Idempotency-Key", key)
}
