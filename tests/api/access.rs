//! Who may act is decided by the account as it is now, on every request: a helper who left, a
//! deactivated leader or a changed password stop at once; one login holds every capacity of
//! its person (relative of two clients, a helper whose grandmother is a client); invitations
//! and resets travel only by mail.

use diesel::prelude::*;

use helpmatch::db::DbConnection;

use reqwest::Method;

use serde_json::{Value, json};

use crate::on_both_backends;
use crate::support::fixtures::{ADMIN_EMAIL, PASSWORD};
use crate::support::{TestApp, TestBackend, assert_problem, spawn_app};

mod invitations_and_resets;
mod tokens_and_logins;

/// Far enough ahead that every booking is outside the notice period.
const FAR: &str = "2027-01-12T10:00:00+01:00";

/// A second slot on another day.
const FAR_NEXT_DAY: &str = "2027-01-13T10:00:00+01:00";

/// The client's home, where check-ins are verified.
const HOME: (f64, f64) = (56.157, 10.205);

/// A new password that meets the policy.
const NEW_PASSWORD: &str = "a-brand-new-long-password";

/// The kinds and statuses of the mails to `recipient`, oldest first (read from the outbox).
pub(crate) fn mails_to(app: &TestApp, recipient: &str) -> Vec<(i64, String, String)> {
    use helpmatch::db::schema::outbox;
    let mut conn = DbConnection::open(&app.database.url).expect("database");
    outbox::table
        .filter(outbox::recipient.eq(recipient))
        .order(outbox::id)
        .select((outbox::id, outbox::kind, outbox::status))
        .load(&mut conn)
        .expect("outbox")
}

/// How many mails of `kind` went to `recipient`.
pub(crate) fn count_mails(app: &TestApp, recipient: &str, kind: &str) -> usize {
    mails_to(app, recipient)
        .iter()
        .filter(|(_, k, _)| k == kind)
        .count()
}

/// The body of a relative with a login and the given rights.
pub(crate) fn relative(email: &str, can_view: bool, can_book: bool, can_pay: bool) -> Value {
    json!({"name": "Mette Nielsen", "email": email, "relation": "daughter", "can_view": can_view,
           "can_book": can_book, "can_pay": can_pay, "consent_given_on": "2026-11-01", "create_account": true})
}

/// Adds a relative (staff) and returns the answer.
pub(crate) async fn add_relative(app: &TestApp, staff: &str, client: i64, body: Value) -> Value {
    app.post_ok(
        &format!("/api/v1/clients/{client}/relatives"),
        Some(staff),
        body,
        201,
    )
    .await
}

/// Sets the first password with the newest mailed link and logs in.
pub(crate) async fn accept_mailed_invitation(app: &TestApp, email: &str) -> String {
    let token = app.mailed_token(email);
    app.post_ok(
        "/api/v1/auth/accept-invitation",
        None,
        json!({"token": token, "password": PASSWORD}),
        204,
    )
    .await;
    app.token_for(email, PASSWORD).await
}

/// `method path` with a token; returns the status.
pub(crate) async fn status_of(app: &TestApp, method: Method, path: &str, token: &str) -> u16 {
    app.call(method, path, Some(token), None)
        .await
        .status()
        .as_u16()
}

fn home() -> Value {
    json!({"lat": HOME.0, "lon": HOME.1})
}

/// A branch with an active helper (with a token) serving a client with an 8-hour card.
struct Family {
    admin: String,
    branch: i64,
    helper: i64,
    helper_token: String,
    client: i64,
}

async fn family(app: &TestApp) -> Family {
    let admin = app.admin_token().await;
    let branch = app.create_branch(&admin, "Aarhus").await;
    let (helper, helper_token) = app.activate_helper(&admin, branch, "anna@example.dk").await;
    let client = app.create_client(&admin, branch, "karen@example.dk").await;
    app.assign(&admin, client, helper).await;
    app.buy(&admin, client, "clip_card_8h").await;
    Family {
        admin,
        branch,
        helper,
        helper_token,
        client,
    }
}

/// Asserts an answer carries no set-password token: neither the mailed one nor any field
/// that looks like one.
fn assert_no_token(answer: &Value, mailed: &str) {
    let text = answer.to_string();
    assert!(!text.contains(mailed), "the token is in the answer: {text}");
    for field in ["token", "invitation_token", "invite_token"] {
        assert!(answer.get(field).is_none(), "{field} in {text}");
    }
}

async fn request_reset(app: &TestApp, email: &str) -> reqwest::Response {
    app.call(
        Method::POST,
        "/api/v1/auth/password-reset",
        None,
        Some(json!({"email": email})),
    )
    .await
}
