//! Visit and clip-card mails end to end: booked, moved, cancelled, done, receipts, low balance,
//! the day-before reminder job, and no mail for a booking that fails.

use chrono::{DateTime, Utc};

use helpmatch::db::DbConnection;
use helpmatch::services::mailings::send_reminders;

use reqwest::Method;

use serde_json::{Value, json};

use super::{Received, SmtpServer, kinds, outbox, spawn_with_smtp, wait_all_sent};

use crate::on_both_backends;
use crate::support::{TestApp, TestBackend, assert_problem, spawn_app};

mod digest;
mod rolled_back;
mod running_out;
mod sent;

/// A branch, an active helper (Anna) and a client (Karen) with two relatives: Mette may view
/// and book, Ole may only pay. Karen has bought one 8-hour clip card.
struct Setup {
    admin: String,
    helper: i64,
    helper_token: String,
    client: i64,
    card: i64,
}

async fn setup(app: &TestApp) -> Setup {
    let admin = app.admin_token().await;
    let branch = app.create_branch(&admin, "Aarhus").await;
    let (helper, helper_token) = app.activate_helper(&admin, branch, "anna@example.dk").await;
    let client = app.create_client(&admin, branch, "karen@example.dk").await;
    app.assign(&admin, client, helper).await;
    for (name, email, view, book, pay) in [
        ("Mette Nielsen", Some("mette@example.dk"), true, true, false),
        ("Ole Nielsen", Some("ole@example.dk"), false, false, true),
        ("Lis Nielsen", None, true, true, true),
    ] {
        let body = json!({"name": name, "email": email, "relation": "child", "can_view": view,
                          "can_book": book, "can_pay": pay, "consent_given_on": "2026-11-01"});
        app.post_ok(
            &format!("/api/v1/clients/{client}/relatives"),
            Some(&admin),
            body,
            201,
        )
        .await;
    }
    let card = app.buy(&admin, client, "clip_card_8h").await["clip_card"]["id"]
        .as_i64()
        .expect("card id");
    Setup {
        admin,
        helper,
        helper_token,
        client,
        card,
    }
}

/// Waits until every queued mail is sent and returns what the SMTP server received.
async fn delivered(app: &TestApp, admin: &str, smtp: &SmtpServer) -> Vec<Received> {
    let sent = wait_all_sent(app, admin).await;
    smtp.wait_for(sent.len()).await
}

fn to<'a>(mails: &'a [Received], address: &str, subject: &str) -> Vec<&'a Received> {
    mails
        .iter()
        .filter(|m| m.to == address && m.subject.starts_with(subject))
        .collect()
}

fn one<'a>(mails: &'a [Received], address: &str, subject: &str) -> &'a Received {
    let found = to(mails, address, subject);
    assert_eq!(found.len(), 1, "one '{subject}' mail to {address}");
    found[0]
}

fn calendar(mail: &Received) -> (String, icalendar::Calendar) {
    let ics = mail.ics.clone().expect("calendar invite attached");
    let parsed: icalendar::Calendar = ics.parse().expect("valid iCalendar");
    (ics, parsed)
}

fn visit_id(booking: &Value) -> i64 {
    booking["visits"][0]["id"].as_i64().expect("visit id")
}
