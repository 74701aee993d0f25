//! The booking form: what it offers, what it books, and what it refuses without storing.

use chrono::Duration;
use reqwest::StatusCode;

use super::super::board::booked;
use super::{book_with_form, form_path, leader_token, local, stored, visit_fields};
use crate::on_both_backends;
use crate::support::TestBackend;
use crate::support::console::ConsoleUser;
use crate::support::fixtures::PASSWORD;

async fn the_form_offers_the_helpers_team_and_the_day_from_the_board(backend: TestBackend) {
    let b = booked(backend).await;
    let leader = leader_token(&b).await;
    // A second client without a pair to Anna is not hers to book.
    b.app
        .create_client(&leader, b.branch, "other@example.dk")
        .await;
    let user = ConsoleUser::signed_in(&b.app, "lone@example.dk", PASSWORD).await;
    let wednesday = b.tuesday + Duration::days(1);

    let form = user.get(&form_path(&b, b.helper, wednesday)).await;

    assert_eq!(form.status, StatusCode::OK);
    form.assert_shows("Anna Jensen");
    form.assert_shows(&format!(
        "<option value=\"{}\">Karen Nielsen</option>",
        b.client
    ));
    assert_eq!(
        form.html.matches("Karen Nielsen").count(),
        1,
        "one client in the team"
    );
    form.assert_shows(&format!("type=\"date\" required value=\"{wednesday}\""));
    form.assert_shows("type=\"time\" step=\"900\"");
    for skill in ["rengøring", "IT", "indkøb", "madlavning"] {
        form.assert_shows(&format!(">{skill}</option>"));
    }
    form.assert_shows("<option value=\"30\">30 min</option>");
    form.assert_shows("<option value=\"480\">480 min</option>");
    form.assert_shows("id=\"repeat\" name=\"repeat\" type=\"checkbox\"");
    for id in [
        "client_id",
        "date",
        "time",
        "task_0",
        "minutes_3",
        "repeat",
        "weeks",
    ] {
        form.assert_shows(&format!("<label for=\"{id}\""));
    }
}

async fn a_helper_without_clients_is_told_so_and_another_branchs_helper_is_404(
    backend: TestBackend,
) {
    let b = booked(backend).await;
    let leader = leader_token(&b).await;
    let (lonely, _) = b
        .app
        .activate_helper(&leader, b.branch, "bo@example.dk")
        .await;
    let user = ConsoleUser::signed_in(&b.app, "lone@example.dk", PASSWORD).await;

    let form = user.get(&form_path(&b, lonely, b.tuesday)).await;

    assert_eq!(form.status, StatusCode::OK);
    form.assert_shows("id=\"no-clients\"");
    assert!(!form.html.contains("id=\"booking-form\""));
    let unknown = user.get(&form_path(&b, 999_999, b.tuesday)).await;
    assert_eq!(unknown.status, StatusCode::NOT_FOUND);
    let no_helper = user
        .get(&format!("/console/branches/{}/visits/new", b.branch))
        .await;
    assert_eq!(no_helper.status, StatusCode::UNPROCESSABLE_ENTITY);
    no_helper.assert_shows("helper");
}

async fn booking_through_the_form_shows_on_the_board_and_in_the_api(backend: TestBackend) {
    let b = booked(backend).await;
    let user = ConsoleUser::signed_in(&b.app, "lone@example.dk", PASSWORD).await;
    let wednesday = b.tuesday + Duration::days(1);
    let client = b.client.to_string();
    let before = stored(&b).await;

    let (answer, _) = book_with_form(
        &user,
        &b,
        b.helper,
        wednesday,
        &visit_fields(&client, "14:15", &[("cleaning", "60"), ("shopping", "30")]),
    )
    .await;

    assert_eq!(answer.status, StatusCode::SEE_OTHER, "{}", answer.html);
    let back = answer.location.expect("a redirect");
    assert_eq!(
        back,
        format!(
            "/console/branches/{}/board?week={wednesday}&done=visit_booked",
            b.branch
        )
    );
    let after = stored(&b).await;
    assert_eq!(after.visits.len(), before.visits.len() + 1);
    let new = after
        .visits
        .iter()
        .find(|v| v["local_starts_at"] == local(wednesday, "14:15"))
        .unwrap_or_else(|| panic!("no visit at 14:15 local: {:?}", after.visits));
    assert_eq!(new["minutes"], 90);
    assert_eq!(new["helper_id"], b.helper);
    assert_eq!(new["segments"][1]["task"], "shopping");
    assert_eq!(after.available_minutes, before.available_minutes - 90);
    let board = user.get(&back).await;
    board.assert_shows("Besøget er booket.");
    board.assert_shows(&format!("data-visit-id=\"{}\"", new["id"]));
    board.assert_shows("14:15–15:45");
}

async fn a_refused_booking_shows_its_reason_keeps_the_values_and_stores_nothing(
    backend: TestBackend,
) {
    let b = booked(backend).await;
    let user = ConsoleUser::signed_in(&b.app, "lone@example.dk", PASSWORD).await;
    let client = b.client.to_string();
    let before = stored(&b).await;

    // Anna is at Karen's from 10:00 to 11:30 that Tuesday.
    let (taken, _) = book_with_form(
        &user,
        &b,
        b.helper,
        b.tuesday,
        &visit_fields(&client, "10:30", &[("it", "60")]),
    )
    .await;
    // 8 hours less the 90 minutes booked leave 390 minutes; 480 are asked for.
    let (too_long, _) = book_with_form(
        &user,
        &b,
        b.helper,
        b.tuesday + Duration::days(2),
        &visit_fields(
            &client,
            "09:00",
            &[
                ("it", "120"),
                ("cleaning", "120"),
                ("cooking", "120"),
                ("shopping", "120"),
            ],
        ),
    )
    .await;

    assert_eq!(taken.status, StatusCode::CONFLICT);
    taken.assert_shows("id=\"booking-error\"");
    taken.assert_shows("already has a visit then");
    taken.assert_shows("type=\"time\" step=\"900\" required value=\"10:30\"");
    taken.assert_shows(&format!("<option value=\"{client}\" selected>"));
    taken.assert_shows("<option value=\"it\" selected>");
    assert_eq!(too_long.status, StatusCode::CONFLICT);
    too_long.assert_shows("the clip-card balance covers 390 minutes; this visit needs 480");
    too_long.assert_shows("<output data-total>480</output>");
    assert_eq!(stored(&b).await, before, "nothing stored");
}

async fn a_weekly_series_books_every_week_at_the_same_local_time(backend: TestBackend) {
    let b = booked(backend).await;
    let user = ConsoleUser::signed_in(&b.app, "lone@example.dk", PASSWORD).await;
    let client = b.client.to_string();
    let thursday = b.tuesday + Duration::days(2);
    let before = stored(&b).await;

    let mut fields = visit_fields(&client, "13:00", &[("companionship", "60")]);
    fields.extend([("repeat", "1"), ("weeks", "3")]);
    let (series, _) = book_with_form(&user, &b, b.helper, thursday, &fields).await;

    assert_eq!(series.status, StatusCode::SEE_OTHER, "{}", series.html);
    let location = series.location.unwrap();
    assert!(location.ends_with("done=visit_series_booked"), "{location}");
    let after = stored(&b).await;
    assert_eq!(after.visits.len(), before.visits.len() + 3);
    for week in 0..3 {
        let day = thursday + Duration::weeks(week);
        assert!(
            after
                .visits
                .iter()
                .any(|v| v["local_starts_at"] == local(day, "13:00") && v["series_id"].is_i64()),
            "week {week}: {:?}",
            after.visits
        );
    }
    assert_eq!(after.available_minutes, before.available_minutes - 180);
}

async fn a_series_that_clashes_in_a_later_week_books_nothing(backend: TestBackend) {
    let b = booked(backend).await;
    let user = ConsoleUser::signed_in(&b.app, "lone@example.dk", PASSWORD).await;
    let client = b.client.to_string();
    // Anna is at Karen's a week after the booked Tuesday at 14:00: a series from that
    // Tuesday at 14:00 clashes in its second week.
    let leader = leader_token(&b).await;
    let week_later = local(b.tuesday + Duration::days(7), "14:00");
    b.app
        .book_id(&leader, b.client, b.helper, &week_later, 60)
        .await;
    let before = stored(&b).await;

    let mut clashing = visit_fields(&client, "14:00", &[("it", "60")]);
    clashing.extend([("repeat", "1"), ("weeks", "2")]);
    let (refused, _) = book_with_form(&user, &b, b.helper, b.tuesday, &clashing).await;

    assert_eq!(refused.status, StatusCode::CONFLICT, "{}", refused.html);
    refused.assert_shows("week 2: the helper already has a visit then");
    refused.assert_shows("id=\"repeat\" name=\"repeat\" type=\"checkbox\" value=\"1\" checked");
    assert_eq!(
        stored(&b).await,
        before,
        "not even the first week is booked"
    );
}

async fn a_form_sent_twice_books_once(backend: TestBackend) {
    let b = booked(backend).await;
    let user = ConsoleUser::signed_in(&b.app, "lone@example.dk", PASSWORD).await;
    let client = b.client.to_string();
    let friday = b.tuesday + Duration::days(3);
    let form = user.get(&form_path(&b, b.helper, friday)).await;
    let form_id = crate::support::console::field_value(&form.html, "form_id").unwrap();
    let csrf = form.csrf();
    let helper = b.helper.to_string();
    let day = friday.to_string();
    let mut fields = vec![
        ("csrf", csrf.as_str()),
        ("form_id", form_id.as_str()),
        ("helper_id", helper.as_str()),
        ("date", day.as_str()),
    ];
    fields.extend(visit_fields(&client, "09:00", &[("gardening", "60")]));
    let path = format!("/console/branches/{}/visits", b.branch);
    let before = stored(&b).await;

    let first = user.post(&path, &fields).await;
    let again = user.post(&path, &fields).await;
    // The same form, sent back with another time after it booked: not a second booking.
    let mut changed = fields.clone();
    changed.retain(|(k, _)| *k != "time");
    changed.push(("time", "15:00"));
    let other = user.post(&path, &changed).await;

    assert_eq!(first.status, StatusCode::SEE_OTHER);
    assert!(first.location.unwrap().ends_with("done=visit_booked"));
    assert_eq!(again.status, StatusCode::SEE_OTHER);
    let location = again.location.unwrap();
    assert!(location.ends_with("done=visit_booked_once"), "{location}");
    user.get(&location)
        .await
        .assert_shows("besøget er kun booket én gang");
    assert_eq!(
        other.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        other.html
    );
    other.assert_shows("allerede sendt med andre værdier");
    let renewed = crate::support::console::field_value(&other.html, "form_id").unwrap();
    assert_ne!(renewed, form_id, "the form gets a fresh id");
    let after = stored(&b).await;
    assert_eq!(after.visits.len(), before.visits.len() + 1);
    assert_eq!(after.available_minutes, before.available_minutes - 60);
}

on_both_backends!(
    the_form_offers_the_helpers_team_and_the_day_from_the_board,
    a_helper_without_clients_is_told_so_and_another_branchs_helper_is_404,
    booking_through_the_form_shows_on_the_board_and_in_the_api,
    a_refused_booking_shows_its_reason_keeps_the_values_and_stores_nothing,
    a_weekly_series_books_every_week_at_the_same_local_time,
    a_series_that_clashes_in_a_later_week_books_nothing,
    a_form_sent_twice_books_once,
);
