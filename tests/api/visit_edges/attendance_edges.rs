//! visit edges: attendance edges.

use super::*;

// ---------------------------------------------------------------- attendance

async fn checking_in_a_week_before_the_visit_is_refused_and_changes_nothing(backend: TestBackend) {
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
    app.move_visit_start(id, 7 * 24 * 60);

    let early = act(&app, &t.helper_token, id, "check-in", home()).await;

    assert_problem(early, 409).await;
    let seen = visit(&app, &t.admin, id).await;
    assert_eq!(seen["status"], "booked");
    assert_eq!(seen["checked_in_at"], Value::Null);
    assert_eq!(seen["check_in_distance_m"], Value::Null);
    assert_eq!(
        balance_of(&app.balance(&t.admin, t.client).await),
        (420, 60, 0)
    );
}

async fn checking_in_after_the_visit_has_ended_is_refused(backend: TestBackend) {
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
    // Started 65 minutes ago: the 60-minute visit ended 5 minutes ago.
    app.move_visit_start(id, -65);

    let late = act(&app, &t.helper_token, id, "check-in", home()).await;

    assert_problem(late, 409).await;
    let seen = visit(&app, &t.admin, id).await;
    assert_eq!(seen["status"], "booked");
    assert_eq!(seen["checked_in_at"], Value::Null);
}

async fn checking_in_opens_an_hour_before_the_start(backend: TestBackend) {
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

    app.move_visit_start(id, 70);
    let before_the_window = act(&app, &t.helper_token, id, "check-in", home()).await;
    app.move_visit_start(id, 50);
    let inside_the_window = act(&app, &t.helper_token, id, "check-in", home()).await;

    assert_problem(before_the_window, 409).await;
    assert_eq!(inside_the_window.status().as_u16(), 200);
    let checked_in: Value = inside_the_window.json().await.unwrap();
    assert_eq!(checked_in["status"], "checked_in");
    assert!(checked_in["checked_in_at"].is_string(), "{checked_in}");
    assert_eq!(checked_in["position_flagged"], false);
}

async fn checking_out_without_checking_in_is_refused(backend: TestBackend) {
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
    app.move_visit_start(id, -30);

    let out = act(&app, &t.helper_token, id, "check-out", home()).await;

    assert_problem(out, 409).await;
    let seen = visit(&app, &t.admin, id).await;
    assert_eq!(seen["status"], "booked");
    assert_eq!(seen["consumed_minutes"], Value::Null);
    assert_eq!(
        balance_of(&app.balance(&t.admin, t.client).await),
        (420, 60, 0),
        "nothing consumed"
    );
}

async fn a_paused_helper_cannot_check_in(backend: TestBackend) {
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
    let paused = app
        .transition(&t.admin, t.helper, json!({"to": "paused"}))
        .await;
    assert_eq!(paused.status().as_u16(), 200);
    app.move_visit_start(id, 5);

    let check_in = act(&app, &t.helper_token, id, "check-in", home()).await;

    assert_problem(check_in, 409).await;
    assert_eq!(visit(&app, &t.admin, id).await["status"], "booked");
}

async fn a_helper_who_is_not_on_the_visit_gets_404(backend: TestBackend) {
    let app = spawn_app(backend).await;
    let t = team(&app).await;
    let (colleague, colleague_token) = app
        .activate_helper(&t.admin, t.branch, "bo@example.dk")
        .await;
    app.assign(&t.admin, t.client, colleague).await;
    let id = app
        .book_id(
            &t.admin,
            t.client,
            t.helper,
            "2027-01-12T10:00:00+01:00",
            60,
        )
        .await;
    app.move_visit_start(id, 5);

    let check_in = act(&app, &colleague_token, id, "check-in", home()).await;
    let check_out = act(&app, &colleague_token, id, "check-out", home()).await;

    assert_problem(check_in, 404).await;
    assert_problem(check_out, 404).await;
    assert_eq!(visit(&app, &t.admin, id).await["status"], "booked");
    // The visit's own helper still can.
    let own = act(&app, &t.helper_token, id, "check-in", home()).await;
    assert_eq!(own.status().as_u16(), 200);
}

// ---------------------------------------------------------------- no-show

async fn a_no_show_before_the_start_is_refused_and_charges_nothing(backend: TestBackend) {
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
    app.move_visit_start(id, 30);

    let no_show = act(&app, &t.admin, id, "no-show", json!({})).await;

    assert_problem(no_show, 409).await;
    assert_eq!(visit(&app, &t.admin, id).await["status"], "booked");
    assert_eq!(
        balance_of(&app.balance(&t.admin, t.client).await),
        (420, 60, 0)
    );
    assert!(mails(&app, "visit_no_show").is_empty());
}

async fn a_no_show_after_the_start_uses_the_hours_and_mails_what_is_left(backend: TestBackend) {
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
    app.move_visit_start(id, -10);

    let recorded = app
        .post_ok(
            &format!("/api/v1/visits/{id}/no-show"),
            Some(&t.admin),
            json!({}),
            200,
        )
        .await;

    assert_eq!(recorded["status"], "no_show");
    assert_eq!(recorded["consumed_minutes"], 60);
    assert_eq!(
        balance_of(&app.balance(&t.admin, t.client).await),
        (420, 0, 60)
    );
    let mail = mails_to(&app, "visit_no_show", "karen@example.dk");
    assert_eq!(mail.len(), 1, "one no-show mail to Karen");
    let text = &mail[0].text;
    assert!(text.contains("timer er derfor brugt: 1 time."), "{text}");
    assert!(text.contains("ikke bestilt endnu: 7 timer"), "{text}");
    assert!(mail[0].subject.contains(&written(&recorded)), "{mail:?}");
}

// ---------------------------------------------------------------- late cancellation

async fn moving_a_visit_booked_inside_the_notice_period_does_not_make_its_cancellation_free(
    backend: TestBackend,
) {
    let app = spawn_app(backend).await;
    let t = team(&app).await;
    let karen = app
        .client_token(&t.admin, t.client, "karen@example.dk")
        .await;
    let start = starts_in_hours(3);
    let booking: Value = app
        .book(&karen, t.client, t.helper, &start, 60)
        .await
        .json()
        .await
        .unwrap();
    let booked = &booking["visits"][0];
    let id = booked["id"].as_i64().unwrap();
    let a_week_later = (instant(&booked["starts_at"]) + Duration::weeks(1))
        .to_rfc3339_opts(chrono::SecondsFormat::Secs, true);

    let moved = reschedule(&app, &karen, id, json!({ "starts_at": a_week_later })).await;
    assert_eq!(moved.status().as_u16(), 200);
    let moved: Value = moved.json().await.unwrap();
    let cancelled = app
        .post_ok(
            &format!("/api/v1/visits/{id}/cancel"),
            Some(&karen),
            json!({}),
            200,
        )
        .await;

    assert!(
        instant(&booked["free_cancellation_until"]) < Utc::now(),
        "booked inside the notice period: {booked}"
    );
    assert_eq!(
        moved["free_cancellation_until"], booked["free_cancellation_until"],
        "the passed deadline stays with the moved visit"
    );
    assert_eq!(cancelled["late_cancellation"], true);
    assert_eq!(cancelled["consumed_minutes"], 60);
    assert_eq!(
        balance_of(&app.balance(&t.admin, t.client).await),
        (420, 0, 60)
    );
    let late = mails_to(&app, "visit_cancelled_late", "karen@example.dk");
    assert_eq!(late.len(), 1, "Karen hears the hours were used");
    assert!(
        late[0].text.contains("timer er brugt: 1 time."),
        "{}",
        late[0].text
    );
    assert!(
        late[0].text.contains("ikke bestilt endnu: 7 timer"),
        "{}",
        late[0].text
    );
    assert!(
        mails_to(&app, "visit_cancelled", "karen@example.dk").is_empty(),
        "not the free cancellation's mail"
    );
}

async fn a_visit_moved_while_outside_the_notice_period_is_free_to_cancel_later(
    backend: TestBackend,
) {
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

    let moved = reschedule(
        &app,
        &t.admin,
        id,
        json!({"starts_at": "2027-01-19T10:00:00+01:00"}),
    )
    .await;
    assert_eq!(moved.status().as_u16(), 200);
    let moved: Value = moved.json().await.unwrap();
    let cancelled = app
        .post_ok(
            &format!("/api/v1/visits/{id}/cancel"),
            Some(&t.admin),
            json!({}),
            200,
        )
        .await;

    assert_eq!(
        moved["free_cancellation_until"], "2027-01-18T09:00:00Z",
        "the new start's deadline"
    );
    assert_eq!(cancelled["late_cancellation"], false);
    assert_eq!(
        balance_of(&app.balance(&t.admin, t.client).await),
        (480, 0, 0)
    );
}

async fn a_visit_moved_into_the_notice_period_before_its_deadline_is_late_to_cancel(
    backend: TestBackend,
) {
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
    let soon = starts_in_hours(3);

    let moved: Value = reschedule(&app, &t.admin, id, json!({ "starts_at": soon }))
        .await
        .json()
        .await
        .unwrap();
    let cancelled = app
        .post_ok(
            &format!("/api/v1/visits/{id}/cancel"),
            Some(&t.admin),
            json!({}),
            200,
        )
        .await;

    assert_eq!(
        instant(&moved["free_cancellation_until"]),
        instant(&moved["starts_at"]) - Duration::hours(24),
        "{moved}"
    );
    assert_eq!(
        cancelled["late_cancellation"], true,
        "the old deadline (11 January 2027) no longer applies"
    );
}

on_both_backends!(
    checking_in_a_week_before_the_visit_is_refused_and_changes_nothing,
    checking_in_after_the_visit_has_ended_is_refused,
    checking_in_opens_an_hour_before_the_start,
    checking_out_without_checking_in_is_refused,
    a_paused_helper_cannot_check_in,
    a_helper_who_is_not_on_the_visit_gets_404,
    a_no_show_before_the_start_is_refused_and_charges_nothing,
    a_no_show_after_the_start_uses_the_hours_and_mails_what_is_left,
    moving_a_visit_booked_inside_the_notice_period_does_not_make_its_cancellation_free,
    a_visit_moved_while_outside_the_notice_period_is_free_to_cancel_later,
    a_visit_moved_into_the_notice_period_before_its_deadline_is_late_to_cancel,
);
