//! Matching through the service: preview with explanations, commit, stale commits refused,
//! stability on re-run, what happens when a helper leaves, and why clients are left short.

use reqwest::Method;
use serde_json::{Value, json};

use crate::on_both_backends;
use crate::support::fixtures::client;
use crate::support::{TestApp, TestBackend, assert_problem, spawn_app};

mod hard_rules;

/// A branch with three active helpers and two clients who each want two helpers.
async fn branch_with_people(app: &TestApp) -> (String, i64, Vec<i64>, Vec<i64>) {
    let admin = app.admin_token().await;
    let branch = app.create_branch(&admin, "Aarhus").await;
    let mut helpers = vec![];
    for n in 0..3 {
        helpers.push(
            app.activate_helper(&admin, branch, &format!("helper{n}@example.dk"))
                .await
                .0,
        );
    }
    let mut clients = vec![];
    for n in 0..2 {
        clients.push(
            app.create_client(&admin, branch, &format!("client{n}@example.dk"))
                .await,
        );
    }
    (admin, branch, helpers, clients)
}

async fn preview(app: &TestApp, token: &str, branch: i64, body: Value) -> Value {
    app.post_ok(
        &format!("/api/v1/branches/{branch}/matching/preview"),
        Some(token),
        body,
        200,
    )
    .await
}

async fn a_preview_proposes_explained_pairs_and_a_commit_makes_them_assignments(
    backend: TestBackend,
) {
    let app = spawn_app(backend).await;
    let (admin, branch, _, clients) = branch_with_people(&app).await;

    let proposal = preview(&app, &admin, branch, json!({})).await;

    assert_eq!(proposal["pairs"].as_array().unwrap().len(), 4);
    assert!(proposal["unfilled"].as_array().unwrap().is_empty());
    let pair = &proposal["pairs"][0];
    assert_eq!(pair["new"], true);
    assert_eq!(
        pair["skills_covered"],
        json!(["it"]),
        "helpers have it+cooking, clients need it+shopping"
    );
    assert_eq!(pair["skills_missing"], json!(["shopping"]));
    assert_eq!(pair["shared_languages"], json!(["da"]));
    assert_eq!(
        pair["cost"].as_i64().unwrap(),
        pair["distance_m"].as_i64().unwrap() + 5000
    );
    let sum: i64 = proposal["pairs"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["cost"].as_i64().unwrap())
        .sum();
    assert_eq!(proposal["total_cost"].as_i64().unwrap(), sum);

    let committed = app
        .post_ok(
            &format!("/api/v1/branches/{branch}/matching/commit"),
            Some(&admin),
            json!({"proposal_id": proposal["proposal_id"]}),
            200,
        )
        .await;

    assert_eq!(committed["started"].as_array().unwrap().len(), 4);
    for client in clients {
        assert_eq!(
            app.get_ok(&format!("/api/v1/clients/{client}/helpers"), &admin)
                .await
                .as_array()
                .unwrap()
                .len(),
            2
        );
    }
    let flagged = app
        .get_ok("/api/v1/clients?short_of_helpers=true", &admin)
        .await;
    assert!(
        flagged["items"].as_array().unwrap().is_empty(),
        "nobody is short once the proposal is committed"
    );
}

async fn re_running_on_unchanged_data_changes_nothing(backend: TestBackend) {
    let app = spawn_app(backend).await;
    let (admin, branch, _, _) = branch_with_people(&app).await;
    let first = preview(&app, &admin, branch, json!({})).await;
    app.post_ok(
        &format!("/api/v1/branches/{branch}/matching/commit"),
        Some(&admin),
        json!({"proposal_id": first["proposal_id"]}),
        200,
    )
    .await;

    for mode in ["keep", "rebalance"] {
        let again = preview(&app, &admin, branch, json!({"mode": mode})).await;
        assert!(
            again["pairs"]
                .as_array()
                .unwrap()
                .iter()
                .all(|p| p["new"] == false),
            "{mode}: {again}"
        );
        assert!(again["ended"].as_array().unwrap().is_empty(), "{mode}");
        assert_eq!(again["total_cost"], first["total_cost"]);
    }
}

async fn a_commit_after_the_data_changed_is_refused_and_changes_nothing(backend: TestBackend) {
    let app = spawn_app(backend).await;
    let (admin, branch, _, clients) = branch_with_people(&app).await;
    let proposal = preview(&app, &admin, branch, json!({})).await;
    app.create_client(&admin, branch, "newcomer@example.dk")
        .await;

    let response = app
        .call(
            Method::POST,
            &format!("/api/v1/branches/{branch}/matching/commit"),
            Some(&admin),
            Some(json!({"proposal_id": proposal["proposal_id"]})),
        )
        .await;

    assert_problem(response, 409).await;
    assert!(
        app.get_ok(&format!("/api/v1/clients/{}/helpers", clients[0]), &admin)
            .await
            .as_array()
            .unwrap()
            .is_empty()
    );
}

async fn a_proposal_commits_once(backend: TestBackend) {
    let app = spawn_app(backend).await;
    let (admin, branch, _, _) = branch_with_people(&app).await;
    let proposal = preview(&app, &admin, branch, json!({})).await;
    let commit = json!({"proposal_id": proposal["proposal_id"]});
    app.post_ok(
        &format!("/api/v1/branches/{branch}/matching/commit"),
        Some(&admin),
        commit.clone(),
        200,
    )
    .await;

    let again = app
        .call(
            Method::POST,
            &format!("/api/v1/branches/{branch}/matching/commit"),
            Some(&admin),
            Some(commit),
        )
        .await;

    assert_problem(again, 409).await;
    let open = app.get_ok("/api/v1/assignments?limit=200", &admin).await;
    assert_eq!(open["items"].as_array().unwrap().len(), 4);
}

async fn when_a_helper_leaves_their_clients_show_up_short_on_the_next_preview(
    backend: TestBackend,
) {
    let app = spawn_app(backend).await;
    let (admin, branch, helpers, _) = branch_with_people(&app).await;
    let proposal = preview(&app, &admin, branch, json!({})).await;
    app.post_ok(
        &format!("/api/v1/branches/{branch}/matching/commit"),
        Some(&admin),
        json!({"proposal_id": proposal["proposal_id"]}),
        200,
    )
    .await;
    let leaving = helpers
        .iter()
        .copied()
        .find(|h| {
            proposal["pairs"]
                .as_array()
                .unwrap()
                .iter()
                .any(|p| p["helper_id"] == *h)
        })
        .unwrap();

    let left: Value = app
        .transition(&admin, leaving, json!({"to": "left"}))
        .await
        .json()
        .await
        .unwrap();

    assert!(left["assignments_ended"].as_i64().unwrap() >= 1);
    let next = preview(&app, &admin, branch, json!({})).await;
    assert!(
        next["pairs"]
            .as_array()
            .unwrap()
            .iter()
            .all(|p| p["helper_id"] != leaving)
    );
    let new_pairs = next["pairs"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|p| p["new"] == true)
        .count();
    let short: i64 = next["unfilled"]
        .as_array()
        .unwrap()
        .iter()
        .map(|u| u["missing"].as_i64().unwrap())
        .sum();
    assert_eq!(
        new_pairs as i64 + short,
        left["assignments_ended"].as_i64().unwrap(),
        "every lost slot is refilled or reported"
    );
}

async fn only_the_branch_may_preview_and_bad_parameters_are_refused(backend: TestBackend) {
    let app = spawn_app(backend).await;
    let (admin, branch, _, _) = branch_with_people(&app).await;
    let other = app.create_branch(&admin, "Aalborg").await;
    let other_leader = app.leader_token(&admin, other, "other@example.dk").await;

    let foreign = app
        .call(
            Method::POST,
            &format!("/api/v1/branches/{branch}/matching/preview"),
            Some(&other_leader),
            Some(json!({})),
        )
        .await;
    let bad = app
        .call(
            Method::POST,
            &format!("/api/v1/branches/{branch}/matching/preview"),
            Some(&admin),
            Some(json!({"mode": "shuffle", "max_distance_m": -1})),
        )
        .await;

    assert_problem(foreign, 404).await;
    let problem = assert_problem(bad, 422).await;
    assert_eq!(problem["errors"].as_array().unwrap().len(), 2);
}

async fn a_client_out_of_reach_is_reported_with_the_reason(backend: TestBackend) {
    let app = spawn_app(backend).await;
    let (admin, branch, _, _) = branch_with_people(&app).await;
    let mut far = client(branch, "far@example.dk");
    far["position"] = json!({"lat": 57.05, "lon": 9.92});
    let far_id = app.post_ok("/api/v1/clients", Some(&admin), far, 201).await["id"]
        .as_i64()
        .unwrap();

    let proposal = preview(&app, &admin, branch, json!({})).await;

    let short = proposal["unfilled"]
        .as_array()
        .unwrap()
        .iter()
        .find(|u| u["client_id"] == far_id)
        .expect("far client reported");
    assert_eq!(short["missing"], 2);
    assert_eq!(short["reason"], "no helper within max_distance_m");
    assert_eq!(short["rules"], json!(["distance"]));
}

async fn patch_helper(app: &TestApp, token: &str, helper: i64, body: Value) {
    let response = app
        .call(
            Method::PATCH,
            &format!("/api/v1/helpers/{helper}"),
            Some(token),
            Some(body),
        )
        .await;
    assert_eq!(response.status().as_u16(), 200, "PATCH helper {helper}");
}

async fn a_client_whose_only_free_helper_speaks_another_language_is_short_for_the_language(
    backend: TestBackend,
) {
    let app = spawn_app(backend).await;
    let admin = app.admin_token().await;
    let branch = app.create_branch(&admin, "Aarhus").await;
    let (danish, _) = app
        .activate_helper(&admin, branch, "danish@example.dk")
        .await;
    patch_helper(&app, &admin, danish, json!({"capacity": 1})).await;
    let (german, _) = app
        .activate_helper(&admin, branch, "german@example.dk")
        .await;
    patch_helper(&app, &admin, german, json!({"languages": ["de"]})).await;
    let other = app.create_client(&admin, branch, "other@example.dk").await;
    app.assign(&admin, other, danish).await;
    let danish_speaker = app.create_client(&admin, branch, "dansk@example.dk").await;

    let proposal = preview(&app, &admin, branch, json!({})).await;

    let short = proposal["unfilled"]
        .as_array()
        .unwrap()
        .iter()
        .find(|u| u["client_id"] == danish_speaker)
        .expect("the Danish speaker is reported short");
    assert_eq!(short["missing"], 2);
    assert_eq!(
        short["reason"], "no helper in range with free capacity shares a language",
        "the helper who speaks Danish is full; the free one speaks only German"
    );
    assert_eq!(short["rules"], json!(["language"]));
}

on_both_backends!(
    a_preview_proposes_explained_pairs_and_a_commit_makes_them_assignments,
    re_running_on_unchanged_data_changes_nothing,
    a_commit_after_the_data_changed_is_refused_and_changes_nothing,
    a_proposal_commits_once,
    when_a_helper_leaves_their_clients_show_up_short_on_the_next_preview,
    only_the_branch_may_preview_and_bad_parameters_are_refused,
    a_client_out_of_reach_is_reported_with_the_reason,
    a_client_whose_only_free_helper_speaks_another_language_is_short_for_the_language,
);
