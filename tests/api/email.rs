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

use crate::on_both_backends;
use crate::support::fixtures::{PASSWORD, application, client};
use crate::support::{TcpProxy, TestApp, TestBackend, spawn_app_with, test_settings};

mod people;
mod visits_and_delivery;

/// Mails about visits and clip cards, through the same SMTP server.
mod mailings;

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

fn plain_mail(recipient: &str, branch: i64) -> Mail {
    Mail {
        kind: helpmatch::domain::MailKind::ApplicationReceived,
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
