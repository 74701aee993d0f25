//! Clients: creation with validation, paging, relatives and their rights, deletion.

use reqwest::Method;
use serde_json::json;

use crate::on_both_backends;
use crate::support::fixtures::{PASSWORD, client};
use crate::support::{TestBackend, assert_problem, spawn_app};

async fn a_client_is_stored_with_everything_the_branch_needs(backend: TestBackend) {
    let app = spawn_app(backend).await;
    let admin = app.admin_token().await;
    let branch = app.create_branch(&admin, "Aarhus").await;

    let created = app
        .post_ok(
            "/api/v1/clients",
            Some(&admin),
            client(branch, "karen@example.dk"),
            201,
        )
        .await;

    let shown = app
        .get_ok(&format!("/api/v1/clients/{}", created["id"]), &admin)
        .await;
    assert_eq!(shown["needs"], json!(["it", "shopping"]));
    assert_eq!(shown["source"], "partner_organisation");
    assert_eq!(shown["municipal_home_care"], true);
    assert_eq!(shown["preferred_language"], "da");
    assert_eq!(shown["short_of_helpers"], true);
}

async fn an_invalid_client_is_refused_field_by_field_and_nothing_is_stored(backend: TestBackend) {
    let app = spawn_app(backend).await;
    let admin = app.admin_token().await;
    let branch = app.create_branch(&admin, "Aarhus").await;
    let mut body = client(branch, "karen@example.dk");
    body["wanted"] = json!(4);
    body["needs"] = json!(["it", "astrology"]);
    body["source"] = json!("newspaper");
    body["name"] = json!("   ");

    let problem = assert_problem(
        app.call(Method::POST, "/api/v1/clients", Some(&admin), Some(body))
            .await,
        422,
    )
    .await;

    let fields: Vec<&str> = problem["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["field"].as_str().unwrap())
        .collect();
    assert_eq!(fields, ["name", "needs", "wanted", "source"]);
    assert!(
        app.get_ok("/api/v1/clients", &admin).await["items"]
            .as_array()
            .unwrap()
            .is_empty()
    );
}

async fn lists_page_through_every_client_once_in_a_stable_order(backend: TestBackend) {
    let app = spawn_app(backend).await;
    let admin = app.admin_token().await;
    let branch = app.create_branch(&admin, "Aarhus").await;
    let mut created = vec![];
    for n in 0..5 {
        created.push(
            app.create_client(&admin, branch, &format!("c{n}@example.dk"))
                .await,
        );
    }

    let mut seen = vec![];
    let mut path = "/api/v1/clients?limit=2".to_string();
    loop {
        let page = app.get_ok(&path, &admin).await;
        seen.extend(
            page["items"]
                .as_array()
                .unwrap()
                .iter()
                .map(|c| c["id"].as_i64().unwrap()),
        );
        match page["next_cursor"].as_str() {
            Some(cursor) => path = format!("/api/v1/clients?limit=2&cursor={cursor}"),
            None => break,
        }
    }
    assert_eq!(seen, created);
    assert_problem(
        app.call(Method::GET, "/api/v1/clients?limit=0", Some(&admin), None)
            .await,
        422,
    )
    .await;
    assert_problem(
        app.call(
            Method::GET,
            "/api/v1/clients?cursor=abc",
            Some(&admin),
            None,
        )
        .await,
        422,
    )
    .await;
}

async fn a_relative_with_consent_acts_for_the_client_and_sees_only_that_client(
    backend: TestBackend,
) {
    let app = spawn_app(backend).await;
    let admin = app.admin_token().await;
    let branch = app.create_branch(&admin, "Aarhus").await;
    let karen = app.create_client(&admin, branch, "karen@example.dk").await;
    let other = app.create_client(&admin, branch, "other@example.dk").await;
    let relative = json!({"name": "Mette Nielsen", "email": "mette@example.dk", "relation": "daughter",
                          "can_view": true, "can_book": true, "can_pay": false, "consent_given_on": "2026-11-01", "create_account": true});

    let created = app
        .post_ok(
            &format!("/api/v1/clients/{karen}/relatives"),
            Some(&admin),
            relative,
            201,
        )
        .await;
    assert_eq!(created["invitation_sent"], true, "{created}");
    let invite = app.mailed_token("mette@example.dk");
    app.post_ok(
        "/api/v1/auth/accept-invitation",
        None,
        json!({"token": invite, "password": PASSWORD}),
        204,
    )
    .await;
    let mette = app.token_for("mette@example.dk", PASSWORD).await;

    let shown = app
        .get_ok(&format!("/api/v1/clients/{karen}"), &mette)
        .await;
    assert_eq!(shown["relatives"][0]["can_pay"], false);
    assert_eq!(
        app.call(
            Method::GET,
            &format!("/api/v1/clients/{other}"),
            Some(&mette),
            None
        )
        .await
        .status()
        .as_u16(),
        404
    );
    let me = app.get_ok("/api/v1/me", &mette).await;
    assert_eq!(
        (me["role"].as_str(), me["clients"][0]["client_id"].as_i64()),
        (Some("client"), Some(karen))
    );
    assert!(me["clients"][0]["relative_id"].is_i64(), "{me}");
    assert_eq!(
        me["branch_id"].as_i64(),
        Some(branch),
        "a relative sees their branch"
    );
    assert_eq!(me["clients"][0]["can_pay"], false);
}

async fn deleting_a_client_erases_personal_data_and_closes_accounts(backend: TestBackend) {
    let app = spawn_app(backend).await;
    let admin = app.admin_token().await;
    let branch = app.create_branch(&admin, "Aarhus").await;
    let karen = app.create_client(&admin, branch, "karen@example.dk").await;
    app.client_token(&admin, karen, "karen@example.dk").await;

    let response = app
        .call(
            Method::DELETE,
            &format!("/api/v1/clients/{karen}"),
            Some(&admin),
            None,
        )
        .await;

    assert_eq!(response.status().as_u16(), 204);
    assert_problem(
        app.call(
            Method::GET,
            &format!("/api/v1/clients/{karen}"),
            Some(&admin),
            None,
        )
        .await,
        404,
    )
    .await;
    assert_problem(app.login("karen@example.dk", PASSWORD).await, 401).await;
    let audit = app
        .get_ok(
            &format!("/api/v1/audit?entity=client&entity_id={karen}"),
            &admin,
        )
        .await;
    assert_eq!(audit["items"][0]["action"], "delete");
}

on_both_backends!(
    a_client_is_stored_with_everything_the_branch_needs,
    an_invalid_client_is_refused_field_by_field_and_nothing_is_stored,
    lists_page_through_every_client_once_in_a_stable_order,
    a_relative_with_consent_acts_for_the_client_and_sees_only_that_client,
    deleting_a_client_erases_personal_data_and_closes_accounts,
);
