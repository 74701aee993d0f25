//! email: visits and delivery.

use super::*;
use helpmatch::domain::ids::VisitId;

async fn a_visit_confirmation_carries_a_calendar_invite_that_parses(backend: TestBackend) {
    let smtp = SmtpServer::start();
    let app = spawn_with_smtp(backend, &smtp).await;
    let mut conn = DbConnection::open(&app.database.url).expect("database");
    let start = chrono::DateTime::parse_from_rfc3339("2026-12-01T09:00:00Z")
        .unwrap()
        .to_utc();
    let mut visit = VisitMail {
        recipient: "karen@example.dk",
        language: "en",
        branch_name: "Aarhus",
        branch_phone: Some("+45 70 20 30 40"),
        client_name: "Karen Nielsen",
        helper_name: "Anna Jensen",
        start,
        time_zone: "Europe/Copenhagen",
        minutes: 90,
        visit_id: VisitId(7),
        sequence: 0,
    };
    email::visit_booked(&mut conn, &visit).unwrap();
    visit.sequence = 1;
    visit.language = "da";
    email::visit_cancelled(&mut conn, &visit).unwrap();

    let mails = smtp.wait_for(2).await;
    let booked = mails
        .iter()
        .find(|m| m.subject.starts_with("Visit confirmed"))
        .expect("confirmation");
    assert_eq!(
        booked.subject,
        "Visit confirmed: Tuesday 1 December 2026 at 10:00"
    );
    assert!(booked.ics_content_type.contains("method=REQUEST"));
    let ics = booked.ics.as_deref().expect("invite attached");
    let calendar: icalendar::Calendar = ics.parse().expect("valid iCalendar");
    assert_eq!(calendar.property_value("METHOD"), Some("REQUEST"));
    assert!(ics.contains("UID:visit-7@helpmatch\r\n"));
    assert!(ics.contains("SEQUENCE:0\r\n"));
    assert!(ics.contains("DTSTART;TZID=Europe/Copenhagen:20261201T100000\r\n"));
    assert!(ics.contains("mailto:no-reply@helpmatch.local"), "{ics}");
    assert!(!ics.contains("__HELPMATCH"), "placeholders filled: {ics}");

    let cancelled = mails
        .iter()
        .find(|m| m.subject.starts_with("Besøget er aflyst"))
        .expect("cancellation");
    let ics = cancelled.ics.as_deref().expect("cancel attached");
    let calendar: icalendar::Calendar = ics.parse().expect("valid iCalendar");
    assert_eq!(calendar.property_value("METHOD"), Some("CANCEL"));
    assert!(ics.contains("UID:visit-7@helpmatch\r\n"));
    assert!(ics.contains("SEQUENCE:1\r\n"));
    assert!(
        cancelled
            .text
            .contains("tirsdag den 1. december 2026 kl. 10.00")
    );
}

async fn a_bokmal_visit_confirmation_is_dated_in_oslo_and_its_invite_gives_the_phone_formatted(
    backend: TestBackend,
) {
    let smtp = SmtpServer::start();
    let app = spawn_with_smtp(backend, &smtp).await;
    let mut conn = DbConnection::open(&app.database.url).expect("database");
    let start = chrono::DateTime::parse_from_rfc3339("2026-12-01T09:00:00Z")
        .unwrap()
        .to_utc();
    let visit = VisitMail {
        recipient: "kari@example.no",
        language: "nb",
        branch_name: "Oslo",
        branch_phone: Some("+4722123456"),
        client_name: "Kari Nordmann",
        helper_name: "Ola Hansen",
        start,
        time_zone: "Europe/Oslo",
        minutes: 90,
        visit_id: VisitId(8),
        sequence: 0,
    };

    email::visit_booked(&mut conn, &visit).unwrap();

    let mail = &smtp.wait_for(1).await[0];
    assert_eq!(
        mail.subject,
        "Besøk bekreftet: tirsdag 1. desember 2026 kl. 10.00"
    );
    assert!(
        mail.text
            .contains("Ola Hansen kommer til Kari Nordmann i 90 minutter."),
        "{}",
        mail.text
    );
    assert!(
        mail.text.contains("Telefon: +47 22 12 34 56"),
        "{}",
        mail.text
    );
    let ics = mail.ics.as_deref().expect("invite attached");
    let calendar: icalendar::Calendar = ics.parse().expect("valid iCalendar");
    assert_eq!(calendar.property_value("METHOD"), Some("REQUEST"));
    // Unfolded (RFC 5545: CRLF and one space continue a line) before looking for the text.
    let unfolded = ics.replace("\r\n ", "");
    assert!(
        unfolded.contains("Spørsmål? Ring helpmatch Oslo på +47 22 12 34 56."),
        "{ics}"
    );
    assert!(unfolded.contains("DTSTART;TZID=Europe/Oslo:20261201T100000\r\n"));
}

async fn a_failed_mail_is_listed_for_admins_and_can_be_resent(backend: TestBackend) {
    let mut smtp = SmtpServer::start();
    smtp.proxy.stop().await;
    let app = spawn_app_with(backend, |s| {
        smtp_settings(s, &smtp);
        s.email.give_up_after_secs = 0;
    })
    .await;
    let admin = app.admin_token().await;
    let branch = app.create_branch(&admin, "Aarhus").await;
    app.apply(branch, "anna@example.dk").await;

    let mut failed = vec![];
    for _ in 0..400 {
        failed = outbox(&app, &admin, "&status=failed").await;
        if !failed.is_empty() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
    assert_eq!(
        failed.len(),
        1,
        "gave up at once with give_up_after_secs = 0"
    );
    let id = failed[0]["id"].as_i64().unwrap();
    assert!(failed[0]["last_error"].is_string());
    let leader = app.leader_token(&admin, branch, "leader@example.dk").await;
    let forbidden = app
        .call(Method::GET, "/api/v1/outbox", Some(&leader), None)
        .await;
    assert_eq!(forbidden.status().as_u16(), 403);
    let bad = app
        .call(
            Method::GET,
            "/api/v1/outbox?status=lost",
            Some(&admin),
            None,
        )
        .await;
    assert_eq!(bad.status().as_u16(), 422);
    smtp.proxy.resume().await;

    let path = format!("/api/v1/outbox/{id}/resend");
    let resent = app.post_ok(&path, Some(&admin), json!({}), 200).await;
    assert_eq!(resent["status"], "pending");

    assert_eq!(smtp.wait_for(1).await[0].to, "anna@example.dk");
    wait_all_sent(&app, &admin).await;
    let again = app.call(Method::POST, &path, Some(&admin), None).await;
    assert_eq!(again.status().as_u16(), 409, "a sent mail is not resent");
}

async fn without_smtp_mails_are_written_as_eml_files(backend: TestBackend) {
    let folder = tempfile::tempdir().unwrap();
    let dir = folder.path().join("outbox");
    let dir_for_settings = dir.clone();
    let app = spawn_app_with(backend, move |s| {
        s.email.worker = true;
        s.email.file_dir = dir_for_settings;
    })
    .await;
    let admin = app.admin_token().await;
    let branch = app.create_branch(&admin, "Aarhus").await;

    app.apply(branch, "anna@example.dk").await;

    wait_all_sent(&app, &admin).await;
    let files: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    assert_eq!(files.len(), 1);
    assert_eq!(files[0].extension().unwrap(), "eml");
    let mail = Received::parse(&std::fs::read(&files[0]).unwrap());
    assert_eq!(mail.to, "anna@example.dk");
    assert!(mail.text.contains("Tak for din ansøgning"));
}

on_both_backends!(
    a_visit_confirmation_carries_a_calendar_invite_that_parses,
    a_bokmal_visit_confirmation_is_dated_in_oslo_and_its_invite_gives_the_phone_formatted,
    a_failed_mail_is_listed_for_admins_and_can_be_resent,
    without_smtp_mails_are_written_as_eml_files,
);
