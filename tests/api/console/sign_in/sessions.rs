//! sign in: sessions.

use super::*;

async fn a_leader_signs_in_lands_on_their_week_and_signs_out(backend: TestBackend) {
    let (app, _, branch) = aarhus(backend).await;
    let user = ConsoleUser::new(&app, "da");

    let before = user.get("/console/").await;
    assert_eq!(before.status, StatusCode::SEE_OTHER);
    assert_eq!(
        before.location.as_deref(),
        Some("/console/login?next=%2Fconsole%2F")
    );
    let signed = user.sign_in("Lone@Example.dk", PASSWORD).await;
    assert_eq!(signed.status, StatusCode::SEE_OTHER, "{}", signed.html);
    assert_eq!(signed.location.as_deref(), Some("/console/"));
    let home = user.get("/console/").await;
    assert_eq!(
        home.location,
        Some(format!("/console/branches/{branch}/board"))
    );
    let board = user.get(&format!("/console/branches/{branch}/board")).await;
    assert_eq!(board.status, StatusCode::OK);
    board.assert_shows("Ugeoversigt");
    board.assert_shows("Aarhus");

    let out = user
        .post("/console/logout", &[("csrf", &board.csrf())])
        .await;
    assert_eq!(out.status, StatusCode::SEE_OTHER);
    assert_eq!(out.location.as_deref(), Some("/console/login"));
    let after = user.get(&format!("/console/branches/{branch}/board")).await;
    assert_eq!(after.status, StatusCode::SEE_OTHER, "the session is gone");
    assert_eq!(
        after.location,
        Some(format!(
            "/console/login?next=%2Fconsole%2Fbranches%2F{branch}%2Fboard"
        ))
    );
}

async fn the_session_cookie_is_http_only_strict_and_secure_behind_https(backend: TestBackend) {
    let (app, _, _) = aarhus(backend).await;
    let form = app.get("/console/login").await;
    let csrf_cookie = form
        .headers()
        .get_all("set-cookie")
        .iter()
        .map(|v| v.to_str().unwrap().to_string())
        .find(|c| c.starts_with("hm_signin="))
        .expect("the sign-in form sets its token cookie");
    let token = csrf_cookie
        .trim_start_matches("hm_signin=")
        .split(';')
        .next()
        .unwrap()
        .to_string();
    let html = form.text().await.unwrap();
    assert!(html.contains(&format!("name=\"csrf\" value=\"{token}\"")));
    let body =
        format!("csrf={token}&email=lone%40example.dk&password={PASSWORD}&next=%2Fconsole%2F");
    let signed = app
        .client
        .post(format!("{}/console/login", app.address))
        .header("content-type", "application/x-www-form-urlencoded")
        .header("cookie", format!("hm_signin={token}"))
        .body(body)
        .send()
        .await
        .unwrap();
    assert_eq!(signed.status(), StatusCode::SEE_OTHER);
    let session = signed
        .headers()
        .get_all("set-cookie")
        .iter()
        .map(|v| v.to_str().unwrap().to_string())
        .find(|c| c.starts_with("hm_session="))
        .expect("a session cookie");
    for part in [
        "HttpOnly",
        "SameSite=Strict",
        "Path=/console",
        "Max-Age=43200",
    ] {
        assert!(session.contains(part), "{part} missing in {session}");
    }
    assert!(!session.contains("Secure"), "plain HTTP: not Secure");

    // Behind a TLS-terminating proxy the service trusts, the cookie is Secure.
    let secure_app = crate::support::spawn_app_with(TestBackend::Sqlite, |s| {
        s.console.secure_cookie = true;
    })
    .await;
    let form = secure_app.get("/console/login").await;
    let cookie = form
        .headers()
        .get("set-cookie")
        .unwrap()
        .to_str()
        .unwrap()
        .to_string();
    assert!(cookie.contains("Secure"), "{cookie}");
}

async fn a_wrong_password_and_a_non_staff_account_are_told_at_the_form(backend: TestBackend) {
    let (app, admin, branch) = aarhus(backend).await;
    let (_, _) = app.activate_helper(&admin, branch, "anna@example.dk").await;
    let user = ConsoleUser::new(&app, "da");

    let wrong = user.sign_in("lone@example.dk", "not-the-password").await;
    assert_eq!(wrong.status, StatusCode::UNAUTHORIZED);
    wrong.assert_shows("Forkert e-mail eller adgangskode.");
    wrong.assert_shows("value=\"lone@example.dk\"");
    let unknown = user.sign_in("nobody@example.dk", PASSWORD).await;
    assert_eq!(
        unknown.status,
        StatusCode::UNAUTHORIZED,
        "unknown answers alike"
    );
    let helper = user.sign_in("anna@example.dk", PASSWORD).await;
    assert_eq!(helper.status, StatusCode::FORBIDDEN);
    helper.assert_shows("Konsollen er for afdelingens personale.");
    let still_out = user.get("/console/").await;
    assert_eq!(
        still_out.status,
        StatusCode::SEE_OTHER,
        "no session for a helper"
    );
    assert!(still_out.location.unwrap().starts_with("/console/login"));
}

async fn sign_in_failures_are_throttled_like_the_api_login(backend: TestBackend) {
    let (app, _, _) = aarhus(backend).await;
    let user = ConsoleUser::new(&app, "en");
    for _ in 0..5 {
        let wrong = user.sign_in("lone@example.dk", "not-the-password").await;
        assert_eq!(wrong.status, StatusCode::UNAUTHORIZED);
    }
    let page = user.get("/console/login").await;
    let csrf = page.csrf();
    let response = user
        .client
        .post(format!("{}/console/login", app.address))
        .form(&[
            ("csrf", csrf.as_str()),
            ("email", "lone@example.dk"),
            ("password", PASSWORD),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::TOO_MANY_REQUESTS);
    assert!(response.headers().get("retry-after").is_some());
    let html = response.text().await.unwrap();
    assert!(html.contains("Too many attempts"), "{html}");
    // The API shares the count: the right password waits there too.
    assert_eq!(app.login("lone@example.dk", PASSWORD).await.status(), 429);
}

async fn a_session_ends_when_the_account_is_deactivated_or_its_password_changes(
    backend: TestBackend,
) {
    let (app, admin, branch) = aarhus(backend).await;
    let board = format!("/console/branches/{branch}/board");
    let users = app.get_ok("/api/v1/users", &admin).await;
    let lone = users["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|u| u["email"] == "lone@example.dk")
        .unwrap()["id"]
        .as_i64()
        .unwrap();

    let first = ConsoleUser::signed_in(&app, "lone@example.dk", PASSWORD).await;
    assert_eq!(first.get(&board).await.status, StatusCode::OK);
    let token = app.token_for("lone@example.dk", PASSWORD).await;
    app.post_ok(
        "/api/v1/me/password",
        Some(&token),
        json!({"current_password": PASSWORD, "new_password": "another-long-password"}),
        200,
    )
    .await;
    assert_eq!(
        first.get(&board).await.status,
        StatusCode::SEE_OTHER,
        "a password change ends the session"
    );

    let second = ConsoleUser::signed_in(&app, "lone@example.dk", "another-long-password").await;
    assert_eq!(second.get(&board).await.status, StatusCode::OK);
    let response = app
        .call(
            reqwest::Method::PATCH,
            &format!("/api/v1/users/{lone}"),
            Some(&admin),
            Some(json!({"active": false})),
        )
        .await;
    assert_eq!(response.status(), 200);
    assert_eq!(
        second.get(&board).await.status,
        StatusCode::SEE_OTHER,
        "deactivation ends the session at the next request"
    );
    let again = second
        .sign_in("lone@example.dk", "another-long-password")
        .await;
    assert_eq!(again.status, StatusCode::UNAUTHORIZED);
}

async fn a_form_posted_without_the_session_token_is_refused_and_changes_nothing(
    backend: TestBackend,
) {
    let (app, _, branch) = aarhus(backend).await;
    let user = ConsoleUser::signed_in(&app, "lone@example.dk", PASSWORD).await;
    let board = format!("/console/branches/{branch}/board");

    for csrf in [None, Some(""), Some("forged-token")] {
        let mut fields = vec![];
        if let Some(token) = csrf {
            fields.push(("csrf", token));
        }
        let refused = user.post("/console/logout", &fields).await;
        assert_eq!(refused.status, StatusCode::FORBIDDEN, "{csrf:?}");
        refused.assert_shows("Ikke tilladt");
        assert_eq!(
            user.get(&board).await.status,
            StatusCode::OK,
            "still signed in"
        );
    }
    // The sign-in form needs its token too (no login CSRF).
    let stranger = ConsoleUser::new(&app, "da");
    let refused = stranger
        .post(
            "/console/login",
            &[("email", "lone@example.dk"), ("password", PASSWORD)],
        )
        .await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
    assert_eq!(
        stranger.get(&board).await.status,
        StatusCode::SEE_OTHER,
        "no session from a forged sign-in"
    );
}

async fn a_leader_cannot_open_another_branch_and_an_admin_picks_one(backend: TestBackend) {
    let (app, admin, aarhus) = aarhus(backend).await;
    let odense = app.create_branch(&admin, "Odense").await;
    let client = app.create_client(&admin, odense, "ole@example.dk").await;
    let leader = ConsoleUser::signed_in(&app, "lone@example.dk", PASSWORD).await;

    for path in [
        format!("/console/branches/{odense}/board"),
        format!("/console/branches/{odense}/clients/{client}"),
        "/console/branches/999999/board".to_string(),
        "/console/no-such-page".to_string(),
    ] {
        let page = leader.get(&path).await;
        assert_eq!(page.status, StatusCode::NOT_FOUND, "{path}");
        page.assert_shows("Siden findes ikke");
    }
    let list = leader.get("/console/branches").await;
    assert_eq!(
        list.location,
        Some(format!("/console/branches/{aarhus}/board")),
        "a leader has no branch list"
    );

    let admin_user = ConsoleUser::signed_in(&app, ADMIN_EMAIL, PASSWORD).await;
    let home = admin_user.get("/console/").await;
    assert_eq!(home.location.as_deref(), Some("/console/branches"));
    let picker = admin_user.get("/console/branches").await;
    assert_eq!(picker.status, StatusCode::OK);
    picker.assert_shows(&format!("href=\"/console/branches/{aarhus}/board\""));
    picker.assert_shows(&format!("href=\"/console/branches/{odense}/board\""));
    assert_eq!(
        admin_user
            .get(&format!("/console/branches/{odense}/board"))
            .await
            .status,
        StatusCode::OK
    );
}

on_both_backends!(
    a_leader_signs_in_lands_on_their_week_and_signs_out,
    the_session_cookie_is_http_only_strict_and_secure_behind_https,
    a_wrong_password_and_a_non_staff_account_are_told_at_the_form,
    sign_in_failures_are_throttled_like_the_api_login,
    a_session_ends_when_the_account_is_deactivated_or_its_password_changes,
    a_form_posted_without_the_session_token_is_refused_and_changes_nothing,
    a_leader_cannot_open_another_branch_and_an_admin_picks_one,
);
