//! The mails each event owes, enqueued inside the event's transaction. Services call these with
//! the rows they already hold; visit and clip-card mails take plain parameters.

use crate::domain::ids::{ClientId, VisitId};
use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use serde_json::json;

use super::format::{duration, money, when};
use super::ics::{self, Method, VisitEvent};
use super::queue::{BranchContact, Mail, PUBLIC_URL, enqueue, language};
use crate::db::DbConnection;
use crate::db::models::assignment::Assignment;
use crate::db::models::branch::Branch;
use crate::db::models::client::Client;
use crate::db::models::from_json_list;
use crate::db::models::helper::Helper;
use crate::domain::{Country, HelperStatus, MailKind, Phone};
use crate::error::ApiError;

mod digest;
mod hours;
mod offers;
mod reports;

pub use digest::{DIGEST_LINES, DigestMail, branch_digest};
pub use hours::{
    ClipCardMail, LowBalanceMail, PayerMail, RunningOutMail, clip_card_purchased,
    hours_running_out, low_balance, visit_done,
};
pub use offers::{visit_offered, visit_taken, visit_uncovered};
pub use reports::{ReportedTask, pair_excluded, visit_concern, visit_report};

fn contact(branch: &Branch) -> BranchContact {
    signed(&branch.name, branch.phone.as_deref())
}

/// The branch contact a mail is signed with.
fn signed(name: &str, phone: Option<&str>) -> BranchContact {
    BranchContact {
        name: name.into(),
        phone: phone.map(Into::into),
    }
}

/// A student's mail language at a branch in `country` (ISO 3166-1), from what they speak.
pub fn helper_language(helper: &Helper, country: Country) -> &'static str {
    speaker_language(&from_json_list(&helper.languages), country)
}

/// At a Norwegian branch bokmål for Norwegian speakers, then Danish, then English; elsewhere
/// Danish for Danish speakers, else English. `nn` counts as Norwegian: there are no Nynorsk
/// templates and a Nynorsk speaker reads bokmål.
fn speaker_language(spoken: &[String], country: Country) -> &'static str {
    let speaks = |code: &str| spoken.iter().any(|l| l.eq_ignore_ascii_case(code));
    if super::country_language(country) == "nb" && (speaks("nb") || speaks("no") || speaks("nn")) {
        "nb"
    } else if speaks("da") {
        "da"
    } else {
        "en"
    }
}

/// "Application received", to the applicant.
/// The mail carries the applicant's status page (`/application/{token}`): the token is the
/// applicant's own secret, so the link works only for them.
pub fn application_received(
    conn: &mut DbConnection,
    helper: &Helper,
    status_token: &str,
) -> Result<(), ApiError> {
    let branch = Branch::find(conn, helper.branch_id)?;
    enqueue(
        conn,
        Mail {
            kind: MailKind::ApplicationReceived,
            recipient: helper.email.clone(),
            language: helper_language(helper, branch.country).into(),
            branch: contact(&branch),
            values: json!({"name": helper.name, "link": format!("{PUBLIC_URL}/application/{status_token}")}),
            ics: None,
            dedupe_key: None,
        },
    )?;
    Ok(())
}

/// A pipeline move, to the student; on activation with an invitation, the set-password link.
pub fn helper_moved(
    conn: &mut DbConnection,
    helper: &Helper,
    to: HelperStatus,
    invite_token: Option<&str>,
) -> Result<(), ApiError> {
    let branch = Branch::find(conn, helper.branch_id)?;
    let (kind, values) = match (to, invite_token) {
        (HelperStatus::Active, Some(token)) => (
            MailKind::HelperActivated,
            json!({"name": helper.name, "link": format!("{PUBLIC_URL}/set-password?token={token}")}),
        ),
        _ => (
            MailKind::StageChanged,
            json!({"name": helper.name, "status": to.as_str()}),
        ),
    };
    enqueue(
        conn,
        Mail {
            kind,
            recipient: helper.email.clone(),
            language: helper_language(helper, branch.country).into(),
            branch: contact(&branch),
            values,
            ics: None,
            dedupe_key: None,
        },
    )?;
    Ok(())
}

/// New pairs from a committed match: one mail to each client with an address (naming all its
/// new helpers) and one to each new helper per client.
pub fn match_committed(conn: &mut DbConnection, started: &[Assignment]) -> Result<(), ApiError> {
    let mut by_client: BTreeMap<ClientId, Vec<Helper>> = BTreeMap::new();
    for pair in started {
        let helper = Helper::find(conn, pair.helper_id)?;
        by_client.entry(pair.client_id).or_default().push(helper);
    }
    for (client_id, helpers) in by_client {
        let client = Client::find(conn, client_id)?;
        let branch_record = Branch::find(conn, client.branch_id)?;
        let branch = contact(&branch_record);
        if let Some(address) = &client.email {
            let names: Vec<&str> = helpers.iter().map(|h| h.name.as_str()).collect();
            enqueue(
                conn,
                Mail {
                    kind: MailKind::MatchClient,
                    recipient: address.clone(),
                    language: client.preferred_language.clone(),
                    branch: branch.clone(),
                    values: json!({"name": client.name, "helpers": names}),
                    ics: None,
                    dedupe_key: None,
                },
            )?;
        }
        for helper in &helpers {
            enqueue(
                conn,
                Mail {
                    kind: MailKind::MatchHelper,
                    recipient: helper.email.clone(),
                    language: helper_language(helper, branch_record.country).into(),
                    branch: branch.clone(),
                    values: json!({"name": helper.name, "client_name": client.name}),
                    ics: None,
                    dedupe_key: None,
                },
            )?;
        }
    }
    Ok(())
}

/// Everything a visit mail needs, as plain values (the visits service owns the rows).
#[derive(Debug, Clone)]
pub struct VisitMail<'a> {
    /// Who gets this mail (client, relative or helper).
    pub recipient: &'a str,
    /// `da`, `en` or `nb`, read by `email::language`.
    pub language: &'a str,
    /// Branch name.
    pub branch_name: &'a str,
    /// Branch phone as stored (mails format it).
    pub branch_phone: Option<&'a str>,
    /// The client visited.
    pub client_name: &'a str,
    /// The helper visiting.
    pub helper_name: &'a str,
    /// Start of the visit.
    pub start: DateTime<Utc>,
    /// The branch's IANA time zone, e.g. `Europe/Copenhagen`.
    pub time_zone: &'a str,
    /// Length in minutes.
    pub minutes: i64,
    /// Visit id (the calendar UID is `visit-{id}@helpmatch`).
    pub visit_id: VisitId,
    /// 0 when booked, raised by one on every reschedule and on cancellation.
    pub sequence: i32,
}

/// Visit booked: confirmation with a calendar invite (METHOD:REQUEST).
pub fn visit_booked(
    conn: &mut DbConnection,
    visit: &VisitMail<'_>,
) -> Result<Option<i64>, ApiError> {
    visit_mail(
        conn,
        visit,
        MailKind::VisitBooked,
        Some(Method::Request),
        None,
    )
}

/// Visit moved: the same UID with the caller's higher SEQUENCE, so calendars move it.
pub fn visit_rescheduled(
    conn: &mut DbConnection,
    visit: &VisitMail<'_>,
) -> Result<Option<i64>, ApiError> {
    visit_mail(
        conn,
        visit,
        MailKind::VisitRescheduled,
        Some(Method::Request),
        None,
    )
}

/// Visit cancelled: METHOD:CANCEL for the same UID, so calendars remove it.
pub fn visit_cancelled(
    conn: &mut DbConnection,
    visit: &VisitMail<'_>,
) -> Result<Option<i64>, ApiError> {
    visit_mail(
        conn,
        visit,
        MailKind::VisitCancelled,
        Some(Method::Cancel),
        None,
    )
}

/// Reminder the day before; idempotent per visit, start time and recipient, so a job may run
/// again without a second mail (`None` then).
pub fn visit_reminder(
    conn: &mut DbConnection,
    visit: &VisitMail<'_>,
) -> Result<Option<i64>, ApiError> {
    let key = format!(
        "visit_reminder:{}:{}:{}",
        visit.visit_id,
        visit.start.timestamp(),
        visit.recipient.to_lowercase()
    );
    visit_mail(conn, visit, MailKind::VisitReminder, None, Some(key))
}

fn visit_mail(
    conn: &mut DbConnection,
    visit: &VisitMail<'_>,
    kind: MailKind,
    method: Option<Method>,
    dedupe_key: Option<String>,
) -> Result<Option<i64>, ApiError> {
    visit_mail_with(
        conn,
        visit,
        kind,
        method,
        dedupe_key,
        serde_json::Value::Null,
    )
}

/// As `visit_mail`, with `extra` template values (a JSON object) beside the visit's own.
fn visit_mail_with(
    conn: &mut DbConnection,
    visit: &VisitMail<'_>,
    kind: MailKind,
    method: Option<Method>,
    dedupe_key: Option<String>,
    extra: serde_json::Value,
) -> Result<Option<i64>, ApiError> {
    let lang = language(visit.language);
    let ics = method.map(|method| {
        let summary = match lang {
            "en" => format!(
                "helpmatch: {} visits {}",
                visit.helper_name, visit.client_name
            ),
            "nb" => format!(
                "helpmatch: {} besøker {}",
                visit.helper_name, visit.client_name
            ),
            _ => format!(
                "helpmatch: {} besøger {}",
                visit.helper_name, visit.client_name
            ),
        };
        let phone = Phone::display(visit.branch_phone.unwrap_or_default());
        let description = match lang {
            "en" => format!(
                "Questions? Call helpmatch {} on {phone}.",
                visit.branch_name
            ),
            "nb" => format!("Spørsmål? Ring helpmatch {} på {phone}.", visit.branch_name),
            _ => format!(
                "Spørgsmål? Ring til helpmatch {} på {phone}.",
                visit.branch_name
            ),
        };
        let organizer = format!("helpmatch {}", visit.branch_name);
        ics::visit_invite(
            &VisitEvent {
                visit_id: visit.visit_id,
                sequence: visit.sequence,
                start: visit.start,
                minutes: visit.minutes,
                time_zone: visit.time_zone,
                summary: &summary,
                description: &description,
                organizer_name: &organizer,
                attendee: visit.recipient,
            },
            method,
        )
    });
    enqueue(
        conn,
        Mail {
            kind,
            recipient: visit.recipient.to_string(),
            language: lang.into(),
            branch: signed(visit.branch_name, visit.branch_phone),
            values: {
                let mut values = json!({
                    "client_name": visit.client_name,
                    "helper_name": visit.helper_name,
                    "when": when(visit.start, visit.time_zone, lang),
                    "minutes": visit.minutes,
                });
                if let (Some(values), serde_json::Value::Object(extra)) =
                    (values.as_object_mut(), extra)
                {
                    values.extend(extra);
                }
                values
            },
            ics,
            dedupe_key,
        },
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_student_reads_bokmal_at_a_norwegian_branch_when_they_speak_norwegian() {
        let speaks = |codes: &[&str]| codes.iter().map(|c| c.to_string()).collect::<Vec<_>>();
        assert_eq!(
            speaker_language(&speaks(&["da", "nb"]), Country::Norway),
            "nb"
        );
        assert_eq!(
            speaker_language(&speaks(&["en", "no"]), Country::Norway),
            "nb"
        );
        assert_eq!(speaker_language(&speaks(&["nn"]), Country::Norway), "nb");
        assert_eq!(
            speaker_language(&speaks(&["da", "en"]), Country::Norway),
            "da"
        );
        assert_eq!(
            speaker_language(&speaks(&["en", "sv"]), Country::Norway),
            "en"
        );
    }

    #[test]
    fn a_student_at_a_danish_branch_reads_danish_or_english() {
        let speaks = |codes: &[&str]| codes.iter().map(|c| c.to_string()).collect::<Vec<_>>();
        assert_eq!(
            speaker_language(&speaks(&["da", "nb"]), Country::Denmark),
            "da"
        );
        assert_eq!(
            speaker_language(&speaks(&["nb", "en"]), Country::Denmark),
            "en"
        );
        assert_eq!(speaker_language(&speaks(&["en"]), Country::Denmark), "en");
        assert_eq!(speaker_language(&[], Country::Denmark), "en");
    }
}
