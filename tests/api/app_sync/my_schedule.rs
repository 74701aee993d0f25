//! The app's week (issue 15, item 4): a helper's visits carry what each visit needs, the client
//! side's carry the first name of who is coming, and each side sees only its part.

use serde_json::Value;

use crate::on_both_backends;
use crate::support::{TestBackend, spawn_app};
use crate::visit_edges::{named_client, named_helper, relative, starts_in_hours, team};

fn items(page: &Value) -> &Vec<Value> {
    page["items"].as_array().expect("items")
}

async fn audited_reads(app: &crate::support::TestApp, admin: &str, client: i64) -> usize {
    items(
        &app.get_ok(
            &format!("/api/v1/audit?entity=client&entity_id={client}&limit=200"),
            admin,
        )
        .await,
    )
    .iter()
    .filter(|e| e["action"] == "read")
    .count()
}

async fn a_helper_sees_what_each_visit_needs_and_the_family_a_first_name(backend: TestBackend) {
    let app = spawn_app(backend).await;
    let t = team(&app).await;
    let (bo, _) = named_helper(&app, &t.admin, t.branch, "Bo Hansen", "bo@example.dk").await;
    app.assign(&t.admin, t.client, bo).await;
    let jens = named_client(&app, &t.admin, t.branch, "Jens Madsen", "jens@example.dk").await;
    app.assign(&t.admin, jens, t.helper).await;
    let mette = relative(
        &app,
        &t.admin,
        t.client,
        ("Mette Nielsen", "mette@example.dk"),
        (true, false, false),
        true,
    )
    .await
    .expect("Mette's token");
    let karen_anna = app
        .book_id(&t.admin, t.client, t.helper, &starts_in_hours(30), 60)
        .await;
    let karen_bo = app
        .book_id(&t.admin, t.client, bo, &starts_in_hours(50), 60)
        .await;
    let jens_anna = app
        .book_id(&t.admin, jens, t.helper, &starts_in_hours(70), 60)
        .await;
    let reads_before = audited_reads(&app, &t.admin, t.client).await;

    let anna = app.get_ok("/api/v1/me/visits", &t.helper_token).await;
    let family = app.get_ok("/api/v1/me/visits", &mette).await;

    let anna = items(&anna);
    assert_eq!(
        anna.iter()
            .map(|v| v["id"].as_i64().unwrap())
            .collect::<Vec<_>>(),
        [karen_anna, jens_anna],
        "her visits in time order"
    );
    let karen_card = &anna[0]["client"];
    assert_eq!(anna[0]["part"], "helper");
    assert_eq!(karen_card["id"], t.client);
    assert_eq!(karen_card["name"], "Karen Nielsen");
    assert_eq!(karen_card["phone"], "+4587654321");
    assert_eq!(karen_card["care_notes"], "Cat called Mis; key in the box");
    assert!(
        karen_card["needs"]
            .as_array()
            .is_some_and(|n| !n.is_empty()),
        "{karen_card}"
    );
    assert!(
        karen_card.get("email").is_none(),
        "only what a visit needs: {karen_card}"
    );
    assert!(karen_card.get("relatives").is_none(), "{karen_card}");
    assert_eq!(anna[1]["client"]["name"], "Jens Madsen");
    assert!(anna[0]["helper_first_name"].is_null());
    assert_eq!(
        audited_reads(&app, &t.admin, t.client).await,
        reads_before + 1,
        "the care notes shown are a read of Karen's record"
    );

    let family = items(&family);
    assert_eq!(
        family
            .iter()
            .map(|v| v["id"].as_i64().unwrap())
            .collect::<Vec<_>>(),
        [karen_anna, karen_bo],
        "her mother's visits, not Jens's"
    );
    assert!(
        family.iter().all(|v| v["part"] == "client_side"),
        "{family:?}"
    );
    assert!(family.iter().all(|v| v["client"].is_null()), "{family:?}");
    assert_eq!(family[0]["helper_first_name"], "Anna");
    assert_eq!(family[1]["helper_first_name"], "Bo");
}

async fn a_past_visit_does_not_reopen_a_client_the_helper_no_longer_serves(backend: TestBackend) {
    let app = spawn_app(backend).await;
    let t = team(&app).await;
    let visit = app
        .book_id(&t.admin, t.client, t.helper, &starts_in_hours(30), 60)
        .await;
    app.complete_visit(&t.helper_token, visit).await;
    let pairs = app
        .get_ok(&format!("/api/v1/clients/{}/helpers", t.client), &t.admin)
        .await;
    let pair = pairs.as_array().expect("pairs")[0]["assignment_id"]
        .as_i64()
        .expect("assignment");
    let ended = app
        .call(
            reqwest::Method::DELETE,
            &format!("/api/v1/assignments/{pair}"),
            Some(&t.admin),
            None,
        )
        .await;
    assert!(ended.status().is_success(), "{}", ended.status());

    let anna = app
        .get_ok("/api/v1/me/visits?status=completed", &t.helper_token)
        .await;

    let anna = items(&anna);
    assert_eq!(anna.len(), 1, "her visit stays in her history: {anna:?}");
    assert_eq!(anna[0]["id"], visit);
    assert_eq!(anna[0]["part"], "helper");
    assert!(
        anna[0]["client"].is_null(),
        "no care notes of a client she no longer serves: {}",
        anna[0]
    );
    assert_eq!(
        anna[0]["client_name"], "Karen Nielsen",
        "the name a schedule shows"
    );
}

on_both_backends!(
    a_helper_sees_what_each_visit_needs_and_the_family_a_first_name,
    a_past_visit_does_not_reopen_a_client_the_helper_no_longer_serves,
);
