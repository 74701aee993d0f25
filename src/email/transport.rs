//! How a mail leaves: async SMTP (lettre, TLS from the URL scheme) or `.eml` files in a folder.

use std::time::Duration;

use lettre::message::header::ContentType;
use lettre::message::{Attachment, Mailbox, MultiPart};
use lettre::{AsyncFileTransport, AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};
use secrecy::ExposeSecret;

use super::error::EmailError;
use super::mask::mask_addresses;
use super::queue::{FROM_ADDRESS, PUBLIC_URL};
use crate::config::{EmailSettings, EmailTransport};
use crate::db::models::outbox::OutboxMail;

/// Sends rendered outbox mails.
#[derive(Clone)]
pub struct Mailer {
    transport: Transport,
    from: Mailbox,
    public_url: String,
}

#[derive(Clone)]
enum Transport {
    File(AsyncFileTransport<Tokio1Executor>),
    Smtp(AsyncSmtpTransport<Tokio1Executor>),
}

/// Why one mail was not sent, with no address in the text.
#[derive(Debug, Clone, thiserror::Error)]
#[error("{message}")]
pub struct TransportError {
    /// Retrying cannot help (the server refused the recipient for good, the address is invalid).
    pub permanent: bool,
    /// What happened, addresses masked.
    pub message: String,
}

impl TransportError {
    fn permanent(message: impl std::fmt::Display) -> TransportError {
        TransportError {
            permanent: true,
            message: mask_addresses(&message.to_string()),
        }
    }

    fn transient(message: impl std::fmt::Display) -> TransportError {
        TransportError {
            permanent: false,
            message: mask_addresses(&message.to_string()),
        }
    }
}

impl Mailer {
    /// Builds the transport from `email.*`: `smtp://host:25` (plain), `smtp://host:587?tls=required`
    /// (STARTTLS), `smtps://host:465` (TLS), user and password in the URL; or the file folder.
    pub fn from_settings(settings: &EmailSettings) -> Result<Mailer, EmailError> {
        let from: Mailbox = settings
            .from
            .parse()
            .map_err(|e| EmailError::Config(format!("email.from is not an address: {e}")))?;
        let transport = match settings.transport {
            EmailTransport::File => Transport::File(AsyncFileTransport::new(&settings.file_dir)),
            EmailTransport::Smtp => {
                let url = settings
                    .smtp_url
                    .as_ref()
                    .ok_or_else(|| EmailError::Config("email.smtp_url is not set".into()))?;
                // The URL holds credentials: its parse error is reported without it.
                let builder = AsyncSmtpTransport::<Tokio1Executor>::from_url(url.expose_secret())
                    .map_err(|_| {
                    EmailError::Config("email.smtp_url is not a valid SMTP URL".into())
                })?;
                Transport::Smtp(
                    builder
                        .timeout(Some(Duration::from_secs(settings.smtp_timeout_secs)))
                        .build(),
                )
            }
        };
        Ok(Mailer {
            transport,
            from,
            public_url: settings.public_url.trim_end_matches('/').to_string(),
        })
    }

    /// Builds the MIME message for an outbox mail: text and HTML alternatives, the `.ics` attached,
    /// and a `Message-ID` derived from the outbox id so a receiver can spot a repeat.
    pub fn message(&self, mail: &OutboxMail) -> Result<Message, TransportError> {
        let to: Mailbox = mail
            .recipient
            .parse()
            .map_err(|e| TransportError::permanent(format!("invalid recipient: {e}")))?;
        let domain = self.from.email.domain().to_string();
        let text = self.fill(&mail.text_body, false);
        let html = self.fill(&mail.html_body, true);
        let alternative = MultiPart::alternative_plain_html(text, html);
        let body = match &mail.ics {
            None => alternative,
            Some(ics) => {
                let method = if ics.contains("\r\nMETHOD:CANCEL\r\n") {
                    "CANCEL"
                } else {
                    "REQUEST"
                };
                let content_type =
                    ContentType::parse(&format!("text/calendar; charset=utf-8; method={method}"))
                        .map_err(TransportError::permanent)?;
                let ics = ics.replace(FROM_ADDRESS, self.from.email.as_ref());
                MultiPart::mixed()
                    .multipart(alternative)
                    .singlepart(Attachment::new("invitation.ics".into()).body(ics, content_type))
            }
        };
        Message::builder()
            .from(self.from.clone())
            .to(to)
            .subject(mail.subject.clone())
            .message_id(Some(format!("<outbox-{}@{domain}>", mail.id)))
            .multipart(body)
            .map_err(TransportError::permanent)
    }

    /// Sends one outbox mail.
    pub async fn send(&self, mail: &OutboxMail) -> Result<(), TransportError> {
        let message = self.message(mail)?;
        match &self.transport {
            Transport::File(files) => files
                .send(message)
                .await
                .map(|_| ())
                .map_err(TransportError::transient),
            Transport::Smtp(smtp) => smtp.send(message).await.map(|_| ()).map_err(|e| {
                if e.is_permanent() {
                    TransportError::permanent(e)
                } else {
                    TransportError::transient(e)
                }
            }),
        }
    }

    /// Creates the folder of the file transport, so the first mail does not fail on it.
    pub async fn prepare(&self, settings: &EmailSettings) -> std::io::Result<()> {
        if let Transport::File(_) = self.transport {
            tokio::fs::create_dir_all(&settings.file_dir).await?;
        }
        Ok(())
    }

    /// Puts the deployment's public URL into links written with the placeholder.
    fn fill(&self, body: &str, html: bool) -> String {
        if html {
            let escaped = self
                .public_url
                .replace('&', "&amp;")
                .replace('"', "&quot;")
                .replace('<', "&lt;")
                .replace('>', "&gt;");
            body.replace(PUBLIC_URL, &escaped)
        } else {
            body.replace(PUBLIC_URL, &self.public_url)
        }
    }
}
