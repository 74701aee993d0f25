//! Visits and clip cards: buying hours, booking with your own helpers, never double-booking,
//! never losing an hour — also when requests race.

use futures::future::join_all;
use reqwest::Method;
use serde_json::{Value, json};

use crate::support::{TestApp, TestBackend, assert_problem, spawn_app, spawn_app_with};
use crate::on_both_backends;

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

async fn a_clip_card_buys_eight_hours_at_the_price_in_force(backend: TestBackend) {
    let app = spawn_app(backend).await;
    let s = setup(&app).await;

    let prices = app
        .get_ok(&format!("/api/v1/branches/{}/prices", s.branch), &s.admin)
        .await;
    let new_price = json!({"product": "clip_card_8h", "amount_minor": 164000});
    app.post_ok(
        &format!("/api/v1/branches/{}/prices", s.branch),
        Some(&s.admin),
        new_price,
        201,
    )
    .await;
    let second = app.buy(&s.admin, s.client, "clip_card_8h").await;

    assert_eq!(
        prices["in_force"][0]["amount_minor"], 156000,
        "8 hours at 195 DKK"
    );
    assert_eq!(
        prices["in_force"][1]["amount_minor"], 23500,
        "a single hour at 235 DKK"
    );
    assert_eq!(second["clip_card"]["amount_minor"], 164000);
    let ledger = app
        .get_ok(&format!("/api/v1/clients/{}/ledger", s.client), &s.admin)
        .await;
    let purchases: Vec<i64> = ledger["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["minutes"].as_i64().unwrap())
        .collect();
    assert_eq!(purchases, [480, 480]);
    assert_eq!(
        app.balance(&s.admin, s.client).await["available_minutes"],
        960
    );
}

async fn the_demo_branches_sell_clip_cards_at_the_danish_prices(backend: TestBackend) {
    let app = spawn_app(backend).await;
    let admin = app.admin_token().await;
    let mut conn = helpmatch::db::DbConnection::open(&app.database.url).expect("database");
    let added = helpmatch::services::branches::seed_demo(&mut conn).expect("seeded");

    let branches = app.get_ok("/api/v1/branches?limit=10", &admin).await;
    let aarhus = branches["items"][0]["id"].as_i64().unwrap();
    let prices = app
        .get_ok(&format!("/api/v1/branches/{aarhus}/prices"), &admin)
        .await;

    assert_eq!(added, 6);
    let in_force: Vec<i64> = prices["in_force"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["amount_minor"].as_i64().unwrap())
        .collect();
    assert_eq!(
        in_force,
        [156000, 23500],
        "the README buys a clip card at a demo branch"
    );
}

async fn booking_reserves_the_minutes_and_shows_local_time(backend: TestBackend) {
    let app = spawn_app(backend).await;
    let s = setup(&app).await;

    let response = app
        .book(
            &s.admin,
            s.client,
            s.helper,
            "2027-01-12T10:00:00+01:00",
            90,
        )
        .await;

    assert_eq!(response.status().as_u16(), 201);
    let booking: Value = response.json().await.unwrap();
    let visit = &booking["visits"][0];
    assert_eq!(visit["starts_at"], "2027-01-12T09:00:00Z");
    assert_eq!(visit["local_starts_at"], "2027-01-12T10:00:00+01:00");
    assert_eq!(visit["minutes"], 90);
    assert_eq!(booking["balance"]["available_minutes"], 390);
    assert_eq!(booking["balance"]["reserved_minutes"], 90);
}

async fn booking_a_taken_slot_returns_409_and_charges_nothing(backend: TestBackend) {
    let app = spawn_app(backend).await;
    let s = setup(&app).await;
    let other = app
        .create_client(&s.admin, s.branch, "other@example.dk")
        .await;
    app.assign(&s.admin, other, s.helper).await;
    app.buy(&s.admin, other, "clip_card_8h").await;
    assert_eq!(
        app.book(
            &s.admin,
            s.client,
            s.helper,
            "2027-01-12T10:00:00+01:00",
            60
        )
        .await
        .status()
        .as_u16(),
        201
    );

    let same_helper_overlap = app
        .book(&s.admin, other, s.helper, "2027-01-12T10:30:00+01:00", 60)
        .await;
    let inside_travel_buffer = app
        .book(&s.admin, other, s.helper, "2027-01-12T11:15:00+01:00", 60)
        .await;

    assert_problem(same_helper_overlap, 409).await;
    assert_problem(inside_travel_buffer, 409).await;
    assert_eq!(app.balance(&s.admin, other).await["available_minutes"], 480);
    assert_eq!(
        app.book(&s.admin, other, s.helper, "2027-01-12T11:30:00+01:00", 60)
            .await
            .status()
            .as_u16(),
        201,
        "after the buffer is fine"
    );
}

async fn only_the_clients_own_helpers_unless_the_branch_books_a_substitute(backend: TestBackend) {
    let app = spawn_app(backend).await;
    let s = setup(&app).await;
    let (stranger, _) = app
        .activate_helper(&s.admin, s.branch, "stranger@example.dk")
        .await;
    let client_token = app
        .client_token(&s.admin, s.client, "karen@example.dk")
        .await;

    let by_client = app
        .book(
            &client_token,
            s.client,
            stranger,
            "2027-01-12T10:00:00+01:00",
            60,
        )
        .await;
    let body = json!({"client_id": s.client, "helper_id": stranger, "starts_at": "2027-01-12T10:00:00+01:00",
                      "segments": [{"task": "cleaning", "minutes": 60}], "substitute": true});
    let by_branch = app
        .post_ok("/api/v1/visits", Some(&s.admin), body, 201)
        .await;

    assert_problem(by_client, 422).await;
    assert_eq!(by_branch["visits"][0]["substitute"], true);
    assert_eq!(
        app.book(
            &client_token,
            s.client,
            s.helper,
            "2027-01-13T10:00:00+01:00",
            60
        )
        .await
        .status()
        .as_u16(),
        201
    );
}

async fn a_booking_the_balance_does_not_cover_is_refused(backend: TestBackend) {
    let app = spawn_app(backend).await;
    let s = setup(&app).await;

    let response = app
        .book(
            &s.admin,
            s.client,
            s.helper,
            "2027-01-12T08:00:00+01:00",
            480,
        )
        .await;
    assert_eq!(response.status().as_u16(), 201);
    let more = app
        .book(
            &s.admin,
            s.client,
            s.helper,
            "2027-01-13T10:00:00+01:00",
            60,
        )
        .await;

    assert_problem(more, 409).await;
    assert_eq!(
        app.balance(&s.admin, s.client).await["available_minutes"],
        0
    );
}

async fn bad_visits_are_refused_field_by_field(backend: TestBackend) {
    let app = spawn_app(backend).await;
    let s = setup(&app).await;
    let body = json!({"client_id": s.client, "helper_id": s.helper, "starts_at": "2027-01-12T10:00:00+01:00",
                      "segments": [{"task": "juggling", "minutes": 45}]});

    let problem = assert_problem(
        app.call(Method::POST, "/api/v1/visits", Some(&s.admin), Some(body))
            .await,
        422,
    )
    .await;
    let past = app
        .book(
            &s.admin,
            s.client,
            s.helper,
            "2020-01-12T10:00:00+01:00",
            60,
        )
        .await;
    let too_short = app
        .book(
            &s.admin,
            s.client,
            s.helper,
            "2027-01-12T10:00:00+01:00",
            30,
        )
        .await;

    let fields: Vec<&str> = problem["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["field"].as_str().unwrap())
        .collect();
    assert_eq!(fields, ["segments[0].task", "segments[0].minutes"]);
    assert_problem(past, 422).await;
    assert_problem(too_short, 422).await;
    assert_eq!(
        app.balance(&s.admin, s.client).await["available_minutes"],
        480
    );
}

async fn the_helpers_declared_availability_and_exceptions_are_respected(backend: TestBackend) {
    let app = spawn_app(backend).await;
    let s = setup(&app).await;
    let windows = json!({"windows": [{"weekday": 2, "start": "09:00", "end": "13:00"}], "visits_per_week": 3});
    let response = app
        .call(
            Method::PUT,
            &format!("/api/v1/helpers/{}/availability", s.helper),
            Some(&s.helper_token),
            Some(windows),
        )
        .await;
    assert_eq!(response.status().as_u16(), 200);
    let exams = json!({"starts_at": "2027-01-19T00:00:00Z", "ends_at": "2027-01-20T00:00:00Z", "reason": "exams"});
    app.post_ok(
        &format!("/api/v1/helpers/{}/availability/exceptions", s.helper),
        Some(&s.helper_token),
        exams,
        201,
    )
    .await;

    // 2027-01-12 and 2027-01-19 are Tuesdays; 2027-01-13 is a Wednesday.
    let inside = app
        .book(
            &s.admin,
            s.client,
            s.helper,
            "2027-01-12T10:00:00+01:00",
            60,
        )
        .await;
    let too_late = app
        .book(
            &s.admin,
            s.client,
            s.helper,
            "2027-01-12T12:30:00+01:00",
            60,
        )
        .await;
    let wrong_day = app
        .book(
            &s.admin,
            s.client,
            s.helper,
            "2027-01-13T10:00:00+01:00",
            60,
        )
        .await;
    let during_exams = app
        .book(
            &s.admin,
            s.client,
            s.helper,
            "2027-01-19T10:00:00+01:00",
            60,
        )
        .await;

    assert_eq!(inside.status().as_u16(), 201);
    assert_problem(too_late, 409).await;
    assert_problem(wrong_day, 409).await;
    assert_problem(during_exams, 409).await;
}

async fn cancelling_in_time_releases_and_late_cancelling_uses_the_hours(backend: TestBackend) {
    let app = spawn_app_with(backend, |s| {
        s.visits.free_cancellation_hours = 24 * 365 * 10
    })
    .await;
    let s = setup(&app).await;
    let late: Value = app
        .book(
            &s.admin,
            s.client,
            s.helper,
            "2027-01-12T10:00:00+01:00",
            60,
        )
        .await
        .json()
        .await
        .unwrap();

    let cancelled = app
        .post_ok(
            &format!("/api/v1/visits/{}/cancel", late["visits"][0]["id"]),
            Some(&s.admin),
            json!({}),
            200,
        )
        .await;

    assert_eq!(cancelled["late_cancellation"], true);
    let balance = app.balance(&s.admin, s.client).await;
    assert_eq!(
        (
            balance["available_minutes"].as_i64(),
            balance["used_minutes"].as_i64()
        ),
        (Some(420), Some(60))
    );
}

async fn cancelling_before_the_notice_period_is_free(backend: TestBackend) {
    let app = spawn_app(backend).await;
    let s = setup(&app).await;
    let id = app
        .book_id(
            &s.admin,
            s.client,
            s.helper,
            "2027-01-12T10:00:00+01:00",
            60,
        )
        .await;

    let cancelled = app
        .post_ok(
            &format!("/api/v1/visits/{id}/cancel"),
            Some(&s.admin),
            json!({}),
            200,
        )
        .await;
    let again = app
        .call(
            Method::POST,
            &format!("/api/v1/visits/{id}/cancel"),
            Some(&s.admin),
            Some(json!({})),
        )
        .await;

    assert_eq!(cancelled["late_cancellation"], false);
    assert_problem(again, 409).await;
    let balance = app.balance(&s.admin, s.client).await;
    assert_eq!(
        (
            balance["available_minutes"].as_i64(),
            balance["reserved_minutes"].as_i64()
        ),
        (Some(480), Some(0))
    );
}

async fn a_far_away_check_in_is_flagged_and_charged_only_after_the_branch_reviews_it(
    backend: TestBackend,
) {
    let app = spawn_app(backend).await;
    let s = setup(&app).await;
    let id = app
        .book_id(
            &s.admin,
            s.client,
            s.helper,
            "2027-01-12T10:00:00+01:00",
            90,
        )
        .await;
    app.move_visit_start(id, 10);

    let checked_in = app
        .post_ok(
            &format!("/api/v1/visits/{id}/check-in"),
            Some(&s.helper_token),
            json!({"lat": 56.2, "lon": 10.3}),
            200,
        )
        .await;
    app.backdate_check_in(id, 90);
    let by_admin = app
        .call(
            Method::POST,
            &format!("/api/v1/visits/{id}/check-out"),
            Some(&s.admin),
            Some(json!({"lat": 56.157, "lon": 10.205})),
        )
        .await;
    let done = app
        .post_ok(
            &format!("/api/v1/visits/{id}/check-out"),
            Some(&s.helper_token),
            json!({"lat": 56.157, "lon": 10.205}),
            200,
        )
        .await;
    let before_review = app.balance(&s.admin, s.client).await;
    let by_helper = app
        .call(
            Method::POST,
            &format!("/api/v1/visits/{id}/review"),
            Some(&s.helper_token),
            Some(json!({"minutes": 90})),
        )
        .await;
    let too_many = app
        .call(
            Method::POST,
            &format!("/api/v1/visits/{id}/review"),
            Some(&s.admin),
            Some(json!({"minutes": 120})),
        )
        .await;
    let reviewed = app
        .post_ok(
            &format!("/api/v1/visits/{id}/review"),
            Some(&s.admin),
            json!({"minutes": 60}),
            200,
        )
        .await;
    let again = app
        .call(
            Method::POST,
            &format!("/api/v1/visits/{id}/review"),
            Some(&s.admin),
            Some(json!({"minutes": 60})),
        )
        .await;

    assert_eq!(checked_in["status"], "checked_in");
    assert_eq!(
        checked_in["position_flagged"], true,
        "about 7 km from the home"
    );
    assert_problem(by_admin, 403).await;
    assert_eq!(done["status"], "completed");
    assert_eq!(done["attention"], "position_far");
    assert_eq!(done["consumed_minutes"], Value::Null);
    assert!(done["check_out_distance_m"].as_i64().unwrap() < 10);
    assert_eq!(
        (
            before_review["used_minutes"].as_i64(),
            before_review["reserved_minutes"].as_i64()
        ),
        (Some(0), Some(90)),
        "nothing is charged before the branch reviews it"
    );
    assert_problem(by_helper, 403).await;
    assert_problem(too_many, 422).await;
    assert_eq!(reviewed["consumed_minutes"], 60);
    assert_eq!(reviewed["attention"], Value::Null);
    assert_problem(again, 409).await;
    let balance = app.balance(&s.admin, s.client).await;
    assert_eq!(
        (
            balance["used_minutes"].as_i64(),
            balance["reserved_minutes"].as_i64(),
            balance["available_minutes"].as_i64()
        ),
        (Some(60), Some(0), Some(420))
    );
}

async fn rescheduling_moves_one_visit_and_rechecks_the_rules(backend: TestBackend) {
    let app = spawn_app(backend).await;
    let s = setup(&app).await;
    let first: Value = app
        .book(
            &s.admin,
            s.client,
            s.helper,
            "2027-01-12T10:00:00+01:00",
            60,
        )
        .await
        .json()
        .await
        .unwrap();
    app.book(
        &s.admin,
        s.client,
        s.helper,
        "2027-01-13T10:00:00+01:00",
        60,
    )
    .await;
    let id = first["visits"][0]["id"].as_i64().unwrap();

    let onto_other = app
        .call(
            Method::PATCH,
            &format!("/api/v1/visits/{id}"),
            Some(&s.admin),
            Some(json!({"starts_at": "2027-01-13T10:30:00+01:00"})),
        )
        .await;
    let moved = app.call(Method::PATCH, &format!("/api/v1/visits/{id}"), Some(&s.admin),
        Some(json!({"starts_at": "2027-01-14T14:00:00+01:00", "segments": [{"task": "shopping", "minutes": 120}]}))).await;

    assert_problem(onto_other, 409).await;
    assert_eq!(moved.status().as_u16(), 200);
    let moved: Value = moved.json().await.unwrap();
    assert_eq!(
        (
            moved["local_starts_at"].as_str(),
            moved["minutes"].as_i64(),
            moved["sequence"].as_i64()
        ),
        (Some("2027-01-14T14:00:00+01:00"), Some(120), Some(1))
    );
    assert_eq!(
        app.balance(&s.admin, s.client).await["reserved_minutes"],
        180
    );
}

async fn a_weekly_booking_keeps_local_time_across_the_change_to_summer_time(backend: TestBackend) {
    let app = spawn_app_with(backend, |s| s.visits.recurring_weeks_ahead = 3).await;
    let s = setup(&app).await;
    let body = json!({"client_id": s.client, "helper_id": s.helper, "starts_at": "2027-03-16T10:00:00+01:00",
                      "segments": [{"task": "cooking", "minutes": 90}], "repeat_weekly": true});

    let booking = app
        .post_ok("/api/v1/visits", Some(&s.admin), body, 201)
        .await;

    let visits = booking["visits"].as_array().unwrap();
    let local: Vec<&str> = visits
        .iter()
        .map(|v| v["local_starts_at"].as_str().unwrap())
        .collect();
    let utc: Vec<&str> = visits
        .iter()
        .map(|v| v["starts_at"].as_str().unwrap())
        .collect();
    assert_eq!(
        local,
        [
            "2027-03-16T10:00:00+01:00",
            "2027-03-23T10:00:00+01:00",
            "2027-03-30T10:00:00+02:00"
        ]
    );
    assert_eq!(
        utc,
        [
            "2027-03-16T09:00:00Z",
            "2027-03-23T09:00:00Z",
            "2027-03-30T08:00:00Z"
        ]
    );
    assert!(visits.iter().all(|v| v["series_id"] == visits[0]["id"]));
    let one = visits[1]["id"].as_i64().unwrap();
    app.post_ok(
        &format!("/api/v1/visits/{one}/cancel"),
        Some(&s.admin),
        json!({}),
        200,
    )
    .await;
    let schedule = app
        .get_ok(
            &format!(
                "/api/v1/visits?branch={}&from=2027-03-01T00:00:00Z&to=2027-04-01T00:00:00Z&status=booked,cancelled",
                s.branch
            ),
            &s.admin,
        )
        .await;
    let statuses: Vec<&str> = schedule["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v["status"].as_str().unwrap())
        .collect();
    assert_eq!(
        statuses,
        ["booked", "cancelled", "booked"],
        "one occurrence cancelled alone"
    );
}

async fn a_retried_booking_with_the_same_idempotency_key_books_once(backend: TestBackend) {
    let app = spawn_app(backend).await;
    let s = setup(&app).await;
    let body = json!({"client_id": s.client, "helper_id": s.helper, "starts_at": "2027-01-12T10:00:00+01:00",
                      "segments": [{"task": "it", "minutes": 60}]});
    let send = || {
        app.client
            .post(format!("{}/api/v1/visits", app.address))
            .bearer_auth(&s.admin)
            .header("Idempotency-Key", "retry-me-1")
            .json(&body)
            .send()
    };

    let first = send().await.unwrap();
    let second = send().await.unwrap();

    assert_eq!(
        (first.status().as_u16(), second.status().as_u16()),
        (201, 201)
    );
    assert_eq!(second.headers().get("idempotent-replayed").unwrap(), "true");
    let (a, b): (Value, Value) = (first.json().await.unwrap(), second.json().await.unwrap());
    assert_eq!(a, b);
    assert_eq!(
        app.balance(&s.admin, s.client).await["reserved_minutes"],
        60
    );
}

async fn a_retried_purchase_with_the_same_idempotency_key_buys_once(backend: TestBackend) {
    let app = spawn_app(backend).await;
    let s = setup(&app).await;
    let body = json!({"product": "single_hour", "payment_method": "mobilepay", "payment_reference": "MP-77"});
    let url = format!("{}/api/v1/clients/{}/clip-cards", app.address, s.client);
    let send = || {
        app.client
            .post(&url)
            .bearer_auth(&s.admin)
            .header("Idempotency-Key", "buy-once")
            .json(&body)
            .send()
    };

    let attempts = join_all([send(), send(), send()]).await;

    let mut bodies = vec![];
    for response in attempts {
        let response = response.unwrap();
        assert_eq!(response.status().as_u16(), 201);
        bodies.push(response.json::<Value>().await.unwrap());
    }
    assert!(
        bodies.windows(2).all(|w| w[0] == w[1]),
        "every retry sees the first answer"
    );
    assert_eq!(
        app.balance(&s.admin, s.client).await["purchased_minutes"],
        480 + 60
    );
}

async fn racing_bookings_of_one_slot_book_exactly_once(backend: TestBackend) {
    let app = racing_app(backend).await;
    let s = setup(&app).await;
    let mut clients = vec![];
    for n in 0..8 {
        let c = app
            .create_client(&s.admin, s.branch, &format!("racer{n}@example.dk"))
            .await;
        app.assign(&s.admin, c, s.helper).await;
        app.buy(&s.admin, c, "clip_card_8h").await;
        clients.push(c);
    }

    let attempts = clients
        .iter()
        .map(|c| app.book(&s.admin, *c, s.helper, "2027-02-02T10:00:00+01:00", 60));
    let statuses: Vec<u16> = join_all(attempts)
        .await
        .iter()
        .map(|r| r.status().as_u16())
        .collect();

    assert_eq!(
        statuses.iter().filter(|s| **s == 201).count(),
        1,
        "{statuses:?}"
    );
    assert_eq!(
        statuses.iter().filter(|s| **s == 409).count(),
        7,
        "{statuses:?}"
    );
    let mut reserved = 0;
    for c in clients {
        reserved += app.balance(&s.admin, c).await["reserved_minutes"]
            .as_i64()
            .unwrap();
    }
    assert_eq!(reserved, 60, "only the winner holds minutes");
}

async fn racing_bookings_never_overdraw_a_balance_and_the_ledger_adds_up(backend: TestBackend) {
    let app = racing_app(backend).await;
    let s = setup(&app).await;
    let mut helpers = vec![s.helper];
    for n in 0..2 {
        let (h, _) = app
            .activate_helper(&s.admin, s.branch, &format!("h{n}@example.dk"))
            .await;
        app.assign(&s.admin, s.client, h).await;
        helpers.push(h);
    }

    // 12 two-hour visits on different days (no slot clash) against 8 hours: at most 4 can win.
    let (app_ref, admin) = (&app, s.admin.as_str());
    let attempts = (0..12).map(|n| {
        let helper = helpers[n % helpers.len()];
        let start = format!("2027-02-{:02}T10:00:00+01:00", n + 1);
        async move { app_ref.book(admin, s.client, helper, &start, 120).await }
    });
    let statuses: Vec<u16> = join_all(attempts)
        .await
        .iter()
        .map(|r| r.status().as_u16())
        .collect();

    assert_eq!(
        statuses.iter().filter(|s| **s == 201).count(),
        4,
        "{statuses:?}"
    );
    assert!(
        statuses.iter().all(|s| *s == 201 || *s == 409),
        "{statuses:?}"
    );
    let balance = app.balance(&s.admin, s.client).await;
    assert_eq!(
        (
            balance["available_minutes"].as_i64(),
            balance["reserved_minutes"].as_i64()
        ),
        (Some(0), Some(480))
    );
    let ledger = app
        .get_ok(
            &format!("/api/v1/clients/{}/ledger?limit=200", s.client),
            &s.admin,
        )
        .await;
    let sum = |kind: &str| -> i64 {
        ledger["items"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|e| e["kind"] == kind)
            .map(|e| e["minutes"].as_i64().unwrap())
            .sum()
    };
    assert_eq!(sum("purchase") - sum("reserve"), 0);
    assert_eq!(sum("reserve"), 480);
}

on_both_backends!(
    a_clip_card_buys_eight_hours_at_the_price_in_force,
    the_demo_branches_sell_clip_cards_at_the_danish_prices,
    booking_reserves_the_minutes_and_shows_local_time,
    booking_a_taken_slot_returns_409_and_charges_nothing,
    only_the_clients_own_helpers_unless_the_branch_books_a_substitute,
    a_booking_the_balance_does_not_cover_is_refused,
    bad_visits_are_refused_field_by_field,
    the_helpers_declared_availability_and_exceptions_are_respected,
    cancelling_in_time_releases_and_late_cancelling_uses_the_hours,
    cancelling_before_the_notice_period_is_free,
    a_far_away_check_in_is_flagged_and_charged_only_after_the_branch_reviews_it,
    rescheduling_moves_one_visit_and_rechecks_the_rules,
    a_weekly_booking_keeps_local_time_across_the_change_to_summer_time,
    a_retried_booking_with_the_same_idempotency_key_books_once,
    a_retried_purchase_with_the_same_idempotency_key_buys_once,
    racing_bookings_of_one_slot_book_exactly_once,
    racing_bookings_never_overdraw_a_balance_and_the_ledger_adds_up,
);

mod report {

    use super::setup;
    use crate::support::{TestBackend, spawn_app};
    use crate::on_both_backends;

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
