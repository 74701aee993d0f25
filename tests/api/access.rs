//! Who may act is decided by the account as it is now, on every request: a helper who left, a
//! deactivated leader or a changed password stop at once; one login holds every capacity of
//! its person (relative of two clients, a helper whose grandmother is a client); invitations
//! and resets travel only by mail.

use diesel::prelude::*;
use helpmatch::db::DbConnection;
use reqwest::Method;
use serde_json::{Value, json};

use crate::support::fixtures::{ADMIN_EMAIL, PASSWORD};
use crate::support::{TestApp, TestBackend, assert_problem, spawn_app};
use crate::on_both_backends;

/// Far enough ahead that every booking is outside the notice period.
const FAR: &str = "2027-01-12T10:00:00+01:00";
/// A second slot on another day.
const FAR_NEXT_DAY: &str = "2027-01-13T10:00:00+01:00";
/// The client's home, where check-ins are verified.
const HOME: (f64, f64) = (56.157, 10.205);
/// A new password that meets the policy.
const NEW_PASSWORD: &str = "a-brand-new-long-password";

/// The kinds and statuses of the mails to `recipient`, oldest first (read from the outbox).
pub(crate) fn mails_to(app: &TestApp, recipient: &str) -> Vec<(i64, String, String)> {
    use helpmatch::db::schema::outbox;
    let mut conn = DbConnection::open(&app.database.url).expect("database");
    outbox::table
        .filter(outbox::recipient.eq(recipient))
        .order(outbox::id)
        .select((outbox::id, outbox::kind, outbox::status))
        .load(&mut conn)
        .expect("outbox")
}

/// How many mails of `kind` went to `recipient`.
pub(crate) fn count_mails(app: &TestApp, recipient: &str, kind: &str) -> usize {
    mails_to(app, recipient)
        .iter()
        .filter(|(_, k, _)| k == kind)
        .count()
}

/// The body of a relative with a login and the given rights.
pub(crate) fn relative(email: &str, can_view: bool, can_book: bool, can_pay: bool) -> Value {
    json!({"name": "Mette Nielsen", "email": email, "relation": "daughter", "can_view": can_view,
           "can_book": can_book, "can_pay": can_pay, "consent_given_on": "2026-11-01", "create_account": true})
}

/// Adds a relative (staff) and returns the answer.
pub(crate) async fn add_relative(app: &TestApp, staff: &str, client: i64, body: Value) -> Value {
    app.post_ok(
        &format!("/api/v1/clients/{client}/relatives"),
        Some(staff),
        body,
        201,
    )
    .await
}

/// Sets the first password with the newest mailed link and logs in.
pub(crate) async fn accept_mailed_invitation(app: &TestApp, email: &str) -> String {
    let token = app.mailed_token(email);
    app.post_ok(
        "/api/v1/auth/accept-invitation",
        None,
        json!({"token": token, "password": PASSWORD}),
        204,
    )
    .await;
    app.token_for(email, PASSWORD).await
}

/// `method path` with a token; returns the status.
pub(crate) async fn status_of(app: &TestApp, method: Method, path: &str, token: &str) -> u16 {
    app.call(method, path, Some(token), None)
        .await
        .status()
        .as_u16()
}

fn home() -> Value {
    json!({"lat": HOME.0, "lon": HOME.1})
}

/// A branch with an active helper (with a token) serving a client with an 8-hour card.
struct Family {
    admin: String,
    branch: i64,
    helper: i64,
    helper_token: String,
    client: i64,
}

async fn family(app: &TestApp) -> Family {
    let admin = app.admin_token().await;
    let branch = app.create_branch(&admin, "Aarhus").await;
    let (helper, helper_token) = app.activate_helper(&admin, branch, "anna@example.dk").await;
    let client = app.create_client(&admin, branch, "karen@example.dk").await;
    app.assign(&admin, client, helper).await;
    app.buy(&admin, client, "clip_card_8h").await;
    Family {
        admin,
        branch,
        helper,
        helper_token,
        client,
    }
}

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

/// Asserts an answer carries no set-password token: neither the mailed one nor any field
/// that looks like one.
fn assert_no_token(answer: &Value, mailed: &str) {
    let text = answer.to_string();
    assert!(!text.contains(mailed), "the token is in the answer: {text}");
    for field in ["token", "invitation_token", "invite_token"] {
        assert!(answer.get(field).is_none(), "{field} in {text}");
    }
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

async fn request_reset(app: &TestApp, email: &str) -> reqwest::Response {
    app.call(
        Method::POST,
        "/api/v1/auth/password-reset",
        None,
        Some(json!({"email": email})),
    )
    .await
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
    a_left_helpers_token_stops_working_at_once,
    a_deactivated_branch_leaders_token_stops_working_at_once,
    a_password_change_ends_older_access_tokens_and_the_new_pair_works,
    a_leader_moved_to_another_branch_sees_the_new_branch_with_the_same_token,
    the_bearer_scheme_is_case_insensitive,
    a_relative_of_two_clients_has_one_login_with_the_rights_each_client_gave,
    a_helper_whose_grandmother_is_a_client_has_one_login_and_stays_her_relative_after_leaving,
    a_staff_email_cannot_become_a_relative,
    me_gives_helpers_and_relatives_their_branch,
    every_invitation_is_mailed_with_a_working_link_and_never_returned,
    a_reinvitation_mails_a_new_link_and_the_old_one_stops_working,
    a_password_reset_answers_alike_for_known_and_unknown_emails,
    a_reset_link_sets_a_new_password_once_and_ends_every_session,
    an_expired_reset_link_fails,
    removing_a_relative_ends_their_access_at_once,
);
