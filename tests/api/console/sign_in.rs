//! Signing in and out, sessions that end when the account changes, CSRF, branch scoping,
//! escaping, headers and the language switch.

use reqwest::StatusCode;
use serde_json::json;

use crate::support::browser::{Driver, mailed_link};
use crate::support::console::ConsoleUser;
use crate::support::fixtures::{ADMIN_EMAIL, PASSWORD};
use crate::support::{TestApp, TestBackend, spawn_app};
use crate::on_both_backends;

/// An app with an admin, a branch "Aarhus" and its leader; returns (app, admin token, branch).
async fn aarhus(backend: TestBackend) -> (TestApp, String, i64) {
    let app = spawn_app(backend).await;
    let admin = app.admin_token().await;
    let branch = app.create_branch(&admin, "Aarhus").await;
    app.leader_token(&admin, branch, "lone@example.dk").await;
    (app, admin, branch)
}

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

async fn pages_carry_a_strict_content_security_policy_and_escape_what_people_typed(
    backend: TestBackend,
) {
    let (app, admin, branch) = aarhus(backend).await;
    let mut body = crate::support::fixtures::client(branch, "x@example.dk");
    body["name"] = json!("<script>alert(1)</script>");
    app.post_ok("/api/v1/clients", Some(&admin), body, 201)
        .await;
    let user = ConsoleUser::signed_in(&app, "lone@example.dk", PASSWORD).await;

    let response = user
        .client
        .get(format!("{}/console/branches/{branch}/board", app.address))
        .send()
        .await
        .unwrap();
    let csp = response.headers()["content-security-policy"]
        .to_str()
        .unwrap()
        .to_string();
    assert!(
        csp.contains("script-src 'self'") && !csp.contains("unsafe"),
        "{csp}"
    );
    assert_eq!(response.headers()["x-frame-options"], "DENY");
    assert_eq!(response.headers()["cache-control"], "no-store");
    let html = response.text().await.unwrap();
    assert!(
        !html.contains("<script>alert(1)</script>"),
        "the name is escaped"
    );
    assert!(
        html.contains("&lt;script&gt;alert(1)&lt;&#x2f;script&gt;"),
        "the name shows as text in the short-of-helpers list: {html}"
    );
    // No script but the service's own files.
    for (at, _) in html.match_indices("<script") {
        let tag = html[at..at + html[at..].find('>').unwrap()].replace("&#x2f;", "/");
        assert!(tag.contains("src=\"/console/static/"), "{tag}");
    }
    let htmx = app.get("/console/static/htmx-2.0.11.min.js").await;
    assert_eq!(htmx.status(), 200);
    assert!(htmx.text().await.unwrap().contains("htmx"));
}

async fn the_language_follows_the_browser_and_the_switch_sticks(backend: TestBackend) {
    let (app, _, branch) = aarhus(backend).await;
    let board = format!("/console/branches/{branch}/board");
    let english = ConsoleUser::new(&app, "en-GB,en;q=0.9");
    english.sign_in("lone@example.dk", PASSWORD).await;
    let page = english.get(&board).await;
    page.assert_shows("<html lang=\"en\">");
    page.assert_shows("Week board");

    let switched = english
        .get(&format!(
            "/console/language?to=da&back={}",
            urlencode(&board)
        ))
        .await;
    assert_eq!(switched.status, StatusCode::SEE_OTHER);
    assert_eq!(switched.location.as_deref(), Some(board.as_str()));
    let page = english.get(&board).await;
    page.assert_shows("<html lang=\"da\">");
    page.assert_shows("Ugeoversigt");
    // Nowhere but the console: a switch cannot send the browser to another site.
    let elsewhere = english
        .get("/console/language?to=en&back=https%3A%2F%2Fevil.example")
        .await;
    assert_eq!(elsewhere.location.as_deref(), Some("/console/"));
    let unknown = english.get("/console/language?to=xx").await;
    assert_eq!(unknown.status, StatusCode::BAD_REQUEST);
    unknown.assert_shows("<html lang=\"en\">");
    // After sign-in only console pages are a place to come back to.
    let user = ConsoleUser::new(&app, "da");
    let form = user
        .get("/console/login?next=https%3A%2F%2Fevil.example")
        .await;
    form.assert_shows("name=\"next\" value=\"&#x2f;console&#x2f;\"");
}

/// In Chromium: a leader invited by mail sets a password on the mailed page, is sent on to the
/// console's sign-in and lands on their branch's week.
async fn an_invited_leader_sets_a_password_from_the_mail_and_signs_in_to_the_console(
    backend: TestBackend,
) {
    let Some(driver) = Driver::start().await else {
        return;
    };
    let app = spawn_app(backend).await;
    let admin = app.admin_token().await;
    let branch = app.create_branch(&admin, "Aarhus").await;
    let invited = app
        .post_ok(
            "/api/v1/users",
            Some(&admin),
            json!({"email": "mette@example.dk", "name": "Mette Leder", "role": "branch_leader", "branch_id": branch}),
            201,
        )
        .await;
    assert_eq!(invited["has_password"], false, "{invited}");
    let link = mailed_link(&app, "account_invitation", "mette@example.dk");
    let browser = driver.browser("da").await;

    browser.open(&link).await;
    browser
        .set_password("mettes-new-password", "mettes-new-password")
        .await;
    assert_eq!(
        browser.text("message").await,
        "Din adgangskode er gemt. Du kan nu logge ind i konsollen."
    );
    browser.click("next").await;
    browser.type_into("email", "mette@example.dk").await;
    browser.type_into("password", "mettes-new-password").await;
    browser
        .wait_css("form[action='/console/login'] button[type='submit']")
        .await
        .click()
        .await
        .unwrap();

    browser.wait_css("table.board").await;
    assert_eq!(
        browser.url().await,
        format!("{}/console/branches/{branch}/board", app.address)
    );
    assert!(
        browser
            .wait_css(".who span:not(.branch-name)")
            .await
            .text()
            .await
            .unwrap()
            .contains("Mette Leder")
    );
    browser.close().await;
}

mod in_browser {
    crate::on_both_backends!(
        an_invited_leader_sets_a_password_from_the_mail_and_signs_in_to_the_console
    );
    use super::an_invited_leader_sets_a_password_from_the_mail_and_signs_in_to_the_console;
}

fn urlencode(text: &str) -> String {
    form_urlencoded::byte_serialize(text.as_bytes()).collect()
}

on_both_backends!(
    a_leader_signs_in_lands_on_their_week_and_signs_out,
    the_session_cookie_is_http_only_strict_and_secure_behind_https,
    a_wrong_password_and_a_non_staff_account_are_told_at_the_form,
    sign_in_failures_are_throttled_like_the_api_login,
    a_session_ends_when_the_account_is_deactivated_or_its_password_changes,
    a_form_posted_without_the_session_token_is_refused_and_changes_nothing,
    a_leader_cannot_open_another_branch_and_an_admin_picks_one,
    pages_carry_a_strict_content_security_policy_and_escape_what_people_typed,
    the_language_follows_the_browser_and_the_switch_sticks,
);
