//! Data protection (GDPR; the Danish and Norwegian data-protection acts): everything held about
//! one person as one document (right of access and portability, art. 15 and 20), and the
//! retention jobs that erase or purge what is no longer needed (art. 5(1)(e)). Erasure itself
//! (art. 17) is `services::erasure`. What is kept, why and for how long: docs/privacy.md.

mod client_export;
mod person_export;
mod records;
pub mod retention;

pub use client_export::{ClientExport, export_client};
pub use person_export::{HelperExport, RelativeExport, export_helper, export_relative};
pub use records::{AccountRecord, MailView};
