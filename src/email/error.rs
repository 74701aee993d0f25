//! Why email could not be set up.

/// Why email could not be set up.
#[derive(Debug, thiserror::Error)]
pub enum EmailError {
    /// The email settings are unusable (bad SMTP URL, bad sender address).
    #[error("email configuration: {0}")]
    Config(String),
    /// A template is missing or does not render.
    #[error("email template {name}: {source}")]
    Template {
        /// Template name.
        name: String,
        /// What went wrong.
        source: minijinja::Error,
    },
}
