//! A helper's moves through the pipeline, as stored.

use super::*;
use crate::domain::ids::{HelperId, UserId};

/// One recorded move.
#[derive(Debug, Clone, Queryable, Selectable, serde::Serialize, utoipa::ToSchema)]
#[diesel(table_name = helper_transitions)]
pub struct HelperTransition {
    /// Id.
    pub id: i64,
    /// Helper.
    pub helper_id: HelperId,
    /// Status before.
    pub from_status: String,
    /// Status after.
    pub to_status: String,
    /// Who made the move (none for the applicant's own application).
    pub actor_user_id: Option<UserId>,
    /// Why.
    pub note: String,
    /// Criminal-record check date recorded with this move.
    pub criminal_record_checked_on: Option<NaiveDate>,
    /// Criminal-record check outcome recorded with this move.
    pub criminal_record_outcome: Option<String>,
    /// When (UTC).
    #[serde(serialize_with = "crate::db::models::utc")]
    pub at: NaiveDateTime,
}

/// A move to record.
#[derive(Debug, Insertable)]
#[diesel(table_name = helper_transitions)]
pub struct NewHelperTransition {
    /// Helper.
    pub helper_id: HelperId,
    /// From.
    pub from_status: String,
    /// To.
    pub to_status: String,
    /// Actor.
    pub actor_user_id: Option<UserId>,
    /// Note.
    pub note: String,
    /// Check date.
    pub criminal_record_checked_on: Option<NaiveDate>,
    /// Check outcome.
    pub criminal_record_outcome: Option<String>,
    /// When.
    pub at: NaiveDateTime,
}
