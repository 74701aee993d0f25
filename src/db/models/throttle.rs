//! Throttled attempts (failed logins, applications, reset requests), kept in the database so
//! every instance of the service counts the same attempts.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::db::DbConnection;
use crate::db::schema::throttle_events;

/// Throttle-event queries.
pub struct ThrottleEvent;

impl ThrottleEvent {
    /// Records one attempt, and forgets this key's attempts older than `forget_before`.
    pub fn record(
        conn: &mut DbConnection,
        bucket: &str,
        key: &str,
        now: NaiveDateTime,
        forget_before: NaiveDateTime,
    ) -> QueryResult<()> {
        diesel::delete(
            throttle_events::table
                .filter(throttle_events::bucket.eq(bucket))
                .filter(throttle_events::key.eq(key))
                .filter(throttle_events::at.lt(forget_before)),
        )
        .execute(conn)?;
        diesel::insert_into(throttle_events::table)
            .values((
                throttle_events::bucket.eq(bucket),
                throttle_events::key.eq(key),
                throttle_events::at.eq(now),
            ))
            .execute(conn)
            .map(|_| ())
    }

    /// The times of a key's attempts since `since`, oldest first.
    pub fn since(
        conn: &mut DbConnection,
        bucket: &str,
        key: &str,
        since: NaiveDateTime,
    ) -> QueryResult<Vec<NaiveDateTime>> {
        throttle_events::table
            .filter(throttle_events::bucket.eq(bucket))
            .filter(throttle_events::key.eq(key))
            .filter(throttle_events::at.gt(since))
            .order(throttle_events::at)
            .select(throttle_events::at)
            .load(conn)
    }

    /// Forgets a key's attempts (a successful login clears its failures).
    pub fn clear(conn: &mut DbConnection, bucket: &str, key: &str) -> QueryResult<usize> {
        diesel::delete(
            throttle_events::table
                .filter(throttle_events::bucket.eq(bucket))
                .filter(throttle_events::key.eq(key)),
        )
        .execute(conn)
    }
}
