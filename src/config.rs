//! Layered configuration: built-in defaults, `config/base.toml`, `config/<environment>.toml`,
//! then `HELPMATCH__SECTION__KEY` environment variables (highest precedence).

use std::path::PathBuf;

use figment::Figment;
use figment::providers::{Env, Format, Toml};
use secrecy::{ExposeSecret, SecretString};
use serde::Deserialize;

/// `config/base.toml` compiled in, so the binary runs anywhere with no files beside it.
const BUILT_IN_DEFAULTS: &str = include_str!("../config/base.toml");

/// The JWT secret used when none is configured; production refuses to start with it.
pub const DEVELOPMENT_JWT_SECRET: &str = "development-only-secret-change-me";

/// Which environment the service runs in; picks `config/<environment>.toml`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum Environment {
    /// A developer's machine: the default.
    #[default]
    Development,
    /// The test suite.
    Test,
    /// Real users: JSON logs, no default secrets.
    Production,
}

impl Environment {
    fn as_str(self) -> &'static str {
        match self {
            Environment::Development => "development",
            Environment::Test => "test",
            Environment::Production => "production",
        }
    }
}

/// Everything the service can be configured with.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Settings {
    /// Environment this configuration was loaded for.
    #[serde(default)]
    pub environment: Environment,
    /// HTTP listener.
    pub server: ServerSettings,
    /// Database connection.
    pub database: DatabaseSettings,
    /// Token signing.
    pub auth: AuthSettings,
    /// Outgoing email.
    pub email: EmailSettings,
    /// Booking rules.
    pub visits: VisitSettings,
    /// Rate limits for public endpoints and logins.
    pub throttle: ThrottleSettings,
    /// The branch console in the browser.
    pub console: ConsoleSettings,
    /// The branch leaders' morning digest.
    pub digest: DigestSettings,
    /// The Prometheus scrape endpoint.
    pub metrics: MetricsSettings,
    /// How long personal data no longer needed is kept (docs/privacy.md).
    pub retention: RetentionSettings,
}

/// How long data no longer needed is kept; the retention jobs erase or purge it once a day.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RetentionSettings {
    /// A rejected or withdrawn applicant is erased this many months after the decision.
    pub applicants_months: u32,
    /// A sent or given-up mail loses its body and attachment after this many days.
    pub mail_days: u32,
    /// Audit entries older than this many months are deleted.
    pub audit_months: u32,
}

/// The Prometheus scrape endpoint (`GET /metrics`), on a listener of its own.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MetricsSettings {
    /// Address of the metrics listener; loopback by default, never public unless set so.
    pub bind: String,
}

/// The branch leaders' morning digest.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DigestSettings {
    /// The local hour (branch time) from which the day's digest goes out.
    pub hour: u32,
    /// An application in one pipeline stage longer than this many days is named.
    pub application_wait_days: i64,
}

/// The branch console (see docs/console.md).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ConsoleSettings {
    /// How long a sign-in lasts, hours.
    pub session_hours: i64,
    /// Marks the session cookie `Secure` always. Without it the cookie is `Secure` when the
    /// request came over HTTPS (directly, or per `X-Forwarded-Proto` from a trusted proxy).
    pub secure_cookie: bool,
}

/// Rate limits (see `services::throttle`).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ThrottleSettings {
    /// Length of the failed-login window, minutes.
    pub login_window_minutes: i64,
    /// Failed logins for one account from one address before the wait starts doubling.
    pub login_failures_per_account: u32,
    /// Failed logins from one address (any account) per window.
    pub login_failures_per_address: u32,
    /// Public applications per address per hour.
    pub applications_per_address_per_hour: u32,
    /// Password-reset requests per address per hour.
    pub password_resets_per_address_per_hour: u32,
    /// Password-reset mails per account per hour.
    pub password_resets_per_account_per_hour: u32,
}

/// Booking rules for visits and clip-card hours.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct VisitSettings {
    /// Shortest bookable visit in minutes (a multiple of 30).
    pub min_minutes: i32,
    /// Longest bookable visit in minutes.
    pub max_minutes: i32,
    /// Minutes kept free between two visits of one helper (travel).
    pub travel_buffer_minutes: i64,
    /// A cancellation this many hours or more before the start is free.
    pub free_cancellation_hours: i64,
    /// Check-in or check-out farther than this from the client's home is flagged.
    pub position_flag_distance_m: i64,
    /// Weeks of occurrences a recurring booking creates ahead.
    pub recurring_weeks_ahead: u32,
    /// A balance at or below this after a booking is a low-balance event.
    pub low_balance_minutes: i64,
    /// Visits start on a multiple of this many minutes past the hour (local time).
    pub start_step_minutes: u32,
    /// Check-in is accepted from this many minutes before the start until the visit's end.
    pub check_in_opens_minutes: i64,
    /// A checked time shorter than booked by more than this goes to the branch for review.
    pub short_visit_tolerance_minutes: i64,
    /// An open visit is offered to the client's team first, and this many hours later to the
    /// branch's other free helpers.
    pub open_offer_delay_hours: i64,
    /// An open visit starting within this many hours is offered to the branch at once.
    pub open_offer_branch_within_hours: i64,
    /// An open visit nobody has taken this many hours before its start is uncovered.
    pub open_cover_deadline_hours: i64,
    /// A check-in or check-out recorded offline is accepted this many hours later at most.
    pub offline_sync_hours: i64,
    /// One that arrives more than this many minutes after it was recorded marks the visit
    /// `synced_late`.
    pub offline_late_minutes: i64,
}

/// HTTP listener settings.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ServerSettings {
    /// Address to bind, e.g. `127.0.0.1` or `0.0.0.0`.
    pub host: String,
    /// Port to bind; 0 picks a free one (tests).
    pub port: u16,
    /// Worker threads; 0 means one per core.
    pub workers: usize,
    /// Seconds in-flight requests get to finish after SIGTERM.
    pub shutdown_timeout_secs: u64,
    /// Largest accepted request body in bytes.
    pub max_body_bytes: usize,
    /// Reverse proxies whose `X-Forwarded-For` names the real client address (empty: none).
    pub trusted_proxies: Vec<std::net::IpAddr>,
}

/// Database settings; the backend is chosen from the URL scheme.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DatabaseSettings {
    /// `postgres://…`, `sqlite://path`, or a plain file path (SQLite).
    pub url: SecretString,
    /// Most connections this process holds.
    pub max_connections: u32,
    /// Seconds to wait for a connection before answering "unavailable".
    pub connect_timeout_secs: u64,
    /// How long a statement waits for a lock another transaction holds (SQLite's busy timeout,
    /// PostgreSQL's `lock_timeout`) before it fails with a 503.
    pub lock_timeout_ms: u64,
}

/// Authentication settings.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AuthSettings {
    /// HMAC secret for access tokens.
    pub jwt_secret: SecretString,
}

/// How mail leaves the service (see docs/email.md).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EmailSettings {
    /// `file` writes `.eml` files into `file_dir`; `smtp` sends through `smtp_url`.
    pub transport: EmailTransport,
    /// Folder for `.eml` files when `transport = "file"`.
    pub file_dir: PathBuf,
    /// e.g. `smtps://user:pass@mail.example.com:465` when `transport = "smtp"`.
    pub smtp_url: Option<SecretString>,
    /// Sender address of every mail.
    pub from: String,
    /// Base of links in mails (set-password), e.g. `https://app.helpmatch.dk`.
    pub public_url: String,
    /// Run the delivery worker inside `helpmatch serve` (`helpmatch worker` runs it alone).
    pub worker: bool,
    /// How often an idle worker looks for due mails, in milliseconds.
    pub poll_interval_ms: u64,
    /// Most mails one worker claims at a time.
    pub batch_size: i64,
    /// Wait after the first failed attempt, in milliseconds; doubled per attempt.
    pub retry_initial_ms: u64,
    /// Longest wait between attempts, in milliseconds.
    pub retry_max_ms: u64,
    /// A mail still unsent this long after it was queued is marked `failed`.
    pub give_up_after_secs: u64,
    /// How long a claimed mail stays with its worker before another may take it (a crashed worker).
    pub lease_secs: u64,
    /// Timeout of one SMTP exchange, in seconds (keep it well under `lease_secs`).
    pub smtp_timeout_secs: u64,
}

/// Email transport choice.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum EmailTransport {
    /// Write mails as files (the embedded default).
    File,
    /// Send through an SMTP server.
    Smtp,
}

/// Why the configuration could not be used.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    /// A file or variable did not parse.
    #[error("invalid configuration: {0}")]
    Invalid(#[from] Box<figment::Error>),
    /// The configuration parsed but is unsafe or inconsistent.
    #[error("refusing to start: {0}")]
    Rejected(String),
}

impl Settings {
    /// Loads the configuration for the environment named by `HELPMATCH_ENVIRONMENT`
    /// (default `development`) from `HELPMATCH_CONFIG_DIR` (default `./config`).
    pub fn load() -> Result<Settings, ConfigError> {
        let environment = match std::env::var("HELPMATCH_ENVIRONMENT") {
            Ok(name) => parse_environment(&name)?,
            Err(_) => Environment::default(),
        };
        let dir = std::env::var("HELPMATCH_CONFIG_DIR").unwrap_or_else(|_| "config".into());
        Self::load_from(environment, &PathBuf::from(dir))
    }

    /// Loads defaults, then `dir/base.toml`, `dir/<environment>.toml` and the environment.
    /// Missing files are skipped, so the service runs with no configuration at all.
    pub fn load_from(
        environment: Environment,
        dir: &std::path::Path,
    ) -> Result<Settings, ConfigError> {
        let mut settings: Settings = Figment::from(Toml::string(BUILT_IN_DEFAULTS))
            .merge(Toml::file(dir.join("base.toml")))
            .merge(Toml::file(
                dir.join(format!("{}.toml", environment.as_str())),
            ))
            .merge(Env::prefixed("HELPMATCH__").split("__").lowercase(true))
            .extract()
            .map_err(Box::new)?;
        settings.environment = environment;
        settings.validate()?;
        Ok(settings)
    }

    /// Rejects configurations that must never reach production.
    pub fn validate(&self) -> Result<(), ConfigError> {
        if self.environment == Environment::Production {
            let secret = self.auth.jwt_secret.expose_secret();
            if secret == DEVELOPMENT_JWT_SECRET || secret.len() < 32 {
                return Err(ConfigError::Rejected(
                    "auth.jwt_secret must be set to a random value of at least 32 characters in production (HELPMATCH__AUTH__JWT_SECRET)".into(),
                ));
            }
            if self.email.transport != EmailTransport::Smtp || self.email.smtp_url.is_none() {
                return Err(ConfigError::Rejected(
                    "production needs email.transport = \"smtp\" and email.smtp_url (HELPMATCH__EMAIL__SMTP_URL)".into(),
                ));
            }
        }
        if self.email.transport == EmailTransport::Smtp && self.email.smtp_url.is_none() {
            return Err(ConfigError::Rejected(
                "email.transport = \"smtp\" needs email.smtp_url".into(),
            ));
        }
        let step = self.visits.start_step_minutes;
        if step == 0 || 60 % step != 0 {
            return Err(ConfigError::Rejected(
                "visits.start_step_minutes must divide an hour (1, 5, 15, 30, 60 …)".into(),
            ));
        }
        if self.digest.hour > 23 || self.digest.application_wait_days < 0 {
            return Err(ConfigError::Rejected(
                "digest.hour must be 0-23 and digest.application_wait_days 0 or more".into(),
            ));
        }
        let kept = &self.retention;
        if kept.applicants_months == 0 || kept.mail_days == 0 || kept.audit_months == 0 {
            return Err(ConfigError::Rejected(
                "retention.applicants_months, retention.mail_days and retention.audit_months must be at least 1".into(),
            ));
        }
        if self.email.batch_size < 1 || self.email.smtp_timeout_secs >= self.email.lease_secs {
            return Err(ConfigError::Rejected(
                "email.batch_size must be at least 1 and email.smtp_timeout_secs below email.lease_secs (else two workers could send one mail)".into(),
            ));
        }
        Ok(())
    }

    /// True when logs should be JSON lines (production).
    pub fn json_logs(&self) -> bool {
        self.environment == Environment::Production
    }
}

fn parse_environment(name: &str) -> Result<Environment, ConfigError> {
    match name.to_ascii_lowercase().as_str() {
        "development" | "dev" => Ok(Environment::Development),
        "test" => Ok(Environment::Test),
        "production" | "prod" => Ok(Environment::Production),
        other => Err(ConfigError::Rejected(format!(
            "HELPMATCH_ENVIRONMENT must be development, test or production, not {other:?}"
        ))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn defaults() -> Settings {
        let empty = tempfile::tempdir().unwrap();
        Settings::load_from(Environment::Development, empty.path()).unwrap()
    }

    #[test]
    fn no_configuration_means_sqlite_in_data_and_localhost_8080() {
        let settings = defaults();
        assert_eq!(
            settings.database.url.expose_secret(),
            "sqlite://data/helpmatch.db"
        );
        assert_eq!(
            (settings.server.host.as_str(), settings.server.port),
            ("127.0.0.1", 8080)
        );
        assert_eq!(settings.email.transport, EmailTransport::File);
    }

    #[test]
    fn production_refuses_the_default_jwt_secret() {
        let mut settings = Settings {
            environment: Environment::Production,
            ..defaults()
        };
        settings.email.transport = EmailTransport::Smtp;
        settings.email.smtp_url = Some(SecretString::from("smtp://127.0.0.1:25"));
        let err = settings.validate().unwrap_err();
        assert!(err.to_string().contains("jwt_secret"), "{err}");
        settings.auth.jwt_secret = SecretString::from("x".repeat(40));
        settings.validate().unwrap();
    }

    #[test]
    fn production_refuses_to_start_without_smtp() {
        let mut settings = Settings {
            environment: Environment::Production,
            ..defaults()
        };
        settings.auth.jwt_secret = SecretString::from("x".repeat(40));
        assert!(
            settings
                .validate()
                .unwrap_err()
                .to_string()
                .contains("smtp")
        );
    }

    #[test]
    fn secrets_are_not_printed_by_debug() {
        let settings = defaults();
        let printed = format!("{settings:?}");
        assert!(!printed.contains(DEVELOPMENT_JWT_SECRET));
        assert!(!printed.contains("helpmatch.db"));
    }

    #[test]
    fn an_environment_file_overrides_base() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("base.toml"), "[server]\nport = 9000\n").unwrap();
        std::fs::write(dir.path().join("test.toml"), "[server]\nport = 9001\n").unwrap();
        let settings = Settings::load_from(Environment::Test, dir.path()).unwrap();
        assert_eq!(settings.server.port, 9001);
        let dev = Settings::load_from(Environment::Development, dir.path()).unwrap();
        assert_eq!(dev.server.port, 9000);
    }

    #[test]
    fn an_unknown_key_is_an_error_not_silently_ignored() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("base.toml"), "[server]\nprot = 9000\n").unwrap();
        assert!(Settings::load_from(Environment::Development, dir.path()).is_err());
    }
}
