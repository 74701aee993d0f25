//! recruitment: moves.

use super::*;

async fn the_columns_show_each_stage_with_days_in_stage_and_the_waitlist_in_order(
    backend: TestBackend,
) {
    let r = recruiting(backend).await;
    let bo = r.applicant("Bo Berg", "bo@example.dk").await;
    let cille = r.applicant("Cille Dam", "cille@example.dk").await;
    let dina = r.applicant("Dina Eriksen", "dina@example.dk").await;
    let emil = r.applicant("Emil Falk", "emil@example.dk").await;
    r.move_by_api(cille, "screened").await;
    r.move_by_api(dina, "waitlisted").await;
    r.move_by_api(emil, "waitlisted").await;
    r.backdate_stage(bo, 3);
    let user = ConsoleUser::signed_in(&r.app, "lone@example.dk", PASSWORD).await;

    let page = user
        .get(&format!("/console/branches/{}/recruitment", r.branch))
        .await;

    assert_eq!(page.status, StatusCode::OK, "{}", page.html);
    let applied = section(&page.html, "id=\"stage-applied\"", "</section>");
    assert!(applied.contains("Bo Berg"), "{applied}");
    assert!(applied.contains(&format!("<li class=\"student\" data-helper-id=\"{bo}\">")));
    assert!(
        applied.contains("data-days=\"3\">3 dage i trinnet"),
        "{applied}"
    );
    assert!(applied.contains("madlavning, IT"), "skills: {applied}");
    assert!(!applied.contains("Cille Dam"));
    let screened = section(&page.html, "id=\"stage-screened\"", "</section>");
    assert!(screened.contains("Cille Dam"), "{screened}");
    assert!(screened.contains("data-days=\"0\""), "{screened}");
    let waitlist = section(&page.html, "id=\"stage-waitlisted\"", "</section>");
    let (first, second) = (
        waitlist.find("Dina Eriksen").expect("Dina waits"),
        waitlist.find("Emil Falk").expect("Emil waits"),
    );
    assert!(first < second, "the first applicant waits first");
    assert!(waitlist.contains("nr. 1"), "{waitlist}");
    assert!(waitlist.contains("nr. 2"), "{waitlist}");
    page.assert_shows("<summary>aktiv (0)</summary>");
    assert_eq!(r.helper(emil).await["waitlist_position"], 2);
}

async fn a_student_moves_from_applied_to_active_through_the_forms(backend: TestBackend) {
    let r = recruiting(backend).await;
    let bo = r.applicant("Bo Berg", "bo@example.dk").await;
    let user = ConsoleUser::signed_in(&r.app, "lone@example.dk", PASSWORD).await;
    let page = r.student_page(bo);

    let form = user.get(&page).await;
    // Only what the pipeline allows from applied is offered; no check fields yet.
    for offered in ["screened", "rejected", "waitlisted", "left"] {
        form.assert_shows(&format!("<option value=\"{offered}\""));
    }
    assert!(!form.html.contains("<option value=\"interview_1\""));
    assert!(!form.html.contains("id=\"checked_on\""));

    for to in ["screened", "interview_1", "interview_2"] {
        let moved = user
            .submit(
                &page,
                &page,
                &[("to", to), ("note", &format!("on to {to}"))],
            )
            .await;
        assert_eq!(moved.status, StatusCode::SEE_OTHER, "{to}: {}", moved.html);
        assert!(
            moved.location.as_deref().unwrap().contains("done=moved"),
            "{:?}",
            moved.location
        );
        assert_eq!(r.helper(bo).await["status"], to);
    }
    let at_interview_2 = user.get(&page).await;
    at_interview_2.assert_shows("id=\"checked_on\"");
    at_interview_2.assert_shows("<option value=\"interview_3\"");
    let checked_on = last_week();
    let moved = user
        .submit(
            &page,
            &page,
            &[
                ("to", "interview_3"),
                ("note", "second interview went well"),
                ("checked_on", &checked_on),
                ("outcome", "clear"),
            ],
        )
        .await;
    assert_eq!(moved.status, StatusCode::SEE_OTHER, "{}", moved.html);
    let activated = user
        .submit(&page, &page, &[("to", "active"), ("note", "hired")])
        .await;
    assert_eq!(
        activated.status,
        StatusCode::SEE_OTHER,
        "{}",
        activated.html
    );
    let back = activated.location.unwrap();
    assert!(back.contains("done=invited"), "{back}");

    let shown = user.get(&back).await;
    shown.assert_shows("Invitationen med et link til at vælge adgangskode er sendt");
    shown.assert_shows("data-status=\"active\"");
    shown.assert_shows("second interview went well");
    shown.assert_shows(&format!("{checked_on} – ren"));
    let helper = r.helper(bo).await;
    assert_eq!(helper["status"], "active");
    assert_eq!(helper["criminal_record_checked_on"], checked_on.as_str());
    assert_eq!(helper["criminal_record_outcome"], "clear");
    assert_eq!(r.history_len(bo).await, 6, "the application and five moves");
    assert_eq!(mails(&r.app, "helper_activated", "bo@example.dk"), 1);
}

async fn a_move_the_pipeline_forbids_is_refused_at_the_form_and_changes_nothing(
    backend: TestBackend,
) {
    let r = recruiting(backend).await;
    let bo = r.applicant("Bo Berg", "bo@example.dk").await;
    let user = ConsoleUser::signed_in(&r.app, "lone@example.dk", PASSWORD).await;
    let page = r.student_page(bo);

    let jump = user
        .submit(
            &page,
            &page,
            &[("to", "interview_2"), ("note", "skip ahead")],
        )
        .await;

    assert_eq!(jump.status, StatusCode::CONFLICT, "{}", jump.html);
    jump.assert_shows("id=\"move-error\"");
    jump.assert_shows("a helper cannot move from applied to interview_2");
    jump.assert_shows("skip ahead");
    assert_eq!(r.helper(bo).await["status"], "applied");
    assert_eq!(r.history_len(bo).await, 1);

    // At interview 2: no check, then a check dated tomorrow, are both refused.
    for to in ["screened", "interview_1", "interview_2"] {
        r.move_by_api(bo, to).await;
    }
    let no_check = user
        .submit(&page, &page, &[("to", "interview_3"), ("note", "")])
        .await;
    assert_eq!(no_check.status, StatusCode::UNPROCESSABLE_ENTITY);
    no_check.assert_shows("Børne- og straffeattest: moving on from interview_2 needs");
    let tomorrow = (Utc::now().date_naive() + Duration::days(1)).to_string();
    let future = user
        .submit(
            &page,
            &page,
            &[
                ("to", "interview_3"),
                ("checked_on", &tomorrow),
                ("outcome", "clear"),
            ],
        )
        .await;
    assert_eq!(
        future.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        future.html
    );
    future.assert_shows("Dato for attesten:");
    future.assert_shows(&format!("value=\"{tomorrow}\""));
    let helper = r.helper(bo).await;
    assert_eq!(helper["status"], "interview_2");
    assert_eq!(helper["criminal_record_checked_on"], Value::Null);
    assert_eq!(r.history_len(bo).await, 4);
}

async fn a_move_without_the_csrf_token_is_refused_and_changes_nothing(backend: TestBackend) {
    let r = recruiting(backend).await;
    let bo = r.applicant("Bo Berg", "bo@example.dk").await;
    let user = ConsoleUser::signed_in(&r.app, "lone@example.dk", PASSWORD).await;
    let page = r.student_page(bo);

    let missing = user.post(&page, &[("to", "screened")]).await;
    let forged = user
        .post(&page, &[("csrf", "forged"), ("to", "screened")])
        .await;

    assert_eq!(missing.status, StatusCode::FORBIDDEN);
    assert_eq!(forged.status, StatusCode::FORBIDDEN);
    assert_eq!(r.helper(bo).await["status"], "applied");
    assert_eq!(r.history_len(bo).await, 1);
}

async fn a_leader_of_another_branch_gets_404_for_the_pages_and_the_move(backend: TestBackend) {
    let r = recruiting(backend).await;
    let bo = r.applicant("Bo Berg", "bo@example.dk").await;
    let olga = ConsoleUser::signed_in(&r.app, "olga@example.dk", PASSWORD).await;
    let own = olga
        .get(&format!("/console/branches/{}/recruitment", r.other_branch))
        .await;
    assert_eq!(own.status, StatusCode::OK);

    let columns = olga
        .get(&format!("/console/branches/{}/recruitment", r.branch))
        .await;
    let student = olga.get(&r.student_page(bo)).await;
    // Her own branch in the address, Aarhus's student in the path: still not hers.
    let disguised = olga
        .get(&format!(
            "/console/branches/{}/recruitment/{bo}",
            r.other_branch
        ))
        .await;
    let moved = olga
        .post(
            &r.student_page(bo),
            &[("csrf", &own.csrf()), ("to", "screened")],
        )
        .await;

    for page in [&columns, &student, &disguised, &moved] {
        assert_eq!(page.status, StatusCode::NOT_FOUND, "{}", page.html);
    }
    assert!(!student.html.contains("Bo Berg"));
    assert_eq!(r.helper(bo).await["status"], "applied");
}

on_both_backends!(
    the_columns_show_each_stage_with_days_in_stage_and_the_waitlist_in_order,
    a_student_moves_from_applied_to_active_through_the_forms,
    a_move_the_pipeline_forbids_is_refused_at_the_form_and_changes_nothing,
    a_move_without_the_csrf_token_is_refused_and_changes_nothing,
    a_leader_of_another_branch_gets_404_for_the_pages_and_the_move,
);
