//! The delivery worker: claims due outbox mails, sends them, records the outcome, retries with
//! exponential backoff and gives up into `failed` after `email.give_up_after_secs`.
//! Started with the other periodic jobs by `crate::jobs`; any number of instances may share
//! one PostgreSQL (claims never overlap), SQLite is meant for one process.

use std::time::Duration;

use chrono::NaiveDateTime;
use tokio::sync::watch;

use super::error::EmailError;
use super::transport::{Mailer, TransportError};
use crate::config::EmailSettings;
use crate::db::models::now;
use crate::db::models::outbox::OutboxMail;
use crate::db::{DbConnection, DbError, DbPool};

/// A configured worker, not yet running.
#[derive(Clone)]
pub struct Worker {
    pool: DbPool,
    mailer: Mailer,
    settings: EmailSettings,
}

/// What one round did.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Round {
    /// Mails claimed.
    pub claimed: usize,
    /// Mails delivered.
    pub sent: usize,
}

impl Worker {
    /// Builds the transport from the settings; fails on an unusable SMTP URL or sender.
    pub fn new(pool: DbPool, settings: &EmailSettings) -> Result<Worker, EmailError> {
        Ok(Worker {
            pool,
            mailer: Mailer::from_settings(settings)?,
            settings: settings.clone(),
        })
    }

    /// Polls until `stopped` turns true; a mail being sent is finished first.
    pub async fn run(self, mut stopped: watch::Receiver<bool>) {
        if let Err(error) = self.mailer.prepare(&self.settings).await {
            tracing::error!(%error, "cannot create the mail folder");
        }
        let poll = Duration::from_millis(self.settings.poll_interval_ms.max(1));
        tracing::info!(
            transport = ?self.settings.transport,
            poll_interval_ms = poll.as_millis() as u64,
            "mail worker started"
        );
        while !*stopped.borrow() {
            let idle = match self.round(&stopped).await {
                Ok(round) => round.claimed == 0,
                Err(error) => {
                    tracing::warn!(%error, "mail worker round failed; retrying");
                    true
                }
            };
            if idle {
                tokio::select! {
                    _ = tokio::time::sleep(poll) => {}
                    _ = stopped.changed() => {}
                }
            }
        }
        tracing::info!("mail worker stopped");
    }

    /// One round: claim a batch of due mails and try each once.
    pub async fn round(&self, stopped: &watch::Receiver<bool>) -> Result<Round, DbError> {
        let at = now();
        let lease_until = at + chrono::Duration::seconds(self.settings.lease_secs as i64);
        let limit = self.settings.batch_size;
        let claimed = self
            .db(move |conn| OutboxMail::claim_due(conn, at, lease_until, limit))
            .await?;
        let mut round = Round {
            claimed: claimed.len(),
            sent: 0,
        };
        for (n, mail) in claimed.iter().enumerate() {
            if *stopped.borrow() {
                // Hand the rest back at once rather than after the lease.
                for rest in &claimed[n..] {
                    let id = rest.id;
                    self.db(move |conn| {
                        OutboxMail::mark_attempt_failed(conn, id, "worker stopped", Some(now()))
                    })
                    .await?;
                }
                break;
            }
            if self.deliver(mail).await? {
                round.sent += 1;
            }
        }
        Ok(round)
    }

    async fn deliver(&self, mail: &OutboxMail) -> Result<bool, DbError> {
        let (id, kind, attempts) = (mail.id, mail.kind, mail.attempts);
        match self.mailer.send(mail).await {
            Ok(()) => {
                let at = now();
                let recorded = self
                    .db(move |conn| OutboxMail::mark_sent(conn, id, at))
                    .await?;
                if !recorded {
                    tracing::warn!(outbox.id = id, mail.kind = %kind, "mail sent after its lease ran out");
                }
                tracing::info!(outbox.id = id, mail.kind = %kind, attempts, "mail sent");
                metrics::counter!("mail_deliveries_total", "kind" => kind.as_str()).increment(1);
                Ok(true)
            }
            Err(error) => {
                let retry_at = self.retry_at(mail, &error);
                let outcome = if retry_at.is_some() {
                    "retry"
                } else {
                    "gave_up"
                };
                metrics::counter!("mail_delivery_failures_total", "kind" => kind.as_str(), "outcome" => outcome)
                    .increment(1);
                let message = error.message.clone();
                self.db(move |conn| OutboxMail::mark_attempt_failed(conn, id, &message, retry_at))
                    .await?;
                match retry_at {
                    Some(at) => {
                        tracing::warn!(outbox.id = id, mail.kind = %kind, attempts, %error, retry_at = %at, "mail not sent; will retry")
                    }
                    None => {
                        tracing::error!(outbox.id = id, mail.kind = %kind, attempts, %error, "mail not sent; gave up")
                    }
                }
                Ok(false)
            }
        }
    }

    /// When to try again: initial delay doubled per attempt, capped; none once retrying cannot
    /// help or the mail is older than the give-up time.
    fn retry_at(&self, mail: &OutboxMail, error: &TransportError) -> Option<NaiveDateTime> {
        let at = now();
        let age = at - mail.created_at;
        if error.permanent || age.num_seconds() >= self.settings.give_up_after_secs as i64 {
            return None;
        }
        Some(at + backoff(mail.attempts, &self.settings))
    }

    async fn db<T, F>(&self, work: F) -> Result<T, DbError>
    where
        F: FnOnce(&mut DbConnection) -> diesel::QueryResult<T> + Send + 'static,
        T: Send + 'static,
    {
        let pool = self.pool.clone();
        tokio::task::spawn_blocking(move || {
            let mut conn = pool.get()?;
            Ok(work(&mut conn)?)
        })
        .await
        .map_err(|_| DbError::Shutdown)?
    }
}

/// Delay after the `attempts`-th failed attempt: `retry_initial_ms · 2^(attempts-1)`, at most `retry_max_ms`.
pub fn backoff(attempts: i32, settings: &EmailSettings) -> chrono::Duration {
    let doublings = attempts.saturating_sub(1).clamp(0, 30) as u32;
    let delay = settings
        .retry_initial_ms
        .saturating_mul(2u64.saturating_pow(doublings))
        .min(settings.retry_max_ms);
    chrono::Duration::milliseconds(delay as i64)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::{Environment, Settings};

    #[test]
    fn backoff_doubles_from_the_initial_delay_up_to_the_cap() {
        let dir = tempfile::tempdir().unwrap();
        let mut settings = Settings::load_from(Environment::Development, dir.path())
            .unwrap()
            .email;
        settings.retry_initial_ms = 1_000;
        settings.retry_max_ms = 5_000;
        let delays: Vec<i64> = (1..=5)
            .map(|n| backoff(n, &settings).num_milliseconds())
            .collect();
        assert_eq!(delays, [1_000, 2_000, 4_000, 5_000, 5_000]);
    }
}
