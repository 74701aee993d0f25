//! Liveness, readiness, request ids and fail-fast start-up.

use std::time::{Duration, Instant};

use diesel::RunQueryDsl;
use helpmatch::db::DbConnection;
use helpmatch::startup::Application;
use secrecy::SecretString;

use crate::on_both_backends;
use crate::support::{
    TcpProxy, TestBackend, assert_problem, spawn_app, spawn_app_with, test_settings, with_database,
};

async fn live_answers_200(backend: TestBackend) {
    let app = spawn_app(backend).await;

    let response = app.health_live().await;

    assert_eq!(response.status().as_u16(), 200);
}

async fn ready_answers_200_when_the_database_is_migrated(backend: TestBackend) {
    let app = spawn_app(backend).await;

    let response = app.health_ready().await;

    assert_eq!(response.status().as_u16(), 200);
    let body: serde_json::Value = response.json().await.unwrap();
    assert_eq!(body["status"], "ready");
}

async fn ready_answers_503_while_a_migration_is_missing(backend: TestBackend) {
    let app = spawn_app(backend).await;
    let mut conn = DbConnection::open(&app.database.url).unwrap();
    let forget_latest = "DELETE FROM __diesel_schema_migrations WHERE version = (SELECT MAX(version) FROM __diesel_schema_migrations)";
    diesel::sql_query(forget_latest).execute(&mut conn).unwrap();

    let response = app.health_ready().await;

    assert_problem(response, 503).await;
    helpmatch::db::run_migrations(&mut conn).unwrap_err(); // the tables exist: re-running the SQL fails
}

async fn every_response_carries_a_request_id(backend: TestBackend) {
    let app = spawn_app(backend).await;

    let ok = app.health_live().await;
    let missing = app.get("/no/such/path").await;

    let id_of = |r: &reqwest::Response| {
        r.headers()
            .get("x-request-id")
            .map(|v| v.to_str().unwrap().to_string())
    };
    let (first, second) = (
        id_of(&ok).expect("id on 200"),
        id_of(&missing).expect("id on 404"),
    );
    assert_ne!(first, second);
    assert_eq!(first.len(), 36, "a UUID: {first}");
}

on_both_backends!(
    live_answers_200,
    ready_answers_200_when_the_database_is_migrated,
    ready_answers_503_while_a_migration_is_missing,
    every_response_carries_a_request_id,
);

#[tokio::test]
async fn ready_follows_postgres_going_away_and_coming_back_without_a_restart() {
    let Some(TestBackend::Postgres { admin_url }) = TestBackend::postgres() else {
        return;
    };
    let admin_host = admin_url
        .split('@')
        .nth(1)
        .and_then(|rest| rest.split('/').next())
        .unwrap_or("127.0.0.1:5432");
    let target = tokio::net::lookup_host(admin_host)
        .await
        .unwrap()
        .next()
        .unwrap();
    let mut proxy = TcpProxy::start(target);
    let app = spawn_app_with(
        TestBackend::Postgres {
            admin_url: admin_url.clone(),
        },
        |settings| {
            // Same database, reached through the proxy.
            let direct = secrecy::ExposeSecret::expose_secret(&settings.database.url).to_string();
            let name = direct.rsplit('/').next().unwrap().to_string();
            let through_proxy = with_database(
                &format!("postgres://postgres@127.0.0.1:{}/postgres", proxy.port),
                &name,
            );
            settings.database.url = SecretString::from(through_proxy);
        },
    )
    .await;
    assert_eq!(app.health_ready().await.status().as_u16(), 200);

    proxy.stop().await;
    let started = Instant::now();
    let down = app.health_ready().await;
    let waited = started.elapsed();
    assert_problem(down, 503).await;
    assert!(
        waited < Duration::from_secs(10),
        "503 came after {waited:?}"
    );

    proxy.resume().await;
    assert_eq!(app.health_ready().await.status().as_u16(), 200);
}

#[tokio::test]
async fn start_up_fails_fast_with_the_real_error_when_postgres_is_unreachable() {
    let mut settings = test_settings();
    settings.database.url =
        SecretString::from("postgres://postgres@127.0.0.1:1/nothing_listens_here");
    let started = Instant::now();

    let error = Application::build(settings)
        .await
        .err()
        .expect("start-up fails");

    assert!(started.elapsed() < Duration::from_secs(10));
    let message = error.to_string();
    assert!(
        message.contains("cannot connect to the database"),
        "{message}"
    );
    assert!(
        message.to_lowercase().contains("connection refused"),
        "{message}"
    );
}
