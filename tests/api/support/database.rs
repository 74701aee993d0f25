//! A fresh database per test: a SQLite file in a temporary folder, or a PostgreSQL
//! database created from the admin URL in `TEST_DATABASE_URL` and dropped afterwards.

use diesel::{Connection, PgConnection, RunQueryDsl};

/// Which database a test runs on.
#[derive(Debug, Clone)]
pub enum TestBackend {
    /// A temporary SQLite file.
    Sqlite,
    /// A new database on the server behind this admin URL.
    Postgres {
        /// URL of a role allowed to create databases.
        admin_url: String,
    },
}

impl TestBackend {
    /// PostgreSQL when `TEST_DATABASE_URL` is set. In CI (`CI=true`) a missing URL fails
    /// the test instead of skipping it, so the PostgreSQL half can never silently vanish.
    pub fn postgres() -> Option<TestBackend> {
        match std::env::var("TEST_DATABASE_URL") {
            Ok(admin_url) if !admin_url.is_empty() => Some(TestBackend::Postgres { admin_url }),
            _ if std::env::var("CI").is_ok_and(|v| v == "true") => {
                panic!(
                    "CI=true but TEST_DATABASE_URL is not set: PostgreSQL tests would be skipped"
                )
            }
            _ => {
                eprintln!("skipped: set TEST_DATABASE_URL to run the PostgreSQL tests");
                None
            }
        }
    }
}

/// A database that exists for one test.
pub struct TestDatabase {
    /// URL the service connects with.
    pub url: String,
    /// The admin URL and database name, for PostgreSQL clean-up.
    postgres: Option<(String, String)>,
    /// Keeps the SQLite folder alive until the test ends.
    _dir: Option<tempfile::TempDir>,
}

impl TestDatabase {
    /// Creates an empty database for one test.
    pub fn create(backend: TestBackend) -> TestDatabase {
        match backend {
            TestBackend::Sqlite => {
                let dir = tempfile::tempdir().expect("temporary folder");
                let url = format!("sqlite://{}", dir.path().join("test.db").display());
                TestDatabase {
                    url,
                    postgres: None,
                    _dir: Some(dir),
                }
            }
            TestBackend::Postgres { admin_url } => {
                let name = format!("helpmatch_test_{}", uuid::Uuid::new_v4().simple());
                let mut admin =
                    PgConnection::establish(&admin_url).expect("connect to TEST_DATABASE_URL");
                diesel::sql_query(format!("CREATE DATABASE {name}"))
                    .execute(&mut admin)
                    .expect("create test database");
                let url = with_database(&admin_url, &name);
                TestDatabase {
                    url,
                    postgres: Some((admin_url, name)),
                    _dir: None,
                }
            }
        }
    }
}

impl Drop for TestDatabase {
    fn drop(&mut self) {
        if let Some((admin_url, name)) = self.postgres.take() {
            // FORCE ends the still-running service's pooled connections.
            if let Ok(mut admin) = PgConnection::establish(&admin_url) {
                let _ = diesel::sql_query(format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
                    .execute(&mut admin);
            }
        }
    }
}

/// `postgres://u@h:p/old?x` → `postgres://u@h:p/name?x`.
pub fn with_database(url: &str, name: &str) -> String {
    let (base, query) = match url.split_once('?') {
        Some((base, query)) => (base, Some(query)),
        None => (url, None),
    };
    let scheme_end = base.find("://").map_or(0, |i| i + 3);
    let root = match base[scheme_end..].find('/') {
        Some(slash) => &base[..scheme_end + slash],
        None => base,
    };
    match query {
        Some(query) => format!("{root}/{name}?{query}"),
        None => format!("{root}/{name}"),
    }
}
