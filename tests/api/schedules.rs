//! Lists users actually read (issue 12): schedules in start order with the names a schedule
//! shows, paged by a cursor that loses nothing, cancelled visits only when asked for, dates and
//! RFC 3339 times (an unencoded `+` too) with clear errors, everyone's own schedule, one mail for
//! a weekly series, and a client's clip cards.

use std::collections::BTreeSet;

use reqwest::Method;

use serde_json::{Value, json};

use crate::on_both_backends;
use crate::support::{TestApp, TestBackend, assert_problem, spawn_app};
use crate::visit_edges::{mails, mails_to, named_client, named_helper, relative, team};

mod branch_schedule;
mod own_schedules;

async fn book(app: &TestApp, token: &str, client: i64, helper: i64, start: &str) -> i64 {
    app.book_id(token, client, helper, start, 60).await
}

fn ids(page: &Value) -> Vec<i64> {
    page["items"]
        .as_array()
        .expect("items")
        .iter()
        .map(|v| v["id"].as_i64().expect("id"))
        .collect()
}

/// `GET path` with the URL exactly as written (no encoding added), returning the response.
async fn get_raw(app: &TestApp, path: &str, token: &str) -> reqwest::Response {
    app.call(Method::GET, path, Some(token), None).await
}

fn field_names(problem: &Value) -> Vec<String> {
    problem["errors"]
        .as_array()
        .expect("errors")
        .iter()
        .map(|e| e["field"].as_str().expect("field").to_string())
        .collect()
}
