//! Where a mail in the outbox stands.

use crate::vocabulary;

vocabulary! {
    /// Where a mail in the outbox stands.
    pub enum OutboxStatus {
        /// Waiting for the worker (also after a failed attempt, until `next_attempt_at`).
        Pending = "pending",
        /// Claimed by a worker until `next_attempt_at` (the lease); then claimable again.
        Sending = "sending",
        /// Accepted by the SMTP server (or written to a file).
        Sent = "sent",
        /// Given up: visible to admins, who may resend it.
        Failed = "failed",
    }
}

vocabulary! {
    /// Every kind of mail: the template's name under `templates/email/` (each in Danish, English
    /// and bokmål), and what the outbox records.
    pub enum MailKind {
        /// An application arrived (to the applicant).
        ApplicationReceived = "application_received",
        /// The applicant moved in the pipeline.
        StageChanged = "stage_changed",
        /// The student was hired.
        HelperActivated = "helper_activated",
        /// A client got new helpers.
        MatchClient = "match_client",
        /// A helper got new clients.
        MatchHelper = "match_helper",
        /// A visit was booked.
        VisitBooked = "visit_booked",
        /// A weekly series was booked.
        VisitSeriesBooked = "visit_series_booked",
        /// A visit moved (or changed helper).
        VisitRescheduled = "visit_rescheduled",
        /// A visit was cancelled.
        VisitCancelled = "visit_cancelled",
        /// A visit was cancelled inside the notice period.
        VisitCancelledLate = "visit_cancelled_late",
        /// The client was not there.
        VisitNoShow = "visit_no_show",
        /// The day-before reminder.
        VisitReminder = "visit_reminder",
        /// The helper checked out.
        VisitDone = "visit_done",
        /// Visits whose helper cannot come (the client's side).
        VisitsNeedAttention = "visits_need_attention",
        /// Visits whose helper cannot come (the branch leaders).
        VisitsNeedAttentionBranch = "visits_need_attention_branch",
        /// An open visit offered to a helper.
        VisitOffered = "visit_offered",
        /// An open visit another helper took.
        VisitTaken = "visit_taken",
        /// Nobody took an open visit in time (the branch leaders).
        VisitUncovered = "visit_uncovered",
        /// A visit's report (relatives who asked).
        VisitReport = "visit_report",
        /// A helper's worry about a client (the branch leaders).
        VisitConcern = "visit_concern",
        /// "Don't pair us again" from one side of a visit (the branch leaders).
        PairExcluded = "pair_excluded",
        /// A clip-card receipt.
        ClipCardPurchased = "clip_card_purchased",
        /// The hours are running low.
        LowBalance = "low_balance",
        /// At the booked rate the hours run out within two weeks (once per clip card).
        HoursRunningOut = "hours_running_out",
        /// The branch leader's morning digest.
        BranchDigest = "branch_digest",
        /// A set-password link for a new login.
        AccountInvitation = "account_invitation",
        /// A password-reset link.
        PasswordReset = "password_reset",
        /// An existing login got access to another client.
        RelativeAccess = "relative_access",
    }
}
