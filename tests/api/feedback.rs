//! Feedback both ways (issue 15): each side rates a completed visit once; "don't pair us again"
//! ends nothing, tells the branch, and keeps the helper out of the client's open visits.

use serde_json::{Value, json};

use crate::on_both_backends;
use crate::support::{TestApp, TestBackend, assert_problem, spawn_app};
use crate::visit_edges::{act, mails, mails_to, named_helper, starts_in_hours, team};

const LEADER: &str = "leader@example.dk";

async fn rate(app: &TestApp, token: &str, id: i64, body: Value) -> reqwest::Response {
    act(app, token, id, "feedback", body).await
}

async fn sides(app: &TestApp, token: &str, id: i64) -> Vec<String> {
    app.get_ok(&format!("/api/v1/visits/{id}/feedback"), token)
        .await
        .as_array()
        .expect("a list")
        .iter()
        .map(|f| f["side"].as_str().expect("side").to_string())
        .collect()
}

async fn each_side_rates_a_completed_visit_once(backend: TestBackend) {
    let app = spawn_app(backend).await;
    let t = team(&app).await;
    let leader = app.leader_token(&t.admin, t.branch, LEADER).await;
    let karen = app
        .client_token(&t.admin, t.client, "karen@example.dk")
        .await;
    let (bo, bo_token) = named_helper(&app, &t.admin, t.branch, "Bo Hansen", "bo@example.dk").await;
    app.assign(&t.admin, t.client, bo).await;
    let id = app
        .book_id(&t.admin, t.client, t.helper, &starts_in_hours(30), 60)
        .await;
    app.complete_visit(&t.helper_token, id).await;

    let given = rate(
        &app,
        &karen,
        id,
        json!({"rating": 5, "comment": "Lovely afternoon"}),
    )
    .await;

    assert_eq!(given.status().as_u16(), 201);
    let given: Value = given.json().await.unwrap();
    assert_eq!(
        (given["side"].clone(), given["rating"].clone()),
        (json!("client"), json!(5))
    );
    assert_problem(rate(&app, &karen, id, json!({"rating": 4})).await, 409).await;
    let helper = rate(&app, &t.helper_token, id, json!({"rating": 4})).await;
    assert_eq!(helper.status().as_u16(), 201);
    assert_eq!(sides(&app, &leader, id).await, vec!["client", "helper"]);
    assert_eq!(sides(&app, &karen, id).await, vec!["client"]);
    assert_eq!(sides(&app, &t.helper_token, id).await, vec!["helper"]);
    let bo_reads = app
        .call(
            reqwest::Method::GET,
            &format!("/api/v1/visits/{id}/feedback"),
            Some(&bo_token),
            None,
        )
        .await;
    assert_problem(bo_reads, 404).await;
    assert!(mails(&app, "pair_excluded").is_empty());
}

async fn bad_feedback_is_refused_and_nothing_is_stored(backend: TestBackend) {
    let app = spawn_app(backend).await;
    let t = team(&app).await;
    let leader = app.leader_token(&t.admin, t.branch, LEADER).await;
    let karen = app
        .client_token(&t.admin, t.client, "karen@example.dk")
        .await;
    let (_, sara) = named_helper(&app, &t.admin, t.branch, "Sara Holm", "sara@example.dk").await;
    let booked = app
        .book_id(&t.admin, t.client, t.helper, &starts_in_hours(30), 60)
        .await;
    let done = app
        .book_id(&t.admin, t.client, t.helper, &starts_in_hours(50), 60)
        .await;
    app.complete_visit(&t.helper_token, done).await;

    for (body, field) in [
        (json!({"rating": 0}), "rating"),
        (json!({"rating": 6}), "rating"),
        (json!({"rating": 3, "comment": "x".repeat(1001)}), "comment"),
    ] {
        let problem = assert_problem(rate(&app, &karen, done, body).await, 422).await;
        assert_eq!(problem["errors"][0]["field"], field, "{problem}");
    }
    assert_problem(
        rate(&app, &karen, done, json!({"rating": 3, "stars": 3})).await,
        422,
    )
    .await;
    assert_problem(rate(&app, &karen, booked, json!({"rating": 3})).await, 409).await;
    assert_problem(rate(&app, &leader, done, json!({"rating": 3})).await, 403).await;
    assert_problem(rate(&app, &sara, done, json!({"rating": 3})).await, 404).await;
    assert_problem(rate(&app, &karen, 999_999, json!({"rating": 3})).await, 404).await;

    assert!(sides(&app, &leader, done).await.is_empty());
    assert!(sides(&app, &leader, booked).await.is_empty());
}

async fn dont_pair_again_ends_nothing_tells_the_branch_and_keeps_the_helper_out_of_offers(
    backend: TestBackend,
) {
    let app = spawn_app(backend).await;
    let t = team(&app).await;
    app.leader_token(&t.admin, t.branch, LEADER).await;
    let karen = app
        .client_token(&t.admin, t.client, "karen@example.dk")
        .await;
    let (bo, bo_token) = named_helper(&app, &t.admin, t.branch, "Bo Hansen", "bo@example.dk").await;
    app.assign(&t.admin, t.client, bo).await;
    let bos = app
        .book_id(&t.admin, t.client, bo, &starts_in_hours(30), 60)
        .await;
    app.complete_visit(&bo_token, bos).await;

    let given = rate(
        &app,
        &karen,
        bos,
        json!({"rating": 1, "dont_pair_again": true}),
    )
    .await;

    assert_eq!(given.status().as_u16(), 201);
    let told = mails_to(&app, "pair_excluded", LEADER);
    assert_eq!(told.len(), 1);
    assert!(told[0].text.contains("Bo Hansen"), "{}", told[0].text);
    let helpers = app
        .get_ok(&format!("/api/v1/clients/{}/helpers", t.client), &t.admin)
        .await;
    assert!(
        helpers
            .as_array()
            .expect("helpers")
            .iter()
            .any(|h| h["helper_id"] == bo),
        "the pair goes on until the branch decides: {helpers}"
    );
    let annas = app
        .book_id(&t.admin, t.client, t.helper, &starts_in_hours(5 * 24), 60)
        .await;
    let opened = act(
        &app,
        &t.helper_token,
        annas,
        "open",
        json!({"reason": "exam"}),
    )
    .await;
    assert_eq!(opened.status().as_u16(), 200);
    assert!(
        mails(&app, "visit_offered").is_empty(),
        "Bo is not offered Karen's visit"
    );
    let offered = app.get_ok("/api/v1/me/open-visits", &bo_token).await;
    assert!(offered.as_array().expect("list").is_empty());
    assert_problem(act(&app, &bo_token, annas, "accept", json!({})).await, 404).await;
}

on_both_backends!(
    each_side_rates_a_completed_visit_once,
    bad_feedback_is_refused_and_nothing_is_stored,
    dont_pair_again_ends_nothing_tells_the_branch_and_keeps_the_helper_out_of_offers,
);
