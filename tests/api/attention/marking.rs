//! attention: marking.

use super::*;

async fn pausing_a_helper_marks_their_visits_and_tells_each_family_and_the_branch_once(
    backend: TestBackend,
) {
    let app = spawn_app(backend).await;
    let w = world(&app).await;
    let t = &w.t;
    let jens = named_client(&app, &t.admin, t.branch, "Jens Madsen", "jens@example.dk").await;
    app.assign(&t.admin, jens, t.helper).await;
    let karen_1 = book(
        &app,
        &t.admin,
        t.client,
        t.helper,
        "2027-01-12T10:00:00+01:00",
    )
    .await;
    let karen_2 = book(
        &app,
        &t.admin,
        t.client,
        t.helper,
        "2027-01-13T10:00:00+01:00",
    )
    .await;
    let with_bo = book(&app, &t.admin, t.client, w.bo, "2027-01-14T10:00:00+01:00").await;
    let jens_1 = book(&app, &t.admin, jens, t.helper, "2027-01-15T10:00:00+01:00").await;

    let paused = move_helper(&app, &w.leader, t.helper, "paused").await;

    assert_eq!(paused["visits_affected"], 3, "{paused}");
    assert_eq!(
        listed(&app, &w.leader, true).await,
        [karen_1, karen_2, jens_1]
    );
    for id in [karen_1, karen_2, jens_1] {
        let seen = visit(&app, &t.admin, id).await;
        assert_eq!(seen["attention"], "helper_paused", "{seen}");
        assert!(seen["attention_since"].is_string(), "{seen}");
        assert_eq!(seen["status"], "booked");
    }
    assert_eq!(
        attention(&app, &t.admin, with_bo).await,
        Value::Null,
        "Bo's visit is untouched"
    );
    assert_eq!(listed(&app, &w.leader, false).await, [with_bo]);

    let whens: Vec<String> = {
        let mut out = vec![];
        for id in [karen_1, karen_2, with_bo, jens_1] {
            out.push(written(&visit(&app, &t.admin, id).await));
        }
        out
    };
    for family in ["karen@example.dk", "mette@example.dk"] {
        let told = mails_to(&app, "visits_need_attention", family);
        assert_eq!(told.len(), 1, "one mail to {family} for both visits");
        let text = &told[0].text;
        assert!(
            text.contains(&whens[0]) && text.contains(&whens[1]),
            "{text}"
        );
        assert!(
            !text.contains(&whens[2]) && !text.contains(&whens[3]),
            "{text}"
        );
        assert!(text.contains("hjælperen holder pause"), "{text}");
    }
    assert!(
        mails_to(&app, "visits_need_attention", "ole@example.dk").is_empty(),
        "the relative who only pays is not told"
    );
    let told_jens = mails_to(&app, "visits_need_attention", "jens@example.dk");
    assert_eq!(told_jens.len(), 1);
    assert!(
        told_jens[0].text.contains(&whens[3]),
        "{}",
        told_jens[0].text
    );
    assert!(!told_jens[0].text.contains(&whens[0]), "only his own visit");
    let branch = mails_to(&app, "visits_need_attention_branch", LEADER);
    assert_eq!(branch.len(), 1, "one mail to the leader listing all three");
    let text = &branch[0].text;
    for when in [&whens[0], &whens[1], &whens[3]] {
        assert!(text.contains(when.as_str()), "{text}");
    }
    assert!(!text.contains(&whens[2]), "not Bo's visit: {text}");
    assert!(
        text.contains("Karen Nielsen") && text.contains("Jens Madsen"),
        "{text}"
    );
}

async fn leaving_marks_the_helpers_visits_helper_left(backend: TestBackend) {
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

    let left = move_helper(&app, &w.leader, t.helper, "left").await;

    assert_eq!(left["visits_affected"], 1);
    assert_eq!(attention(&app, &t.admin, id).await, "helper_left");
    assert_eq!(listed(&app, &w.leader, true).await, [id]);
    let told = mails_to(&app, "visits_need_attention", "karen@example.dk");
    assert_eq!(told.len(), 1);
    assert!(
        told[0].text.contains("hjælperen er stoppet"),
        "{}",
        told[0].text
    );
    assert_eq!(
        mails_to(&app, "visits_need_attention_branch", LEADER).len(),
        1
    );
}

async fn ending_an_assignment_marks_only_that_pairs_visits(backend: TestBackend) {
    let app = spawn_app(backend).await;
    let w = world(&app).await;
    let t = &w.t;
    let jens = named_client(&app, &t.admin, t.branch, "Jens Madsen", "jens@example.dk").await;
    app.assign(&t.admin, jens, t.helper).await;
    let karens = book(
        &app,
        &t.admin,
        t.client,
        t.helper,
        "2027-01-12T10:00:00+01:00",
    )
    .await;
    let jens_visit = book(&app, &t.admin, jens, t.helper, "2027-01-13T10:00:00+01:00").await;
    let pairs = app
        .get_ok(
            &format!(
                "/api/v1/assignments?client_id={}&helper_id={}&open=true",
                t.client, t.helper
            ),
            &t.admin,
        )
        .await;
    let pair = pairs["items"][0]["id"].as_i64().expect("assignment id");

    let ended = app
        .call(
            Method::DELETE,
            &format!("/api/v1/assignments/{pair}"),
            Some(&w.leader),
            None,
        )
        .await;

    assert_eq!(ended.status().as_u16(), 204);
    assert_eq!(attention(&app, &t.admin, karens).await, "assignment_ended");
    assert_eq!(attention(&app, &t.admin, jens_visit).await, Value::Null);
    let told = mails_to(&app, "visits_need_attention", "karen@example.dk");
    assert_eq!(told.len(), 1);
    assert!(
        told[0]
            .text
            .contains("hjælperen besøger ikke længere denne borger"),
        "{}",
        told[0].text
    );
    assert!(mails_to(&app, "visits_need_attention", "jens@example.dk").is_empty());
    // The helper who no longer visits Karen cannot check in to that visit either.
    app.move_visit_start(karens, 5);
    let check_in = act(&app, &t.helper_token, karens, "check-in", home()).await;
    assert_problem(check_in, 409).await;
}

async fn an_availability_exception_marks_the_visits_it_covers_helper_unavailable(
    backend: TestBackend,
) {
    let app = spawn_app(backend).await;
    let w = world(&app).await;
    let t = &w.t;
    let before = book(
        &app,
        &t.admin,
        t.client,
        t.helper,
        "2027-01-12T10:00:00+01:00",
    )
    .await;
    let during = book(
        &app,
        &t.admin,
        t.client,
        t.helper,
        "2027-01-19T10:00:00+01:00",
    )
    .await;
    let exams = json!({"starts_at": "2027-01-19T00:00:00Z", "ends_at": "2027-01-20T00:00:00Z", "reason": "exams"});

    app.post_ok(
        &format!("/api/v1/helpers/{}/availability/exceptions", t.helper),
        Some(&t.helper_token),
        exams,
        201,
    )
    .await;

    assert_eq!(
        attention(&app, &t.admin, during).await,
        "helper_unavailable"
    );
    assert_eq!(attention(&app, &t.admin, before).await, Value::Null);
    let told = mails_to(&app, "visits_need_attention", "karen@example.dk");
    assert_eq!(told.len(), 1);
    let during_when = written(&visit(&app, &t.admin, during).await);
    let before_when = written(&visit(&app, &t.admin, before).await);
    assert!(told[0].text.contains(&during_when), "{}", told[0].text);
    assert!(!told[0].text.contains(&before_when), "{}", told[0].text);
    assert_eq!(
        mails_to(&app, "visits_need_attention_branch", LEADER).len(),
        1
    );
}

async fn narrowed_hours_mark_the_visits_outside_them_and_widening_clears_it(backend: TestBackend) {
    let app = spawn_app(backend).await;
    let w = world(&app).await;
    let t = &w.t;
    // 12 January 2027 is a Tuesday (weekday 2), the 13th a Wednesday (3).
    let tuesday = book(
        &app,
        &t.admin,
        t.client,
        t.helper,
        "2027-01-12T10:00:00+01:00",
    )
    .await;
    let wednesday = book(
        &app,
        &t.admin,
        t.client,
        t.helper,
        "2027-01-13T10:00:00+01:00",
    )
    .await;
    let path = format!("/api/v1/helpers/{}/availability", t.helper);
    let put = |windows: Value| {
        app.call(
            Method::PUT,
            &path,
            Some(&t.helper_token),
            Some(json!({ "windows": windows, "visits_per_week": 3 })),
        )
    };

    let narrowed = put(json!([{"weekday": 2, "start": "09:00", "end": "13:00"}])).await;
    assert_eq!(narrowed.status().as_u16(), 200);
    let after_narrowing = (
        attention(&app, &t.admin, tuesday).await,
        attention(&app, &t.admin, wednesday).await,
        listed(&app, &w.leader, true).await,
    );
    let widened = put(json!([{"weekday": 2, "start": "09:00", "end": "13:00"},
                              {"weekday": 3, "start": "08:00", "end": "16:00"}]))
    .await;
    assert_eq!(widened.status().as_u16(), 200);

    assert_eq!(
        after_narrowing,
        (Value::Null, json!("outside_availability"), vec![wednesday])
    );
    let cleared = visit(&app, &t.admin, wednesday).await;
    assert_eq!(cleared["attention"], Value::Null, "{cleared}");
    assert_eq!(cleared["attention_since"], Value::Null, "{cleared}");
    assert!(listed(&app, &w.leader, true).await.is_empty());
    assert_eq!(
        mails_to(&app, "visits_need_attention", "karen@example.dk").len(),
        1,
        "told when it became affected, not again when it was cleared"
    );
}

async fn reactivating_a_paused_helper_clears_helper_paused(backend: TestBackend) {
    let app = spawn_app(backend).await;
    let w = world(&app).await;
    let t = &w.t;
    // Sara's visit is a substitute booking: no pair to lose, only her pause stands in the way.
    let saras = book_substitute(
        &app,
        &t.admin,
        t.client,
        w.sara,
        "2027-01-12T10:00:00+01:00",
    )
    .await;
    let annas = book(
        &app,
        &t.admin,
        t.client,
        t.helper,
        "2027-01-13T10:00:00+01:00",
    )
    .await;
    move_helper(&app, &w.leader, w.sara, "paused").await;
    move_helper(&app, &w.leader, t.helper, "paused").await;
    let while_paused = (
        attention(&app, &t.admin, saras).await,
        attention(&app, &t.admin, annas).await,
    );

    move_helper(&app, &w.leader, w.sara, "active").await;
    move_helper(&app, &w.leader, t.helper, "active").await;

    assert_eq!(
        while_paused,
        (json!("helper_paused"), json!("helper_paused"))
    );
    assert_eq!(attention(&app, &t.admin, saras).await, Value::Null);
    assert_eq!(
        attention(&app, &t.admin, annas).await,
        "assignment_ended",
        "the pause ended Anna's pair with Karen; back from the pause she is not in the team yet"
    );
    app.assign(&w.leader, t.client, t.helper).await;
    assert_eq!(attention(&app, &t.admin, annas).await, Value::Null);
    assert!(listed(&app, &w.leader, true).await.is_empty());
}

async fn a_visit_whose_helper_cannot_come_is_cancelled_free_inside_the_notice_period(
    backend: TestBackend,
) {
    let app = spawn_app(backend).await;
    let w = world(&app).await;
    let t = &w.t;
    let annas = book(&app, &t.admin, t.client, t.helper, &starts_in_hours(3)).await;
    let bos = book(&app, &t.admin, t.client, w.bo, &starts_in_hours(6)).await;
    move_helper(&app, &w.leader, t.helper, "paused").await;

    let annas_cancelled = cancel(&app, &t.admin, annas).await;
    let bos_cancelled = cancel(&app, &t.admin, bos).await;

    assert_eq!(
        annas_cancelled["late_cancellation"], false,
        "nobody could come"
    );
    assert_eq!(
        bos_cancelled["late_cancellation"], true,
        "Bo could come: the notice period applies"
    );
    assert_eq!(
        balance_of(&app.balance(&t.admin, t.client).await),
        (420, 0, 60),
        "only Bo's visit used the hours"
    );
}

on_both_backends!(
    pausing_a_helper_marks_their_visits_and_tells_each_family_and_the_branch_once,
    leaving_marks_the_helpers_visits_helper_left,
    ending_an_assignment_marks_only_that_pairs_visits,
    an_availability_exception_marks_the_visits_it_covers_helper_unavailable,
    narrowed_hours_mark_the_visits_outside_them_and_widening_clears_it,
    reactivating_a_paused_helper_clears_helper_paused,
    a_visit_whose_helper_cannot_come_is_cancelled_free_inside_the_notice_period,
);
