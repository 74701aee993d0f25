//! visit page: actions.

use super::*;

async fn the_visit_page_shows_the_visit_in_local_time_and_what_can_be_done(backend: TestBackend) {
    let b = booked(backend).await;
    let user = ConsoleUser::signed_in(&b.app, "lone@example.dk", PASSWORD).await;

    let page = user.get(&page_path(&b)).await;

    assert_eq!(page.status, StatusCode::OK);
    page.assert_shows("Karen Nielsen");
    page.assert_shows("Anna Jensen");
    page.assert_shows(&format!("{} 10:00–11:30 (90 min)", b.tuesday));
    page.assert_shows("rengøring 30 min, IT 60 min");
    page.assert_shows("booket");
    // Free until 24 hours before, in local time.
    page.assert_shows(&format!("{} 10:00", b.tuesday - Duration::days(1)));
    // Anna is the branch's only helper: nobody to give the visit to.
    page.assert_shows("id=\"no-other-helpers\"");
    for form in ["reschedule", "cancel", "no-show"] {
        page.assert_shows(&format!("action=\"{}/{form}\"", page_path(&b)));
    }
    page.assert_shows("<option value=\"cleaning\" selected>");
    page.assert_shows("<option value=\"60\" selected>");
    page.assert_shows(&format!(
        "id=\"reschedule-date\" name=\"date\" type=\"date\" required value=\"{}\"",
        b.tuesday
    ));
    let board = user
        .get(&format!(
            "/console/branches/{}/board?week={}",
            b.branch, b.tuesday
        ))
        .await;
    board.assert_shows(&format!("href=\"{}\"", page_path(&b)));
}

async fn a_completed_visit_offers_no_actions(backend: TestBackend) {
    let b = booked(backend).await;
    let helper = b.app.token_for("anna@example.dk", PASSWORD).await;
    b.app.complete_visit(&helper, b.visit).await;
    let user = ConsoleUser::signed_in(&b.app, "lone@example.dk", PASSWORD).await;

    let page = user.get(&page_path(&b)).await;

    assert_eq!(page.status, StatusCode::OK);
    page.assert_shows("gennemført");
    page.assert_shows("id=\"no-actions\"");
    page.assert_shows("m fra hjemmet");
    assert!(!page.html.contains("/cancel\""), "no cancel form");
    let late = act(&user, &b, "cancel", &[]).await;
    assert_eq!(late.status, StatusCode::CONFLICT);
    late.assert_shows("a completed visit cannot be cancelled");
}

async fn moving_a_visit_changes_its_time_and_tasks(backend: TestBackend) {
    let b = booked(backend).await;
    let user = ConsoleUser::signed_in(&b.app, "lone@example.dk", PASSWORD).await;
    let thursday = b.tuesday + Duration::days(2);
    let day = thursday.to_string();
    let before = stored(&b).await;

    let refused = act(
        &user,
        &b,
        "reschedule",
        &[
            ("date", &day),
            ("time", "10:07"),
            ("task_0", "cleaning"),
            ("minutes_0", "60"),
        ],
    )
    .await;
    let unchanged = api_visit(&b).await;
    let after_refusal = stored(&b).await;
    let moved = act(
        &user,
        &b,
        "reschedule",
        &[
            ("date", &day),
            ("time", "12:00"),
            ("task_0", "cleaning"),
            ("minutes_0", "60"),
        ],
    )
    .await;

    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    refused.assert_shows("id=\"reschedule-error\"");
    refused.assert_shows("Starttid: visits start on a multiple of 15 minutes");
    refused.assert_shows(
        "id=\"reschedule-time\" name=\"time\" type=\"time\" step=\"900\" required value=\"10:07\"",
    );
    assert_eq!(unchanged["local_starts_at"], local(b.tuesday, "10:00"));
    assert_eq!(after_refusal, before, "the refused move changed nothing");
    assert_eq!(moved.status, StatusCode::SEE_OTHER, "{}", moved.html);
    assert_eq!(
        moved.location.as_deref(),
        Some(format!("{}?done=visit_rescheduled", page_path(&b)).as_str())
    );
    let visit = api_visit(&b).await;
    assert_eq!(visit["local_starts_at"], local(thursday, "12:00"));
    assert_eq!(visit["minutes"], 60);
    assert_eq!(visit["segments"].as_array().unwrap().len(), 1);
    assert_eq!(
        stored(&b).await.available_minutes,
        before.available_minutes + 30
    );
    user.get(&moved.location.unwrap())
        .await
        .assert_shows("Besøget er flyttet.");
    // Only the time: the tasks stay as booked.
    let later = act(
        &user,
        &b,
        "reschedule",
        &[
            ("date", &day),
            ("time", "14:00"),
            ("task_0", "cleaning"),
            ("minutes_0", "60"),
        ],
    )
    .await;
    assert_eq!(later.status, StatusCode::SEE_OTHER);
    assert_eq!(
        api_visit(&b).await["local_starts_at"],
        local(thursday, "14:00")
    );
}

async fn changing_the_helper_offers_the_team_and_substitutes(backend: TestBackend) {
    let b = booked(backend).await;
    let leader = leader_token(&b).await;
    let (bo, _) = b
        .app
        .activate_helper(&leader, b.branch, "bo@example.dk")
        .await;
    let user = ConsoleUser::signed_in(&b.app, "lone@example.dk", PASSWORD).await;

    let page = user.get(&page_path(&b)).await;
    let unknown = act(&user, &b, "helper", &[("helper_id", "999999")]).await;
    let none = act(&user, &b, "helper", &[("helper_id", "")]).await;
    let changed = act(&user, &b, "helper", &[("helper_id", &bo.to_string())]).await;

    page.assert_shows(&format!(
        "<option value=\"{bo}\">Anna Jensen (vikar)</option>"
    ));
    assert!(
        !page
            .html
            .contains(&format!("<option value=\"{}\">", b.helper)),
        "the visit's own helper is not offered"
    );
    assert_eq!(unknown.status, StatusCode::UNPROCESSABLE_ENTITY);
    unknown.assert_shows("id=\"helper-error\"");
    unknown.assert_shows("Hjælper: no such helper in the client&#x27;s branch");
    assert_eq!(none.status, StatusCode::UNPROCESSABLE_ENTITY);
    none.assert_shows("Hjælper: vælg en hjælper.");
    assert_eq!(changed.status, StatusCode::SEE_OTHER, "{}", changed.html);
    let visit = api_visit(&b).await;
    assert_eq!(visit["helper_id"], bo);
    assert_eq!(visit["substitute"], true);
    let shown = user.get(&changed.location.unwrap()).await;
    shown.assert_shows("Besøget har fået en ny hjælper.");
    shown.assert_shows("<span class=\"badge\">vikar</span>");
    // Back to Karen's own helper, who is in her team.
    let back = act(&user, &b, "helper", &[("helper_id", &b.helper.to_string())]).await;
    assert_eq!(back.status, StatusCode::SEE_OTHER);
    assert_eq!(api_visit(&b).await["substitute"], false);
}

async fn an_in_time_cancellation_cancels_at_once_and_frees_the_minutes(backend: TestBackend) {
    let b = booked(backend).await;
    let user = ConsoleUser::signed_in(&b.app, "lone@example.dk", PASSWORD).await;
    let before = stored(&b).await;

    let cancelled = act(&user, &b, "cancel", &[]).await;

    assert_eq!(
        cancelled.status,
        StatusCode::SEE_OTHER,
        "{}",
        cancelled.html
    );
    assert!(
        cancelled
            .location
            .clone()
            .unwrap()
            .ends_with("done=visit_cancelled")
    );
    let visit = api_visit(&b).await;
    assert_eq!(visit["status"], "cancelled");
    assert_eq!(visit["late_cancellation"], false);
    assert_eq!(
        stored(&b).await.available_minutes,
        before.available_minutes + 90
    );
    let page = user.get(&cancelled.location.unwrap()).await;
    page.assert_shows("Besøget er aflyst uden beregning.");
    page.assert_shows("id=\"no-actions\"");
}

async fn a_late_cancellation_says_so_and_charges_only_when_confirmed(backend: TestBackend) {
    let b = booked(backend).await;
    make_late(&b);
    let user = ConsoleUser::signed_in(&b.app, "lone@example.dk", PASSWORD).await;
    let before = stored(&b).await;

    let asked = act(&user, &b, "cancel", &[]).await;
    let untouched = stored(&b).await;
    let confirmed = act(&user, &b, "cancel", &[("confirm_late", "1")]).await;

    assert_eq!(asked.status, StatusCode::OK, "{}", asked.html);
    asked.assert_shows("id=\"confirm-late\"");
    asked.assert_shows("90 minutter bliver brugt af klippekortet");
    asked.assert_shows("name=\"confirm_late\" value=\"1\"");
    assert_eq!(untouched, before, "the question changes nothing");
    assert_eq!(untouched.visits[0]["status"], "booked");
    assert_eq!(
        confirmed.status,
        StatusCode::SEE_OTHER,
        "{}",
        confirmed.html
    );
    assert!(
        confirmed
            .location
            .clone()
            .unwrap()
            .ends_with("done=visit_cancelled_late")
    );
    let visit = api_visit(&b).await;
    assert_eq!(visit["status"], "cancelled");
    assert_eq!(visit["late_cancellation"], true);
    let after = stored(&b).await;
    assert_eq!(
        after.available_minutes, before.available_minutes,
        "the 90 minutes are used"
    );
    assert_eq!(after.ledger_rows, before.ledger_rows + 1);
    user.get(&confirmed.location.unwrap())
        .await
        .assert_shows("Besøget er aflyst sent");
}

async fn a_no_show_is_refused_before_the_start_and_recorded_after(backend: TestBackend) {
    let b = booked(backend).await;
    let user = ConsoleUser::signed_in(&b.app, "lone@example.dk", PASSWORD).await;
    let before = stored(&b).await;

    let early = act(&user, &b, "no-show", &[]).await;
    let unchanged = stored(&b).await;
    b.app.move_visit_start(b.visit, -30);
    let recorded = act(&user, &b, "no-show", &[]).await;

    assert_eq!(early.status, StatusCode::CONFLICT);
    early.assert_shows("id=\"no-show-error\"");
    early.assert_shows("a no-show can be recorded only after the visit has started");
    assert_eq!(unchanged, before);
    assert_eq!(recorded.status, StatusCode::SEE_OTHER, "{}", recorded.html);
    let visit = api_visit(&b).await;
    assert_eq!(visit["status"], "no_show");
    assert_eq!(visit["consumed_minutes"], 90);
    user.get(&recorded.location.unwrap())
        .await
        .assert_shows("Udeblivelsen er registreret");
}

on_both_backends!(
    the_visit_page_shows_the_visit_in_local_time_and_what_can_be_done,
    a_completed_visit_offers_no_actions,
    moving_a_visit_changes_its_time_and_tasks,
    changing_the_helper_offers_the_team_and_substitutes,
    an_in_time_cancellation_cancels_at_once_and_frees_the_minutes,
    a_late_cancellation_says_so_and_charges_only_when_confirmed,
    a_no_show_is_refused_before_the_start_and_recorded_after,
);
