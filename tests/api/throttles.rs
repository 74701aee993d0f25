//! Abuse limits on what anyone can call: public applications and password-reset requests per
//! address, failed logins per account and address (a stranger cannot lock the real user out)
//! and per address; every 429 and 503 says when to come back (`Retry-After`).

use std::net::IpAddr;
use std::time::{Duration, Instant};

use diesel::RunQueryDsl;

use helpmatch::db::DbConnection;

use reqwest::Method;

use secrecy::SecretString;

use serde_json::{Value, json};

use crate::access::count_mails;
use crate::on_both_backends;
use crate::support::fixtures::{PASSWORD, application};
use crate::support::{
    TcpProxy, TestApp, TestBackend, assert_problem, spawn_app, spawn_app_with, with_database,
};

mod limits;

/// A client whose requests come from `address` (any of 127/8 reaches the service on lo).
fn client_from(address: [u8; 4]) -> reqwest::Client {
    reqwest::Client::builder()
        .local_address(IpAddr::from(address))
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("client builds")
}

async fn post_from(
    app: &TestApp,
    client: &reqwest::Client,
    path: &str,
    body: Value,
) -> reqwest::Response {
    client
        .post(format!("{}{path}", app.address))
        .json(&body)
        .send()
        .await
        .expect("request sent")
}

/// Asserts a 429 problem whose `Retry-After` is whole seconds within `1..=max`.
async fn assert_retry_after(response: reqwest::Response, status: u16, max: u64) -> u64 {
    let retry_after = response
        .headers()
        .get("retry-after")
        .map(|v| v.to_str().unwrap().to_string());
    assert_problem(response, status).await;
    let seconds: u64 = retry_after
        .expect("Retry-After is set")
        .parse()
        .expect("Retry-After in seconds");
    assert!((1..=max).contains(&seconds), "Retry-After: {seconds}");
    seconds
}

#[tokio::test]
async fn requests_while_postgres_is_down_are_503_with_retry_after() {
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
    let admin = app.admin_token().await;
    let branch = app.create_branch(&admin, "Aarhus").await;

    proxy.stop().await;
    let started = Instant::now();
    let me = app
        .call(Method::GET, "/api/v1/me", Some(&admin), None)
        .await;
    let applied = app
        .call(
            Method::POST,
            "/api/v1/applications",
            None,
            Some(application(branch, "student@example.dk")),
        )
        .await;
    let login = app.login("admin@example.dk", PASSWORD).await;
    let page = app.get("/set-password?token=whatever").await;
    let waited = started.elapsed();

    for response in [me, applied, login, page] {
        assert_retry_after(response, 503, 60).await;
    }
    assert!(
        waited < Duration::from_secs(30),
        "503s came after {waited:?}"
    );
    proxy.resume().await;
    app.get_ok("/api/v1/me", &admin).await;
}
