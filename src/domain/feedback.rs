//! The vocabulary of feedback on a visit and of the pairs it can rule out.

use crate::vocabulary;

vocabulary! {
    /// Who rates a completed visit: each side once.
    pub enum FeedbackSide {
        /// The client, or a relative with the view right.
        Client = "client",
        /// The helper who came.
        Helper = "helper",
    }
}

vocabulary! {
    /// Who ruled a helper out for a client ("don't pair us again").
    pub enum ExclusionSource {
        /// The client or a relative, in their feedback.
        ClientSide = "client_side",
        /// The helper, in their feedback.
        Helper = "helper",
        /// The branch decided.
        Branch = "branch",
    }
}
