//! Validation at the edges (issue 12, items 11 and 12): dates that have not happened yet, a
//! branch whose time zone or money does not fit its country, every type error of a body at
//! once, unknown query parameters named, and the name searches and filters of the lists.

use reqwest::Method;

use serde_json::{Value, json};

use crate::on_both_backends;
use crate::support::fixtures::{application, client};
use crate::support::{TestApp, TestBackend, assert_problem, spawn_app};

mod refusals;
mod searches_and_shapes;

/// The `field` of each entry of a problem's `errors`, in order.
fn fields(problem: &Value) -> Vec<String> {
    problem["errors"]
        .as_array()
        .unwrap_or_else(|| panic!("a problem with errors: {problem}"))
        .iter()
        .map(|e| e["field"].as_str().expect("field").to_string())
        .collect()
}

/// A date `days` from today (UTC, as the service judges it), as `YYYY-MM-DD`.
fn date_in(days: i64) -> String {
    (chrono::Utc::now().date_naive() + chrono::Duration::days(days))
        .format("%Y-%m-%d")
        .to_string()
}

/// A branch body; the country's fields as given.
fn branch(name: &str, country: &str, time_zone: &str, currency: &str) -> Value {
    json!({"name": name, "country": country, "time_zone": time_zone, "currency": currency,
           "centre": {"lat": 59.9139, "lon": 10.7522}})
}

/// The names of the items of a list.
async fn names(app: &TestApp, path: &str, token: &str) -> Vec<String> {
    app.get_ok(path, token).await["items"]
        .as_array()
        .expect("items")
        .iter()
        .map(|item| item["name"].as_str().expect("name").to_string())
        .collect()
}

/// Creates a client with this name and source; returns the id.
async fn named_client(app: &TestApp, token: &str, branch: i64, name: &str, source: &str) -> i64 {
    let mut body = client(branch, "unused@example.dk");
    body["name"] = json!(name);
    body["email"] = Value::Null;
    body["source"] = json!(source);
    app.post_ok("/api/v1/clients", Some(token), body, 201).await["id"]
        .as_i64()
        .expect("id")
}

/// Whether a flat JSON object fits an object schema's `required` and `additionalProperties`.
fn fits(schema: &Value, value: &Value) -> bool {
    let object = value.as_object().expect("an object");
    let required = schema["required"].as_array().cloned().unwrap_or_default();
    let known = schema["properties"]
        .as_object()
        .cloned()
        .unwrap_or_default();
    required
        .iter()
        .all(|name| object.contains_key(name.as_str().unwrap()))
        && (schema["additionalProperties"] != false
            || object.keys().all(|key| known.contains_key(key)))
}
