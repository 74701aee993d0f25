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
