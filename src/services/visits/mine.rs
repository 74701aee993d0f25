//! The caller's own schedule, as the app shows it: a helper's visits with what each needs, and
//! the client side's visits with the first name of who is coming.

use serde::Serialize;

use super::{VisitCursor, VisitListQuery, VisitView, list_own};
use crate::auth::Caller;
use crate::db::DbConnection;
use crate::domain::ids::ClientId;
use crate::error::ApiError;
use crate::services::clients::{ClientForHelper, cards_for_helper};

/// Which side of a visit the caller is on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum VisitPart {
    /// The caller comes: it is their visit as a helper.
    Helper,
    /// The caller receives it: the client, or a relative with the view right.
    ClientSide,
}

/// A visit in the caller's own schedule (`GET /api/v1/me/visits`).
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct MyVisit {
    /// The visit.
    #[serde(flatten)]
    pub visit: VisitView,
    /// Whether the caller comes to this visit or receives it.
    pub part: VisitPart,
    /// For the helper: what the visit needs — the client's name, phone, address, needs,
    /// languages and care notes (a read of the client's record, audited). Absent on the client
    /// side, and on a past visit of a client the helper no longer serves.
    pub client: Option<ClientForHelper>,
    /// For the client side: the first name of the helper who is coming.
    pub helper_first_name: Option<String>,
}

/// The first word of a name: how a schedule tells the client who is coming.
fn first_name(full: &str) -> String {
    full.split_whitespace()
        .next()
        .unwrap_or_default()
        .to_string()
}

/// A page of the caller's own visits in start order, each shaped for the caller's part in it.
pub fn my_schedule(
    conn: &mut DbConnection,
    caller: &Caller,
    free_hours: i64,
    query: VisitListQuery,
) -> Result<(Vec<MyVisit>, Option<VisitCursor>), ApiError> {
    let (visits, next) = list_own(conn, caller, free_hours, query)?;
    let me = caller.helper_id();
    let mut visited: Vec<ClientId> = visits
        .iter()
        .filter(|v| Some(v.helper_id) == me)
        .map(|v| v.client_id)
        .collect();
    visited.sort();
    visited.dedup();
    let cards = cards_for_helper(conn, caller, &visited)?;
    let shaped = visits
        .into_iter()
        .map(|visit| {
            if Some(visit.helper_id) == me {
                MyVisit {
                    client: cards.get(&visit.client_id).cloned(),
                    part: VisitPart::Helper,
                    helper_first_name: None,
                    visit,
                }
            } else {
                MyVisit {
                    helper_first_name: Some(first_name(&visit.helper_name)),
                    part: VisitPart::ClientSide,
                    client: None,
                    visit,
                }
            }
        })
        .collect();
    Ok((shaped, next))
}

#[cfg(test)]
mod tests {
    use super::first_name;

    #[test]
    fn the_first_word_of_a_name() {
        assert_eq!(first_name("Bo Nielsen"), "Bo");
        assert_eq!(first_name("  Anne-Marie  Holm "), "Anne-Marie");
        assert_eq!(first_name(""), "");
    }
}
