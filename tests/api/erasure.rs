//! Erasure (GDPR art. 17) for families and for helpers who left: personal data and logins go,
//! upcoming visits are cancelled free, mails to the erased are forgotten, while the ledger,
//! past visits and the hours report stay.

use diesel::prelude::*;

use helpmatch::db::DbConnection;

use reqwest::Method;

use serde_json::{Value, json};

use crate::access::{
    accept_mailed_invitation, add_relative, count_mails, mails_to, relative, status_of,
};
use crate::on_both_backends;
use crate::support::fixtures::PASSWORD;
use crate::support::{TestApp, TestBackend, assert_problem, spawn_app};

mod erasing;

const FAR: &str = "2027-01-12T10:00:00+01:00";

/// A branch with an active helper serving Karen, who has her own login, an 8-hour card and
/// a daughter (Mette) with a login of her own.
struct Family {
    admin: String,
    branch: i64,
    helper: i64,
    helper_token: String,
    karen: i64,
    karen_token: String,
    mette_token: String,
    mette_relative: i64,
}

async fn family(app: &TestApp) -> Family {
    let admin = app.admin_token().await;
    let branch = app.create_branch(&admin, "Aarhus").await;
    let (helper, helper_token) = app.activate_helper(&admin, branch, "anna@example.dk").await;
    let karen = app.create_client(&admin, branch, "karen@example.dk").await;
    app.assign(&admin, karen, helper).await;
    app.buy(&admin, karen, "clip_card_8h").await;
    let karen_token = app.client_token(&admin, karen, "karen@example.dk").await;
    let added = add_relative(
        app,
        &admin,
        karen,
        relative("mette@example.dk", true, true, true),
    )
    .await;
    let mette_token = accept_mailed_invitation(app, "mette@example.dk").await;
    Family {
        admin,
        branch,
        helper,
        helper_token,
        karen,
        karen_token,
        mette_token,
        mette_relative: added["relative"]["id"].as_i64().unwrap(),
    }
}

async fn erase_client(app: &TestApp, token: &str, client: i64) -> u16 {
    status_of(
        app,
        Method::DELETE,
        &format!("/api/v1/clients/{client}"),
        token,
    )
    .await
}

/// A quarter-hour start `hours` from now (inside the notice period when under 24).
fn soon(hours: i64) -> String {
    let at = chrono::Utc::now().timestamp() + hours * 3600;
    let rounded = (at + 899) / 900 * 900;
    chrono::DateTime::from_timestamp(rounded, 0)
        .unwrap()
        .format("%Y-%m-%dT%H:%M:%SZ")
        .to_string()
}

fn db(app: &TestApp) -> DbConnection {
    DbConnection::open(&app.database.url).expect("database")
}

/// The hours report row of a helper for the month a visit was in.
async fn hours_row(app: &TestApp, admin: &str, branch: i64, visit: i64, helper: i64) -> Value {
    let shown = app.get_ok(&format!("/api/v1/visits/{visit}"), admin).await;
    let month = &shown["local_starts_at"].as_str().unwrap()[..7];
    let report = app
        .get_ok(
            &format!("/api/v1/reports/hours?branch={branch}&month={month}"),
            admin,
        )
        .await;
    report["helpers"]
        .as_array()
        .unwrap()
        .iter()
        .find(|row| row["helper_id"].as_i64() == Some(helper))
        .cloned()
        .unwrap_or_else(|| panic!("no row for helper {helper}: {report}"))
}
