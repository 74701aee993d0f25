//! The retention jobs: what is no longer needed goes, once a day across every instance. Each
//! job claims its day in `job_runs` inside the transaction that does the work, so a second
//! instance finds the claim and does nothing, and a run that fails leaves no claim and is
//! tried again at the next turn.

use chrono::{Days, Months, NaiveDateTime};

use crate::config::RetentionSettings;
use crate::db::DbConnection;
use crate::db::models::audit::AuditEvent;
use crate::db::models::helper::Helper;
use crate::db::models::job_run::{DailyJob, JobRun};
use crate::db::models::outbox::OutboxMail;
use crate::error::ApiError;
use crate::services::erasure;

/// What one turn of the retention jobs did (each is `None` when another run already did
/// that job today).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Retained {
    /// Applicants erased.
    pub applicants_erased: Option<usize>,
    /// Mails whose bodies were purged.
    pub mails_purged: Option<usize>,
    /// Audit entries deleted.
    pub audit_deleted: Option<usize>,
}

impl Retained {
    /// Everything the turn removed, for the job log.
    pub fn total(&self) -> usize {
        [
            self.applicants_erased,
            self.mails_purged,
            self.audit_deleted,
        ]
        .iter()
        .flatten()
        .sum()
    }
}

/// Runs the day's retention jobs that nobody has run yet, as of `at` (UTC).
pub fn run(
    conn: &mut DbConnection,
    settings: &RetentionSettings,
    at: NaiveDateTime,
) -> Result<Retained, ApiError> {
    let months_before = |months: u32| at.checked_sub_months(Months::new(months)).unwrap_or(at);
    let applicants_before = months_before(settings.applicants_months);
    let audit_before = months_before(settings.audit_months);
    let mails_before = at
        .checked_sub_days(Days::new(settings.mail_days.into()))
        .unwrap_or(at);
    Ok(Retained {
        applicants_erased: once(conn, DailyJob::ApplicantRetention, at, |conn| {
            let expired = Helper::expired_applicants(conn, applicants_before)?;
            for &id in &expired {
                erasure::erase_helper_record(conn, None, id, at)?;
            }
            Ok(expired.len())
        })?,
        mails_purged: once(conn, DailyJob::MailRetention, at, |conn| {
            Ok(OutboxMail::purge_bodies(conn, mails_before)?)
        })?,
        audit_deleted: once(conn, DailyJob::AuditRetention, at, |conn| {
            Ok(AuditEvent::delete_before(conn, audit_before)?)
        })?,
    })
}

/// Does `work` if this is the first claim on the job today; `None` if it was done already.
fn once(
    conn: &mut DbConnection,
    job: DailyJob,
    at: NaiveDateTime,
    work: impl FnOnce(&mut DbConnection) -> Result<usize, ApiError>,
) -> Result<Option<usize>, ApiError> {
    crate::db::write_transaction(conn, |conn| {
        if !JobRun::claim(conn, job, 0, at.date(), at)? {
            return Ok(None);
        }
        let done = work(conn)?;
        tracing::info!(job = ?job, removed = done, "retention job ran");
        Ok(Some(done))
    })
}
