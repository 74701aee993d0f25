//! Visits and clip cards: buying hours, booking with your own helpers, never double-booking,
//! never losing an hour — also when requests race.

use futures::future::join_all;

use reqwest::Method;

use serde_json::{Value, json};

use crate::on_both_backends;
use crate::support::{TestApp, TestBackend, assert_problem, spawn_app, spawn_app_with};

mod booking;
mod changes_and_retries;
mod races;

/// A branch with a helper serving a client who has bought one 8-hour clip card.
struct Setup {
    admin: String,
    branch: i64,
    helper: i64,
    helper_token: String,
    client: i64,
}

async fn setup(app: &TestApp) -> Setup {
    let admin = app.admin_token().await;
    let branch = app.create_branch(&admin, "Aarhus").await;
    let (helper, helper_token) = app.activate_helper(&admin, branch, "anna@example.dk").await;
    let client = app.create_client(&admin, branch, "karen@example.dk").await;
    app.assign(&admin, client, helper).await;
    app.buy(&admin, client, "clip_card_8h").await;
    Setup {
        admin,
        branch,
        helper,
        helper_token,
        client,
    }
}

impl TestApp {
    /// `POST /api/v1/clients/{id}/clip-cards`.
    pub async fn buy(&self, token: &str, client: i64, product: &str) -> Value {
        let body =
            json!({"product": product, "payment_method": "invoice", "payment_reference": "INV-1"});
        self.post_ok(
            &format!("/api/v1/clients/{client}/clip-cards"),
            Some(token),
            body,
            201,
        )
        .await
    }

    /// `POST /api/v1/visits`.
    pub async fn book(
        &self,
        token: &str,
        client: i64,
        helper: i64,
        starts_at: &str,
        minutes: i32,
    ) -> reqwest::Response {
        let body = json!({"client_id": client, "helper_id": helper, "starts_at": starts_at,
                          "segments": [{"task": "cleaning", "minutes": 30}, {"task": "it", "minutes": minutes - 30}]});
        self.call(Method::POST, "/api/v1/visits", Some(token), Some(body))
            .await
    }

    /// Books and returns the visit id, asserting success.
    pub async fn book_id(
        &self,
        token: &str,
        client: i64,
        helper: i64,
        starts_at: &str,
        minutes: i32,
    ) -> i64 {
        let response = self.book(token, client, helper, starts_at, minutes).await;
        assert_eq!(response.status().as_u16(), 201);
        let booking: Value = response.json().await.unwrap();
        booking["visits"][0]["id"].as_i64().unwrap()
    }

    /// The visit comes round (it now starts in 5 minutes) and the helper checks in and, the
    /// booked time later, out at the client's home: a verified visit.
    pub async fn complete_visit(&self, helper_token: &str, visit: i64) {
        let home = json!({"lat": 56.157, "lon": 10.205});
        self.move_visit_start(visit, 5);
        let path = format!("/api/v1/visits/{visit}/check-in");
        let checked_in = self
            .post_ok(&path, Some(helper_token), home.clone(), 200)
            .await;
        self.backdate_check_in(visit, checked_in["minutes"].as_i64().unwrap());
        let path = format!("/api/v1/visits/{visit}/check-out");
        self.post_ok(&path, Some(helper_token), home, 200).await;
    }

    /// `GET /api/v1/clients/{id}/balance`.
    pub async fn balance(&self, token: &str, client: i64) -> Value {
        self.get_ok(&format!("/api/v1/clients/{client}/balance"), token)
            .await
    }
}

/// An app with enough workers and connections for requests to really race.
async fn racing_app(backend: TestBackend) -> TestApp {
    spawn_app_with(backend, |s| {
        s.database.max_connections = 8;
        s.server.workers = 4;
    })
    .await
}

mod report {

    use super::setup;
    use crate::on_both_backends;
    use crate::support::{TestBackend, spawn_app};

    async fn the_hours_report_pays_verified_visits_and_lists_unverified_ones_apart(
        backend: TestBackend,
    ) {
        let app = spawn_app(backend).await;
        let s = setup(&app).await;
        let mut ids = vec![];
        for day in ["2027-01-12", "2027-01-13", "2027-01-14", "2027-01-15"] {
            ids.push(
                app.book_id(
                    &s.admin,
                    s.client,
                    s.helper,
                    &format!("{day}T10:00:00+01:00"),
                    90,
                )
                .await,
            );
        }
        // Two visits happen today, checked in and out at the home after 90 minutes.
        app.complete_visit(&s.helper_token, ids[0]).await;
        app.complete_visit(&s.helper_token, ids[1]).await;
        // A third is checked out right after checking in: too short to pay without a review.
        let home = serde_json::json!({"lat": 56.157, "lon": 10.205});
        app.move_visit_start(ids[2], 5);
        for step in ["check-in", "check-out"] {
            app.post_ok(
                &format!("/api/v1/visits/{}/{step}", ids[2]),
                Some(&s.helper_token),
                home.clone(),
                200,
            )
            .await;
        }
        let month = (chrono::Utc::now() + chrono::Duration::minutes(5))
            .with_timezone(&chrono_tz::Europe::Copenhagen)
            .format("%Y-%m")
            .to_string();

        let report = app
            .get_ok(
                &format!("/api/v1/reports/hours?branch={}&month={month}", s.branch),
                &s.admin,
            )
            .await;
        let csv = app
            .client
            .get(format!(
                "{}/api/v1/reports/hours?branch={}&month={month}&format=csv",
                app.address, s.branch
            ))
            .bearer_auth(&s.admin)
            .send()
            .await
            .unwrap();

        let row = &report["helpers"][0];
        assert_eq!(row["visits"], 2, "the fourth visit has not happened");
        assert_eq!(row["minutes"], 180);
        assert_eq!(row["checked_minutes"], 180);
        assert_eq!(
            row["unverified_visits"], 1,
            "the short visit waits for review"
        );
        assert_eq!(
            csv.headers().get("content-type").unwrap(),
            "text/csv; charset=utf-8"
        );
        let text = csv.text().await.unwrap();
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(
            lines[0],
            "branch_id,month,helper_id,name,visits,minutes,hours,checked_minutes,unverified_visits,flagged_visits"
        );
        assert!(lines[1].ends_with(",2,180,3.00,180,1,0"), "{}", lines[1]);
        let empty = app
            .get_ok(
                &format!("/api/v1/reports/hours?branch={}&month=2027-02", s.branch),
                &s.admin,
            )
            .await;
        assert!(empty["helpers"].as_array().unwrap().is_empty());
    }

    on_both_backends!(the_hours_report_pays_verified_visits_and_lists_unverified_ones_apart);
}
