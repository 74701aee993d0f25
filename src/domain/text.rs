//! Small validated values: names and free text, email, phone, a position on Earth.

use serde::{Deserialize, Serialize};

/// Trimmed text of bounded length with no control characters (newlines allowed in notes).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(transparent)]
pub struct Text(String);

impl Text {
    /// 1..=`max` characters after trimming.
    pub fn required(raw: &str, max: usize) -> Result<Text, String> {
        let text = Self::optional(raw, max)?;
        if text.0.is_empty() {
            Err("must not be empty".into())
        } else {
            Ok(text)
        }
    }

    /// 0..=`max` characters after trimming.
    pub fn optional(raw: &str, max: usize) -> Result<Text, String> {
        let trimmed = raw.trim();
        if trimmed.chars().count() > max {
            return Err(format!("must be at most {max} characters"));
        }
        if trimmed
            .chars()
            .any(|c| c.is_control() && c != '\n' && c != '\t')
        {
            return Err("must not contain control characters".into());
        }
        Ok(Text(trimmed.to_string()))
    }

    /// The text.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The owned text.
    pub fn into_string(self) -> String {
        self.0
    }
}

/// A lower-cased email address of plausible shape (delivery proves the rest).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(transparent)]
pub struct Email(String);

impl Email {
    /// Parses `local@domain.tld`, trimmed and lower-cased.
    pub fn parse(raw: &str) -> Result<Email, String> {
        let email = raw.trim().to_lowercase();
        let invalid = || Err("must be an email address like name@example.dk".to_string());
        if email.len() > 254 || email.chars().any(|c| c.is_whitespace() || c.is_control()) {
            return invalid();
        }
        let Some((local, domain)) = email.split_once('@') else {
            return invalid();
        };
        let domain_ok = domain.contains('.')
            && !domain.starts_with('.')
            && !domain.ends_with('.')
            && !domain.contains("..")
            && domain
                .chars()
                .all(|c| c.is_alphanumeric() || c == '-' || c == '.');
        if local.is_empty() || local.len() > 64 || !domain_ok || local.contains('@') {
            return invalid();
        }
        Ok(Email(email))
    }

    /// The address.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The owned address.
    pub fn into_string(self) -> String {
        self.0
    }
}

/// A phone number: digits with an optional leading `+`, spaces and dashes removed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(transparent)]
pub struct Phone(String);

impl Phone {
    /// Accepts `+45 12 34 56 78`, `12345678`, `+47-123-45-678`.
    pub fn parse(raw: &str) -> Result<Phone, String> {
        let compact: String = raw
            .trim()
            .chars()
            .filter(|c| !matches!(c, ' ' | '-'))
            .collect();
        let digits = compact.strip_prefix('+').unwrap_or(&compact);
        if !(6..=15).contains(&digits.len()) || !digits.chars().all(|c| c.is_ascii_digit()) {
            return Err(
                "must be a phone number of 6 to 15 digits, optionally starting with +".into(),
            );
        }
        Ok(Phone(compact))
    }

    /// The owned number.
    pub fn into_string(self) -> String {
        self.0
    }
}

/// A position in decimal degrees (WGS 84).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Position {
    /// Latitude, −90..=90.
    pub lat: f64,
    /// Longitude, −180..=180.
    pub lon: f64,
}

impl Position {
    /// Checks both coordinates are finite and in range.
    pub fn parse(lat: f64, lon: f64) -> Result<Position, String> {
        if !lat.is_finite() || !(-90.0..=90.0).contains(&lat) {
            return Err("lat must be between -90 and 90".into());
        }
        if !lon.is_finite() || !(-180.0..=180.0).contains(&lon) {
            return Err("lon must be between -180 and 180".into());
        }
        Ok(Position { lat, lon })
    }
}

/// A name folded for search: lower case across Unicode (Æ → æ), surrounding spaces gone.
pub fn search_key(name: &str) -> String {
    name.trim().to_lowercase()
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn emails_are_normalised_and_checked() {
        assert_eq!(
            Email::parse("  Anna@Example.DK ").unwrap().as_str(),
            "anna@example.dk"
        );
        for bad in [
            "", "anna", "anna@", "@x.dk", "a b@x.dk", "a@x", "a@.dk", "a@x..dk", "a@@x.dk",
        ] {
            assert!(Email::parse(bad).is_err(), "{bad:?} accepted");
        }
    }

    #[test]
    fn phones_accept_common_danish_and_norwegian_forms() {
        assert_eq!(
            Phone::parse("+45 12 34 56 78").unwrap().into_string(),
            "+4512345678"
        );
        assert!(Phone::parse("12-34").is_err());
        assert!(Phone::parse("call me").is_err());
    }

    #[test]
    fn positions_out_of_range_are_refused() {
        assert!(Position::parse(56.15, 10.21).is_ok());
        assert!(Position::parse(91.0, 0.0).is_err());
        assert!(Position::parse(0.0, -180.5).is_err());
        assert!(Position::parse(f64::NAN, 0.0).is_err());
    }

    #[test]
    fn text_is_trimmed_and_bounded() {
        assert_eq!(Text::required("  Anna  ", 10).unwrap().as_str(), "Anna");
        assert!(Text::required("   ", 10).is_err());
        assert!(Text::required("abcdefghijk", 10).is_err());
        assert!(Text::required("a\u{0}b", 10).is_err());
    }

    proptest! {
        #[test]
        fn a_parsed_email_parses_again_to_itself(local in "[a-z0-9._-]{1,20}", domain in "[a-z0-9-]{1,20}\\.[a-z]{2,6}") {
            let email = Email::parse(&format!("{local}@{domain}")).unwrap();
            prop_assert_eq!(Email::parse(email.as_str()).unwrap(), email);
        }

        #[test]
        fn text_never_panics_and_respects_its_bound(raw in any::<String>()) {
            if let Ok(text) = Text::optional(&raw, 50) {
                prop_assert!(text.as_str().chars().count() <= 50);
            }
        }
    }
}
