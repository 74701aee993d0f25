//! Rules 3 and 4 through the service (issue 16, item 1): clients record home traits, helpers
//! what they avoid, the branch sets and lifts exclusions; a preview respects them, names them
//! when a client is left short, and a proposal made before an exclusion changed is stale.

use reqwest::Method;
use serde_json::{Value, json};

use super::{patch_helper, preview};
use crate::on_both_backends;
use crate::support::{TestApp, TestBackend, assert_problem, spawn_app};

async fn patch_client(app: &TestApp, token: &str, client: i64, body: Value) -> reqwest::Response {
    app.call(
        Method::PATCH,
        &format!("/api/v1/clients/{client}"),
        Some(token),
        Some(body),
    )
    .await
}

fn short(proposal: &Value, client: i64) -> Option<&Value> {
    proposal["unfilled"]
        .as_array()
        .expect("unfilled")
        .iter()
        .find(|u| u["client_id"] == client)
}

fn helpers_of(proposal: &Value, client: i64) -> Vec<i64> {
    let mut ids: Vec<i64> = proposal["pairs"]
        .as_array()
        .expect("pairs")
        .iter()
        .filter(|p| p["client_id"] == client)
        .map(|p| p["helper_id"].as_i64().expect("helper"))
        .collect();
    ids.sort();
    ids
}

async fn a_preview_keeps_allergic_helpers_from_pets_and_excluded_helpers_from_their_client(
    backend: TestBackend,
) {
    let app = spawn_app(backend).await;
    let admin = app.admin_token().await;
    let branch = app.create_branch(&admin, "Aarhus").await;
    let (allergic, allergic_token) = app.activate_helper(&admin, branch, "a@example.dk").await;
    let (other, _) = app.activate_helper(&admin, branch, "b@example.dk").await;
    // The helper says it herself.
    patch_helper(&app, &allergic_token, allergic, json!({"avoids": ["pets"]})).await;
    let karen = app.create_client(&admin, branch, "karen@example.dk").await;
    let with_cat = patch_client(
        &app,
        &admin,
        karen,
        json!({"home_traits": ["pets", "pets"]}),
    )
    .await;
    assert_eq!(with_cat.status().as_u16(), 200);
    let with_cat: Value = with_cat.json().await.expect("json");
    assert_eq!(with_cat["home_traits"], json!(["pets"]), "stored once");
    let jens = app.create_client(&admin, branch, "jens@example.dk").await;
    let excluded = app
        .post_ok(
            &format!("/api/v1/clients/{jens}/exclusions"),
            Some(&admin),
            json!({"helper_id": other}),
            201,
        )
        .await;
    assert_eq!(excluded["source"], "branch");
    assert_eq!(excluded["pair_open"], false);

    let proposal = preview(&app, &admin, branch, json!({})).await;

    assert_eq!(
        helpers_of(&proposal, karen),
        [other],
        "not the helper allergic to pets"
    );
    assert_eq!(
        short(&proposal, karen).expect("Karen short")["rules"],
        json!(["home_trait"])
    );
    assert_eq!(
        helpers_of(&proposal, jens),
        [allergic],
        "not the excluded helper"
    );
    let jens_short = short(&proposal, jens).expect("Jens short");
    assert_eq!(jens_short["rules"], json!(["excluded"]));
    assert_eq!(
        jens_short["reason"],
        "every helper in range with free capacity is excluded for this client"
    );

    let lifted = app
        .call(
            Method::DELETE,
            &format!("/api/v1/clients/{jens}/exclusions/{other}"),
            Some(&admin),
            None,
        )
        .await;
    assert_eq!(lifted.status().as_u16(), 204);
    let stale = app
        .call(
            Method::POST,
            &format!("/api/v1/branches/{branch}/matching/commit"),
            Some(&admin),
            Some(json!({"proposal_id": proposal["proposal_id"]})),
        )
        .await;
    assert_problem(stale, 409).await;
    let after = preview(&app, &admin, branch, json!({})).await;
    let mut both = vec![allergic, other];
    both.sort();
    assert_eq!(
        helpers_of(&after, jens),
        both,
        "lifted: both may serve Jens"
    );
    assert!(short(&after, jens).is_none());
}

async fn exclusions_are_the_branchs_and_every_refusal_changes_nothing(backend: TestBackend) {
    let app = spawn_app(backend).await;
    let admin = app.admin_token().await;
    let branch = app.create_branch(&admin, "Aarhus").await;
    let odense = app.create_branch(&admin, "Odense").await;
    let (anna, anna_token) = app.activate_helper(&admin, branch, "anna@example.dk").await;
    let (stranger, _) = app.activate_helper(&admin, odense, "ole@example.dk").await;
    let karen = app.create_client(&admin, branch, "karen@example.dk").await;
    app.assign(&admin, karen, anna).await;
    let karen_token = app.client_token(&admin, karen, "karen@example.dk").await;
    let other_leader = app.leader_token(&admin, odense, "lis@example.dk").await;
    let path = format!("/api/v1/clients/{karen}/exclusions");

    let added = app
        .post_ok(&path, Some(&admin), json!({"helper_id": anna}), 201)
        .await;
    assert_eq!(added["helper_id"], anna);
    assert_eq!(
        added["pair_open"], true,
        "the pair stays until the branch ends it"
    );
    let pairs = app
        .get_ok(&format!("/api/v1/clients/{karen}/helpers"), &admin)
        .await;
    assert_eq!(pairs.as_array().map(Vec::len), Some(1), "nothing ended");
    let listed = app.get_ok(&path, &admin).await;
    assert_eq!(listed.as_array().map(Vec::len), Some(1));

    let mut refusals = vec![];
    for (token, body, status) in [
        (&admin, json!({"helper_id": anna}), 409),
        (&admin, json!({"helper_id": stranger}), 422),
        (&admin, json!({"helper_id": 999_999}), 422),
        (&admin, json!({"helper_id": anna, "why": "x"}), 422),
        (&admin, json!({}), 422),
        (&anna_token, json!({"helper_id": anna}), 403),
        (&karen_token, json!({"helper_id": anna}), 403),
        (&other_leader, json!({"helper_id": anna}), 404),
    ] {
        let answer = app
            .call(Method::POST, &path, Some(token), Some(body.clone()))
            .await;
        refusals.push((body, status, answer.status().as_u16()));
    }
    for (token, status) in [
        (&karen_token, 403),
        (&anna_token, 403),
        (&other_leader, 404),
    ] {
        let read = app.call(Method::GET, &path, Some(token), None).await;
        assert_eq!(read.status().as_u16(), status, "who may read");
    }
    for (token, helper, status) in [
        (&karen_token, anna, 403),
        (&other_leader, anna, 404),
        (&admin, stranger, 404),
    ] {
        let lift = app
            .call(
                Method::DELETE,
                &format!("{path}/{helper}"),
                Some(token),
                None,
            )
            .await;
        assert_eq!(
            lift.status().as_u16(),
            status,
            "lift by the wrong person or of nothing"
        );
    }

    for (body, want, got) in &refusals {
        assert_eq!(got, want, "{body}");
    }
    assert_eq!(
        app.get_ok(&path, &admin).await,
        listed,
        "no refusal changed anything"
    );
    let audit = app
        .get_ok(
            &format!("/api/v1/audit?entity=client&entity_id={karen}&limit=200"),
            &admin,
        )
        .await;
    let updates = audit["items"]
        .as_array()
        .expect("items")
        .iter()
        .filter(|e| e["action"] == "update" && e["fields"] == "[\"excluded_helpers\"]")
        .count();
    assert_eq!(updates, 1, "the one exclusion added is audited: {audit}");
}

async fn home_traits_and_avoids_take_only_the_vocabulary(backend: TestBackend) {
    let app = spawn_app(backend).await;
    let admin = app.admin_token().await;
    let branch = app.create_branch(&admin, "Aarhus").await;
    let (anna, _) = app.activate_helper(&admin, branch, "anna@example.dk").await;
    let mut body = crate::support::fixtures::client(branch, "karen@example.dk");
    body["home_traits"] = json!(["smoking"]);
    let karen = app
        .post_ok("/api/v1/clients", Some(&admin), body, 201)
        .await;
    assert_eq!(karen["home_traits"], json!(["smoking"]));
    let id = karen["id"].as_i64().expect("id");

    let bad_home = patch_client(&app, &admin, id, json!({"home_traits": ["dogs"]})).await;
    let bad_avoid = app
        .call(
            Method::PATCH,
            &format!("/api/v1/helpers/{anna}"),
            Some(&admin),
            Some(json!({"avoids": ["pets", "cats"]})),
        )
        .await;

    let problem = assert_problem(bad_home, 422).await;
    assert_eq!(problem["errors"][0]["field"], "home_traits", "{problem}");
    let problem = assert_problem(bad_avoid, 422).await;
    assert_eq!(problem["errors"][0]["field"], "avoids", "{problem}");
    let stored = app.get_ok(&format!("/api/v1/clients/{id}"), &admin).await;
    assert_eq!(stored["home_traits"], json!(["smoking"]), "unchanged");
    let helper = app.get_ok(&format!("/api/v1/helpers/{anna}"), &admin).await;
    assert_eq!(helper["avoids"], json!([]), "unchanged");
}

async fn twenty_racing_exclusions_of_one_helper_store_one(backend: TestBackend) {
    let app = crate::support::spawn_app_with(backend, |s| {
        s.database.max_connections = 8;
        s.server.workers = 4;
    })
    .await;
    let admin = app.admin_token().await;
    let branch = app.create_branch(&admin, "Aarhus").await;
    let (anna, _) = app.activate_helper(&admin, branch, "anna@example.dk").await;
    let karen = app.create_client(&admin, branch, "karen@example.dk").await;
    let path = format!("/api/v1/clients/{karen}/exclusions");

    let answers = futures::future::join_all((0..20).map(|_| {
        app.call(
            Method::POST,
            &path,
            Some(&admin),
            Some(json!({"helper_id": anna})),
        )
    }))
    .await;

    let mut statuses: Vec<u16> = answers.iter().map(|a| a.status().as_u16()).collect();
    statuses.sort();
    assert_eq!(statuses[0], 201);
    assert!(statuses[1..].iter().all(|&s| s == 409), "{statuses:?}");
    assert_eq!(
        app.get_ok(&path, &admin).await.as_array().map(Vec::len),
        Some(1)
    );
}

on_both_backends!(
    twenty_racing_exclusions_of_one_helper_store_one,
    a_preview_keeps_allergic_helpers_from_pets_and_excluded_helpers_from_their_client,
    exclusions_are_the_branchs_and_every_refusal_changes_nothing,
    home_traits_and_avoids_take_only_the_vocabulary,
);
