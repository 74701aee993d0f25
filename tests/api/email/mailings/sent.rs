//! visit mail: sent.

use super::*;

async fn booking_moving_and_cancelling_send_calendar_updates_to_client_relative_and_helper(
    backend: TestBackend,
) {
    let smtp = SmtpServer::start();
    let app = spawn_with_smtp(backend, &smtp).await;
    let s = setup(&app).await;

    let booking: Value = app
        .book(
            &s.admin,
            s.client,
            s.helper,
            "2027-01-12T10:00:00+01:00",
            60,
        )
        .await
        .json()
        .await
        .unwrap();
    let id = visit_id(&booking);
    let uid = format!("UID:visit-{id}@helpmatch\r\n");
    let mails = delivered(&app, &s.admin, &smtp).await;

    let booked = one(
        &mails,
        "karen@example.dk",
        "Besøg bekræftet: tirsdag den 12. januar 2027 kl. 10.00",
    );
    assert!(
        booked
            .text
            .contains("Anna Jensen kommer til Karen Nielsen i 60 minutter")
    );
    assert!(booked.ics_content_type.contains("method=REQUEST"));
    let (ics, parsed) = calendar(booked);
    assert_eq!(parsed.property_value("METHOD"), Some("REQUEST"));
    assert!(
        ics.contains(&uid) && ics.contains("SEQUENCE:0\r\n"),
        "{ics}"
    );
    assert!(ics.contains("DTSTART;TZID=Europe/Copenhagen:20270112T100000\r\n"));
    one(&mails, "mette@example.dk", "Besøg bekræftet");
    one(&mails, "anna@example.dk", "Besøg bekræftet");
    assert!(
        to(&mails, "ole@example.dk", "Besøg").is_empty(),
        "the pay-only relative hears nothing about visits"
    );

    let moved = app
        .call(
            Method::PATCH,
            &format!("/api/v1/visits/{id}"),
            Some(&s.admin),
            Some(json!({"starts_at": "2027-01-13T11:00:00+01:00"})),
        )
        .await;
    assert_eq!(moved.status().as_u16(), 200);
    let mails = delivered(&app, &s.admin, &smtp).await;
    let rescheduled = one(
        &mails,
        "karen@example.dk",
        "Besøget er flyttet: onsdag den 13. januar 2027 kl. 11.00",
    );
    let (ics, parsed) = calendar(rescheduled);
    assert_eq!(parsed.property_value("METHOD"), Some("REQUEST"));
    assert!(
        ics.contains(&uid) && ics.contains("SEQUENCE:1\r\n"),
        "{ics}"
    );
    one(&mails, "mette@example.dk", "Besøget er flyttet");
    one(&mails, "anna@example.dk", "Besøget er flyttet");

    app.post_ok(
        &format!("/api/v1/visits/{id}/cancel"),
        Some(&s.admin),
        json!({}),
        200,
    )
    .await;
    let mails = delivered(&app, &s.admin, &smtp).await;
    let cancelled = one(&mails, "karen@example.dk", "Besøget er aflyst");
    assert!(cancelled.ics_content_type.contains("method=CANCEL"));
    let (ics, parsed) = calendar(cancelled);
    assert_eq!(parsed.property_value("METHOD"), Some("CANCEL"));
    assert!(
        ics.contains(&uid) && ics.contains("SEQUENCE:2\r\n"),
        "{ics}"
    );
    one(&mails, "anna@example.dk", "Besøget er aflyst");
}

async fn a_purchase_sends_a_receipt_to_the_client_and_the_relative_who_pays(backend: TestBackend) {
    let smtp = SmtpServer::start();
    let app = spawn_with_smtp(backend, &smtp).await;
    let s = setup(&app).await;

    let mails = delivered(&app, &s.admin, &smtp).await;

    let subject = format!("Kvittering for klippekort nr. {}", s.card);
    let receipt = one(&mails, "karen@example.dk", &subject);
    for body in [&receipt.text, &receipt.html] {
        assert!(body.contains("1.560,00 DKK"), "{body}");
        assert!(body.contains("helpmatch Aarhus"), "{body}");
    }
    one(&mails, "ole@example.dk", &subject);
    assert!(to(&mails, "mette@example.dk", "Kvittering").is_empty());
}

async fn checking_out_mails_the_minutes_used_and_the_balance_left(backend: TestBackend) {
    let smtp = SmtpServer::start();
    let app = spawn_with_smtp(backend, &smtp).await;
    let s = setup(&app).await;
    let booking: Value = app
        .book(
            &s.admin,
            s.client,
            s.helper,
            "2027-01-12T10:00:00+01:00",
            90,
        )
        .await
        .json()
        .await
        .unwrap();
    let id = visit_id(&booking);

    app.complete_visit(&s.helper_token, id).await;

    let visit = app.get_ok(&format!("/api/v1/visits/{id}"), &s.admin).await;
    let start = chrono::DateTime::parse_from_rfc3339(visit["starts_at"].as_str().unwrap())
        .unwrap()
        .with_timezone(&chrono::Utc);
    let mails = delivered(&app, &s.admin, &smtp).await;
    let done = one(
        &mails,
        "karen@example.dk",
        &format!(
            "Besøget er gennemført: {}",
            helpmatch::email::when(start, "Europe/Copenhagen", "da")
        ),
    );
    assert!(
        done.text.contains("Brugt: 1 time og 30 minutter"),
        "{}",
        done.text
    );
    assert!(
        done.text.contains("ikke er booket: 6 timer og 30 minutter"),
        "{}",
        done.text
    );
    assert!(done.html.contains("6 timer og 30 minutter"));
    assert!(done.ics.is_none());
    one(&mails, "mette@example.dk", "Besøget er gennemført");
    assert!(to(&mails, "anna@example.dk", "Besøget er gennemført").is_empty());
}

async fn a_low_balance_is_mailed_once_per_clip_card(backend: TestBackend) {
    let smtp = SmtpServer::start();
    let app = crate::support::spawn_app_with(backend, |settings| {
        crate::email::smtp_settings(settings, &smtp);
        settings.visits.low_balance_minutes = 240;
    })
    .await;
    let s = setup(&app).await;
    let low = "Klippekortet er snart brugt";

    let mut flags = vec![];
    for (day, minutes) in [(11, 180), (12, 60), (13, 60)] {
        let start = format!("2027-01-{day}T10:00:00+01:00");
        let booking: Value = app
            .book(&s.admin, s.client, s.helper, &start, minutes)
            .await
            .json()
            .await
            .unwrap();
        flags.push(booking["low_balance"].as_bool());
    }
    let mails = delivered(&app, &s.admin, &smtp).await;

    assert_eq!(flags, [Some(false), Some(true), Some(true)]);
    let mail = one(&mails, "karen@example.dk", low);
    assert!(
        mail.text.contains("kun 4 timer tilbage"),
        "240 minutes left after the second booking: {}",
        mail.text
    );
    one(&mails, "ole@example.dk", low);
    assert!(to(&mails, "mette@example.dk", low).is_empty());

    // A new card starts a new state: falling low again is mailed again.
    app.buy(&s.admin, s.client, "clip_card_8h").await;
    let booking: Value = app
        .book(
            &s.admin,
            s.client,
            s.helper,
            "2027-01-14T10:00:00+01:00",
            480,
        )
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(booking["low_balance"], true);
    let mails = delivered(&app, &s.admin, &smtp).await;
    assert_eq!(to(&mails, "karen@example.dk", low).len(), 2);
}

async fn the_reminder_job_mails_client_and_helper_once_the_day_before(backend: TestBackend) {
    let smtp = SmtpServer::start();
    let app = spawn_with_smtp(backend, &smtp).await;
    let s = setup(&app).await;
    // Tuesday 12 January 2027 10:00 in Aarhus (09:00 UTC).
    app.book(
        &s.admin,
        s.client,
        s.helper,
        "2027-01-12T10:00:00+01:00",
        60,
    )
    .await;
    let mut conn = DbConnection::open(&app.database.url).expect("database");
    let at = |t: &str| t.parse::<DateTime<Utc>>().expect("time");

    let two_days_before = send_reminders(&mut conn, at("2027-01-10T12:00:00Z")).unwrap();
    let early_on_the_day_before = send_reminders(&mut conn, at("2027-01-11T07:59:00Z")).unwrap();
    let first = send_reminders(&mut conn, at("2027-01-11T08:00:00Z")).unwrap();
    let again = send_reminders(&mut conn, at("2027-01-11T15:00:00Z")).unwrap();

    assert_eq!(
        (two_days_before, early_on_the_day_before),
        (0, 0),
        "not before 09:00 local time the day before"
    );
    assert_eq!(first, 3, "Karen, Mette (may view) and Anna");
    assert_eq!(again, 0, "a second run queues nothing");
    let mails = delivered(&app, &s.admin, &smtp).await;
    let subject = "Påmindelse: besøg i morgen, tirsdag den 12. januar 2027 kl. 10.00";
    let reminder = one(&mails, "karen@example.dk", subject);
    assert!(reminder.ics.is_none());
    one(&mails, "anna@example.dk", subject);
    one(&mails, "mette@example.dk", subject);
}

async fn the_reminder_job_skips_a_visit_whose_helper_cannot_come(backend: TestBackend) {
    let app = spawn_app(backend).await;
    let s = setup(&app).await;
    app.book(
        &s.admin,
        s.client,
        s.helper,
        "2027-01-12T10:00:00+01:00",
        60,
    )
    .await;
    let paused = app
        .transition(&s.admin, s.helper, json!({"to": "paused", "note": "exams"}))
        .await;
    assert_eq!(paused.status().as_u16(), 200);
    let mut conn = DbConnection::open(&app.database.url).expect("database");
    let due = "2027-01-11T08:00:00Z"
        .parse::<DateTime<Utc>>()
        .expect("time");

    let queued = send_reminders(&mut conn, due).unwrap();

    assert_eq!(
        queued, 0,
        "the family was told the helper cannot come; a reminder would say the opposite"
    );
}

on_both_backends!(
    booking_moving_and_cancelling_send_calendar_updates_to_client_relative_and_helper,
    a_purchase_sends_a_receipt_to_the_client_and_the_relative_who_pays,
    checking_out_mails_the_minutes_used_and_the_balance_left,
    a_low_balance_is_mailed_once_per_clip_card,
    the_reminder_job_mails_client_and_helper_once_the_day_before,
    the_reminder_job_skips_a_visit_whose_helper_cannot_come,
);
