//! The authorization matrix: every endpoint × every role × own / other branch or client.
//! What a caller may not see answers 404; what a role may never do answers 403.

use reqwest::Method;
use serde_json::{Value, json};

use crate::on_both_backends;
use crate::support::fixtures::{application, client};
use crate::support::{TestApp, TestBackend, spawn_app};

mod admin_routes;

/// Two branches, their leaders, a helper with a client in branch A, a helper without,
/// a client account in A and a client in B.
struct World {
    admin: String,
    leader_a: String,
    leader_b: String,
    helper_a: String,
    idle_helper_a: String,
    client_a: String,
    branch_a: i64,
    client_a_id: i64,
    client_b_id: i64,
    helper_a_id: i64,
    assignment_a: i64,
}

async fn world(app: &TestApp) -> World {
    let admin = app.admin_token().await;
    let branch_a = app.create_branch(&admin, "Aarhus").await;
    let branch_b = app.create_branch(&admin, "Aalborg").await;
    let leader_a = app
        .leader_token(&admin, branch_a, "leader.a@example.dk")
        .await;
    let leader_b = app
        .leader_token(&admin, branch_b, "leader.b@example.dk")
        .await;
    let (helper_a_id, helper_a) = app
        .activate_helper(&leader_a, branch_a, "helper.a@example.dk")
        .await;
    let (_, idle_helper_a) = app
        .activate_helper(&leader_a, branch_a, "idle.a@example.dk")
        .await;
    let client_a_id = app
        .create_client(&leader_a, branch_a, "client.a@example.dk")
        .await;
    let client_b_id = app
        .create_client(&leader_b, branch_b, "client.b@example.dk")
        .await;
    let assignment_a = app.assign(&leader_a, client_a_id, helper_a_id).await;
    let client_a = app
        .client_token(&leader_a, client_a_id, "client.a@example.dk")
        .await;
    World {
        admin,
        leader_a,
        leader_b,
        helper_a,
        idle_helper_a,
        client_a,
        branch_a,
        client_a_id,
        client_b_id,
        helper_a_id,
        assignment_a,
    }
}

async fn status(
    app: &TestApp,
    method: Method,
    path: &str,
    token: &str,
    body: Option<Value>,
) -> u16 {
    app.call(method, path, Some(token), body)
        .await
        .status()
        .as_u16()
}

async fn every_role_gets_exactly_what_it_may_on_every_endpoint(backend: TestBackend) {
    let app = spawn_app(backend).await;
    let w = world(&app).await;
    let (ca, cb, ha, aa) = (w.client_a_id, w.client_b_id, w.helper_a_id, w.assignment_a);
    let patch_client = Some(json!({"care_notes": "new notes"}));
    let new_branch = Some(
        json!({"name": "Kolding", "country": "DK", "time_zone": "Europe/Copenhagen", "currency": "DKK", "centre": {"lat": 55.49, "lon": 9.47}}),
    );
    let new_user = Some(json!({"email": "x@example.dk", "name": "X", "role": "admin"}));
    let to_paused = Some(json!({"to": "paused"}));
    let new_client = Some(client(w.branch_a, "new@example.dk"));
    let tokens = [
        &w.admin,
        &w.leader_a,
        &w.leader_b,
        &w.helper_a,
        &w.idle_helper_a,
        &w.client_a,
    ];

    // (method, path, body, expected for: admin, leader A, leader B, helper A, idle helper A, client A)
    let matrix: Vec<(Method, String, Option<Value>, [u16; 6])> = vec![
        (
            Method::GET,
            format!("/api/v1/clients/{ca}"),
            None,
            [200, 200, 404, 200, 404, 200],
        ),
        (
            Method::GET,
            format!("/api/v1/clients/{cb}"),
            None,
            [200, 404, 200, 404, 404, 404],
        ),
        (
            Method::GET,
            format!("/api/v1/clients/{ca}/helpers"),
            None,
            [200, 200, 404, 200, 404, 200],
        ),
        (
            Method::PATCH,
            format!("/api/v1/clients/{ca}"),
            patch_client.clone(),
            [200, 200, 404, 403, 404, 403],
        ),
        (
            Method::PATCH,
            format!("/api/v1/clients/{cb}"),
            patch_client,
            [200, 404, 200, 404, 404, 404],
        ),
        (
            Method::POST,
            "/api/v1/clients".into(),
            new_client,
            [201, 201, 422, 403, 403, 403],
        ),
        (
            Method::GET,
            format!("/api/v1/helpers/{ha}"),
            None,
            [200, 200, 404, 200, 404, 404],
        ),
        (
            Method::GET,
            format!("/api/v1/helpers/{ha}/history"),
            None,
            [200, 200, 404, 200, 404, 404],
        ),
        (
            Method::POST,
            format!("/api/v1/helpers/{ha}/transitions"),
            to_paused,
            [200, 409, 404, 403, 403, 403],
        ),
        (
            Method::POST,
            "/api/v1/branches".into(),
            new_branch,
            [201, 403, 403, 403, 403, 403],
        ),
        (
            Method::GET,
            format!("/api/v1/branches/{}", w.branch_a),
            None,
            [200, 200, 404, 200, 200, 200],
        ),
        (
            Method::GET,
            "/api/v1/users".into(),
            None,
            [200, 200, 200, 403, 403, 403],
        ),
        (
            Method::POST,
            "/api/v1/users".into(),
            new_user,
            [201, 403, 403, 403, 403, 403],
        ),
        (
            Method::GET,
            "/api/v1/audit".into(),
            None,
            [200, 403, 403, 403, 403, 403],
        ),
        (
            Method::DELETE,
            format!("/api/v1/assignments/{aa}"),
            None,
            [204, 204, 404, 403, 403, 403],
        ),
        (
            Method::DELETE,
            format!("/api/v1/clients/{cb}"),
            None,
            [204, 404, 404, 404, 404, 404],
        ),
    ];

    let mut wrong = vec![];
    for (method, path, body, expected) in matrix {
        for (who, (token, want)) in [
            "admin",
            "leader A",
            "leader B",
            "helper A",
            "idle helper A",
            "client A",
        ]
        .iter()
        .zip(tokens.iter().zip(expected))
        {
            // Cells run in order; rows that write come after the reads they would disturb.
            let got = status(&app, method.clone(), &path, token, body.clone()).await;
            if got != want {
                wrong.push(format!("{method} {path} as {who}: got {got}, want {want}"));
            }
        }
    }
    assert!(
        wrong.is_empty(),
        "authorization matrix mismatches:\n{}",
        wrong.join("\n")
    );
}

async fn lists_only_show_what_the_caller_may_see(backend: TestBackend) {
    let app = spawn_app(backend).await;
    let w = world(&app).await;

    let ids = |v: Value| -> Vec<i64> {
        v["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c["id"].as_i64().unwrap())
            .collect()
    };
    assert_eq!(
        ids(app.get_ok("/api/v1/clients", &w.admin).await),
        [w.client_a_id, w.client_b_id]
    );
    assert_eq!(
        ids(app.get_ok("/api/v1/clients", &w.leader_a).await),
        [w.client_a_id]
    );
    assert_eq!(
        ids(app.get_ok("/api/v1/clients", &w.leader_b).await),
        [w.client_b_id]
    );
    assert_eq!(
        ids(app.get_ok("/api/v1/clients", &w.client_a).await),
        [w.client_a_id]
    );
    assert!(ids(app.get_ok("/api/v1/clients", &w.idle_helper_a).await).is_empty());
    let for_helper = app.get_ok("/api/v1/clients", &w.helper_a).await;
    assert_eq!(ids(for_helper.clone()), [w.client_a_id]);
    let shown = &for_helper["items"][0];
    assert_eq!(
        shown["care_notes"], "Cat called Mis; key in the box",
        "a helper sees what a visit needs"
    );
    for hidden in [
        "email",
        "source",
        "source_detail",
        "relatives",
        "municipal_home_care",
    ] {
        assert!(
            shown.get(hidden).is_none(),
            "a helper must not see {hidden}"
        );
    }
    assert_eq!(
        ids(app.get_ok("/api/v1/helpers", &w.helper_a).await),
        [w.helper_a_id]
    );
    assert_eq!(
        app.get_ok("/api/v1/helpers", &w.leader_b).await["items"]
            .as_array()
            .unwrap()
            .len(),
        0
    );
    assert_eq!(
        app.get_ok("/api/v1/branches", &w.leader_a).await["items"]
            .as_array()
            .unwrap()
            .len(),
        1
    );
}

async fn reading_a_client_leaves_an_audit_trail_without_the_data(backend: TestBackend) {
    let app = spawn_app(backend).await;
    let w = world(&app).await;
    let leader = app.get_ok("/api/v1/me", &w.leader_a).await["id"]
        .as_i64()
        .unwrap();

    app.get_ok(&format!("/api/v1/clients/{}", w.client_a_id), &w.leader_a)
        .await;

    let audit = app
        .get_ok(
            &format!(
                "/api/v1/audit?entity=client&entity_id={}&actor_user_id={leader}",
                w.client_a_id
            ),
            &w.admin,
        )
        .await;
    let event = &audit["items"][0];
    assert_eq!(event["action"], "read");
    assert!(event["fields"].as_str().unwrap().contains("care_notes"));
    assert!(
        !audit.to_string().contains("Mis"),
        "the audit log names fields, never their values"
    );
}

async fn an_unauthenticated_caller_gets_401_everywhere_but_the_public_paths(backend: TestBackend) {
    let app = spawn_app(backend).await;
    for path in [
        "/api/v1/me",
        "/api/v1/branches",
        "/api/v1/users",
        "/api/v1/helpers",
        "/api/v1/clients",
        "/api/v1/assignments",
        "/api/v1/audit",
    ] {
        assert_eq!(
            app.call(Method::GET, path, None, None)
                .await
                .status()
                .as_u16(),
            401,
            "{path}"
        );
    }
    let public = app
        .call(
            Method::POST,
            "/api/v1/applications",
            None,
            Some(application(999, "a@example.dk")),
        )
        .await;
    assert_eq!(
        public.status().as_u16(),
        422,
        "applying needs no token; the branch does not exist"
    );
}

on_both_backends!(
    every_role_gets_exactly_what_it_may_on_every_endpoint,
    lists_only_show_what_the_caller_may_see,
    reading_a_client_leaves_an_audit_trail_without_the_data,
    an_unauthenticated_caller_gets_401_everywhere_but_the_public_paths,
);
