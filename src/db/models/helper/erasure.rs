//! Erasing a helper: the row stays for hours and payroll, the person goes.

use super::*;

impl Helper {
    /// Erases a helper's personal data: the row stays, anonymised, so visits and payroll add
    /// up; the pipeline history keeps its dates and statuses but loses notes and the check.
    pub fn erase(conn: &mut DbConnection, id: HelperId, now: NaiveDateTime) -> QueryResult<()> {
        diesel::update(helpers::table.find(id))
            .set((
                helpers::name.eq("(deleted)"),
                helpers::email.eq(format!("deleted-helper-{id}@invalid")),
                helpers::phone.eq(""),
                helpers::study_programme.eq(""),
                helpers::home_lat.eq(0.0),
                helpers::home_lon.eq(0.0),
                helpers::criminal_record_checked_on.eq(None::<NaiveDate>),
                helpers::criminal_record_outcome.eq(None::<CheckOutcome>),
                helpers::status_token_hash.eq(format!("deleted-helper-{id}")),
                helpers::search_name.eq(""),
                // An allergy is health data.
                helpers::avoids.eq("[]"),
                helpers::institution.eq(None::<String>),
                helpers::deleted_at.eq(Some(now)),
                helpers::updated_at.eq(now),
            ))
            .execute(conn)?;
        diesel::update(helper_transitions::table.filter(helper_transitions::helper_id.eq(id)))
            .set((
                helper_transitions::note.eq(""),
                helper_transitions::criminal_record_checked_on.eq(None::<NaiveDate>),
                helper_transitions::criminal_record_outcome.eq(None::<CheckOutcome>),
            ))
            .execute(conn)
            .map(|_| ())
    }
}

impl Helper {
    /// Applicants past their retention: rejected, or gone (`left`) without ever having been
    /// hired, with the decision before `before`, not yet erased. A helper who worked is kept
    /// for payroll and erased on request.
    pub fn expired_applicants(
        conn: &mut DbConnection,
        before: NaiveDateTime,
    ) -> QueryResult<Vec<HelperId>> {
        let hired = helper_transitions::table
            .filter(helper_transitions::to_status.eq(HelperStatus::Active))
            .select(helper_transitions::helper_id);
        helpers::table
            .filter(helpers::status.eq_any([HelperStatus::Rejected, HelperStatus::Left]))
            .filter(helpers::deleted_at.is_null())
            .filter(helpers::status_changed_at.lt(before))
            .filter(helpers::id.ne_all(hired))
            .order(helpers::id)
            .select(helpers::id)
            .load(conn)
    }
}
