//! Layered configuration: built-in defaults, `config/base.toml`, `config/<environment>.toml`,
//! then `HELPMATCH__SECTION__KEY` environment variables (highest precedence).

use std::path::PathBuf;

use figment::Figment;
use figment::providers::{Env, Format, Toml};
use secrecy::ExposeSecret;
use serde::Deserialize;

mod sections;

pub use sections::{
    AuthSettings, ConsoleSettings, DatabaseSettings, DigestSettings, EmailSettings, EmailTransport,
    MetricsSettings, RetentionSettings, ServerSettings, ThrottleSettings, VisitSettings,
};

/// `config/base.toml` compiled in, so the binary runs anywhere with no files beside it.
const BUILT_IN_DEFAULTS: &str = include_str!("../../config/base.toml");

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
    use secrecy::SecretString;

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
