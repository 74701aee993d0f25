//! In Chromium: booking from the week board's "+ Book", and a refused booking.

use chrono::{Duration, NaiveDate};

use super::super::board::{Booked, booked};
use super::{local, stored};
use crate::support::TestBackend;
use crate::support::browser::{Browser, Driver};
use crate::support::fixtures::PASSWORD;

/// Signs in on the way to the board of the booked week.
async fn on_the_board(browser: &Browser, b: &Booked) {
    browser
        .open(&format!(
            "{}/console/branches/{}/board?week={}",
            b.app.address, b.branch, b.tuesday
        ))
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
        .wait_css(&format!("tr[data-helper-id='{}']", b.helper))
        .await;
}

/// Clicks "+ Book" in the helper's cell of `day`.
async fn open_booking(browser: &Browser, b: &Booked, day: NaiveDate) {
    browser
        .wait_css(&format!(
            "tr[data-helper-id='{}'] td[data-day='{day}'] a.book",
            b.helper
        ))
        .await
        .click()
        .await
        .unwrap();
    browser.wait_for("booking-form").await;
}

async fn booking_a_visit_through_the_form_shows_it_on_the_board_and_in_the_api(
    backend: TestBackend,
) {
    let Some(driver) = Driver::start().await else {
        return;
    };
    let b = booked(backend).await;
    let browser = driver.browser("da").await;
    // Tall enough for the whole form and the whole visit page in the screenshots.
    browser
        .client
        .set_window_size(1280, 1500)
        .await
        .expect("window size");
    let wednesday = b.tuesday + Duration::days(1);
    on_the_board(&browser, &b).await;

    open_booking(&browser, &b, wednesday).await;
    browser.select("client_id", &b.client.to_string()).await;
    browser.select("task_0", "cleaning").await;
    browser.select("minutes_0", "60").await;
    browser.select("task_1", "it").await;
    browser.select("minutes_1", "30").await;
    let total = browser
        .wait_css("#booking-form output[data-total]")
        .await
        .text()
        .await
        .unwrap();
    assert_eq!(total, "90", "the form adds up the tasks as they are picked");
    browser.screenshot("booking").await;
    browser.click("book").await;

    let block = browser
        .wait_css(&format!(
            "tr[data-helper-id='{}'] td[data-day='{wednesday}'] a[data-visit-id]",
            b.helper
        ))
        .await;
    let text = block.text().await.unwrap();
    assert!(text.contains("10:00–11:30"), "{text}");
    assert!(text.contains("Karen Nielsen"), "{text}");
    assert_eq!(browser.text("done").await, "Besøget er booket.");
    let api = stored(&b).await;
    assert!(
        api.visits
            .iter()
            .any(|v| v["local_starts_at"] == local(wednesday, "10:00") && v["minutes"] == 90),
        "{:?}",
        api.visits
    );
    block.click().await.unwrap();
    assert!(
        browser
            .text("visit-when")
            .await
            .contains(&format!("{wednesday} 10:00–11:30"))
    );
    browser.screenshot("visit").await;
    browser.close().await;
}

async fn a_refused_booking_shows_its_reason_and_stores_nothing(backend: TestBackend) {
    let Some(driver) = Driver::start().await else {
        return;
    };
    let b = booked(backend).await;
    let browser = driver.browser("da").await;
    on_the_board(&browser, &b).await;
    let before = stored(&b).await;

    // Tuesday at 10:00, the time the form suggests, is Anna's visit to Karen already.
    open_booking(&browser, &b, b.tuesday).await;
    browser.select("client_id", &b.client.to_string()).await;
    browser.select("task_0", "shopping").await;
    browser.select("minutes_0", "60").await;
    browser.click("book").await;

    let reason = browser.text("booking-error").await;
    assert!(
        reason.contains("the helper already has a visit then"),
        "{reason}"
    );
    assert!(browser.has("booking-form").await, "the form is still there");
    assert_eq!(stored(&b).await, before, "nothing stored");
    browser.close().await;
}

crate::on_both_backends!(
    booking_a_visit_through_the_form_shows_it_on_the_board_and_in_the_api,
    a_refused_booking_shows_its_reason_and_stores_nothing,
);
