//! Administration in the console: only for admins; branches and their prices, staff accounts
//! (invited by mail, deactivated with their sessions ended, invited again), and failed mails
//! resent — every form refused without its CSRF token — over HTTP on both databases, and a
//! look at the staff page in Chromium.

use diesel::prelude::*;
use reqwest::StatusCode;
use serde_json::Value;

use crate::on_both_backends;
use crate::support::browser::mails;
use crate::support::console::ConsoleUser;
use crate::support::fixtures::{ADMIN_EMAIL, PASSWORD};
use crate::support::{TestApp, TestBackend, spawn_app};

mod staff;
use helpmatch::db::DbConnection;
use helpmatch::db::schema::outbox;

/// An app with its admin, the Aarhus branch and its leader lone@example.dk.
struct Admin {
    app: TestApp,
    token: String,
    branch: i64,
    user: ConsoleUser,
}

async fn admin(backend: TestBackend) -> Admin {
    let app = spawn_app(backend).await;
    let token = app.admin_token().await;
    let branch = app.create_branch(&token, "Aarhus").await;
    app.leader_token(&token, branch, "lone@example.dk").await;
    let user = ConsoleUser::signed_in(&app, ADMIN_EMAIL, PASSWORD).await;
    Admin {
        app,
        token,
        branch,
        user,
    }
}

async fn branches(a: &Admin) -> Vec<Value> {
    a.app.get_ok("/api/v1/branches?limit=200", &a.token).await["items"]
        .as_array()
        .unwrap()
        .clone()
}

async fn prices(a: &Admin, branch: i64) -> Value {
    a.app
        .get_ok(&format!("/api/v1/branches/{branch}/prices"), &a.token)
        .await
}

async fn user_by_email(a: &Admin, email: &str) -> Value {
    let users = a.app.get_ok("/api/v1/users?limit=200", &a.token).await;
    users["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|u| u["email"] == email)
        .unwrap_or_else(|| panic!("{email} in {users}"))
        .clone()
}

fn fail_mails_to(app: &TestApp, recipient: &str) -> i64 {
    let mut conn = DbConnection::open(&app.database.url).expect("database");
    diesel::update(outbox::table.filter(outbox::recipient.eq(recipient)))
        .set((
            outbox::status.eq("failed"),
            outbox::last_error.eq(Some("550 mailbox unavailable")),
        ))
        .execute(&mut conn)
        .expect("failed");
    outbox::table
        .filter(outbox::recipient.eq(recipient))
        .select(outbox::id)
        .order(outbox::id.desc())
        .first(&mut conn)
        .expect("a mail")
}

fn mail_status(app: &TestApp, id: i64) -> String {
    let mut conn = DbConnection::open(&app.database.url).expect("database");
    outbox::table
        .find(id)
        .select(outbox::status)
        .first(&mut conn)
        .expect("mail")
}

const ODENSE: [(&str, &str); 7] = [
    ("name", "Odense"),
    ("country", "DK"),
    ("time_zone", "Europe/Copenhagen"),
    ("currency", "DKK"),
    ("lat", "55.3959"),
    ("lon", "10.3883"),
    ("phone", "+45 70 20 30 50"),
];

async fn admin_pages_are_not_found_for_a_branch_leader(backend: TestBackend) {
    let a = admin(backend).await;
    let leader = ConsoleUser::signed_in(&a.app, "lone@example.dk", PASSWORD).await;

    for page in [
        "/console/admin".to_string(),
        "/console/admin/branches".to_string(),
        format!("/console/admin/branches/{}", a.branch),
        "/console/admin/users".to_string(),
        "/console/admin/mails".to_string(),
    ] {
        let shown = leader.get(&page).await;
        assert_eq!(shown.status, StatusCode::NOT_FOUND, "{page}");
        shown.assert_shows("Siden findes ikke");
    }
    let board = format!("/console/branches/{}/board", a.branch);
    let created = leader
        .submit(&board, "/console/admin/branches", &ODENSE)
        .await;
    assert_eq!(created.status, StatusCode::NOT_FOUND);
    let priced = leader
        .submit(
            &board,
            &format!("/console/admin/branches/{}/prices", a.branch),
            &[("product", "single_hour"), ("amount", "1")],
        )
        .await;
    assert_eq!(priced.status, StatusCode::NOT_FOUND);
    assert_eq!(branches(&a).await.len(), 1);
    assert_eq!(
        prices(&a, a.branch).await["history"]
            .as_array()
            .unwrap()
            .len(),
        2
    );
    assert!(
        !leader
            .get(&board)
            .await
            .html
            .contains("href=\"/console/admin\"")
    );
}

async fn an_admin_creates_a_branch_edits_it_and_adds_a_price(backend: TestBackend) {
    let a = admin(backend).await;
    let list = "/console/admin/branches";

    let refused = a
        .user
        .submit(
            list,
            list,
            &[
                ("name", ""),
                ("country", "DK"),
                ("time_zone", "Mars/Olympus"),
                ("currency", "DKK"),
                ("lat", "north"),
                ("lon", "10"),
            ],
        )
        .await;
    assert_eq!(
        refused.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        refused.html
    );
    refused.assert_shows("id=\"branch-centre-error\">must be a latitude and a longitude");
    refused.assert_shows("id=\"branch-time_zone-error\">must be an IANA time zone");
    refused.assert_shows("id=\"branch-name-error\">");
    refused.assert_shows("value=\"north\"");
    assert_eq!(branches(&a).await.len(), 1);
    let taken = a
        .user
        .submit(
            list,
            list,
            &[
                ("name", "Aarhus"),
                ("country", "DK"),
                ("time_zone", "Europe/Copenhagen"),
                ("currency", "DKK"),
                ("lat", "56.1"),
                ("lon", "10.2"),
            ],
        )
        .await;
    assert_eq!(taken.status, StatusCode::CONFLICT);
    taken.assert_shows("already exists");

    let created = a.user.submit(list, list, &ODENSE).await;

    assert_eq!(created.status, StatusCode::SEE_OTHER, "{}", created.html);
    let location = created.location.unwrap();
    let id: i64 = location
        .trim_start_matches("/console/admin/branches/")
        .trim_end_matches("?done=created")
        .parse()
        .unwrap();
    let page = a.user.get(&location).await;
    page.assert_shows("Afdelingen er oprettet.");
    page.assert_shows("1560.00 DKK");
    let all = branches(&a).await;
    let odense = all.iter().find(|b| b["id"] == id).unwrap();
    assert_eq!(
        (odense["name"].as_str(), odense["centre_lat"].as_f64()),
        (Some("Odense"), Some(55.3959)),
        "{odense}"
    );

    // Edit: a new name, and closed (the box left unticked).
    let edit = format!("/console/admin/branches/{id}");
    let mut fields = ODENSE.to_vec();
    fields[0] = ("name", "Odense C");
    let saved = a.user.submit(&edit, &edit, &fields).await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.html);
    let branch = a
        .app
        .get_ok(&format!("/api/v1/branches/{id}"), &a.token)
        .await;
    assert_eq!(
        (branch["name"].as_str(), branch["active"].as_bool()),
        (Some("Odense C"), Some(false))
    );

    // A price: refused amounts change nothing; a good one is in force at once.
    let prices_path = format!("{edit}/prices");
    let bad = a
        .user
        .submit(
            &edit,
            &prices_path,
            &[
                ("product", "clip_card_8h"),
                ("amount", "lots"),
                ("valid_from", ""),
            ],
        )
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    bad.assert_shows("id=\"amount-error\">must be an amount");
    bad.assert_shows("value=\"lots\"");
    assert_eq!(prices(&a, id).await["history"].as_array().unwrap().len(), 2);
    let added = a
        .user
        .submit(
            &edit,
            &prices_path,
            &[
                ("product", "clip_card_8h"),
                ("amount", "1800"),
                ("valid_from", ""),
            ],
        )
        .await;
    assert_eq!(added.status, StatusCode::SEE_OTHER, "{}", added.html);
    let list = prices(&a, id).await;
    let card = list["in_force"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["product"] == "clip_card_8h")
        .unwrap()
        .clone();
    assert_eq!(card["amount_minor"], 180_000, "{list}");
    a.user
        .get(&added.location.unwrap())
        .await
        .assert_shows("1800.00 DKK");
}

async fn every_admin_form_without_its_token_is_refused_and_changes_nothing(backend: TestBackend) {
    let a = admin(backend).await;
    let lone = user_by_email(&a, "lone@example.dk").await["id"]
        .as_i64()
        .unwrap();
    a.user
        .submit(
            "/console/admin/users",
            "/console/admin/users",
            &[
                ("name", "Mette"),
                ("email", "mette@example.dk"),
                ("role", "branch_leader"),
                ("branch_id", &a.branch.to_string()),
            ],
        )
        .await;
    let mette = user_by_email(&a, "mette@example.dk").await["id"]
        .as_i64()
        .unwrap();
    let mail = fail_mails_to(&a.app, "mette@example.dk");
    let before = (
        branches(&a).await,
        prices(&a, a.branch).await["history"].clone(),
    );

    for (path, fields) in [
        ("/console/admin/branches".to_string(), ODENSE.to_vec()),
        (
            format!("/console/admin/branches/{}", a.branch),
            ODENSE.to_vec(),
        ),
        (
            format!("/console/admin/branches/{}/prices", a.branch),
            vec![("product", "single_hour"), ("amount", "1")],
        ),
        (
            "/console/admin/users".to_string(),
            vec![
                ("name", "Ib"),
                ("email", "ib@example.dk"),
                ("role", "admin"),
            ],
        ),
        (
            format!("/console/admin/users/{lone}/active"),
            vec![("active", "false")],
        ),
        (format!("/console/admin/users/{mette}/invitation"), vec![]),
        (format!("/console/admin/mails/{mail}/resend"), vec![]),
    ] {
        let refused = a.user.post(&path, &fields).await;
        assert_eq!(refused.status, StatusCode::FORBIDDEN, "{path}");
        let mut forged = vec![("csrf", "forged")];
        forged.extend(fields);
        assert_eq!(
            a.user.post(&path, &forged).await.status,
            StatusCode::FORBIDDEN,
            "{path}"
        );
    }

    assert_eq!(
        (
            branches(&a).await,
            prices(&a, a.branch).await["history"].clone()
        ),
        before
    );
    assert_eq!(user_by_email(&a, "lone@example.dk").await["active"], true);
    assert!(
        a.app.get_ok("/api/v1/users?limit=200", &a.token).await["items"]
            .as_array()
            .unwrap()
            .iter()
            .all(|u| u["email"] != "ib@example.dk")
    );
    assert_eq!(mails(&a.app, "account_invitation", "mette@example.dk"), 1);
    assert_eq!(mail_status(&a.app, mail), "failed");
}

on_both_backends!(
    admin_pages_are_not_found_for_a_branch_leader,
    an_admin_creates_a_branch_edits_it_and_adds_a_price,
    every_admin_form_without_its_token_is_refused_and_changes_nothing,
);
