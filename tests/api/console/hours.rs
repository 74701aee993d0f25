//! Hours in the console: a month per helper with the same figures as the API's report, month
//! navigation, and the CSV download (headers, rows, RFC 4180 escaping, the formula guard) —
//! over HTTP on both databases and in Chromium.

use std::time::{Duration, Instant};

use chrono::{Duration as Days, Utc};
use reqwest::{Method, StatusCode};
use serde_json::json;

use super::board::{Booked, booked, next_monday};
use crate::on_both_backends;
use crate::support::TestBackend;
use crate::support::browser::Driver;
use crate::support::console::ConsoleUser;
use crate::support::fixtures::PASSWORD;

/// The booked branch of the board tests, with a second helper of Karen's, names a CSV must
/// escape or guard, and visits done this month: Anna two (one checked out at once, waiting
/// for review), Bo one.
struct Month {
    b: Booked,
    leader: String,
    bo: i64,
    month: String,
}

async fn month_with_hours(backend: TestBackend) -> Month {
    let b = booked(backend).await;
    let leader = b.app.token_for("lone@example.dk", PASSWORD).await;
    let (bo, bo_token) = b
        .app
        .activate_helper(&leader, b.branch, "bo@example.dk")
        .await;
    b.app.assign(&leader, b.client, bo).await;
    for (helper, name) in [(b.helper, "@Anna Jensen"), (bo, "Lund, \"Bo\"")] {
        let patched = b
            .app
            .call(
                Method::PATCH,
                &format!("/api/v1/helpers/{helper}"),
                Some(&leader),
                Some(json!({"name": name})),
            )
            .await;
        assert_eq!(patched.status(), 200);
    }
    let anna_token = b.app.token_for("anna@example.dk", PASSWORD).await;
    let day = |n: i64| on_local_time(next_monday() + Days::days(n), 10);
    let first = b
        .app
        .book_id(&leader, b.client, b.helper, &day(2), 90)
        .await;
    let short = b
        .app
        .book_id(&leader, b.client, b.helper, &day(3), 90)
        .await;
    let third = b.app.book_id(&leader, b.client, bo, &day(4), 90).await;
    b.app.complete_visit(&anna_token, first).await;
    b.app.complete_visit(&bo_token, third).await;
    // Checked out right after checking in: too short to pay before the branch reviews it.
    let home = json!({"lat": 56.157, "lon": 10.205});
    b.app.move_visit_start(short, 5);
    for step in ["check-in", "check-out"] {
        b.app
            .post_ok(
                &format!("/api/v1/visits/{short}/{step}"),
                Some(&anna_token),
                home.clone(),
                200,
            )
            .await;
    }
    let month = (Utc::now() + Days::minutes(5))
        .with_timezone(&chrono_tz::Europe::Copenhagen)
        .format("%Y-%m")
        .to_string();
    Month {
        b,
        leader,
        bo,
        month,
    }
}

/// `hour`:00 on `day` in Copenhagen, as RFC 3339.
fn on_local_time(day: chrono::NaiveDate, hour: u32) -> String {
    day.and_hms_opt(hour, 0, 0)
        .unwrap()
        .and_local_timezone(chrono_tz::Europe::Copenhagen)
        .unwrap()
        .to_rfc3339()
}

fn cell(row: &str, class: &str) -> String {
    let start = format!("<td class=\"{class}\">");
    let at = row
        .find(&start)
        .unwrap_or_else(|| panic!("{class} in {row}"))
        + start.len();
    let inner = &row[at..at + row[at..].find("</td>").unwrap()];
    // A count above zero is shown as a badge.
    inner
        .trim_start_matches("<span class=\"badge warn\">")
        .trim_end_matches("</span>")
        .to_string()
}

fn row<'a>(html: &'a str, start: &str) -> &'a str {
    let at = html
        .find(start)
        .unwrap_or_else(|| panic!("{start} not on the page:\n{html}"));
    &html[at..at + html[at..].find("</tr>").unwrap()]
}

async fn the_month_shows_the_same_figures_as_the_api_report(backend: TestBackend) {
    let m = month_with_hours(backend).await;
    let user = ConsoleUser::signed_in(&m.b.app, "lone@example.dk", PASSWORD).await;
    let report =
        m.b.app
            .get_ok(
                &format!(
                    "/api/v1/reports/hours?branch={}&month={}",
                    m.b.branch, m.month
                ),
                &m.leader,
            )
            .await;

    let page = user
        .get(&format!(
            "/console/branches/{}/hours?month={}",
            m.b.branch, m.month
        ))
        .await;

    assert_eq!(page.status, StatusCode::OK, "{}", page.html);
    let helpers = report["helpers"].as_array().unwrap();
    assert_eq!(helpers.len(), 2, "{report}");
    let mut totals = [0i64; 5];
    for h in helpers {
        let shown = row(
            &page.html,
            &format!("<tr data-helper-id=\"{}\">", h["helper_id"]),
        );
        for (i, (class, field)) in [
            ("visits", "visits"),
            ("minutes", "minutes"),
            ("checked", "checked_minutes"),
            ("unverified", "unverified_visits"),
            ("flagged", "flagged_visits"),
        ]
        .into_iter()
        .enumerate()
        {
            assert_eq!(
                cell(shown, class),
                h[field].to_string(),
                "{field} of {shown}"
            );
            totals[i] += h[field].as_i64().unwrap();
        }
    }
    let anna = helpers
        .iter()
        .find(|h| h["helper_id"] == m.b.helper)
        .unwrap();
    assert_eq!(
        (anna["minutes"].as_i64(), anna["unverified_visits"].as_i64()),
        (Some(90), Some(1))
    );
    let total_row = row(&page.html, "<tr id=\"totals\">");
    for (i, class) in ["visits", "minutes", "checked", "unverified", "flagged"]
        .into_iter()
        .enumerate()
    {
        assert_eq!(
            cell(total_row, class),
            totals[i].to_string(),
            "{class} total"
        );
    }
    assert_eq!(cell(total_row, "hours"), "3.00");
    page.assert_shows(">@Anna Jensen<");
    page.assert_shows("Lund, &quot;Bo&quot;");
    page.assert_shows("id=\"unverified-notice\">1 gennemførte besøg venter");
    page.assert_shows(&format!(
        "href=\"/console/branches/{}/hours.csv?month={}\"",
        m.b.branch, m.month
    ));
    assert!(page.html.contains("rel=\"prev\"") && page.html.contains("rel=\"next\""));
    // Another month has nothing; the default month is this one.
    let empty = user
        .get(&format!(
            "/console/branches/{}/hours?month=2020-01",
            m.b.branch
        ))
        .await;
    empty.assert_shows("id=\"no-hours\"");
    empty.assert_shows("?month=2019-12\" rel=\"prev\"");
    empty.assert_shows("?month=2020-02\" rel=\"next\"");
    let now = user
        .get(&format!("/console/branches/{}/hours", m.b.branch))
        .await;
    now.assert_shows(&format!("data-month=\"{}\"", m.month));
}

async fn the_csv_download_escapes_names_and_guards_against_formulas(backend: TestBackend) {
    let m = month_with_hours(backend).await;
    let user = ConsoleUser::signed_in(&m.b.app, "lone@example.dk", PASSWORD).await;

    let response = user
        .client
        .get(format!(
            "{}/console/branches/{}/hours.csv?month={}",
            user.address, m.b.branch, m.month
        ))
        .send()
        .await
        .unwrap();

    assert_eq!(response.status(), StatusCode::OK);
    let header = |name: &str| response.headers()[name].to_str().unwrap().to_string();
    assert_eq!(header("content-type"), "text/csv; charset=utf-8");
    assert_eq!(
        header("content-disposition"),
        format!(
            "attachment; filename=\"hours-{}-aarhus-{}.csv\"",
            m.b.branch, m.month
        )
    );
    let text = response.text().await.unwrap();
    assert_csv(&text, &m);
    // The API's CSV is the same file.
    let api =
        m.b.app
            .client
            .get(format!(
                "{}/api/v1/reports/hours?branch={}&month={}&format=csv",
                m.b.app.address, m.b.branch, m.month
            ))
            .bearer_auth(&m.leader)
            .send()
            .await
            .unwrap();
    assert_eq!(api.text().await.unwrap(), text);
}

fn assert_csv(text: &str, m: &Month) {
    let mut reader = csv::Reader::from_reader(text.as_bytes());
    assert_eq!(
        reader.headers().unwrap().iter().collect::<Vec<_>>(),
        [
            "branch_id",
            "month",
            "helper_id",
            "name",
            "visits",
            "minutes",
            "hours",
            "checked_minutes",
            "unverified_visits",
            "flagged_visits"
        ]
    );
    let rows: Vec<csv::StringRecord> = reader.records().map(|r| r.unwrap()).collect();
    assert_eq!(rows.len(), 2, "{text}");
    let by_helper = |id: i64| {
        rows.iter()
            .find(|r| r[2] == id.to_string())
            .unwrap_or_else(|| panic!("helper {id} in {text}"))
    };
    let anna = by_helper(m.b.helper);
    assert_eq!(&anna[3], "'@Anna Jensen", "the formula guard");
    assert_eq!(
        anna.iter().skip(4).collect::<Vec<_>>(),
        ["1", "90", "1.50", "90", "1", "0"]
    );
    assert_eq!(&by_helper(m.bo)[3], "Lund, \"Bo\"");
    assert!(
        text.contains(",\"Lund, \"\"Bo\"\"\","),
        "RFC 4180 quoting: {text}"
    );
}

async fn hours_are_only_for_the_branch_and_a_bad_month_is_refused(backend: TestBackend) {
    let b = booked(backend).await;
    let admin = b
        .app
        .token_for(crate::support::fixtures::ADMIN_EMAIL, PASSWORD)
        .await;
    let other = b.app.create_branch(&admin, "Aalborg").await;
    b.app.leader_token(&admin, other, "other@example.dk").await;
    let stranger = ConsoleUser::signed_in(&b.app, "other@example.dk", PASSWORD).await;
    let lone = ConsoleUser::signed_in(&b.app, "lone@example.dk", PASSWORD).await;
    let page = format!("/console/branches/{}/hours", b.branch);

    assert_eq!(stranger.get(&page).await.status, StatusCode::NOT_FOUND);
    assert_eq!(
        stranger
            .get(&format!("{page}.csv?month=2027-01"))
            .await
            .status,
        StatusCode::NOT_FOUND
    );
    let bad = lone.get(&format!("{page}?month=2027-13")).await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    bad.assert_shows("month: must be YYYY-MM");
    assert_eq!(
        lone.get(&format!("{page}.csv?month=May")).await.status,
        StatusCode::UNPROCESSABLE_ENTITY
    );
    assert_eq!(
        lone.get(&format!("{page}?months=2")).await.status,
        StatusCode::BAD_REQUEST
    );
    let anonymous = ConsoleUser::new(&b.app, "da");
    let away = anonymous.get(&format!("{page}.csv?month=2027-01")).await;
    assert_eq!(away.status, StatusCode::SEE_OTHER);
    assert!(away.location.unwrap().starts_with("/console/login"));
}

on_both_backends!(
    the_month_shows_the_same_figures_as_the_api_report,
    the_csv_download_escapes_names_and_guards_against_formulas,
    hours_are_only_for_the_branch_and_a_bad_month_is_refused,
);

/// In Chromium: open the month, click the download link, and read the file it saved.
async fn download_the_hours_csv_in_the_browser(backend: TestBackend) {
    let Some(driver) = Driver::start().await else {
        return;
    };
    let m = month_with_hours(backend).await;
    let downloads = tempfile::tempdir().unwrap();
    let browser = driver.browser_downloading_to("da", downloads.path()).await;
    browser
        .open(&format!(
            "{}/console/branches/{}/hours?month={}",
            m.b.app.address, m.b.branch, m.month
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
    browser.wait_for("hours").await;
    // A laptop-sized window, so the picture shows the whole of what matters.
    browser.client.set_window_size(1280, 1000).await.unwrap();
    browser.screenshot("hours").await;

    browser.click("download-csv").await;

    let file = downloads
        .path()
        .join(format!("hours-{}-aarhus-{}.csv", m.b.branch, m.month));
    let deadline = Instant::now() + Duration::from_secs(15);
    while !file.exists() {
        assert!(
            Instant::now() < deadline,
            "no download; the folder has {:?}",
            std::fs::read_dir(downloads.path()).map(|d| d.count())
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let text = std::fs::read_to_string(&file).unwrap();
    assert_csv(&text, &m);
    browser.close().await;
}

mod in_browser {
    crate::on_both_backends!(download_the_hours_csv_in_the_browser);
    use super::download_the_hours_csv_in_the_browser;
}
