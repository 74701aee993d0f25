//! The transactional outbox's entrance: a mail is rendered when it is enqueued, inside the
//! transaction of the change that owes it, so the outbox row is exactly what will be sent.

use serde_json::{Map, Value};

use super::templates;
use crate::db::DbConnection;
use crate::db::models::now;
use crate::db::models::outbox::{NewOutboxMail, OutboxMail};
use crate::domain::{Country, MailKind, OutboxStatus, Phone};
use crate::error::ApiError;

/// Stands for `email.public_url` in a queued mail; replaced when the mail is sent.
pub const PUBLIC_URL: &str = "__HELPMATCH_PUBLIC_URL__";
/// Stands for the sender's address (`email.from`) in a queued calendar invite.
pub const FROM_ADDRESS: &str = "__HELPMATCH_FROM_ADDRESS__";

/// The branch a mail is signed by: its name and phone number are in every mail.
#[derive(Debug, Clone)]
pub struct BranchContact {
    /// Branch (city) name.
    pub name: String,
    /// Branch phone number as stored, if it has one; mails show it with [`Phone::display`].
    pub phone: Option<String>,
}

/// A mail to enqueue: which template, to whom, in which language, with which values.
#[derive(Debug, Clone)]
pub struct Mail {
    /// Template name under `templates/email/`, e.g. `application_received`.
    pub kind: MailKind,
    /// Recipient address.
    pub recipient: String,
    /// Wanted language, read by [`language`]: `da`, `en` or `nb`.
    pub language: String,
    /// The branch that signs the mail.
    pub branch: BranchContact,
    /// Template values (a JSON object); `branch_name`, `branch_phone` (formatted) and `lang` are added.
    pub values: Value,
    /// Calendar attachment, if any.
    pub ics: Option<String>,
    /// Idempotency key: a second mail with the same key is not enqueued.
    pub dedupe_key: Option<String>,
}

/// The language a mail is written in: `en`, `nb` (for `nb`, `no` and `nn`) or Danish otherwise.
pub fn language(wanted: &str) -> &'static str {
    // "nb-NO" and "en_GB" read as their language; region does not change the template.
    let code = wanted.trim().split(['-', '_']).next().unwrap_or_default();
    match code.to_ascii_lowercase().as_str() {
        "en" => "en",
        // There are no Nynorsk templates, and a Nynorsk reader reads bokmål, not Danish.
        "nb" | "no" | "nn" => "nb",
        _ => "da",
    }
}

/// The mail language of a branch's country (ISO 3166-1): `nb` in Norway, Danish otherwise.
pub fn country_language(country: Country) -> &'static str {
    match country {
        Country::Norway => "nb",
        Country::Denmark => "da",
    }
}

/// Renders `mail` and writes it to the outbox on `conn`. Call it inside the transaction of the
/// change that owes the mail: if that rolls back, there is no mail. Returns the outbox id, or
/// `None` when a mail with the same `dedupe_key` is already queued or sent.
pub fn enqueue(conn: &mut DbConnection, mail: Mail) -> Result<Option<i64>, ApiError> {
    let lang = language(&mail.language);
    let mut values = match mail.values {
        Value::Object(map) => map,
        _ => Map::new(),
    };
    values.insert("branch_name".into(), Value::from(mail.branch.name));
    let phone = mail.branch.phone.as_deref().map(Phone::display);
    values.insert("branch_phone".into(), Value::from(phone));
    values.insert("lang".into(), Value::from(lang));
    let rendered = templates::render(mail.kind.as_str(), lang, &Value::Object(values))
        .map_err(|e| ApiError::Internal(e.into()))?;
    let at = now();
    let new = NewOutboxMail {
        kind: mail.kind,
        recipient: mail.recipient,
        language: lang.to_string(),
        subject: rendered.subject,
        text_body: rendered.text,
        html_body: rendered.html,
        ics: mail.ics,
        status: OutboxStatus::Pending,
        attempts: 0,
        next_attempt_at: at,
        created_at: at,
        dedupe_key: mail.dedupe_key,
    };
    let id = OutboxMail::insert(conn, &new)?;
    match id {
        Some(id) => tracing::info!(outbox.id = id, mail.kind = %mail.kind, "mail queued"),
        None => tracing::debug!(mail.kind = %mail.kind, "mail already queued (dedupe key)"),
    }
    Ok(id)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn norwegian_readers_get_bokmal_english_readers_english_and_everyone_else_danish() {
        for wanted in ["nb", "no", "nn", "NB", "nb-NO", "no_NO"] {
            assert_eq!(language(wanted), "nb", "{wanted}");
        }
        for wanted in ["en", "EN", "en-GB"] {
            assert_eq!(language(wanted), "en", "{wanted}");
        }
        for wanted in ["da", "", "sv", "de", "nob"] {
            assert_eq!(language(wanted), "da", "{wanted}");
        }
    }

    #[test]
    fn a_branch_writes_in_its_countrys_language() {
        assert_eq!(country_language(Country::Norway), "nb");
        assert_eq!(country_language(Country::Denmark), "da");
    }
}
