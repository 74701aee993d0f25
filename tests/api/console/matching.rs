//! Matching in the console: the parameters form, a proposal with its explanations, who is
//! left short and why, the plot of the branch, committing it, and a stale proposal refused
//! with a fresh one offered — over HTTP on both databases and in Chromium.

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::on_both_backends;
use crate::support::browser::Driver;
use crate::support::console::{ConsoleUser, Page, field_value};
use crate::support::fixtures::{PASSWORD, client};
use crate::support::{TestApp, TestBackend, spawn_app};

mod refusals;

/// A branch led by lone@example.dk: three active helpers spread over Aarhus, two clients
/// who each want two helpers, and one client south of the city, 18 km from every helper (out of reach).
pub struct People {
    pub app: TestApp,
    pub admin: String,
    pub leader: String,
    pub branch: i64,
    pub helpers: Vec<i64>,
    pub clients: Vec<i64>,
    pub far: i64,
}

pub async fn people(backend: TestBackend) -> People {
    let app = spawn_app(backend).await;
    let admin = app.admin_token().await;
    let branch = app.create_branch(&admin, "Aarhus").await;
    let leader = app.leader_token(&admin, branch, "lone@example.dk").await;
    let mut helpers = vec![];
    for (n, (name, lat, lon)) in [
        ("Anna Jensen", 56.162, 10.195),
        ("Bo Lund", 56.175, 10.180),
        ("Cecilie Holm", 56.148, 10.226),
    ]
    .into_iter()
    .enumerate()
    {
        let (id, _) = app
            .activate_helper(&leader, branch, &format!("helper{n}@example.dk"))
            .await;
        let patched = app
            .call(
                Method::PATCH,
                &format!("/api/v1/helpers/{id}"),
                Some(&leader),
                Some(json!({"name": name, "home": {"lat": lat, "lon": lon}})),
            )
            .await;
        assert_eq!(patched.status(), 200);
        helpers.push(id);
    }
    let mut clients = vec![];
    for (n, (name, lat, lon)) in [
        ("Karen Nielsen", 56.157, 10.205),
        ("Erik Madsen", 56.170, 10.215),
        ("Ole Berg", 56.04, 10.00),
    ]
    .into_iter()
    .enumerate()
    {
        let mut body = client(branch, &format!("client{n}@example.dk"));
        body["name"] = json!(name);
        body["position"] = json!({"lat": lat, "lon": lon});
        let id = app
            .post_ok("/api/v1/clients", Some(&leader), body, 201)
            .await["id"]
            .as_i64()
            .unwrap();
        clients.push(id);
    }
    let far = clients.pop().unwrap();
    People {
        app,
        admin,
        leader,
        branch,
        helpers,
        clients,
        far,
    }
}

fn matching_page(branch: i64) -> String {
    format!("/console/branches/{branch}/matching")
}

const DEFAULTS: [(&str, &str); 4] = [
    ("mode", "keep"),
    ("max_distance_m", "15000"),
    ("missing_skill_penalty_m", "5000"),
    ("change_penalty_m", "3000"),
];

async fn preview(user: &ConsoleUser, branch: i64) -> Page {
    let page = user
        .submit(
            &matching_page(branch),
            &format!("{}/preview", matching_page(branch)),
            &DEFAULTS,
        )
        .await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.html);
    page
}

/// The commit form's fields, as the browser would send them.
fn commit_fields(page: &Page) -> Vec<(String, String)> {
    [
        "csrf",
        "proposal_id",
        "mode",
        "max_distance_m",
        "missing_skill_penalty_m",
        "change_penalty_m",
    ]
    .into_iter()
    .map(|name| {
        let value = field_value(&page.html, name).unwrap_or_else(|| panic!("{name} field"));
        (name.to_string(), value)
    })
    .collect()
}

async fn post_owned(user: &ConsoleUser, path: &str, fields: &[(String, String)]) -> Page {
    let borrowed: Vec<(&str, &str)> = fields
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    user.post(path, &borrowed).await
}

async fn open_assignments(app: &TestApp, token: &str) -> Vec<Value> {
    app.get_ok("/api/v1/assignments?open=true", token).await["items"]
        .as_array()
        .expect("items")
        .clone()
}

fn count(html: &str, needle: &str) -> usize {
    html.matches(needle).count()
}

/// The part of the page from `start` to the end of its section.
fn section<'a>(html: &'a str, start: &str) -> &'a str {
    let at = html
        .find(start)
        .unwrap_or_else(|| panic!("{start} not on the page"));
    let end = html[at..].find("</section>").map_or(html.len(), |e| at + e);
    &html[at..end]
}

async fn a_preview_shows_the_pairs_with_why_who_is_left_short_and_a_plot(backend: TestBackend) {
    let p = people(backend).await;
    let user = ConsoleUser::signed_in(&p.app, "lone@example.dk", PASSWORD).await;

    let form = user.get(&matching_page(p.branch)).await;
    assert_eq!(form.status, StatusCode::OK);
    for default in [
        "value=\"15000\"",
        "value=\"5000\"",
        "value=\"3000\"",
        "<option value=\"keep\" selected>",
    ] {
        form.assert_shows(default);
    }
    let page = preview(&user, p.branch).await;

    // Two clients want two helpers each: four new pairs, each explained.
    let new_pairs = section(&page.html, "<section id=\"new-pairs\">");
    assert_eq!(count(new_pairs, "<tr data-client-id="), 4, "{new_pairs}");
    for text in ["Karen Nielsen", "Erik Madsen", "Anna Jensen", " km</td>"] {
        assert!(new_pairs.contains(text), "{text} missing: {new_pairs}");
    }
    // Both need IT and shopping; every helper has IT and cooking; all speak Danish.
    assert!(
        new_pairs.contains("<td class=\"covered\">IT</td>"),
        "{new_pairs}"
    );
    assert!(
        new_pairs.contains("<td class=\"missing\">indkøb</td>"),
        "{new_pairs}"
    );
    assert!(
        new_pairs.contains("<td class=\"languages\">da</td>"),
        "{new_pairs}"
    );
    // Ole, 18 km out, is out of reach of everyone.
    let short = section(&page.html, "<section id=\"unfilled\">");
    assert!(
        short.contains(&format!("<tr data-client-id=\"{}\">", p.far)),
        "{short}"
    );
    assert!(short.contains("Ole Berg"), "{short}");
    assert!(short.contains("<td>2</td>"), "{short}");
    assert!(
        short.contains("data-rule=\"distance\">ingen hjælper bor inden for den største afstand"),
        "{short}"
    );
    // The plot: one point per helper and client, one line per proposed pair, nothing kept.
    let svg = &page.html[page.html.find("<svg class=\"plot\"").expect("a plot")..];
    let svg = &svg[..svg.find("</svg>").unwrap()];
    assert!(svg.contains("role=\"img\""));
    assert!(svg.contains("<title id=\"plot-title\">"));
    assert!(
        svg.contains("<desc id=\"plot-desc\">3 hjælpere, 3 borgere, 4 nye par"),
        "{svg}"
    );
    assert_eq!(count(svg, "<circle class=\"helper\" data-helper-id="), 3);
    assert_eq!(count(svg, "<rect class=\"client\" data-client-id="), 3);
    assert_eq!(count(svg, "<line class=\"pair-new\""), 4);
    assert_eq!(count(svg, "<line class=\"pair-kept\""), 0);
    for helper in &p.helpers {
        assert!(svg.contains(&format!("data-helper-id=\"{helper}\" cx=")));
    }
    // Nothing is stored until the leader commits.
    assert!(open_assignments(&p.app, &p.leader).await.is_empty());
    page.assert_shows("<button type=\"submit\" id=\"commit\">");
}

async fn committing_the_proposal_starts_its_pairs(backend: TestBackend) {
    let p = people(backend).await;
    let user = ConsoleUser::signed_in(&p.app, "lone@example.dk", PASSWORD).await;
    let page = preview(&user, p.branch).await;

    let done = post_owned(
        &user,
        &format!("{}/commit", matching_page(p.branch)),
        &commit_fields(&page),
    )
    .await;

    assert_eq!(done.status, StatusCode::SEE_OTHER, "{}", done.html);
    let location = done.location.expect("a redirect");
    assert_eq!(
        location,
        format!(
            "{}?done=committed&started=4&ended=0",
            matching_page(p.branch)
        )
    );
    user.get(&location)
        .await
        .assert_shows("Godkendt: 4 nye par startet, 0 par afsluttet");
    let open = open_assignments(&p.app, &p.leader).await;
    assert_eq!(open.len(), 4, "{open:?}");
    for client in &p.clients {
        assert_eq!(
            open.iter().filter(|a| a["client_id"] == *client).count(),
            2,
            "{open:?}"
        );
    }
    // The next preview keeps those pairs: drawn as kept, nothing new to commit.
    let again = preview(&user, p.branch).await;
    assert_eq!(
        count(&again.html, "<line class=\"pair-kept\" data-client-id="),
        4
    );
    assert_eq!(
        count(&again.html, "<line class=\"pair-new\" data-client-id="),
        0
    );
    again.assert_shows("id=\"nothing-to-commit\"");
}

async fn bad_parameters_are_shown_at_the_form_with_what_was_typed(backend: TestBackend) {
    let p = people(backend).await;
    let user = ConsoleUser::signed_in(&p.app, "lone@example.dk", PASSWORD).await;

    let page = user
        .submit(
            &matching_page(p.branch),
            &format!("{}/preview", matching_page(p.branch)),
            &[
                ("mode", "shuffle"),
                ("max_distance_m", "far"),
                ("missing_skill_penalty_m", "-5"),
                ("change_penalty_m", ""),
            ],
        )
        .await;

    assert_eq!(
        page.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        page.html
    );
    page.assert_shows("<p class=\"error\" id=\"max_distance_m-error\">must be a whole number</p>");
    page.assert_shows("<p class=\"error\" id=\"mode-error\">must be keep or rebalance</p>");
    page.assert_shows("id=\"missing_skill_penalty_m-error\">must be between 0 and 1000000");
    page.assert_shows("value=\"far\"");
    page.assert_shows("value=\"-5\"");
    assert!(!page.html.contains("<svg class=\"plot\""));
}

on_both_backends!(
    a_preview_shows_the_pairs_with_why_who_is_left_short_and_a_plot,
    committing_the_proposal_starts_its_pairs,
    bad_parameters_are_shown_at_the_form_with_what_was_typed,
);

/// In Chromium: sign in, set the distance, preview, look at the plot, commit.
async fn preview_and_commit_a_match_in_the_browser(backend: TestBackend) {
    let Some(driver) = Driver::start().await else {
        return;
    };
    let p = people(backend).await;
    let browser = driver.browser("da").await;
    browser
        .open(&format!("{}{}", p.app.address, matching_page(p.branch)))
        .await;
    browser.type_into("email", "lone@example.dk").await;
    browser.type_into("password", PASSWORD).await;
    browser
        .wait_css("form[action='/console/login'] button[type='submit']")
        .await
        .click()
        .await
        .unwrap();

    browser.select("mode", "keep").await;
    browser.click("preview").await;
    browser.wait_css("svg.plot line.pair-new").await;
    let lines = browser
        .client
        .find_all(fantoccini::Locator::Css("svg.plot line.pair-new"))
        .await
        .unwrap();
    assert_eq!(lines.len(), 4);
    assert!(browser.text("unfilled").await.contains("Ole Berg"));
    // A laptop-sized window, so the picture shows the whole of what matters.
    browser.client.set_window_size(1280, 1000).await.unwrap();
    browser.screenshot("matching").await;
    browser.click("commit").await;

    let done = browser.text("committed").await;
    assert!(done.contains("4 nye par startet"), "{done}");
    assert_eq!(open_assignments(&p.app, &p.leader).await.len(), 4);
    browser.close().await;
}

mod in_browser {
    crate::on_both_backends!(preview_and_commit_a_match_in_the_browser);
    use super::preview_and_commit_a_match_in_the_browser;
}
