//! The clip-card forecast (issue 16, item 6): the day the hours run out at the booked rate,
//! exact through the API, and its mail two weeks before, to the client and the relatives who
//! pay, once per clip card however often (and however concurrently) the job runs.

use chrono::{Duration, NaiveDate};
use helpmatch::services::mailings::warn_hours_running_out;

use super::*;
use crate::visit_edges::{instant, starts_in_hours};

const KIND: &str = "hours_running_out";

async fn forecast(app: &TestApp, token: &str, client: i64) -> Value {
    app.get_ok(&format!("/api/v1/clients/{client}/hours-forecast"), token)
        .await
}

/// The branch's day of a visit's start `plus` days.
fn local_day(visit: &Value, plus: i64) -> NaiveDate {
    (instant(&visit["starts_at"]) + Duration::days(plus))
        .with_timezone(&chrono_tz::Europe::Copenhagen)
        .date_naive()
}

async fn book(app: &TestApp, s: &Setup, hours: i64, minutes: i32) -> Value {
    let booked: Value = app
        .book(
            &s.admin,
            s.client,
            s.helper,
            &starts_in_hours(hours),
            minutes,
        )
        .await
        .json()
        .await
        .expect("booking");
    assert_eq!(
        booked["visits"].as_array().map(Vec::len),
        Some(1),
        "{booked}"
    );
    booked["visits"][0].clone()
}

fn run_job(app: &TestApp) -> usize {
    let mut conn = DbConnection::open(&app.database.url).expect("database");
    warn_hours_running_out(&mut conn, Utc::now()).expect("job")
}

async fn the_hours_forecast_is_exact_and_its_mail_goes_once_per_card_to_the_payers(
    backend: TestBackend,
) {
    let smtp = SmtpServer::start();
    let app = spawn_with_smtp(backend, &smtp).await;
    let s = setup(&app).await;
    // Nothing booked: no rate, no day.
    let f = forecast(&app, &s.admin, s.client).await;
    assert_eq!(
        (f["available_minutes"].as_i64(), f["runs_out_on"].is_null()),
        (Some(480), true),
        "{f}"
    );
    assert_eq!(run_job(&app), 0);

    // 240 minutes in two days, 210 in nine: 450 in the next 28 days, 30 free. At 450/28 a day
    // the 30 last ceil(1.87) = 2 days after the last booked visit.
    book(&app, &s, 50, 240).await;
    let last = book(&app, &s, 9 * 24 + 2, 210).await;
    let f = forecast(&app, &s.admin, s.client).await;
    assert_eq!(f["available_minutes"], 30, "{f}");
    assert_eq!(f["booked_minutes"], 450, "{f}");
    assert_eq!(f["weekly_rate_minutes"], 450 * 7 / 28, "{f}");
    assert_eq!(f["last_booked_on"], json!(local_day(&last, 0)), "{f}");
    let runs_out = local_day(&last, 2);
    assert_eq!(f["runs_out_on"], json!(runs_out), "{f}");

    // Within two weeks: Karen and Ole (who pays) hear it; Mette (view and book) and Lis (no
    // address) do not. Again: nothing.
    assert_eq!(run_job(&app), 2);
    assert_eq!(run_job(&app), 0, "once per card");
    let mails = delivered(&app, &s.admin, &smtp).await;
    let subject = "Timerne på klippekortet slipper snart op";
    let to_karen = one(&mails, "karen@example.dk", subject);
    let day = helpmatch::email::day(runs_out, "da");
    assert!(to_karen.text.contains(&day), "{}", to_karen.text);
    assert!(to_karen.text.contains("30 min"), "{}", to_karen.text);
    one(&mails, "ole@example.dk", subject);
    assert!(to(&mails, "mette@example.dk", subject).is_empty());

    // A new card moves the day out of reach: no mail. Booked up again, the new card's mail goes.
    app.buy(&s.admin, s.client, "clip_card_8h").await;
    assert_eq!(run_job(&app), 0);
    book(&app, &s, 10 * 24 + 2, 480).await;
    let f = forecast(&app, &s.admin, s.client).await;
    assert_eq!(f["available_minutes"], 30, "{f}");
    assert_eq!(run_job(&app), 2, "a new card, a new mail");
    assert_eq!(run_job(&app), 0);
    assert_eq!(crate::visit_edges::mails(&app, KIND).len(), 4);
}

async fn two_jobs_at_once_send_each_mail_once(backend: TestBackend) {
    let app = spawn_app(backend).await;
    let s = setup(&app).await;
    book(&app, &s, 50, 240).await;
    book(&app, &s, 9 * 24 + 2, 210).await;
    let url = app.database.url.clone();
    let runs: Vec<_> = (0..4)
        .map(|_| {
            let url = url.clone();
            std::thread::spawn(move || {
                let mut conn = DbConnection::open(&url).expect("database");
                warn_hours_running_out(&mut conn, Utc::now()).expect("job")
            })
        })
        .collect();
    let queued: usize = runs.into_iter().map(|r| r.join().expect("thread")).sum();
    assert_eq!(queued, 2, "Karen and Ole, once");
    assert_eq!(crate::visit_edges::mails(&app, KIND).len(), 2);
}

async fn only_those_who_see_the_hours_read_the_forecast(backend: TestBackend) {
    let app = spawn_app(backend).await;
    let s = setup(&app).await;
    let path = format!("/api/v1/clients/{}/hours-forecast", s.client);
    let odense = app.create_branch(&s.admin, "Odense").await;
    let other = app.leader_token(&s.admin, odense, "olga@example.dk").await;
    assert_problem(app.call(Method::GET, &path, Some(&other), None).await, 404).await;
    assert_problem(app.call(Method::GET, &path, None, None).await, 401).await;
    let missing = app
        .call(
            Method::GET,
            "/api/v1/clients/999999/hours-forecast",
            Some(&s.admin),
            None,
        )
        .await;
    assert_problem(missing, 404).await;
    // The client herself reads it.
    let karen = app
        .client_token(&s.admin, s.client, "karen@example.dk")
        .await;
    assert_eq!(
        forecast(&app, &karen, s.client).await["available_minutes"],
        480
    );
    let _ = &s.helper_token;
}

on_both_backends!(
    the_hours_forecast_is_exact_and_its_mail_goes_once_per_card_to_the_payers,
    two_jobs_at_once_send_each_mail_once,
    only_those_who_see_the_hours_read_the_forecast,
);
