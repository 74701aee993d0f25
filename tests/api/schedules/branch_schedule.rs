//! schedules: branch schedule.

use super::*;

async fn the_branch_schedule_is_in_start_order_with_names_and_address(backend: TestBackend) {
    let app = spawn_app(backend).await;
    let t = team(&app).await;
    let (bo, _) = named_helper(&app, &t.admin, t.branch, "Bo Hansen", "bo@example.dk").await;
    let jens = named_client(&app, &t.admin, t.branch, "Jens Madsen", "jens@example.dk").await;
    app.assign(&t.admin, jens, bo).await;
    // Booked out of order: ids rise while start times jump about.
    let third = book(
        &app,
        &t.admin,
        t.client,
        t.helper,
        "2027-01-14T10:00:00+01:00",
    )
    .await;
    let first = book(&app, &t.admin, jens, bo, "2027-01-12T08:00:00+01:00").await;
    let second = book(
        &app,
        &t.admin,
        t.client,
        t.helper,
        "2027-01-13T09:00:00+01:00",
    )
    .await;
    let outside = book(
        &app,
        &t.admin,
        t.client,
        t.helper,
        "2027-02-03T09:00:00+01:00",
    )
    .await;

    let schedule = app
        .get_ok(
            &format!(
                "/api/v1/visits?branch={}&from=2027-01-01T00:00:00Z&to=2027-02-01T00:00:00Z",
                t.branch
            ),
            &t.admin,
        )
        .await;

    assert_eq!(ids(&schedule), [first, second, third]);
    assert!(!ids(&schedule).contains(&outside));
    let items = schedule["items"].as_array().unwrap();
    let shown: Vec<(&str, &str, &str)> = items
        .iter()
        .map(|v| {
            (
                v["client_name"].as_str().unwrap(),
                v["helper_name"].as_str().unwrap(),
                v["address"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        shown,
        [
            ("Jens Madsen", "Bo Hansen", "Vestergade 1, 8000 Aarhus C"),
            (
                "Karen Nielsen",
                "Anna Jensen",
                "Vestergade 1, 8000 Aarhus C"
            ),
            (
                "Karen Nielsen",
                "Anna Jensen",
                "Vestergade 1, 8000 Aarhus C"
            ),
        ]
    );
}

async fn paging_by_next_cursor_returns_every_visit_once_in_start_order(backend: TestBackend) {
    let app = spawn_app(backend).await;
    let t = team(&app).await;
    let (bo, _) = named_helper(&app, &t.admin, t.branch, "Bo Hansen", "bo@example.dk").await;
    let jens = named_client(&app, &t.admin, t.branch, "Jens Madsen", "jens@example.dk").await;
    app.assign(&t.admin, jens, bo).await;
    let mut booked = vec![];
    for day in [16, 12, 14, 13] {
        let start = format!("2027-01-{day}T10:00:00+01:00");
        booked.push((
            start.clone(),
            book(&app, &t.admin, t.client, t.helper, &start).await,
        ));
    }
    // Two visits at the same moment (the 14th): the cursor must not lose the second.
    let start = "2027-01-14T10:00:00+01:00".to_string();
    booked.push((start.clone(), book(&app, &t.admin, jens, bo, &start).await));
    booked.sort();
    let expected: Vec<i64> = booked.iter().map(|(_, id)| *id).collect();

    let base = format!("/api/v1/visits?branch={}&limit=2", t.branch);
    let mut seen = vec![];
    let mut pages = 0;
    let mut cursor: Option<String> = None;
    loop {
        let path = match &cursor {
            Some(c) => format!("{base}&cursor={c}"),
            None => base.clone(),
        };
        let page = app.get_ok(&path, &t.admin).await;
        pages += 1;
        assert!(ids(&page).len() <= 2);
        seen.extend(ids(&page));
        match page["next_cursor"].as_str() {
            Some(next) => cursor = Some(next.to_string()),
            None => break,
        }
        assert!(pages < 10, "the cursor never ends");
    }

    assert_eq!(
        seen, expected,
        "every visit once, in start order (ties by id)"
    );
    assert_eq!(pages, 3);
}

async fn cancelled_visits_show_only_when_asked_for(backend: TestBackend) {
    let app = spawn_app(backend).await;
    let t = team(&app).await;
    let kept = book(
        &app,
        &t.admin,
        t.client,
        t.helper,
        "2027-01-12T10:00:00+01:00",
    )
    .await;
    let cancelled = book(
        &app,
        &t.admin,
        t.client,
        t.helper,
        "2027-01-13T10:00:00+01:00",
    )
    .await;
    app.post_ok(
        &format!("/api/v1/visits/{cancelled}/cancel"),
        Some(&t.admin),
        json!({}),
        200,
    )
    .await;
    let list = |query: &str| {
        let path = format!("/api/v1/visits?branch={}{query}", t.branch);
        let app = &app;
        let token = t.admin.clone();
        async move { ids(&app.get_ok(&path, &token).await) }
    };

    assert_eq!(
        list("").await,
        [kept],
        "cancelled visits are left out by default"
    );
    assert_eq!(list("&status=cancelled").await, [cancelled]);
    assert_eq!(list("&status=booked").await, [kept]);
    assert_eq!(list("&status=booked,cancelled").await, [kept, cancelled]);
    let bad = get_raw(
        &app,
        &format!("/api/v1/visits?branch={}&status=postponed", t.branch),
        &t.admin,
    )
    .await;
    assert_eq!(field_names(&assert_problem(bad, 422).await), ["status"]);
}

async fn an_unknown_query_parameter_is_a_400_naming_it(backend: TestBackend) {
    let app = spawn_app(backend).await;
    let t = team(&app).await;
    book(
        &app,
        &t.admin,
        t.client,
        t.helper,
        "2027-01-12T10:00:00+01:00",
    )
    .await;

    let misspelt = get_raw(&app, "/api/v1/visits?stauts=booked", &t.admin).await;
    let own = get_raw(&app, "/api/v1/me/visits?helper_id=1", &t.helper_token).await;
    let cards = get_raw(
        &app,
        &format!(
            "/api/v1/clients/{}/clip-cards?product=single_hour",
            t.client
        ),
        &t.admin,
    )
    .await;

    let problem = assert_problem(misspelt, 400).await;
    assert_eq!(field_names(&problem), ["stauts"]);
    assert_eq!(field_names(&assert_problem(own, 400).await), ["helper_id"]);
    assert_eq!(field_names(&assert_problem(cards, 400).await), ["product"]);
}

async fn a_date_only_from_is_midnight_in_the_branchs_time_zone(backend: TestBackend) {
    let app = spawn_app(backend).await;
    let t = team(&app).await;
    let leader = app
        .leader_token(&t.admin, t.branch, "leader@example.dk")
        .await;
    // Half past midnight in Aarhus is still the evening before in UTC.
    let on_the_12th = book(
        &app,
        &t.admin,
        t.client,
        t.helper,
        "2027-01-12T00:30:00+01:00",
    )
    .await;
    let on_the_13th = book(
        &app,
        &t.admin,
        t.client,
        t.helper,
        "2027-01-13T00:30:00+01:00",
    )
    .await;
    let on_the_11th = book(
        &app,
        &t.admin,
        t.client,
        t.helper,
        "2027-01-11T12:00:00+01:00",
    )
    .await;

    let by_admin = app
        .get_ok(
            &format!(
                "/api/v1/visits?branch={}&from=2027-01-12&to=2027-01-13",
                t.branch
            ),
            &t.admin,
        )
        .await;
    let by_leader = app
        .get_ok("/api/v1/visits?from=2027-01-12&to=2027-01-13", &leader)
        .await;
    let by_admin_for_the_client = app
        .get_ok(
            &format!(
                "/api/v1/visits?client={}&from=2027-01-12&to=2027-01-13",
                t.client
            ),
            &t.admin,
        )
        .await;
    let by_admin_for_the_helper = app
        .get_ok(
            &format!(
                "/api/v1/visits?helper={}&from=2027-01-12&to=2027-01-13",
                t.helper
            ),
            &t.admin,
        )
        .await;

    assert_eq!(ids(&by_admin), [on_the_12th]);
    assert_eq!(ids(&by_leader), [on_the_12th], "the leader's branch's zone");
    assert_eq!(
        ids(&by_admin_for_the_client),
        [on_the_12th],
        "the client's branch's zone"
    );
    assert_eq!(
        ids(&by_admin_for_the_helper),
        [on_the_12th],
        "the helper's branch's zone"
    );
    assert_eq!(by_admin["items"][0]["starts_at"], "2027-01-11T23:30:00Z");
    let all = ids(&app
        .get_ok(&format!("/api/v1/visits?branch={}", t.branch), &t.admin)
        .await);
    assert_eq!(all, [on_the_11th, on_the_12th, on_the_13th]);
}

async fn an_unencoded_plus_in_a_time_reads_as_its_offset(backend: TestBackend) {
    let app = spawn_app(backend).await;
    let t = team(&app).await;
    let early = book(
        &app,
        &t.admin,
        t.client,
        t.helper,
        "2027-01-12T08:00:00+01:00",
    )
    .await;
    let at_ten = book(
        &app,
        &t.admin,
        t.client,
        t.helper,
        "2027-01-12T10:00:00+01:00",
    )
    .await;
    let at_noon = book(
        &app,
        &t.admin,
        t.client,
        t.helper,
        "2027-01-12T12:00:00+01:00",
    )
    .await;

    let unencoded = get_raw(
        &app,
        &format!(
            "/api/v1/visits?branch={}&from=2027-01-12T10:00:00+01:00&to=2027-01-12T12:00:00+01:00",
            t.branch
        ),
        &t.admin,
    )
    .await;
    let encoded = app
        .get_ok(
            &format!(
                "/api/v1/visits?branch={}&from=2027-01-12T10:00:00%2B01:00&to=2027-01-12T12:00:00%2B01:00",
                t.branch
            ),
            &t.admin,
        )
        .await;

    assert_eq!(unencoded.status().as_u16(), 200);
    let unencoded: Value = unencoded.json().await.unwrap();
    assert_eq!(
        ids(&unencoded),
        [at_ten],
        "from 10:00 (09:00 UTC) up to noon in Aarhus"
    );
    assert_eq!(ids(&encoded), [at_ten]);
    assert!(!ids(&unencoded).contains(&early) && !ids(&unencoded).contains(&at_noon));
}

async fn a_from_that_is_no_time_is_a_422_naming_from(backend: TestBackend) {
    let app = spawn_app(backend).await;
    let t = team(&app).await;

    let tomorrow = get_raw(&app, "/api/v1/visits?from=tomorrow", &t.admin).await;
    let both = get_raw(
        &app,
        "/api/v1/visits?from=2027-13-01&to=12/01/2027",
        &t.admin,
    )
    .await;

    let problem = assert_problem(tomorrow, 422).await;
    assert_eq!(field_names(&problem), ["from"]);
    assert!(
        problem["errors"][0]["message"]
            .as_str()
            .unwrap()
            .contains("2027-01-12"),
        "the message shows what is accepted: {problem}"
    );
    assert_eq!(
        field_names(&assert_problem(both, 422).await),
        ["from", "to"]
    );
}

on_both_backends!(
    the_branch_schedule_is_in_start_order_with_names_and_address,
    paging_by_next_cursor_returns_every_visit_once_in_start_order,
    cancelled_visits_show_only_when_asked_for,
    an_unknown_query_parameter_is_a_400_naming_it,
    a_date_only_from_is_midnight_in_the_branchs_time_zone,
    an_unencoded_plus_in_a_time_reads_as_its_offset,
    a_from_that_is_no_time_is_a_422_naming_from,
);
