//! Graceful overload (issue 17, item 5): when every database connection is taken, a request
//! waits a bounded time (`database.connect_timeout_secs`) and then gets 503 with `Retry-After`,
//! never a hang and never a 500; the writes that were answered are there once, those refused
//! are not, a retry with the same Idempotency-Key books once, and the service answers again as
//! soon as the database is free.

use std::time::{Duration, Instant};

use diesel::connection::SimpleConnection;
use serde_json::json;

use helpmatch::db::DbConnection;

use crate::on_both_backends;
use crate::support::{TestApp, TestBackend, spawn_app_with};
use crate::visit_edges::{starts_in_hours, team};

/// Something outside the service holds the client's row (PostgreSQL) or the database's write
/// lock (SQLite) for `hold`: every booking for the client waits on it, holding its connection.
fn hold_the_database(app: &TestApp, client: i64, hold: Duration) -> std::thread::JoinHandle<()> {
    let url = app.database.url.clone();
    let (taken, is_taken) = std::sync::mpsc::channel();
    let holder = std::thread::spawn(move || {
        let mut conn = DbConnection::open(&url).expect("database");
        let lock = match conn {
            DbConnection::Postgresql(_) => {
                format!("BEGIN; SELECT id FROM clients WHERE id = {client} FOR UPDATE;")
            }
            DbConnection::Sqlite(_) => "BEGIN IMMEDIATE;".to_string(),
        };
        conn.batch_execute(&lock).expect("lock taken");
        taken.send(()).expect("signal");
        std::thread::sleep(hold);
        conn.batch_execute("COMMIT;").expect("lock released");
    });
    is_taken.recv().expect("the lock is held");
    holder
}

async fn book(app: &TestApp, admin: &str, client: i64, helper: i64, i: i64) -> reqwest::Response {
    app.client
        .post(format!("{}/api/v1/visits", app.address))
        .bearer_auth(admin)
        .header("Idempotency-Key", format!("overload-{i}"))
        .json(&json!({"client_id": client, "helper_id": helper, "starts_at": starts_in_hours(48 + 2 * i),
                      "segments": [{"task": "cleaning", "minutes": 60}]}))
        .timeout(Duration::from_secs(30))
        .send()
        .await
        .expect("answered, not hung")
}

async fn an_exhausted_pool_answers_503_with_retry_after_and_loses_no_write(backend: TestBackend) {
    let app = spawn_app_with(backend, |s| {
        s.database.max_connections = 2;
        s.database.connect_timeout_secs = 1;
        s.server.workers = 2;
    })
    .await;
    let t = team(&app).await;
    for _ in 0..2 {
        app.buy(&t.admin, t.client, "clip_card_8h").await;
    }
    const BOOKINGS: i64 = 12;
    let holder = hold_the_database(&app, t.client, Duration::from_secs(3));
    let started = Instant::now();
    let answers = futures::future::join_all((0..BOOKINGS).map(|i| {
        let (app, admin) = (&app, &t.admin);
        async move {
            let response = book(app, admin, t.client, t.helper, i).await;
            (i, response, started.elapsed())
        }
    }))
    .await;
    holder.join().expect("holder");

    let mut refused = vec![];
    for (i, response, took) in answers {
        let status = response.status().as_u16();
        match status {
            201 => {}
            503 => {
                assert!(
                    response.headers().contains_key("retry-after"),
                    "{:?}",
                    response.headers()
                );
                assert_eq!(
                    response.headers()["content-type"],
                    "application/problem+json"
                );
                // The wait is bounded: the pool's second, not the lock's three.
                assert!(took < Duration::from_millis(2900), "{took:?}");
                refused.push(i);
            }
            other => panic!(
                "booking {i}: {other} {}",
                response.text().await.unwrap_or_default()
            ),
        }
    }
    assert!(
        !refused.is_empty(),
        "two connections cannot serve twelve waiting bookings"
    );
    assert!(
        refused.len() < BOOKINGS as usize,
        "the two that held connections booked"
    );

    // Free again: the first request answers at once, and every refused booking, retried with
    // its key, books once.
    let freed = Instant::now();
    let ready = app.health_ready().await;
    assert_eq!(ready.status().as_u16(), 200);
    assert!(
        freed.elapsed() < Duration::from_secs(2),
        "{:?}",
        freed.elapsed()
    );
    for &i in &refused {
        let retried = book(&app, &t.admin, t.client, t.helper, i).await;
        assert_eq!(retried.status().as_u16(), 201, "retry of {i}");
    }
    let again = book(&app, &t.admin, t.client, t.helper, refused[0]).await;
    assert_eq!(
        again.status().as_u16(),
        201,
        "a replay of the stored answer"
    );
    assert_eq!(again.headers()["idempotent-replayed"], "true");

    let listed = app
        .get_ok(
            &format!("/api/v1/visits?client={}&limit=200", t.client),
            &t.admin,
        )
        .await;
    let visits = listed["items"].as_array().expect("items");
    assert_eq!(
        visits.len(),
        BOOKINGS as usize,
        "each booking once: {listed}"
    );
    let balance = app.balance(&t.admin, t.client).await;
    assert_eq!(balance["reserved_minutes"], BOOKINGS * 60, "{balance}");
    assert_eq!(
        balance["available_minutes"],
        3 * 480 - BOOKINGS * 60,
        "{balance}"
    );
}

/// A lock another transaction holds longer than `database.lock_timeout_ms`: the booking gives up
/// with a 503 and `Retry-After` (not a 500), books nothing, and books once when retried.
async fn a_lock_held_too_long_is_a_503_and_books_nothing(backend: TestBackend) {
    let app = spawn_app_with(backend, |s| {
        s.database.lock_timeout_ms = 300;
        s.database.connect_timeout_secs = 5;
    })
    .await;
    let t = team(&app).await;
    let holder = hold_the_database(&app, t.client, Duration::from_secs(2));
    let refused = book(&app, &t.admin, t.client, t.helper, 0).await;
    assert_eq!(refused.status().as_u16(), 503);
    assert!(refused.headers().contains_key("retry-after"));
    holder.join().expect("holder");
    let balance = app.balance(&t.admin, t.client).await;
    assert_eq!(balance["reserved_minutes"], 0, "{balance}");
    let retried = book(&app, &t.admin, t.client, t.helper, 0).await;
    assert_eq!(retried.status().as_u16(), 201);
    let balance = app.balance(&t.admin, t.client).await;
    assert_eq!(balance["reserved_minutes"], 60, "{balance}");
}

on_both_backends!(
    an_exhausted_pool_answers_503_with_retry_after_and_loses_no_write,
    a_lock_held_too_long_is_a_503_and_books_nothing,
);
