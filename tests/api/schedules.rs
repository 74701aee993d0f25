//! Lists users actually read (issue 12): schedules in start order with the names a schedule
//! shows, paged by a cursor that loses nothing, cancelled visits only when asked for, dates and
//! RFC 3339 times (an unencoded `+` too) with clear errors, everyone's own schedule, one mail for
//! a weekly series, and a client's clip cards.

use std::collections::BTreeSet;

use reqwest::Method;
use serde_json::{Value, json};

use crate::support::{TestApp, TestBackend, assert_problem, spawn_app};
use crate::on_both_backends;
use crate::visit_edges::{mails, mails_to, named_client, named_helper, relative, team};

async fn book(app: &TestApp, token: &str, client: i64, helper: i64, start: &str) -> i64 {
    app.book_id(token, client, helper, start, 60).await
}

fn ids(page: &Value) -> Vec<i64> {
    page["items"]
        .as_array()
        .expect("items")
        .iter()
        .map(|v| v["id"].as_i64().expect("id"))
        .collect()
}

/// `GET path` with the URL exactly as written (no encoding added), returning the response.
async fn get_raw(app: &TestApp, path: &str, token: &str) -> reqwest::Response {
    app.call(Method::GET, path, Some(token), None).await
}

fn field_names(problem: &Value) -> Vec<String> {
    problem["errors"]
        .as_array()
        .expect("errors")
        .iter()
        .map(|e| e["field"].as_str().expect("field").to_string())
        .collect()
}

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
    the_branch_schedule_is_in_start_order_with_names_and_address,
    paging_by_next_cursor_returns_every_visit_once_in_start_order,
    cancelled_visits_show_only_when_asked_for,
    an_unknown_query_parameter_is_a_400_naming_it,
    a_date_only_from_is_midnight_in_the_branchs_time_zone,
    an_unencoded_plus_in_a_time_reads_as_its_offset,
    a_from_that_is_no_time_is_a_422_naming_from,
    everyones_own_schedule_shows_only_their_visits,
    a_weekly_series_sends_one_mail_per_recipient_with_every_occurrence,
    a_clients_clip_cards_are_listed_to_those_who_may_see_them,
);
