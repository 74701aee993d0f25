//! Opening a visit and who is offered it.

use super::*;

async fn a_helper_who_cannot_come_opens_the_visit_and_the_team_is_offered_it(backend: TestBackend) {
    let app = spawn_app(backend).await;
    let w = world(&app).await;
    let id = booked_in(&app, &w, 5 * 24).await;

    let opened = open(&app, &w.t.helper_token, id).await;

    assert_eq!(opened.status().as_u16(), 200);
    let opened: Value = opened.json().await.unwrap();
    assert_eq!(opened["status"], "booked");
    assert_eq!(opened["cover"], "open");
    assert_eq!(opened["attention"], "helper_declined");
    assert_eq!(
        balance(&app, &w).await,
        (420, 60, 0),
        "the hours stay reserved"
    );
    assert_eq!(recipients(&app, "visit_offered"), vec!["bo@example.dk"]);
    assert_eq!(
        mails_to(&app, "visits_need_attention", "karen@example.dk").len(),
        1,
        "the client hears it once"
    );
    assert_eq!(
        offered(&app, &w.bo_token).await,
        vec![(id, "team".to_string())]
    );
    assert!(
        offered(&app, &w.sara_token).await.is_empty(),
        "not the branch yet"
    );
    assert!(
        offered(&app, &w.t.helper_token).await.is_empty(),
        "not to Anna"
    );
}

async fn only_the_visits_helper_or_the_branch_opens_it_and_a_refusal_changes_nothing(
    backend: TestBackend,
) {
    let app = spawn_app(backend).await;
    let w = world(&app).await;
    let id = booked_in(&app, &w, 5 * 24).await;
    let karen = app
        .client_token(&w.t.admin, w.t.client, "karen@example.dk")
        .await;

    assert_problem(open(&app, &w.bo_token, id).await, 404).await;
    assert_problem(open(&app, &w.sara_token, id).await, 404).await;
    assert_problem(open(&app, &karen, id).await, 403).await;
    let blank = act(&app, &w.t.helper_token, id, "open", json!({"reason": "  "})).await;
    assert_problem(blank, 422).await;
    let unknown = act(
        &app,
        &w.t.helper_token,
        id,
        "open",
        json!({"reason": "x", "why": 1}),
    )
    .await;
    assert_problem(unknown, 422).await;
    assert_problem(open(&app, &w.t.helper_token, 999_999).await, 404).await;

    let seen = visit(&app, &w.t.admin, id).await;
    assert_eq!(seen["cover"], "covered");
    assert_eq!(seen["attention"], Value::Null);
    assert!(recipients(&app, "visit_offered").is_empty());

    // The branch may open it; a second opening, or one once the visit has started, is a 409.
    assert_eq!(open(&app, &w.leader, id).await.status().as_u16(), 200);
    assert_problem(open(&app, &w.t.helper_token, id).await, 409).await;
    let started = booked_in(&app, &w, 6 * 24).await;
    app.move_visit_start(started, -10);
    assert_problem(open(&app, &w.t.helper_token, started).await, 409).await;
    assert_eq!(
        visit(&app, &w.t.admin, started).await["attention"],
        Value::Null
    );
}

async fn the_offer_widens_to_the_branch_after_the_delay_and_a_substitute_may_take_it(
    backend: TestBackend,
) {
    let app = spawn_app(backend).await;
    let w = world(&app).await;
    let id = booked_in(&app, &w, 5 * 24).await;
    assert_eq!(
        open(&app, &w.t.helper_token, id).await.status().as_u16(),
        200
    );
    assert_problem(accept(&app, &w.sara_token, id).await, 404).await;

    let early = round_in(&app, 1);
    assert_eq!((early.widened, early.offers), (0, 0), "Bo was told already");
    let later = round_in(&app, 13);

    assert_eq!(later.widened, 1);
    assert_eq!(
        recipients(&app, "visit_offered"),
        vec!["bo@example.dk", "sara@example.dk"],
        "Sara is told once the offer widens, Bo not again"
    );
    assert_eq!(round_in(&app, 14), OfferRound::default(), "nothing twice");
    assert_eq!(
        offered(&app, &w.sara_token).await,
        vec![(id, "substitute".to_string())]
    );
    let taken = accept(&app, &w.sara_token, id).await;
    assert_eq!(taken.status().as_u16(), 200);
    let taken: Value = taken.json().await.unwrap();
    assert_eq!(taken["helper_id"], w.sara);
    assert_eq!(taken["substitute"], true, "from outside the team");
    assert_eq!(taken["cover"], "covered");
}

async fn a_visit_close_to_its_start_goes_to_the_branch_at_once_but_not_to_a_busy_helper(
    backend: TestBackend,
) {
    let app = spawn_app(backend).await;
    let w = world(&app).await;
    let id = booked_in(&app, &w, 30).await;
    // Sara is busy then: another client's visit ends 15 minutes before (the travel buffer is 30).
    let other = app
        .create_client(&w.t.admin, w.t.branch, "inge@example.dk")
        .await;
    app.assign(&w.t.admin, other, w.sara).await;
    app.buy(&w.t.admin, other, "clip_card_8h").await;
    let start = crate::visit_edges::instant(&visit(&app, &w.t.admin, id).await["starts_at"]);
    let busy_start =
        (start - Duration::minutes(75)).to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
    app.book_id(&w.t.admin, other, w.sara, &busy_start, 60)
        .await;
    let (_, lone_token) =
        named_helper(&app, &w.t.admin, w.t.branch, "Lone Berg", "lone@example.dk").await;

    assert_eq!(
        open(&app, &w.t.helper_token, id).await.status().as_u16(),
        200
    );

    assert_eq!(
        recipients(&app, "visit_offered"),
        vec!["bo@example.dk", "lone@example.dk"],
        "the branch at once, Sara left out"
    );
    assert!(offered(&app, &w.sara_token).await.is_empty());
    assert_problem(accept(&app, &w.sara_token, id).await, 404).await;
    assert_eq!(
        offered(&app, &lone_token).await,
        vec![(id, "substitute".to_string())]
    );
    assert_eq!(
        app.get_ok(&format!("/api/v1/visits/{id}"), &w.t.admin)
            .await["helper_id"],
        w.t.helper
    );
}

async fn a_paused_helpers_visit_is_offered_to_the_team_by_the_round(backend: TestBackend) {
    let app = spawn_app(backend).await;
    let w = world(&app).await;
    let id = booked_in(&app, &w, 5 * 24).await;
    let paused = app
        .transition(&w.leader, w.t.helper, json!({"to": "paused"}))
        .await;
    assert_eq!(paused.status().as_u16(), 200);
    assert_eq!(visit(&app, &w.t.admin, id).await["cover"], "open");
    assert!(
        recipients(&app, "visit_offered").is_empty(),
        "the round tells them"
    );

    let round = round_in(&app, 0);

    assert_eq!(round.offers, 1);
    assert_eq!(recipients(&app, "visit_offered"), vec!["bo@example.dk"]);
    assert_eq!(accept(&app, &w.bo_token, id).await.status().as_u16(), 200);
    let resumed = app
        .transition(&w.leader, w.t.helper, json!({"to": "active"}))
        .await;
    assert_eq!(resumed.status().as_u16(), 200);
    let seen = visit(&app, &w.t.admin, id).await;
    assert_eq!(seen["helper_id"], w.bo, "Bo keeps the visit he took");
    assert_eq!(seen["cover"], "covered");
}

async fn an_open_visit_nobody_takes_goes_uncovered_once_and_cancelling_it_is_free(
    backend: TestBackend,
) {
    let app = spawn_app(backend).await;
    let w = world(&app).await;
    let id = booked_in(&app, &w, 5 * 24).await;
    assert_eq!(
        open(&app, &w.t.helper_token, id).await.status().as_u16(),
        200
    );

    assert_eq!(
        round_in(&app, 5 * 24 - 25).uncovered,
        0,
        "before the deadline"
    );
    let at_deadline = round_in(&app, 5 * 24 - 23);

    assert_eq!(at_deadline.uncovered, 1);
    assert_eq!(recipients(&app, "visit_uncovered"), vec![LEADER]);
    assert_eq!(round_in(&app, 5 * 24 - 22).uncovered, 0, "alerted once");
    assert_eq!(recipients(&app, "visit_uncovered"), vec![LEADER]);
    assert_eq!(visit(&app, &w.t.admin, id).await["cover"], "uncovered");
    let cancelled = app
        .post_ok(
            &format!("/api/v1/visits/{id}/cancel"),
            Some(&w.leader),
            json!({}),
            200,
        )
        .await;
    assert_eq!(cancelled["late_cancellation"], false);
    assert_eq!(cancelled["cover"], "covered");
    assert_eq!(
        balance(&app, &w).await,
        (480, 0, 0),
        "nobody came: nothing charged"
    );
}

async fn two_rounds_at_once_tell_each_helper_and_the_leader_once(backend: TestBackend) {
    let app = spawn_app(backend).await;
    let w = world(&app).await;
    let id = booked_in(&app, &w, 5 * 24).await;
    let paused = app
        .transition(&w.leader, w.t.helper, json!({"to": "paused"}))
        .await;
    assert_eq!(paused.status().as_u16(), 200);
    let url = app.database.url.clone();

    let rounds: Vec<_> = (0..4)
        .map(|_| {
            let url = url.clone();
            std::thread::spawn(move || {
                let mut conn = DbConnection::open(&url).expect("database");
                offer_round(
                    &mut conn,
                    &test_settings().visits,
                    Utc::now() + Duration::hours(5 * 24 - 23),
                )
                .expect("round")
            })
        })
        .collect();
    let rounds: Vec<OfferRound> = rounds
        .into_iter()
        .map(|r| r.join().expect("thread"))
        .collect();

    assert_eq!(rounds.iter().map(|r| r.widened).sum::<usize>(), 1);
    assert_eq!(rounds.iter().map(|r| r.uncovered).sum::<usize>(), 1);
    assert_eq!(
        recipients(&app, "visit_offered"),
        vec!["bo@example.dk", "sara@example.dk"]
    );
    assert_eq!(recipients(&app, "visit_uncovered"), vec![LEADER]);
    assert_eq!(visit(&app, &w.t.admin, id).await["cover"], "uncovered");
}

async fn a_helper_who_avoids_a_trait_of_the_home_is_not_offered_its_visit(backend: TestBackend) {
    let app = spawn_app(backend).await;
    let w = world(&app).await;
    let with_cat = app
        .call(
            Method::PATCH,
            &format!("/api/v1/clients/{}", w.t.client),
            Some(&w.t.admin),
            Some(json!({"home_traits": ["pets"]})),
        )
        .await;
    assert_eq!(with_cat.status().as_u16(), 200);
    // Bo is on Karen's team but has since said he cannot be around animals.
    let allergic = app
        .call(
            Method::PATCH,
            &format!("/api/v1/helpers/{}", w.bo),
            Some(&w.bo_token),
            Some(json!({"avoids": ["pets"]})),
        )
        .await;
    assert_eq!(allergic.status().as_u16(), 200);
    let id = booked_in(&app, &w, 30).await;

    assert_eq!(
        open(&app, &w.t.helper_token, id).await.status().as_u16(),
        200
    );

    assert_eq!(
        recipients(&app, "visit_offered"),
        vec!["sara@example.dk"],
        "the branch at once, Bo left out (rule 4)"
    );
    assert!(offered(&app, &w.bo_token).await.is_empty());
    assert_problem(accept(&app, &w.bo_token, id).await, 404).await;
    assert_eq!(
        offered(&app, &w.sara_token).await,
        vec![(id, "substitute".to_string())]
    );
}

on_both_backends!(
    a_helper_who_avoids_a_trait_of_the_home_is_not_offered_its_visit,
    a_helper_who_cannot_come_opens_the_visit_and_the_team_is_offered_it,
    only_the_visits_helper_or_the_branch_opens_it_and_a_refusal_changes_nothing,
    the_offer_widens_to_the_branch_after_the_delay_and_a_substitute_may_take_it,
    a_visit_close_to_its_start_goes_to_the_branch_at_once_but_not_to_a_busy_helper,
    a_paused_helpers_visit_is_offered_to_the_team_by_the_round,
    an_open_visit_nobody_takes_goes_uncovered_once_and_cancelling_it_is_free,
    two_rounds_at_once_tell_each_helper_and_the_leader_once,
);
