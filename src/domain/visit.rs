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
    /// The reasons a booked visit's helper cannot come (the others are attendance reviews): a
    /// booked visit with one of them is open, offered to other helpers until one takes it.
    pub const HELPER_CANNOT_COME: [VisitAttention; 6] = [
        VisitAttention::HelperPaused,
        VisitAttention::HelperLeft,
        VisitAttention::AssignmentEnded,
        VisitAttention::HelperUnavailable,
        VisitAttention::OutsideAvailability,
        VisitAttention::HelperDeclined,
    ];

    /// True for the reasons a booked visit's helper cannot come (not attendance reviews).
    pub fn helper_cannot_come(self) -> bool {
        Self::HELPER_CANNOT_COME.contains(&self)
    }
}

vocabulary! {
    /// Whether somebody comes to a booked visit: `covered` (its helper comes), `open` (its helper
    /// cannot come; offered to other helpers) or `uncovered` (open past its deadline: nobody has
    /// taken it, the branch leaders were alerted).
    pub enum VisitCover {
        /// Its helper comes (or the visit is over).
        Covered = "covered",
        /// Its helper cannot come; other helpers are offered it.
        Open = "open",
        /// Open, and nobody took it by the deadline.
        Uncovered = "uncovered",
    }
}

impl VisitStatus {
    /// Statuses that hold the helper's and the client's time.
    pub const HOLDING_SLOT: [VisitStatus; 2] = [VisitStatus::Booked, VisitStatus::CheckedIn];
}

vocabulary! {
    /// Why a booked visit needs the branch's attention: its helper cannot come as booked (then the
/// visit is open: offered to other helpers until one takes it), or its attendance is reviewed.
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
        /// The helper said they cannot come (`POST /api/v1/visits/{id}/open`, with a reason).
        HelperDeclined = "helper_declined",
        /// Checked out, but the check-in or check-out was far from the home: the branch reviews
        /// what is charged and paid.
        PositionFar = "position_far",
        /// Checked out, but the checked time is well short of the booked time: the branch reviews.
        ShortVisit = "short_visit",
    }
}
