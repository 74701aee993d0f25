//! The branch leader's morning digest as plain data: what `services::digest` reads for a
//! branch, what the API shows and what the mail (`email::branch_digest`) says.

use chrono::{DateTime, NaiveDate, Utc};
use serde::Serialize;

use crate::domain::ids::{BranchId, ClientId, HelperId, VisitId};
use crate::domain::{HelperStatus, VisitAttention, VisitCover};

/// A client short of helpers.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ShortClient {
    /// Client.
    pub client_id: ClientId,
    /// Name.
    pub name: String,
    /// Helpers on the team.
    pub team: usize,
    /// Helpers a complete team has (two, or more if the client wants more).
    pub complete_at: i64,
}

/// A visit whose helper cannot come.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct VisitWithoutHelper {
    /// Visit.
    pub visit_id: VisitId,
    /// Client.
    pub client_id: ClientId,
    /// Client's name.
    pub client_name: String,
    /// Start (UTC).
    pub starts_at: DateTime<Utc>,
    /// `open` (offered to other helpers) or `uncovered` (nobody took it by the deadline).
    pub cover: VisitCover,
    /// Why its helper cannot come.
    pub attention: Option<VisitAttention>,
}

/// A client whose hours run out soon.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct HoursRunningOut {
    /// Client.
    pub client_id: ClientId,
    /// Name.
    pub name: String,
    /// The day (branch time).
    pub runs_out_on: NaiveDate,
    /// Minutes free to book.
    pub available_minutes: i64,
}

/// A helper, named.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct NamedHelper {
    /// Helper.
    pub helper_id: HelperId,
    /// Name.
    pub name: String,
}

/// An application waiting in one stage.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct WaitingApplication {
    /// Helper.
    pub helper_id: HelperId,
    /// Name.
    pub name: String,
    /// The stage.
    pub status: HelperStatus,
    /// Whole days in it.
    pub days: i64,
}

/// The morning digest of one branch.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Digest {
    /// The branch.
    pub branch_id: BranchId,
    /// The branch's day it is for.
    pub day: NaiveDate,
    /// When it was computed (UTC, RFC 3339).
    pub at: String,
    /// Clients whose team is below two or below what they want, by name.
    pub short_of_helpers: Vec<ShortClient>,
    /// Booked visits of the next 7 days whose helper cannot come, by start.
    pub visits_without_helper: Vec<VisitWithoutHelper>,
    /// Clients whose hours run out within 14 days at their booked rate, soonest first.
    pub hours_running_out: Vec<HoursRunningOut>,
    /// Active helpers with no weekly availability declared, by name.
    pub helpers_without_availability: Vec<NamedHelper>,
    /// Applications in one stage longer than `application_wait_days`, longest first.
    pub waiting_applications: Vec<WaitingApplication>,
    /// The wait the applications are measured against, days.
    pub application_wait_days: i64,
}

impl Digest {
    /// Nothing in any part.
    pub fn is_empty(&self) -> bool {
        self.short_of_helpers.is_empty()
            && self.visits_without_helper.is_empty()
            && self.hours_running_out.is_empty()
            && self.helpers_without_availability.is_empty()
            && self.waiting_applications.is_empty()
    }
}
