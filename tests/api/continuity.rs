//! The continuity index (issue 16, item 2) through the API and the console: exact on a history
//! built through the service and then moved back in time, for one client and for a branch;
//! staff of the branch only.

use chrono::{Duration, NaiveDateTime, Utc};
use diesel::prelude::*;
use reqwest::Method;
use serde_json::{Value, json};

use helpmatch::db::DbConnection;
use helpmatch::db::schema::{assignments, visits};

use crate::on_both_backends;
use crate::support::console::ConsoleUser;
use crate::support::fixtures::PASSWORD;
use crate::support::{TestApp, TestBackend, assert_problem, spawn_app};
use crate::visit_edges::{named_client, named_helper, starts_in_hours, team};

fn days_ago(days: i64) -> NaiveDateTime {
    Utc::now().naive_utc() - Duration::days(days)
}

/// Time travel: the pair began `from` days ago and (if `to`) ended `to` days ago.
fn backdate_pair(app: &TestApp, pair: i64, from: i64, to: Option<i64>) {
    let mut conn = DbConnection::open(&app.database.url).expect("database");
    diesel::update(assignments::table.find(pair))
        .set((
            assignments::started_at.eq(days_ago(from)),
            assignments::ended_at.eq(to.map(days_ago)),
        ))
        .execute(&mut conn)
        .expect("pair moved");
}

/// Time travel: the visit started `days` ago.
fn backdate_visit(app: &TestApp, visit: i64, days: i64) {
    let mut conn = DbConnection::open(&app.database.url).expect("database");
    let start = days_ago(days);
    diesel::update(visits::table.find(visit))
        .set((
            visits::starts_at.eq(start),
            visits::ends_at.eq(start + Duration::hours(1)),
        ))
        .execute(&mut conn)
        .expect("visit moved");
}

/// Books a visit of `minutes` with the helper `hours` from now, completes it, moves it `days`
/// back.
async fn done_visit(
    app: &TestApp,
    admin: &str,
    (client, helper, token): (i64, i64, &str),
    hours: i64,
    minutes: i32,
    days: i64,
) -> i64 {
    let visit = app
        .book_id(admin, client, helper, &starts_in_hours(hours), minutes)
        .await;
    app.complete_visit(token, visit).await;
    backdate_visit(app, visit, days);
    visit
}

fn pair_id(app: &TestApp, client: i64, helper: i64) -> i64 {
    let mut conn = DbConnection::open(&app.database.url).expect("database");
    assignments::table
        .filter(assignments::client_id.eq(client))
        .filter(assignments::helper_id.eq(helper))
        .select(assignments::id)
        .first(&mut conn)
        .expect("pair")
}

async fn continuity(app: &TestApp, token: &str, client: i64) -> Value {
    app.get_ok(&format!("/api/v1/clients/{client}/continuity"), token)
        .await
}

/// Karen: Anna and Bo from 200 days ago, Cai from 150 until 10 days ago. Completed in the last
/// 90 days: Anna 60, Bo 90, Cai 120 minutes; Anna 60 more 100 days ago (outside the window).
struct History {
    app: TestApp,
    admin: String,
    branch: i64,
    client: i64,
}

async fn history(backend: TestBackend) -> History {
    let app = spawn_app(backend).await;
    let t = team(&app).await;
    let admin = t.admin.clone();
    let (bo, bo_token) = named_helper(&app, &admin, t.branch, "Bo", "bo@example.dk").await;
    let (cai, cai_token) = named_helper(&app, &admin, t.branch, "Cai", "cai@example.dk").await;
    app.assign(&admin, t.client, bo).await;
    let cai_pair = app.assign(&admin, t.client, cai).await;
    let karen = (t.client, t.helper, t.helper_token.as_str());
    done_visit(&app, &admin, karen, 24, 60, 30).await;
    done_visit(&app, &admin, karen, 26, 60, 100).await;
    done_visit(&app, &admin, (t.client, bo, &bo_token), 28, 90, 20).await;
    done_visit(&app, &admin, (t.client, cai, &cai_token), 30, 120, 40).await;
    let ended = app
        .call(
            Method::DELETE,
            &format!("/api/v1/assignments/{cai_pair}"),
            Some(&admin),
            None,
        )
        .await;
    assert_eq!(ended.status().as_u16(), 204, "Cai's pair ended");
    backdate_pair(&app, pair_id(&app, t.client, t.helper), 200, None);
    backdate_pair(&app, pair_id(&app, t.client, bo), 200, None);
    backdate_pair(&app, cai_pair, 150, Some(10));
    History {
        app,
        admin,
        branch: t.branch,
        client: t.client,
    }
}

async fn a_clients_index_is_exact_on_a_constructed_history(backend: TestBackend) {
    let h = history(backend).await;
    let c = continuity(&h.app, &h.admin, h.client).await;
    assert_eq!(c["completed_minutes"], 270, "{c}");
    assert_eq!(c["team_minutes"], 150, "Anna's and Bo's: {c}");
    let share = c["team_share"].as_f64().expect("share");
    assert!((share - 150.0 / 270.0).abs() < 1e-9, "{c}");
    assert_eq!(c["team"], 2);
    assert_eq!(c["complete_at"], 2);
    // Forming the team (Anna and Bo) is no change; Cai joining and leaving are two.
    assert_eq!(c["team_changes"], 2, "{c}");
    assert_eq!(c["days_since_team_complete"], 0, "{c}");

    // Wanting three: complete only while Cai was there, until 10 days ago; Cai's joining
    // completed the team (forming), his leaving is the one change.
    let patched = h
        .app
        .call(
            Method::PATCH,
            &format!("/api/v1/clients/{}", h.client),
            Some(&h.admin),
            Some(json!({"wanted": 3})),
        )
        .await;
    assert_eq!(patched.status().as_u16(), 200);
    let c = continuity(&h.app, &h.admin, h.client).await;
    assert_eq!(c["complete_at"], 3);
    assert_eq!(c["days_since_team_complete"], 10, "{c}");
    assert_eq!(c["team_changes"], 1, "{c}");

    // The read is in the audit log.
    let audit = h
        .app
        .get_ok(
            &format!("/api/v1/audit?entity=client&entity_id={}", h.client),
            &h.admin,
        )
        .await;
    let reads = audit["items"]
        .as_array()
        .expect("items")
        .iter()
        .filter(|e| {
            e["action"] == "read" && e["fields"].as_str().unwrap_or("").contains("continuity")
        })
        .count();
    assert_eq!(reads, 2, "{audit}");
}

async fn only_the_branch_reads_continuity(backend: TestBackend) {
    let h = history(backend).await;
    let (app, admin) = (&h.app, h.admin.as_str());
    let odense = app.create_branch(admin, "Odense").await;
    let other_leader = app.leader_token(admin, odense, "olga@example.dk").await;
    let own_leader = app.leader_token(admin, h.branch, "lone@example.dk").await;
    let client_path = format!("/api/v1/clients/{}/continuity", h.client);
    let branch_path = format!("/api/v1/branches/{}/continuity", h.branch);
    // The branch's own leader reads both.
    assert_eq!(continuity(app, &own_leader, h.client).await["team"], 2);
    app.get_ok(&branch_path, &own_leader).await;
    // Another branch's leader sees neither.
    for path in [&client_path, &branch_path] {
        assert_problem(
            app.call(Method::GET, path, Some(&other_leader), None).await,
            404,
        )
        .await;
    }
    // The helper on the team and the client's own login: not theirs to read.
    let anna = app.token_for("anna@example.dk", PASSWORD).await;
    assert_problem(
        app.call(Method::GET, &client_path, Some(&anna), None).await,
        403,
    )
    .await;
    assert_problem(
        app.call(Method::GET, &branch_path, Some(&anna), None).await,
        404,
    )
    .await;
    let karen = app.client_token(admin, h.client, "karen@example.dk").await;
    assert_problem(
        app.call(Method::GET, &client_path, Some(&karen), None)
            .await,
        403,
    )
    .await;
    // No token; a client that does not exist; a path that is not an id.
    assert_problem(app.call(Method::GET, &client_path, None, None).await, 401).await;
    let missing = app
        .call(
            Method::GET,
            "/api/v1/clients/999999/continuity",
            Some(admin),
            None,
        )
        .await;
    assert_problem(missing, 404).await;
    let bad = app
        .call(
            Method::GET,
            "/api/v1/branches/x/continuity",
            Some(admin),
            None,
        )
        .await;
    assert!(bad.status().is_client_error(), "{}", bad.status());
}

async fn a_branch_shows_its_distribution_and_the_worst_off(backend: TestBackend) {
    let h = history(backend).await;
    let (app, admin) = (&h.app, h.admin.as_str());
    // Lis: only visits by a helper who is not on her team (0 %). Mo: no visit at all.
    let lis = named_client(app, admin, h.branch, "Lis", "lis@example.dk").await;
    let (eva, eva_token) = named_helper(app, admin, h.branch, "Eva", "eva@example.dk").await;
    let eva_pair = app.assign(admin, lis, eva).await;
    done_visit(app, admin, (lis, eva, &eva_token), 32, 60, 5).await;
    let ended = app
        .call(
            Method::DELETE,
            &format!("/api/v1/assignments/{eva_pair}"),
            Some(admin),
            None,
        )
        .await;
    assert_eq!(ended.status().as_u16(), 204);
    let mo = named_client(app, admin, h.branch, "Mo", "mo@example.dk").await;
    let figure = app
        .get_ok(&format!("/api/v1/branches/{}/continuity", h.branch), admin)
        .await;
    assert_eq!(figure["clients"], 3, "{figure}");
    assert_eq!(figure["completed_minutes"], 330, "{figure}");
    assert_eq!(figure["team_minutes"], 150, "{figure}");
    assert_eq!(figure["without_visits"], 1, "Mo: {figure}");
    assert_eq!(figure["complete_teams"], 1, "Karen only: {figure}");
    let bands: Vec<i64> = figure["distribution"]
        .as_array()
        .expect("bands")
        .iter()
        .map(|b| b["clients"].as_i64().expect("count"))
        .collect();
    // Lis at 0 %, Karen at 55.6 % (the 50-60 band).
    assert_eq!(bands, vec![1, 0, 0, 0, 0, 1, 0, 0, 0, 0], "{figure}");
    let worst: Vec<i64> = figure["worst"]
        .as_array()
        .expect("worst")
        .iter()
        .map(|c| c["client_id"].as_i64().expect("id"))
        .collect();
    assert_eq!(
        worst,
        vec![lis, h.client],
        "Mo has no share to rank: {figure}"
    );

    // The console shows the same, linked to each client's page.
    app.leader_token(admin, h.branch, "lone@example.dk").await;
    let leader = ConsoleUser::signed_in(app, "lone@example.dk", PASSWORD).await;
    let page = leader
        .get(&format!("/console/branches/{}/continuity", h.branch))
        .await;
    assert_eq!(page.status.as_u16(), 200, "{}", page.html);
    page.assert_shows("Kontinuitet");
    assert!(
        page.html.contains(&format!("data-client-id=\"{lis}\"")),
        "{}",
        page.html
    );
    assert!(
        page.html
            .contains(&format!("data-client-id=\"{}\"", h.client)),
        "{}",
        page.html
    );
    assert!(
        !page.html.contains(&format!("data-client-id=\"{mo}\"")),
        "Mo is not ranked"
    );
    let client_page = leader
        .get(&format!(
            "/console/branches/{}/clients/{}",
            h.branch, h.client
        ))
        .await;
    assert!(
        client_page.html.contains("id=\"team-share\">56 % (150/270"),
        "{}",
        client_page.html
    );
    assert!(
        client_page.html.contains("id=\"team-changes\">2<"),
        "{}",
        client_page.html
    );
    // Another branch's leader gets the console's not-found page.
    let odense = app.create_branch(admin, "Odense").await;
    app.leader_token(admin, odense, "olga@example.dk").await;
    let other = ConsoleUser::signed_in(app, "olga@example.dk", PASSWORD).await;
    let refused = other
        .get(&format!("/console/branches/{}/continuity", h.branch))
        .await;
    assert_eq!(refused.status.as_u16(), 404);
}

on_both_backends!(
    a_clients_index_is_exact_on_a_constructed_history,
    only_the_branch_reads_continuity,
    a_branch_shows_its_distribution_and_the_worst_off,
);
