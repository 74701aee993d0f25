//! Bad requests answer 4xx problem+json, never actix's plain-text defaults.

use reqwest::Method;

use crate::helpers::{TestBackend, assert_problem, spawn_app};
use crate::on_both_backends;

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

on_both_backends!(
    an_unknown_path_is_a_404_problem,
    a_wrong_method_is_a_405_problem_naming_the_allowed_ones
);
