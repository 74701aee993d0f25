//! Bookings the console refuses without storing anything: no CSRF token, another branch,
//! input that cannot be a visit.

use chrono::{Datelike, Duration, NaiveDate, Utc, Weekday};
use reqwest::StatusCode;

use super::super::board::booked;
use super::{book_with_form, form_path, stored, visit_fields};
use crate::on_both_backends;
use crate::support::TestBackend;
use crate::support::console::ConsoleUser;
use crate::support::fixtures::PASSWORD;

async fn a_booking_without_the_csrf_token_is_refused_and_books_nothing(backend: TestBackend) {
    let b = booked(backend).await;
    let user = ConsoleUser::signed_in(&b.app, "lone@example.dk", PASSWORD).await;
    let client = b.client.to_string();
    let helper = b.helper.to_string();
    let day = (b.tuesday + Duration::days(1)).to_string();
    let mut fields = vec![("helper_id", helper.as_str()), ("date", day.as_str())];
    fields.extend(visit_fields(&client, "09:00", &[("it", "60")]));
    let path = format!("/console/branches/{}/visits", b.branch);
    let before = stored(&b).await;

    let missing = user.post(&path, &fields).await;
    let mut forged = fields.clone();
    forged.push(("csrf", "not-the-token"));
    let forged = user.post(&path, &forged).await;

    assert_eq!(missing.status, StatusCode::FORBIDDEN);
    assert_eq!(forged.status, StatusCode::FORBIDDEN);
    assert_eq!(stored(&b).await, before);
}

async fn a_leader_of_another_branch_gets_404_and_cannot_book(backend: TestBackend) {
    let b = booked(backend).await;
    let admin = b.app.token_for("admin@example.dk", PASSWORD).await;
    let odense = b.app.create_branch(&admin, "Odense").await;
    b.app.leader_token(&admin, odense, "ole@example.dk").await;
    let user = ConsoleUser::signed_in(&b.app, "ole@example.dk", PASSWORD).await;
    let before = stored(&b).await;

    let theirs = user.get(&form_path(&b, b.helper, b.tuesday)).await;
    let through_own = user
        .get(&format!(
            "/console/branches/{odense}/visits/new?helper={}&date={}",
            b.helper, b.tuesday
        ))
        .await;
    let own_form = user.get(&format!("/console/branches/{odense}/board")).await;
    let client = b.client.to_string();
    let helper = b.helper.to_string();
    let day = (b.tuesday + Duration::days(1)).to_string();
    let mut fields = vec![
        ("csrf", own_form.csrf()),
        ("helper_id", helper.clone()),
        ("date", day.clone()),
    ];
    for (k, v) in visit_fields(&client, "09:00", &[("it", "60")]) {
        fields.push((k, v.to_string()));
    }
    let pairs: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let posted_there = user
        .post(&format!("/console/branches/{}/visits", b.branch), &pairs)
        .await;
    let posted_here = user
        .post(&format!("/console/branches/{odense}/visits"), &pairs)
        .await;

    assert_eq!(theirs.status, StatusCode::NOT_FOUND);
    theirs.assert_shows("Siden findes ikke");
    assert_eq!(through_own.status, StatusCode::NOT_FOUND);
    assert_eq!(posted_there.status, StatusCode::NOT_FOUND);
    assert_eq!(posted_here.status, StatusCode::NOT_FOUND);
    assert_eq!(stored(&b).await, before);
}

/// The last Sunday of `month` in the first year after today that has it still to come.
fn last_sunday(month: u32) -> NaiveDate {
    let today = Utc::now().date_naive();
    (today.year()..today.year() + 2)
        .filter_map(|year| {
            let first_next =
                NaiveDate::from_ymd_opt(year + i32::from(month == 12), month % 12 + 1, 1)?;
            let mut day = first_next - Duration::days(1);
            while day.weekday() != Weekday::Sun {
                day -= Duration::days(1);
            }
            Some(day)
        })
        .find(|day| *day > today)
        .unwrap()
}

/// A day, the fields posted, the status answered and a message the form shows.
type Case<'a> = (NaiveDate, Vec<(&'a str, &'a str)>, StatusCode, &'a str);

async fn bad_input_gets_a_readable_message_and_stores_nothing(backend: TestBackend) {
    let b = booked(backend).await;
    let user = ConsoleUser::signed_in(&b.app, "lone@example.dk", PASSWORD).await;
    let client = b.client.to_string();
    let wednesday = b.tuesday + Duration::days(1);
    let yesterday = Utc::now()
        .with_timezone(&chrono_tz::Europe::Copenhagen)
        .date_naive()
        - Duration::days(1);
    let before = stored(&b).await;
    let cases: Vec<Case> = vec![
        (
            wednesday,
            visit_fields(&client, "10:00", &[]),
            StatusCode::UNPROCESSABLE_ENTITY,
            "Opgaver: list at least one task",
        ),
        (
            wednesday,
            visit_fields(&client, "10:07", &[("it", "60")]),
            StatusCode::UNPROCESSABLE_ENTITY,
            "Starttid: visits start on a multiple of 15 minutes past the hour",
        ),
        (
            yesterday,
            visit_fields(&client, "10:00", &[("it", "60")]),
            StatusCode::UNPROCESSABLE_ENTITY,
            "Starttid: must be in the future",
        ),
        (
            wednesday,
            visit_fields("999999", "10:00", &[("it", "60")]),
            StatusCode::NOT_FOUND,
            "Borgeren eller hjælperen findes ikke i afdelingen.",
        ),
        (
            wednesday,
            visit_fields("", "10:00", &[("it", "60")]),
            StatusCode::UNPROCESSABLE_ENTITY,
            "Borger: vælg en borger fra hjælperens team.",
        ),
        (
            wednesday,
            visit_fields(&client, "ti", &[("it", "45")]),
            StatusCode::UNPROCESSABLE_ENTITY,
            "Starttid: skriv et klokkeslæt som 10:00.",
        ),
        (
            wednesday,
            visit_fields(&client, "10:00", &[("it", "45")]),
            StatusCode::UNPROCESSABLE_ENTITY,
            "Minutter 1: must be a positive multiple of 30",
        ),
        (
            last_sunday(3),
            visit_fields(&client, "02:30", &[("it", "60")]),
            StatusCode::UNPROCESSABLE_ENTITY,
            "findes ikke den dag, fordi uret stilles frem",
        ),
        (
            last_sunday(10),
            visit_fields(&client, "02:30", &[("it", "60")]),
            StatusCode::UNPROCESSABLE_ENTITY,
            "findes to gange den dag, fordi uret stilles tilbage",
        ),
    ];

    for (day, fields, status, message) in cases {
        let (page, _) = book_with_form(&user, &b, b.helper, day, &fields).await;
        assert_eq!(page.status, status, "{message}: {}", page.html);
        page.assert_shows(message);
        page.assert_shows("id=\"booking-form\"");
    }
    let mut bad_date = visit_fields(&client, "10:00", &[("it", "60")]);
    bad_date.push(("date", "12/01"));
    let (page, _) = book_with_form(&user, &b, b.helper, wednesday, &bad_date).await;
    assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY);
    page.assert_shows("Dato: skriv en dato som 2027-01-12.");
    assert_eq!(stored(&b).await, before, "nothing stored");
}

on_both_backends!(
    a_booking_without_the_csrf_token_is_refused_and_books_nothing,
    a_leader_of_another_branch_gets_404_and_cannot_book,
    bad_input_gets_a_readable_message_and_stores_nothing,
);
