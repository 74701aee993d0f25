//! The links in mails open pages that work (issue 12, item 7), clicked through in a real
//! browser: Debian's Chromium, driven by its chromedriver over WebDriver (fantoccini).
//!
//! These run on SQLite only: what the pages do is the services' work, which the API tests
//! cover on both databases; here the question is whether a person with a mail and a browser
//! gets through (forms, messages, links, language).

use reqwest::Method;
use serde_json::{Value, json};

use crate::support::browser::{Driver, mailed_link, mails};
use crate::support::fixtures::{PASSWORD, application};
use crate::support::{TestApp, TestBackend, spawn_app};

const NEW_PASSWORD: &str = "a-sentence-I-can-remember";

/// Walks an applicant to active (so the `helper_activated` mail is queued); returns the id.
async fn activated_helper(app: &TestApp, admin: &str, branch: i64, email: &str) -> i64 {
    let helper = app.apply(branch, email).await["helper_id"]
        .as_i64()
        .unwrap();
    for body in [
        json!({"to": "screened"}),
        json!({"to": "interview_1"}),
        json!({"to": "interview_2"}),
        json!({"to": "interview_3", "criminal_record": {"checked_on": "2026-11-20", "outcome": "clear"}}),
        json!({"to": "active"}),
    ] {
        assert_eq!(app.transition(admin, helper, body).await.status(), 200);
    }
    helper
}

#[tokio::test]
async fn the_activation_link_sets_a_password_in_the_browser_and_works_only_once() {
    let Some(driver) = Driver::start().await else {
        return;
    };
    let app = spawn_app(TestBackend::Sqlite).await;
    let admin = app.admin_token().await;
    let branch = app.create_branch(&admin, "Aarhus").await;
    activated_helper(&app, &admin, branch, "anna@example.dk").await;
    let link = mailed_link(&app, "helper_activated", "anna@example.dk");
    let browser = driver.browser("da").await;

    browser.open(&link).await;
    browser.set_password(NEW_PASSWORD, NEW_PASSWORD).await;

    assert_eq!(
        browser.text("message").await,
        "Din adgangskode er gemt. Du kan nu logge ind i helpmatch-appen."
    );
    assert_eq!(
        app.login("anna@example.dk", NEW_PASSWORD).await.status(),
        200,
        "the password set in the browser logs in"
    );
    // The same link again: used up, with the way to a new one.
    browser.open(&link).await;
    assert_eq!(
        browser.text("message").await,
        "Linket er brugt eller udløbet. Bed om et nyt, så sender vi det med det samme."
    );
    assert!(!browser.has("password").await, "no form for a used link");
    let next = browser.wait_for("next").await;
    assert_eq!(
        next.prop("href").await.unwrap().unwrap(),
        format!("{}/forgot-password", app.address)
    );
    browser.click("next").await;
    browser.wait_for("email").await;
    browser.close().await;
}

#[tokio::test]
async fn mismatched_passwords_are_shown_at_the_form_and_set_nothing() {
    let Some(driver) = Driver::start().await else {
        return;
    };
    let app = spawn_app(TestBackend::Sqlite).await;
    let admin = app.admin_token().await;
    let branch = app.create_branch(&admin, "Aarhus").await;
    activated_helper(&app, &admin, branch, "anna@example.dk").await;
    let link = mailed_link(&app, "helper_activated", "anna@example.dk");
    let browser = driver.browser("da").await;

    browser.open(&link).await;
    browser
        .set_password(NEW_PASSWORD, "a-sentence-I-can-forget")
        .await;

    assert_eq!(
        browser.text("error").await,
        "De to adgangskoder er ikke ens. Prøv igen."
    );
    assert!(
        browser.has("password").await,
        "the form is there to try again"
    );
    for password in [NEW_PASSWORD, "a-sentence-I-can-forget"] {
        assert_eq!(app.login("anna@example.dk", password).await.status(), 401);
    }
    // The link was not used up: the form still works with matching passwords.
    browser.set_password(NEW_PASSWORD, NEW_PASSWORD).await;
    browser.wait_for("message").await;
    assert_eq!(
        app.login("anna@example.dk", NEW_PASSWORD).await.status(),
        200
    );
    browser.close().await;
}

#[tokio::test]
async fn the_forgot_password_page_answers_alike_and_the_mailed_link_resets_the_password() {
    let Some(driver) = Driver::start().await else {
        return;
    };
    let app = spawn_app(TestBackend::Sqlite).await;
    let admin = app.admin_token().await;
    let branch = app.create_branch(&admin, "Aarhus").await;
    app.leader_token(&admin, branch, "lone@example.dk").await;
    let browser = driver.browser("da").await;
    let ask = |email: &'static str| {
        let browser = &browser;
        let page = format!("{}/forgot-password", app.address);
        async move {
            browser.open(&page).await;
            browser.type_into("email", email).await;
            browser.click("send").await;
            browser.text("message").await
        }
    };

    let known = ask("lone@example.dk").await;
    let unknown = ask("nobody@example.dk").await;

    assert_eq!(
        known,
        "Hvis e-mailen har en konto hos os, er et link på vej. Det virker i en time."
    );
    assert_eq!(known, unknown, "the page does not tell who has an account");
    assert_eq!(mails(&app, "password_reset", "lone@example.dk"), 1);
    assert_eq!(mails(&app, "password_reset", "nobody@example.dk"), 0);
    browser
        .open(&mailed_link(&app, "password_reset", "lone@example.dk"))
        .await;
    browser.set_password(NEW_PASSWORD, NEW_PASSWORD).await;
    assert_eq!(
        browser.text("message").await,
        "Din adgangskode er gemt. Du kan nu logge ind i konsollen.",
        "a leader is sent on to the console"
    );
    assert_eq!(
        app.login("lone@example.dk", NEW_PASSWORD).await.status(),
        200
    );
    assert_eq!(
        app.login("lone@example.dk", PASSWORD).await.status(),
        401,
        "the old password is gone"
    );
    browser.close().await;
}

#[tokio::test]
async fn the_application_mail_opens_the_applicants_status_page_with_branch_and_stage() {
    let Some(driver) = Driver::start().await else {
        return;
    };
    let app = spawn_app(TestBackend::Sqlite).await;
    let admin = app.admin_token().await;
    let branch = app.create_branch(&admin, "Aarhus").await;
    let helper = app.apply(branch, "anna@example.dk").await["helper_id"]
        .as_i64()
        .unwrap();
    let link = mailed_link(&app, "application_received", "anna@example.dk");
    let browser = driver.browser("da").await;

    browser.open(&link).await;
    let (branch_shown, stage) = (browser.text("branch").await, browser.text("stage").await);
    assert_eq!(
        app.transition(&admin, helper, json!({"to": "screened"}))
            .await
            .status(),
        200
    );
    browser.open(&link).await;
    let moved = browser.text("stage").await;

    assert_eq!(branch_shown, "Aarhus");
    assert_eq!(stage, "Ansøgning modtaget");
    assert_eq!(
        moved, "Ansøgningen er læst",
        "the page shows the stage as it is now"
    );
    assert_eq!(browser.page_language().await, "da");
    browser.close().await;
}

#[tokio::test]
async fn a_browser_asking_for_english_gets_the_pages_in_english() {
    let Some(driver) = Driver::start().await else {
        return;
    };
    let app = spawn_app(TestBackend::Sqlite).await;
    let admin = app.admin_token().await;
    let branch = app.create_branch(&admin, "Aarhus").await;
    let mut body = application(branch, "anna@example.dk");
    body["languages"] = json!(["en"]);
    app.post_ok("/api/v1/applications", None, body, 201).await;
    let link = mailed_link(&app, "application_received", "anna@example.dk");
    let english = driver.browser("en").await;
    let danish = driver.browser("da").await;

    english.open(&link).await;
    danish.open(&link).await;

    assert_eq!(english.text("stage").await, "Application received");
    assert_eq!(english.page_language().await, "en");
    assert_eq!(danish.text("stage").await, "Ansøgning modtaget");
    english
        .open(&format!("{}/forgot-password", app.address))
        .await;
    english.type_into("email", "nobody@example.dk").await;
    english.click("send").await;
    assert_eq!(
        english.text("message").await,
        "If the email has an account with us, a link is on its way. It works for an hour."
    );
    english.close().await;
    danish.close().await;
}

#[tokio::test]
async fn a_relatives_invitation_and_access_mails_open_working_pages() {
    let Some(driver) = Driver::start().await else {
        return;
    };
    let app = spawn_app(TestBackend::Sqlite).await;
    let admin = app.admin_token().await;
    let branch = app.create_branch(&admin, "Aarhus").await;
    let karen = app.create_client(&admin, branch, "karen@example.dk").await;
    let ib = app.create_client(&admin, branch, "ib@example.dk").await;
    let relative = json!({"name": "Mette Nielsen", "email": "mette@example.dk", "relation": "daughter",
                          "can_view": true, "consent_given_on": "2026-11-01", "create_account": true});
    let add_relative = |client: i64| {
        let (app, admin, body) = (&app, &admin, relative.clone());
        async move {
            app.call(
                Method::POST,
                &format!("/api/v1/clients/{client}/relatives"),
                Some(admin),
                Some(body),
            )
            .await
        }
    };
    assert_eq!(add_relative(karen).await.status(), 201);
    let browser = driver.browser("da").await;

    browser
        .open(&mailed_link(&app, "account_invitation", "mette@example.dk"))
        .await;
    browser.set_password(NEW_PASSWORD, NEW_PASSWORD).await;
    browser.wait_for("message").await;
    let linked: Value = add_relative(ib).await.json().await.unwrap();
    assert_eq!(linked["linked_existing_account"], true, "{linked}");
    // The relative-access mail only says "log in": its link opens the landing page.
    browser
        .open(&mailed_link(&app, "relative_access", "mette@example.dk"))
        .await;

    assert!(
        browser.text("forgot").await.contains("Glemt adgangskode"),
        "the landing page opened"
    );
    browser.click("forgot").await;
    browser.wait_for("email").await;
    assert_eq!(
        app.login("mette@example.dk", NEW_PASSWORD).await.status(),
        200
    );
    browser.close().await;
}
