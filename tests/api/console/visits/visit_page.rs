//! A visit's page: what it shows, and each action checked through the API afterwards.

use chrono::Duration;

use reqwest::StatusCode;

use serde_json::Value;

use super::super::board::{Booked, booked};
use super::{leader_token, local, stored};

use crate::on_both_backends;
use crate::support::TestBackend;
use crate::support::console::ConsoleUser;
use crate::support::fixtures::PASSWORD;

mod actions;
mod open_cover;
mod reach_and_escaping;

fn page_path(b: &Booked) -> String {
    format!("/console/branches/{}/visits/{}", b.branch, b.visit)
}

/// The visit as the API shows it.
async fn api_visit(b: &Booked) -> Value {
    let token = leader_token(b).await;
    b.app
        .get_ok(&format!("/api/v1/visits/{}", b.visit), &token)
        .await
}

/// Time travel: the visit starts in two hours and its free cancellation has passed.
fn make_late(b: &Booked) {
    use diesel::prelude::*;
    use helpmatch::db::DbConnection;
    use helpmatch::db::schema::visits;
    b.app.move_visit_start(b.visit, 120);
    let mut conn = DbConnection::open(&b.app.database.url).expect("database");
    let passed = chrono::Utc::now().naive_utc() - Duration::hours(1);
    diesel::update(visits::table.find(b.visit))
        .set(visits::free_cancellation_until.eq(Some(passed)))
        .execute(&mut conn)
        .expect("deadline moved");
}

/// Posts a form of the visit page with the page's CSRF token.
async fn act(
    user: &ConsoleUser,
    b: &Booked,
    action: &str,
    fields: &[(&str, &str)],
) -> crate::support::console::Page {
    user.submit(&page_path(b), &format!("{}/{action}", page_path(b)), fields)
        .await
}
