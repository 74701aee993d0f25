//! ISO 639-1 language codes.

use serde::Serialize;

/// Every ISO 639-1 code.
const ISO_639_1: &str = "aa ab ae af ak am an ar as av ay az ba be bg bh bi bm bn bo br bs ca ce ch co cr cs cu cv cy da de dv dz ee el en eo es et eu fa ff fi fj fo fr fy ga gd gl gn gu gv ha he hi ho hr ht hu hy hz ia id ie ig ii ik io is it iu ja jv ka kg ki kj kk kl km kn ko kr ks ku kv kw ky la lb lg li ln lo lt lu lv mg mh mi mk ml mn mr ms mt my na nb nd ne ng nl nn no nr nv ny oc oj om or os pa pi pl ps pt qu rm rn ro ru rw sa sc sd se sg si sk sl sm sn so sq sr ss st su sv sw ta te tg th ti tk tl tn to tr ts tt tw ty ug uk ur uz ve vi vo wa wo xh yi yo za zh zu";

/// A two-letter ISO 639-1 language code, lower case.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(transparent)]
pub struct LanguageCode(String);

impl LanguageCode {
    /// Parses `da`, `EN` (→ `en`), …
    pub fn parse(raw: &str) -> Result<LanguageCode, String> {
        let code = raw.trim().to_ascii_lowercase();
        if code.len() == 2 && ISO_639_1.split(' ').any(|known| known == code) {
            Ok(LanguageCode(code))
        } else {
            Err(format!(
                "{raw:?} is not an ISO 639-1 language code such as da, en, nb"
            ))
        }
    }

    /// Parses a list; duplicates removed, sorted.
    pub fn parse_list(raw: &[String]) -> Result<Vec<LanguageCode>, String> {
        let mut codes = raw
            .iter()
            .map(|c| LanguageCode::parse(c))
            .collect::<Result<Vec<_>, _>>()?;
        codes.sort();
        codes.dedup();
        Ok(codes)
    }

    /// The code.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_codes_parse_and_others_do_not() {
        assert_eq!(LanguageCode::parse("DA").unwrap().as_str(), "da");
        assert!(LanguageCode::parse("nb").is_ok());
        assert!(LanguageCode::parse("xx").is_err());
        assert!(LanguageCode::parse("dan").is_err());
    }
}
