//! access: tokens and logins.

use super::*;

async fn a_left_helpers_token_stops_working_at_once(backend: TestBackend) {
    let app = spawn_app(backend).await;
    let f = family(&app).await;
    let visit = app.book_id(&f.admin, f.client, f.helper, FAR, 60).await;
    app.move_visit_start(visit, 5);
    app.get_ok("/api/v1/me", &f.helper_token).await;

    let left = app
        .transition(&f.admin, f.helper, json!({"to": "left"}))
        .await;
    assert_eq!(left.status().as_u16(), 200);
    let check_in = app
        .call(
            Method::POST,
            &format!("/api/v1/visits/{visit}/check-in"),
            Some(&f.helper_token),
            Some(home()),
        )
        .await;
    let me = app
        .call(Method::GET, "/api/v1/me", Some(&f.helper_token), None)
        .await;

    assert_problem(check_in, 401).await;
    assert_problem(me, 401).await;
    assert_problem(app.login("anna@example.dk", PASSWORD).await, 401).await;
    let shown = app
        .get_ok(&format!("/api/v1/visits/{visit}"), &f.admin)
        .await;
    assert_eq!(shown["checked_in_at"], Value::Null, "{shown}");
}

async fn a_deactivated_branch_leaders_token_stops_working_at_once(backend: TestBackend) {
    let app = spawn_app(backend).await;
    let admin = app.admin_token().await;
    let branch = app.create_branch(&admin, "Aarhus").await;
    let leader = app.leader_token(&admin, branch, "leader@example.dk").await;
    let leader_id = app.get_ok("/api/v1/me", &leader).await["id"]
        .as_i64()
        .unwrap();
    app.get_ok("/api/v1/clients", &leader).await;

    let patched = app
        .call(
            Method::PATCH,
            &format!("/api/v1/users/{leader_id}"),
            Some(&admin),
            Some(json!({"active": false})),
        )
        .await;
    assert_eq!(patched.status().as_u16(), 200);
    let clients = app
        .call(Method::GET, "/api/v1/clients", Some(&leader), None)
        .await;
    let created = app
        .call(
            Method::POST,
            "/api/v1/clients",
            Some(&leader),
            Some(crate::support::fixtures::client(branch, "new@example.dk")),
        )
        .await;

    assert_problem(clients, 401).await;
    assert_problem(created, 401).await;
    assert_problem(app.login("leader@example.dk", PASSWORD).await, 401).await;
    let listed = app.get_ok("/api/v1/clients", &admin).await;
    assert_eq!(listed["items"].as_array().unwrap().len(), 0, "{listed}");
}

async fn a_password_change_ends_older_access_tokens_and_the_new_pair_works(backend: TestBackend) {
    let app = spawn_app(backend).await;
    let f = family(&app).await;
    let phone: Value = app
        .login("anna@example.dk", PASSWORD)
        .await
        .json()
        .await
        .unwrap();
    let laptop: Value = app
        .login("anna@example.dk", PASSWORD)
        .await
        .json()
        .await
        .unwrap();
    let change = json!({"current_password": PASSWORD, "new_password": NEW_PASSWORD});

    let fresh = app
        .post_ok(
            "/api/v1/me/password",
            laptop["access_token"].as_str(),
            change,
            200,
        )
        .await;

    let my_visits = "/api/v1/me/visits";
    for old in [
        f.helper_token.as_str(),
        phone["access_token"].as_str().unwrap(),
        laptop["access_token"].as_str().unwrap(),
    ] {
        assert_eq!(status_of(&app, Method::GET, my_visits, old).await, 401);
    }
    let fresh_access = fresh["access_token"].as_str().unwrap();
    app.get_ok(my_visits, fresh_access).await;
    let refreshed = app
        .post_ok(
            "/api/v1/auth/refresh",
            None,
            json!({"refresh_token": fresh["refresh_token"]}),
            200,
        )
        .await;
    app.get_ok(my_visits, refreshed["access_token"].as_str().unwrap())
        .await;
    let old_refresh = app
        .call(
            Method::POST,
            "/api/v1/auth/refresh",
            None,
            Some(json!({"refresh_token": phone["refresh_token"]})),
        )
        .await;
    assert_problem(old_refresh, 401).await;
}

async fn a_leader_moved_to_another_branch_sees_the_new_branch_with_the_same_token(
    backend: TestBackend,
) {
    let app = spawn_app(backend).await;
    let admin = app.admin_token().await;
    let aarhus = app.create_branch(&admin, "Aarhus").await;
    let odense = app.create_branch(&admin, "Odense").await;
    let in_aarhus = app.create_client(&admin, aarhus, "karen@example.dk").await;
    let in_odense = app.create_client(&admin, odense, "erik@example.dk").await;
    let leader = app.leader_token(&admin, aarhus, "leader@example.dk").await;
    let leader_id = app.get_ok("/api/v1/me", &leader).await["id"]
        .as_i64()
        .unwrap();
    let aarhus_client = format!("/api/v1/clients/{in_aarhus}");
    let odense_client = format!("/api/v1/clients/{in_odense}");
    assert_eq!(
        status_of(&app, Method::GET, &aarhus_client, &leader).await,
        200
    );
    assert_eq!(
        status_of(&app, Method::GET, &odense_client, &leader).await,
        404
    );

    let moved = app
        .call(
            Method::PATCH,
            &format!("/api/v1/users/{leader_id}"),
            Some(&admin),
            Some(json!({"branch_id": odense})),
        )
        .await;
    assert_eq!(moved.status().as_u16(), 200);

    assert_eq!(
        status_of(&app, Method::GET, &aarhus_client, &leader).await,
        404
    );
    assert_eq!(
        status_of(&app, Method::GET, &odense_client, &leader).await,
        200
    );
    let me = app.get_ok("/api/v1/me", &leader).await;
    assert_eq!(me["branch_id"].as_i64(), Some(odense), "{me}");
    let listed = app.get_ok("/api/v1/clients", &leader).await;
    let ids: Vec<i64> = listed["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["id"].as_i64().unwrap())
        .collect();
    assert_eq!(ids, [in_odense]);
}

async fn the_bearer_scheme_is_case_insensitive(backend: TestBackend) {
    let app = spawn_app(backend).await;
    let admin = app.admin_token().await;

    let mut statuses = vec![];
    for scheme in ["bearer", "BEARER", "Bearer"] {
        let response = app
            .client
            .get(format!("{}/api/v1/me", app.address))
            .header("Authorization", format!("{scheme} {admin}"))
            .send()
            .await
            .unwrap();
        statuses.push(response.status().as_u16());
    }
    let wrong_scheme = app
        .client
        .get(format!("{}/api/v1/me", app.address))
        .header("Authorization", format!("Basic {admin}"))
        .send()
        .await
        .unwrap();

    assert_eq!(statuses, [200, 200, 200]);
    assert_problem(wrong_scheme, 401).await;
}

async fn a_relative_of_two_clients_has_one_login_with_the_rights_each_client_gave(
    backend: TestBackend,
) {
    let app = spawn_app(backend).await;
    let f = family(&app).await;
    let erik = app
        .create_client(&f.admin, f.branch, "erik@example.dk")
        .await;
    app.assign(&f.admin, erik, f.helper).await;
    app.buy(&f.admin, erik, "clip_card_8h").await;
    let first = add_relative(
        &app,
        &f.admin,
        f.client,
        relative("mette@example.dk", true, true, false),
    )
    .await;
    assert_eq!(first["invitation_sent"], true, "{first}");
    let mette = accept_mailed_invitation(&app, "mette@example.dk").await;

    let second = add_relative(
        &app,
        &f.admin,
        erik,
        relative("mette@example.dk", true, false, false),
    )
    .await;

    assert_eq!(second["linked_existing_account"], true, "{second}");
    assert_eq!(second["invitation_sent"], false, "{second}");
    assert_eq!(count_mails(&app, "mette@example.dk", "relative_access"), 1);
    assert_eq!(
        count_mails(&app, "mette@example.dk", "account_invitation"),
        1
    );
    // The same token, issued before the second link, already reaches both.
    let me = app.get_ok("/api/v1/me", &mette).await;
    let clients = me["clients"].as_array().unwrap();
    let rights: Vec<(i64, bool)> = clients
        .iter()
        .map(|c| (c["client_id"].as_i64().unwrap(), c["can_book"] == true))
        .collect();
    assert_eq!(rights, [(f.client, true), (erik, false)], "{me}");
    for client in [f.client, erik] {
        let path = format!("/api/v1/clients/{client}");
        assert_eq!(status_of(&app, Method::GET, &path, &mette).await, 200);
    }
    let booked_for_karen = app.book(&mette, f.client, f.helper, FAR, 60).await;
    assert_eq!(booked_for_karen.status().as_u16(), 201);
    let booked_for_erik = app.book(&mette, erik, f.helper, FAR_NEXT_DAY, 60).await;
    assert_problem(booked_for_erik, 403).await;
    // The slot itself was free: the branch books it.
    let by_branch = app.book(&f.admin, erik, f.helper, FAR_NEXT_DAY, 60).await;
    assert_eq!(by_branch.status().as_u16(), 201);
}

async fn a_helper_whose_grandmother_is_a_client_has_one_login_and_stays_her_relative_after_leaving(
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
    let me = app.get_ok("/api/v1/me", &f.helper_token).await;
    let roles: Vec<&str> = me["roles"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r.as_str().unwrap())
        .collect();
    assert_eq!(roles, ["helper", "client"], "{me}");
    assert_eq!(me["helper_id"].as_i64(), Some(f.helper));
    assert_eq!(me["clients"][0]["client_id"].as_i64(), Some(grete));
    let grandmother = app
        .get_ok(&format!("/api/v1/clients/{grete}"), &f.helper_token)
        .await;
    assert_eq!(grandmother["email"], "grete@example.dk", "the full record");
    let karen = app
        .get_ok(&format!("/api/v1/clients/{}", f.client), &f.helper_token)
        .await;
    assert_eq!(karen["name"], "Karen Nielsen");
    assert_eq!(karen.get("email"), None, "a helper sees what a visit needs");

    let left = app
        .transition(&f.admin, f.helper, json!({"to": "left"}))
        .await;
    assert_eq!(left.status().as_u16(), 200);

    let me = app.get_ok("/api/v1/me", &f.helper_token).await;
    assert_eq!(me["roles"], json!(["client"]), "{me}");
    assert_eq!(me["helper_id"], Value::Null);
    app.get_ok(&format!("/api/v1/clients/{grete}"), &f.helper_token)
        .await;
    let own_record = format!("/api/v1/helpers/{}", f.helper);
    assert_eq!(
        status_of(&app, Method::GET, &own_record, &f.helper_token).await,
        404
    );
    let karen_path = format!("/api/v1/clients/{}", f.client);
    assert_eq!(
        status_of(&app, Method::GET, &karen_path, &f.helper_token).await,
        404
    );
    assert_eq!(
        app.login("anna@example.dk", PASSWORD)
            .await
            .status()
            .as_u16(),
        200
    );
}

async fn a_staff_email_cannot_become_a_relative(backend: TestBackend) {
    let app = spawn_app(backend).await;
    let admin = app.admin_token().await;
    let branch = app.create_branch(&admin, "Aarhus").await;
    let leader = app.leader_token(&admin, branch, "leader@example.dk").await;
    let karen = app.create_client(&admin, branch, "karen@example.dk").await;

    let mut refused = vec![];
    for email in ["leader@example.dk", ADMIN_EMAIL] {
        let response = app
            .call(
                Method::POST,
                &format!("/api/v1/clients/{karen}/relatives"),
                Some(&admin),
                Some(relative(email, true, true, true)),
            )
            .await;
        refused.push(assert_problem(response, 409).await);
    }

    assert_eq!(refused.len(), 2);
    let shown = app
        .get_ok(&format!("/api/v1/clients/{karen}"), &admin)
        .await;
    assert_eq!(shown["relatives"], json!([]), "nothing half-added");
    let me = app.get_ok("/api/v1/me", &leader).await;
    assert_eq!(me["clients"], json!([]), "{me}");
    assert_eq!(me["roles"], json!(["branch_leader"]), "{me}");
    let karen_path = format!("/api/v1/clients/{karen}");
    assert_eq!(
        status_of(&app, Method::GET, &karen_path, &leader).await,
        200
    );
}

on_both_backends!(
    a_left_helpers_token_stops_working_at_once,
    a_deactivated_branch_leaders_token_stops_working_at_once,
    a_password_change_ends_older_access_tokens_and_the_new_pair_works,
    a_leader_moved_to_another_branch_sees_the_new_branch_with_the_same_token,
    the_bearer_scheme_is_case_insensitive,
    a_relative_of_two_clients_has_one_login_with_the_rights_each_client_gave,
    a_helper_whose_grandmother_is_a_client_has_one_login_and_stays_her_relative_after_leaving,
    a_staff_email_cannot_become_a_relative,
);
