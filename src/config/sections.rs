//! The sections of the configuration, one type each, as `config/base.toml` lays them out.

use std::path::PathBuf;

use secrecy::SecretString;
use serde::Deserialize;

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
