//! Visits at their edges (issue 12): attendance checked against the visit's own time and
//! helper, no-shows only after the start, a notice period that moving a visit cannot dodge,
//! idempotency keys bound to their request, and starts on the quarter hour.
//!
//! The few helpers the attention and schedule tests share live here too (`pub(crate)`).

use chrono::{DateTime, Duration, Utc};
use helpmatch::db::DbConnection;
use reqwest::{Method, Response};
use serde_json::{Value, json};

use crate::support::fixtures::client;
use crate::support::{TestApp, TestBackend, assert_problem, spawn_app};
use crate::on_both_backends;

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

// ---------------------------------------------------------------- attendance

async fn checking_in_a_week_before_the_visit_is_refused_and_changes_nothing(backend: TestBackend) {
    let app = spawn_app(backend).await;
    let t = team(&app).await;
    let id = app
        .book_id(
            &t.admin,
            t.client,
            t.helper,
            "2027-01-12T10:00:00+01:00",
            60,
        )
        .await;
    app.move_visit_start(id, 7 * 24 * 60);

    let early = act(&app, &t.helper_token, id, "check-in", home()).await;

    assert_problem(early, 409).await;
    let seen = visit(&app, &t.admin, id).await;
    assert_eq!(seen["status"], "booked");
    assert_eq!(seen["checked_in_at"], Value::Null);
    assert_eq!(seen["check_in_distance_m"], Value::Null);
    assert_eq!(
        balance_of(&app.balance(&t.admin, t.client).await),
        (420, 60, 0)
    );
}

async fn checking_in_after_the_visit_has_ended_is_refused(backend: TestBackend) {
    let app = spawn_app(backend).await;
    let t = team(&app).await;
    let id = app
        .book_id(
            &t.admin,
            t.client,
            t.helper,
            "2027-01-12T10:00:00+01:00",
            60,
        )
        .await;
    // Started 65 minutes ago: the 60-minute visit ended 5 minutes ago.
    app.move_visit_start(id, -65);

    let late = act(&app, &t.helper_token, id, "check-in", home()).await;

    assert_problem(late, 409).await;
    let seen = visit(&app, &t.admin, id).await;
    assert_eq!(seen["status"], "booked");
    assert_eq!(seen["checked_in_at"], Value::Null);
}

async fn checking_in_opens_an_hour_before_the_start(backend: TestBackend) {
    let app = spawn_app(backend).await;
    let t = team(&app).await;
    let id = app
        .book_id(
            &t.admin,
            t.client,
            t.helper,
            "2027-01-12T10:00:00+01:00",
            60,
        )
        .await;

    app.move_visit_start(id, 70);
    let before_the_window = act(&app, &t.helper_token, id, "check-in", home()).await;
    app.move_visit_start(id, 50);
    let inside_the_window = act(&app, &t.helper_token, id, "check-in", home()).await;

    assert_problem(before_the_window, 409).await;
    assert_eq!(inside_the_window.status().as_u16(), 200);
    let checked_in: Value = inside_the_window.json().await.unwrap();
    assert_eq!(checked_in["status"], "checked_in");
    assert!(checked_in["checked_in_at"].is_string(), "{checked_in}");
    assert_eq!(checked_in["position_flagged"], false);
}

async fn checking_out_without_checking_in_is_refused(backend: TestBackend) {
    let app = spawn_app(backend).await;
    let t = team(&app).await;
    let id = app
        .book_id(
            &t.admin,
            t.client,
            t.helper,
            "2027-01-12T10:00:00+01:00",
            60,
        )
        .await;
    app.move_visit_start(id, -30);

    let out = act(&app, &t.helper_token, id, "check-out", home()).await;

    assert_problem(out, 409).await;
    let seen = visit(&app, &t.admin, id).await;
    assert_eq!(seen["status"], "booked");
    assert_eq!(seen["consumed_minutes"], Value::Null);
    assert_eq!(
        balance_of(&app.balance(&t.admin, t.client).await),
        (420, 60, 0),
        "nothing consumed"
    );
}

async fn a_paused_helper_cannot_check_in(backend: TestBackend) {
    let app = spawn_app(backend).await;
    let t = team(&app).await;
    let id = app
        .book_id(
            &t.admin,
            t.client,
            t.helper,
            "2027-01-12T10:00:00+01:00",
            60,
        )
        .await;
    let paused = app
        .transition(&t.admin, t.helper, json!({"to": "paused"}))
        .await;
    assert_eq!(paused.status().as_u16(), 200);
    app.move_visit_start(id, 5);

    let check_in = act(&app, &t.helper_token, id, "check-in", home()).await;

    assert_problem(check_in, 409).await;
    assert_eq!(visit(&app, &t.admin, id).await["status"], "booked");
}

async fn a_helper_who_is_not_on_the_visit_gets_404(backend: TestBackend) {
    let app = spawn_app(backend).await;
    let t = team(&app).await;
    let (colleague, colleague_token) = app
        .activate_helper(&t.admin, t.branch, "bo@example.dk")
        .await;
    app.assign(&t.admin, t.client, colleague).await;
    let id = app
        .book_id(
            &t.admin,
            t.client,
            t.helper,
            "2027-01-12T10:00:00+01:00",
            60,
        )
        .await;
    app.move_visit_start(id, 5);

    let check_in = act(&app, &colleague_token, id, "check-in", home()).await;
    let check_out = act(&app, &colleague_token, id, "check-out", home()).await;

    assert_problem(check_in, 404).await;
    assert_problem(check_out, 404).await;
    assert_eq!(visit(&app, &t.admin, id).await["status"], "booked");
    // The visit's own helper still can.
    let own = act(&app, &t.helper_token, id, "check-in", home()).await;
    assert_eq!(own.status().as_u16(), 200);
}

// ---------------------------------------------------------------- no-show

async fn a_no_show_before_the_start_is_refused_and_charges_nothing(backend: TestBackend) {
    let app = spawn_app(backend).await;
    let t = team(&app).await;
    let id = app
        .book_id(
            &t.admin,
            t.client,
            t.helper,
            "2027-01-12T10:00:00+01:00",
            60,
        )
        .await;
    app.move_visit_start(id, 30);

    let no_show = act(&app, &t.admin, id, "no-show", json!({})).await;

    assert_problem(no_show, 409).await;
    assert_eq!(visit(&app, &t.admin, id).await["status"], "booked");
    assert_eq!(
        balance_of(&app.balance(&t.admin, t.client).await),
        (420, 60, 0)
    );
    assert!(mails(&app, "visit_no_show").is_empty());
}

async fn a_no_show_after_the_start_uses_the_hours_and_mails_what_is_left(backend: TestBackend) {
    let app = spawn_app(backend).await;
    let t = team(&app).await;
    let id = app
        .book_id(
            &t.admin,
            t.client,
            t.helper,
            "2027-01-12T10:00:00+01:00",
            60,
        )
        .await;
    app.move_visit_start(id, -10);

    let recorded = app
        .post_ok(
            &format!("/api/v1/visits/{id}/no-show"),
            Some(&t.admin),
            json!({}),
            200,
        )
        .await;

    assert_eq!(recorded["status"], "no_show");
    assert_eq!(recorded["consumed_minutes"], 60);
    assert_eq!(
        balance_of(&app.balance(&t.admin, t.client).await),
        (420, 0, 60)
    );
    let mail = mails_to(&app, "visit_no_show", "karen@example.dk");
    assert_eq!(mail.len(), 1, "one no-show mail to Karen");
    let text = &mail[0].text;
    assert!(text.contains("timer er derfor brugt: 1 time."), "{text}");
    assert!(text.contains("ikke bestilt endnu: 7 timer"), "{text}");
    assert!(mail[0].subject.contains(&written(&recorded)), "{mail:?}");
}

// ---------------------------------------------------------------- late cancellation

async fn moving_a_visit_booked_inside_the_notice_period_does_not_make_its_cancellation_free(
    backend: TestBackend,
) {
    let app = spawn_app(backend).await;
    let t = team(&app).await;
    let karen = app
        .client_token(&t.admin, t.client, "karen@example.dk")
        .await;
    let start = starts_in_hours(3);
    let booking: Value = app
        .book(&karen, t.client, t.helper, &start, 60)
        .await
        .json()
        .await
        .unwrap();
    let booked = &booking["visits"][0];
    let id = booked["id"].as_i64().unwrap();
    let a_week_later = (instant(&booked["starts_at"]) + Duration::weeks(1))
        .to_rfc3339_opts(chrono::SecondsFormat::Secs, true);

    let moved = reschedule(&app, &karen, id, json!({ "starts_at": a_week_later })).await;
    assert_eq!(moved.status().as_u16(), 200);
    let moved: Value = moved.json().await.unwrap();
    let cancelled = app
        .post_ok(
            &format!("/api/v1/visits/{id}/cancel"),
            Some(&karen),
            json!({}),
            200,
        )
        .await;

    assert!(
        instant(&booked["free_cancellation_until"]) < Utc::now(),
        "booked inside the notice period: {booked}"
    );
    assert_eq!(
        moved["free_cancellation_until"], booked["free_cancellation_until"],
        "the passed deadline stays with the moved visit"
    );
    assert_eq!(cancelled["late_cancellation"], true);
    assert_eq!(cancelled["consumed_minutes"], 60);
    assert_eq!(
        balance_of(&app.balance(&t.admin, t.client).await),
        (420, 0, 60)
    );
    let late = mails_to(&app, "visit_cancelled_late", "karen@example.dk");
    assert_eq!(late.len(), 1, "Karen hears the hours were used");
    assert!(
        late[0].text.contains("timer er brugt: 1 time."),
        "{}",
        late[0].text
    );
    assert!(
        late[0].text.contains("ikke bestilt endnu: 7 timer"),
        "{}",
        late[0].text
    );
    assert!(
        mails_to(&app, "visit_cancelled", "karen@example.dk").is_empty(),
        "not the free cancellation's mail"
    );
}

async fn a_visit_moved_while_outside_the_notice_period_is_free_to_cancel_later(
    backend: TestBackend,
) {
    let app = spawn_app(backend).await;
    let t = team(&app).await;
    let id = app
        .book_id(
            &t.admin,
            t.client,
            t.helper,
            "2027-01-12T10:00:00+01:00",
            60,
        )
        .await;

    let moved = reschedule(
        &app,
        &t.admin,
        id,
        json!({"starts_at": "2027-01-19T10:00:00+01:00"}),
    )
    .await;
    assert_eq!(moved.status().as_u16(), 200);
    let moved: Value = moved.json().await.unwrap();
    let cancelled = app
        .post_ok(
            &format!("/api/v1/visits/{id}/cancel"),
            Some(&t.admin),
            json!({}),
            200,
        )
        .await;

    assert_eq!(
        moved["free_cancellation_until"], "2027-01-18T09:00:00Z",
        "the new start's deadline"
    );
    assert_eq!(cancelled["late_cancellation"], false);
    assert_eq!(
        balance_of(&app.balance(&t.admin, t.client).await),
        (480, 0, 0)
    );
}

async fn a_visit_moved_into_the_notice_period_before_its_deadline_is_late_to_cancel(
    backend: TestBackend,
) {
    let app = spawn_app(backend).await;
    let t = team(&app).await;
    let id = app
        .book_id(
            &t.admin,
            t.client,
            t.helper,
            "2027-01-12T10:00:00+01:00",
            60,
        )
        .await;
    let soon = starts_in_hours(3);

    let moved: Value = reschedule(&app, &t.admin, id, json!({ "starts_at": soon }))
        .await
        .json()
        .await
        .unwrap();
    let cancelled = app
        .post_ok(
            &format!("/api/v1/visits/{id}/cancel"),
            Some(&t.admin),
            json!({}),
            200,
        )
        .await;

    assert_eq!(
        instant(&moved["free_cancellation_until"]),
        instant(&moved["starts_at"]) - Duration::hours(24),
        "{moved}"
    );
    assert_eq!(
        cancelled["late_cancellation"], true,
        "the old deadline (11 January 2027) no longer applies"
    );
}

async fn shortening_a_visit_inside_the_notice_period_uses_the_minutes_it_gives_up(
    backend: TestBackend,
) {
    let app = spawn_app(backend).await;
    let t = team(&app).await;
    let karen = app
        .client_token(&t.admin, t.client, "karen@example.dk")
        .await;
    let late = app
        .book_id(&karen, t.client, t.helper, &starts_in_hours(3), 120)
        .await;
    let early = app
        .book_id(&karen, t.client, t.helper, "2027-01-12T10:00:00+01:00", 120)
        .await;
    let one_hour = json!({"segments": [{"task": "it", "minutes": 60}]});

    let shortened_late = reschedule(&app, &karen, late, one_hour.clone()).await;
    let shortened_early = reschedule(&app, &karen, early, one_hour).await;
    let cancelled = app
        .post_ok(
            &format!("/api/v1/visits/{late}/cancel"),
            Some(&karen),
            json!({}),
            200,
        )
        .await;

    assert_eq!(shortened_late.status().as_u16(), 200);
    assert_eq!(shortened_early.status().as_u16(), 200);
    assert_eq!(cancelled["late_cancellation"], true);
    assert_eq!(
        balance_of(&app.balance(&t.admin, t.client).await),
        (480 - 120 - 60, 60, 120),
        "the late visit used all its 120 minutes, not just the 60 left after shortening it; \
         the visit shortened in time keeps 60 reserved and gave back 60"
    );
}

async fn free_cancellation_until_shows_on_the_visit(backend: TestBackend) {
    let app = spawn_app(backend).await;
    let t = team(&app).await;

    let booking: Value = app
        .book(
            &t.admin,
            t.client,
            t.helper,
            "2027-01-12T10:00:00+01:00",
            60,
        )
        .await
        .json()
        .await
        .unwrap();

    let id = booking["visits"][0]["id"].as_i64().unwrap();
    assert_eq!(
        booking["visits"][0]["free_cancellation_until"],
        "2027-01-11T09:00:00Z"
    );
    assert_eq!(
        visit(&app, &t.admin, id).await["free_cancellation_until"],
        "2027-01-11T09:00:00Z"
    );
    let listed = app
        .get_ok(&format!("/api/v1/visits?client={}", t.client), &t.admin)
        .await;
    assert_eq!(
        listed["items"][0]["free_cancellation_until"],
        "2027-01-11T09:00:00Z"
    );
}

// ---------------------------------------------------------------- idempotency

fn keyed(app: &TestApp, token: &str, path: &str, key: &str) -> reqwest::RequestBuilder {
    app.client
        .post(format!("{}{path}", app.address))
        .bearer_auth(token)
        .header("Idempotency-Key", key)
}

async fn an_idempotency_key_replays_the_same_booking_and_refuses_a_different_one(
    backend: TestBackend,
) {
    let app = spawn_app(backend).await;
    let t = team(&app).await;
    let first_body = json!({"client_id": t.client, "helper_id": t.helper,
                            "starts_at": "2027-01-12T10:00:00+01:00", "segments": [{"task": "it", "minutes": 60}]});
    let same_fields_reordered = format!(
        r#"{{"segments":[{{"minutes":60,"task":"it"}}],"starts_at":"2027-01-12T10:00:00+01:00","helper_id":{},"client_id":{}}}"#,
        t.helper, t.client
    );
    let other_body = json!({"client_id": t.client, "helper_id": t.helper,
                            "starts_at": "2027-01-13T10:00:00+01:00", "segments": [{"task": "it", "minutes": 60}]});
    let path = "/api/v1/visits";

    let first = keyed(&app, &t.admin, path, "book-1")
        .json(&first_body)
        .send()
        .await
        .unwrap();
    let retry = keyed(&app, &t.admin, path, "book-1")
        .json(&first_body)
        .send()
        .await
        .unwrap();
    let reordered = keyed(&app, &t.admin, path, "book-1")
        .header("content-type", "application/json")
        .body(same_fields_reordered)
        .send()
        .await
        .unwrap();
    let different = keyed(&app, &t.admin, path, "book-1")
        .json(&other_body)
        .send()
        .await
        .unwrap();

    assert_eq!(first.status().as_u16(), 201);
    assert!(first.headers().get("idempotent-replayed").is_none());
    let first: Value = first.json().await.unwrap();
    for replay in [retry, reordered] {
        assert_eq!(replay.status().as_u16(), 201);
        assert_eq!(replay.headers().get("idempotent-replayed").unwrap(), "true");
        assert_eq!(replay.json::<Value>().await.unwrap(), first);
    }
    let problem = assert_problem(different, 422).await;
    assert_eq!(problem["type"], "/problems/idempotency-key-reused");
    let listed = app
        .get_ok(&format!("/api/v1/visits?client={}", t.client), &t.admin)
        .await;
    let starts: Vec<&str> = listed["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v["starts_at"].as_str().unwrap())
        .collect();
    assert_eq!(
        starts,
        ["2027-01-12T09:00:00Z"],
        "booked once, never the 13th"
    );
    assert_eq!(
        balance_of(&app.balance(&t.admin, t.client).await),
        (420, 60, 0)
    );
}

async fn an_idempotency_key_reused_for_another_purchase_buys_nothing(backend: TestBackend) {
    let app = spawn_app(backend).await;
    let t = team(&app).await;
    let path = format!("/api/v1/clients/{}/clip-cards", t.client);
    let hour = json!({"product": "single_hour", "payment_method": "mobilepay", "payment_reference": "MP-1"});
    let card = json!({"product": "clip_card_8h", "payment_method": "mobilepay", "payment_reference": "MP-1"});

    let first = keyed(&app, &t.admin, &path, "pay-1")
        .json(&hour)
        .send()
        .await
        .unwrap();
    let different = keyed(&app, &t.admin, &path, "pay-1")
        .json(&card)
        .send()
        .await
        .unwrap();

    assert_eq!(first.status().as_u16(), 201);
    let problem = assert_problem(different, 422).await;
    assert_eq!(problem["type"], "/problems/idempotency-key-reused");
    assert_eq!(
        app.balance(&t.admin, t.client).await["purchased_minutes"],
        480 + 60,
        "the setup's card and the single hour, not a second card"
    );
}

async fn an_idempotency_key_used_for_one_clients_clip_card_is_refused_for_another(
    backend: TestBackend,
) {
    let app = spawn_app(backend).await;
    let t = team(&app).await;
    let other = app
        .create_client(&t.admin, t.branch, "jens@example.dk")
        .await;
    let body = json!({"product": "single_hour", "payment_method": "invoice", "payment_reference": "INV-9"});

    let for_karen = keyed(
        &app,
        &t.admin,
        &format!("/api/v1/clients/{}/clip-cards", t.client),
        "pay-2",
    )
    .json(&body)
    .send()
    .await
    .unwrap();
    let for_jens = keyed(
        &app,
        &t.admin,
        &format!("/api/v1/clients/{other}/clip-cards"),
        "pay-2",
    )
    .json(&body)
    .send()
    .await
    .unwrap();

    assert_eq!(for_karen.status().as_u16(), 201);
    let problem = assert_problem(for_jens, 422).await;
    assert_eq!(problem["type"], "/problems/idempotency-key-reused");
    assert_eq!(
        app.balance(&t.admin, other).await["purchased_minutes"],
        0,
        "Jens bought nothing (and was not handed Karen's receipt)"
    );
    let cards = app
        .get_ok(&format!("/api/v1/clients/{other}/clip-cards"), &t.admin)
        .await;
    assert!(cards["items"].as_array().unwrap().is_empty(), "{cards}");
}

// ---------------------------------------------------------------- start step

async fn a_visit_starting_at_seven_past_is_refused_naming_starts_at(backend: TestBackend) {
    let app = spawn_app(backend).await;
    let t = team(&app).await;
    let id = app
        .book_id(
            &t.admin,
            t.client,
            t.helper,
            "2027-01-12T10:00:00+01:00",
            60,
        )
        .await;

    let booked = app
        .book(
            &t.admin,
            t.client,
            t.helper,
            "2027-01-13T10:07:00+01:00",
            60,
        )
        .await;
    let moved = reschedule(
        &app,
        &t.admin,
        id,
        json!({"starts_at": "2027-01-12T10:07:00+01:00"}),
    )
    .await;

    let problem = assert_problem(booked, 422).await;
    assert_eq!(field_names(&problem), ["starts_at"]);
    let problem = assert_problem(moved, 422).await;
    assert_eq!(field_names(&problem), ["starts_at"]);
    assert_eq!(
        visit(&app, &t.admin, id).await["local_starts_at"],
        "2027-01-12T10:00:00+01:00"
    );
    assert_eq!(
        balance_of(&app.balance(&t.admin, t.client).await),
        (420, 60, 0),
        "only the 10:00 visit holds minutes"
    );
}

on_both_backends!(
    checking_in_a_week_before_the_visit_is_refused_and_changes_nothing,
    checking_in_after_the_visit_has_ended_is_refused,
    checking_in_opens_an_hour_before_the_start,
    checking_out_without_checking_in_is_refused,
    a_paused_helper_cannot_check_in,
    a_helper_who_is_not_on_the_visit_gets_404,
    a_no_show_before_the_start_is_refused_and_charges_nothing,
    a_no_show_after_the_start_uses_the_hours_and_mails_what_is_left,
    moving_a_visit_booked_inside_the_notice_period_does_not_make_its_cancellation_free,
    a_visit_moved_while_outside_the_notice_period_is_free_to_cancel_later,
    a_visit_moved_into_the_notice_period_before_its_deadline_is_late_to_cancel,
    shortening_a_visit_inside_the_notice_period_uses_the_minutes_it_gives_up,
    free_cancellation_until_shows_on_the_visit,
    an_idempotency_key_replays_the_same_booking_and_refuses_a_different_one,
    an_idempotency_key_reused_for_another_purchase_buys_nothing,
    an_idempotency_key_used_for_one_clients_clip_card_is_refused_for_another,
    a_visit_starting_at_seven_past_is_refused_naming_starts_at,
);
