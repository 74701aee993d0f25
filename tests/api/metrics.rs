//! `GET /metrics` (issue 17, item 1) on its own listener: a scrape in the Prometheus text
//! format whose counters move with requests, bookings and matching, and whose gauges read the
//! outbox and the open visits from the database. The service's own port has no `/metrics`.

use reqwest::Method;
use serde_json::json;

use crate::on_both_backends;
use crate::support::{TestApp, TestBackend};
use crate::visit_edges::{act, starts_in_hours, team};

/// The recorder is the test process's: the gauges a scrape sets are the last scraper's, so
/// the two databases' runs scrape one at a time.
static SCRAPING: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

async fn scrape(app: &TestApp) -> String {
    let response = app
        .client
        .get(format!("{}/metrics", app.metrics_address))
        .send()
        .await
        .expect("scrape");
    assert_eq!(response.status().as_u16(), 200);
    let kind = response.headers()["content-type"]
        .to_str()
        .expect("type")
        .to_string();
    assert!(kind.starts_with("text/plain"), "{kind}");
    response.text().await.expect("text")
}

/// The value of the series named `name` whose labels include every one of `labels`, summed.
fn value(text: &str, name: &str, labels: &[&str]) -> f64 {
    text.lines()
        .filter(|l| !l.starts_with('#'))
        .filter(|l| l.starts_with(&format!("{name}{{")) || l.starts_with(&format!("{name} ")))
        .filter(|l| labels.iter().all(|want| l.contains(want)))
        .filter_map(|l| l.rsplit(' ').next()?.parse::<f64>().ok())
        .sum()
}

async fn a_scrape_shows_requests_bookings_matching_and_the_outbox(backend: TestBackend) {
    let _one_at_a_time = SCRAPING.lock().await;
    let app = crate::support::spawn_app(backend).await;
    let t = team(&app).await;
    let live = ["route=\"/health/live\"", "status=\"200\""];
    let before = scrape(&app).await;
    for _ in 0..3 {
        app.health_live().await;
    }
    let missing = app
        .call(Method::GET, "/api/v1/visits/999999", Some(&t.admin), None)
        .await;
    assert_eq!(missing.status().as_u16(), 404);
    let visit = app
        .book_id(&t.admin, t.client, t.helper, &starts_in_hours(48), 60)
        .await;
    let opened = act(
        &app,
        &t.helper_token,
        visit,
        "open",
        json!({"reason": "exam"}),
    )
    .await;
    assert_eq!(opened.status().as_u16(), 200);
    let preview = app
        .call(
            Method::POST,
            &format!("/api/v1/branches/{}/matching/preview", t.branch),
            Some(&t.admin),
            Some(json!({})),
        )
        .await;
    assert_eq!(preview.status().as_u16(), 200);
    let after = scrape(&app).await;

    let moved =
        |name: &str, labels: &[&str]| value(&after, name, labels) - value(&before, name, labels);
    assert!(moved("http_requests_total", &live) >= 3.0, "{after}");
    assert!(
        moved("http_request_duration_seconds_count", &live) >= 3.0,
        "{after}"
    );
    // A path with an id counts under its template, never the raw path.
    let template = ["route=\"/api/v1/visits/{id}\"", "status=\"404\""];
    assert!(moved("http_requests_total", &template) >= 1.0, "{after}");
    assert!(!after.contains("/api/v1/visits/999999"), "{after}");
    assert!(moved("bookings_total", &[]) >= 1.0, "{after}");
    assert!(moved("matching_solve_seconds_count", &[]) >= 1.0, "{after}");
    // Read from this app's database at the scrape: the open visit, the mails queued (no worker
    // runs in tests, so they wait).
    assert_eq!(value(&after, "visits_open", &[]), 1.0, "{after}");
    assert_eq!(value(&after, "visits_uncovered", &[]), 0.0, "{after}");
    assert!(
        value(&after, "outbox_mails", &["status=\"pending\""]) >= 1.0,
        "{after}"
    );
    assert!(after.contains("outbox_oldest_due_age_seconds"), "{after}");
    assert!(value(&after, "db_pool_connections", &[]) >= 1.0, "{after}");
    assert!(after.contains("db_pool_waiting"), "{after}");

    // Not on the public port.
    let public = app.get("/metrics").await;
    assert_eq!(public.status().as_u16(), 404);
}

/// Waits until the app's outbox holds no mail waiting for the worker.
async fn delivered(app: &TestApp, admin: &str) {
    for _ in 0..400 {
        let mails = app.get_ok("/api/v1/outbox?limit=200", admin).await;
        let items = mails["items"].as_array().expect("items").clone();
        if !items.is_empty()
            && items
                .iter()
                .all(|m| m["status"] == "sent" || m["status"] == "failed")
        {
            return;
        }
        tokio::time::sleep(std::time::Duration::from_millis(25)).await;
    }
    panic!("mails still waiting");
}

async fn deliveries_and_failures_are_counted(backend: TestBackend) {
    let _one_at_a_time = SCRAPING.lock().await;
    let folder = tempfile::tempdir().expect("folder");
    let dir = folder.path().join("outbox");
    let working = crate::support::spawn_app_with(backend.clone(), move |s| {
        s.email.worker = true;
        s.email.file_dir = dir;
    })
    .await;
    // A worker that cannot write its folder gives up at once.
    let broken = crate::support::spawn_app_with(backend, |s| {
        s.email.worker = true;
        s.email.file_dir = "/dev/null/outbox".into();
        s.email.give_up_after_secs = 0;
    })
    .await;
    let kind = ["kind=\"application_received\""];
    let gave_up = ["kind=\"application_received\"", "outcome=\"gave_up\""];
    let before = scrape(&working).await;
    for app in [&working, &broken] {
        let admin = app.admin_token().await;
        let branch = app.create_branch(&admin, "Aarhus").await;
        app.apply(branch, "anna@example.dk").await;
        delivered(app, &admin).await;
    }
    let after = scrape(&working).await;
    let moved =
        |name: &str, labels: &[&str]| value(&after, name, labels) - value(&before, name, labels);
    assert!(moved("mail_deliveries_total", &kind) >= 1.0, "{after}");
    assert!(
        moved("mail_delivery_failures_total", &gave_up) >= 1.0,
        "{after}"
    );
}

on_both_backends!(
    a_scrape_shows_requests_bookings_matching_and_the_outbox,
    deliveries_and_failures_are_counted,
);
