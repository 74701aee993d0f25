//! Login, tokens, refresh rotation, revocation and rate limiting.

use reqwest::Method;
use serde_json::json;

use crate::on_both_backends;
use crate::support::fixtures::{ADMIN_EMAIL, PASSWORD};
use crate::support::{TestBackend, assert_problem, spawn_app};

async fn login_returns_tokens_and_me_says_who_i_am(backend: TestBackend) {
    let app = spawn_app(backend).await;
    app.create_admin();

    let body: serde_json::Value = app.login(ADMIN_EMAIL, PASSWORD).await.json().await.unwrap();

    assert_eq!(body["token_type"], "Bearer");
    let me = app
        .get_ok("/api/v1/me", body["access_token"].as_str().unwrap())
        .await;
    assert_eq!(
        (me["email"].as_str(), me["role"].as_str()),
        (Some(ADMIN_EMAIL), Some("admin"))
    );
}

async fn a_wrong_password_and_an_unknown_email_look_the_same(backend: TestBackend) {
    let app = spawn_app(backend).await;
    app.create_admin();

    let wrong = assert_problem(app.login(ADMIN_EMAIL, "not-the-password").await, 401).await;
    let unknown = assert_problem(app.login("nobody@example.dk", PASSWORD).await, 401).await;

    assert_eq!(wrong, unknown);
}

async fn the_sixth_failed_login_is_refused_even_with_the_right_password(backend: TestBackend) {
    let app = spawn_app(backend).await;
    app.create_admin();
    for _ in 0..5 {
        assert_problem(app.login(ADMIN_EMAIL, "not-the-password").await, 401).await;
    }

    let response = app.login(ADMIN_EMAIL, PASSWORD).await;

    assert_problem(response, 429).await;
}

async fn a_refresh_token_works_once_and_then_never_again(backend: TestBackend) {
    let app = spawn_app(backend).await;
    app.create_admin();
    let first: serde_json::Value = app.login(ADMIN_EMAIL, PASSWORD).await.json().await.unwrap();
    let refresh = json!({"refresh_token": first["refresh_token"]});

    let second = app
        .post_ok("/api/v1/auth/refresh", None, refresh.clone(), 200)
        .await;
    let replay = app
        .call(Method::POST, "/api/v1/auth/refresh", None, Some(refresh))
        .await;

    assert_problem(replay, 401).await;
    app.get_ok("/api/v1/me", second["access_token"].as_str().unwrap())
        .await;
}

async fn logout_and_password_change_revoke_refresh_tokens(backend: TestBackend) {
    let app = spawn_app(backend).await;
    app.create_admin();
    let a: serde_json::Value = app.login(ADMIN_EMAIL, PASSWORD).await.json().await.unwrap();
    let b: serde_json::Value = app.login(ADMIN_EMAIL, PASSWORD).await.json().await.unwrap();

    app.post_ok(
        "/api/v1/auth/logout",
        None,
        json!({"refresh_token": a["refresh_token"]}),
        204,
    )
    .await;
    let change = json!({"current_password": PASSWORD, "new_password": "another-long-password"});
    let fresh = app
        .post_ok(
            "/api/v1/me/password",
            b["access_token"].as_str(),
            change,
            200,
        )
        .await;

    // Every access token issued before the change stops at once, not when it expires.
    for old in [&a, &b] {
        let me = app
            .call(
                Method::GET,
                "/api/v1/me",
                old["access_token"].as_str(),
                None,
            )
            .await;
        assert_problem(me, 401).await;
    }
    app.get_ok("/api/v1/me", fresh["access_token"].as_str().unwrap())
        .await;

    for session in [&a, &b] {
        let refresh = json!({"refresh_token": session["refresh_token"]});
        assert_problem(
            app.call(Method::POST, "/api/v1/auth/refresh", None, Some(refresh))
                .await,
            401,
        )
        .await;
    }
    assert_problem(app.login(ADMIN_EMAIL, PASSWORD).await, 401).await;
    assert_eq!(
        app.login(ADMIN_EMAIL, "another-long-password")
            .await
            .status()
            .as_u16(),
        200
    );
}

async fn a_missing_or_forged_token_is_a_401(backend: TestBackend) {
    let app = spawn_app(backend).await;

    let missing = app.call(Method::GET, "/api/v1/me", None, None).await;
    let forged = app
        .call(
            Method::GET,
            "/api/v1/clients",
            Some("eyJhbGciOiJIUzI1NiJ9.e30.forged"),
            None,
        )
        .await;

    assert_problem(missing, 401).await;
    assert_problem(forged, 401).await;
}

on_both_backends!(
    login_returns_tokens_and_me_says_who_i_am,
    a_wrong_password_and_an_unknown_email_look_the_same,
    the_sixth_failed_login_is_refused_even_with_the_right_password,
    a_refresh_token_works_once_and_then_never_again,
    logout_and_password_change_revoke_refresh_tokens,
    a_missing_or_forged_token_is_a_401,
);
