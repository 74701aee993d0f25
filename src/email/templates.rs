//! Mail templates (minijinja), compiled into the binary from `templates/email/`, so the binary
//! sends the same mails wherever it runs. `<kind>.<lang>.txt` holds the subject (block `subject`)
//! and the plain text; `<kind>.<lang>.html` the HTML; both extend a `layout` with the signature.

use std::sync::OnceLock;

use minijinja::Environment;
use serde_json::Value;

use super::error::EmailError;

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
    "application_received.nb.txt",
    "application_received.nb.html",
    "stage_changed.da.txt",
    "stage_changed.da.html",
    "stage_changed.da.message",
    "stage_changed.en.txt",
    "stage_changed.en.html",
    "stage_changed.en.message",
    "stage_changed.nb.txt",
    "stage_changed.nb.html",
    "stage_changed.nb.message",
    "helper_activated.da.txt",
    "helper_activated.da.html",
    "helper_activated.en.txt",
    "helper_activated.en.html",
    "helper_activated.nb.txt",
    "helper_activated.nb.html",
    "match_client.da.txt",
    "match_client.da.html",
    "match_client.en.txt",
    "match_client.en.html",
    "match_client.nb.txt",
    "match_client.nb.html",
    "match_helper.da.txt",
    "match_helper.da.html",
    "match_helper.en.txt",
    "match_helper.en.html",
    "match_helper.nb.txt",
    "match_helper.nb.html",
    "visit_offered.da.txt",
    "visit_offered.da.html",
    "visit_offered.en.txt",
    "visit_offered.en.html",
    "visit_offered.nb.txt",
    "visit_offered.nb.html",
    "visit_taken.da.txt",
    "visit_taken.da.html",
    "visit_taken.en.txt",
    "visit_taken.en.html",
    "visit_taken.nb.txt",
    "visit_taken.nb.html",
    "visit_uncovered.da.txt",
    "visit_uncovered.da.html",
    "visit_uncovered.en.txt",
    "visit_uncovered.en.html",
    "visit_uncovered.nb.txt",
    "visit_uncovered.nb.html",
    "visit_report.da.txt",
    "visit_report.da.html",
    "visit_report.en.txt",
    "visit_report.en.html",
    "visit_report.nb.txt",
    "visit_report.nb.html",
    "visit_concern.da.txt",
    "visit_concern.da.html",
    "visit_concern.en.txt",
    "visit_concern.en.html",
    "visit_concern.nb.txt",
    "visit_concern.nb.html",
    "pair_excluded.da.txt",
    "pair_excluded.da.html",
    "pair_excluded.en.txt",
    "pair_excluded.en.html",
    "pair_excluded.nb.txt",
    "pair_excluded.nb.html",
    "visit_booked.da.txt",
    "visit_booked.da.html",
    "visit_booked.en.txt",
    "visit_booked.en.html",
    "visit_booked.nb.txt",
    "visit_booked.nb.html",
    "visit_rescheduled.da.txt",
    "visit_rescheduled.da.html",
    "visit_rescheduled.en.txt",
    "visit_rescheduled.en.html",
    "visit_rescheduled.nb.txt",
    "visit_rescheduled.nb.html",
    "visit_cancelled.da.txt",
    "visit_cancelled.da.html",
    "visit_cancelled.en.txt",
    "visit_cancelled.en.html",
    "visit_cancelled.nb.txt",
    "visit_cancelled.nb.html",
    "visit_reminder.da.txt",
    "visit_reminder.da.html",
    "visit_reminder.en.txt",
    "visit_reminder.en.html",
    "visit_reminder.nb.txt",
    "visit_reminder.nb.html",
    "clip_card_purchased.da.txt",
    "clip_card_purchased.da.html",
    "clip_card_purchased.en.txt",
    "clip_card_purchased.en.html",
    "clip_card_purchased.nb.txt",
    "clip_card_purchased.nb.html",
    "visit_done.da.txt",
    "visit_done.da.html",
    "visit_done.en.txt",
    "visit_done.en.html",
    "visit_done.nb.txt",
    "visit_done.nb.html",
    "low_balance.da.txt",
    "low_balance.da.html",
    "low_balance.en.txt",
    "low_balance.en.html",
    "low_balance.nb.txt",
    "low_balance.nb.html",
    "branch_digest.da.txt",
    "branch_digest.da.html",
    "branch_digest.en.txt",
    "branch_digest.en.html",
    "branch_digest.nb.txt",
    "branch_digest.nb.html",
    "hours_running_out.da.txt",
    "hours_running_out.da.html",
    "hours_running_out.en.txt",
    "hours_running_out.en.html",
    "hours_running_out.nb.txt",
    "hours_running_out.nb.html",
    "account_invitation.da.txt",
    "account_invitation.da.html",
    "account_invitation.en.txt",
    "account_invitation.en.html",
    "account_invitation.nb.txt",
    "account_invitation.nb.html",
    "password_reset.da.txt",
    "password_reset.da.html",
    "password_reset.en.txt",
    "password_reset.en.html",
    "password_reset.nb.txt",
    "password_reset.nb.html",
    "relative_access.da.txt",
    "relative_access.da.html",
    "relative_access.en.txt",
    "relative_access.en.html",
    "relative_access.nb.txt",
    "relative_access.nb.html",
    "visit_cancelled_late.da.txt",
    "visit_cancelled_late.da.html",
    "visit_cancelled_late.en.txt",
    "visit_cancelled_late.en.html",
    "visit_cancelled_late.nb.txt",
    "visit_cancelled_late.nb.html",
    "visit_no_show.da.txt",
    "visit_no_show.da.html",
    "visit_no_show.en.txt",
    "visit_no_show.en.html",
    "visit_no_show.nb.txt",
    "visit_no_show.nb.html",
    "visits_need_attention.da.txt",
    "visits_need_attention.da.html",
    "visits_need_attention.en.txt",
    "visits_need_attention.en.html",
    "visits_need_attention.nb.txt",
    "visits_need_attention.nb.html",
    "visits_need_attention_branch.da.txt",
    "visits_need_attention_branch.da.html",
    "visits_need_attention_branch.en.txt",
    "visits_need_attention_branch.en.html",
    "visits_need_attention_branch.nb.txt",
    "visits_need_attention_branch.nb.html",
    "visit_series_booked.da.txt",
    "visit_series_booked.da.html",
    "visit_series_booked.en.txt",
    "visit_series_booked.en.html",
    "visit_series_booked.nb.txt",
    "visit_series_booked.nb.html",
);

/// Every language there are templates for: Danish, English, Norwegian bokmål.
pub const LANGUAGES: &[&str] = &["da", "en", "nb"];

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

/// Renders `kind` in `lang` (one of [`LANGUAGES`]) with `values`.
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
    use crate::domain::MailKind;
    use serde_json::json;

    fn values(lang: &str) -> Value {
        let mut values = json!({"lang": lang, "branch_name": "Aarhus", "branch_phone": "+45 70 20 30 40",
               "name": "Anna <b>", "status": "screened", "link": "https://x/set-password?token=t",
               "helpers": ["Bo", "Anna"], "client_name": "Karen", "helper_name": "Bo",
               "when": "tirsdag", "minutes": 60, "card_id": 7, "hours": 10,
               "price": "1.500,00 DKK", "purchased": "1. december 2026",
               "used": "1 time", "left": "2 timer", "reserved": "30 minutter",
               "reserved_minutes": 30, "valid": "14 dage", "for_client": "Karen",
               "visits": [{"when": "tirsdag", "client_name": "Karen", "helper_name": "Bo", "reason": "syg"}],
               "count": 1, "dates": ["tirsdag", "onsdag"],
               "tasks": [{"task": "cleaning", "done": false, "note": "no bags"}], "note": "worried", "by": "helper"});
        // The digest's and the forecast's values, apart: one json! this long overflows the
        // macro's recursion limit.
        let more = json!({"runs_out_on": "tirsdag den 1. december 2026", "rate": "2 timer",
               "day": "tirsdag", "empty": false, "wait_days": 7,
               "short": {"count": 1, "more": 0, "lines": [{"name": "Karen", "team": 1, "complete_at": 2}]},
               "without_helper": {"count": 1, "more": 0, "lines": [{"client_name": "Karen", "when": "tirsdag", "uncovered": true}]},
               "hours_out": {"count": 31, "more": 1, "lines": [{"name": "Karen", "day": "tirsdag", "left": "1 time"}]},
               "no_times": {"count": 1, "more": 0, "lines": [{"name": "Bo"}]},
               "waiting": {"count": 1, "more": 0, "lines": [{"name": "Sara", "stage": "ansøgt", "days": 9}]}});
        if let (Value::Object(all), Value::Object(more)) = (&mut values, more) {
            all.extend(more);
        }
        values
    }

    #[test]
    fn every_kind_renders_in_every_language_with_the_branch_name_and_phone() {
        for kind in MailKind::ALL.iter().map(|k| k.as_str()) {
            for lang in LANGUAGES {
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
    fn every_kind_has_text_and_html_in_danish_english_and_bokmal() {
        assert_eq!(LANGUAGES, ["da", "en", "nb"]);
        for kind in MailKind::ALL.iter().map(|k| k.as_str()) {
            for lang in LANGUAGES {
                for part in ["txt", "html"] {
                    let name = format!("{kind}.{lang}.{part}");
                    assert!(FILES.iter().any(|(n, _)| *n == name), "{name} is missing");
                }
            }
        }
    }

    #[test]
    fn bokmal_mails_are_signed_in_bokmal_with_norwegian_values() {
        let mut values = values("nb");
        values["branch_name"] = json!("Oslo");
        values["branch_phone"] = json!("+47 22 12 34 56");
        values["price"] = json!("1\u{a0}560,00 kr");
        let mail = render("clip_card_purchased", "nb", &values).unwrap();
        assert_eq!(mail.subject, "Kvittering for klippekort nr. 7");
        for part in [&mail.text, &mail.html] {
            assert!(part.contains("Takk for kjøpet"), "{part}");
            assert!(part.contains("1\u{a0}560,00 kr"), "{part}");
            assert!(part.contains("Vennlig hilsen"), "{part}");
            assert!(part.contains("Telefon: "), "{part}");
        }
        assert!(mail.html.contains("<html lang=\"nb\">"), "{}", mail.html);
        assert!(
            mail.html.contains("href=\"tel:+4722123456\""),
            "{}",
            mail.html
        );
        let stage = render("stage_changed", "nb", &values).unwrap();
        assert!(stage.text.contains("vil gjerne møte deg"), "{}", stage.text);
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
