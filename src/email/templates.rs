//! Mail templates (minijinja), compiled into the binary from `templates/email/`, so the binary
//! sends the same mails wherever it runs. `<kind>.<lang>.txt` holds the subject (block `subject`)
//! and the plain text; `<kind>.<lang>.html` the HTML; both extend a `layout` with the signature.

use std::sync::OnceLock;

use minijinja::Environment;
use serde_json::Value;

use super::EmailError;

/// Every template file, embedded at build time (a test checks the folder has no others).
macro_rules! embed {
    ($($name:literal),+ $(,)?) => {
        &[$(($name, include_str!(concat!("../../templates/email/", $name)))),+]
    };
}

const FILES: &[(&str, &str)] = embed!(
    "layout.txt",
    "layout.html",
    "application_received.da.txt",
    "application_received.da.html",
    "application_received.en.txt",
    "application_received.en.html",
    "stage_changed.da.txt",
    "stage_changed.da.html",
    "stage_changed.da.message",
    "stage_changed.en.txt",
    "stage_changed.en.html",
    "stage_changed.en.message",
    "helper_activated.da.txt",
    "helper_activated.da.html",
    "helper_activated.en.txt",
    "helper_activated.en.html",
    "match_client.da.txt",
    "match_client.da.html",
    "match_client.en.txt",
    "match_client.en.html",
    "match_helper.da.txt",
    "match_helper.da.html",
    "match_helper.en.txt",
    "match_helper.en.html",
    "visit_booked.da.txt",
    "visit_booked.da.html",
    "visit_booked.en.txt",
    "visit_booked.en.html",
    "visit_rescheduled.da.txt",
    "visit_rescheduled.da.html",
    "visit_rescheduled.en.txt",
    "visit_rescheduled.en.html",
    "visit_cancelled.da.txt",
    "visit_cancelled.da.html",
    "visit_cancelled.en.txt",
    "visit_cancelled.en.html",
    "visit_reminder.da.txt",
    "visit_reminder.da.html",
    "visit_reminder.en.txt",
    "visit_reminder.en.html",
    "clip_card_purchased.da.txt",
    "clip_card_purchased.da.html",
    "clip_card_purchased.en.txt",
    "clip_card_purchased.en.html",
    "visit_done.da.txt",
    "visit_done.da.html",
    "visit_done.en.txt",
    "visit_done.en.html",
    "low_balance.da.txt",
    "low_balance.da.html",
    "low_balance.en.txt",
    "low_balance.en.html",
    "account_invitation.da.txt",
    "account_invitation.da.html",
    "account_invitation.en.txt",
    "account_invitation.en.html",
    "password_reset.da.txt",
    "password_reset.da.html",
    "password_reset.en.txt",
    "password_reset.en.html",
    "relative_access.da.txt",
    "relative_access.da.html",
    "relative_access.en.txt",
    "relative_access.en.html",
    "visit_cancelled_late.da.txt",
    "visit_cancelled_late.da.html",
    "visit_cancelled_late.en.txt",
    "visit_cancelled_late.en.html",
    "visit_no_show.da.txt",
    "visit_no_show.da.html",
    "visit_no_show.en.txt",
    "visit_no_show.en.html",
    "visits_need_attention.da.txt",
    "visits_need_attention.da.html",
    "visits_need_attention.en.txt",
    "visits_need_attention.en.html",
    "visits_need_attention_branch.da.txt",
    "visits_need_attention_branch.da.html",
    "visits_need_attention_branch.en.txt",
    "visits_need_attention_branch.en.html",
    "visit_series_booked.da.txt",
    "visit_series_booked.da.html",
    "visit_series_booked.en.txt",
    "visit_series_booked.en.html",
);

/// Every kind of mail there is a template for.
pub const KINDS: &[&str] = &[
    "application_received",
    "stage_changed",
    "helper_activated",
    "match_client",
    "match_helper",
    "visit_booked",
    "visit_rescheduled",
    "visit_cancelled",
    "visit_reminder",
    "clip_card_purchased",
    "visit_done",
    "low_balance",
    "account_invitation",
    "password_reset",
    "relative_access",
    "visit_cancelled_late",
    "visit_no_show",
    "visits_need_attention",
    "visits_need_attention_branch",
    "visit_series_booked",
];

/// A rendered mail.
#[derive(Debug, Clone)]
pub struct Rendered {
    /// One line.
    pub subject: String,
    /// Plain text.
    pub text: String,
    /// HTML (values escaped; `.html` templates auto-escape).
    pub html: String,
}

fn environment() -> Result<&'static Environment<'static>, EmailError> {
    static ENVIRONMENT: OnceLock<Result<Environment<'static>, String>> = OnceLock::new();
    let built = ENVIRONMENT.get_or_init(|| {
        let mut env = Environment::new();
        env.set_trim_blocks(true);
        env.set_undefined_behavior(minijinja::UndefinedBehavior::Strict);
        for (name, source) in FILES {
            env.add_template(name, source)
                .map_err(|e| format!("{name}: {e}"))?;
        }
        Ok(env)
    });
    built
        .as_ref()
        .map_err(|e| EmailError::Config(format!("templates do not compile: {e}")))
}

/// Renders `kind` in `lang` (`da` or `en`) with `values`.
pub fn render(kind: &str, lang: &str, values: &Value) -> Result<Rendered, EmailError> {
    let env = environment()?;
    let failed = |name: &str| {
        let name = name.to_string();
        move |source| EmailError::Template { name, source }
    };
    let text_name = format!("{kind}.{lang}.txt");
    let text = env.get_template(&text_name).map_err(failed(&text_name))?;
    let mut captured = text.render_captured(values).map_err(failed(&text_name))?;
    let subject = captured
        .with_state_mut(|state| state.render_block("subject"))
        .map_err(failed(&text_name))?
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ");
    let body = captured.into_output();
    let html_name = format!("{kind}.{lang}.html");
    let mut html_values = values.clone();
    if let Value::Object(map) = &mut html_values {
        map.insert("subject".into(), Value::from(subject.clone()));
    }
    let html = env
        .get_template(&html_name)
        .and_then(|t| t.render(&html_values))
        .map_err(failed(&html_name))?;
    Ok(Rendered {
        subject,
        text: body.trim().to_string() + "\n",
        html,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn values(lang: &str) -> Value {
        json!({"lang": lang, "branch_name": "Aarhus", "branch_phone": "+45 70 20 30 40",
               "name": "Anna <b>", "status": "screened", "link": "https://x/set-password?token=t",
               "helpers": ["Bo", "Anna"], "client_name": "Karen", "helper_name": "Bo",
               "when": "tirsdag", "minutes": 60, "card_id": 7, "hours": 10,
               "price": "1.500,00 DKK", "purchased": "1. december 2026",
               "used": "1 time", "left": "2 timer", "reserved": "30 minutter",
               "reserved_minutes": 30, "valid": "14 dage", "for_client": "Karen",
               "visits": [{"when": "tirsdag", "client_name": "Karen", "helper_name": "Bo", "reason": "syg"}],
               "count": 1, "dates": ["tirsdag", "onsdag"]})
    }

    #[test]
    fn every_kind_renders_in_both_languages_with_the_branch_name_and_phone() {
        for kind in KINDS {
            for lang in ["da", "en"] {
                let mail = render(kind, lang, &values(lang)).unwrap();
                assert!(!mail.subject.is_empty(), "{kind}.{lang}");
                for part in [&mail.text, &mail.html] {
                    assert!(part.contains("Aarhus"), "{kind}.{lang}: {part}");
                    assert!(part.contains("+45 70 20 30 40"), "{kind}.{lang}: {part}");
                }
            }
        }
    }

    #[test]
    fn html_escapes_values_and_text_does_not() {
        let mail = render("application_received", "da", &values("da")).unwrap();
        assert!(mail.html.contains("Anna &lt;b&gt;"), "{}", mail.html);
        assert!(mail.text.contains("Anna <b>"));
        assert_eq!(
            mail.subject,
            "Vi har modtaget din ansøgning – helpmatch Aarhus"
        );
    }

    #[test]
    fn every_file_in_the_template_folder_is_embedded() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("templates/email");
        let mut on_disk: Vec<String> = std::fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        on_disk.sort();
        let mut embedded: Vec<String> = FILES.iter().map(|(n, _)| n.to_string()).collect();
        embedded.sort();
        assert_eq!(on_disk, embedded);
    }
}
