//! One method per endpoint plus the people most tests need, so tests read Arrange / Act / Assert.

use helpmatch::db::DbConnection;
use reqwest::{Method, Response};
use serde_json::{Value, json};

use super::TestApp;

/// The admin every app gets: email and password.
pub const ADMIN_EMAIL: &str = "admin@example.dk";
/// A password that meets the policy.
pub const PASSWORD: &str = "a-long-enough-password";

impl TestApp {
    /// Sends `method path` with an optional bearer token and JSON body.
    pub async fn call(
        &self,
        method: Method,
        path: &str,
        token: Option<&str>,
        body: Option<Value>,
    ) -> Response {
        let mut request = self
            .client
            .request(method, format!("{}{path}", self.address));
        if let Some(token) = token {
            request = request.bearer_auth(token);
        }
        if let Some(body) = body {
            request = request.json(&body);
        }
        request.send().await.expect("request sent")
    }

    /// `POST path` with JSON, expecting `status`, returning the body.
    pub async fn post_ok(
        &self,
        path: &str,
        token: Option<&str>,
        body: Value,
        status: u16,
    ) -> Value {
        let response = self.call(Method::POST, path, token, Some(body)).await;
        let got = response.status().as_u16();
        let text = response.text().await.unwrap_or_default();
        assert_eq!(got, status, "POST {path}: {text}");
        serde_json::from_str(&text).unwrap_or(Value::Null)
    }

    /// `GET path` expecting 200, returning the body.
    pub async fn get_ok(&self, path: &str, token: &str) -> Value {
        let response = self.call(Method::GET, path, Some(token), None).await;
        let status = response.status().as_u16();
        let text = response.text().await.unwrap_or_default();
        assert_eq!(status, 200, "GET {path}: {text}");
        serde_json::from_str(&text).expect("JSON body")
    }

    /// Creates the admin account straight in the database (as `helpmatch create-admin` does).
    pub fn create_admin(&self) {
        let mut conn = DbConnection::open(&self.database.url).expect("database");
        helpmatch::services::accounts::create_admin(&mut conn, ADMIN_EMAIL, "Admin", PASSWORD)
            .expect("admin created");
    }

    /// `POST /api/v1/auth/login`.
    pub async fn login(&self, email: &str, password: &str) -> Response {
        self.call(
            Method::POST,
            "/api/v1/auth/login",
            None,
            Some(json!({"email": email, "password": password})),
        )
        .await
    }

    /// Logs in and returns the access token.
    pub async fn token_for(&self, email: &str, password: &str) -> String {
        let body = self
            .post_ok(
                "/api/v1/auth/login",
                None,
                json!({"email": email, "password": password}),
                200,
            )
            .await;
        body["access_token"]
            .as_str()
            .expect("access token")
            .to_string()
    }

    /// Creates the admin and returns its token.
    pub async fn admin_token(&self) -> String {
        self.create_admin();
        self.token_for(ADMIN_EMAIL, PASSWORD).await
    }

    /// `POST /api/v1/branches`; returns the id.
    pub async fn create_branch(&self, admin: &str, name: &str) -> i64 {
        let body = json!({"name": name, "country": "DK", "time_zone": "Europe/Copenhagen", "currency": "DKK",
                          "centre": {"lat": 56.1567, "lon": 10.2108}, "phone": "+45 70 20 30 40"});
        self.post_ok("/api/v1/branches", Some(admin), body, 201)
            .await["id"]
            .as_i64()
            .expect("id")
    }

    /// Creates a branch leader with a password and returns their token.
    pub async fn leader_token(&self, admin: &str, branch: i64, email: &str) -> String {
        let body = json!({"email": email, "name": "Leader", "role": "branch_leader", "branch_id": branch, "password": PASSWORD});
        self.post_ok("/api/v1/users", Some(admin), body, 201).await;
        self.token_for(email, PASSWORD).await
    }

    /// `POST /api/v1/applications`; returns the receipt.
    pub async fn apply(&self, branch: i64, email: &str) -> Value {
        self.post_ok(
            "/api/v1/applications",
            None,
            application(branch, email),
            201,
        )
        .await
    }

    /// `POST /api/v1/helpers/{id}/transitions`.
    pub async fn transition(&self, token: &str, helper: i64, body: Value) -> Response {
        self.call(
            Method::POST,
            &format!("/api/v1/helpers/{helper}/transitions"),
            Some(token),
            Some(body),
        )
        .await
    }

    /// Walks an applicant to active and returns the helper's token.
    pub async fn activate_helper(&self, leader: &str, branch: i64, email: &str) -> (i64, String) {
        let helper = self.apply(branch, email).await["helper_id"]
            .as_i64()
            .expect("helper id");
        for to in ["screened", "interview_1", "interview_2"] {
            assert_eq!(
                self.transition(leader, helper, json!({"to": to}))
                    .await
                    .status()
                    .as_u16(),
                200
            );
        }
        let check = json!({"to": "interview_3", "criminal_record": {"checked_on": "2026-11-20", "outcome": "clear"}});
        assert_eq!(
            self.transition(leader, helper, check)
                .await
                .status()
                .as_u16(),
            200
        );
        let active: Value = self
            .transition(leader, helper, json!({"to": "active"}))
            .await
            .json()
            .await
            .expect("json");
        assert_eq!(active["invitation_sent"], true, "{active}");
        let invite = self.mailed_token(email);
        self.post_ok(
            "/api/v1/auth/accept-invitation",
            None,
            json!({"token": invite, "password": PASSWORD}),
            204,
        )
        .await;
        (helper, self.token_for(email, PASSWORD).await)
    }

    /// `POST /api/v1/clients`; returns the id.
    pub async fn create_client(&self, leader: &str, branch: i64, email: &str) -> i64 {
        self.post_ok("/api/v1/clients", Some(leader), client(branch, email), 201)
            .await["id"]
            .as_i64()
            .expect("id")
    }

    /// Opens the client's own account and returns its token.
    pub async fn client_token(&self, leader: &str, client: i64, email: &str) -> String {
        let opened = self
            .post_ok(
                &format!("/api/v1/clients/{client}/account"),
                Some(leader),
                json!({}),
                201,
            )
            .await;
        assert_eq!(opened["invitation_sent"], true, "{opened}");
        let token = self.mailed_token(email);
        self.post_ok(
            "/api/v1/auth/accept-invitation",
            None,
            json!({"token": token, "password": PASSWORD}),
            204,
        )
        .await;
        self.token_for(email, PASSWORD).await
    }

    /// The one-time token of the newest set-password link mailed to `recipient` (read from
    /// the outbox, as the person would read it from their mail).
    pub fn mailed_token(&self, recipient: &str) -> String {
        use diesel::prelude::*;
        use helpmatch::db::schema::outbox;
        let mut conn = DbConnection::open(&self.database.url).expect("database");
        let bodies: Vec<String> = outbox::table
            .filter(outbox::recipient.eq(recipient))
            .order(outbox::id.desc())
            .select(outbox::text_body)
            .load(&mut conn)
            .expect("outbox");
        bodies
            .iter()
            .find_map(|body| {
                let at = body.find("set-password?token=")? + "set-password?token=".len();
                Some(
                    body[at..]
                        .chars()
                        .take_while(|c| c.is_ascii_alphanumeric() || *c == '-' || *c == '_')
                        .collect::<String>(),
                )
            })
            .unwrap_or_else(|| panic!("no set-password link was mailed to {recipient}"))
    }

    /// Time travel for attendance tests: moves a visit (keeping its length) so that it starts
    /// `minutes_from_now` from now — as if the calendar had come round to it.
    pub fn move_visit_start(&self, visit: i64, minutes_from_now: i64) {
        use diesel::prelude::*;
        use helpmatch::db::schema::visits;
        let mut conn = DbConnection::open(&self.database.url).expect("database");
        let minutes: i32 = visits::table
            .find(visit)
            .select(visits::minutes)
            .first(&mut conn)
            .expect("visit");
        let start = chrono::Utc::now().naive_utc() + chrono::Duration::minutes(minutes_from_now);
        diesel::update(visits::table.find(visit))
            .set((
                visits::starts_at.eq(start),
                visits::ends_at.eq(start + chrono::Duration::minutes(i64::from(minutes))),
            ))
            .execute(&mut conn)
            .expect("visit moved");
    }

    /// Time travel: the helper checked in `minutes` earlier than recorded.
    pub fn backdate_check_in(&self, visit: i64, minutes: i64) {
        use diesel::prelude::*;
        use helpmatch::db::schema::visits;
        let mut conn = DbConnection::open(&self.database.url).expect("database");
        let at: Option<chrono::NaiveDateTime> = visits::table
            .find(visit)
            .select(visits::checked_in_at)
            .first(&mut conn)
            .expect("visit");
        let at = at.expect("checked in") - chrono::Duration::minutes(minutes);
        diesel::update(visits::table.find(visit))
            .set(visits::checked_in_at.eq(Some(at)))
            .execute(&mut conn)
            .expect("check-in backdated");
    }

    /// `POST /api/v1/assignments`; returns the id.
    pub async fn assign(&self, leader: &str, client: i64, helper: i64) -> i64 {
        let body = json!({"client_id": client, "helper_id": helper});
        self.post_ok("/api/v1/assignments", Some(leader), body, 201)
            .await["id"]
            .as_i64()
            .expect("id")
    }
}

/// A valid application body.
pub fn application(branch: i64, email: &str) -> Value {
    json!({"branch_id": branch, "name": "Anna Jensen", "email": email, "phone": "+45 12 34 56 78",
           "study_programme": "Medicine, Aarhus University", "skills": ["it", "cooking"], "languages": ["da", "en"],
           "home": {"lat": 56.16, "lon": 10.20}, "capacity": 3, "hours_per_week": 6})
}

/// A valid client body.
pub fn client(branch: i64, email: &str) -> Value {
    json!({"branch_id": branch, "name": "Karen Nielsen", "email": email, "phone": "+45 87 65 43 21",
           "address": "Vestergade 1, 8000 Aarhus C", "position": {"lat": 56.157, "lon": 10.205},
           "needs": ["it", "shopping"], "languages": ["da"], "wanted": 2, "source": "partner_organisation",
           "source_detail": "Ældresagen", "municipal_home_care": true, "care_notes": "Cat called Mis; key in the box"})
}
