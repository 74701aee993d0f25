//! Visit reports (issue 15): what the helper records at check-out, who reads it, who is mailed.

use serde_json::{Value, json};

use crate::on_both_backends;
use crate::support::{TestApp, TestBackend, assert_problem, spawn_app};
use crate::visit_edges::{
    Team, act, home, mails, mails_to, named_helper, relative, starts_in_hours, team, visit,
};

const LEADER: &str = "leader@example.dk";

/// Anna's two-task visit to Karen, checked in now; returns its id.
pub(crate) async fn checked_in(app: &TestApp, t: &Team) -> i64 {
    let body = json!({"client_id": t.client, "helper_id": t.helper, "starts_at": starts_in_hours(30),
                      "segments": [{"task": "cleaning", "minutes": 30}, {"task": "shopping", "minutes": 30}]});
    let id = app
        .post_ok("/api/v1/visits", Some(&t.admin), body, 201)
        .await["visits"][0]["id"]
        .as_i64()
        .expect("id");
    app.move_visit_start(id, 5);
    let path = format!("/api/v1/visits/{id}/check-in");
    let checked = app.post_ok(&path, Some(&t.helper_token), home(), 200).await;
    app.backdate_check_in(id, checked["minutes"].as_i64().expect("minutes"));
    id
}

pub(crate) fn check_out_with(report: Value) -> Value {
    let mut body = home();
    body["report"] = report;
    body
}

fn good_report() -> Value {
    json!({"tasks": [{"done": true}, {"done": false, "note": "the shop was closed"}],
           "concern": true, "concern_note": "she seemed confused about the day"})
}

async fn read(app: &TestApp, token: &str, id: i64) -> reqwest::Response {
    app.call(
        reqwest::Method::GET,
        &format!("/api/v1/visits/{id}/report"),
        Some(token),
        None,
    )
    .await
}

async fn a_report_reaches_the_relatives_who_asked_and_a_worry_the_leader(backend: TestBackend) {
    let app = spawn_app(backend).await;
    let t = team(&app).await;
    let leader = app.leader_token(&t.admin, t.branch, LEADER).await;
    let karen = app
        .client_token(&t.admin, t.client, "karen@example.dk")
        .await;
    let body = json!({"name": "Mette Nielsen", "email": "mette@example.dk", "relation": "child",
                      "can_view": true, "consent_given_on": "2026-11-01", "wants_reports": true});
    let path = format!("/api/v1/clients/{}/relatives", t.client);
    let mette = app.post_ok(&path, Some(&t.admin), body, 201).await;
    assert_eq!(mette["relative"]["wants_reports"], true);
    relative(
        &app,
        &t.admin,
        t.client,
        ("Ole Nielsen", "ole@example.dk"),
        (true, false, false),
        false,
    )
    .await;
    let (bo_id, bo) = named_helper(&app, &t.admin, t.branch, "Bo Hansen", "bo@example.dk").await;
    // Bo serves Karen too, but did not write this report.
    app.assign(&t.admin, t.client, bo_id).await;
    let id = checked_in(&app, &t).await;

    let out = act(
        &app,
        &t.helper_token,
        id,
        "check-out",
        check_out_with(good_report()),
    )
    .await;

    assert_eq!(out.status().as_u16(), 200);
    let reports = mails(&app, "visit_report");
    assert_eq!(reports.len(), 1, "only Mette asked for reports");
    assert_eq!(reports[0].recipient, "mette@example.dk");
    assert!(
        reports[0].text.contains("the shop was closed"),
        "{}",
        reports[0].text
    );
    assert!(
        !reports[0].text.contains("confused"),
        "the worry is the branch's"
    );
    let worry = mails_to(&app, "visit_concern", LEADER);
    assert_eq!(worry.len(), 1);
    assert!(
        worry[0].text.contains("seemed confused"),
        "{}",
        worry[0].text
    );

    let family: Value = read(&app, &karen, id).await.json().await.unwrap();
    assert_eq!(family["tasks"][1]["task"], "shopping");
    assert_eq!(family["tasks"][1]["done"], false);
    assert_eq!(family["tasks"][1]["note"], "the shop was closed");
    assert_eq!(
        (family["concern"].clone(), family["concern_note"].clone()),
        (Value::Null, Value::Null)
    );
    let branch: Value = read(&app, &leader, id).await.json().await.unwrap();
    assert_eq!(branch["concern"], true);
    assert_eq!(branch["concern_note"], "she seemed confused about the day");
    let writer: Value = read(&app, &t.helper_token, id).await.json().await.unwrap();
    assert_eq!(writer["concern"], true);
    assert_problem(read(&app, &bo, id).await, 404).await;
    let audit = app
        .get_ok(
            &format!("/api/v1/audit?entity=visit_report&entity_id={id}"),
            &t.admin,
        )
        .await;
    assert_eq!(
        audit["items"].as_array().expect("items").len(),
        3,
        "each read audited: {audit}"
    );
}

async fn a_bad_report_is_refused_and_nothing_is_stored(backend: TestBackend) {
    let app = spawn_app(backend).await;
    let t = team(&app).await;
    let leader = app.leader_token(&t.admin, t.branch, LEADER).await;
    let id = checked_in(&app, &t).await;
    let long = "x".repeat(301);

    for (bad, field) in [
        (json!({"tasks": [{"done": true}]}), "report.tasks"),
        (
            json!({"tasks": [{"done": true}, {"done": true, "note": long}]}),
            "report.tasks[1].note",
        ),
        (
            json!({"tasks": [{"done": true}, {"done": true}], "concern_note": "why"}),
            "report.concern_note",
        ),
    ] {
        let refused = act(&app, &t.helper_token, id, "check-out", check_out_with(bad)).await;
        let problem = assert_problem(refused, 422).await;
        assert_eq!(problem["errors"][0]["field"], field, "{problem}");
    }
    let unknown = act(
        &app,
        &t.helper_token,
        id,
        "check-out",
        check_out_with(json!({"tasks": [], "mood": 3})),
    )
    .await;
    assert_problem(unknown, 422).await;
    let report_at_check_in = act(
        &app,
        &t.helper_token,
        id,
        "check-in",
        check_out_with(good_report()),
    )
    .await;
    assert_problem(report_at_check_in, 422).await;

    assert_eq!(visit(&app, &t.admin, id).await["status"], "checked_in");
    assert_problem(read(&app, &leader, id).await, 404).await;
    assert!(mails(&app, "visit_concern").is_empty());
    let out = act(
        &app,
        &t.helper_token,
        id,
        "check-out",
        check_out_with(good_report()),
    )
    .await;
    assert_eq!(out.status().as_u16(), 200);
    assert_eq!(read(&app, &leader, id).await.status().as_u16(), 200);
}

async fn a_relative_gets_reports_only_with_the_view_right_and_an_email(backend: TestBackend) {
    let app = spawn_app(backend).await;
    let t = team(&app).await;
    let path = format!("/api/v1/clients/{}/relatives", t.client);
    let blind = json!({"name": "Ole", "email": "ole@example.dk", "relation": "son", "can_pay": true,
                       "consent_given_on": "2026-11-01", "wants_reports": true});
    let mute = json!({"name": "Ib", "relation": "son", "can_view": true,
                      "consent_given_on": "2026-11-01", "wants_reports": true});

    for body in [blind, mute] {
        let refused = app
            .call(reqwest::Method::POST, &path, Some(&t.admin), Some(body))
            .await;
        let problem = assert_problem(refused, 422).await;
        assert_eq!(problem["errors"][0]["field"], "wants_reports", "{problem}");
    }
    let client = app
        .get_ok(&format!("/api/v1/clients/{}", t.client), &t.admin)
        .await;
    assert!(
        client["relatives"]
            .as_array()
            .expect("relatives")
            .is_empty()
    );
}

on_both_backends!(
    a_report_reaches_the_relatives_who_asked_and_a_worry_the_leader,
    a_bad_report_is_refused_and_nothing_is_stored,
    a_relative_gets_reports_only_with_the_view_right_and_an_email,
);
