//! visits: changes and retries.

use super::*;

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

on_both_backends!(
    cancelling_before_the_notice_period_is_free,
    a_far_away_check_in_is_flagged_and_charged_only_after_the_branch_reviews_it,
    rescheduling_moves_one_visit_and_rechecks_the_rules,
    a_weekly_booking_keeps_local_time_across_the_change_to_summer_time,
    a_retried_booking_with_the_same_idempotency_key_books_once,
    a_retried_purchase_with_the_same_idempotency_key_buys_once,
    racing_bookings_of_one_slot_book_exactly_once,
);
