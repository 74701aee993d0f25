//! The vocabulary of the audit log: what was done to which kind of record.

use crate::vocabulary;

vocabulary! {
    /// What an audited access did.
    pub enum AuditAction {
        /// Personal data was shown.
        Read = "read",
        /// A record was made.
        Create = "create",
        /// A record was changed.
        Update = "update",
        /// A record was ended, removed or erased.
        Delete = "delete",
        /// A helper moved through the pipeline.
        Transition = "transition",
        /// A matching proposal was committed.
        Commit = "commit",
        /// Everything held about a person was exported (right of access).
        Export = "export",
    }
}

vocabulary! {
    /// The kind of record an audit event is about.
    pub enum AuditEntity {
        /// An elderly client.
        Client = "client",
        /// A student.
        Helper = "helper",
        /// A client's relative.
        Relative = "relative",
        /// A helper–client pair.
        Assignment = "assignment",
        /// A clip card bought.
        ClipCard = "clip_card",
        /// A matching proposal.
        MatchingProposal = "matching_proposal",
        /// A visit's report (what the helper recorded at check-out).
        VisitReport = "visit_report",
    }
}
