//! The use cases: each checks who may act, validates against the current state, writes in
//! one transaction and leaves an audit trail. Handlers call these through `db::run`.

pub mod accounts;
pub mod assignments;
pub mod audit;
pub mod availability;
pub mod board;
pub mod branches;
pub mod clients;
pub mod clip_cards;
pub mod console_sessions;
pub mod continuity;
pub mod coverage;
pub mod digest;
pub mod erasure;
pub mod helpers;
pub mod idempotency;
pub mod invitations;
pub mod mailings;
pub mod matching;
pub mod matching_map;
pub mod outbox;
pub mod privacy;
pub mod reports;
pub mod sessions;
pub mod term_periods;
pub mod throttle;
pub mod visits;
