//! Signing in and out, sessions that end when the account changes, CSRF, branch scoping,
//! escaping, headers and the language switch.

use reqwest::StatusCode;

use serde_json::json;

use crate::on_both_backends;
use crate::support::browser::{Driver, mailed_link};
use crate::support::console::ConsoleUser;
use crate::support::fixtures::{ADMIN_EMAIL, PASSWORD};
use crate::support::{TestApp, TestBackend, spawn_app};

mod headers_and_language;
mod sessions;

/// An app with an admin, a branch "Aarhus" and its leader; returns (app, admin token, branch).
async fn aarhus(backend: TestBackend) -> (TestApp, String, i64) {
    let app = spawn_app(backend).await;
    let admin = app.admin_token().await;
    let branch = app.create_branch(&admin, "Aarhus").await;
    app.leader_token(&admin, branch, "lone@example.dk").await;
    (app, admin, branch)
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
