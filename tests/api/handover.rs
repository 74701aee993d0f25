//! A student leaving (issue 16, item 4): the announced leave date opens the visits from it on,
//! the matcher proposes successors with the helper counted out, one joint handover visit has
//! both helpers (the hours charged once, both paid), and the pairs end by themselves on the
//! leave date. Refusals from the side, and a race for the successor's time.

use chrono::{DateTime, Duration, NaiveDate, TimeZone, Utc};
use chrono_tz::Europe::Copenhagen;
use reqwest::Method;
use serde_json::{Value, json};

use helpmatch::db::DbConnection;
use helpmatch::services::helpers::leaving::end_departed;

use crate::on_both_backends;
use crate::support::{TestApp, TestBackend, assert_problem, spawn_app};
use crate::visit_edges::{named_client, named_helper, starts_in_hours, team, visit};

fn local_day(at: DateTime<Utc>) -> NaiveDate {
    at.with_timezone(&Copenhagen).date_naive()
}

async fn leave(app: &TestApp, token: &str, helper: i64, day: NaiveDate) -> reqwest::Response {
    app.call(
        Method::PUT,
        &format!("/api/v1/helpers/{helper}/leaving"),
        Some(token),
        Some(json!({"leaves_on": day})),
    )
    .await
}

async fn joint(
    app: &TestApp,
    token: &str,
    client: i64,
    helper: i64,
    second: i64,
    hours: i64,
) -> reqwest::Response {
    app.call(
        Method::POST,
        "/api/v1/visits",
        Some(token),
        Some(json!({"client_id": client, "helper_id": helper, "joint_helper_id": second,
                    "starts_at": starts_in_hours(hours), "segments": [{"task": "it", "minutes": 60}]})),
    )
    .await
}

/// 00:30 branch time on `day`.
fn early_on(day: NaiveDate) -> DateTime<Utc> {
    Copenhagen
        .from_local_datetime(&day.and_hms_opt(0, 30, 0).expect("time"))
        .earliest()
        .expect("local")
        .with_timezone(&Utc)
}

async fn a_leaving_student_hands_over_with_a_joint_visit(backend: TestBackend) {
    let app = spawn_app(backend).await;
    let t = team(&app).await;
    let (bo, bo_token) = named_helper(&app, &t.admin, t.branch, "Bo", "bo@example.dk").await;
    let soon = app
        .book_id(&t.admin, t.client, t.helper, &starts_in_hours(48), 60)
        .await;
    let later = app
        .book_id(&t.admin, t.client, t.helper, &starts_in_hours(10 * 24), 60)
        .await;
    let leave_date = local_day(Utc::now()) + Duration::days(5);

    // Anna announces her leave date herself: the visit after it opens now, the one before stays.
    let announced = leave(&app, &t.helper_token, t.helper, leave_date).await;
    assert_eq!(announced.status().as_u16(), 200);
    let announced: Value = announced.json().await.expect("helper");
    assert_eq!(announced["leaves_on"], json!(leave_date));
    let v = visit(&app, &t.admin, later).await;
    assert_eq!(
        (v["cover"].as_str(), v["attention"].as_str()),
        (Some("open"), Some("helper_unavailable")),
        "{v}"
    );
    assert_eq!(visit(&app, &t.admin, soon).await["cover"], "covered");
    // Nobody books her after it.
    let after = app
        .book(&t.admin, t.client, t.helper, &starts_in_hours(12 * 24), 60)
        .await;
    assert_problem(after, 409).await;

    // The matcher, with Anna counted out, proposes Bo for Karen.
    let handover = app
        .get_ok(&format!("/api/v1/helpers/{}/handover", t.helper), &t.admin)
        .await;
    assert_eq!(handover["leaves_on"], json!(leave_date));
    let clients = handover["clients"].as_array().expect("clients");
    assert_eq!(clients.len(), 1, "{handover}");
    assert_eq!(clients[0]["client_id"], t.client);
    let proposed: Vec<i64> = clients[0]["successors"]
        .as_array()
        .expect("successors")
        .iter()
        .map(|s| s["helper_id"].as_i64().expect("id"))
        .collect();
    assert_eq!(proposed, vec![bo], "{handover}");

    // The branch pairs Bo and books one joint visit: charged once.
    app.assign(&t.admin, t.client, bo).await;
    let before = app.balance(&t.admin, t.client).await["reserved_minutes"]
        .as_i64()
        .expect("reserved");
    let booked = joint(&app, &t.admin, t.client, t.helper, bo, 72).await;
    assert_eq!(booked.status().as_u16(), 201);
    let booked: Value = booked.json().await.expect("booking");
    let jv = booked["visits"][0]["id"].as_i64().expect("id");
    assert_eq!(booked["visits"][0]["joint_helper_id"], bo);
    let reserved = app.balance(&t.admin, t.client).await["reserved_minutes"]
        .as_i64()
        .expect("reserved");
    assert_eq!(reserved - before, 60, "the hours are charged once");
    // Bo sees it in his week and may read it; he is busy then.
    let bos: Value = app.get_ok("/api/v1/me/visits", &bo_token).await;
    assert!(
        bos["items"]
            .as_array()
            .expect("items")
            .iter()
            .any(|v| v["id"] == jv),
        "{bos}"
    );
    app.get_ok(&format!("/api/v1/visits/{jv}"), &bo_token).await;
    let lis = named_client(&app, &t.admin, t.branch, "Lis", "lis@example.dk").await;
    app.assign(&t.admin, lis, bo).await;
    let clash = app
        .call(
            Method::POST,
            "/api/v1/visits",
            Some(&t.admin),
            Some(
                json!({"client_id": lis, "helper_id": bo, "starts_at": starts_in_hours(72),
                          "segments": [{"task": "it", "minutes": 60}]}),
            ),
        )
        .await;
    assert_problem(clash, 409).await;

    // Anna checks in and out; both are paid the visit's minutes.
    app.complete_visit(&t.helper_token, jv).await;
    let month = Utc::now()
        .with_timezone(&Copenhagen)
        .format("%Y-%m")
        .to_string();
    let hours = app
        .get_ok(
            &format!("/api/v1/reports/hours?branch={}&month={month}", t.branch),
            &t.admin,
        )
        .await;
    let paid = |helper: i64| {
        hours["helpers"]
            .as_array()
            .expect("helpers")
            .iter()
            .find(|h| h["helper_id"] == helper)
            .map(|h| h["minutes"].as_i64().expect("minutes"))
    };
    assert_eq!((paid(t.helper), paid(bo)), (Some(60), Some(60)), "{hours}");
    let used = app.balance(&t.admin, t.client).await["used_minutes"]
        .as_i64()
        .expect("used");
    assert_eq!(used, 60, "one visit's minutes used");

    // The pairs end by themselves on the leave date, once.
    let mut conn = DbConnection::open(&app.database.url).expect("database");
    let evening_before = early_on(leave_date - Duration::days(1)) + Duration::hours(23);
    assert_eq!(
        end_departed(&mut conn, evening_before).expect("job"),
        0,
        "not the evening before"
    );
    assert_eq!(
        end_departed(&mut conn, early_on(leave_date)).expect("job"),
        1
    );
    assert_eq!(
        end_departed(&mut conn, early_on(leave_date + Duration::days(1))).expect("job"),
        0
    );
    let team_now = app
        .get_ok(&format!("/api/v1/clients/{}/helpers", t.client), &t.admin)
        .await;
    let ids: Vec<i64> = team_now
        .as_array()
        .expect("team")
        .iter()
        .map(|h| h["helper_id"].as_i64().expect("id"))
        .collect();
    assert_eq!(ids, vec![bo], "{team_now}");
}

async fn leaving_and_joint_visits_refused_from_the_side(backend: TestBackend) {
    let app = spawn_app(backend).await;
    let t = team(&app).await;
    let (bo, bo_token) = named_helper(&app, &t.admin, t.branch, "Bo", "bo@example.dk").await;
    let today = local_day(Utc::now());
    let path = format!("/api/v1/helpers/{}/leaving", t.helper);
    for day in [
        today,
        today - Duration::days(3),
        today + Duration::days(800),
    ] {
        let problem = assert_problem(leave(&app, &t.admin, t.helper, day).await, 422).await;
        assert!(problem.to_string().contains("leaves_on"), "{problem}");
    }
    // Bo cannot announce Anna's day; another branch's leader cannot either; nor the client.
    assert_problem(
        leave(&app, &bo_token, t.helper, today + Duration::days(9)).await,
        404,
    )
    .await;
    let odense = app.create_branch(&t.admin, "Odense").await;
    let olga = app.leader_token(&t.admin, odense, "olga@example.dk").await;
    assert_problem(
        leave(&app, &olga, t.helper, today + Duration::days(9)).await,
        404,
    )
    .await;
    let karen = app
        .client_token(&t.admin, t.client, "karen@example.dk")
        .await;
    assert_problem(
        leave(&app, &karen, t.helper, today + Duration::days(9)).await,
        404,
    )
    .await;
    // An applicant has no leave date to announce.
    let applicant = app.apply(t.branch, "sara@example.dk").await["helper_id"]
        .as_i64()
        .expect("id");
    assert_problem(
        leave(&app, &t.admin, applicant, today + Duration::days(9)).await,
        409,
    )
    .await;
    // No day announced: no handover, nothing to withdraw; the helper does not read handovers.
    let handover = format!("/api/v1/helpers/{}/handover", t.helper);
    assert_problem(
        app.call(Method::GET, &handover, Some(&t.admin), None).await,
        409,
    )
    .await;
    assert_problem(
        app.call(Method::DELETE, &path, Some(&t.admin), None).await,
        404,
    )
    .await;
    assert_eq!(
        leave(&app, &t.helper_token, t.helper, today + Duration::days(9))
            .await
            .status()
            .as_u16(),
        200
    );
    assert_problem(
        app.call(Method::GET, &handover, Some(&t.helper_token), None)
            .await,
        403,
    )
    .await;

    // Joint visits: not with the helper twice, not with someone off the team, not weekly, not
    // booked by the client.
    let same = assert_problem(
        joint(&app, &t.admin, t.client, t.helper, t.helper, 48).await,
        422,
    )
    .await;
    assert!(same.to_string().contains("joint_helper_id"), "{same}");
    let off_team =
        assert_problem(joint(&app, &t.admin, t.client, t.helper, bo, 48).await, 422).await;
    assert!(
        off_team.to_string().contains("joint_helper_id"),
        "{off_team}"
    );
    app.assign(&t.admin, t.client, bo).await;
    let weekly = app
        .call(Method::POST, "/api/v1/visits", Some(&t.admin),
              Some(json!({"client_id": t.client, "helper_id": t.helper, "joint_helper_id": bo, "repeat_weeks": 2,
                          "starts_at": starts_in_hours(48), "segments": [{"task": "it", "minutes": 60}]})))
        .await;
    assert_problem(weekly, 422).await;
    assert_problem(joint(&app, &karen, t.client, t.helper, bo, 48).await, 403).await;
    let balance = app.balance(&t.admin, t.client).await;
    assert_eq!(
        balance["reserved_minutes"], 0,
        "nothing was booked: {balance}"
    );

    // Withdrawn, the visits after the day are covered again.
    let later = app
        .book_id(&t.admin, t.client, t.helper, &starts_in_hours(8 * 24), 60)
        .await;
    assert_eq!(
        leave(&app, &t.admin, t.helper, today + Duration::days(3))
            .await
            .status()
            .as_u16(),
        200
    );
    assert_eq!(visit(&app, &t.admin, later).await["cover"], "open");
    let withdrawn = app
        .call(Method::DELETE, &path, Some(&t.helper_token), None)
        .await;
    assert_eq!(withdrawn.status().as_u16(), 200);
    assert_eq!(visit(&app, &t.admin, later).await["cover"], "covered");
}

async fn a_joint_visit_and_a_booking_racing_for_the_successor_book_one(backend: TestBackend) {
    let app = crate::support::spawn_app_with(backend, |s| {
        s.database.max_connections = 8;
        s.server.workers = 4;
    })
    .await;
    let t = team(&app).await;
    let (bo, _) = named_helper(&app, &t.admin, t.branch, "Bo", "bo@example.dk").await;
    app.assign(&t.admin, t.client, bo).await;
    let lis = named_client(&app, &t.admin, t.branch, "Lis", "lis@example.dk").await;
    app.assign(&t.admin, lis, bo).await;
    let at = starts_in_hours(96);
    let joint_body = json!({"client_id": t.client, "helper_id": t.helper, "joint_helper_id": bo,
                            "starts_at": at, "segments": [{"task": "it", "minutes": 60}]});
    let plain_body = json!({"client_id": lis, "helper_id": bo, "starts_at": at,
                            "segments": [{"task": "it", "minutes": 60}]});
    let (a, b) = tokio::join!(
        app.call(
            Method::POST,
            "/api/v1/visits",
            Some(&t.admin),
            Some(joint_body)
        ),
        app.call(
            Method::POST,
            "/api/v1/visits",
            Some(&t.admin),
            Some(plain_body)
        ),
    );
    let mut statuses = vec![a.status().as_u16(), b.status().as_u16()];
    statuses.sort();
    assert_eq!(statuses, vec![201, 409], "Bo is booked once");
}

on_both_backends!(
    a_leaving_student_hands_over_with_a_joint_visit,
    leaving_and_joint_visits_refused_from_the_side,
    a_joint_visit_and_a_booking_racing_for_the_successor_book_one,
);
