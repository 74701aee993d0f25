//! A real browser for page tests: Debian's Chromium driven by its chromedriver over WebDriver
//! (fantoccini), and the mailed links those pages are opened from.

use std::net::TcpListener;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use fantoccini::{Client, ClientBuilder, Locator};
use serde_json::{Value, json};

use super::TestApp;

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
pub struct Driver {
    process: Child,
    url: String,
    chromium: &'static str,
}

impl Driver {
    /// Starts chromedriver, or `None` where the browser is not installed (and CI is not set).
    pub async fn start() -> Option<Driver> {
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
    pub async fn browser(&self, language: &str) -> Browser {
        self.browser_with(language, json!({})).await
    }

    /// The same browser, saving downloads into `folder` without asking.
    pub async fn browser_downloading_to(
        &self,
        language: &str,
        folder: &std::path::Path,
    ) -> Browser {
        let prefs = json!({
            "download.default_directory": folder.display().to_string(),
            "download.prompt_for_download": false,
        });
        self.browser_with(language, prefs).await
    }

    async fn browser_with(&self, language: &str, mut prefs: Value) -> Browser {
        prefs["intl.accept_languages"] = json!(language);
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
                "prefs": prefs,
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
pub struct Browser {
    /// The WebDriver session, for what the helpers below do not cover.
    pub client: Client,
    _profile: tempfile::TempDir,
}

impl Browser {
    /// Opens `url` and waits for it to load.
    pub async fn open(&self, url: &str) {
        self.client.goto(url).await.expect("page opens");
    }

    /// Waits (up to 10 s) for the element with this id, e.g. on the page a form led to.
    pub async fn wait_for(&self, id: &str) -> fantoccini::elements::Element {
        self.client
            .wait()
            .at_most(Duration::from_secs(10))
            .for_element(Locator::Id(id))
            .await
            .unwrap_or_else(|e| panic!("#{id} did not appear: {e}"))
    }

    /// The text of the element with this id (waiting for it).
    pub async fn text(&self, id: &str) -> String {
        self.wait_for(id).await.text().await.expect("text")
    }

    /// Whether the page now shows an element with this id.
    pub async fn has(&self, id: &str) -> bool {
        !self
            .client
            .find_all(Locator::Id(id))
            .await
            .expect("find")
            .is_empty()
    }

    /// Types into the field with this id.
    pub async fn type_into(&self, id: &str, text: &str) {
        self.wait_for(id)
            .await
            .send_keys(text)
            .await
            .expect("typed");
    }

    /// Clicks the element with this id.
    pub async fn click(&self, id: &str) {
        self.wait_for(id).await.click().await.expect("clicked");
    }

    /// The `lang` of the page's `<html>`.
    pub async fn page_language(&self) -> String {
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
    pub async fn set_password(&self, password: &str, repeat: &str) {
        self.type_into("password", password).await;
        self.type_into("repeat", repeat).await;
        self.click("save").await;
    }

    /// Picks the option with this value in the `<select>` with this id.
    pub async fn select(&self, id: &str, value: &str) {
        self.wait_for(id)
            .await
            .select_by_value(value)
            .await
            .unwrap_or_else(|e| panic!("#{id} has no option {value}: {e}"));
    }

    /// The address the browser is on now.
    pub async fn url(&self) -> String {
        self.client.current_url().await.expect("url").to_string()
    }

    /// Waits (up to 10 s) for an element matching the CSS selector.
    pub async fn wait_css(&self, css: &str) -> fantoccini::elements::Element {
        self.client
            .wait()
            .at_most(Duration::from_secs(10))
            .for_element(Locator::Css(css))
            .await
            .unwrap_or_else(|e| panic!("{css} did not appear: {e}"))
    }

    /// Saves a PNG of the window into `docs/console/<name>.png` when `HELPMATCH_SCREENSHOTS` is
    /// set (how the README's pictures are made: see docs/console.md).
    pub async fn screenshot(&self, name: &str) {
        if std::env::var_os("HELPMATCH_SCREENSHOTS").is_none() {
            return;
        }
        let png = self.client.screenshot().await.expect("screenshot");
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/console");
        std::fs::create_dir_all(&dir).expect("docs/console");
        std::fs::write(dir.join(format!("{name}.png")), png).expect("screenshot saved");
    }

    pub async fn close(self) {
        self.client.close().await.expect("browser closes");
    }
}

/// The link of the newest mail of `kind` to `recipient`, pointing at this app (the
/// `__HELPMATCH_PUBLIC_URL__` placeholder replaced as the mail worker does on sending).
pub fn mailed_link(app: &TestApp, kind: &str, recipient: &str) -> String {
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
pub fn mails(app: &TestApp, kind: &str, recipient: &str) -> i64 {
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
