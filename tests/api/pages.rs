//! The links in mails open pages that work (issue 12, item 7), clicked through in a real
//! browser: Debian's Chromium, driven by its chromedriver over WebDriver (fantoccini).
//!
//! These run on SQLite only: what the pages do is the services' work, which the API tests
//! cover on both databases; here the question is whether a person with a mail and a browser
//! gets through (forms, messages, links, language).

use std::net::TcpListener;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use fantoccini::{Client, ClientBuilder, Locator};
use reqwest::Method;
use serde_json::{Value, json};

use crate::helpers::fixtures::{PASSWORD, application};
use crate::helpers::{TestApp, TestBackend, spawn_app};

const NEW_PASSWORD: &str = "a-sentence-I-can-remember";

/// Chromium and chromedriver from Debian's packages; CI installs both, so there they must be
/// present (a missing browser fails there instead of skipping).
fn browser_binaries() -> Option<(&'static str, &'static str)> {
    let chromium = ["/usr/bin/chromium", "/usr/bin/chromium-browser"]
        .into_iter()
        .find(|p| std::path::Path::new(p).exists());
    let driver = ["/usr/bin/chromedriver", "/usr/lib/chromium/chromedriver"]
        .into_iter()
        .find(|p| std::path::Path::new(p).exists());
    let found = chromium.zip(driver);
    if found.is_none() {
        assert_ne!(
            std::env::var("CI").as_deref(),
            Ok("true"),
            "CI=true but chromium or chromium-driver is not installed"
        );
        eprintln!("skipped: apt-get install chromium chromium-driver to click through the pages");
    }
    found
}

/// A chromedriver of this test's own, on a free port; it serves several browser sessions.
/// Dropping it ends chromedriver and every browser it started (its own process group).
struct Driver {
    process: Child,
    url: String,
    chromium: &'static str,
}

impl Driver {
    /// Starts chromedriver, or `None` where the browser is not installed (and CI is not set).
    async fn start() -> Option<Driver> {
        let (chromium, chromedriver) = browser_binaries()?;
        let port = TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .expect("a free port")
            .port();
        let process = std::os::unix::process::CommandExt::process_group(
            Command::new(chromedriver)
                .arg(format!("--port={port}"))
                .stdout(Stdio::null())
                .stderr(Stdio::null()),
            0,
        )
        .spawn()
        .expect("chromedriver starts");
        let driver = Driver {
            process,
            url: format!("http://127.0.0.1:{port}"),
            chromium,
        };
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            let status = reqwest::get(format!("{}/status", driver.url)).await;
            if let Ok(response) = status
                && let Ok(body) = response.json::<Value>().await
                && body["value"]["ready"] == true
            {
                return Some(driver);
            }
            assert!(Instant::now() < deadline, "chromedriver did not get ready");
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// A new headless browser with a fresh profile that asks for pages in `language`
    /// (its `Accept-Language`).
    async fn browser(&self, language: &str) -> Browser {
        let profile = tempfile::tempdir().expect("profile folder");
        let capabilities = json!({
            "browserName": "chrome",
            "goog:chromeOptions": {
                "binary": self.chromium,
                "args": [
                    "--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                    "--no-first-run", "--disable-background-networking", "--disable-component-update",
                    "--disable-sync", format!("--lang={language}"),
                    format!("--user-data-dir={}", profile.path().display()),
                ],
                "prefs": {"intl.accept_languages": language},
            }
        });
        let Value::Object(capabilities) = capabilities else {
            unreachable!()
        };
        let client = ClientBuilder::new(hyper_util::client::legacy::connect::HttpConnector::new())
            .capabilities(capabilities)
            .connect(&self.url)
            .await
            .expect("a browser session");
        Browser {
            client,
            _profile: profile,
        }
    }
}

impl Drop for Driver {
    fn drop(&mut self) {
        // The whole group: chromedriver and the browsers it started.
        let _ = Command::new("kill")
            .args(["-KILL", "--", &format!("-{}", self.process.id())])
            .status();
        let _ = self.process.wait();
    }
}

/// One browser session, with the few things a person does on these pages.
struct Browser {
    client: Client,
    _profile: tempfile::TempDir,
}

impl Browser {
    /// Opens `url` and waits for it to load.
    async fn open(&self, url: &str) {
        self.client.goto(url).await.expect("page opens");
    }

    /// Waits (up to 10 s) for the element with this id, e.g. on the page a form led to.
    async fn wait_for(&self, id: &str) -> fantoccini::elements::Element {
        self.client
            .wait()
            .at_most(Duration::from_secs(10))
            .for_element(Locator::Id(id))
            .await
            .unwrap_or_else(|e| panic!("#{id} did not appear: {e}"))
    }

    /// The text of the element with this id (waiting for it).
    async fn text(&self, id: &str) -> String {
        self.wait_for(id).await.text().await.expect("text")
    }

    /// Whether the page now shows an element with this id.
    async fn has(&self, id: &str) -> bool {
        !self
            .client
            .find_all(Locator::Id(id))
            .await
            .expect("find")
            .is_empty()
    }

    /// Types into the field with this id.
    async fn type_into(&self, id: &str, text: &str) {
        self.wait_for(id)
            .await
            .send_keys(text)
            .await
            .expect("typed");
    }

    /// Clicks the element with this id.
    async fn click(&self, id: &str) {
        self.wait_for(id).await.click().await.expect("clicked");
    }

    /// The `lang` of the page's `<html>`.
    async fn page_language(&self) -> String {
        self.client
            .find(Locator::Css("html"))
            .await
            .expect("html")
            .attr("lang")
            .await
            .expect("lang")
            .unwrap_or_default()
    }

    /// Fills the set-password form and presses Save.
    async fn set_password(&self, password: &str, repeat: &str) {
        self.type_into("password", password).await;
        self.type_into("repeat", repeat).await;
        self.click("save").await;
    }

    async fn close(self) {
        self.client.close().await.expect("browser closes");
    }
}

/// The link of the newest mail of `kind` to `recipient`, pointing at this app (the
/// `__HELPMATCH_PUBLIC_URL__` placeholder replaced as the mail worker does on sending).
fn mailed_link(app: &TestApp, kind: &str, recipient: &str) -> String {
    use diesel::prelude::*;
    use helpmatch::db::DbConnection;
    use helpmatch::db::schema::outbox;
    let mut conn = DbConnection::open(&app.database.url).expect("database");
    let body: String = outbox::table
        .filter(outbox::recipient.eq(recipient))
        .filter(outbox::kind.eq(kind))
        .order(outbox::id.desc())
        .select(outbox::text_body)
        .first(&mut conn)
        .unwrap_or_else(|e| panic!("no {kind} mail to {recipient}: {e}"));
    let placeholder = helpmatch::email::PUBLIC_URL;
    let at = body
        .find(placeholder)
        .unwrap_or_else(|| panic!("the {kind} mail has no link: {body}"));
    let link: String = body[at..]
        .chars()
        .take_while(|c| !c.is_whitespace() && !matches!(c, '<' | '>' | '"' | ')'))
        .collect();
    link.replacen(placeholder, &app.address, 1)
}

/// How many mails of `kind` went to `recipient`.
fn mails(app: &TestApp, kind: &str, recipient: &str) -> i64 {
    use diesel::prelude::*;
    use helpmatch::db::DbConnection;
    use helpmatch::db::schema::outbox;
    let mut conn = DbConnection::open(&app.database.url).expect("database");
    outbox::table
        .filter(outbox::recipient.eq(recipient))
        .filter(outbox::kind.eq(kind))
        .count()
        .get_result(&mut conn)
        .expect("outbox")
}

/// Walks an applicant to active (so the `helper_activated` mail is queued); returns the id.
async fn activated_helper(app: &TestApp, admin: &str, branch: i64, email: &str) -> i64 {
    let helper = app.apply(branch, email).await["helper_id"]
        .as_i64()
        .unwrap();
    for body in [
        json!({"to": "screened"}),
        json!({"to": "interview_1"}),
        json!({"to": "interview_2"}),
        json!({"to": "interview_3", "criminal_record": {"checked_on": "2026-11-20", "outcome": "clear"}}),
        json!({"to": "active"}),
    ] {
        assert_eq!(app.transition(admin, helper, body).await.status(), 200);
    }
    helper
}

#[tokio::test]
async fn the_activation_link_sets_a_password_in_the_browser_and_works_only_once() {
    let Some(driver) = Driver::start().await else {
        return;
    };
    let app = spawn_app(TestBackend::Sqlite).await;
    let admin = app.admin_token().await;
    let branch = app.create_branch(&admin, "Aarhus").await;
    activated_helper(&app, &admin, branch, "anna@example.dk").await;
    let link = mailed_link(&app, "helper_activated", "anna@example.dk");
    let browser = driver.browser("da").await;

    browser.open(&link).await;
    browser.set_password(NEW_PASSWORD, NEW_PASSWORD).await;

    assert_eq!(
        browser.text("message").await,
        "Din adgangskode er gemt. Du kan nu logge ind i helpmatch-appen."
    );
    assert_eq!(
        app.login("anna@example.dk", NEW_PASSWORD).await.status(),
        200,
        "the password set in the browser logs in"
    );
    // The same link again: used up, with the way to a new one.
    browser.open(&link).await;
    assert_eq!(
        browser.text("message").await,
        "Linket er brugt eller udløbet. Bed om et nyt, så sender vi det med det samme."
    );
    assert!(!browser.has("password").await, "no form for a used link");
    let next = browser.wait_for("next").await;
    assert_eq!(
        next.prop("href").await.unwrap().unwrap(),
        format!("{}/forgot-password", app.address)
    );
    browser.click("next").await;
    browser.wait_for("email").await;
    browser.close().await;
}

#[tokio::test]
async fn mismatched_passwords_are_shown_at_the_form_and_set_nothing() {
    let Some(driver) = Driver::start().await else {
        return;
    };
    let app = spawn_app(TestBackend::Sqlite).await;
    let admin = app.admin_token().await;
    let branch = app.create_branch(&admin, "Aarhus").await;
    activated_helper(&app, &admin, branch, "anna@example.dk").await;
    let link = mailed_link(&app, "helper_activated", "anna@example.dk");
    let browser = driver.browser("da").await;

    browser.open(&link).await;
    browser
        .set_password(NEW_PASSWORD, "a-sentence-I-can-forget")
        .await;

    assert_eq!(
        browser.text("error").await,
        "De to adgangskoder er ikke ens. Prøv igen."
    );
    assert!(
        browser.has("password").await,
        "the form is there to try again"
    );
    for password in [NEW_PASSWORD, "a-sentence-I-can-forget"] {
        assert_eq!(app.login("anna@example.dk", password).await.status(), 401);
    }
    // The link was not used up: the form still works with matching passwords.
    browser.set_password(NEW_PASSWORD, NEW_PASSWORD).await;
    browser.wait_for("message").await;
    assert_eq!(
        app.login("anna@example.dk", NEW_PASSWORD).await.status(),
        200
    );
    browser.close().await;
}

#[tokio::test]
async fn the_forgot_password_page_answers_alike_and_the_mailed_link_resets_the_password() {
    let Some(driver) = Driver::start().await else {
        return;
    };
    let app = spawn_app(TestBackend::Sqlite).await;
    let admin = app.admin_token().await;
    let branch = app.create_branch(&admin, "Aarhus").await;
    app.leader_token(&admin, branch, "lone@example.dk").await;
    let browser = driver.browser("da").await;
    let ask = |email: &'static str| {
        let browser = &browser;
        let page = format!("{}/forgot-password", app.address);
        async move {
            browser.open(&page).await;
            browser.type_into("email", email).await;
            browser.click("send").await;
            browser.text("message").await
        }
    };

    let known = ask("lone@example.dk").await;
    let unknown = ask("nobody@example.dk").await;

    assert_eq!(
        known,
        "Hvis e-mailen har en konto hos os, er et link på vej. Det virker i en time."
    );
    assert_eq!(known, unknown, "the page does not tell who has an account");
    assert_eq!(mails(&app, "password_reset", "lone@example.dk"), 1);
    assert_eq!(mails(&app, "password_reset", "nobody@example.dk"), 0);
    browser
        .open(&mailed_link(&app, "password_reset", "lone@example.dk"))
        .await;
    browser.set_password(NEW_PASSWORD, NEW_PASSWORD).await;
    assert_eq!(
        browser.text("message").await,
        "Din adgangskode er gemt. Du kan nu logge ind i helpmatch-appen."
    );
    assert_eq!(
        app.login("lone@example.dk", NEW_PASSWORD).await.status(),
        200
    );
    assert_eq!(
        app.login("lone@example.dk", PASSWORD).await.status(),
        401,
        "the old password is gone"
    );
    browser.close().await;
}

#[tokio::test]
async fn the_application_mail_opens_the_applicants_status_page_with_branch_and_stage() {
    let Some(driver) = Driver::start().await else {
        return;
    };
    let app = spawn_app(TestBackend::Sqlite).await;
    let admin = app.admin_token().await;
    let branch = app.create_branch(&admin, "Aarhus").await;
    let helper = app.apply(branch, "anna@example.dk").await["helper_id"]
        .as_i64()
        .unwrap();
    let link = mailed_link(&app, "application_received", "anna@example.dk");
    let browser = driver.browser("da").await;

    browser.open(&link).await;
    let (branch_shown, stage) = (browser.text("branch").await, browser.text("stage").await);
    assert_eq!(
        app.transition(&admin, helper, json!({"to": "screened"}))
            .await
            .status(),
        200
    );
    browser.open(&link).await;
    let moved = browser.text("stage").await;

    assert_eq!(branch_shown, "Aarhus");
    assert_eq!(stage, "Ansøgning modtaget");
    assert_eq!(
        moved, "Ansøgningen er læst",
        "the page shows the stage as it is now"
    );
    assert_eq!(browser.page_language().await, "da");
    browser.close().await;
}

#[tokio::test]
async fn a_browser_asking_for_english_gets_the_pages_in_english() {
    let Some(driver) = Driver::start().await else {
        return;
    };
    let app = spawn_app(TestBackend::Sqlite).await;
    let admin = app.admin_token().await;
    let branch = app.create_branch(&admin, "Aarhus").await;
    let mut body = application(branch, "anna@example.dk");
    body["languages"] = json!(["en"]);
    app.post_ok("/api/v1/applications", None, body, 201).await;
    let link = mailed_link(&app, "application_received", "anna@example.dk");
    let english = driver.browser("en").await;
    let danish = driver.browser("da").await;

    english.open(&link).await;
    danish.open(&link).await;

    assert_eq!(english.text("stage").await, "Application received");
    assert_eq!(english.page_language().await, "en");
    assert_eq!(danish.text("stage").await, "Ansøgning modtaget");
    english
        .open(&format!("{}/forgot-password", app.address))
        .await;
    english.type_into("email", "nobody@example.dk").await;
    english.click("send").await;
    assert_eq!(
        english.text("message").await,
        "If the email has an account with us, a link is on its way. It works for an hour."
    );
    english.close().await;
    danish.close().await;
}

#[tokio::test]
async fn a_relatives_invitation_and_access_mails_open_working_pages() {
    let Some(driver) = Driver::start().await else {
        return;
    };
    let app = spawn_app(TestBackend::Sqlite).await;
    let admin = app.admin_token().await;
    let branch = app.create_branch(&admin, "Aarhus").await;
    let karen = app.create_client(&admin, branch, "karen@example.dk").await;
    let ib = app.create_client(&admin, branch, "ib@example.dk").await;
    let relative = json!({"name": "Mette Nielsen", "email": "mette@example.dk", "relation": "daughter",
                          "can_view": true, "consent_given_on": "2026-11-01", "create_account": true});
    let add_relative = |client: i64| {
        let (app, admin, body) = (&app, &admin, relative.clone());
        async move {
            app.call(
                Method::POST,
                &format!("/api/v1/clients/{client}/relatives"),
                Some(admin),
                Some(body),
            )
            .await
        }
    };
    assert_eq!(add_relative(karen).await.status(), 201);
    let browser = driver.browser("da").await;

    browser
        .open(&mailed_link(&app, "account_invitation", "mette@example.dk"))
        .await;
    browser.set_password(NEW_PASSWORD, NEW_PASSWORD).await;
    browser.wait_for("message").await;
    let linked: Value = add_relative(ib).await.json().await.unwrap();
    assert_eq!(linked["linked_existing_account"], true, "{linked}");
    // The relative-access mail only says "log in": its link opens the landing page.
    browser
        .open(&mailed_link(&app, "relative_access", "mette@example.dk"))
        .await;

    assert!(
        browser.text("forgot").await.contains("Glemt adgangskode"),
        "the landing page opened"
    );
    browser.click("forgot").await;
    browser.wait_for("email").await;
    assert_eq!(
        app.login("mette@example.dk", NEW_PASSWORD).await.status(),
        200
    );
    browser.close().await;
}
