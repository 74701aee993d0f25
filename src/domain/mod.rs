//! Validated types and the rules of the business. Nothing here knows about HTTP or SQL.

pub mod audit;
pub mod client_source;
pub mod country;
pub mod digest;
pub mod feedback;
pub mod home_trait;
pub mod ids;
pub mod language;
pub mod mail;
pub mod money;
pub mod pipeline;
pub mod role;
pub mod skill;
pub mod text;
pub mod validation;
pub mod visit;
pub mod vocabulary;

pub use client_source::ClientSource;
pub use country::Country;
pub use feedback::{ExclusionSource, FeedbackSide};
pub use home_trait::HomeTrait;
pub use language::LanguageCode;
pub use mail::{MailKind, OutboxStatus};
pub use money::{LedgerKind, MailLanguage, PaymentMethod, Product};
pub use pipeline::{CheckOutcome, HelperStatus};
pub use role::Role;
pub use skill::Skill;
pub use text::{Email, Phone, Position, Text};
pub use validation::Validator;
pub use visit::{VisitAttention, VisitCover, VisitStatus};
