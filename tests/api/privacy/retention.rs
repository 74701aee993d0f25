//! The retention jobs (issue 17, item 2): rejected and withdrawn applicants erased after
//! `retention.applicants_months`, mail bodies purged after `retention.mail_days` (never a mail
//! still owed), audit entries deleted after `retention.audit_months`; each job once a day
//! across instances. The jobs run here at chosen instants instead of waiting months.

use chrono::{Months, NaiveDateTime, Utc};
use diesel::prelude::*;
use reqwest::Method;
use serde_json::json;

use helpmatch::config::RetentionSettings;
use helpmatch::db::DbConnection;
use helpmatch::db::schema::{audit_events, outbox};
use helpmatch::services::privacy::retention::{self, Retained};

use crate::on_both_backends;
use crate::support::{TestApp, TestBackend, spawn_app, spawn_app_with};

const KEPT: RetentionSettings = RetentionSettings {
    applicants_months: 6,
    mail_days: 90,
    audit_months: 24,
};

fn months_ahead(months: u32) -> NaiveDateTime {
    Utc::now().naive_utc() + Months::new(months)
}

fn run(app: &TestApp, at: NaiveDateTime) -> Retained {
    let mut conn = DbConnection::open(&app.database.url).expect("database");
    retention::run(&mut conn, &KEPT, at).expect("retention jobs")
}

async fn moved(app: &TestApp, admin: &str, helper: i64, to: &str) {
    let response = app.transition(admin, helper, json!({"to": to})).await;
    assert_eq!(response.status().as_u16(), 200, "{to}");
}

async fn applicant(app: &TestApp, branch: i64, email: &str) -> i64 {
    app.apply(branch, email).await["helper_id"]
        .as_i64()
        .expect("helper id")
}

async fn name_of(app: &TestApp, admin: &str, helper: i64) -> Option<String> {
    let response = app
        .call(
            Method::GET,
            &format!("/api/v1/helpers/{helper}"),
            Some(admin),
            None,
        )
        .await;
    match response.status().as_u16() {
        200 => Some(
            response.json::<serde_json::Value>().await.expect("json")["name"]
                .as_str()
                .expect("name")
                .to_string(),
        ),
        404 => None,
        other => panic!("GET helper answered {other}"),
    }
}

async fn rejected_and_withdrawn_applicants_are_erased_after_six_months_once_a_day(
    backend: TestBackend,
) {
    let app = spawn_app(backend).await;
    let admin = app.admin_token().await;
    let branch = app.create_branch(&admin, "Aarhus").await;
    let rejected = applicant(&app, branch, "rita@example.dk").await;
    moved(&app, &admin, rejected, "rejected").await;
    let withdrew = applicant(&app, branch, "walter@example.dk").await;
    moved(&app, &admin, withdrew, "screened").await;
    moved(&app, &admin, withdrew, "left").await;
    // Worked for the branch, then left: kept for payroll, erased on request only.
    let (worked, _) = app.activate_helper(&admin, branch, "anna@example.dk").await;
    moved(&app, &admin, worked, "left").await;
    let waiting = applicant(&app, branch, "olga@example.dk").await;

    let early = run(&app, months_ahead(5));
    assert_eq!(early.applicants_erased, Some(0), "five months are not six");
    // Mid-morning, so that five minutes later is the same day.
    let day = months_ahead(7).date().and_hms_opt(10, 0, 0).expect("time");
    let due = run(&app, day);
    assert_eq!(due.applicants_erased, Some(2));
    for erased in [rejected, withdrew] {
        let name = name_of(&app, &admin, erased).await;
        assert!(
            name.is_none() || name.as_deref() == Some("(deleted)"),
            "{name:?}"
        );
    }
    let mut conn = DbConnection::open(&app.database.url).expect("database");
    let to_rita: i64 = outbox::table
        .filter(outbox::recipient.eq("rita@example.dk"))
        .count()
        .get_result(&mut conn)
        .expect("count");
    assert_eq!(to_rita, 0, "the mails to her are forgotten");
    assert_eq!(
        name_of(&app, &admin, worked).await.as_deref(),
        Some("Anna Jensen")
    );
    assert!(name_of(&app, &admin, waiting).await.is_some());
    // The erasures are in the audit log, done by nobody (the job).
    let by_job: i64 = audit_events::table
        .filter(audit_events::action.eq("delete"))
        .filter(audit_events::entity.eq("helper"))
        .filter(audit_events::actor_user_id.is_null())
        .count()
        .get_result(&mut conn)
        .expect("count");
    assert_eq!(by_job, 2);

    // The same day again does nothing, on any instance.
    assert_eq!(
        run(&app, day + chrono::Duration::minutes(5)),
        Retained::default()
    );
}

/// Instances racing for the same day: each job runs on exactly one of them.
async fn racing_instances_run_each_job_once(backend: TestBackend) {
    let app = spawn_app(backend).await;
    let admin = app.admin_token().await;
    let branch = app.create_branch(&admin, "Aarhus").await;
    for i in 0..3 {
        let id = applicant(&app, branch, &format!("a{i}@example.dk")).await;
        moved(&app, &admin, id, "rejected").await;
    }
    let day = months_ahead(8);
    let url = app.database.url.clone();
    let runs: Vec<Retained> = std::thread::scope(|scope| {
        let handles: Vec<_> = (0..4)
            .map(|_| {
                let url = url.clone();
                scope.spawn(move || {
                    let mut conn = DbConnection::open(&url).expect("database");
                    retention::run(&mut conn, &KEPT, day).expect("job")
                })
            })
            .collect();
        handles
            .into_iter()
            .map(|h| h.join().expect("thread"))
            .collect()
    });
    let erasing: Vec<_> = runs.iter().filter_map(|r| r.applicants_erased).collect();
    assert_eq!(erasing, vec![3], "{runs:?}");
    assert_eq!(runs.iter().filter(|r| r.mails_purged.is_some()).count(), 1);
    assert_eq!(runs.iter().filter(|r| r.audit_deleted.is_some()).count(), 1);
}

fn bodies(app: &TestApp) -> Vec<(String, String, String)> {
    let mut conn = DbConnection::open(&app.database.url).expect("database");
    outbox::table
        .order(outbox::id)
        .select((outbox::status, outbox::subject, outbox::text_body))
        .load(&mut conn)
        .expect("outbox")
}

async fn wait_until_none_pending(app: &TestApp) {
    for _ in 0..400 {
        if bodies(app)
            .iter()
            .all(|(status, _, _)| status == "sent" || status == "failed")
        {
            return;
        }
        tokio::time::sleep(std::time::Duration::from_millis(25)).await;
    }
    panic!("mails still pending: {:?}", bodies(app));
}

async fn sent_mails_lose_their_bodies_after_ninety_days_and_owed_ones_never(backend: TestBackend) {
    let folder = tempfile::tempdir().expect("folder");
    let dir = folder.path().join("outbox");
    let app = spawn_app_with(backend, move |s| {
        s.email.worker = true;
        s.email.file_dir = dir;
    })
    .await;
    let admin = app.admin_token().await;
    let branch = app.create_branch(&admin, "Aarhus").await;
    app.apply(branch, "anna@example.dk").await;
    wait_until_none_pending(&app).await;

    let soon = run(&app, Utc::now().naive_utc() + chrono::Duration::days(89));
    assert_eq!(soon.mails_purged, Some(0));
    assert!(bodies(&app).iter().all(|(_, _, text)| !text.is_empty()));
    let later = run(&app, Utc::now().naive_utc() + chrono::Duration::days(91));
    let sent = bodies(&app);
    assert_eq!(later.mails_purged, Some(sent.len()));
    for (status, subject, text) in &sent {
        assert_eq!(status, "sent");
        assert!(text.is_empty(), "body purged");
        assert!(!subject.is_empty(), "what it was about stays");
    }
    // The outbox still lists them for the admins.
    let listed = app.get_ok("/api/v1/outbox?limit=200", &admin).await;
    assert_eq!(listed["items"].as_array().expect("items").len(), sent.len());
}

async fn a_mail_still_owed_keeps_its_body_and_a_purged_failure_cannot_be_resent(
    backend: TestBackend,
) {
    // No worker: the mails wait, pending, however old they are.
    let app = spawn_app(backend.clone()).await;
    let admin = app.admin_token().await;
    let branch = app.create_branch(&admin, "Aarhus").await;
    app.apply(branch, "anna@example.dk").await;
    let far = Utc::now().naive_utc() + chrono::Duration::days(400);
    assert_eq!(run(&app, far).mails_purged, Some(0));
    assert!(
        bodies(&app)
            .iter()
            .all(|(status, _, text)| status == "pending" && !text.is_empty())
    );

    // A worker that cannot write its folder gives up at once: the mail fails.
    let blocked = spawn_app_with(backend, |s| {
        s.email.worker = true;
        s.email.file_dir = "/dev/null/outbox".into();
        s.email.give_up_after_secs = 0;
    })
    .await;
    let admin = blocked.admin_token().await;
    let branch = blocked.create_branch(&admin, "Aarhus").await;
    blocked.apply(branch, "anna@example.dk").await;
    wait_until_none_pending(&blocked).await;
    let failed = blocked.get_ok("/api/v1/outbox?status=failed", &admin).await["items"][0]["id"]
        .as_i64()
        .expect("a failed mail");
    run(&blocked, far);
    let resend = blocked
        .call(
            Method::POST,
            &format!("/api/v1/outbox/{failed}/resend"),
            Some(&admin),
            None,
        )
        .await;
    let problem = crate::support::assert_problem(resend, 409).await;
    assert!(
        problem["detail"]
            .as_str()
            .expect("detail")
            .contains("purged"),
        "{problem}"
    );
}

fn audit_count(app: &TestApp) -> i64 {
    let mut conn = DbConnection::open(&app.database.url).expect("database");
    audit_events::table
        .count()
        .get_result(&mut conn)
        .expect("count")
}

async fn audit_entries_go_after_their_period_and_not_before(backend: TestBackend) {
    let app = spawn_app(backend).await;
    let admin = app.admin_token().await;
    let branch = app.create_branch(&admin, "Aarhus").await;
    app.apply(branch, "anna@example.dk").await;
    let before = audit_count(&app);
    assert!(before >= 1);
    assert_eq!(run(&app, months_ahead(23)).audit_deleted, Some(0));
    assert_eq!(audit_count(&app), before);
    assert_eq!(
        run(&app, months_ahead(25)).audit_deleted,
        Some(before as usize)
    );
    assert_eq!(audit_count(&app), 0);
}

on_both_backends!(
    rejected_and_withdrawn_applicants_are_erased_after_six_months_once_a_day,
    racing_instances_run_each_job_once,
    sent_mails_lose_their_bodies_after_ninety_days_and_owed_ones_never,
    a_mail_still_owed_keeps_its_body_and_a_purged_failure_cannot_be_resent,
    audit_entries_go_after_their_period_and_not_before,
);
