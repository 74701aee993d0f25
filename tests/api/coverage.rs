//! Term calendars and the coverage forecast (issue 16, item 5): a branch records its
//! institutions' exam and holiday periods; a helper who names the institution is unavailable
//! on their days unless they opt out; the forecast counts, for 8 weeks, how many of each
//! client's team can come at the client's usual times and flags the weeks with nobody.

use chrono::{DateTime, Datelike, Duration, NaiveDate, Timelike, Utc};
use chrono_tz::Europe::Copenhagen;
use reqwest::Method;
use serde_json::{Value, json};

use crate::on_both_backends;
use crate::support::browser::Driver;
use crate::support::console::ConsoleUser;
use crate::support::fixtures::PASSWORD;
use crate::support::{TestApp, TestBackend, assert_problem, spawn_app};
use crate::visit_edges::{instant, named_helper, starts_in_hours, team, visit};

const UNI: &str = "Aarhus Universitet";

fn local_day(at: DateTime<Utc>) -> NaiveDate {
    at.with_timezone(&Copenhagen).date_naive()
}

fn monday_of(day: NaiveDate) -> NaiveDate {
    day - Duration::days(i64::from(day.weekday().num_days_from_monday()))
}

async fn patch_helper(app: &TestApp, token: &str, helper: i64, body: Value) -> Value {
    let r = app
        .call(
            Method::PATCH,
            &format!("/api/v1/helpers/{helper}"),
            Some(token),
            Some(body),
        )
        .await;
    assert_eq!(r.status().as_u16(), 200);
    r.json().await.expect("helper")
}

async fn add_period(app: &TestApp, token: &str, branch: i64, body: Value) -> reqwest::Response {
    app.call(
        Method::POST,
        &format!("/api/v1/branches/{branch}/term-periods"),
        Some(token),
        Some(body),
    )
    .await
}

fn period(institution: &str, from: NaiveDate, to: NaiveDate) -> Value {
    json!({"institution": institution, "name": "Winter exams", "starts_on": from, "ends_on": to})
}

async fn a_term_period_makes_its_students_unavailable_unless_they_opt_out(backend: TestBackend) {
    let app = spawn_app(backend).await;
    let t = team(&app).await;
    let booked = app
        .book_id(&t.admin, t.client, t.helper, &starts_in_hours(72), 60)
        .await;
    let shown = visit(&app, &t.admin, booked).await;
    let day = local_day(instant(&shown["starts_at"]));

    // Recorded before Anna names her institution: nobody is affected yet.
    let created = add_period(&app, &t.admin, t.branch, period(UNI, day, day)).await;
    assert_eq!(created.status().as_u16(), 201);
    let created: Value = created.json().await.expect("period");
    assert_eq!(created["helpers"], 0);
    assert_eq!(visit(&app, &t.admin, booked).await["cover"], "covered");

    // Anna names it herself, in another case: the visit on its day opens.
    let anna = patch_helper(
        &app,
        &t.helper_token,
        t.helper,
        json!({"institution": "aarhus universitet"}),
    )
    .await;
    assert_eq!(anna["institution"], "aarhus universitet");
    let v = visit(&app, &t.admin, booked).await;
    assert_eq!(
        (v["cover"].as_str(), v["attention"].as_str()),
        (Some("open"), Some("helper_unavailable")),
        "{v}"
    );
    let list = app
        .get_ok(
            &format!("/api/v1/branches/{}/term-periods", t.branch),
            &t.admin,
        )
        .await;
    assert_eq!(list[0]["helpers"], 1, "{list}");
    // Booking her on that day is refused; her availability shows the period.
    let hour = instant(&shown["starts_at"])
        .with_timezone(&Copenhagen)
        .hour();
    let other = day
        .and_hms_opt(if hour >= 12 { 7 } else { 16 }, 0, 0)
        .and_then(|at| at.and_local_timezone(Copenhagen).earliest())
        .expect("a local time")
        .to_rfc3339();
    let again = app.book(&t.admin, t.client, t.helper, &other, 60).await;
    let refused = assert_problem(again, 409).await;
    assert!(refused.to_string().contains("unavailable"), "{refused}");
    let availability = app
        .get_ok(
            &format!("/api/v1/helpers/{}/availability", t.helper),
            &t.helper_token,
        )
        .await;
    assert_eq!(
        availability["term_periods"][0]["name"], "Winter exams",
        "{availability}"
    );

    // Opting out covers the visit again; opting back in opens it; removing the period covers it.
    patch_helper(
        &app,
        &t.helper_token,
        t.helper,
        json!({"term_opt_out": true}),
    )
    .await;
    assert_eq!(visit(&app, &t.admin, booked).await["cover"], "covered");
    patch_helper(&app, &t.admin, t.helper, json!({"term_opt_out": false})).await;
    assert_eq!(visit(&app, &t.admin, booked).await["cover"], "open");
    let id = created["id"].as_i64().expect("id");
    let removed = app
        .call(
            Method::DELETE,
            &format!("/api/v1/branches/{}/term-periods/{id}", t.branch),
            Some(&t.admin),
            None,
        )
        .await;
    assert_eq!(removed.status().as_u16(), 204);
    assert_eq!(visit(&app, &t.admin, booked).await["cover"], "covered");
    let gone = app
        .call(
            Method::DELETE,
            &format!("/api/v1/branches/{}/term-periods/{id}", t.branch),
            Some(&t.admin),
            None,
        )
        .await;
    assert_problem(gone, 404).await;
}

async fn bad_term_periods_are_refused_and_change_nothing(backend: TestBackend) {
    let app = spawn_app(backend).await;
    let t = team(&app).await;
    let today = local_day(Utc::now());
    let later = today + Duration::days(10);
    for (body, field) in [
        (period(UNI, later, today + Duration::days(9)), "ends_on"),
        (period("  ", today, later), "institution"),
        (
            period(UNI, today - Duration::days(30), today - Duration::days(1)),
            "ends_on",
        ),
        (period(UNI, today, today + Duration::days(400)), "ends_on"),
    ] {
        let problem = assert_problem(add_period(&app, &t.admin, t.branch, body).await, 422).await;
        assert!(problem.to_string().contains(field), "{problem}");
    }
    let not_a_date =
        json!({"institution": UNI, "name": "x", "starts_on": "tomorrow", "ends_on": later});
    let r = add_period(&app, &t.admin, t.branch, not_a_date).await;
    assert!(r.status().is_client_error(), "{}", r.status());
    let ok = add_period(&app, &t.admin, t.branch, period(UNI, today, later)).await;
    assert_eq!(ok.status().as_u16(), 201);
    assert_problem(
        add_period(&app, &t.admin, t.branch, period(UNI, today, later)).await,
        409,
    )
    .await;
    // Not the helper's, nor another branch's, to record.
    assert_problem(
        add_period(&app, &t.helper_token, t.branch, period(UNI, today, later)).await,
        404,
    )
    .await;
    let odense = app.create_branch(&t.admin, "Odense").await;
    let olga = app.leader_token(&t.admin, odense, "olga@example.dk").await;
    assert_problem(
        add_period(&app, &olga, t.branch, period(UNI, today, later)).await,
        404,
    )
    .await;
    let list = app
        .get_ok(
            &format!("/api/v1/branches/{}/term-periods", t.branch),
            &t.admin,
        )
        .await;
    assert_eq!(
        list.as_array().map(Vec::len),
        Some(1),
        "only the one recorded: {list}"
    );
}

async fn the_forecast_flags_the_weeks_a_client_would_have_nobody(backend: TestBackend) {
    let app = spawn_app(backend).await;
    let t = team(&app).await;
    let (bo, bo_token) = named_helper(&app, &t.admin, t.branch, "Bo", "bo@example.dk").await;
    app.assign(&t.admin, t.client, bo).await;
    // Karen's weekly visit, three weeks from next week, with Anna.
    let series = app
        .post_ok(
            "/api/v1/visits",
            Some(&t.admin),
            json!({"client_id": t.client, "helper_id": t.helper, "starts_at": starts_in_hours(8 * 24),
                   "segments": [{"task": "cleaning", "minutes": 60}], "repeat_weeks": 3}),
            201,
        )
        .await;
    let starts: Vec<DateTime<Utc>> = series["visits"]
        .as_array()
        .expect("visits")
        .iter()
        .map(|v| instant(&v["starts_at"]))
        .collect();
    let this_monday = monday_of(local_day(Utc::now()));
    let week_of =
        |at: DateTime<Utc>| ((monday_of(local_day(at)) - this_monday).num_days() / 7) as usize;
    let (first, second) = (week_of(starts[0]), week_of(starts[1]));
    // Bo has an exception over the first; the second's day is in a term period both attend.
    let exception = json!({"starts_at": starts[0] - Duration::hours(1), "ends_at": starts[0] + Duration::hours(3), "reason": "exams"});
    app.post_ok(
        &format!("/api/v1/helpers/{bo}/availability/exceptions"),
        Some(&bo_token),
        exception,
        201,
    )
    .await;
    for helper in [t.helper, bo] {
        patch_helper(&app, &t.admin, helper, json!({"institution": UNI})).await;
    }
    let day = local_day(starts[1]);
    assert_eq!(
        add_period(&app, &t.admin, t.branch, period(UNI, day, day))
            .await
            .status()
            .as_u16(),
        201
    );

    let f = app
        .get_ok(
            &format!("/api/v1/clients/{}/coverage-forecast", t.client),
            &t.admin,
        )
        .await;
    let weeks = f["weeks"].as_array().expect("weeks");
    assert_eq!(weeks.len(), 8);
    assert_eq!(weeks[0], json!(this_monday));
    let c = &f["coverage"];
    assert_eq!(c["team"], 2);
    assert_eq!(c["usual_times"].as_array().map(Vec::len), Some(1), "{c}");
    let available: Vec<Option<i64>> = c["available"]
        .as_array()
        .expect("available")
        .iter()
        .map(Value::as_i64)
        .collect();
    for (week, count) in available.iter().enumerate() {
        let expected = if week == first {
            Some(1)
        } else if week == second {
            Some(0)
        } else if week == 0 && count.is_none() {
            None // this week's usual time has passed
        } else {
            Some(2)
        };
        assert_eq!(*count, expected, "week {week}: {c}");
    }
    assert_eq!(
        c["nobody_weeks"],
        json!([this_monday + Duration::weeks(second as i64)])
    );

    let b = app
        .get_ok(
            &format!("/api/v1/branches/{}/coverage-forecast", t.branch),
            &t.admin,
        )
        .await;
    assert_eq!(b["clients_with_usual_times"], 1, "{b}");
    assert_eq!(b["nobody_weeks"], 1, "{b}");
    assert_eq!(b["fully_covered"], 0, "{b}");
    assert_eq!(b["at_risk"][0]["client_id"], t.client, "{b}");

    // Staff of the branch only.
    let odense = app.create_branch(&t.admin, "Odense").await;
    let olga = app.leader_token(&t.admin, odense, "olga@example.dk").await;
    for path in [
        format!("/api/v1/clients/{}/coverage-forecast", t.client),
        format!("/api/v1/branches/{}/coverage-forecast", t.branch),
    ] {
        assert_problem(app.call(Method::GET, &path, Some(&olga), None).await, 404).await;
        let by_helper = app
            .call(Method::GET, &path, Some(&t.helper_token), None)
            .await;
        assert!([403, 404].contains(&by_helper.status().as_u16()), "{path}");
    }
}

async fn the_console_shows_the_weeks_ahead_in_a_browser(backend: TestBackend) {
    let Some(driver) = Driver::start().await else {
        return;
    };
    let app = spawn_app(backend).await;
    let t = team(&app).await;
    // Anna alone, next week, on a day of her university's exams: nobody that week.
    let booked = app
        .book_id(&t.admin, t.client, t.helper, &starts_in_hours(8 * 24), 60)
        .await;
    let day = local_day(instant(&visit(&app, &t.admin, booked).await["starts_at"]));
    patch_helper(&app, &t.admin, t.helper, json!({"institution": UNI})).await;
    assert_eq!(
        add_period(&app, &t.admin, t.branch, period(UNI, day, day))
            .await
            .status()
            .as_u16(),
        201
    );

    // Over HTTP: the row, its nobody week.
    let admin = ConsoleUser::signed_in(&app, "admin@example.dk", PASSWORD).await;
    let page = admin
        .get(&format!("/console/branches/{}/continuity", t.branch))
        .await;
    assert_eq!(page.status.as_u16(), 200);
    assert!(
        page.html
            .contains(&format!("<tr data-client-id=\"{}\">", t.client)),
        "{}",
        page.html
    );
    assert!(page.html.contains("0 · ingen"), "{}", page.html);

    // In Chromium, signed in through the form.
    let browser = driver.browser("da").await;
    browser
        .open(&format!(
            "{}/console/branches/{}/continuity",
            app.address, t.branch
        ))
        .await;
    browser.type_into("email", "admin@example.dk").await;
    browser.type_into("password", PASSWORD).await;
    browser
        .wait_css("form[action='/console/login'] button[type='submit']")
        .await
        .click()
        .await
        .expect("sign in");
    browser.wait_for("at-risk").await;
    assert_eq!(browser.text("nobody-weeks").await, "1");
    let row = browser
        .wait_css(&format!("#at-risk tr[data-client-id='{}']", t.client))
        .await
        .text()
        .await
        .expect("row");
    assert!(row.contains("0 · ingen"), "{row}");
    browser
        .client
        .set_window_size(1280, 900)
        .await
        .expect("size");
    browser.screenshot("continuity").await;
    browser.close().await;
}

on_both_backends!(
    a_term_period_makes_its_students_unavailable_unless_they_opt_out,
    bad_term_periods_are_refused_and_change_nothing,
    the_forecast_flags_the_weeks_a_client_would_have_nobody,
    the_console_shows_the_weeks_ahead_in_a_browser,
);
