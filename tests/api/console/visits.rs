//! The console's visits: booking from the week board, and a visit's page with moving, a new
//! helper, cancelling (a late cancellation asks first) and no-shows — over HTTP on both
//! databases, and clicked through in Chromium. Every test checks what the API shows afterwards.

mod booking;
mod in_browser;
mod refusals;
mod visit_page;

use chrono::{NaiveDate, NaiveTime};
use reqwest::StatusCode;
use serde_json::Value;

use super::board::Booked;
use crate::support::console::{ConsoleUser, Page, field_value};
use crate::support::fixtures::PASSWORD;

/// The leader's API token, to see what the console did.
async fn leader_token(b: &Booked) -> String {
    b.app.token_for("lone@example.dk", PASSWORD).await
}

/// What the API shows of the client: every visit (cancelled too) and every ledger row.
#[derive(Debug, Clone, PartialEq)]
struct Stored {
    visits: Vec<Value>,
    ledger_rows: usize,
    available_minutes: i64,
}

async fn stored(b: &Booked) -> Stored {
    let token = leader_token(b).await;
    let visits = b
        .app
        .get_ok(
            &format!(
                "/api/v1/visits?client={}&status=booked,checked_in,completed,cancelled,no_show&limit=200",
                b.client
            ),
            &token,
        )
        .await["items"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    let ledger = b
        .app
        .get_ok(
            &format!("/api/v1/clients/{}/ledger?limit=200", b.client),
            &token,
        )
        .await;
    let balance = b.app.balance(&token, b.client).await;
    Stored {
        visits,
        ledger_rows: ledger["items"].as_array().map(Vec::len).unwrap_or(0),
        available_minutes: balance["available_minutes"].as_i64().unwrap_or(-1),
    }
}

/// The local time `hh:mm` of `day` in Copenhagen as the API writes it (offset of that day).
fn local(day: NaiveDate, hhmm: &str) -> String {
    day.and_time(NaiveTime::parse_from_str(hhmm, "%H:%M").unwrap())
        .and_local_timezone(chrono_tz::Europe::Copenhagen)
        .single()
        .unwrap()
        .to_rfc3339()
}

/// The booking form's address for the helper and day.
fn form_path(b: &Booked, helper: i64, day: NaiveDate) -> String {
    format!(
        "/console/branches/{}/visits/new?helper={helper}&date={day}",
        b.branch
    )
}

/// Opens the booking form for `helper` on `day` and posts it with `fields` (plus the page's
/// CSRF token, one-time form id and helper); returns the answer and the form's id.
async fn book_with_form(
    user: &ConsoleUser,
    b: &Booked,
    helper: i64,
    day: NaiveDate,
    fields: &[(&str, &str)],
) -> (Page, String) {
    let form = user.get(&form_path(b, helper, day)).await;
    assert_eq!(form.status, StatusCode::OK, "{}", form.html);
    let form_id = field_value(&form.html, "form_id").expect("a one-time form id");
    let helper = helper.to_string();
    let day = day.to_string();
    let mut all = vec![
        ("csrf", form.csrf()),
        ("form_id", form_id.clone()),
        ("helper_id", helper),
        ("date", day),
    ];
    for (k, v) in fields {
        all.retain(|(key, _)| key != k);
        all.push((k, v.to_string()));
    }
    let pairs: Vec<(&str, &str)> = all.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let page = user
        .post(&format!("/console/branches/{}/visits", b.branch), &pairs)
        .await;
    (page, form_id)
}

/// Fields of a booking for the client of `b`: 10:00 unless `time` says otherwise.
fn visit_fields<'a>(
    client: &'a str,
    time: &'a str,
    tasks: &[(&'a str, &'a str)],
) -> Vec<(&'a str, &'a str)> {
    let names = [
        ("task_0", "minutes_0"),
        ("task_1", "minutes_1"),
        ("task_2", "minutes_2"),
        ("task_3", "minutes_3"),
    ];
    let mut fields = vec![("client_id", client), ("time", time)];
    for ((task_name, minutes_name), (task, minutes)) in names.iter().zip(tasks) {
        fields.push((task_name, task));
        fields.push((minutes_name, minutes));
    }
    fields
}
