//! The branch leader's morning digest (`domain::digest::Digest`), once per leader and day.

use super::*;
use crate::domain::digest::Digest;
use crate::domain::{HelperStatus, VisitCover};

/// Lines a part of the digest lists before "and N more" (the console has the rest).
pub const DIGEST_LINES: usize = 30;

/// One leader's digest.
#[derive(Debug, Clone)]
pub struct DigestMail<'a> {
    /// The leader's address.
    pub recipient: &'a str,
    /// `da`, `en` or `nb`.
    pub language: &'a str,
    /// Branch name.
    pub branch_name: &'a str,
    /// Branch phone as stored.
    pub branch_phone: Option<&'a str>,
    /// The branch's IANA time zone.
    pub time_zone: &'a str,
    /// What it says.
    pub digest: &'a Digest,
}

/// A part of the digest: its first lines and how many more there are.
fn part<T>(items: &[T], line: impl Fn(&T) -> serde_json::Value) -> serde_json::Value {
    json!({
        "count": items.len(),
        "lines": items.iter().take(DIGEST_LINES).map(line).collect::<Vec<_>>(),
        "more": items.len().saturating_sub(DIGEST_LINES),
    })
}

/// A pipeline stage for a person to read.
fn stage_text(status: HelperStatus, lang: &str) -> &'static str {
    use HelperStatus::*;
    match (status, lang) {
        (Applied, "en") => "applied",
        (Screened, "en") => "screened",
        (Interview1, "en") => "1st interview",
        (Interview2, "en") => "2nd interview",
        (Interview3, "en") => "3rd interview",
        (Applied, "nb") => "søkt",
        (Screened, "nb") => "vurdert",
        (Interview1, "nb") => "1. intervju",
        (Interview2, "nb") => "2. intervju",
        (Interview3, "nb") => "3. intervju",
        (Applied, _) => "ansøgt",
        (Screened, _) => "screenet",
        (Interview1, _) => "1. samtale",
        (Interview2, _) => "2. samtale",
        (Interview3, _) => "3. samtale",
        (other, _) => other.as_str(),
    }
}

/// The digest to one leader, once per branch, day and recipient
/// (`branch_digest:{branch}:{day}:{recipient}`).
pub fn branch_digest(
    conn: &mut DbConnection,
    mail: &DigestMail<'_>,
) -> Result<Option<i64>, ApiError> {
    let lang = language(mail.language);
    let d = mail.digest;
    let values = json!({
        "day": super::super::format::day(d.day, lang),
        "empty": d.is_empty(),
        "link": format!("{PUBLIC_URL}/console/branches/{}/board", d.branch_id),
        "short": part(&d.short_of_helpers, |c| json!({"name": c.name, "team": c.team, "complete_at": c.complete_at})),
        "without_helper": part(&d.visits_without_helper, |v| json!({
            "client_name": v.client_name,
            "when": when(v.starts_at, mail.time_zone, lang),
            "uncovered": v.cover == VisitCover::Uncovered,
        })),
        "hours_out": part(&d.hours_running_out, |h| json!({
            "name": h.name,
            "day": super::super::format::day(h.runs_out_on, lang),
            "left": duration(h.available_minutes, lang),
        })),
        "no_times": part(&d.helpers_without_availability, |h| json!({"name": h.name})),
        "waiting": part(&d.waiting_applications, |a| json!({
            "name": a.name, "stage": stage_text(a.status, lang), "days": a.days,
        })),
        "wait_days": d.application_wait_days,
    });
    enqueue(
        conn,
        Mail {
            kind: MailKind::BranchDigest,
            recipient: mail.recipient.to_string(),
            language: lang.into(),
            branch: signed(mail.branch_name, mail.branch_phone),
            values,
            ics: None,
            dedupe_key: Some(format!(
                "{}:{}:{}:{}",
                MailKind::BranchDigest,
                d.branch_id,
                d.day,
                mail.recipient.to_lowercase()
            )),
        },
    )
}
