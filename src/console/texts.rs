//! What the console says, in Danish (the default) and English: JSON files under
//! `templates/console/texts/`, one per area of the console, each key with both languages side by
//! side (a test checks every key has both). The language is the switch's cookie if set, else the
//! browser's `Accept-Language`.

use std::sync::OnceLock;

use actix_web::HttpRequest;
use actix_web::http::header;
use serde_json::{Map, Value};

/// The cookie the language switch sets.
pub const LANG_COOKIE: &str = "hm_lang";

/// A console language.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lang {
    /// Danish.
    Da,
    /// English.
    En,
}

impl Lang {
    /// The switch's choice, else the first of `Accept-Language` the console speaks, else Danish.
    pub fn of(req: &HttpRequest) -> Lang {
        if let Some(chosen) = req.cookie(LANG_COOKIE).and_then(|c| Lang::parse(c.value())) {
            return chosen;
        }
        let wanted = req
            .headers()
            .get(header::ACCEPT_LANGUAGE)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default();
        wanted
            .split(',')
            .filter_map(|part| part.split(';').next())
            .find_map(|tag| {
                let primary = tag.trim().split('-').next().unwrap_or_default();
                match primary.to_ascii_lowercase().as_str() {
                    // Norwegian readers get Danish, the closer of the two.
                    "da" | "nb" | "no" | "nn" => Some(Lang::Da),
                    "en" => Some(Lang::En),
                    _ => None,
                }
            })
            .unwrap_or(Lang::Da)
    }

    /// `da` or `en`.
    pub fn parse(code: &str) -> Option<Lang> {
        match code {
            "da" => Some(Lang::Da),
            "en" => Some(Lang::En),
            _ => None,
        }
    }

    /// The `lang` attribute and the cookie's value.
    pub fn code(self) -> &'static str {
        match self {
            Lang::Da => "da",
            Lang::En => "en",
        }
    }

    /// Every text in this language, as the templates' `t`.
    pub fn texts(self) -> &'static Value {
        static DA: OnceLock<Value> = OnceLock::new();
        static EN: OnceLock<Value> = OnceLock::new();
        let cell = match self {
            Lang::Da => &DA,
            Lang::En => &EN,
        };
        cell.get_or_init(|| Value::Object(in_language(self.code())))
    }

    /// Every text as the templates' `t`, converted once (cloning it is cheap).
    pub fn template_texts(self) -> minijinja::Value {
        static DA: OnceLock<minijinja::Value> = OnceLock::new();
        static EN: OnceLock<minijinja::Value> = OnceLock::new();
        let cell = match self {
            Lang::Da => &DA,
            Lang::En => &EN,
        };
        cell.get_or_init(|| minijinja::Value::from_serialize(self.texts()))
            .clone()
    }

    /// The text `done_<flag>` that confirms what a form did, if there is one (a flag from the
    /// address is never printed itself).
    pub fn done(self, flag: &str) -> Option<String> {
        self.texts()
            .get(format!("done_{flag}"))
            .and_then(Value::as_str)
            .map(str::to_string)
    }

    /// One text by key without copying it (a page that prints thousands); the key when missing.
    pub fn text_ref(self, key: &str) -> std::borrow::Cow<'static, str> {
        match self.texts().get(key).and_then(Value::as_str) {
            Some(text) => std::borrow::Cow::Borrowed(text),
            None => std::borrow::Cow::Owned(key.to_string()),
        }
    }

    /// One text by key (for messages built in code); the key itself when missing.
    pub fn text(self, key: &str) -> String {
        self.text_ref(key).into_owned()
    }
}

/// The text files, one per area of the console.
macro_rules! text_files {
    ($($name:literal),* $(,)?) => {
        &[$(($name, include_str!(concat!("../../templates/console/texts/", $name)))),*]
    };
}

const FILES: &[(&str, &str)] = text_files![
    "common.json",
    "visits.json",
    "recruitment.json",
    "clients.json",
    "matching.json",
    "hours.json",
    "admin.json",
    "continuity.json",
];

/// Every key of every file in one language. The files are compiled in and checked by the test
/// below; a key missing in a language falls back to the other, never to an empty text.
fn in_language(code: &str) -> Map<String, Value> {
    let mut out = Map::new();
    for (_, source) in FILES {
        let Ok(Value::Object(entries)) = serde_json::from_str::<Value>(source) else {
            continue;
        };
        for (key, both) in entries {
            let text = both
                .get(code)
                .or_else(|| both.get("da"))
                .cloned()
                .unwrap_or_else(|| Value::from(key.clone()));
            out.insert(key, text);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_text_is_in_both_languages_and_no_key_is_in_two_files() {
        let mut seen = std::collections::HashMap::new();
        for (file, source) in FILES {
            let entries: Map<String, Value> =
                serde_json::from_str(source).unwrap_or_else(|e| panic!("{file}: {e}"));
            for (key, both) in entries {
                for code in ["da", "en"] {
                    let text = both.get(code).and_then(Value::as_str).unwrap_or_default();
                    assert!(!text.trim().is_empty(), "{file}: {key} has no {code} text");
                }
                assert_eq!(both.as_object().map(|o| o.len()), Some(2), "{file}: {key}");
                if let Some(other) = seen.insert(key.clone(), *file) {
                    panic!("{key} is in {other} and {file}");
                }
            }
        }
        assert!(seen.len() > 50, "the texts were read: {}", seen.len());
        assert_eq!(Lang::Da.text("sign_in"), "Log ind");
        assert_eq!(Lang::En.text("sign_in"), "Sign in");
    }
}
