//! What the app needs to stay in sync cheaply (issue 15, item 4): single records carry an ETag,
//! and a copy that is still current costs a 304 with no body.

use reqwest::header::{ETAG, IF_NONE_MATCH};
use serde_json::json;

use crate::on_both_backends;
use crate::support::{TestBackend, spawn_app};
use crate::visit_edges::{reschedule, starts_in_hours, team};

mod list_changes;
mod my_schedule;

async fn a_current_copy_gets_304_and_a_changed_record_a_new_tag(backend: TestBackend) {
    let app = spawn_app(backend).await;
    let t = team(&app).await;
    let id = app
        .book_id(&t.admin, t.client, t.helper, &starts_in_hours(30), 60)
        .await;
    let url = format!("{}/api/v1/visits/{id}", app.address);
    let get = |tag: Option<&str>| {
        let mut request = app.client.get(&url).bearer_auth(&t.helper_token);
        if let Some(tag) = tag {
            request = request.header(IF_NONE_MATCH, tag);
        }
        request.send()
    };

    let first = get(None).await.expect("request");
    assert_eq!(first.status().as_u16(), 200);
    let tag = first.headers()[ETAG].to_str().expect("ascii").to_string();
    assert!(tag.starts_with('"') && tag.ends_with('"'), "{tag}");

    let again = get(Some(&tag)).await.expect("request");
    assert_eq!(again.status().as_u16(), 304);
    assert_eq!(again.headers()[ETAG].to_str().unwrap(), tag);
    assert!(again.bytes().await.unwrap().is_empty(), "no body");
    let other = get(Some("\"not-this-one\"")).await.expect("request");
    assert_eq!(other.status().as_u16(), 200);
    let listed = get(Some(&format!("\"x\", W/{tag}")))
        .await
        .expect("request");
    assert_eq!(listed.status().as_u16(), 304, "a list of tags, weak or not");

    let moved = reschedule(
        &app,
        &t.admin,
        id,
        json!({"starts_at": starts_in_hours(31)}),
    )
    .await;
    assert_eq!(moved.status().as_u16(), 200);
    let after = get(Some(&tag)).await.expect("request");
    assert_eq!(after.status().as_u16(), 200, "the record changed");
    assert_ne!(after.headers()[ETAG].to_str().unwrap(), tag);
}

async fn a_304_for_a_client_record_is_still_an_audited_read(backend: TestBackend) {
    let app = spawn_app(backend).await;
    let t = team(&app).await;
    let url = format!("{}/api/v1/clients/{}", app.address, t.client);
    let audited = || async {
        app.get_ok(
            &format!("/api/v1/audit?entity=client&entity_id={}", t.client),
            &t.admin,
        )
        .await["items"]
            .as_array()
            .expect("items")
            .iter()
            .filter(|e| e["action"] == "read")
            .count()
    };
    let first = app
        .client
        .get(&url)
        .bearer_auth(&t.admin)
        .send()
        .await
        .unwrap();
    let tag = first.headers()[ETAG].to_str().unwrap().to_string();
    let before = audited().await;

    let again = app
        .client
        .get(&url)
        .bearer_auth(&t.admin)
        .header(IF_NONE_MATCH, &tag)
        .send()
        .await
        .unwrap();

    assert_eq!(again.status().as_u16(), 304);
    assert_eq!(audited().await, before + 1);
}

async fn my_clients_are_the_ones_i_serve_or_act_for(backend: TestBackend) {
    let app = spawn_app(backend).await;
    let t = team(&app).await;
    let karen = app
        .client_token(&t.admin, t.client, "karen@example.dk")
        .await;
    let (_, sara) =
        crate::visit_edges::named_helper(&app, &t.admin, t.branch, "Sara Holm", "sara@example.dk")
            .await;
    let other = app
        .create_client(&t.admin, t.branch, "inge@example.dk")
        .await;
    let ids = |list: serde_json::Value| -> Vec<i64> {
        list["items"]
            .as_array()
            .expect("items")
            .iter()
            .map(|c| c["id"].as_i64().expect("id"))
            .collect()
    };

    let annas = app.get_ok("/api/v1/me/clients", &t.helper_token).await;
    assert_eq!(ids(annas.clone()), vec![t.client], "not Inge: {other}");
    assert!(
        annas["items"][0].get("email").is_none(),
        "what a visit needs, no more: {annas}"
    );
    let own = app.get_ok("/api/v1/me/clients", &karen).await;
    assert_eq!(ids(own.clone()), vec![t.client]);
    assert_eq!(
        own["items"][0]["email"], "karen@example.dk",
        "her own record in full"
    );
    assert!(ids(app.get_ok("/api/v1/me/clients", &sara).await).is_empty());
    assert!(ids(app.get_ok("/api/v1/me/clients", &t.admin).await).is_empty());
    let bad = app
        .call(
            reqwest::Method::GET,
            "/api/v1/me/clients?limit=0",
            Some(&karen),
            None,
        )
        .await;
    crate::support::assert_problem(bad, 422).await;
}

fn minutes_ago(minutes: i64) -> String {
    (chrono::Utc::now() - chrono::Duration::minutes(minutes))
        .to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
}

async fn a_check_recorded_without_signal_counts_at_its_recorded_time(backend: TestBackend) {
    let app = spawn_app(backend).await;
    let t = team(&app).await;
    let id = app
        .book_id(&t.admin, t.client, t.helper, &starts_in_hours(30), 60)
        .await;
    app.move_visit_start(id, 5);
    let check = |action: &'static str, recorded_at: String| {
        let mut body = crate::visit_edges::home();
        body["recorded_at"] = json!(recorded_at);
        crate::visit_edges::act(&app, &t.helper_token, id, action, body)
    };

    for (when, why) in [
        (
            (chrono::Utc::now() + chrono::Duration::minutes(10)).to_rfc3339(),
            "future",
        ),
        (minutes_ago(25 * 60), "too old"),
    ] {
        let problem = crate::support::assert_problem(check("check-in", when).await, 422).await;
        assert_eq!(
            problem["errors"][0]["field"], "recorded_at",
            "{why}: {problem}"
        );
    }
    let recorded = minutes_ago(30);
    let checked_in = check("check-in", recorded.clone()).await;
    assert_eq!(checked_in.status().as_u16(), 200);
    let checked_in: serde_json::Value = checked_in.json().await.unwrap();
    assert_eq!(checked_in["checked_in_at"], recorded);
    assert_eq!(checked_in["synced_late"], true, "sent half an hour late");
    let before = check("check-out", minutes_ago(40)).await;
    crate::support::assert_problem(before, 409).await;

    let out = check("check-out", minutes_ago(1)).await;

    assert_eq!(out.status().as_u16(), 200);
    let out: serde_json::Value = out.json().await.unwrap();
    assert_eq!(out["status"], "completed");
    assert_eq!(
        out["attention"], "short_visit",
        "29 minutes of 60: the branch reviews it"
    );
}

async fn updated_since_lists_what_changed_cancellations_included(backend: TestBackend) {
    let app = spawn_app(backend).await;
    let t = team(&app).await;
    let kept = app
        .book_id(&t.admin, t.client, t.helper, &starts_in_hours(30), 60)
        .await;
    let dropped = app
        .book_id(&t.admin, t.client, t.helper, &starts_in_hours(50), 60)
        .await;
    let since = chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Micros, true);
    let changed = |query: String| {
        let app = &app;
        let token = t.helper_token.clone();
        async move {
            app.get_ok(&format!("/api/v1/me/visits?{query}"), &token)
                .await["items"]
                .as_array()
                .expect("items")
                .iter()
                .map(|v| {
                    (
                        v["id"].as_i64().expect("id"),
                        v["status"].as_str().expect("status").to_string(),
                    )
                })
                .collect::<Vec<_>>()
        }
    };
    assert!(
        changed(format!("updated_since={since}")).await.is_empty(),
        "nothing changed yet"
    );

    let cancelled = crate::visit_edges::act(&app, &t.admin, dropped, "cancel", json!({})).await;
    assert_eq!(cancelled.status().as_u16(), 200);

    assert_eq!(
        changed(format!("updated_since={since}")).await,
        vec![(dropped, "cancelled".to_string())],
        "the cancellation, not the unchanged visit {kept}"
    );
    assert!(
        changed(format!("updated_since={since}&status=booked"))
            .await
            .is_empty()
    );
    for bad in ["2027-01-12", "yesterday"] {
        let refused = app
            .call(
                reqwest::Method::GET,
                &format!("/api/v1/me/visits?updated_since={bad}"),
                Some(&t.helper_token),
                None,
            )
            .await;
        let problem = crate::support::assert_problem(refused, 422).await;
        assert_eq!(problem["errors"][0]["field"], "updated_since", "{problem}");
    }
}

on_both_backends!(
    updated_since_lists_what_changed_cancellations_included,
    a_check_recorded_without_signal_counts_at_its_recorded_time,
    a_current_copy_gets_304_and_a_changed_record_a_new_tag,
    a_304_for_a_client_record_is_still_an_audited_read,
    my_clients_are_the_ones_i_serve_or_act_for,
);
