//! Clients in the console: the list's search and filters, a client's page, create and edit
//! through the services with refusals at the form, a clip card bought once however often the
//! form is sent, escaping, and the wrong branch — over HTTP on both databases and in Chromium.

use reqwest::StatusCode;

use serde_json::{Value, json};

use super::board::{Booked, booked};

use crate::support::TestBackend;
use crate::support::browser::Driver;
use crate::support::console::{ConsoleUser, field_value};
use crate::support::fixtures::{PASSWORD, client};

mod clip_cards_and_reach;
mod page_and_forms;

mod list;

pub(super) const LEADER: &str = "lone@example.dk";

/// The booked branch (Karen paired with Anna, a clip card, a visit), plus a leader of another
/// branch; returns the leader's API token.
pub(super) async fn setting(backend: TestBackend) -> (Booked, String) {
    let b = booked(backend).await;
    let admin = b.app.token_for("admin@example.dk", PASSWORD).await;
    let odense = b.app.create_branch(&admin, "Odense").await;
    b.app.leader_token(&admin, odense, "olga@example.dk").await;
    let leader = b.app.token_for(LEADER, PASSWORD).await;
    (b, leader)
}

/// Creates a client through the API with `changes` over the fixture's body.
pub(super) async fn another_client(b: &Booked, leader: &str, changes: Value) -> i64 {
    let mut body = client(b.branch, "other@example.dk");
    body["email"] = Value::Null;
    for (k, v) in changes.as_object().unwrap() {
        body[k] = v.clone();
    }
    b.app
        .post_ok("/api/v1/clients", Some(leader), body, 201)
        .await["id"]
        .as_i64()
        .unwrap()
}

async fn client_count(b: &Booked, leader: &str) -> usize {
    b.app
        .get_ok(&format!("/api/v1/clients?branch={}", b.branch), leader)
        .await["items"]
        .as_array()
        .unwrap()
        .len()
}

/// The list's address with `query`.
pub(super) fn list(b: &Booked, query: &str) -> String {
    format!("/console/branches/{}/clients{query}", b.branch)
}

/// In Chromium: find Karen by name, open her page, buy a clip card; the balance grows.
async fn finding_a_client_and_buying_a_clip_card_in_the_browser(backend: TestBackend) {
    let Some(driver) = Driver::start().await else {
        return;
    };
    let (b, leader) = setting(backend).await;
    let browser = driver.browser("da").await;
    // A laptop's window, so the screenshot shows the page as a leader sees it.
    browser
        .client
        .set_window_size(1400, 1000)
        .await
        .expect("window size");
    browser
        .open(&format!(
            "{}/console/branches/{}/clients",
            b.app.address, b.branch
        ))
        .await;
    browser.type_into("email", LEADER).await;
    browser.type_into("password", PASSWORD).await;
    browser
        .wait_css("form[action='/console/login'] button[type='submit']")
        .await
        .click()
        .await
        .unwrap();
    browser.type_into("q", "karen").await;
    browser.click("filter").await;
    // The row is on the list before the search too: wait for the searched page, or the click
    // may land on the old page's row as the new one replaces it.
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    while !browser.url().await.contains("q=karen") {
        assert!(
            std::time::Instant::now() < deadline,
            "the search did not load"
        );
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    browser
        .wait_css(&format!("tr[data-client-id='{}'] a", b.client))
        .await
        .click()
        .await
        .unwrap();
    browser.wait_for("client-name").await;
    browser.screenshot("client").await;
    browser.click("buy-clip-card").await;
    browser.click("product-clip_card_8h").await;
    browser.type_into("payment_reference", "INV-9").await;
    browser.click("buy").await;
    let done = browser.text("done").await;
    assert!(done.contains("Klippekortet er købt"), "{done}");
    browser
        .wait_css("#balance[data-available-minutes='870']")
        .await;
    let balance = b
        .app
        .get_ok(&format!("/api/v1/clients/{}/balance", b.client), &leader)
        .await;
    assert_eq!(balance["purchased_minutes"], 960);
    browser.close().await;
}

mod in_browser {
    crate::on_both_backends!(finding_a_client_and_buying_a_clip_card_in_the_browser);
    use super::finding_a_client_and_buying_a_clip_card_in_the_browser;
}
