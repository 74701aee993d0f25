//! Bad requests answer 4xx problem+json, never actix's plain-text defaults, and change nothing.

use reqwest::Method;

use crate::on_both_backends;
use crate::support::{TestBackend, assert_problem, spawn_app};

async fn an_unknown_path_is_a_404_problem(backend: TestBackend) {
    let app = spawn_app(backend).await;

    let response = app.get("/api/v1/no-such-thing").await;

    assert_problem(response, 404).await;
}

async fn a_wrong_method_is_a_405_problem_naming_the_allowed_ones(backend: TestBackend) {
    let app = spawn_app(backend).await;

    let response = app
        .send_raw(Method::DELETE, "/health/live", "application/json", "")
        .await;

    assert_eq!(response.headers().get("allow").unwrap(), "GET");
    assert_problem(response, 405).await;
}

async fn broken_json_is_a_400_problem(backend: TestBackend) {
    let app = spawn_app(backend).await;

    let response = app
        .send_raw(
            Method::POST,
            "/api/v1/auth/login",
            "application/json",
            "{\"email\": ",
        )
        .await;

    let body = assert_problem(response, 400).await;
    assert!(body["detail"].as_str().unwrap().contains("not valid JSON"));
}

async fn a_wrong_content_type_is_a_415_problem(backend: TestBackend) {
    let app = spawn_app(backend).await;

    let response = app
        .send_raw(Method::POST, "/api/v1/auth/login", "text/plain", "{}")
        .await;

    assert_problem(response, 415).await;
}

async fn a_2_mb_body_is_a_413_problem(backend: TestBackend) {
    let app = spawn_app(backend).await;
    let body = format!("{{\"email\": \"{}\"}}", "a".repeat(2 * 1024 * 1024));

    let response = app
        .send_raw(Method::POST, "/api/v1/auth/login", "application/json", body)
        .await;

    assert_problem(response, 413).await;
}

async fn a_field_of_the_wrong_type_is_a_422_naming_the_field(backend: TestBackend) {
    let app = spawn_app(backend).await;

    let response = app
        .send_raw(
            Method::POST,
            "/api/v1/applications",
            "application/json",
            r#"{"branch_id": "one"}"#,
        )
        .await;

    let body = assert_problem(response, 422).await;
    assert_eq!(body["errors"][0]["field"], "branch_id");
}

async fn a_non_numeric_id_in_the_path_is_a_4xx_problem(backend: TestBackend) {
    let app = spawn_app(backend).await;
    let token = app.admin_token().await;

    let response = app
        .call(Method::GET, "/api/v1/branches/abc", Some(&token), None)
        .await;

    assert!(response.status().is_client_error());
    assert_problem(response, 400).await;
}

on_both_backends!(
    an_unknown_path_is_a_404_problem,
    a_wrong_method_is_a_405_problem_naming_the_allowed_ones,
    broken_json_is_a_400_problem,
    a_wrong_content_type_is_a_415_problem,
    a_2_mb_body_is_a_413_problem,
    a_field_of_the_wrong_type_is_a_422_naming_the_field,
    a_non_numeric_id_in_the_path_is_a_4xx_problem,
);
