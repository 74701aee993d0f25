//! Small validated values: names and free text, email, phone, a position on Earth.

use serde::Serialize;

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

    /// A stored number as people write it: `+45 70 20 30 40`, `+47 412 34 567`, `+47 22 12 34 56`.
    ///
    /// Other countries get `+<code> <rest>`; a leading `00` reads as `+`. A number without a
    /// country code is shown compact as stored: Danish and Norwegian numbers are both 8 digits,
    /// so the number alone cannot tell which grouping is right. Never fails, so a stored value
    /// that no longer parses still reaches the reader.
    pub fn display(stored: &str) -> String {
        let compact: String = stored
            .trim()
            .chars()
            .filter(|c| !matches!(c, ' ' | '-'))
            .collect();
        let international = compact
            .strip_prefix('+')
            .or_else(|| compact.strip_prefix("00"));
        let Some(digits) = international else {
            return compact;
        };
        if digits.is_empty() || !digits.chars().all(|c| c.is_ascii_digit()) {
            return compact;
        }
        let (code, rest) = digits.split_at(country_code_len(digits).min(digits.len()));
        let national = match (code, rest.len()) {
            ("45", 8) => grouped(rest, &[2, 2, 2, 2]),
            // Norwegian mobile numbers start with 4 or 9 and are written 3-2-3.
            ("47", 8) if rest.starts_with(['4', '9']) => grouped(rest, &[3, 2, 3]),
            ("47", 8) => grouped(rest, &[2, 2, 2, 2]),
            _ => rest.to_string(),
        };
        if national.is_empty() {
            format!("+{code}")
        } else {
            format!("+{code} {national}")
        }
    }
}

/// Length of the country calling code `digits` start with (ITU-T E.164 codes are prefix-free:
/// `1` and `7` stand alone, the two-digit codes are listed, every other code has three digits).
fn country_code_len(digits: &str) -> usize {
    const TWO_DIGIT: [&str; 44] = [
        "20", "27", "30", "31", "32", "33", "34", "36", "39", "40", "41", "43", "44", "45", "46",
        "47", "48", "49", "51", "52", "53", "54", "55", "56", "57", "58", "60", "61", "62", "63",
        "64", "65", "66", "81", "82", "84", "86", "90", "91", "92", "93", "94", "95", "98",
    ];
    if digits.starts_with(['1', '7']) {
        1
    } else if TWO_DIGIT.iter().any(|code| digits.starts_with(code)) {
        2
    } else {
        3
    }
}

/// `digits` split into groups of the given sizes, joined by spaces (the group sizes add up to
/// the length, which the caller checked).
fn grouped(digits: &str, sizes: &[usize]) -> String {
    let mut groups = Vec::with_capacity(sizes.len());
    let mut rest = digits;
    for &size in sizes {
        let (group, tail) = rest.split_at(size.min(rest.len()));
        groups.push(group);
        rest = tail;
    }
    groups.join(" ")
}

/// A position in decimal degrees (WGS 84).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, eserde::Deserialize, utoipa::ToSchema)]
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
    fn danish_numbers_are_shown_in_pairs() {
        assert_eq!(Phone::display("+4570701234"), "+45 70 70 12 34");
        assert_eq!(Phone::display("+45 70-70-12-34"), "+45 70 70 12 34");
        assert_eq!(Phone::display("004570701234"), "+45 70 70 12 34");
    }

    #[test]
    fn norwegian_mobile_numbers_are_shown_three_two_three_and_others_in_pairs() {
        assert_eq!(Phone::display("+4741234567"), "+47 412 34 567");
        assert_eq!(Phone::display("+4791234567"), "+47 912 34 567");
        assert_eq!(Phone::display("+4722123456"), "+47 22 12 34 56");
        assert_eq!(Phone::display("+4755123456"), "+47 55 12 34 56");
    }

    #[test]
    fn other_countries_show_the_code_and_the_rest_unchanged() {
        assert_eq!(Phone::display("+46812345678"), "+46 812345678");
        assert_eq!(Phone::display("+12025550123"), "+1 2025550123");
        assert_eq!(Phone::display("+3541234567"), "+354 1234567");
        assert_eq!(Phone::display("+49301234567"), "+49 301234567");
        // A Danish or Norwegian number of an unusual length is not forced into groups.
        assert_eq!(Phone::display("+451234"), "+45 1234");
        assert_eq!(Phone::display("+47123456789"), "+47 123456789");
    }

    #[test]
    fn numbers_without_a_country_code_are_shown_as_stored() {
        assert_eq!(Phone::display("70701234"), "70701234");
        assert_eq!(Phone::display("+"), "+");
        assert_eq!(Phone::display(""), "");
    }

    #[test]
    fn a_shown_number_is_the_stored_number_with_spaces() {
        let stored = Phone::parse("+47 412 34 567").unwrap().into_string();
        assert_eq!(
            Phone::parse(&Phone::display(&stored))
                .unwrap()
                .into_string(),
            stored
        );
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
        fn a_shown_international_number_has_the_same_digits(digits in "[0-9]{6,15}") {
            let stored = Phone::parse(&format!("+{digits}")).unwrap().into_string();
            prop_assert_eq!(Phone::parse(&Phone::display(&stored)).unwrap().into_string(), stored);
        }

        #[test]
        fn text_never_panics_and_respects_its_bound(raw in any::<String>()) {
            if let Ok(text) = Text::optional(&raw, 50) {
                prop_assert!(text.as_str().chars().count() <= 50);
            }
        }
    }
}
