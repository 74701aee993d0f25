//! Mail through a real SMTP server on 127.0.0.1 (mailin-embedded, in-process, behind a TCP proxy
//! the tests can cut): content and language, calendar invites, SMTP outages, two workers.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use diesel::Connection;
use helpmatch::config::{EmailTransport, Settings};
use helpmatch::db::DbConnection;
use helpmatch::email::{self, BranchContact, Mail, VisitMail};
use helpmatch::startup::Application;
use mailin_embedded::{Handler, Response, Server, SslConfig, response};
use reqwest::Method;
use secrecy::SecretString;
use serde_json::{Value, json};

use crate::support::fixtures::{PASSWORD, application, client};
use crate::support::{TcpProxy, TestApp, TestBackend, spawn_app_with, test_settings};
use crate::on_both_backends;

/// Mails about visits and clip cards, through the same SMTP server.
mod visit_mail;

/// Collects every message the SMTP server accepts.
#[derive(Clone, Default)]
struct Collector {
    received: Arc<Mutex<Vec<Vec<u8>>>>,
    current: Vec<u8>,
}

impl Handler for Collector {
    fn data_start(
        &mut self,
        _domain: &str,
        _from: &str,
        _is8bit: bool,
        _to: &[String],
    ) -> Response {
        self.current.clear();
        response::OK
    }

    fn data(&mut self, buf: &[u8]) -> std::io::Result<()> {
        self.current.extend_from_slice(buf);
        Ok(())
    }

    fn data_end(&mut self) -> Response {
        let message = std::mem::take(&mut self.current);
        self.received.lock().unwrap().push(message);
        response::OK
    }
}

/// A real SMTP server on 127.0.0.1, reached through a proxy that can be cut ("SMTP down").
struct SmtpServer {
    received: Arc<Mutex<Vec<Vec<u8>>>>,
    proxy: TcpProxy,
}

impl SmtpServer {
    fn start() -> SmtpServer {
        let collector = Collector::default();
        let received = collector.received.clone();
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let address: SocketAddr = listener.local_addr().unwrap();
        let mut server = Server::new(collector);
        server
            .with_name("smtp.test")
            .with_ssl(SslConfig::None)
            .unwrap()
            .with_tcp_listener(listener);
        // Runs until the test process ends; each test has its own server.
        std::thread::spawn(move || {
            let _ = server.serve();
        });
        SmtpServer {
            received,
            proxy: TcpProxy::start(address),
        }
    }

    fn url(&self) -> String {
        format!("smtp://127.0.0.1:{}", self.proxy.port)
    }

    fn count(&self) -> usize {
        self.received.lock().unwrap().len()
    }

    /// Waits until at least `n` messages arrived, then returns all of them parsed.
    async fn wait_for(&self, n: usize) -> Vec<Received> {
        for _ in 0..400 {
            if self.count() >= n {
                break;
            }
            tokio::time::sleep(Duration::from_millis(25)).await;
        }
        let all = self.received.lock().unwrap().clone();
        assert!(all.len() >= n, "expected {n} mails, got {}", all.len());
        all.iter().map(|raw| Received::parse(raw)).collect()
    }
}

/// A received mail, decoded.
#[derive(Debug, Clone, Default)]
struct Received {
    to: String,
    subject: String,
    message_id: String,
    text: String,
    html: String,
    ics: Option<String>,
    ics_content_type: String,
}

impl Received {
    fn parse(raw: &[u8]) -> Received {
        let mail = mailparse::parse_mail(raw).expect("a MIME message");
        let header = |name: &str| {
            mailparse::MailHeaderMap::get_first_value(mail.headers.as_slice(), name)
                .unwrap_or_default()
        };
        let mut received = Received {
            to: header("To"),
            subject: header("Subject"),
            message_id: header("Message-ID"),
            ..Default::default()
        };
        received.collect(&mail);
        received
    }

    fn collect(&mut self, part: &mailparse::ParsedMail<'_>) {
        for sub in &part.subparts {
            self.collect(sub);
        }
        if !part.subparts.is_empty() {
            return;
        }
        let body = part.get_body().expect("decodable part");
        match part.ctype.mimetype.as_str() {
            "text/plain" => self.text = body,
            "text/html" => self.html = body,
            "text/calendar" => {
                self.ics_content_type = mailparse::MailHeaderMap::get_first_value(
                    part.headers.as_slice(),
                    "Content-Type",
                )
                .unwrap_or_default();
                self.ics = Some(body);
            }
            _ => {}
        }
    }
}

fn smtp_settings(settings: &mut Settings, smtp: &SmtpServer) {
    settings.email.worker = true;
    settings.email.transport = EmailTransport::Smtp;
    settings.email.smtp_url = Some(SecretString::from(smtp.url()));
    settings.email.public_url = "https://app.helpmatch.test".into();
}

async fn spawn_with_smtp(backend: TestBackend, smtp: &SmtpServer) -> TestApp {
    spawn_app_with(backend, |s| smtp_settings(s, smtp)).await
}

/// A second service instance on the same database, with its own mail worker.
async fn spawn_second_instance(app: &TestApp, smtp: &SmtpServer, batch: i64) {
    let mut settings = test_settings();
    settings.database.url = SecretString::from(app.database.url.clone());
    smtp_settings(&mut settings, smtp);
    settings.email.batch_size = batch;
    let second = Application::build(settings).await.expect("second instance");
    tokio::spawn(second.run_until_stopped());
}

async fn outbox(app: &TestApp, admin: &str, query: &str) -> Vec<Value> {
    app.get_ok(&format!("/api/v1/outbox?limit=200{query}"), admin)
        .await["items"]
        .as_array()
        .expect("items")
        .clone()
}

/// Waits until every outbox mail is `sent`.
async fn wait_all_sent(app: &TestApp, admin: &str) -> Vec<Value> {
    for _ in 0..400 {
        let mails = outbox(app, admin, "").await;
        if mails.iter().all(|m| m["status"] == "sent") {
            return mails;
        }
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
    panic!(
        "not every mail was sent: {:?}",
        outbox(app, admin, "").await
    );
}

fn kinds(mails: &[Value]) -> Vec<String> {
    mails
        .iter()
        .map(|m| m["kind"].as_str().unwrap_or_default().to_string())
        .collect()
}

async fn an_application_is_confirmed_by_mail_in_danish_by_default(backend: TestBackend) {
    let smtp = SmtpServer::start();
    let app = spawn_with_smtp(backend, &smtp).await;
    let admin = app.admin_token().await;
    let branch = app.create_branch(&admin, "Aarhus").await;

    app.apply(branch, "anna@example.dk").await;

    let mails = smtp.wait_for(1).await;
    let mail = &mails[0];
    assert_eq!(mail.to, "anna@example.dk");
    assert_eq!(
        mail.subject,
        "Vi har modtaget din ansøgning – helpmatch Aarhus"
    );
    for body in [&mail.text, &mail.html] {
        assert!(body.contains("Anna Jensen"), "{body}");
        assert!(body.contains("Tak for din ansøgning"), "{body}");
        assert!(body.contains("helpmatch Aarhus"), "{body}");
        assert!(body.contains("+45 70 20 30 40"), "{body}");
    }
    assert!(mail.html.contains("font-size:20px"), "large print");
    assert!(mail.ics.is_none());
    let listed = wait_all_sent(&app, &admin).await;
    assert_eq!(kinds(&listed), ["application_received"]);
    assert_eq!(listed[0]["language"], "da");
    assert_eq!(
        mail.message_id,
        format!("<outbox-{}@helpmatch.local>", listed[0]["id"])
    );
}

async fn an_applicant_without_danish_gets_english(backend: TestBackend) {
    let smtp = SmtpServer::start();
    let app = spawn_with_smtp(backend, &smtp).await;
    let admin = app.admin_token().await;
    let branch = app.create_branch(&admin, "Aarhus").await;
    let mut body = application(branch, "sam@example.dk");
    body["languages"] = json!(["en"]);

    app.post_ok("/api/v1/applications", None, body, 201).await;

    let mail = &smtp.wait_for(1).await[0];
    assert_eq!(
        mail.subject,
        "We have received your application – helpmatch Aarhus"
    );
    assert!(
        mail.text.contains("Thank you for applying"),
        "{}",
        mail.text
    );
    assert!(
        mail.text.contains("Phone: +45 70 20 30 40"),
        "{}",
        mail.text
    );
}

/// `POST /api/v1/branches` for a branch in Norway (NOK, Europe/Oslo) with a mobile number
/// entered in pairs; returns the id.
async fn create_norwegian_branch(app: &TestApp, admin: &str, name: &str) -> i64 {
    let body = json!({"name": name, "country": "NO", "time_zone": "Europe/Oslo", "currency": "NOK",
                      "centre": {"lat": 59.9139, "lon": 10.7522}, "phone": "+47 41 23 45 67"});
    app.post_ok("/api/v1/branches", Some(admin), body, 201)
        .await["id"]
        .as_i64()
        .expect("id")
}

async fn a_client_of_a_norwegian_branch_gets_a_bokmal_receipt_with_the_phone_written_the_norwegian_way(
    backend: TestBackend,
) {
    let smtp = SmtpServer::start();
    let app = spawn_with_smtp(backend, &smtp).await;
    let admin = app.admin_token().await;
    let branch = create_norwegian_branch(&app, &admin, "Oslo").await;
    let price = json!({"product": "clip_card_8h", "amount_minor": 156000});
    let prices = format!("/api/v1/branches/{branch}/prices");
    app.post_ok(&prices, Some(&admin), price, 201).await;
    let mut body = client(branch, "kari@example.no");
    body["name"] = json!("Kari Nordmann");
    body["address"] = json!("Karl Johans gate 1, 0154 Oslo");
    assert!(body.get("preferred_language").is_none());
    let created = app
        .post_ok("/api/v1/clients", Some(&admin), body, 201)
        .await;
    let client_id = created["id"].as_i64().expect("id");

    let card = app.buy(&admin, client_id, "clip_card_8h").await["clip_card"]["id"]
        .as_i64()
        .expect("card id");

    assert_eq!(created["preferred_language"], "nb", "the branch's language");
    let mail = &smtp.wait_for(1).await[0];
    assert_eq!(mail.to, "kari@example.no");
    assert_eq!(
        mail.subject,
        format!("Kvittering for klippekort nr. {card}")
    );
    for body in [&mail.text, &mail.html] {
        assert!(body.contains("Kjære Kari Nordmann"), "{body}");
        assert!(body.contains("Takk for kjøpet"), "{body}");
        assert!(
            body.contains("1\u{a0}560,00 kr"),
            "NOK as written in Norway: {body}"
        );
        assert!(body.contains("Vennlig hilsen"), "{body}");
        assert!(body.contains("Telefon: "), "{body}");
        assert!(
            body.contains("+47 412 34 567"),
            "a mobile number 3-2-3: {body}"
        );
        assert!(!body.contains("Tak for dit køb"), "not Danish: {body}");
    }
    assert!(
        mail.html.contains("href=\"tel:+4741234567\""),
        "{}",
        mail.html
    );
    assert!(mail.html.contains("<html lang=\"nb\">"));
    let listed = wait_all_sent(&app, &admin).await;
    assert_eq!(kinds(&listed), ["clip_card_purchased"]);
    assert_eq!(listed[0]["language"], "nb");
}

async fn a_norwegian_speaking_applicant_at_a_norwegian_branch_gets_bokmal(backend: TestBackend) {
    let smtp = SmtpServer::start();
    let app = spawn_with_smtp(backend, &smtp).await;
    let admin = app.admin_token().await;
    let branch = create_norwegian_branch(&app, &admin, "Bergen").await;
    let mut body = application(branch, "ola@example.no");
    body["languages"] = json!(["da", "en", "nb"]);

    app.post_ok("/api/v1/applications", None, body, 201).await;

    let mail = &smtp.wait_for(1).await[0];
    assert_eq!(
        mail.subject,
        "Vi har mottatt søknaden din – helpmatch Bergen"
    );
    assert!(
        mail.text.contains("Takk for at du har søkt"),
        "{}",
        mail.text
    );
    assert!(
        mail.text.contains("Telefon: +47 412 34 567"),
        "{}",
        mail.text
    );
}

async fn every_stage_change_is_mailed_and_activation_carries_a_working_set_password_link(
    backend: TestBackend,
) {
    let smtp = SmtpServer::start();
    let app = spawn_with_smtp(backend, &smtp).await;
    let admin = app.admin_token().await;
    let branch = app.create_branch(&admin, "Aarhus").await;
    let helper = app.apply(branch, "anna@example.dk").await["helper_id"]
        .as_i64()
        .unwrap();

    for to in ["screened", "interview_1", "interview_2"] {
        let response = app.transition(&admin, helper, json!({"to": to})).await;
        assert_eq!(response.status().as_u16(), 200);
    }
    let check = json!({"to": "interview_3", "criminal_record": {"checked_on": "2026-11-20", "outcome": "clear"}});
    assert_eq!(app.transition(&admin, helper, check).await.status(), 200);
    assert_eq!(
        app.transition(&admin, helper, json!({"to": "active"}))
            .await
            .status(),
        200
    );

    let mails = smtp.wait_for(6).await;
    let listed = wait_all_sent(&app, &admin).await;
    assert_eq!(
        kinds(&listed),
        [
            "application_received",
            "stage_changed",
            "stage_changed",
            "stage_changed",
            "stage_changed",
            "helper_activated"
        ]
    );
    let interview_2 = mails
        .iter()
        .find(|m| m.text.contains("anden samtale"))
        .expect("interview 2 mail");
    assert_eq!(
        interview_2.subject,
        "Nyt om din ansøgning – helpmatch Aarhus"
    );
    let welcome = mails
        .iter()
        .find(|m| m.subject.starts_with("Velkommen"))
        .expect("activation mail");
    let link = welcome
        .text
        .split_whitespace()
        .find(|w| w.starts_with("https://app.helpmatch.test/set-password?token="))
        .expect("set-password link");
    let token = link.rsplit('=').next().unwrap();
    assert!(
        welcome.html.contains("href=\"https://app.helpmatch.test") && welcome.html.contains(token),
        "the HTML has the same link: {}",
        welcome.html
    );
    app.post_ok(
        "/api/v1/auth/accept-invitation",
        None,
        json!({"token": token, "password": PASSWORD}),
        204,
    )
    .await;
    app.token_for("anna@example.dk", PASSWORD).await;
}

async fn a_committed_match_mails_the_client_and_each_new_helper(backend: TestBackend) {
    let smtp = SmtpServer::start();
    let app = spawn_with_smtp(backend, &smtp).await;
    let admin = app.admin_token().await;
    let branch = app.create_branch(&admin, "Aarhus").await;
    for n in 0..2 {
        app.activate_helper(&admin, branch, &format!("helper{n}@example.dk"))
            .await;
    }
    let with_email = app.create_client(&admin, branch, "karen@example.dk").await;
    let mut no_email = client(branch, "x@example.dk");
    no_email["email"] = Value::Null;
    no_email["name"] = json!("Poul Hansen");
    app.post_ok("/api/v1/clients", Some(&admin), no_email, 201)
        .await;
    let before = wait_all_sent(&app, &admin).await.len();
    let path = format!("/api/v1/branches/{branch}/matching/preview");
    let proposal = app.post_ok(&path, Some(&admin), json!({}), 200).await;

    let commit = format!("/api/v1/branches/{branch}/matching/commit");
    let body = json!({"proposal_id": proposal["proposal_id"]});
    app.post_ok(&commit, Some(&admin), body, 200).await;

    let listed = wait_all_sent(&app, &admin).await;
    let new: Vec<String> = kinds(&listed[before..]);
    assert_eq!(
        new.iter().filter(|k| *k == "match_client").count(),
        1,
        "only the client with an address: {new:?}"
    );
    assert_eq!(
        new.iter().filter(|k| *k == "match_helper").count(),
        4,
        "{new:?}"
    );
    let mails = smtp.wait_for(before + 5).await;
    let to_client = mails
        .iter()
        .find(|m| m.to == "karen@example.dk")
        .expect("client mail");
    assert_eq!(to_client.subject, "Dine nye hjælpere – helpmatch Aarhus");
    assert!(
        to_client.text.contains("Anna Jensen og Anna Jensen"),
        "{}",
        to_client.text
    );
    let _ = with_email;
}

async fn mails_queued_while_smtp_is_down_are_all_delivered_exactly_once_when_it_returns(
    backend: TestBackend,
) {
    let mut smtp = SmtpServer::start();
    let app = spawn_with_smtp(backend, &smtp).await;
    let admin = app.admin_token().await;
    let branch = app.create_branch(&admin, "Aarhus").await;
    smtp.proxy.stop().await;

    for n in 0..5 {
        app.apply(branch, &format!("student{n}@example.dk")).await;
    }
    // Wait until every mail has failed at least twice: the outage is really seen and retried.
    for _ in 0..400 {
        let mails = outbox(&app, &admin, "").await;
        if mails.len() == 5 && mails.iter().all(|m| m["attempts"].as_i64() >= Some(2)) {
            break;
        }
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
    let waiting = outbox(&app, &admin, "").await;
    assert!(waiting.iter().all(|m| m["status"] != "sent"), "{waiting:?}");
    assert!(
        waiting.iter().all(|m| m["attempts"].as_i64() >= Some(2)),
        "{waiting:?}"
    );
    assert!(waiting[0]["last_error"].is_string());
    assert_eq!(smtp.count(), 0);

    smtp.proxy.resume().await;

    smtp.wait_for(5).await;
    wait_all_sent(&app, &admin).await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    let received = smtp.wait_for(5).await;
    assert_eq!(received.len(), 5, "no mail twice");
    let mut recipients: Vec<&str> = received.iter().map(|m| m.to.as_str()).collect();
    recipients.sort();
    recipients.dedup();
    assert_eq!(recipients.len(), 5, "every student got one mail");
}

async fn two_service_instances_deliver_every_mail_exactly_once(backend: TestBackend) {
    let smtp = SmtpServer::start();
    let app = spawn_app_with(backend, |s| {
        smtp_settings(s, &smtp);
        s.email.batch_size = 2;
    })
    .await;
    spawn_second_instance(&app, &smtp, 2).await;
    let admin = app.admin_token().await;
    let branch = app.create_branch(&admin, "Aarhus").await;

    // All 40 become due in one commit, so both workers race for them.
    let mut conn = DbConnection::open(&app.database.url).expect("database");
    conn.transaction::<_, helpmatch::error::ApiError, _>(|conn| {
        for n in 0..40 {
            email::enqueue(conn, plain_mail(&format!("r{n}@example.dk"), branch))?;
        }
        Ok(())
    })
    .expect("enqueued");

    smtp.wait_for(40).await;
    wait_all_sent(&app, &admin).await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    let received = smtp.wait_for(40).await;
    let mut per_id: HashMap<String, usize> = HashMap::new();
    for mail in &received {
        *per_id.entry(mail.message_id.clone()).or_default() += 1;
    }
    assert_eq!(received.len(), 40, "no mail sent twice");
    assert_eq!(per_id.len(), 40);
}

fn plain_mail(recipient: &str, branch: i64) -> Mail {
    Mail {
        kind: "application_received",
        recipient: recipient.into(),
        language: "da".into(),
        branch: BranchContact {
            name: format!("Branch {branch}"),
            phone: Some("+45 70 20 30 40".into()),
        },
        values: json!({"name": "Test", "link": "https://app.helpmatch.test/application/t"}),
        ics: None,
        dedupe_key: None,
    }
}

async fn a_rolled_back_change_leaves_no_mail_and_a_dedupe_key_queues_once(backend: TestBackend) {
    let smtp = SmtpServer::start();
    let app = spawn_with_smtp(backend, &smtp).await;
    let admin = app.admin_token().await;
    let mut conn = DbConnection::open(&app.database.url).expect("database");

    let rolled_back = conn.transaction::<(), helpmatch::error::ApiError, _>(|conn| {
        email::enqueue(conn, plain_mail("gone@example.dk", 1))?;
        Err(helpmatch::error::ApiError::Conflict(
            "changed my mind".into(),
        ))
    });
    assert!(rolled_back.is_err());
    let mut keyed = plain_mail("once@example.dk", 1);
    keyed.dedupe_key = Some("reminder:1".into());
    assert!(email::enqueue(&mut conn, keyed.clone()).unwrap().is_some());
    assert!(email::enqueue(&mut conn, keyed).unwrap().is_none());

    let received = smtp.wait_for(1).await;
    let listed = wait_all_sent(&app, &admin).await;
    assert_eq!(listed.len(), 1);
    assert_eq!(received[0].to, "once@example.dk");
}

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
        visit_id: 7,
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
        visit_id: 8,
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
    an_application_is_confirmed_by_mail_in_danish_by_default,
    an_applicant_without_danish_gets_english,
    a_client_of_a_norwegian_branch_gets_a_bokmal_receipt_with_the_phone_written_the_norwegian_way,
    a_norwegian_speaking_applicant_at_a_norwegian_branch_gets_bokmal,
    every_stage_change_is_mailed_and_activation_carries_a_working_set_password_link,
    a_committed_match_mails_the_client_and_each_new_helper,
    mails_queued_while_smtp_is_down_are_all_delivered_exactly_once_when_it_returns,
    two_service_instances_deliver_every_mail_exactly_once,
    a_rolled_back_change_leaves_no_mail_and_a_dedupe_key_queues_once,
    a_visit_confirmation_carries_a_calendar_invite_that_parses,
    a_bokmal_visit_confirmation_is_dated_in_oslo_and_its_invite_gives_the_phone_formatted,
    a_failed_mail_is_listed_for_admins_and_can_be_resent,
    without_smtp_mails_are_written_as_eml_files,
);
