//! visits: booking.

use super::*;

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
);
