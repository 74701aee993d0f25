//! The branch leader's morning digest (issue 16, item 3): exact through the API, mailed from
//! 08:00 branch time to each active leader, once per branch and day however many jobs run at
//! once, delivered over SMTP.

use chrono::{Duration, NaiveDate, NaiveDateTime, TimeZone};
use chrono_tz::Europe::Copenhagen;
use diesel::prelude::*;
use helpmatch::config::DigestSettings;
use helpmatch::db::schema::{helpers, job_runs};
use helpmatch::services::mailings::send_digests;

use super::*;
use crate::support::fixtures::{PASSWORD, application};
use crate::visit_edges::{act, named_client, named_helper, starts_in_hours};

const SETTINGS: DigestSettings = DigestSettings {
    hour: 8,
    application_wait_days: 7,
};

/// The UTC instant of `hour:minute` Copenhagen time, `days` after today there.
fn local(days: i64, hour: u32, minute: u32) -> DateTime<Utc> {
    let today = Utc::now().with_timezone(&Copenhagen).date_naive();
    let at: NaiveDateTime = (today + Duration::days(days))
        .and_hms_opt(hour, minute, 0)
        .expect("time");
    Copenhagen
        .from_local_datetime(&at)
        .earliest()
        .expect("a local time")
        .with_timezone(&Utc)
}

fn run(app: &TestApp, now: DateTime<Utc>) -> usize {
    let mut conn = DbConnection::open(&app.database.url).expect("database");
    send_digests(&mut conn, &SETTINGS, now).expect("digest job")
}

struct Branch {
    s: Setup,
    branch: i64,
    lis: i64,
    sara: i64,
    open_visit: i64,
    runs_out_on: NaiveDate,
}

/// Karen (Anna only: short), Lis (Anna and Bo; her hours run out in 11 days), Karen's visit
/// in three days opened by Anna, Cai with weekly times (Anna and Bo have none), Sara applied
/// ten days ago and Tim today; leaders Lone and Lars, and Lene, deactivated.
async fn branch(app: &TestApp) -> Branch {
    let s = setup(app).await;
    let branch = app
        .get_ok(&format!("/api/v1/clients/{}", s.client), &s.admin)
        .await["branch_id"]
        .as_i64()
        .expect("branch");
    for email in ["lone@example.dk", "lars@example.dk"] {
        app.leader_token(&s.admin, branch, email).await;
    }
    let body = json!({"email": "lene@example.dk", "name": "Lene", "role": "branch_leader", "branch_id": branch, "password": PASSWORD});
    let lene = app
        .post_ok("/api/v1/users", Some(&s.admin), body, 201)
        .await["id"]
        .as_i64()
        .expect("id");
    let off = app
        .call(
            Method::PATCH,
            &format!("/api/v1/users/{lene}"),
            Some(&s.admin),
            Some(json!({"active": false})),
        )
        .await;
    assert_eq!(off.status().as_u16(), 200);

    let (bo, _) = named_helper(app, &s.admin, branch, "Bo", "bo@example.dk").await;
    let (cai, _) = named_helper(app, &s.admin, branch, "Cai", "cai@example.dk").await;
    let windows = json!({"windows": [{"weekday": 2, "start": "09:00", "end": "13:00"}], "visits_per_week": 3});
    let put = app
        .call(
            Method::PUT,
            &format!("/api/v1/helpers/{cai}/availability"),
            Some(&s.admin),
            Some(windows),
        )
        .await;
    assert_eq!(put.status().as_u16(), 200);
    let lis = named_client(app, &s.admin, branch, "Lis", "lis@example.dk").await;
    app.assign(&s.admin, lis, s.helper).await;
    app.assign(&s.admin, lis, bo).await;
    app.book_id(&s.admin, lis, bo, &starts_in_hours(50), 240)
        .await;
    let last = app
        .post_ok(
            "/api/v1/visits",
            Some(&s.admin),
            json!({"client_id": lis, "helper_id": bo, "starts_at": starts_in_hours(9 * 24 + 2),
                   "segments": [{"task": "cleaning", "minutes": 210}]}),
            201,
        )
        .await;
    let runs_out_on = (crate::visit_edges::instant(&last["visits"][0]["starts_at"])
        + Duration::days(2))
    .with_timezone(&Copenhagen)
    .date_naive();
    let open_visit = app
        .book_id(&s.admin, s.client, s.helper, &starts_in_hours(72), 60)
        .await;
    let opened = act(
        app,
        &s.helper_token,
        open_visit,
        "open",
        json!({"reason": "exam"}),
    )
    .await;
    assert_eq!(opened.status().as_u16(), 200);

    let mut sara = application(branch, "sara@example.dk");
    sara["name"] = json!("Sara");
    let sara = app.post_ok("/api/v1/applications", None, sara, 201).await["helper_id"]
        .as_i64()
        .expect("id");
    let mut conn = DbConnection::open(&app.database.url).expect("database");
    diesel::update(helpers::table.find(sara))
        .set(helpers::status_changed_at.eq(Utc::now().naive_utc() - Duration::days(10)))
        .execute(&mut conn)
        .expect("backdated");
    let mut tim = application(branch, "tim@example.dk");
    tim["name"] = json!("Tim");
    app.post_ok("/api/v1/applications", None, tim, 201).await;
    Branch {
        s,
        branch,
        lis,
        sara,
        open_visit,
        runs_out_on,
    }
}

fn ids(list: &Value, key: &str) -> Vec<i64> {
    list.as_array()
        .expect("list")
        .iter()
        .map(|v| v[key].as_i64().expect("id"))
        .collect()
}

async fn the_digest_names_exactly_what_waits_for_the_branch(backend: TestBackend) {
    let app = spawn_app(backend).await;
    let b = branch(&app).await;
    let lone = app.token_for("lone@example.dk", PASSWORD).await;
    let d = app
        .get_ok(&format!("/api/v1/branches/{}/digest", b.branch), &lone)
        .await;
    assert_eq!(
        ids(&d["short_of_helpers"], "client_id"),
        vec![b.s.client],
        "{d}"
    );
    assert_eq!(d["short_of_helpers"][0]["team"], 1);
    assert_eq!(d["short_of_helpers"][0]["complete_at"], 2);
    assert_eq!(
        ids(&d["visits_without_helper"], "visit_id"),
        vec![b.open_visit],
        "{d}"
    );
    assert_eq!(d["visits_without_helper"][0]["cover"], "open");
    assert_eq!(
        d["visits_without_helper"][0]["attention"],
        "helper_declined"
    );
    assert_eq!(
        ids(&d["hours_running_out"], "client_id"),
        vec![b.lis],
        "{d}"
    );
    assert_eq!(
        d["hours_running_out"][0]["runs_out_on"],
        json!(b.runs_out_on)
    );
    assert_eq!(d["hours_running_out"][0]["available_minutes"], 30);
    let names: Vec<&str> = d["helpers_without_availability"]
        .as_array()
        .expect("helpers")
        .iter()
        .map(|h| h["name"].as_str().expect("name"))
        .collect();
    assert_eq!(names, vec!["Anna Jensen", "Bo"], "Cai declared times: {d}");
    assert_eq!(
        ids(&d["waiting_applications"], "helper_id"),
        vec![b.sara],
        "Tim applied today: {d}"
    );
    assert_eq!(d["waiting_applications"][0]["status"], "applied");
    assert_eq!(d["waiting_applications"][0]["days"], 10);

    // Only the branch: another branch's leader and a helper get 404, no token 401.
    let odense = app.create_branch(&b.s.admin, "Odense").await;
    let olga = app
        .leader_token(&b.s.admin, odense, "olga@example.dk")
        .await;
    let path = format!("/api/v1/branches/{}/digest", b.branch);
    assert_problem(app.call(Method::GET, &path, Some(&olga), None).await, 404).await;
    assert_problem(
        app.call(Method::GET, &path, Some(&b.s.helper_token), None)
            .await,
        404,
    )
    .await;
    assert_problem(app.call(Method::GET, &path, None, None).await, 401).await;
}

async fn the_digest_goes_from_eight_once_a_day_to_each_active_leader(backend: TestBackend) {
    let smtp = SmtpServer::start();
    let app = spawn_with_smtp(backend, &smtp).await;
    let b = branch(&app).await;
    assert_eq!(
        run(&app, local(1, 7, 59)),
        0,
        "not before 08:00 branch time"
    );
    assert_eq!(
        run(&app, local(1, 8, 0)),
        2,
        "Lone and Lars; Lene is deactivated"
    );
    assert_eq!(run(&app, local(1, 12, 0)), 0, "once a day");
    assert_eq!(run(&app, local(1, 23, 59)), 0);
    let mails = delivered(&app, &b.s.admin, &smtp).await;
    let subject = "Dagens overblik for Aarhus";
    let to_lone = one(&mails, "lone@example.dk", subject);
    one(&mails, "lars@example.dk", subject);
    assert!(to(&mails, "lene@example.dk", subject).is_empty());
    for name in ["Karen", "Lis", "Bo", "Sara"] {
        assert!(to_lone.text.contains(name), "{name}: {}", to_lone.text);
    }
    assert!(!to_lone.text.contains("Tim"), "{}", to_lone.text);
    let day = helpmatch::email::day(b.runs_out_on, "da");
    assert!(to_lone.text.contains(&day), "{}", to_lone.text);
    assert!(
        to_lone
            .text
            .contains(&format!("/console/branches/{}/board", b.branch))
    );
    // The next morning, a new digest.
    assert_eq!(run(&app, local(2, 8, 5)), 2);
}

async fn jobs_racing_on_one_morning_send_one_digest_per_leader(backend: TestBackend) {
    let app = spawn_app(backend).await;
    branch(&app).await;
    let url = app.database.url.clone();
    let now = local(1, 8, 30);
    let runs: Vec<_> = (0..4)
        .map(|_| {
            let url = url.clone();
            std::thread::spawn(move || {
                let mut conn = DbConnection::open(&url).expect("database");
                send_digests(&mut conn, &SETTINGS, now).expect("job")
            })
        })
        .collect();
    let queued: usize = runs.into_iter().map(|r| r.join().expect("thread")).sum();
    assert_eq!(queued, 2, "one per leader, whichever job claimed the day");
    assert_eq!(crate::visit_edges::mails(&app, "branch_digest").len(), 2);
    // One claim: the digest was computed once, not once per job.
    let mut conn = DbConnection::open(&url).expect("database");
    let claims: i64 = job_runs::table
        .filter(job_runs::job.eq("branch_digest"))
        .count()
        .get_result(&mut conn)
        .expect("claims");
    assert_eq!(claims, 1);
}

on_both_backends!(
    the_digest_names_exactly_what_waits_for_the_branch,
    the_digest_goes_from_eight_once_a_day_to_each_active_leader,
    jobs_racing_on_one_morning_send_one_digest_per_leader,
);
