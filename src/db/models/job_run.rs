//! Work done once per day and scope across instances (`job_runs`): a claim is a row.

use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;

use crate::db::DbConnection;
use crate::db::schema::job_runs;

/// The once-a-day jobs, each a name in `job_runs.job`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DailyJob {
    /// The branch leaders' morning digest (scope: the branch).
    BranchDigest,
    /// Erasing rejected and withdrawn applicants past their retention (scope: 0, everything).
    ApplicantRetention,
    /// Purging the bodies of old mails (scope: 0).
    MailRetention,
    /// Deleting old audit entries (scope: 0).
    AuditRetention,
}

impl DailyJob {
    fn name(self) -> &'static str {
        match self {
            DailyJob::BranchDigest => "branch_digest",
            DailyJob::ApplicantRetention => "applicant_retention",
            DailyJob::MailRetention => "mail_retention",
            DailyJob::AuditRetention => "audit_retention",
        }
    }
}

/// The claim on one day's run of a job.
pub struct JobRun;

impl JobRun {
    /// Claims `job` for `scope` on `day`: true for the first caller, false once anyone has.
    /// Call it inside the transaction that does the work: a rolled-back run leaves no claim,
    /// and on PostgreSQL a second claim waits for the first transaction and then finds its row.
    pub fn claim(
        conn: &mut DbConnection,
        job: DailyJob,
        scope: impl Into<i64>,
        day: NaiveDate,
        at: NaiveDateTime,
    ) -> QueryResult<bool> {
        // A plain insert hitting the key would abort the caller's PostgreSQL transaction, so the
        // conflict is skipped in SQL; that needs the backend's own connection type.
        let query = diesel::insert_into(job_runs::table)
            .values((
                job_runs::job.eq(job.name()),
                job_runs::scope_id.eq(scope.into()),
                job_runs::day.eq(day),
                job_runs::done_at.eq(at),
            ))
            .on_conflict_do_nothing();
        let inserted = match conn {
            DbConnection::Postgresql(pg) => query.execute(pg)?,
            DbConnection::Sqlite(lite) => query.execute(lite)?,
        };
        Ok(inserted == 1)
    }
}
