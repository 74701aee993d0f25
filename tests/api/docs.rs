//! The OpenAPI document and the interactive docs page, rendered by headless Chromium with no
//! internet: everything the page needs must come from the service itself.

use std::process::Command;

use crate::helpers::{TestBackend, spawn_app};

#[tokio::test]
async fn the_openapi_document_lists_every_path_clients_are_written_against() {
    let app = spawn_app(TestBackend::Sqlite).await;

    let doc: serde_json::Value = app.get("/api/v1/openapi.json").await.json().await.unwrap();

    assert!(doc["openapi"].as_str().unwrap().starts_with("3."));
    let paths = doc["paths"].as_object().unwrap();
    for path in [
        "/health/live",
        "/health/ready",
        "/api/v1/auth/login",
        "/api/v1/auth/refresh",
        "/api/v1/me",
        "/api/v1/branches",
        "/api/v1/branches/{id}",
        "/api/v1/users",
        "/api/v1/users/{id}",
        "/api/v1/applications",
        "/api/v1/helpers",
        "/api/v1/helpers/{id}",
        "/api/v1/helpers/{id}/transitions",
        "/api/v1/helpers/{id}/history",
        "/api/v1/clients",
        "/api/v1/clients/{id}",
        "/api/v1/clients/{id}/helpers",
        "/api/v1/assignments",
        "/api/v1/assignments/{id}",
    ] {
        assert!(paths.contains_key(path), "{path} is not documented");
    }
    let login_errors = &doc["paths"]["/api/v1/auth/login"]["post"]["responses"]["401"]["content"];
    assert!(
        login_errors.get("application/problem+json").is_some(),
        "errors are documented as problem+json"
    );
}

/// Chromium from Debian's package; CI installs it, so there it must be present.
fn chromium() -> Option<&'static str> {
    let found = ["/usr/bin/chromium", "/usr/bin/chromium-browser"]
        .into_iter()
        .find(|p| std::path::Path::new(p).exists());
    if found.is_none() {
        assert_ne!(
            std::env::var("CI").as_deref(),
            Ok("true"),
            "CI=true but chromium is not installed"
        );
        eprintln!("skipped: install chromium to render the docs page");
    }
    found
}

#[tokio::test]
async fn the_docs_page_renders_the_api_offline_in_a_real_browser() {
    let Some(browser) = chromium() else { return };
    let app = spawn_app(TestBackend::Sqlite).await;
    let url = format!("{}/docs/", app.address);
    let profile = tempfile::tempdir().unwrap();

    let output = tokio::task::spawn_blocking(move || {
        Command::new(browser)
            .args([
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--virtual-time-budget=10000",
                "--dump-dom",
            ])
            .arg(format!("--user-data-dir={}", profile.path().display()))
            .arg(url)
            .output()
    })
    .await
    .unwrap()
    .expect("chromium runs");

    let dom = String::from_utf8_lossy(&output.stdout);
    assert!(dom.contains("swagger-ui"), "the Swagger UI shell loaded");
    assert!(
        dom.contains("/api/v1/clients/{id}/helpers"),
        "the UI rendered the operations from the document"
    );
    assert!(dom.contains("helpmatch"), "the UI shows the API title");
}
