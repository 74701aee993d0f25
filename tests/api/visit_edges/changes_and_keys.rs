//! visit edges: changes and keys.

use super::*;

async fn shortening_a_visit_inside_the_notice_period_uses_the_minutes_it_gives_up(
    backend: TestBackend,
) {
    let app = spawn_app(backend).await;
    let t = team(&app).await;
    let karen = app
        .client_token(&t.admin, t.client, "karen@example.dk")
        .await;
    let late = app
        .book_id(&karen, t.client, t.helper, &starts_in_hours(3), 120)
        .await;
    let early = app
        .book_id(&karen, t.client, t.helper, "2027-01-12T10:00:00+01:00", 120)
        .await;
    let one_hour = json!({"segments": [{"task": "it", "minutes": 60}]});

    let shortened_late = reschedule(&app, &karen, late, one_hour.clone()).await;
    let shortened_early = reschedule(&app, &karen, early, one_hour).await;
    let cancelled = app
        .post_ok(
            &format!("/api/v1/visits/{late}/cancel"),
            Some(&karen),
            json!({}),
            200,
        )
        .await;

    assert_eq!(shortened_late.status().as_u16(), 200);
    assert_eq!(shortened_early.status().as_u16(), 200);
    assert_eq!(cancelled["late_cancellation"], true);
    assert_eq!(
        balance_of(&app.balance(&t.admin, t.client).await),
        (480 - 120 - 60, 60, 120),
        "the late visit used all its 120 minutes, not just the 60 left after shortening it; \
         the visit shortened in time keeps 60 reserved and gave back 60"
    );
}

async fn free_cancellation_until_shows_on_the_visit(backend: TestBackend) {
    let app = spawn_app(backend).await;
    let t = team(&app).await;

    let booking: Value = app
        .book(
            &t.admin,
            t.client,
            t.helper,
            "2027-01-12T10:00:00+01:00",
            60,
        )
        .await
        .json()
        .await
        .unwrap();

    let id = booking["visits"][0]["id"].as_i64().unwrap();
    assert_eq!(
        booking["visits"][0]["free_cancellation_until"],
        "2027-01-11T09:00:00Z"
    );
    assert_eq!(
        visit(&app, &t.admin, id).await["free_cancellation_until"],
        "2027-01-11T09:00:00Z"
    );
    let listed = app
        .get_ok(&format!("/api/v1/visits?client={}", t.client), &t.admin)
        .await;
    assert_eq!(
        listed["items"][0]["free_cancellation_until"],
        "2027-01-11T09:00:00Z"
    );
}

async fn an_idempotency_key_replays_the_same_booking_and_refuses_a_different_one(
    backend: TestBackend,
) {
    let app = spawn_app(backend).await;
    let t = team(&app).await;
    let first_body = json!({"client_id": t.client, "helper_id": t.helper,
                            "starts_at": "2027-01-12T10:00:00+01:00", "segments": [{"task": "it", "minutes": 60}]});
    let same_fields_reordered = format!(
        r#"{{"segments":[{{"minutes":60,"task":"it"}}],"starts_at":"2027-01-12T10:00:00+01:00","helper_id":{},"client_id":{}}}"#,
        t.helper, t.client
    );
    let other_body = json!({"client_id": t.client, "helper_id": t.helper,
                            "starts_at": "2027-01-13T10:00:00+01:00", "segments": [{"task": "it", "minutes": 60}]});
    let path = "/api/v1/visits";

    let first = keyed(&app, &t.admin, path, "book-1")
        .json(&first_body)
        .send()
        .await
        .unwrap();
    let retry = keyed(&app, &t.admin, path, "book-1")
        .json(&first_body)
        .send()
        .await
        .unwrap();
    let reordered = keyed(&app, &t.admin, path, "book-1")
        .header("content-type", "application/json")
        .body(same_fields_reordered)
        .send()
        .await
        .unwrap();
    let different = keyed(&app, &t.admin, path, "book-1")
        .json(&other_body)
        .send()
        .await
        .unwrap();

    assert_eq!(first.status().as_u16(), 201);
    assert!(first.headers().get("idempotent-replayed").is_none());
    let first: Value = first.json().await.unwrap();
    for replay in [retry, reordered] {
        assert_eq!(replay.status().as_u16(), 201);
        assert_eq!(replay.headers().get("idempotent-replayed").unwrap(), "true");
        assert_eq!(replay.json::<Value>().await.unwrap(), first);
    }
    let problem = assert_problem(different, 422).await;
    assert_eq!(problem["type"], "/problems/idempotency-key-reused");
    let listed = app
        .get_ok(&format!("/api/v1/visits?client={}", t.client), &t.admin)
        .await;
    let starts: Vec<&str> = listed["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v["starts_at"].as_str().unwrap())
        .collect();
    assert_eq!(
        starts,
        ["2027-01-12T09:00:00Z"],
        "booked once, never the 13th"
    );
    assert_eq!(
        balance_of(&app.balance(&t.admin, t.client).await),
        (420, 60, 0)
    );
}

async fn an_idempotency_key_reused_for_another_purchase_buys_nothing(backend: TestBackend) {
    let app = spawn_app(backend).await;
    let t = team(&app).await;
    let path = format!("/api/v1/clients/{}/clip-cards", t.client);
    let hour = json!({"product": "single_hour", "payment_method": "mobilepay", "payment_reference": "MP-1"});
    let card = json!({"product": "clip_card_8h", "payment_method": "mobilepay", "payment_reference": "MP-1"});

    let first = keyed(&app, &t.admin, &path, "pay-1")
        .json(&hour)
        .send()
        .await
        .unwrap();
    let different = keyed(&app, &t.admin, &path, "pay-1")
        .json(&card)
        .send()
        .await
        .unwrap();

    assert_eq!(first.status().as_u16(), 201);
    let problem = assert_problem(different, 422).await;
    assert_eq!(problem["type"], "/problems/idempotency-key-reused");
    assert_eq!(
        app.balance(&t.admin, t.client).await["purchased_minutes"],
        480 + 60,
        "the setup's card and the single hour, not a second card"
    );
}

async fn an_idempotency_key_used_for_one_clients_clip_card_is_refused_for_another(
    backend: TestBackend,
) {
    let app = spawn_app(backend).await;
    let t = team(&app).await;
    let other = app
        .create_client(&t.admin, t.branch, "jens@example.dk")
        .await;
    let body = json!({"product": "single_hour", "payment_method": "invoice", "payment_reference": "INV-9"});

    let for_karen = keyed(
        &app,
        &t.admin,
        &format!("/api/v1/clients/{}/clip-cards", t.client),
        "pay-2",
    )
    .json(&body)
    .send()
    .await
    .unwrap();
    let for_jens = keyed(
        &app,
        &t.admin,
        &format!("/api/v1/clients/{other}/clip-cards"),
        "pay-2",
    )
    .json(&body)
    .send()
    .await
    .unwrap();

    assert_eq!(for_karen.status().as_u16(), 201);
    let problem = assert_problem(for_jens, 422).await;
    assert_eq!(problem["type"], "/problems/idempotency-key-reused");
    assert_eq!(
        app.balance(&t.admin, other).await["purchased_minutes"],
        0,
        "Jens bought nothing (and was not handed Karen's receipt)"
    );
    let cards = app
        .get_ok(&format!("/api/v1/clients/{other}/clip-cards"), &t.admin)
        .await;
    assert!(cards["items"].as_array().unwrap().is_empty(), "{cards}");
}

// ---------------------------------------------------------------- start step

async fn a_visit_starting_at_seven_past_is_refused_naming_starts_at(backend: TestBackend) {
    let app = spawn_app(backend).await;
    let t = team(&app).await;
    let id = app
        .book_id(
            &t.admin,
            t.client,
            t.helper,
            "2027-01-12T10:00:00+01:00",
            60,
        )
        .await;

    let booked = app
        .book(
            &t.admin,
            t.client,
            t.helper,
            "2027-01-13T10:07:00+01:00",
            60,
        )
        .await;
    let moved = reschedule(
        &app,
        &t.admin,
        id,
        json!({"starts_at": "2027-01-12T10:07:00+01:00"}),
    )
    .await;

    let problem = assert_problem(booked, 422).await;
    assert_eq!(field_names(&problem), ["starts_at"]);
    let problem = assert_problem(moved, 422).await;
    assert_eq!(field_names(&problem), ["starts_at"]);
    assert_eq!(
        visit(&app, &t.admin, id).await["local_starts_at"],
        "2027-01-12T10:00:00+01:00"
    );
    assert_eq!(
        balance_of(&app.balance(&t.admin, t.client).await),
        (420, 60, 0),
        "only the 10:00 visit holds minutes"
    );
}

on_both_backends!(
    shortening_a_visit_inside_the_notice_period_uses_the_minutes_it_gives_up,
    free_cancellation_until_shows_on_the_visit,
    an_idempotency_key_replays_the_same_booking_and_refuses_a_different_one,
    an_idempotency_key_reused_for_another_purchase_buys_nothing,
    an_idempotency_key_used_for_one_clients_clip_card_is_refused_for_another,
    a_visit_starting_at_seven_past_is_refused_naming_starts_at,
);
