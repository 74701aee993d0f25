//! Feedback both ways: after a completed visit the client's side (the client or a relative with
//! the view right) and the helper who came each rate it once, 1–5 with an optional comment.
//! Either may say "don't pair us again": that ends nothing by itself, rules the helper out for
//! the client (`client_exclusions`, which open-visit offers respect) and tells the branch leaders.

use chrono::NaiveDateTime;
use serde::Serialize;

use super::visible;
use crate::auth::Caller;
use crate::auth::policy::Right;
use crate::db::DbConnection;
use crate::db::models::feedback::{Exclusion, Feedback, NewFeedback};
use crate::db::models::now;
use crate::db::models::visit::Visit;
use crate::domain::ids::VisitId;
use crate::domain::{ExclusionSource, FeedbackSide, Text, Validator, VisitStatus};
use crate::error::ApiError;
use crate::services::mailings;

/// Body of `POST /api/v1/visits/{id}/feedback`.
#[derive(Debug, eserde::Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"rating": 5, "comment": "Lovely afternoon", "dont_pair_again": false}))]
pub struct FeedbackInput {
    /// 1 (poor) to 5 (very good).
    pub rating: i32,
    /// An optional comment (up to 1,000 characters).
    #[serde(default)]
    pub comment: Option<String>,
    /// Don't pair this client and helper again (ends nothing by itself; the branch is told).
    #[serde(default)]
    pub dont_pair_again: bool,
}

/// One side's feedback on a visit.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct FeedbackView {
    /// The visit.
    pub visit_id: VisitId,
    /// Who rated: `client` (the client or a relative) or `helper`.
    pub side: FeedbackSide,
    /// 1–5.
    pub rating: i32,
    /// The comment.
    pub comment: Option<String>,
    /// "Don't pair us again".
    pub dont_pair_again: bool,
    /// When (UTC).
    #[serde(serialize_with = "crate::db::models::utc")]
    pub created_at: NaiveDateTime,
}

impl From<Feedback> for FeedbackView {
    fn from(f: Feedback) -> FeedbackView {
        FeedbackView {
            visit_id: f.visit_id,
            side: f.side,
            rating: f.rating,
            comment: f.comment,
            dont_pair_again: f.dont_pair_again,
            created_at: f.created_at,
        }
    }
}

/// Which side the caller rates a visit as: its helper, or the client's side with the view right;
/// staff do not rate (403).
fn side_of(caller: &Caller, visit: &Visit) -> Result<FeedbackSide, ApiError> {
    if caller.helper_id() == Some(visit.helper_id) {
        Ok(FeedbackSide::Helper)
    } else if caller.acts_for(visit.client_id, Right::View) {
        Ok(FeedbackSide::Client)
    } else {
        Err(ApiError::Forbidden(
            "a visit is rated by the client's side and by the helper who came".into(),
        ))
    }
}

/// Rates a completed visit, once per side.
pub fn give(
    conn: &mut DbConnection,
    caller: &Caller,
    id: VisitId,
    input: FeedbackInput,
) -> Result<FeedbackView, ApiError> {
    let mut v = Validator::default();
    if !(1..=5).contains(&input.rating) {
        v.fail("rating", "must be 1 to 5");
    }
    let comment = v.check_opt("comment", input.comment.as_deref(), |c| {
        Text::optional(c, 1000).map(Text::into_string)
    });
    v.finish()?;
    let comment = comment.flatten().filter(|c| !c.is_empty());
    crate::db::write_transaction(conn, |conn| {
        let seen = visible(conn, caller, id)?;
        let side = side_of(caller, &seen)?;
        Visit::lock_people(conn, seen.client_id, seen.helper_id)?;
        let visit = Visit::find(conn, id)?;
        if visit.status != VisitStatus::Completed {
            return Err(ApiError::Conflict(format!(
                "only a completed visit is rated; this one is {}",
                visit.status
            )));
        }
        if Feedback::for_visit(conn, id)?
            .iter()
            .any(|f| f.side == side)
        {
            return Err(ApiError::Conflict(format!(
                "the {side} side has rated this visit already"
            )));
        }
        let at = now();
        Feedback::insert(
            conn,
            &NewFeedback {
                visit_id: id,
                side,
                rating: input.rating,
                comment,
                dont_pair_again: input.dont_pair_again,
                given_by: Some(caller.user_id),
                created_at: at,
            },
        )?;
        if input.dont_pair_again {
            let source = match side {
                FeedbackSide::Client => ExclusionSource::ClientSide,
                FeedbackSide::Helper => ExclusionSource::Helper,
            };
            let exclusion = Exclusion {
                client_id: visit.client_id,
                helper_id: visit.helper_id,
                source,
                created_by: Some(caller.user_id),
                created_at: at,
            };
            if Exclusion::add(conn, &exclusion)? {
                mailings::pair_excluded(conn, &visit, side)?;
            }
        }
        let given = Feedback::for_visit(conn, id)?
            .into_iter()
            .find(|f| f.side == side)
            .ok_or(ApiError::NotFound)?;
        Ok(given.into())
    })
}

/// The feedback on a visit: the branch sees both sides, each side its own; 404 for others.
pub fn feedback_on(
    conn: &mut DbConnection,
    caller: &Caller,
    id: VisitId,
) -> Result<Vec<FeedbackView>, ApiError> {
    let visit = visible(conn, caller, id)?;
    let staff = caller.manages_branch(visit.branch_id);
    let own = side_of(caller, &visit).ok();
    Ok(Feedback::for_visit(conn, id)?
        .into_iter()
        .filter(|f| staff || own == Some(f.side))
        .map(FeedbackView::from)
        .collect())
}
