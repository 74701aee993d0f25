//! schedules: own schedules.

use super::*;

async fn everyones_own_schedule_shows_only_their_visits(backend: TestBackend) {
    let app = spawn_app(backend).await;
    let t = team(&app).await;
    let (bo, bo_token) = named_helper(&app, &t.admin, t.branch, "Bo Hansen", "bo@example.dk").await;
    app.assign(&t.admin, t.client, bo).await;
    let jens = named_client(&app, &t.admin, t.branch, "Jens Madsen", "jens@example.dk").await;
    app.assign(&t.admin, jens, t.helper).await;
    let mette = relative(
        &app,
        &t.admin,
        t.client,
        ("Mette Nielsen", "mette@example.dk"),
        (true, false, false),
        true,
    )
    .await
    .expect("Mette's token");
    let karen_anna = book(
        &app,
        &t.admin,
        t.client,
        t.helper,
        "2027-01-12T10:00:00+01:00",
    )
    .await;
    let karen_bo = book(&app, &t.admin, t.client, bo, "2027-01-13T10:00:00+01:00").await;
    let jens_anna = book(&app, &t.admin, jens, t.helper, "2027-01-14T10:00:00+01:00").await;

    let anna_sees = ids(&app.get_ok("/api/v1/me/visits", &t.helper_token).await);
    let bo_sees = ids(&app.get_ok("/api/v1/me/visits", &bo_token).await);
    let mette_sees = ids(&app.get_ok("/api/v1/me/visits", &mette).await);
    let anna_asks_for_bos = ids(&app
        .get_ok(&format!("/api/v1/me/visits?helper={bo}"), &t.helper_token)
        .await);

    assert_eq!(anna_sees, [karen_anna, jens_anna]);
    assert_eq!(bo_sees, [karen_bo]);
    assert_eq!(
        mette_sees,
        [karen_anna, karen_bo],
        "her mother's, not Jens's"
    );
    assert!(
        anna_asks_for_bos.is_empty(),
        "a filter never widens the scope"
    );
}

async fn a_weekly_series_sends_one_mail_per_recipient_with_every_occurrence(backend: TestBackend) {
    let app = spawn_app(backend).await;
    let t = team(&app).await;
    let mette = ("Mette Nielsen", "mette@example.dk");
    relative(&app, &t.admin, t.client, mette, (true, true, false), false).await;
    let ole = ("Ole Nielsen", "ole@example.dk");
    relative(&app, &t.admin, t.client, ole, (false, false, true), false).await;
    let body = json!({"client_id": t.client, "helper_id": t.helper, "starts_at": "2027-01-12T10:00:00+01:00",
                      "segments": [{"task": "cooking", "minutes": 60}], "repeat_weeks": 3});

    let booking = app
        .post_ok("/api/v1/visits", Some(&t.admin), body, 201)
        .await;

    let booked: BTreeSet<String> = booking["visits"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| format!("visit-{}@helpmatch", v["id"]))
        .collect();
    assert_eq!(booked.len(), 3);
    assert!(
        mails(&app, "visit_booked").is_empty(),
        "no mail per occurrence"
    );
    for recipient in ["karen@example.dk", "mette@example.dk", "anna@example.dk"] {
        let series = mails_to(&app, "visit_series_booked", recipient);
        assert_eq!(series.len(), 1, "one series mail to {recipient}");
        let ics = series[0].ics.as_deref().expect("a calendar invite");
        assert_eq!(ics.matches("BEGIN:VEVENT").count(), 3, "{ics}");
        let uids: BTreeSet<String> = ics
            .lines()
            .filter_map(|line| line.strip_prefix("UID:"))
            .map(|uid| uid.trim().to_string())
            .collect();
        assert_eq!(uids, booked, "one distinct UID per visit: {ics}");
    }
    assert!(mails_to(&app, "visit_series_booked", "ole@example.dk").is_empty());
    assert_eq!(mails(&app, "visit_series_booked").len(), 3);
}

async fn a_clients_clip_cards_are_listed_to_those_who_may_see_them(backend: TestBackend) {
    let app = spawn_app(backend).await;
    let t = team(&app).await;
    app.buy(&t.admin, t.client, "single_hour").await;
    let karen = app
        .client_token(&t.admin, t.client, "karen@example.dk")
        .await;
    let ole = relative(
        &app,
        &t.admin,
        t.client,
        ("Ole Nielsen", "ole@example.dk"),
        (false, false, true),
        true,
    )
    .await
    .expect("Ole's token");
    let lis = relative(
        &app,
        &t.admin,
        t.client,
        ("Lis Nielsen", "lis@example.dk"),
        (false, false, false),
        true,
    )
    .await
    .expect("Lis's token");
    let jens = named_client(&app, &t.admin, t.branch, "Jens Madsen", "jens@example.dk").await;
    let stranger = app.client_token(&t.admin, jens, "jens@example.dk").await;
    let path = format!("/api/v1/clients/{}/clip-cards", t.client);

    let by_staff = app.get_ok(&path, &t.admin).await;
    let by_karen = app.get_ok(&path, &karen).await;
    let by_payer = app.call(Method::GET, &path, Some(&ole), None).await;
    let by_no_right = app.call(Method::GET, &path, Some(&lis), None).await;
    let by_stranger = app.call(Method::GET, &path, Some(&stranger), None).await;
    let by_helper = app
        .call(Method::GET, &path, Some(&t.helper_token), None)
        .await;

    let bought: Vec<(&str, i64, i64)> = by_staff["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            (
                c["product"].as_str().unwrap(),
                c["minutes"].as_i64().unwrap(),
                c["amount_minor"].as_i64().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        bought,
        [("clip_card_8h", 480, 156_000), ("single_hour", 60, 23_500)]
    );
    assert_eq!(by_karen, by_staff);
    assert_eq!(
        by_payer.status().as_u16(),
        200,
        "paying implies seeing what was bought"
    );
    assert_problem(by_no_right, 403).await;
    assert_problem(by_stranger, 404).await;
    assert_problem(by_helper, 404).await;
}

on_both_backends!(
    everyones_own_schedule_shows_only_their_visits,
    a_weekly_series_sends_one_mail_per_recipient_with_every_occurrence,
    a_clients_clip_cards_are_listed_to_those_who_may_see_them,
);
