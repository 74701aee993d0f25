//! Data protection (issue 17, item 2): everything held about a client, a helper or a relative
//! as one JSON document, for the branch and for the person; nobody else. A relative's erasure
//! forgets the mails to them as a client's and a helper's do. The retention jobs are in
//! `privacy/retention.rs`.

use reqwest::Method;
use serde_json::{Value, json};

use crate::on_both_backends;
use crate::support::{TestApp, TestBackend, assert_problem, spawn_app};
use crate::visit_edges::{Team, mails, relative, team};
use crate::visit_reports::{check_out_with, checked_in};

mod retention;

const WORRY: &str = "she seemed confused about the day";

/// Anna's two-task visit to Karen, done, with a report that names a worry; returns its id.
async fn reported_visit(app: &TestApp, t: &Team) -> i64 {
    let id = checked_in(app, t).await;
    let report =
        json!({"tasks": [{"done": true}, {"done": true}], "concern": true, "concern_note": WORRY});
    let path = format!("/api/v1/visits/{id}/check-out");
    app.post_ok(&path, Some(&t.helper_token), check_out_with(report), 200)
        .await;
    id
}

/// Mette, Karen's daughter with every right and a login; her token.
async fn mette(app: &TestApp, t: &Team) -> String {
    relative(
        app,
        &t.admin,
        t.client,
        ("Mette Jensen", "mette@example.dk"),
        (true, true, true),
        true,
    )
    .await
    .expect("login")
}

async fn export(app: &TestApp, token: &str, path: &str) -> reqwest::Response {
    app.call(Method::GET, path, Some(token), None).await
}

/// A 200 export: a download that is never cached; its body.
async fn document(response: reqwest::Response, file: &str) -> Value {
    assert_eq!(response.status().as_u16(), 200);
    let headers = response.headers().clone();
    assert_eq!(
        headers["content-disposition"],
        format!("attachment; filename=\"{file}\"").as_str()
    );
    assert_eq!(headers["cache-control"], "no-store");
    response.json().await.expect("json")
}

fn len(doc: &Value, key: &str) -> usize {
    doc[key]
        .as_array()
        .unwrap_or_else(|| panic!("{key} in {doc}"))
        .len()
}

async fn audited_exports(app: &TestApp, admin: &str, entity: &str, id: i64) -> usize {
    let path = format!("/api/v1/audit?entity={entity}&entity_id={id}&limit=200");
    app.get_ok(&path, admin).await["items"]
        .as_array()
        .expect("items")
        .iter()
        .filter(|e| e["action"] == "export")
        .count()
}

async fn a_client_export_holds_everything_about_them_for_the_branch_and_the_client(
    backend: TestBackend,
) {
    let app = spawn_app(backend).await;
    let t = team(&app).await;
    let visit = reported_visit(&app, &t).await;
    let mette = mette(&app, &t).await;
    let karen = app
        .client_token(&t.admin, t.client, "karen@example.dk")
        .await;
    let path = format!("/api/v1/clients/{}/export", t.client);
    let file = format!("helpmatch-client-{}.json", t.client);

    let doc = document(export(&app, &t.admin, &path).await, &file).await;
    assert_eq!(doc["client"]["id"], t.client);
    assert_eq!(doc["client"]["email"], "karen@example.dk");
    let relatives = doc["client"]["relatives"].as_array().expect("relatives");
    assert_eq!(relatives[0]["name"], "Mette Jensen");
    assert_eq!(relatives[0]["consent_given_on"], "2026-11-01");
    assert_eq!(doc["account"]["email"], "karen@example.dk");
    assert!(doc["account"].get("password_hash").is_none(), "{doc}");
    assert_eq!(doc["team_history"][0]["helper_id"], t.helper);
    assert_eq!(doc["visits"][0]["id"], visit);
    assert_eq!(doc["visits"][0]["status"], "completed");
    assert_eq!(doc["reports"][0]["visit_id"], visit);
    assert_eq!(
        doc["reports"][0]["concern_note"], WORRY,
        "the branch's copy"
    );
    assert_eq!(len(&doc, "clip_cards"), 1);
    // Bought 480 minutes, reserved and used 60 of them.
    assert!(len(&doc, "ledger") >= 2, "{}", doc["ledger"]);
    // The client's invitation went to her address: kind and time, never the content.
    let mails = doc["mails"].as_array().expect("mails");
    assert!(
        mails.iter().any(|m| m["recipient"] == "karen@example.dk"),
        "{mails:?}"
    );
    for mail in mails {
        assert!(mail.get("text_body").is_none() && mail.get("html_body").is_none());
        assert!(mail["kind"].is_string() && mail["created_at"].is_string());
    }
    assert!(
        doc["audit_about"]
            .as_array()
            .expect("audit")
            .iter()
            .any(|e| e["action"] == "create"),
        "{}",
        doc["audit_about"]
    );

    // The client's own copy: the same record, without the helper's worry (as the client's side
    // reads reports everywhere); her login's own audited reads are listed.
    app.get_ok(&format!("/api/v1/clients/{}", t.client), &karen)
        .await;
    let own = document(export(&app, &karen, &path).await, &file).await;
    assert_eq!(own["client"]["id"], t.client);
    assert_eq!(own["reports"][0]["concern_note"], Value::Null);
    assert_eq!(own["reports"][0]["concern"], Value::Null);
    assert!(len(&own, "audit_by") >= 1, "{}", own["audit_by"]);

    // A relative acts for her but is not the person the data is about; a stranger, a helper
    // and another branch's leader do not see her at all.
    assert_problem(export(&app, &mette, &path).await, 403).await;
    assert_problem(export(&app, &t.helper_token, &path).await, 404).await;
    let other = app.create_branch(&t.admin, "Odense").await;
    let elsewhere = app.leader_token(&t.admin, other, "lone@example.dk").await;
    assert_problem(export(&app, &elsewhere, &path).await, 404).await;
    assert_problem(app.call(Method::GET, &path, None, None).await, 401).await;
    assert_eq!(audited_exports(&app, &t.admin, "client", t.client).await, 2);

    // After erasure nothing is left to export.
    let erased = app
        .call(
            Method::DELETE,
            &format!("/api/v1/clients/{}", t.client),
            Some(&t.admin),
            None,
        )
        .await;
    assert_eq!(erased.status().as_u16(), 204);
    assert_problem(export(&app, &t.admin, &path).await, 404).await;
}

async fn a_helper_export_holds_the_pipeline_availability_visits_and_reports(backend: TestBackend) {
    let app = spawn_app(backend).await;
    let t = team(&app).await;
    let visit = reported_visit(&app, &t).await;
    let path = format!("/api/v1/helpers/{}/export", t.helper);
    let file = format!("helpmatch-helper-{}.json", t.helper);

    app.get_ok(&format!("/api/v1/clients/{}", t.client), &t.helper_token)
        .await;
    let doc = document(export(&app, &t.admin, &path).await, &file).await;
    assert_eq!(doc["helper"]["id"], t.helper);
    assert_eq!(doc["helper"]["email"], "anna@example.dk");
    let moves: Vec<&str> = doc["pipeline"]
        .as_array()
        .expect("pipeline")
        .iter()
        .map(|m| m["to_status"].as_str().expect("to"))
        .collect();
    assert_eq!(moves.last(), Some(&"active"), "{moves:?}");
    assert!(doc["availability"]["windows"].is_array(), "{doc}");
    assert_eq!(doc["team_history"][0]["client_id"], t.client);
    assert_eq!(doc["visits"][0]["id"], visit);
    assert_eq!(doc["reports"][0]["concern_note"], WORRY, "her own words");
    assert!(
        doc["mails"]
            .as_array()
            .expect("mails")
            .iter()
            .any(|m| m["kind"] == "application_received"),
        "{}",
        doc["mails"]
    );
    assert!(len(&doc, "audit_by") >= 1, "her reads of Karen's record");

    let own = document(export(&app, &t.helper_token, &path).await, &file).await;
    assert_eq!(own["helper"]["id"], t.helper);
    let (_, bo) =
        crate::visit_edges::named_helper(&app, &t.admin, t.branch, "Bo", "bo@example.dk").await;
    assert_problem(export(&app, &bo, &path).await, 404).await;
    let karen = app
        .client_token(&t.admin, t.client, "karen@example.dk")
        .await;
    assert_problem(export(&app, &karen, &path).await, 404).await;
    assert_problem(
        export(&app, &t.admin, "/api/v1/helpers/999999/export").await,
        404,
    )
    .await;
    assert_eq!(audited_exports(&app, &t.admin, "helper", t.helper).await, 2);
}

async fn relatives_id(app: &TestApp, admin: &str, client: i64, name: &str) -> i64 {
    let record = app
        .get_ok(&format!("/api/v1/clients/{client}"), admin)
        .await;
    record["relatives"]
        .as_array()
        .expect("relatives")
        .iter()
        .find(|r| r["name"] == name)
        .and_then(|r| r["id"].as_i64())
        .expect("relative")
}

async fn a_relative_export_holds_each_of_their_records_their_cards_and_mails(backend: TestBackend) {
    let app = spawn_app(backend).await;
    let t = team(&app).await;
    let mette = mette(&app, &t).await;
    // Mette buys hours for her mother.
    app.buy(&mette, t.client, "clip_card_8h").await;
    relative(
        &app,
        &t.admin,
        t.client,
        ("Ole Nielsen", "ole@example.dk"),
        (true, false, false),
        false,
    )
    .await;
    let id = relatives_id(&app, &t.admin, t.client, "Mette Jensen").await;
    let path = format!("/api/v1/clients/{}/relatives/{id}/export", t.client);
    let file = format!("helpmatch-relative-{id}.json");

    let doc = document(export(&app, &t.admin, &path).await, &file).await;
    assert_eq!(len(&doc, "relatives"), 1);
    assert_eq!(doc["relatives"][0]["email"], "mette@example.dk");
    assert_eq!(doc["relatives"][0]["consent_given_on"], "2026-11-01");
    assert_eq!(doc["account"]["email"], "mette@example.dk");
    assert_eq!(len(&doc, "clip_cards"), 1, "the card she bought");
    assert!(
        doc["mails"]
            .as_array()
            .expect("mails")
            .iter()
            .all(|m| m["recipient"] == "mette@example.dk")
    );
    assert!(len(&doc, "mails") >= 1, "her invitation");
    assert!(len(&doc, "audit_by") >= 1, "her purchase");

    let own = document(export(&app, &mette, &path).await, &file).await;
    assert_eq!(own["relatives"][0]["id"], id);
    let karen = app
        .client_token(&t.admin, t.client, "karen@example.dk")
        .await;
    assert_problem(export(&app, &karen, &path).await, 403).await;
    assert_problem(export(&app, &t.helper_token, &path).await, 404).await;
    // The relative of one client is not reached through another client's path.
    let other =
        crate::visit_edges::named_client(&app, &t.admin, t.branch, "Ib", "ib@example.dk").await;
    let wrong = format!("/api/v1/clients/{other}/relatives/{id}/export");
    assert_problem(export(&app, &t.admin, &wrong).await, 404).await;
    assert_eq!(audited_exports(&app, &t.admin, "relative", id).await, 2);
}

async fn erasing_a_relative_forgets_the_mails_to_them_unless_their_login_serves_another_client(
    backend: TestBackend,
) {
    let app = spawn_app(backend).await;
    let t = team(&app).await;
    relative(
        &app,
        &t.admin,
        t.client,
        ("Ole Nielsen", "ole@example.dk"),
        (true, false, false),
        true,
    )
    .await
    .expect("login");
    let to_ole = || {
        mails(&app, "account_invitation")
            .into_iter()
            .chain(mails(&app, "relative_access"))
            .filter(|m| m.recipient == "ole@example.dk")
            .count()
    };
    assert!(to_ole() >= 1, "Ole was invited");
    let id = relatives_id(&app, &t.admin, t.client, "Ole Nielsen").await;
    let removed = app
        .call(
            Method::DELETE,
            &format!("/api/v1/clients/{}/relatives/{id}", t.client),
            Some(&t.admin),
            None,
        )
        .await;
    assert_eq!(removed.status().as_u16(), 204);
    assert_eq!(to_ole(), 0, "the mails to him are forgotten");
    let path = format!("/api/v1/clients/{}/relatives/{id}/export", t.client);
    assert_problem(export(&app, &t.admin, &path).await, 404).await;
}

on_both_backends!(
    a_client_export_holds_everything_about_them_for_the_branch_and_the_client,
    a_helper_export_holds_the_pipeline_availability_visits_and_reports,
    a_relative_export_holds_each_of_their_records_their_cards_and_mails,
    erasing_a_relative_forgets_the_mails_to_them_unless_their_login_serves_another_client,
);
