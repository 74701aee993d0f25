//! `updated_since` on the client and helper lists (issue 15, item 4): only records changed since
//! are listed, and a change the record shows — a relative added, the team changed — counts.

use reqwest::Method;
use serde_json::{Value, json};

use crate::on_both_backends;
use crate::support::{TestApp, TestBackend, assert_problem, spawn_app};
use crate::visit_edges::{named_client, named_helper, relative, team};

fn now() -> String {
    chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Micros, true)
}

async fn changed(app: &TestApp, token: &str, list: &str, since: &str) -> Vec<i64> {
    let since = since.replace('+', "%2B");
    let page: Value = app
        .get_ok(&format!("/api/v1/{list}?updated_since={since}"), token)
        .await;
    page["items"]
        .as_array()
        .expect("items")
        .iter()
        .map(|c| c["id"].as_i64().expect("id"))
        .collect()
}

async fn patch(app: &TestApp, token: &str, path: &str, body: Value) {
    let answer = app.call(Method::PATCH, path, Some(token), Some(body)).await;
    assert_eq!(answer.status().as_u16(), 200, "{path}");
}

async fn the_client_list_names_what_changed_and_what_its_record_shows(backend: TestBackend) {
    let app = spawn_app(backend).await;
    let t = team(&app).await;
    let jens = named_client(&app, &t.admin, t.branch, "Jens Madsen", "jens@example.dk").await;
    let ib = named_client(&app, &t.admin, t.branch, "Ib Holm", "ib@example.dk").await;
    let since = now();
    assert!(changed(&app, &t.admin, "clients", &since).await.is_empty());

    patch(
        &app,
        &t.admin,
        &format!("/api/v1/clients/{}", t.client),
        json!({"phone": "+45 11 22 33 44"}),
    )
    .await;
    relative(
        &app,
        &t.admin,
        jens,
        ("Mette Madsen", "mette@example.dk"),
        (true, false, false),
        false,
    )
    .await;

    assert_eq!(
        changed(&app, &t.admin, "clients", &since).await,
        [t.client, jens],
        "Karen's phone and Jens's new relative; Ib {ib} is unchanged"
    );
    let later = now();
    assert!(changed(&app, &t.admin, "clients", &later).await.is_empty());
    app.assign(&t.admin, ib, t.helper).await;
    assert_eq!(
        changed(&app, &t.admin, "clients", &later).await,
        [ib],
        "a new pair changes Ib's team"
    );
    assert_eq!(
        changed(&app, &t.helper_token, "clients", &since).await,
        [t.client, ib],
        "a helper's sync stays inside her own clients"
    );

    let pairs = app
        .get_ok(&format!("/api/v1/clients/{ib}/helpers"), &t.admin)
        .await;
    let pair = pairs[0]["assignment_id"].as_i64().expect("assignment");
    let after_pair = now();
    let ended = app
        .call(
            Method::DELETE,
            &format!("/api/v1/assignments/{pair}"),
            Some(&t.admin),
            None,
        )
        .await;
    assert!(ended.status().is_success());
    assert_eq!(
        changed(&app, &t.admin, "clients", &after_pair).await,
        [ib],
        "an ended pair too"
    );
}

async fn the_helper_list_names_what_changed(backend: TestBackend) {
    let app = spawn_app(backend).await;
    let t = team(&app).await;
    let (bo, _) = named_helper(&app, &t.admin, t.branch, "Bo Hansen", "bo@example.dk").await;
    let since = now();
    assert!(changed(&app, &t.admin, "helpers", &since).await.is_empty());

    patch(
        &app,
        &t.admin,
        &format!("/api/v1/helpers/{bo}"),
        json!({"hours_per_week": 8}),
    )
    .await;

    assert_eq!(
        changed(&app, &t.admin, "helpers", &since).await,
        [bo],
        "not Anna {}",
        t.helper
    );
    let unencoded = app
        .get_ok(
            &format!(
                "/api/v1/helpers?updated_since={}",
                since.replace('Z', "+00:00")
            ),
            &t.admin,
        )
        .await;
    assert_eq!(
        unencoded["items"].as_array().map(Vec::len),
        Some(1),
        "an unencoded + reads"
    );
}

async fn a_date_or_nonsense_for_updated_since_is_a_422(backend: TestBackend) {
    let app = spawn_app(backend).await;
    let t = team(&app).await;
    for list in ["clients", "helpers"] {
        for bad in ["2027-01-12", "yesterday", "2027-01-12T10:00:00"] {
            let refused = app
                .call(
                    Method::GET,
                    &format!("/api/v1/{list}?updated_since={bad}"),
                    Some(&t.admin),
                    None,
                )
                .await;
            let problem = assert_problem(refused, 422).await;
            assert_eq!(
                problem["errors"][0]["field"], "updated_since",
                "{list} {bad}: {problem}"
            );
        }
    }
}

on_both_backends!(
    the_client_list_names_what_changed_and_what_its_record_shows,
    the_helper_list_names_what_changed,
    a_date_or_nonsense_for_updated_since_is_a_422,
);
