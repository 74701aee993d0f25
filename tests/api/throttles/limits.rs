//! throttles: limits.

use super::*;

async fn public_applications_are_throttled_per_address(backend: TestBackend) {
    let app = spawn_app_with(backend, |s| {
        s.throttle.applications_per_address_per_hour = 3
    })
    .await;
    let admin = app.admin_token().await;
    let branch = app.create_branch(&admin, "Aarhus").await;
    for n in 0..3 {
        app.apply(branch, &format!("student{n}@example.dk")).await;
    }

    let refused = app
        .call(
            Method::POST,
            "/api/v1/applications",
            None,
            Some(application(branch, "student3@example.dk")),
        )
        .await;
    let elsewhere = post_from(
        &app,
        &client_from([127, 0, 0, 2]),
        "/api/v1/applications",
        application(branch, "student4@example.dk"),
    )
    .await;

    assert_retry_after(refused, 429, 3600).await;
    assert_eq!(
        count_mails(&app, "student3@example.dk", "application_received"),
        0,
        "the refused application sends no mail"
    );
    assert_eq!(
        elsewhere.status().as_u16(),
        201,
        "another address still applies"
    );
    assert_eq!(
        count_mails(&app, "student4@example.dk", "application_received"),
        1
    );
    let listed = app
        .get_ok(&format!("/api/v1/helpers?branch={branch}"), &admin)
        .await;
    assert_eq!(listed["items"].as_array().unwrap().len(), 4, "{listed}");
}

async fn wrong_passwords_slow_the_guessing_address_but_not_the_real_user(backend: TestBackend) {
    let app = spawn_app(backend).await;
    let admin = app.admin_token().await;
    let branch = app.create_branch(&admin, "Aarhus").await;
    app.leader_token(&admin, branch, "leader@example.dk").await;
    let stranger = client_from([127, 0, 0, 2]);
    let guess = json!({"email": "leader@example.dk", "password": "not-the-password"});
    for _ in 0..5 {
        let response = post_from(&app, &stranger, "/api/v1/auth/login", guess.clone()).await;
        assert_problem(response, 401).await;
    }

    let stranger_again = post_from(
        &app,
        &stranger,
        "/api/v1/auth/login",
        json!({"email": "leader@example.dk", "password": PASSWORD}),
    )
    .await;
    let real_user = app.login("leader@example.dk", PASSWORD).await;

    assert_retry_after(stranger_again, 429, 60).await;
    assert_eq!(
        real_user.status().as_u16(),
        200,
        "the real user is not locked out"
    );
    let typo = app
        .login("leader@example.dk", "a-typo-in-the-password")
        .await;
    assert_problem(typo, 401).await;
}

async fn failed_logins_from_one_address_are_limited_across_accounts(backend: TestBackend) {
    let app = spawn_app_with(backend, |s| s.throttle.login_failures_per_address = 3).await;
    let admin = app.admin_token().await;
    let branch = app.create_branch(&admin, "Aarhus").await;
    app.leader_token(&admin, branch, "leader@example.dk").await;
    let sprayer = client_from([127, 0, 0, 3]);
    for n in 0..3 {
        let guess = json!({"email": format!("user{n}@example.dk"), "password": "password-1234"});
        assert_problem(
            post_from(&app, &sprayer, "/api/v1/auth/login", guess).await,
            401,
        )
        .await;
    }

    let another_account = post_from(
        &app,
        &sprayer,
        "/api/v1/auth/login",
        json!({"email": "leader@example.dk", "password": PASSWORD}),
    )
    .await;
    let from_elsewhere = app.login("leader@example.dk", PASSWORD).await;

    assert_retry_after(another_account, 429, 15 * 60).await;
    assert_eq!(from_elsewhere.status().as_u16(), 200);
}

async fn password_reset_requests_are_throttled_per_address(backend: TestBackend) {
    let app = spawn_app_with(backend, |s| {
        s.throttle.password_resets_per_address_per_hour = 2;
    })
    .await;
    let admin = app.admin_token().await;
    let branch = app.create_branch(&admin, "Aarhus").await;
    app.leader_token(&admin, branch, "leader@example.dk").await;
    app.leader_token(&admin, branch, "other.leader@example.dk")
        .await;
    let reset = |email: &str| json!({"email": email});
    for email in ["nobody@example.dk", "leader@example.dk"] {
        let response = app
            .call(
                Method::POST,
                "/api/v1/auth/password-reset",
                None,
                Some(reset(email)),
            )
            .await;
        assert_eq!(response.status().as_u16(), 202);
    }

    let refused = app
        .call(
            Method::POST,
            "/api/v1/auth/password-reset",
            None,
            Some(reset("other.leader@example.dk")),
        )
        .await;
    let elsewhere = post_from(
        &app,
        &client_from([127, 0, 0, 2]),
        "/api/v1/auth/password-reset",
        reset("other.leader@example.dk"),
    )
    .await;

    assert_retry_after(refused, 429, 3600).await;
    assert_eq!(elsewhere.status().as_u16(), 202);
    assert_eq!(
        count_mails(&app, "other.leader@example.dk", "password_reset"),
        1,
        "only the request that was let through mailed a link"
    );
}

async fn reset_mails_to_one_account_are_limited_without_telling_the_caller(backend: TestBackend) {
    let app = spawn_app_with(backend, |s| {
        s.throttle.password_resets_per_account_per_hour = 2;
    })
    .await;
    let admin = app.admin_token().await;
    let branch = app.create_branch(&admin, "Aarhus").await;
    app.leader_token(&admin, branch, "leader@example.dk").await;

    let mut answers = vec![];
    for _ in 0..4 {
        let response = app
            .call(
                Method::POST,
                "/api/v1/auth/password-reset",
                None,
                Some(json!({"email": "leader@example.dk"})),
            )
            .await;
        answers.push((response.status().as_u16(), response.text().await.unwrap()));
    }

    assert!(answers.iter().all(|a| a == &answers[0]), "{answers:?}");
    assert_eq!(answers[0].0, 202);
    assert_eq!(count_mails(&app, "leader@example.dk", "password_reset"), 2);
}

async fn the_forgot_password_page_says_when_to_retry_too(backend: TestBackend) {
    let app = spawn_app_with(backend, |s| {
        s.throttle.password_resets_per_address_per_hour = 1;
    })
    .await;
    let form = || {
        app.send_raw(
            Method::POST,
            "/forgot-password",
            "application/x-www-form-urlencoded",
            "email=nobody%40example.dk",
        )
    };
    assert_eq!(form().await.status().as_u16(), 200);

    let refused = form().await;

    assert_eq!(refused.status().as_u16(), 429);
    let retry_after = refused
        .headers()
        .get("retry-after")
        .map(|v| v.to_str().unwrap().parse::<u64>().expect("seconds"));
    let content_type = refused.headers()["content-type"]
        .to_str()
        .unwrap()
        .to_string();
    assert!(content_type.starts_with("text/html"), "{content_type}");
    assert!(
        retry_after.is_some_and(|s| (1..=3600).contains(&s)),
        "Retry-After: {retry_after:?}"
    );
}

async fn a_forged_x_forwarded_for_does_not_escape_the_throttle(backend: TestBackend) {
    let app = spawn_app_with(backend, |s| {
        s.throttle.applications_per_address_per_hour = 1
    })
    .await;
    let admin = app.admin_token().await;
    let branch = app.create_branch(&admin, "Aarhus").await;
    app.apply(branch, "student0@example.dk").await;

    let forged = app
        .client
        .post(format!("{}/api/v1/applications", app.address))
        .header("X-Forwarded-For", "203.0.113.7")
        .json(&application(branch, "student1@example.dk"))
        .send()
        .await
        .unwrap();

    assert_retry_after(forged, 429, 3600).await;
}

async fn behind_a_trusted_proxy_each_forwarded_address_has_its_own_allowance(backend: TestBackend) {
    let app = spawn_app_with(backend, |s| {
        s.throttle.applications_per_address_per_hour = 1;
        s.server.trusted_proxies = vec![IpAddr::from([127, 0, 0, 1])];
    })
    .await;
    let admin = app.admin_token().await;
    let branch = app.create_branch(&admin, "Aarhus").await;
    let apply_via_proxy = |forwarded: &'static str, email: &str| {
        app.client
            .post(format!("{}/api/v1/applications", app.address))
            .header("X-Forwarded-For", forwarded)
            .json(&application(branch, email))
            .send()
    };

    let first = apply_via_proxy("203.0.113.7", "student0@example.dk")
        .await
        .unwrap();
    let second_person = apply_via_proxy("203.0.113.8", "student1@example.dk")
        .await
        .unwrap();
    // The client may write anything left of what the proxy appended: only the nearest counts.
    let forged_left = apply_via_proxy("198.51.100.1, 203.0.113.7", "student2@example.dk")
        .await
        .unwrap();

    assert_eq!(first.status().as_u16(), 201);
    assert_eq!(second_person.status().as_u16(), 201);
    assert_retry_after(forged_left, 429, 3600).await;
}

async fn a_503_says_when_to_retry(backend: TestBackend) {
    let app = spawn_app(backend).await;
    let mut conn = DbConnection::open(&app.database.url).unwrap();
    let forget_latest = "DELETE FROM __diesel_schema_migrations WHERE version = (SELECT MAX(version) FROM __diesel_schema_migrations)";
    diesel::sql_query(forget_latest).execute(&mut conn).unwrap();

    let response = app.health_ready().await;

    assert_retry_after(response, 503, 60).await;
}

on_both_backends!(
    public_applications_are_throttled_per_address,
    wrong_passwords_slow_the_guessing_address_but_not_the_real_user,
    failed_logins_from_one_address_are_limited_across_accounts,
    password_reset_requests_are_throttled_per_address,
    reset_mails_to_one_account_are_limited_without_telling_the_caller,
    the_forgot_password_page_says_when_to_retry_too,
    a_forged_x_forwarded_for_does_not_escape_the_throttle,
    behind_a_trusted_proxy_each_forwarded_address_has_its_own_allowance,
    a_503_says_when_to_retry,
);
