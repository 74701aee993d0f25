//! The outbox: mails written in the same transaction as the change that owes them, sent later
//! by the delivery worker (`crate::email::worker`). See docs/email.md.

use chrono::NaiveDateTime;
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Timestamp};

use crate::db::DbConnection;
use crate::db::schema::outbox;
use crate::domain::{MailKind, OutboxStatus};

/// One mail in the outbox.
#[derive(Debug, Clone, Queryable, QueryableByName, Selectable)]
#[diesel(table_name = outbox)]
pub struct OutboxMail {
    /// Id; also the mail's `Message-ID`.
    pub id: i64,
    /// What the mail is about, e.g. `application_received`.
    pub kind: MailKind,
    /// Address it goes to.
    pub recipient: String,
    /// `da` or `en`.
    pub language: String,
    /// Rendered subject.
    pub subject: String,
    /// Rendered plain-text body.
    pub text_body: String,
    /// Rendered HTML body.
    pub html_body: String,
    /// Calendar attachment (iCalendar text), if any.
    pub ics: Option<String>,
    /// Where it stands.
    pub status: OutboxStatus,
    /// Delivery attempts so far.
    pub attempts: i32,
    /// Why the last attempt failed (no addresses in it).
    pub last_error: Option<String>,
    /// Due time when pending; lease end when sending.
    pub next_attempt_at: NaiveDateTime,
    /// Enqueued (UTC).
    pub created_at: NaiveDateTime,
    /// Delivered (UTC).
    pub sent_at: Option<NaiveDateTime>,
    /// Enqueueing twice with the same key adds nothing (idempotent jobs such as reminders).
    pub dedupe_key: Option<String>,
}

/// A mail to enqueue, already rendered.
#[derive(Debug, Clone, Insertable)]
#[diesel(table_name = outbox)]
pub struct NewOutboxMail {
    /// Kind.
    pub kind: MailKind,
    /// Recipient.
    pub recipient: String,
    /// Language.
    pub language: String,
    /// Subject.
    pub subject: String,
    /// Plain text.
    pub text_body: String,
    /// HTML.
    pub html_body: String,
    /// Calendar attachment.
    pub ics: Option<String>,
    /// Always `pending`.
    pub status: OutboxStatus,
    /// Always 0.
    pub attempts: i32,
    /// Now: due at once.
    pub next_attempt_at: NaiveDateTime,
    /// Now.
    pub created_at: NaiveDateTime,
    /// Idempotency key.
    pub dedupe_key: Option<String>,
}

/// The columns in table order, for the raw PostgreSQL claim.
const COLUMNS: &str = "id, kind, recipient, language, subject, text_body, html_body, ics, status, \
     attempts, last_error, next_attempt_at, created_at, sent_at, dedupe_key";

impl OutboxMail {
    /// Inserts a mail; `None` when a mail with the same `dedupe_key` is already there.
    pub fn insert(conn: &mut DbConnection, new: &NewOutboxMail) -> QueryResult<Option<i64>> {
        // A plain insert hitting the unique key would abort the caller's PostgreSQL transaction,
        // so conflicts are skipped in SQL; that needs the backend's own connection type.
        let query = diesel::insert_into(outbox::table)
            .values(new)
            .on_conflict_do_nothing()
            .returning(outbox::id);
        match conn {
            DbConnection::Postgresql(pg) => query.get_result(pg).optional(),
            DbConnection::Sqlite(lite) => query.get_result(lite).optional(),
        }
    }

    /// One mail.
    pub fn find(conn: &mut DbConnection, id: i64) -> QueryResult<OutboxMail> {
        outbox::table
            .find(id)
            .select(OutboxMail::as_select())
            .first(conn)
    }

    /// Claims up to `limit` due mails (pending, or sending with an expired lease): marks them
    /// `sending`, counts the attempt and sets the lease end. No two callers get the same mail.
    pub fn claim_due(
        conn: &mut DbConnection,
        now: NaiveDateTime,
        lease_until: NaiveDateTime,
        limit: i64,
    ) -> QueryResult<Vec<OutboxMail>> {
        match conn {
            // SKIP LOCKED: concurrent workers take disjoint rows instead of queueing on locks.
            DbConnection::Postgresql(pg) => diesel::sql_query(format!(
                "UPDATE outbox SET status = 'sending', attempts = attempts + 1, next_attempt_at = $1 \
                 WHERE id IN (SELECT id FROM outbox WHERE status IN ('pending', 'sending') \
                 AND next_attempt_at <= $2 ORDER BY id LIMIT $3 FOR UPDATE SKIP LOCKED) \
                 RETURNING {COLUMNS}"
            ))
            .bind::<Timestamp, _>(lease_until)
            .bind::<Timestamp, _>(now)
            .bind::<BigInt, _>(limit)
            .load(pg),
            // One writer at a time on SQLite: a conditional update per row is a safe claim.
            DbConnection::Sqlite(_) => {
                let due: Vec<(i64, OutboxStatus, NaiveDateTime)> = outbox::table
                    .filter(outbox::status.eq_any([OutboxStatus::Pending, OutboxStatus::Sending]))
                    .filter(outbox::next_attempt_at.le(now))
                    .order(outbox::id)
                    .limit(limit)
                    .select((outbox::id, outbox::status, outbox::next_attempt_at))
                    .load(conn)?;
                let mut claimed = Vec::with_capacity(due.len());
                for (id, status, due_at) in due {
                    let taken = diesel::update(
                        outbox::table
                            .find(id)
                            .filter(outbox::status.eq(status))
                            .filter(outbox::next_attempt_at.eq(due_at)),
                    )
                    .set((
                        outbox::status.eq(OutboxStatus::Sending),
                        outbox::attempts.eq(outbox::attempts + 1),
                        outbox::next_attempt_at.eq(lease_until),
                    ))
                    .execute(conn)?;
                    if taken == 1 {
                        claimed.push(OutboxMail::find(conn, id)?);
                    }
                }
                Ok(claimed)
            }
        }
    }

    /// Records a delivery. Only a mail this worker still holds (`sending`) changes.
    pub fn mark_sent(conn: &mut DbConnection, id: i64, at: NaiveDateTime) -> QueryResult<bool> {
        diesel::update(
            outbox::table
                .find(id)
                .filter(outbox::status.eq(OutboxStatus::Sending)),
        )
        .set((
            outbox::status.eq(OutboxStatus::Sent),
            outbox::sent_at.eq(Some(at)),
            outbox::last_error.eq(None::<String>),
        ))
        .execute(conn)
        .map(|n| n == 1)
    }

    /// Records a failed attempt: back to `pending` until `retry_at`, or `failed` when `retry_at` is none.
    pub fn mark_attempt_failed(
        conn: &mut DbConnection,
        id: i64,
        error: &str,
        retry_at: Option<NaiveDateTime>,
    ) -> QueryResult<bool> {
        let target = outbox::table
            .find(id)
            .filter(outbox::status.eq(OutboxStatus::Sending));
        let changed = match retry_at {
            Some(at) => diesel::update(target)
                .set((
                    outbox::status.eq(OutboxStatus::Pending),
                    outbox::next_attempt_at.eq(at),
                    outbox::last_error.eq(Some(error)),
                ))
                .execute(conn)?,
            None => diesel::update(target)
                .set((
                    outbox::status.eq(OutboxStatus::Failed),
                    outbox::last_error.eq(Some(error)),
                ))
                .execute(conn)?,
        };
        Ok(changed == 1)
    }

    /// Puts a failed mail back in the queue, due now, with a fresh give-up clock; not one whose
    /// content the retention job has purged (it would go out empty).
    pub fn resend(conn: &mut DbConnection, id: i64, now: NaiveDateTime) -> QueryResult<bool> {
        diesel::update(
            outbox::table
                .find(id)
                .filter(outbox::status.eq(OutboxStatus::Failed))
                .filter(outbox::text_body.ne("")),
        )
        .set((
            outbox::status.eq(OutboxStatus::Pending),
            outbox::attempts.eq(0),
            outbox::next_attempt_at.eq(now),
            outbox::created_at.eq(now),
        ))
        .execute(conn)
        .map(|n| n == 1)
    }

    /// Forgets the mails to an erased person: unsent ones are dropped (nobody is owed them any
    /// more); sent ones keep their kind and times for the record but lose address and content.
    pub fn forget_recipient(conn: &mut DbConnection, address: &str) -> QueryResult<usize> {
        let address = address.trim().to_lowercase();
        let dropped = diesel::delete(
            outbox::table
                .filter(outbox::recipient.eq(&address))
                .filter(outbox::status.ne(OutboxStatus::Sent)),
        )
        .execute(conn)?;
        let redacted = diesel::update(outbox::table.filter(outbox::recipient.eq(&address)))
            .set((
                outbox::recipient.eq("(erased)"),
                outbox::subject.eq(""),
                outbox::text_body.eq(""),
                outbox::html_body.eq(""),
                outbox::ics.eq(None::<String>),
            ))
            .execute(conn)?;
        Ok(dropped + redacted)
    }

    /// Mails after `after_id` in id order, optionally only one status.
    pub fn list(
        conn: &mut DbConnection,
        status: Option<OutboxStatus>,
        after_id: i64,
        limit: i64,
    ) -> QueryResult<Vec<OutboxMail>> {
        let mut query = outbox::table.filter(outbox::id.gt(after_id)).into_boxed();
        if let Some(status) = status {
            query = query.filter(outbox::status.eq(status));
        }
        query
            .order(outbox::id)
            .limit(limit)
            .select(OutboxMail::as_select())
            .load(conn)
    }
}

impl OutboxMail {
    /// How many mails are in each status (for the metrics).
    pub fn depth_by_status(conn: &mut DbConnection) -> QueryResult<Vec<(OutboxStatus, i64)>> {
        outbox::table
            .group_by(outbox::status)
            .select((outbox::status, diesel::dsl::count_star()))
            .load(conn)
    }

    /// When the longest-waiting mail that is due now became due (pending, `next_attempt_at`
    /// passed), if any.
    pub fn oldest_due(
        conn: &mut DbConnection,
        now: NaiveDateTime,
    ) -> QueryResult<Option<NaiveDateTime>> {
        outbox::table
            .filter(outbox::status.eq(OutboxStatus::Pending))
            .filter(outbox::next_attempt_at.le(now))
            .select(diesel::dsl::min(outbox::next_attempt_at))
            .first(conn)
    }
}

/// A mail without its content: what a person's export shows of the mails to them.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = outbox)]
pub struct MailRecord {
    /// Id.
    pub id: i64,
    /// Kind.
    pub kind: MailKind,
    /// Address.
    pub recipient: String,
    /// Language.
    pub language: String,
    /// Subject.
    pub subject: String,
    /// Where it stands.
    pub status: OutboxStatus,
    /// Enqueued (UTC).
    pub created_at: NaiveDateTime,
    /// Delivered (UTC).
    pub sent_at: Option<NaiveDateTime>,
}

impl OutboxMail {
    /// The mails to an address (any case), oldest first, without their content.
    pub fn records_to(conn: &mut DbConnection, address: &str) -> QueryResult<Vec<MailRecord>> {
        outbox::table
            .filter(outbox::recipient.eq(address.trim().to_lowercase()))
            .order(outbox::id)
            .select(MailRecord::as_select())
            .load(conn)
    }

    /// Empties the bodies and calendar attachments of the mails done with (sent, or failed and
    /// given up) that were enqueued before `before`; what was sent to whom and when stays.
    /// A pending or sending mail is owed to someone and keeps its content whatever its age.
    pub fn purge_bodies(conn: &mut DbConnection, before: NaiveDateTime) -> QueryResult<usize> {
        diesel::update(
            outbox::table
                .filter(outbox::status.eq_any([OutboxStatus::Sent, OutboxStatus::Failed]))
                .filter(outbox::created_at.lt(before))
                .filter(outbox::text_body.ne("").or(outbox::ics.is_not_null())),
        )
        .set((
            outbox::text_body.eq(""),
            outbox::html_body.eq(""),
            outbox::ics.eq(None::<String>),
        ))
        .execute(conn)
    }
}
