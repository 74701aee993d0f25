//! attention: clearing.

use super::*;

async fn a_no_show_is_refused_while_the_visits_helper_cannot_come(backend: TestBackend) {
    let app = spawn_app(backend).await;
    let w = world(&app).await;
    let t = &w.t;
    let id = book(
        &app,
        &t.admin,
        t.client,
        t.helper,
        "2027-01-12T10:00:00+01:00",
    )
    .await;
    move_helper(&app, &w.leader, t.helper, "paused").await;
    app.move_visit_start(id, -10);

    let no_show = act(&app, &t.admin, id, "no-show", json!({})).await;

    assert_problem(no_show, 409).await;
    assert_eq!(visit(&app, &t.admin, id).await["status"], "booked");
    assert_eq!(
        balance_of(&app.balance(&t.admin, t.client).await),
        (420, 60, 0),
        "nothing charged"
    );
}

async fn giving_the_visit_to_another_team_helper_clears_it_with_a_fresh_deadline(
    backend: TestBackend,
) {
    let app = spawn_app(backend).await;
    let w = world(&app).await;
    let t = &w.t;
    // Booked inside the notice period: its own deadline has passed.
    let id = book(&app, &t.admin, t.client, t.helper, &starts_in_hours(3)).await;
    move_helper(&app, &w.leader, t.helper, "paused").await;

    let moved = reschedule(
        &app,
        &w.leader,
        id,
        json!({"helper_id": w.bo, "starts_at": "2027-02-02T10:00:00+01:00"}),
    )
    .await;

    assert_eq!(moved.status().as_u16(), 200);
    let moved: Value = moved.json().await.unwrap();
    assert_eq!(moved["helper_id"], w.bo);
    assert_eq!(moved["substitute"], false);
    assert_eq!(moved["attention"], Value::Null);
    assert_eq!(moved["attention_since"], Value::Null);
    assert_eq!(moved["free_cancellation_until"], "2027-02-01T09:00:00Z");
    assert!(listed(&app, &w.leader, true).await.is_empty());
    let cancelled = app
        .post_ok(
            &format!("/api/v1/visits/{id}/cancel"),
            Some(&t.admin),
            json!({}),
            200,
        )
        .await;
    assert_eq!(cancelled["late_cancellation"], false);
}

async fn the_branch_can_give_the_visit_to_a_substitute_and_that_clears_it(backend: TestBackend) {
    let app = spawn_app(backend).await;
    let w = world(&app).await;
    let t = &w.t;
    let karen = app
        .client_token(&t.admin, t.client, "karen@example.dk")
        .await;
    let id = book(
        &app,
        &t.admin,
        t.client,
        t.helper,
        "2027-01-12T10:00:00+01:00",
    )
    .await;
    move_helper(&app, &w.leader, t.helper, "paused").await;

    let by_the_client = reschedule(&app, &karen, id, json!({ "helper_id": w.sara })).await;
    let by_the_branch = reschedule(&app, &w.leader, id, json!({ "helper_id": w.sara })).await;

    assert_problem(by_the_client, 422).await;
    assert_eq!(by_the_branch.status().as_u16(), 200);
    let moved: Value = by_the_branch.json().await.unwrap();
    assert_eq!(
        (
            &moved["helper_id"],
            &moved["substitute"],
            &moved["attention"]
        ),
        (&json!(w.sara), &json!(true), &Value::Null)
    );
    assert!(listed(&app, &w.leader, true).await.is_empty());
}

async fn a_helper_paused_again_later_is_told_again(backend: TestBackend) {
    let app = spawn_app(backend).await;
    let w = world(&app).await;
    let t = &w.t;
    book(
        &app,
        &t.admin,
        t.client,
        t.helper,
        "2027-01-12T10:00:00+01:00",
    )
    .await;
    move_helper(&app, &w.leader, t.helper, "paused").await;
    move_helper(&app, &w.leader, t.helper, "active").await;
    app.assign(&w.leader, t.client, t.helper).await;
    assert!(listed(&app, &w.leader, true).await.is_empty(), "cleared");

    let again = move_helper(&app, &w.leader, t.helper, "paused").await;

    assert_eq!(again["visits_affected"], 1);
    assert_eq!(
        mails_to(&app, "visits_need_attention", "karen@example.dk").len(),
        2,
        "a new pause is a new change: Karen is told again"
    );
    assert_eq!(
        mails_to(&app, "visits_need_attention_branch", LEADER).len(),
        2
    );
}

async fn a_norwegian_branch_leader_is_told_in_bokmal(backend: TestBackend) {
    let app = spawn_app(backend).await;
    let admin = app.admin_token().await;
    let body = json!({"name": "Oslo", "country": "NO", "time_zone": "Europe/Oslo", "currency": "NOK",
                      "centre": {"lat": 59.9139, "lon": 10.7522}, "phone": "+47 41 23 45 67"});
    let branch = app
        .post_ok("/api/v1/branches", Some(&admin), body, 201)
        .await["id"]
        .as_i64()
        .unwrap();
    let price = json!({"product": "clip_card_8h", "amount_minor": 156000});
    app.post_ok(
        &format!("/api/v1/branches/{branch}/prices"),
        Some(&admin),
        price,
        201,
    )
    .await;
    let leader = app.leader_token(&admin, branch, "leder@example.no").await;
    let (helper, _) = app.activate_helper(&admin, branch, "ola@example.no").await;
    let kari = named_client(&app, &admin, branch, "Kari Nordmann", "kari@example.no").await;
    app.assign(&admin, kari, helper).await;
    book(&app, &admin, kari, helper, "2027-01-12T10:00:00+01:00").await;

    move_helper(&app, &leader, helper, "paused").await;

    let to_leader = mails_to(&app, "visits_need_attention_branch", "leder@example.no");
    assert_eq!(to_leader.len(), 1);
    assert_eq!(to_leader[0].subject, "1 besøk krever handling");
    assert!(
        to_leader[0].text.contains("hjelperen har pause"),
        "bokmål, as the branch writes: {}",
        to_leader[0].text
    );
    let to_kari = mails_to(&app, "visits_need_attention", "kari@example.no");
    assert_eq!(to_kari.len(), 1);
    assert!(
        to_kari[0].text.contains("hjelperen har pause"),
        "{}",
        to_kari[0].text
    );
}

async fn a_substitute_sees_the_client_from_booking_until_the_visit_is_completed(
    backend: TestBackend,
) {
    let app = spawn_app(backend).await;
    let w = world(&app).await;
    let t = &w.t;
    let path = format!("/api/v1/clients/{}", t.client);
    let before = app
        .call(Method::GET, &path, Some(&w.sara_token), None)
        .await;
    let id = book_substitute(
        &app,
        &t.admin,
        t.client,
        w.sara,
        "2027-01-12T10:00:00+01:00",
    )
    .await;

    let while_booked = app.get_ok(&path, &w.sara_token).await;
    app.complete_visit(&w.sara_token, id).await;
    let after = app
        .call(Method::GET, &path, Some(&w.sara_token), None)
        .await;

    assert_problem(before, 404).await;
    assert_eq!(while_booked["name"], "Karen Nielsen");
    assert_eq!(while_booked["address"], "Vestergade 1, 8000 Aarhus C");
    assert_eq!(while_booked["care_notes"], "Cat called Mis; key in the box");
    assert!(
        while_booked.get("email").is_none() && while_booked.get("relatives").is_none(),
        "only what the visit needs: {while_booked}"
    );
    assert_eq!(visit(&app, &t.admin, id).await["status"], "completed");
    assert_problem(after, 404).await;
    assert_eq!(
        app.get_ok(&path, &t.helper_token).await["name"],
        "Karen Nielsen",
        "the team helper still sees her"
    );
}

on_both_backends!(
    a_no_show_is_refused_while_the_visits_helper_cannot_come,
    giving_the_visit_to_another_team_helper_clears_it_with_a_fresh_deadline,
    the_branch_can_give_the_visit_to_a_substitute_and_that_clears_it,
    a_helper_paused_again_later_is_told_again,
    a_norwegian_branch_leader_is_told_in_bokmal,
    a_substitute_sees_the_client_from_booking_until_the_visit_is_completed,
);
