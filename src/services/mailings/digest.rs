//! The morning digest's job: from `digest.hour` branch time, each branch's digest is computed
//! once a day and mailed to each of its active leaders. The day's claim (`job_runs`) and the
//! mails are one transaction, so any number of instances may run the job at any time: the
//! first claims the day, the others find the claim and skip; a run that fails claims nothing.

use chrono::{DateTime, Timelike, Utc};

use super::leaders;
use crate::config::DigestSettings;
use crate::db::DbConnection;
use crate::db::models::branch::Branch;
use crate::db::models::job_run::{DailyJob, JobRun};
use crate::email::{self, DigestMail};
use crate::error::ApiError;
use crate::services::digest;
use crate::services::visits::time_zone;

/// The digest job at `now`: returns how many mails were queued.
pub fn send_digests(
    conn: &mut DbConnection,
    settings: &DigestSettings,
    now: DateTime<Utc>,
) -> Result<usize, ApiError> {
    let mut queued = 0;
    for branch in Branch::active(conn)? {
        let local = now.with_timezone(&time_zone(&branch));
        if local.hour() < settings.hour {
            continue;
        }
        let day = local.date_naive();
        queued += crate::db::write_transaction(conn, |conn| {
            if !JobRun::claim(
                conn,
                DailyJob::BranchDigest,
                branch.id,
                day,
                now.naive_utc(),
            )? {
                return Ok::<usize, ApiError>(0);
            }
            let digest = digest::compute(conn, &branch, settings, now.naive_utc())?;
            let mut sent = 0;
            for leader in leaders(conn, &branch)? {
                let mail = DigestMail {
                    recipient: &leader.address,
                    language: &leader.language,
                    branch_name: &branch.name,
                    branch_phone: branch.phone.as_deref(),
                    time_zone: &branch.time_zone,
                    digest: &digest,
                };
                sent += usize::from(email::branch_digest(conn, &mail)?.is_some());
            }
            Ok(sent)
        })?;
    }
    if queued > 0 {
        tracing::info!(mails = queued, "branch digests queued");
    }
    Ok(queued)
}
