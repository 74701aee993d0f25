//! Periodic work, registered here at the top of the crate so that no lower layer calls up:
//! mail delivery (`email::Worker`), the day-before visit reminders
//! (`services::mailings::send_reminders`, idempotent, every five minutes) and the open-visit
//! round (`services::visits::offer_round`: offers, widening to the branch, uncovered alerts;
//! every minute), the clip-card forecast's mails (`services::mailings::warn_hours_running_out`,
//! hourly, once per card) and the branch leaders' morning digest
//! (`services::mailings::send_digests`, every five minutes, once per branch and day), and the
//! end of a departed helper's pairs (`services::helpers::leaving::end_departed`, hourly) and the
//! retention jobs (`services::privacy::retention`, hourly, each once a day). Runs inside
//! `helpmatch serve` when `email.worker` is on, and alone as `helpmatch worker`; any number of
//! instances may run them side by side on one PostgreSQL (claims and dedupe keys make each
//! mail go out once).

use std::time::Duration;

use tokio::sync::watch;
use tokio::task::JoinHandle;

use std::sync::Arc;

use crate::config::{DigestSettings, RetentionSettings, Settings, VisitSettings};
use crate::db::{DbError, DbPool};
use crate::email::{EmailError, Worker};
use crate::services::{helpers, mailings, privacy, visits};

/// How often the day-before reminder job runs.
pub const REMINDER_INTERVAL: Duration = Duration::from_secs(5 * 60);

/// How often the clip-card forecast's mails are looked for (each goes once per card anyway).
pub const HOURS_FORECAST_INTERVAL: Duration = Duration::from_secs(60 * 60);

/// How often the pairs of helpers whose leave date has come are looked for.
pub const LEAVING_INTERVAL: Duration = Duration::from_secs(60 * 60);

/// How often the morning digest is looked for (each branch's goes once a day anyway).
pub const DIGEST_INTERVAL: Duration = Duration::from_secs(5 * 60);

/// How often the retention jobs are looked for (each runs once a day anyway).
pub const RETENTION_INTERVAL: Duration = Duration::from_secs(60 * 60);

/// How often the open-visit round runs.
pub const OFFER_INTERVAL: Duration = Duration::from_secs(60);

/// One run of a periodic job: what it did, or why it failed.
type Job = Arc<dyn Fn(&DbPool) -> Result<usize, String> + Send + Sync>;

/// The jobs of one process, configured, not yet running.
pub struct Jobs {
    pool: DbPool,
    delivery: Worker,
    visits: VisitSettings,
    digest: DigestSettings,
    retention: RetentionSettings,
}

/// The jobs running on the current tokio runtime.
pub struct RunningJobs {
    stop: watch::Sender<bool>,
    tasks: Vec<JoinHandle<()>>,
}

impl Jobs {
    /// Builds the mail transport from the settings; fails on an unusable SMTP URL or sender.
    pub fn new(pool: DbPool, settings: &Settings) -> Result<Jobs, EmailError> {
        Ok(Jobs {
            delivery: Worker::new(pool.clone(), &settings.email)?,
            visits: settings.visits.clone(),
            digest: settings.digest.clone(),
            retention: settings.retention.clone(),
            pool,
        })
    }

    /// Starts every job on the current runtime until `RunningJobs::stop`.
    pub fn start(self) -> RunningJobs {
        let (stop, stopped) = watch::channel(false);
        let visit_settings = self.visits;
        let offers: Job = Arc::new(move |pool| offer_round(pool, &visit_settings));
        let digest_settings = self.digest;
        let digests: Job = Arc::new(move |pool| digests(pool, &digest_settings));
        let retention_settings = self.retention;
        let retention: Job = Arc::new(move |pool| retention(pool, &retention_settings));
        let tasks = vec![
            tokio::spawn(self.delivery.run(stopped.clone())),
            tokio::spawn(every(
                REMINDER_INTERVAL,
                stopped.clone(),
                self.pool.clone(),
                Arc::new(reminders),
            )),
            tokio::spawn(every(
                HOURS_FORECAST_INTERVAL,
                stopped.clone(),
                self.pool.clone(),
                Arc::new(hours_running_out),
            )),
            tokio::spawn(every(
                DIGEST_INTERVAL,
                stopped.clone(),
                self.pool.clone(),
                digests,
            )),
            tokio::spawn(every(
                LEAVING_INTERVAL,
                stopped.clone(),
                self.pool.clone(),
                Arc::new(departed),
            )),
            tokio::spawn(every(
                RETENTION_INTERVAL,
                stopped.clone(),
                self.pool.clone(),
                retention,
            )),
            tokio::spawn(every(OFFER_INTERVAL, stopped, self.pool, offers)),
        ];
        RunningJobs { stop, tasks }
    }
}

impl RunningJobs {
    /// Asks every job to stop after the work in hand (a mail being sent is finished), and waits.
    pub async fn stop(self) {
        let _ = self.stop.send(true);
        for task in self.tasks {
            let _ = task.await;
        }
    }
}

/// Runs `job` now and then every `interval` until `stopped` turns true; a failure is logged
/// and the job runs again at its next turn.
async fn every(interval: Duration, mut stopped: watch::Receiver<bool>, pool: DbPool, job: Job) {
    while !*stopped.borrow() {
        let (pool_for_job, run) = (pool.clone(), job.clone());
        match tokio::task::spawn_blocking(move || run(&pool_for_job)).await {
            Ok(Ok(_)) => {}
            Ok(Err(error)) => tracing::warn!(%error, "periodic job failed; will retry"),
            Err(_) => tracing::warn!("periodic job did not finish"),
        }
        tokio::select! {
            _ = tokio::time::sleep(interval) => {}
            _ = stopped.changed() => {}
        }
    }
}

/// The day-before reminders due now.
fn reminders(pool: &DbPool) -> Result<usize, String> {
    let mut conn = pool.get().map_err(|e| DbError::from(e).to_string())?;
    mailings::send_reminders(&mut conn, chrono::Utc::now()).map_err(|e| e.to_string())
}

/// The mails of clients whose hours run out within two weeks.
fn hours_running_out(pool: &DbPool) -> Result<usize, String> {
    let mut conn = pool.get().map_err(|e| DbError::from(e).to_string())?;
    mailings::warn_hours_running_out(&mut conn, chrono::Utc::now()).map_err(|e| e.to_string())
}

/// The pairs of helpers whose leave date has come.
fn departed(pool: &DbPool) -> Result<usize, String> {
    let mut conn = pool.get().map_err(|e| DbError::from(e).to_string())?;
    helpers::leaving::end_departed(&mut conn, chrono::Utc::now()).map_err(|e| e.to_string())
}

/// The branch digests due now.
fn digests(pool: &DbPool, settings: &DigestSettings) -> Result<usize, String> {
    let mut conn = pool.get().map_err(|e| DbError::from(e).to_string())?;
    mailings::send_digests(&mut conn, settings, chrono::Utc::now()).map_err(|e| e.to_string())
}

/// The day's retention jobs not yet run by any instance.
fn retention(pool: &DbPool, settings: &RetentionSettings) -> Result<usize, String> {
    let mut conn = pool.get().map_err(|e| DbError::from(e).to_string())?;
    privacy::retention::run(&mut conn, settings, chrono::Utc::now().naive_utc())
        .map(|done| done.total())
        .map_err(|e| e.to_string())
}

/// One open-visit round at the current time.
fn offer_round(pool: &DbPool, settings: &VisitSettings) -> Result<usize, String> {
    let mut conn = pool.get().map_err(|e| DbError::from(e).to_string())?;
    let round =
        visits::offer_round(&mut conn, settings, chrono::Utc::now()).map_err(|e| e.to_string())?;
    Ok(round.offers + round.widened + round.uncovered)
}
