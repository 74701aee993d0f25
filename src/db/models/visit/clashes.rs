//! What keeps two bookings apart: the visits a new one would clash with, and the row locks a
//! booking takes first.

use super::*;

impl Visit {
    /// Slot-holding visits of a helper or a client overlapping `[from, to)`, other than `except`.
    pub fn overlapping(
        conn: &mut DbConnection,
        whose: Whose,
        from: NaiveDateTime,
        to: NaiveDateTime,
        except: Option<VisitId>,
    ) -> QueryResult<Vec<Visit>> {
        let mut q = visits::table
            .filter(visits::status.eq_any(ACTIVE_STATUSES))
            .filter(visits::starts_at.lt(to))
            .filter(visits::ends_at.gt(from))
            .into_boxed();
        q = match whose {
            // A helper is busy at the joint visits they come to as well.
            Whose::Helper(h) => q.filter(
                visits::helper_id
                    .eq(h)
                    .or(visits::id.eq_any(joint_visits_of!(h))),
            ),
            Whose::Client(c) => q.filter(visits::client_id.eq(c)),
        };
        if let Some(id) = except {
            q = q.filter(visits::id.ne(id));
        }
        q.select(Visit::as_select()).load(conn)
    }

    /// Takes the write locks a booking needs, always client before helper so two bookings
    /// cannot wait on each other. On PostgreSQL these are row locks held to commit; on
    /// SQLite the first write takes the database's write lock before anything is read.
    pub fn lock_people(
        conn: &mut DbConnection,
        client_id: ClientId,
        helper_id: HelperId,
    ) -> QueryResult<()> {
        diesel::update(clients::table.find(client_id))
            .set(clients::updated_at.eq(clients::updated_at))
            .execute(conn)?;
        diesel::update(helpers::table.find(helper_id))
            .set(helpers::updated_at.eq(helpers::updated_at))
            .execute(conn)?;
        Ok(())
    }

    /// Write-locks one more helper (a joint visit's second), after `lock_people`: helpers are
    /// locked in id order, so two joint bookings cannot wait on each other.
    pub fn lock_helper(conn: &mut DbConnection, helper_id: HelperId) -> QueryResult<()> {
        diesel::update(helpers::table.find(helper_id))
            .set(helpers::updated_at.eq(helpers::updated_at))
            .execute(conn)?;
        Ok(())
    }
}
