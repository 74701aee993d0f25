//! erasure: erasing.

use super::*;

async fn erasing_a_client_whose_relative_has_a_login_closes_both_logins(backend: TestBackend) {
    let app = spawn_app(backend).await;
    let f = family(&app).await;

    let status = erase_client(&app, &f.admin, f.karen).await;

    assert_eq!(status, 204, "erasure works for families");
    for token in [&f.karen_token, &f.mette_token] {
        assert_eq!(status_of(&app, Method::GET, "/api/v1/me", token).await, 401);
    }
    let booking = app.book(&f.mette_token, f.karen, f.helper, FAR, 60).await;
    assert_problem(booking, 401).await;
    for email in ["karen@example.dk", "mette@example.dk"] {
        assert_problem(app.login(email, PASSWORD).await, 401).await;
    }
    use helpmatch::db::schema::{relatives, users};
    let mut conn = db(&app);
    let left: i64 = relatives::table
        .filter(relatives::client_id.eq(f.karen))
        .count()
        .get_result(&mut conn)
        .unwrap();
    assert_eq!(left, 0, "the relatives list is empty");
    let accounts: i64 = users::table
        .filter(users::email.eq_any(["karen@example.dk", "mette@example.dk"]))
        .count()
        .get_result(&mut conn)
        .unwrap();
    assert_eq!(accounts, 0, "the logins are anonymised");
    let relative_row = relatives::table
        .find(f.mette_relative)
        .count()
        .get_result::<i64>(&mut conn)
        .unwrap();
    assert_eq!(relative_row, 0);
}

async fn a_relative_of_another_client_keeps_their_login_and_that_client(backend: TestBackend) {
    let app = spawn_app(backend).await;
    let f = family(&app).await;
    let erik = app
        .create_client(&f.admin, f.branch, "erik@example.dk")
        .await;
    add_relative(
        &app,
        &f.admin,
        erik,
        relative("mette@example.dk", true, false, false),
    )
    .await;

    let status = erase_client(&app, &f.admin, f.karen).await;

    assert_eq!(status, 204);
    let me = app.get_ok("/api/v1/me", &f.mette_token).await;
    let clients: Vec<i64> = me["clients"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["client_id"].as_i64().unwrap())
        .collect();
    assert_eq!(clients, [erik], "{me}");
    app.get_ok(&format!("/api/v1/clients/{erik}"), &f.mette_token)
        .await;
    let karen_path = format!("/api/v1/clients/{}", f.karen);
    assert_eq!(
        status_of(&app, Method::GET, &karen_path, &f.mette_token).await,
        404
    );
    app.token_for("mette@example.dk", PASSWORD).await;
}

async fn an_erasure_keeps_the_mails_of_a_relative_who_still_acts_for_another_client(
    backend: TestBackend,
) {
    let app = spawn_app(backend).await;
    let f = family(&app).await;
    let erik = app
        .create_client(&f.admin, f.branch, "erik@example.dk")
        .await;
    app.assign(&f.admin, erik, f.helper).await;
    app.buy(&f.admin, erik, "clip_card_8h").await;
    add_relative(
        &app,
        &f.admin,
        erik,
        relative("mette@example.dk", true, false, false),
    )
    .await;
    app.book_id(&f.admin, erik, f.helper, FAR, 60).await;
    let about_erik = count_mails(&app, "mette@example.dk", "visit_booked");
    assert_eq!(about_erik, 1, "Mette hears of Erik's visit");
    assert_eq!(count_mails(&app, "mette@example.dk", "relative_access"), 1);

    let status = erase_client(&app, &f.admin, f.karen).await;

    assert_eq!(status, 204);
    assert_eq!(
        count_mails(&app, "mette@example.dk", "visit_booked"),
        1,
        "Erik's visit confirmation still goes to Mette: {:?}",
        mails_to(&app, "mette@example.dk")
    );
    assert_eq!(count_mails(&app, "mette@example.dk", "relative_access"), 1);
}

async fn erasing_a_client_cancels_upcoming_visits_free_and_tells_the_helper(backend: TestBackend) {
    let app = spawn_app(backend).await;
    let f = family(&app).await;
    let later = app.book_id(&f.admin, f.karen, f.helper, FAR, 60).await;
    let tonight = app.book_id(&f.admin, f.karen, f.helper, &soon(3), 60).await;
    let mails_before = count_mails(&app, "anna@example.dk", "visit_cancelled");

    let status = erase_client(&app, &f.admin, f.karen).await;

    assert_eq!(status, 204);
    for visit in [later, tonight] {
        let shown = app
            .get_ok(&format!("/api/v1/visits/{visit}"), &f.admin)
            .await;
        assert_eq!(shown["status"], "cancelled", "{shown}");
        assert_eq!(shown["late_cancellation"], false, "{shown}");
    }
    assert_eq!(
        count_mails(&app, "anna@example.dk", "visit_cancelled"),
        mails_before + 2,
        "the helper is told about each visit"
    );
    let helper_schedule = app.get_ok("/api/v1/me/visits", &f.helper_token).await;
    assert_eq!(
        helper_schedule["items"].as_array().unwrap().len(),
        0,
        "{helper_schedule}"
    );
    use helpmatch::db::schema::ledger_entries;
    let ledger: Vec<(String, i32)> = ledger_entries::table
        .filter(ledger_entries::client_id.eq(f.karen))
        .order(ledger_entries::id)
        .select((ledger_entries::kind, ledger_entries::minutes))
        .load(&mut db(&app))
        .unwrap();
    let kinds: Vec<&str> = ledger.iter().map(|(k, _)| k.as_str()).collect();
    assert_eq!(
        kinds,
        ["purchase", "reserve", "reserve", "release", "release"],
        "the ledger stays, and nothing is charged"
    );
    assert_eq!(ledger[0].1, 480);
}

async fn erasing_a_client_drops_unsent_mails_to_the_family_and_redacts_sent_ones(
    backend: TestBackend,
) {
    let app = spawn_app(backend).await;
    let f = family(&app).await;
    let karen_mails = mails_to(&app, "karen@example.dk");
    let mette_mails = mails_to(&app, "mette@example.dk");
    assert!(!karen_mails.is_empty() && !mette_mails.is_empty());
    let delivered = karen_mails[0].0;
    use helpmatch::db::schema::outbox;
    diesel::update(outbox::table.find(delivered))
        .set((
            outbox::status.eq("sent"),
            outbox::sent_at.eq(Some(chrono::Utc::now().naive_utc())),
        ))
        .execute(&mut db(&app))
        .unwrap();
    let anna_mails = mails_to(&app, "anna@example.dk").len();

    let status = erase_client(&app, &f.admin, f.karen).await;

    assert_eq!(status, 204);
    assert!(mails_to(&app, "karen@example.dk").is_empty());
    assert!(mails_to(&app, "mette@example.dk").is_empty());
    let (recipient, subject, body): (String, String, String) = outbox::table
        .find(delivered)
        .select((outbox::recipient, outbox::subject, outbox::text_body))
        .first(&mut db(&app))
        .unwrap();
    assert_eq!(
        (recipient.as_str(), subject.as_str(), body.as_str()),
        ("(erased)", "", "")
    );
    let unsent: Vec<i64> = karen_mails
        .iter()
        .chain(&mette_mails)
        .map(|(id, ..)| *id)
        .filter(|id| *id != delivered)
        .collect();
    let still_there: i64 = outbox::table
        .filter(outbox::id.eq_any(&unsent))
        .count()
        .get_result(&mut db(&app))
        .unwrap();
    assert_eq!(still_there, 0, "unsent mails to the erased are gone");
    assert_eq!(
        mails_to(&app, "anna@example.dk").len(),
        anna_mails,
        "other people's mail is untouched"
    );
}

async fn erasing_a_client_twice_or_from_another_branch_is_a_404(backend: TestBackend) {
    let app = spawn_app(backend).await;
    let f = family(&app).await;
    let odense = app.create_branch(&f.admin, "Odense").await;
    let other_leader = app
        .leader_token(&f.admin, odense, "leader.odense@example.dk")
        .await;

    let from_other_branch = erase_client(&app, &other_leader, f.karen).await;
    let first = erase_client(&app, &f.admin, f.karen).await;
    let second = erase_client(&app, &f.admin, f.karen).await;

    assert_eq!((from_other_branch, first, second), (404, 204, 404));
}

async fn erasing_a_helper_who_left_removes_their_data_but_keeps_their_hours(backend: TestBackend) {
    let app = spawn_app(backend).await;
    let f = family(&app).await;
    let visit = app.book_id(&f.admin, f.karen, f.helper, FAR, 60).await;
    app.complete_visit(&f.helper_token, visit).await;
    let before = hours_row(&app, &f.admin, f.branch, visit, f.helper).await;
    assert_eq!(
        (before["visits"].as_i64(), before["minutes"].as_i64()),
        (Some(1), Some(60))
    );
    let left = app
        .transition(
            &f.admin,
            f.helper,
            json!({"to": "left", "note": "moves to Copenhagen with her boyfriend"}),
        )
        .await;
    assert_eq!(left.status().as_u16(), 200);
    let record = format!("/api/v1/helpers/{}", f.helper);
    let kept = app.get_ok(&record, &f.admin).await;
    assert_eq!(kept["criminal_record_checked_on"], "2026-11-20", "{kept}");

    let status = status_of(&app, Method::DELETE, &record, &f.admin).await;

    assert_eq!(status, 204);
    let erased = app.get_ok(&record, &f.admin).await;
    assert_eq!(erased["name"], "(deleted)", "{erased}");
    assert_eq!(
        erased["criminal_record_checked_on"],
        Value::Null,
        "{erased}"
    );
    assert_eq!(erased["criminal_record_outcome"], Value::Null, "{erased}");
    assert_eq!(erased["phone"], "", "{erased}");
    assert_eq!(erased["study_programme"], "", "{erased}");
    assert!(
        !erased["email"].as_str().unwrap().contains("anna"),
        "{erased}"
    );
    let history = app.get_ok(&format!("{record}/history"), &f.admin).await;
    let moves = history
        .as_array()
        .or_else(|| history["items"].as_array())
        .expect("history list");
    assert!(moves.len() >= 6, "the moves stay: {history}");
    for step in moves {
        assert_eq!(step["criminal_record_checked_on"], Value::Null, "{step}");
        assert_eq!(step["criminal_record_outcome"], Value::Null, "{step}");
        assert_eq!(step["note"], "", "{step}");
    }
    let after = hours_row(&app, &f.admin, f.branch, visit, f.helper).await;
    assert_eq!(after["name"], "(deleted)", "{after}");
    assert_eq!(
        (after["visits"].as_i64(), after["minutes"].as_i64()),
        (Some(1), Some(60))
    );
    let shown = app
        .get_ok(&format!("/api/v1/visits/{visit}"), &f.admin)
        .await;
    assert_eq!(shown["status"], "completed");
    assert_eq!(shown["helper_name"], "(deleted)");
    assert_problem(app.login("anna@example.dk", PASSWORD).await, 401).await;
}

async fn an_active_helper_cannot_be_erased_and_an_erased_one_is_gone(backend: TestBackend) {
    let app = spawn_app(backend).await;
    let f = family(&app).await;
    let odense = app.create_branch(&f.admin, "Odense").await;
    let other_leader = app
        .leader_token(&f.admin, odense, "leader.odense@example.dk")
        .await;
    let record = format!("/api/v1/helpers/{}", f.helper);

    let while_active = app
        .call(Method::DELETE, &record, Some(&f.admin), None)
        .await;

    assert_problem(while_active, 409).await;
    let intact = app.get_ok(&record, &f.admin).await;
    assert_eq!(intact["name"], "Anna Jensen");
    app.get_ok("/api/v1/me", &f.helper_token).await;

    let left = app
        .transition(&f.admin, f.helper, json!({"to": "left"}))
        .await;
    assert_eq!(left.status().as_u16(), 200);
    let from_other_branch = status_of(&app, Method::DELETE, &record, &other_leader).await;
    let first = status_of(&app, Method::DELETE, &record, &f.admin).await;
    let second = status_of(&app, Method::DELETE, &record, &f.admin).await;

    assert_eq!((from_other_branch, first, second), (404, 204, 404));
}

async fn erasing_a_helper_who_is_still_a_relative_keeps_that_login_and_its_mail(
    backend: TestBackend,
) {
    let app = spawn_app(backend).await;
    let f = family(&app).await;
    let grete = app
        .create_client(&f.admin, f.branch, "grete@example.dk")
        .await;
    let linked = add_relative(
        &app,
        &f.admin,
        grete,
        relative("anna@example.dk", true, true, false),
    )
    .await;
    assert_eq!(linked["linked_existing_account"], true, "{linked}");
    let left = app
        .transition(&f.admin, f.helper, json!({"to": "left"}))
        .await;
    assert_eq!(left.status().as_u16(), 200);
    let record = format!("/api/v1/helpers/{}", f.helper);

    let status = status_of(&app, Method::DELETE, &record, &f.admin).await;

    assert_eq!(status, 204);
    assert_eq!(app.get_ok(&record, &f.admin).await["name"], "(deleted)");
    let me = app.get_ok("/api/v1/me", &f.helper_token).await;
    assert_eq!(me["roles"], json!(["client"]), "{me}");
    app.get_ok(&format!("/api/v1/clients/{grete}"), &f.helper_token)
        .await;
    assert_eq!(
        count_mails(&app, "anna@example.dk", "relative_access"),
        1,
        "the mail about her grandmother still goes to her: {:?}",
        mails_to(&app, "anna@example.dk")
    );
    app.token_for("anna@example.dk", PASSWORD).await;
}

on_both_backends!(
    erasing_a_client_whose_relative_has_a_login_closes_both_logins,
    a_relative_of_another_client_keeps_their_login_and_that_client,
    an_erasure_keeps_the_mails_of_a_relative_who_still_acts_for_another_client,
    erasing_a_client_cancels_upcoming_visits_free_and_tells_the_helper,
    erasing_a_client_drops_unsent_mails_to_the_family_and_redacts_sent_ones,
    erasing_a_client_twice_or_from_another_branch_is_a_404,
    erasing_a_helper_who_left_removes_their_data_but_keeps_their_hours,
    an_active_helper_cannot_be_erased_and_an_erased_one_is_gone,
    erasing_a_helper_who_is_still_a_relative_keeps_that_login_and_its_mail,
);
