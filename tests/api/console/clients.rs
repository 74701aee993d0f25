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

async fn the_client_page_shows_team_balance_relatives_and_visits(backend: TestBackend) {
    let (b, leader) = setting(backend).await;
    let relative = json!({"name": "Lene Nielsen", "email": "lene@example.dk", "relation": "datter",
        "can_view": true, "can_book": true, "can_pay": false, "consent_given_on": "2026-11-20"});
    b.app
        .post_ok(
            &format!("/api/v1/clients/{}/relatives", b.client),
            Some(&leader),
            relative,
            201,
        )
        .await;
    let user = ConsoleUser::signed_in(&b.app, LEADER, PASSWORD).await;

    let page = user
        .get(&format!(
            "/console/branches/{}/clients/{}",
            b.branch, b.client
        ))
        .await;

    assert_eq!(page.status, StatusCode::OK, "{}", page.html);
    page.assert_shows("<h1 id=\"client-name\">Karen Nielsen</h1>");
    page.assert_shows("Vestergade 1, 8000 Aarhus C");
    page.assert_shows("Cat called Mis; key in the box");
    page.assert_shows("<dd id=\"needs\">IT, indkøb</dd>");
    let team: Value = b
        .app
        .get_ok(&format!("/api/v1/clients/{}/helpers", b.client), &leader)
        .await;
    let since = &team[0]["since"].as_str().unwrap()[..10];
    page.assert_shows(&format!(
        "<li data-helper-id=\"{}\">Anna Jensen – siden {since}</li>",
        b.helper
    ));
    page.assert_shows("Hjælpere (1/2)");
    page.assert_shows("id=\"short-notice\"");
    // 480 bought, 90 held by the booked visit.
    page.assert_shows("data-available-minutes=\"390\"");
    page.assert_shows("6 t 30 min");
    let relatives = &page.html[page.html.find("id=\"relatives\"").unwrap()..];
    let relatives = &relatives[..relatives.find("</table>").unwrap()];
    assert!(relatives.contains("Lene Nielsen"), "{relatives}");
    assert!(relatives.contains(">se</span>") && relatives.contains(">booke</span>"));
    assert!(!relatives.contains(">betale</span>"), "no right to pay");
    let upcoming = &page.html[page.html.find("id=\"upcoming\"").unwrap()..];
    assert!(
        upcoming[..upcoming.find("</table>").unwrap()].contains(&format!(
            "href=\"/console/branches/{}/visits/{}\"",
            b.branch, b.visit
        ))
    );
    page.assert_shows("<tr data-kind=\"purchase\">");
    page.assert_shows("<tr data-kind=\"reserve\">");
}

async fn creating_a_client_with_bad_input_shows_the_messages_and_stores_nothing(
    backend: TestBackend,
) {
    let (b, leader) = setting(backend).await;
    let user = ConsoleUser::signed_in(&b.app, LEADER, PASSWORD).await;
    let new = format!("/console/branches/{}/clients/new", b.branch);
    let before = client_count(&b, &leader).await;

    let not_a_number = user
        .submit(
            &new,
            &new,
            &[
                ("name", "Ole Olsen"),
                ("address", "Nørregade 2"),
                ("lat", "north"),
                ("lon", "10.2"),
                ("languages", "da"),
                ("wanted", "2"),
                ("source", "relative"),
            ],
        )
        .await;
    assert_eq!(not_a_number.status, StatusCode::UNPROCESSABLE_ENTITY);
    not_a_number.assert_shows("Breddegrad: must be a number");
    not_a_number.assert_shows("value=\"Ole Olsen\"");
    let refused = user
        .submit(
            &new,
            &new,
            &[
                ("name", " "),
                ("address", "Nørregade 2"),
                ("lat", "56.15"),
                ("lon", "10.2"),
                ("needs", "cleaning"),
                ("needs", "flying"),
                ("languages", "da"),
                ("wanted", "2"),
                ("source", "relative"),
                ("care_notes", "ring twice"),
            ],
        )
        .await;
    assert_eq!(
        refused.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        refused.html
    );
    refused.assert_shows("id=\"form-error\"");
    refused.assert_shows("<li>Navn:");
    refused.assert_shows("<li>Behov:");
    refused.assert_shows("value=\"Nørregade 2\"");
    refused.assert_shows(">ring twice</textarea>");
    refused.assert_shows(
        "id=\"need-cleaning\" name=\"needs\" type=\"checkbox\" value=\"cleaning\" checked",
    );
    assert_eq!(client_count(&b, &leader).await, before);

    let created = user
        .submit(
            &new,
            &new,
            &[
                ("name", "Ole Olsen"),
                ("address", "Nørregade 2"),
                ("lat", "56,15"),
                ("lon", "10.2"),
                ("needs", "cleaning"),
                ("needs", "gardening"),
                ("languages", "da, en"),
                ("wanted", "3"),
                ("source", "relative"),
                ("municipal_home_care", "true"),
            ],
        )
        .await;
    assert_eq!(created.status, StatusCode::SEE_OTHER, "{}", created.html);
    let location = created.location.unwrap();
    assert!(location.ends_with("?done=created"), "{location}");
    let id: i64 = location
        .rsplit('/')
        .next()
        .unwrap()
        .split('?')
        .next()
        .unwrap()
        .parse()
        .unwrap();
    let stored = b
        .app
        .get_ok(&format!("/api/v1/clients/{id}"), &leader)
        .await;
    assert_eq!(stored["name"], "Ole Olsen");
    assert_eq!(stored["needs"], json!(["cleaning", "gardening"]));
    assert_eq!(stored["languages"], json!(["da", "en"]));
    assert_eq!(stored["position"]["lat"], 56.15);
    assert_eq!(stored["wanted"], 3);
    assert_eq!(stored["municipal_home_care"], true);
    assert_eq!(client_count(&b, &leader).await, before + 1);
    user.get(&location)
        .await
        .assert_shows("Borgeren er oprettet.");
}

async fn editing_a_client_saves_through_the_service_and_a_refusal_keeps_the_record(
    backend: TestBackend,
) {
    let (b, leader) = setting(backend).await;
    let user = ConsoleUser::signed_in(&b.app, LEADER, PASSWORD).await;
    let edit = format!("/console/branches/{}/clients/{}/edit", b.branch, b.client);
    let form = user.get(&edit).await;
    assert_eq!(form.status, StatusCode::OK, "{}", form.html);
    assert_eq!(
        field_value(&form.html, "name").as_deref(),
        Some("Karen Nielsen")
    );
    assert_eq!(field_value(&form.html, "lat").as_deref(), Some("56.157"));
    let fields = |name: &'static str, phone: &'static str| {
        vec![
            ("name", name),
            ("address", "Vestergade 1, 8000 Aarhus C"),
            ("phone", phone),
            ("lat", "56.157"),
            ("lon", "10.205"),
            ("needs", "it"),
            ("languages", "da"),
            ("wanted", "3"),
            ("source", "partner_organisation"),
            ("source_detail", "Ældresagen"),
            ("care_notes", "Cat called Mis"),
        ]
    };

    let refused = user
        .submit(&edit, &edit, &fields("", "+45 11 22 33 44"))
        .await;
    assert_eq!(
        refused.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        refused.html
    );
    refused.assert_shows("value=\"+45 11 22 33 44\"");
    let unchanged = b
        .app
        .get_ok(&format!("/api/v1/clients/{}", b.client), &leader)
        .await;
    assert_eq!(unchanged["wanted"], 2);

    let saved = user
        .submit(&edit, &edit, &fields("Karen Nielsen", "+45 11 22 33 44"))
        .await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.html);
    assert!(saved.location.unwrap().ends_with("?done=saved"));
    let stored = b
        .app
        .get_ok(&format!("/api/v1/clients/{}", b.client), &leader)
        .await;
    assert_eq!(stored["wanted"], 3);
    assert_eq!(stored["needs"], json!(["it"]));
    assert_eq!(stored["care_notes"], "Cat called Mis");
    assert_ne!(stored["phone"], unchanged["phone"]);
}

async fn a_clip_card_bought_on_the_clients_behalf_is_bought_once_when_the_form_is_sent_twice(
    backend: TestBackend,
) {
    let (b, leader) = setting(backend).await;
    let user = ConsoleUser::signed_in(&b.app, LEADER, PASSWORD).await;
    let buy = format!(
        "/console/branches/{}/clients/{}/clip-cards",
        b.branch, b.client
    );
    let balance = || async {
        b.app
            .get_ok(&format!("/api/v1/clients/{}/balance", b.client), &leader)
            .await["purchased_minutes"]
            .as_i64()
            .unwrap()
    };
    assert_eq!(balance().await, 480);
    let form = user.get(&buy).await;
    assert_eq!(form.status, StatusCode::OK, "{}", form.html);
    form.assert_shows("Klippekort, 8 timer – 1.560,00 DKK");
    let (csrf, form_id) = (form.csrf(), field_value(&form.html, "form_id").unwrap());
    let fields = [
        ("csrf", csrf.as_str()),
        ("form_id", form_id.as_str()),
        ("product", "clip_card_8h"),
        ("payment_reference", "INV-77"),
    ];

    let first = user.post(&buy, &fields).await;
    let again = user.post(&buy, &fields).await;

    for answer in [&first, &again] {
        assert_eq!(answer.status, StatusCode::SEE_OTHER, "{}", answer.html);
        assert!(
            answer
                .location
                .as_deref()
                .unwrap()
                .ends_with("?done=bought")
        );
    }
    assert_eq!(balance().await, 960, "one card, not two");
    let cards = b
        .app
        .get_ok(&format!("/api/v1/clients/{}/clip-cards", b.client), &leader)
        .await;
    let cards = cards["items"].as_array().unwrap();
    assert_eq!(cards.len(), 2);
    assert_eq!(cards[1]["payment_method"], "invoice");
    assert_eq!(cards[1]["payment_reference"], "INV-77");
    // The same form id for another purchase is refused; a fresh form buys again.
    let other = user
        .post(
            &buy,
            &[
                ("csrf", csrf.as_str()),
                ("form_id", form_id.as_str()),
                ("product", "single_hour"),
                ("payment_reference", "INV-78"),
            ],
        )
        .await;
    assert_eq!(
        other.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        other.html
    );
    other.assert_shows("id=\"buy-error\"");
    let fresh = user
        .submit(
            &buy,
            &buy,
            &[("form_id", "a-new-form"), ("product", "single_hour")],
        )
        .await;
    assert_eq!(fresh.status, StatusCode::SEE_OTHER, "{}", fresh.html);
    assert_eq!(balance().await, 1020);
    let unknown = user
        .submit(
            &buy,
            &buy,
            &[("form_id", "yet-another"), ("product", "gold_card")],
        )
        .await;
    assert_eq!(unknown.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(balance().await, 1020);
    let no_token = user
        .post(&buy, &[("form_id", "third"), ("product", "single_hour")])
        .await;
    assert_eq!(no_token.status, StatusCode::FORBIDDEN);
    assert_eq!(balance().await, 1020);
}

async fn a_client_named_like_a_script_is_shown_as_text(backend: TestBackend) {
    let (b, leader) = setting(backend).await;
    let id = another_client(&b, &leader, json!({"name": "<script>alert(1)</script>"})).await;
    let user = ConsoleUser::signed_in(&b.app, LEADER, PASSWORD).await;

    let on_list = user.get(&list(&b, "")).await;
    let on_page = user
        .get(&format!("/console/branches/{}/clients/{id}", b.branch))
        .await;
    let on_edit = user
        .get(&format!("/console/branches/{}/clients/{id}/edit", b.branch))
        .await;

    for page in [&on_list, &on_page, &on_edit] {
        assert_eq!(page.status, StatusCode::OK);
        page.assert_shows("&lt;script&gt;alert(1)&lt;&#x2f;script&gt;");
        assert!(!page.html.contains("<script>alert(1)"), "{}", page.html);
    }
}

async fn a_leader_of_another_branch_gets_404_for_client_pages_and_posts(backend: TestBackend) {
    let (b, leader) = setting(backend).await;
    let olga = ConsoleUser::signed_in(&b.app, "olga@example.dk", PASSWORD).await;
    let own = olga.get("/console/branches").await;
    let csrf = match own.location.as_deref() {
        Some(board) => olga.get(board).await.csrf(),
        None => own.csrf(),
    };
    let base = format!("/console/branches/{}/clients", b.branch);
    let client_page = format!("{base}/{}", b.client);

    for path in [
        base.clone(),
        client_page.clone(),
        format!("{client_page}/edit"),
        format!("{client_page}/clip-cards"),
        format!("{base}/new"),
    ] {
        let page = olga.get(&path).await;
        assert_eq!(page.status, StatusCode::NOT_FOUND, "{path}");
        assert!(!page.html.contains("Karen Nielsen"), "{path}");
    }
    let edit = olga
        .post(
            &format!("{client_page}/edit"),
            &[
                ("csrf", &csrf),
                ("name", "Taken Over"),
                ("address", "x"),
                ("lat", "56"),
                ("lon", "10"),
                ("languages", "da"),
                ("wanted", "2"),
                ("source", "relative"),
            ],
        )
        .await;
    let bought = olga
        .post(
            &format!("{client_page}/clip-cards"),
            &[
                ("csrf", &csrf),
                ("form_id", "f1"),
                ("product", "clip_card_8h"),
                ("payment_reference", ""),
            ],
        )
        .await;
    let created = olga
        .post(
            &format!("{base}/new"),
            &[
                ("csrf", &csrf),
                ("name", "Sneaky"),
                ("address", "x"),
                ("lat", "56"),
                ("lon", "10"),
                ("languages", "da"),
                ("wanted", "2"),
                ("source", "relative"),
            ],
        )
        .await;
    for answer in [&edit, &bought, &created] {
        assert_eq!(answer.status, StatusCode::NOT_FOUND, "{}", answer.html);
    }
    let karen = b
        .app
        .get_ok(&format!("/api/v1/clients/{}", b.client), &leader)
        .await;
    assert_eq!(karen["name"], "Karen Nielsen");
    let balance = b
        .app
        .get_ok(&format!("/api/v1/clients/{}/balance", b.client), &leader)
        .await;
    assert_eq!(balance["purchased_minutes"], 480);
    assert_eq!(client_count(&b, &leader).await, 1);
}

crate::on_both_backends!(
    the_client_page_shows_team_balance_relatives_and_visits,
    creating_a_client_with_bad_input_shows_the_messages_and_stores_nothing,
    editing_a_client_saves_through_the_service_and_a_refusal_keeps_the_record,
    a_clip_card_bought_on_the_clients_behalf_is_bought_once_when_the_form_is_sent_twice,
    a_client_named_like_a_script_is_shown_as_text,
    a_leader_of_another_branch_gets_404_for_client_pages_and_posts,
);

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
