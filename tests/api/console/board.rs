//! The week board: visits at their local time in the helper's row, week navigation, and the
//! side list of what needs the leader — over HTTP on both databases and in Chromium.

use chrono::{Datelike, Duration, NaiveDate, Utc};
use reqwest::StatusCode;

use crate::on_both_backends;
use crate::support::browser::Driver;
use crate::support::console::ConsoleUser;
use crate::support::fixtures::PASSWORD;
use crate::support::{TestApp, TestBackend, spawn_app};

/// A branch with its leader, one helper and one client paired, a clip card, and a visit booked
/// for next week's Tuesday at 10:00 Copenhagen time, 90 minutes.
pub struct Booked {
    pub app: TestApp,
    pub branch: i64,
    pub helper: i64,
    pub client: i64,
    pub visit: i64,
    pub tuesday: NaiveDate,
}

/// Next week's Monday in Copenhagen.
pub fn next_monday() -> NaiveDate {
    let today = Utc::now()
        .with_timezone(&chrono_tz::Europe::Copenhagen)
        .date_naive();
    today - Duration::days(i64::from(today.weekday().num_days_from_monday())) + Duration::days(7)
}

pub async fn booked(backend: TestBackend) -> Booked {
    let app = spawn_app(backend).await;
    let admin = app.admin_token().await;
    let branch = app.create_branch(&admin, "Aarhus").await;
    let leader = app.leader_token(&admin, branch, "lone@example.dk").await;
    let (helper, _) = app
        .activate_helper(&leader, branch, "anna@example.dk")
        .await;
    let client = app.create_client(&leader, branch, "karen@example.dk").await;
    app.assign(&leader, client, helper).await;
    app.buy(&leader, client, "clip_card_8h").await;
    let tuesday = next_monday() + Duration::days(1);
    // Copenhagen is UTC+1 in winter and UTC+2 in summer: the offset of that day's 10:00.
    let start = tuesday
        .and_hms_opt(10, 0, 0)
        .unwrap()
        .and_local_timezone(chrono_tz::Europe::Copenhagen)
        .unwrap();
    let response = app
        .book(&leader, client, helper, &start.to_rfc3339(), 90)
        .await;
    assert_eq!(response.status(), 201);
    let booking: serde_json::Value = response.json().await.unwrap();
    let visit = booking["visits"][0]["id"].as_i64().unwrap();
    Booked {
        app,
        branch,
        helper,
        client,
        visit,
        tuesday,
    }
}

/// The HTML of the element that starts with `start` (up to its closing `</a>`).
fn block<'a>(html: &'a str, start: &str) -> &'a str {
    let at = html
        .find(start)
        .unwrap_or_else(|| panic!("{start} not on the page"));
    let end = html[at..]
        .find("</a>")
        .map(|e| at + e)
        .unwrap_or(html.len());
    &html[at..end]
}

async fn the_board_shows_the_visit_at_its_local_time_in_the_helpers_row(backend: TestBackend) {
    let b = booked(backend).await;
    let user = ConsoleUser::signed_in(&b.app, "lone@example.dk", PASSWORD).await;

    let page = user
        .get(&format!(
            "/console/branches/{}/board?week={}",
            b.branch, b.tuesday
        ))
        .await;

    assert_eq!(page.status, StatusCode::OK);
    let row = block(&page.html, &format!("<tr data-helper-id=\"{}\"", b.helper));
    assert!(row.contains("Anna Jensen"), "{row}");
    let html = &page.html;
    let row_at = html
        .find(&format!("<tr data-helper-id=\"{}\"", b.helper))
        .unwrap();
    let cell_at = row_at
        + html[row_at..]
            .find(&format!("<td data-day=\"{}\"", b.tuesday))
            .unwrap();
    let visit_at = html
        .find(&format!("data-visit-id=\"{}\"", b.visit))
        .unwrap();
    let next_cell = cell_at + 1 + html[cell_at + 1..].find("<td").unwrap();
    assert!(
        cell_at < visit_at && visit_at < next_cell,
        "the visit is in the helper's Tuesday cell"
    );
    let shown = block(html, &format!("data-visit-id=\"{}\"", b.visit));
    for text in [
        "10:00–11:30",
        "Karen Nielsen",
        "rengøring, IT",
        "90 min",
        "booket",
    ] {
        assert!(shown.contains(text), "{text} missing in {shown}");
    }
    // Every day of the helper's row offers a booking with the day filled in.
    page.assert_shows(&format!(
        "/console/branches/{}/visits/new?helper={}&amp;date={}",
        b.branch, b.helper, b.tuesday
    ));
    // Karen has one helper of the two she wants, and 6.5 of 8 hours left.
    let short = block(html, "<section id=\"short-of-helpers\">");
    assert!(short.contains("Karen Nielsen"), "{short}");
    let short_list = &html[html.find("<section id=\"short-of-helpers\">").unwrap()..];
    assert!(short_list[..short_list.find("</section>").unwrap()].contains("1/2"));
    let low = &html[html.find("<section id=\"low-on-hours\">").unwrap()..];
    assert!(
        !low[..low.find("</section>").unwrap()].contains("Karen Nielsen"),
        "390 min left is not low"
    );
}

async fn week_navigation_moves_by_seven_days_and_other_weeks_are_empty(backend: TestBackend) {
    let b = booked(backend).await;
    let user = ConsoleUser::signed_in(&b.app, "lone@example.dk", PASSWORD).await;
    let monday = b.tuesday - Duration::days(1);

    let page = user
        .get(&format!(
            "/console/branches/{}/board?week={}",
            b.branch,
            b.tuesday + Duration::days(3)
        ))
        .await;
    page.assert_shows(&format!("<th scope=\"col\" data-day=\"{monday}\">"));
    page.assert_shows(&format!(
        "?week={}\" rel=\"prev\"",
        monday - Duration::days(7)
    ));
    page.assert_shows(&format!(
        "?week={}\" rel=\"next\"",
        monday + Duration::days(7)
    ));
    let later = user
        .get(&format!(
            "/console/branches/{}/board?week={}",
            b.branch,
            monday + Duration::days(7)
        ))
        .await;
    assert_eq!(later.status, StatusCode::OK);
    assert!(
        !later
            .html
            .contains(&format!("data-visit-id=\"{}\"", b.visit))
    );
    let bad = user
        .get(&format!(
            "/console/branches/{}/board?week=next-tuesday",
            b.branch
        ))
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", bad.html);
    bad.assert_shows("week");
    let unknown = user
        .get(&format!("/console/branches/{}/board?weeks=2", b.branch))
        .await;
    assert_eq!(unknown.status, StatusCode::BAD_REQUEST);
}

async fn a_visit_whose_helper_paused_shows_on_the_board_and_in_the_side_list(backend: TestBackend) {
    let b = booked(backend).await;
    let leader = b.app.token_for("lone@example.dk", PASSWORD).await;
    let paused = b
        .app
        .transition(
            &leader,
            b.helper,
            serde_json::json!({"to": "paused", "note": "exams"}),
        )
        .await;
    assert_eq!(paused.status(), 200);
    let user = ConsoleUser::signed_in(&b.app, "lone@example.dk", PASSWORD).await;

    let page = user
        .get(&format!(
            "/console/branches/{}/board?week={}",
            b.branch, b.tuesday
        ))
        .await;

    let row = block(&page.html, &format!("<tr data-helper-id=\"{}\"", b.helper));
    assert!(row.contains("class=\"not-active\""), "{row}");
    let shown = block(&page.html, &format!("data-visit-id=\"{}\"", b.visit));
    assert!(shown.contains("hjælperen holder pause"), "{shown}");
    page.assert_shows(&format!("needs-attention\" data-visit-id=\"{}\"", b.visit));
    let side = &page.html[page.html.find("<section id=\"attention-visits\">").unwrap()..];
    assert!(side[..side.find("</section>").unwrap()].contains("Karen Nielsen"));
}

on_both_backends!(
    the_board_shows_the_visit_at_its_local_time_in_the_helpers_row,
    week_navigation_moves_by_seven_days_and_other_weeks_are_empty,
    a_visit_whose_helper_paused_shows_on_the_board_and_in_the_side_list,
);

/// In Chromium: sign in through the form, land on the week, see the visit in its cell.
async fn signing_in_in_the_browser_shows_the_booked_visit_on_the_board(backend: TestBackend) {
    let Some(driver) = Driver::start().await else {
        return;
    };
    let b = booked(backend).await;
    let browser = driver.browser("da").await;
    // A laptop's window, as the README's screenshot shows it.
    browser.client.set_window_size(1400, 900).await.unwrap();

    browser
        .open(&format!(
            "{}/console/branches/{}/board?week={}",
            b.app.address, b.branch, b.tuesday
        ))
        .await;
    browser.type_into("email", "lone@example.dk").await;
    browser.type_into("password", PASSWORD).await;
    browser.screenshot("sign-in").await;
    browser
        .wait_css("form[action='/console/login'] button[type='submit']")
        .await
        .click()
        .await
        .unwrap();

    let cell = browser
        .wait_css(&format!(
            "tr[data-helper-id='{}'] td[data-day='{}'] a[data-visit-id='{}']",
            b.helper, b.tuesday, b.visit
        ))
        .await;
    let text = cell.text().await.unwrap();
    assert!(text.contains("10:00–11:30"), "{text}");
    assert!(text.contains("Karen Nielsen"), "{text}");
    assert_eq!(
        browser.url().await,
        format!(
            "{}/console/branches/{}/board?week={}",
            b.app.address, b.branch, b.tuesday
        ),
        "back on the page asked for before signing in"
    );
    browser.screenshot("board").await;
    browser.close().await;
}

/// In Chromium at a tablet's size: the page itself never scrolls sideways (the week scrolls in
/// its own box), and the keyboard reaches everything: the first Tab lands on "skip to content",
/// and a visit block opens with Enter.
async fn the_board_fits_a_tablet_and_works_from_the_keyboard(backend: TestBackend) {
    let Some(driver) = Driver::start().await else {
        return;
    };
    let b = booked(backend).await;
    let browser = driver.browser("da").await;
    browser.client.set_window_size(1024, 768).await.unwrap();
    browser
        .open(&format!("{}/console/login", b.app.address))
        .await;
    browser.type_into("email", "lone@example.dk").await;
    browser.type_into("password", PASSWORD).await;
    browser
        .wait_css("form[action='/console/login'] button[type='submit']")
        .await
        .click()
        .await
        .unwrap();
    browser
        .open(&format!(
            "{}/console/branches/{}/board?week={}",
            b.app.address, b.branch, b.tuesday
        ))
        .await;
    browser.wait_css("table.board").await;

    for (width, height) in [(1024, 768), (768, 1024)] {
        browser.client.set_window_size(width, height).await.unwrap();
        let overflow = browser
            .client
            .execute(
                "return document.documentElement.scrollWidth - document.documentElement.clientWidth;",
                vec![],
            )
            .await
            .unwrap();
        assert!(
            overflow.as_i64().unwrap() <= 0,
            "at {width}x{height} the page scrolls sideways by {overflow}px"
        );
    }
    let body = browser.wait_css("body").await;
    body.send_keys("\u{E004}").await.unwrap(); // Tab
    let focused = browser
        .client
        .execute("return document.activeElement.textContent.trim();", vec![])
        .await
        .unwrap();
    assert_eq!(focused.as_str(), Some("Gå til indholdet"));
    let visit = browser
        .wait_css(&format!("a[data-visit-id='{}']", b.visit))
        .await;
    visit.send_keys("\u{E007}").await.unwrap(); // Enter
    let wanted = format!(
        "{}/console/branches/{}/visits/{}",
        b.app.address, b.branch, b.visit
    );
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    while browser.url().await != wanted {
        assert!(
            std::time::Instant::now() < deadline,
            "Enter did not open {wanted}"
        );
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    browser.close().await;
}

mod in_browser {
    crate::on_both_backends!(
        signing_in_in_the_browser_shows_the_booked_visit_on_the_board,
        the_board_fits_a_tablet_and_works_from_the_keyboard,
    );
    use super::{
        signing_in_in_the_browser_shows_the_booked_visit_on_the_board,
        the_board_fits_a_tablet_and_works_from_the_keyboard,
    };
}
