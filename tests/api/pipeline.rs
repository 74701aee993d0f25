//! Students through recruitment: the whole path, refused moves, the waitlist.

use reqwest::Method;
use serde_json::json;

use crate::on_both_backends;
use crate::support::fixtures::application;
use crate::support::{TestBackend, assert_problem, spawn_app};

async fn an_applicant_walks_the_whole_pipeline_and_every_move_is_recorded(backend: TestBackend) {
    let app = spawn_app(backend).await;
    let admin = app.admin_token().await;
    let branch = app.create_branch(&admin, "Aarhus").await;
    let leader = app.leader_token(&admin, branch, "leader@example.dk").await;

    let (helper, helper_token) = app
        .activate_helper(&leader, branch, "anna@example.dk")
        .await;

    let history = app
        .get_ok(&format!("/api/v1/helpers/{helper}/history"), &leader)
        .await;
    let moves: Vec<&str> = history
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["to_status"].as_str().unwrap())
        .collect();
    assert_eq!(
        moves,
        [
            "applied",
            "screened",
            "interview_1",
            "interview_2",
            "interview_3",
            "active"
        ]
    );
    assert_eq!(history[4]["criminal_record_outcome"], "clear");
    assert_eq!(history[4]["criminal_record_checked_on"], "2026-11-20");
    let me = app.get_ok("/api/v1/me", &helper_token).await;
    assert_eq!(
        (me["role"].as_str(), me["helper_id"].as_i64()),
        (Some("helper"), Some(helper))
    );
}

async fn every_move_the_pipeline_lacks_is_refused_and_changes_nothing(backend: TestBackend) {
    let app = spawn_app(backend).await;
    let admin = app.admin_token().await;
    let branch = app.create_branch(&admin, "Aarhus").await;
    let helper = app.apply(branch, "anna@example.dk").await["helper_id"]
        .as_i64()
        .unwrap();

    for to in [
        "applied",
        "interview_1",
        "interview_2",
        "interview_3",
        "active",
        "paused",
    ] {
        let response = app.transition(&admin, helper, json!({"to": to})).await;
        assert_problem(response, 409).await;
    }

    let shown = app
        .get_ok(&format!("/api/v1/helpers/{helper}"), &admin)
        .await;
    assert_eq!(shown["status"], "applied");
    assert_eq!(
        app.get_ok(&format!("/api/v1/helpers/{helper}/history"), &admin)
            .await
            .as_array()
            .unwrap()
            .len(),
        1
    );
}

async fn leaving_interview_2_needs_a_clear_criminal_record_check(backend: TestBackend) {
    let app = spawn_app(backend).await;
    let admin = app.admin_token().await;
    let branch = app.create_branch(&admin, "Aarhus").await;
    let helper = app.apply(branch, "anna@example.dk").await["helper_id"]
        .as_i64()
        .unwrap();
    for to in ["screened", "interview_1", "interview_2"] {
        app.transition(&admin, helper, json!({"to": to})).await;
    }

    let without = app
        .transition(&admin, helper, json!({"to": "interview_3"}))
        .await;
    let not_clear = app
        .transition(&admin, helper, json!({"to": "interview_3", "criminal_record": {"checked_on": "2026-11-01", "outcome": "not_clear"}}))
        .await;

    assert_problem(without, 422).await;
    assert_problem(not_clear, 422).await;
    let rejected = app
        .transition(
            &admin,
            helper,
            json!({"to": "rejected", "note": "record not clear"}),
        )
        .await;
    assert_eq!(rejected.status().as_u16(), 200);
}

async fn the_waitlist_keeps_the_order_of_application_and_applicants_see_their_place(
    backend: TestBackend,
) {
    let app = spawn_app(backend).await;
    let admin = app.admin_token().await;
    let branch = app.create_branch(&admin, "Aarhus").await;
    let mut receipts = vec![];
    for n in 0..3 {
        receipts.push(app.apply(branch, &format!("student{n}@example.dk")).await);
    }
    // Waitlisted in reverse order: the place still follows the order of application.
    for receipt in receipts.iter().rev() {
        let id = receipt["helper_id"].as_i64().unwrap();
        assert_eq!(
            app.transition(&admin, id, json!({"to": "waitlisted"}))
                .await
                .status()
                .as_u16(),
            200
        );
    }

    for (place, receipt) in receipts.iter().enumerate() {
        let token = receipt["status_token"].as_str().unwrap();
        let status = app
            .call(
                Method::GET,
                &format!("/api/v1/applications/{token}"),
                None,
                None,
            )
            .await;
        let status: serde_json::Value = status.json().await.unwrap();
        assert_eq!(status["status"], "waitlisted");
        assert_eq!(status["waitlist_position"], place as i64 + 1);
    }
    let first = receipts[0]["helper_id"].as_i64().unwrap();
    let resumed = app
        .transition(&admin, first, json!({"to": "applied"}))
        .await;
    assert_eq!(
        resumed.status().as_u16(),
        200,
        "a waitlisted applicant resumes where they stood"
    );
    let token = receipts[1]["status_token"].as_str().unwrap();
    let status: serde_json::Value = app
        .call(
            Method::GET,
            &format!("/api/v1/applications/{token}"),
            None,
            None,
        )
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(status["waitlist_position"], 1);
}

async fn a_bad_application_lists_every_bad_field_and_stores_nothing(backend: TestBackend) {
    let app = spawn_app(backend).await;
    let admin = app.admin_token().await;
    let branch = app.create_branch(&admin, "Aarhus").await;
    let mut body = application(branch, "not-an-email");
    body["skills"] = json!(["juggling"]);
    body["languages"] = json!(["xx"]);
    body["home"] = json!({"lat": 120.0, "lon": 10.0});
    body["capacity"] = json!(9);

    let response = app
        .call(Method::POST, "/api/v1/applications", None, Some(body))
        .await;

    let problem = assert_problem(response, 422).await;
    let fields: Vec<&str> = problem["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["field"].as_str().unwrap())
        .collect();
    assert_eq!(fields, ["email", "skills", "languages", "home", "capacity"]);
    let helpers = app.get_ok("/api/v1/helpers", &admin).await;
    assert!(helpers["items"].as_array().unwrap().is_empty());
}

async fn pausing_a_helper_ends_their_pairs_and_flags_the_client_short(backend: TestBackend) {
    let app = spawn_app(backend).await;
    let admin = app.admin_token().await;
    let branch = app.create_branch(&admin, "Aarhus").await;
    let (helper, _) = app.activate_helper(&admin, branch, "anna@example.dk").await;
    let client = app.create_client(&admin, branch, "karen@example.dk").await;
    app.assign(&admin, client, helper).await;
    assert_eq!(
        app.get_ok(&format!("/api/v1/clients/{client}/helpers"), &admin)
            .await
            .as_array()
            .unwrap()
            .len(),
        1
    );

    let paused: serde_json::Value = app
        .transition(&admin, helper, json!({"to": "paused", "note": "exams"}))
        .await
        .json()
        .await
        .unwrap();

    assert_eq!(paused["assignments_ended"], 1);
    assert!(
        app.get_ok(&format!("/api/v1/clients/{client}/helpers"), &admin)
            .await
            .as_array()
            .unwrap()
            .is_empty()
    );
    let shown = app
        .get_ok(&format!("/api/v1/clients/{client}"), &admin)
        .await;
    assert_eq!(shown["short_of_helpers"], true);
    let flagged = app
        .get_ok("/api/v1/clients?short_of_helpers=true", &admin)
        .await;
    assert_eq!(
        flagged["items"][0]["id"], client,
        "the branch's list to act on"
    );
    let history = app
        .get_ok(
            &format!("/api/v1/assignments?client_id={client}&open=false"),
            &admin,
        )
        .await;
    assert_eq!(
        history["items"][0]["end_reason"], "helper paused",
        "ended, not deleted"
    );
}

on_both_backends!(
    an_applicant_walks_the_whole_pipeline_and_every_move_is_recorded,
    every_move_the_pipeline_lacks_is_refused_and_changes_nothing,
    leaving_interview_2_needs_a_clear_criminal_record_check,
    the_waitlist_keeps_the_order_of_application_and_applicants_see_their_place,
    a_bad_application_lists_every_bad_field_and_stores_nothing,
    pausing_a_helper_ends_their_pairs_and_flags_the_client_short,
);
