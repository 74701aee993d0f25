//! The life of a visit: its status, and why a booked visit may not happen as booked.

use crate::vocabulary;

vocabulary! {
    /// Where a visit stands: `booked → checked_in → completed`, or `cancelled` / `no_show`.
    pub enum VisitStatus {
        /// Booked; the hours are reserved.
        Booked = "booked",
        /// The helper checked in.
        CheckedIn = "checked_in",
        /// The helper checked out; the hours are used.
        Completed = "completed",
        /// Cancelled (free in time; late, the hours are used).
        Cancelled = "cancelled",
        /// The client was not there; the hours are used.
        NoShow = "no_show",
    }
}

impl VisitAttention {
    /// True for the reasons a booked visit's helper cannot come (not attendance reviews).
    pub fn helper_cannot_come(self) -> bool {
        !matches!(
            self,
            VisitAttention::PositionFar | VisitAttention::ShortVisit
        )
    }
}

impl VisitStatus {
    /// Statuses that hold the helper's and the client's time.
    pub const HOLDING_SLOT: [VisitStatus; 2] = [VisitStatus::Booked, VisitStatus::CheckedIn];
}

vocabulary! {
    /// Why a booked visit needs the branch's attention: its helper cannot come as booked.
    pub enum VisitAttention {
        /// The helper paused.
        HelperPaused = "helper_paused",
        /// The helper left.
        HelperLeft = "helper_left",
        /// The helper no longer serves the client (the pair ended).
        AssignmentEnded = "assignment_ended",
        /// The helper recorded an exception (exams, illness, holiday) covering the visit.
        HelperUnavailable = "helper_unavailable",
        /// The helper's declared weekly hours no longer include the visit.
        OutsideAvailability = "outside_availability",
        /// Checked out, but the check-in or check-out was far from the home: the branch reviews
        /// what is charged and paid.
        PositionFar = "position_far",
        /// Checked out, but the checked time is well short of the booked time: the branch reviews.
        ShortVisit = "short_visit",
    }
}
