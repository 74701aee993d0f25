//! A helper's moves through the pipeline, as stored.

use diesel::backend::Backend;
use diesel::deserialize::{self, FromSql};
use diesel::serialize::{self, Output, ToSql};
use diesel::sql_types::Text;

use super::*;
use crate::domain::ids::{HelperId, UserId};
use crate::domain::{CheckOutcome, HelperStatus};

/// The status a move started from: none for the application itself. Stored as text, the
/// empty text for none (the column predates this type); any other text must be a status, and
/// an unknown one fails the read.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    diesel::expression::AsExpression,
    diesel::deserialize::FromSqlRow,
)]
#[diesel(sql_type = Text)]
pub struct PriorStatus(pub Option<HelperStatus>);

impl<DB> FromSql<Text, DB> for PriorStatus
where
    DB: Backend,
    String: FromSql<Text, DB>,
{
    fn from_sql(bytes: DB::RawValue<'_>) -> deserialize::Result<Self> {
        let text = String::from_sql(bytes)?;
        if text.is_empty() {
            return Ok(PriorStatus(None));
        }
        let status =
            HelperStatus::parse(&text).map_err(|e| format!("from_status {text:?}: {e}"))?;
        Ok(PriorStatus(Some(status)))
    }
}

impl<DB> ToSql<Text, DB> for PriorStatus
where
    DB: Backend,
    str: ToSql<Text, DB>,
{
    fn to_sql<'b>(&'b self, out: &mut Output<'b, '_, DB>) -> serialize::Result {
        self.0.map_or("", HelperStatus::as_str).to_sql(out)
    }
}

/// One recorded move.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = helper_transitions)]
pub struct HelperTransition {
    /// Id.
    pub id: i64,
    /// Helper.
    pub helper_id: HelperId,
    /// Status before (none for the application).
    pub from_status: PriorStatus,
    /// Status after.
    pub to_status: HelperStatus,
    /// Who made the move (none for the applicant's own application).
    pub actor_user_id: Option<UserId>,
    /// Why.
    pub note: String,
    /// Criminal-record check date recorded with this move.
    pub criminal_record_checked_on: Option<NaiveDate>,
    /// Criminal-record check outcome recorded with this move.
    pub criminal_record_outcome: Option<CheckOutcome>,
    /// When (UTC).
    pub at: NaiveDateTime,
}

/// A move to record.
#[derive(Debug, Insertable)]
#[diesel(table_name = helper_transitions)]
pub struct NewHelperTransition {
    /// Helper.
    pub helper_id: HelperId,
    /// From.
    pub from_status: PriorStatus,
    /// To.
    pub to_status: HelperStatus,
    /// Actor.
    pub actor_user_id: Option<UserId>,
    /// Note.
    pub note: String,
    /// Check date.
    pub criminal_record_checked_on: Option<NaiveDate>,
    /// Check outcome.
    pub criminal_record_outcome: Option<CheckOutcome>,
    /// When.
    pub at: NaiveDateTime,
}

#[cfg(test)]
mod tests {
    use super::*;
    use diesel::Connection;
    use diesel::sqlite::SqliteConnection;

    fn read(text: &str) -> QueryResult<PriorStatus> {
        let mut conn = SqliteConnection::establish(":memory:").unwrap();
        let literal = format!("'{text}'");
        diesel::select(diesel::dsl::sql::<Text>(&literal)).get_result(&mut conn)
    }

    #[test]
    fn the_prior_status_reads_the_empty_text_as_none_and_refuses_an_unknown_one() {
        assert_eq!(read("").unwrap(), PriorStatus(None));
        assert_eq!(
            read("interview_2").unwrap(),
            PriorStatus(Some(HelperStatus::Interview2))
        );
        // diesel's Display names only the field; the cause is in the error's Debug form.
        let unknown = format!("{:?}", read("hired").unwrap_err());
        assert!(unknown.contains("from_status"), "{unknown}");
    }
}
