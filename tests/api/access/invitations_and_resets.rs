//! access: invitations and resets.

use super::*;

async fn me_gives_helpers_and_relatives_their_branch(backend: TestBackend) {
    let app = spawn_app(backend).await;
    let admin = app.admin_token().await;
    app.create_branch(&admin, "Odense").await;
    let aarhus = app.create_branch(&admin, "Aarhus").await;
    let (_, helper) = app.activate_helper(&admin, aarhus, "anna@example.dk").await;
    let karen = app.create_client(&admin, aarhus, "karen@example.dk").await;
    add_relative(
        &app,
        &admin,
        karen,
        relative("mette@example.dk", true, false, false),
    )
    .await;
    let mette = accept_mailed_invitation(&app, "mette@example.dk").await;

    let helper_me = app.get_ok("/api/v1/me", &helper).await;
    let relative_me = app.get_ok("/api/v1/me", &mette).await;

    assert_eq!(helper_me["branch_id"].as_i64(), Some(aarhus), "{helper_me}");
    assert_eq!(helper_me["role"], "helper");
    assert_eq!(
        relative_me["branch_id"].as_i64(),
        Some(aarhus),
        "{relative_me}"
    );
    assert_eq!(
        relative_me["clients"][0]["branch_id"].as_i64(),
        Some(aarhus)
    );
}

async fn every_invitation_is_mailed_with_a_working_link_and_never_returned(backend: TestBackend) {
    let app = spawn_app(backend).await;
    let admin = app.admin_token().await;
    let branch = app.create_branch(&admin, "Aarhus").await;
    let karen = app.create_client(&admin, branch, "karen@example.dk").await;

    let client_account = app
        .post_ok(
            &format!("/api/v1/clients/{karen}/account"),
            Some(&admin),
            json!({}),
            201,
        )
        .await;
    let relative_account = add_relative(
        &app,
        &admin,
        karen,
        relative("mette@example.dk", true, false, false),
    )
    .await;
    let staff_account = app
        .post_ok(
            "/api/v1/users",
            Some(&admin),
            json!({"email": "leader@example.dk", "name": "Leader", "role": "branch_leader", "branch_id": branch}),
            201,
        )
        .await;

    for (answer, email) in [
        (&client_account, "karen@example.dk"),
        (&relative_account, "mette@example.dk"),
        (&staff_account, "leader@example.dk"),
    ] {
        let mailed = app.mailed_token(email);
        assert_no_token(answer, &mailed);
        assert_eq!(count_mails(&app, email, "account_invitation"), 1, "{email}");
        let token = accept_mailed_invitation(&app, email).await;
        app.get_ok("/api/v1/me", &token).await;
    }
    assert_eq!(client_account["invitation_sent"], true);
    assert_eq!(relative_account["invitation_sent"], true);
    assert_eq!(staff_account["has_password"], false, "{staff_account}");
}

async fn a_reinvitation_mails_a_new_link_and_the_old_one_stops_working(backend: TestBackend) {
    let app = spawn_app(backend).await;
    let admin = app.admin_token().await;
    let aarhus = app.create_branch(&admin, "Aarhus").await;
    let odense = app.create_branch(&admin, "Odense").await;
    let leader_aarhus = app
        .leader_token(&admin, aarhus, "leader.aarhus@example.dk")
        .await;
    let leader_odense = app
        .leader_token(&admin, odense, "leader.odense@example.dk")
        .await;
    let invited = app
        .post_ok(
            "/api/v1/users",
            Some(&admin),
            json!({"email": "new.leader@example.dk", "name": "New Leader", "role": "branch_leader", "branch_id": aarhus}),
            201,
        )
        .await;
    let user = invited["id"].as_i64().unwrap();
    let karen = app.create_client(&admin, aarhus, "karen@example.dk").await;
    let opened = app
        .post_ok(
            &format!("/api/v1/clients/{karen}/account"),
            Some(&admin),
            json!({}),
            201,
        )
        .await;
    let karen_user = opened["user_id"].as_i64().unwrap();
    let old_link = app.mailed_token("new.leader@example.dk");
    let reinvite = |id: i64| format!("/api/v1/users/{id}/invitation");

    let from_other_branch = app
        .call(Method::POST, &reinvite(user), Some(&leader_odense), None)
        .await;
    let by_admin = app
        .post_ok(&reinvite(user), Some(&admin), json!({}), 202)
        .await;

    assert_problem(from_other_branch, 404).await;
    assert_eq!(by_admin["invitation_sent"], true);
    let new_link = app.mailed_token("new.leader@example.dk");
    assert_ne!(new_link, old_link);
    assert_no_token(&by_admin, &new_link);
    let with_old = app
        .call(
            Method::POST,
            "/api/v1/auth/accept-invitation",
            None,
            Some(json!({"token": old_link, "password": PASSWORD})),
        )
        .await;
    assert_problem(with_old, 401).await;
    app.post_ok(
        "/api/v1/auth/accept-invitation",
        None,
        json!({"token": new_link, "password": PASSWORD}),
        204,
    )
    .await;
    app.token_for("new.leader@example.dk", PASSWORD).await;
    let has_password = app
        .call(Method::POST, &reinvite(user), Some(&admin), None)
        .await;
    assert_problem(has_password, 409).await;

    // A leader re-invites the accounts of their own branch only.
    let karen_from_odense = app
        .call(
            Method::POST,
            &reinvite(karen_user),
            Some(&leader_odense),
            None,
        )
        .await;
    assert_problem(karen_from_odense, 404).await;
    app.post_ok(&reinvite(karen_user), Some(&leader_aarhus), json!({}), 202)
        .await;
    assert_eq!(
        count_mails(&app, "karen@example.dk", "account_invitation"),
        2
    );
    accept_mailed_invitation(&app, "karen@example.dk").await;
}

async fn a_password_reset_answers_alike_for_known_and_unknown_emails(backend: TestBackend) {
    let app = spawn_app(backend).await;
    let admin = app.admin_token().await;
    let branch = app.create_branch(&admin, "Aarhus").await;
    app.leader_token(&admin, branch, "leader@example.dk").await;

    let known = request_reset(&app, "leader@example.dk").await;
    let unknown = request_reset(&app, "nobody@example.dk").await;

    assert_eq!(
        (known.status().as_u16(), unknown.status().as_u16()),
        (202, 202)
    );
    let known: Value = known.json().await.unwrap();
    let unknown: Value = unknown.json().await.unwrap();
    assert_eq!(known, unknown);
    assert_eq!(count_mails(&app, "leader@example.dk", "password_reset"), 1);
    assert!(mails_to(&app, "nobody@example.dk").is_empty());
}

async fn a_reset_link_sets_a_new_password_once_and_ends_every_session(backend: TestBackend) {
    let app = spawn_app(backend).await;
    let admin = app.admin_token().await;
    let branch = app.create_branch(&admin, "Aarhus").await;
    let leader = app.leader_token(&admin, branch, "leader@example.dk").await;
    let session: Value = app
        .login("leader@example.dk", PASSWORD)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(request_reset(&app, "leader@example.dk").await.status(), 202);
    let link = app.mailed_token("leader@example.dk");
    let reset = json!({"token": link, "password": NEW_PASSWORD});

    app.post_ok("/api/v1/auth/reset-password", None, reset.clone(), 204)
        .await;
    let again = app
        .call(
            Method::POST,
            "/api/v1/auth/reset-password",
            None,
            Some(json!({"token": link, "password": "yet-another-long-password"})),
        )
        .await;

    assert_problem(again, 401).await;
    for old in [leader.as_str(), session["access_token"].as_str().unwrap()] {
        assert_eq!(status_of(&app, Method::GET, "/api/v1/me", old).await, 401);
    }
    let old_refresh = app
        .call(
            Method::POST,
            "/api/v1/auth/refresh",
            None,
            Some(json!({"refresh_token": session["refresh_token"]})),
        )
        .await;
    assert_problem(old_refresh, 401).await;
    assert_problem(app.login("leader@example.dk", PASSWORD).await, 401).await;
    let fresh = app.token_for("leader@example.dk", NEW_PASSWORD).await;
    app.get_ok("/api/v1/me", &fresh).await;
}

async fn an_expired_reset_link_fails(backend: TestBackend) {
    let app = spawn_app(backend).await;
    let admin = app.admin_token().await;
    let branch = app.create_branch(&admin, "Aarhus").await;
    app.leader_token(&admin, branch, "leader@example.dk").await;
    assert_eq!(request_reset(&app, "leader@example.dk").await.status(), 202);
    let link = app.mailed_token("leader@example.dk");
    {
        // Time travel: the hour the link was valid for has passed.
        use helpmatch::db::schema::password_tokens;
        let mut conn = DbConnection::open(&app.database.url).unwrap();
        let past = chrono::Utc::now().naive_utc() - chrono::Duration::minutes(1);
        let expired = diesel::update(
            password_tokens::table.filter(password_tokens::purpose.eq("password_reset")),
        )
        .set(password_tokens::expires_at.eq(past))
        .execute(&mut conn)
        .unwrap();
        assert_eq!(expired, 1);
    }

    let response = app
        .call(
            Method::POST,
            "/api/v1/auth/reset-password",
            None,
            Some(json!({"token": link, "password": NEW_PASSWORD})),
        )
        .await;

    assert_problem(response, 401).await;
    assert_problem(app.login("leader@example.dk", NEW_PASSWORD).await, 401).await;
    app.token_for("leader@example.dk", PASSWORD).await;
}

async fn removing_a_relative_ends_their_access_at_once(backend: TestBackend) {
    let app = spawn_app(backend).await;
    let admin = app.admin_token().await;
    let branch = app.create_branch(&admin, "Aarhus").await;
    let karen = app.create_client(&admin, branch, "karen@example.dk").await;
    let erik = app.create_client(&admin, branch, "erik@example.dk").await;
    let for_karen = add_relative(
        &app,
        &admin,
        karen,
        relative("mette@example.dk", true, true, true),
    )
    .await;
    let mette = accept_mailed_invitation(&app, "mette@example.dk").await;
    let for_erik = add_relative(
        &app,
        &admin,
        erik,
        relative("mette@example.dk", true, false, false),
    )
    .await;
    let karen_path = format!("/api/v1/clients/{karen}");
    let erik_path = format!("/api/v1/clients/{erik}");
    assert_eq!(status_of(&app, Method::GET, &karen_path, &mette).await, 200);
    let remove = |client: i64, relative: &Value| {
        format!(
            "/api/v1/clients/{client}/relatives/{}",
            relative["relative"]["id"]
        )
    };

    let removed = status_of(&app, Method::DELETE, &remove(karen, &for_karen), &admin).await;

    assert_eq!(removed, 204);
    assert_eq!(status_of(&app, Method::GET, &karen_path, &mette).await, 404);
    let karen_balance = format!("/api/v1/clients/{karen}/balance");
    assert_eq!(
        status_of(&app, Method::GET, &karen_balance, &mette).await,
        404
    );
    assert_eq!(status_of(&app, Method::GET, &erik_path, &mette).await, 200);
    let me = app.get_ok("/api/v1/me", &mette).await;
    assert_eq!(me["clients"].as_array().unwrap().len(), 1, "{me}");
    assert_eq!(me["clients"][0]["client_id"].as_i64(), Some(erik));

    let removed = status_of(&app, Method::DELETE, &remove(erik, &for_erik), &admin).await;

    assert_eq!(removed, 204);
    assert_eq!(
        status_of(&app, Method::GET, "/api/v1/me", &mette).await,
        401
    );
    assert_problem(app.login("mette@example.dk", PASSWORD).await, 401).await;
}

on_both_backends!(
    me_gives_helpers_and_relatives_their_branch,
    every_invitation_is_mailed_with_a_working_link_and_never_returned,
    a_reinvitation_mails_a_new_link_and_the_old_one_stops_working,
    a_password_reset_answers_alike_for_known_and_unknown_emails,
    a_reset_link_sets_a_new_password_once_and_ends_every_session,
    an_expired_reset_link_fails,
    removing_a_relative_ends_their_access_at_once,
);
