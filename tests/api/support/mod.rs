//! `spawn_app()` and the `TestApp` every test talks through.

pub mod browser;
pub mod console;
mod database;
pub mod fixtures;
mod proxy;

pub use database::{TestBackend, TestDatabase, with_database};
pub use proxy::TcpProxy;

use helpmatch::config::{Environment, Settings};
use helpmatch::startup::Application;
use secrecy::SecretString;

/// Runs each listed `async fn name(backend: TestBackend)` as two tests, `sqlite::name`
/// and `postgres::name`, so the same assertions hold on both databases.
#[macro_export]
macro_rules! on_both_backends {
    ($($name:ident),+ $(,)?) => {
        mod sqlite {
            $(
                #[tokio::test]
                async fn $name() {
                    super::$name($crate::support::TestBackend::Sqlite).await;
                }
            )+
        }
        mod postgres {
            $(
                #[tokio::test]
                async fn $name() {
                    if let Some(backend) = $crate::support::TestBackend::postgres() {
                        super::$name(backend).await;
                    }
                }
            )+
        }
    };
}

/// A running service and a client for it.
pub struct TestApp {
    /// `http://127.0.0.1:<port>`.
    pub address: String,
    /// The metrics listener, `http://127.0.0.1:<port>`.
    pub metrics_address: String,
    /// HTTP client; no cookies, no redirects.
    pub client: reqwest::Client,
    /// The test's own database; dropped (and deleted) with the app.
    pub database: TestDatabase,
}

/// Test settings: `config/test.toml` from this repository.
pub fn test_settings() -> Settings {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("config");
    Settings::load_from(Environment::Test, &dir).expect("test configuration loads")
}

/// Starts the real application on a random port with a fresh database.
pub async fn spawn_app(backend: TestBackend) -> TestApp {
    spawn_app_with(backend, |_| {}).await
}

/// Like `spawn_app`, with a chance to adjust the settings (after the database URL is set).
pub async fn spawn_app_with(backend: TestBackend, adjust: impl FnOnce(&mut Settings)) -> TestApp {
    if std::env::var("TEST_LOG").is_ok() {
        helpmatch::telemetry::init(false);
    }
    let database = TestDatabase::create(backend);
    let mut settings = test_settings();
    settings.database.url = SecretString::from(database.url.clone());
    adjust(&mut settings);
    let app = Application::build(settings)
        .await
        .expect("application starts");
    let address = format!("http://127.0.0.1:{}", app.port());
    let metrics_address = format!("http://127.0.0.1:{}", app.metrics_port());
    tokio::spawn(app.run_until_stopped());
    let client = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("client builds");
    TestApp {
        address,
        metrics_address,
        client,
        database,
    }
}

impl TestApp {
    /// `GET path`.
    pub async fn get(&self, path: &str) -> reqwest::Response {
        self.client
            .get(format!("{}{path}", self.address))
            .send()
            .await
            .expect("request sent")
    }

    /// `GET /health/live`.
    pub async fn health_live(&self) -> reqwest::Response {
        self.get("/health/live").await
    }

    /// `GET /health/ready`.
    pub async fn health_ready(&self) -> reqwest::Response {
        self.get("/health/ready").await
    }

    /// A request with a raw body and content type, for malformed-input tests.
    pub async fn send_raw(
        &self,
        method: reqwest::Method,
        path: &str,
        content_type: &str,
        body: impl Into<reqwest::Body>,
    ) -> reqwest::Response {
        self.client
            .request(method, format!("{}{path}", self.address))
            .header("content-type", content_type)
            .body(body)
            .send()
            .await
            .expect("request sent")
    }
}

/// Asserts a response is problem+json with `status`, and returns its body.
pub async fn assert_problem(response: reqwest::Response, status: u16) -> serde_json::Value {
    assert_eq!(response.status().as_u16(), status, "unexpected status");
    let content_type = response
        .headers()
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_string();
    assert_eq!(content_type, "application/problem+json");
    let body: serde_json::Value = response.json().await.expect("problem body is JSON");
    assert_eq!(body["status"], status);
    assert!(
        body["type"].is_string() && body["title"].is_string() && body["detail"].is_string(),
        "{body}"
    );
    body
}
