//! Outgoing mail: the transactional outbox (`enqueue`, called inside a service's transaction),
//! templates, calendar invites and the delivery worker. See docs/email.md.
//!
//! A mail is rendered when it is enqueued, so the outbox row is exactly what will be sent;
//! only deployment values (the public URL, the sender) are filled in at delivery.

mod error;
mod events;
pub mod format;
pub mod ics;
mod mask;
pub mod notices;
mod queue;
pub mod templates;
mod transport;
pub mod worker;

pub use error::EmailError;
pub use events::{
    ClipCardMail, DIGEST_LINES, DigestMail, LowBalanceMail, PayerMail, ReportedTask,
    RunningOutMail, VisitMail, application_received, branch_digest, clip_card_purchased,
    helper_language, helper_moved, hours_running_out, low_balance, match_committed, pair_excluded,
    visit_booked, visit_cancelled, visit_concern, visit_done, visit_offered, visit_reminder,
    visit_report, visit_rescheduled, visit_taken, visit_uncovered,
};
pub use format::{day, duration, money, when};
pub use mask::mask_addresses;
pub use queue::{
    BranchContact, FROM_ADDRESS, Mail, PUBLIC_URL, country_language, enqueue, language,
};
pub use transport::{Mailer, TransportError};
pub use worker::Worker;
