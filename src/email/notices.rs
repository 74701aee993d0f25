//! Mails about accounts (invitations, password resets, a relative's new access) and about
//! visits that went wrong or come as a series: a late cancellation or a no-show says what was
//! used and what remains; visits whose helper cannot come are listed to the family and the branch.

use crate::domain::ids::VisitId;
use chrono::{DateTime, Utc};
use serde_json::json;

use super::events::VisitMail;
use super::format::{duration, when};
use super::ics::{self, Method, VisitEvent};
use super::queue::{BranchContact, Mail, PUBLIC_URL, enqueue, language};
use crate::db::DbConnection;
use crate::domain::{MailKind, VisitAttention};
use crate::error::ApiError;

/// Why a set-password link is mailed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PasswordLink {
    /// A new account (client, relative, staff): choose a first password.
    Invitation,
    /// A forgotten password.
    Reset,
}

/// A mail with a set-password link, as plain values.
#[derive(Debug, Clone)]
pub struct AccountMail<'a> {
    /// The account's address.
    pub recipient: &'a str,
    /// Mail language.
    pub language: &'a str,
    /// Who signs it.
    pub branch: BranchContact,
    /// The person's name.
    pub name: &'a str,
    /// The one-time token of the link.
    pub token: &'a str,
    /// How long the link works, in hours.
    pub valid_hours: i64,
    /// For a relative: the client whose account they follow.
    pub for_client: Option<&'a str>,
}

/// The set-password page a link in a mail opens.
pub fn set_password_link(token: &str) -> String {
    format!("{PUBLIC_URL}/set-password?token={token}")
}

/// An invitation or a reset link. Each is a new token, so no dedupe key.
pub fn password_link(
    conn: &mut DbConnection,
    why: PasswordLink,
    mail: &AccountMail<'_>,
) -> Result<Option<i64>, ApiError> {
    let kind = match why {
        PasswordLink::Invitation => MailKind::AccountInvitation,
        PasswordLink::Reset => MailKind::PasswordReset,
    };
    let lang = language(mail.language);
    enqueue(
        conn,
        Mail {
            kind,
            recipient: mail.recipient.to_string(),
            language: lang.into(),
            branch: mail.branch.clone(),
            values: json!({
                "name": mail.name,
                "link": set_password_link(mail.token),
                "valid": duration(mail.valid_hours * 60, lang),
                "for_client": mail.for_client,
            }),
            ics: None,
            dedupe_key: None,
        },
    )
}

/// An existing login now also follows another client (no new password needed).
pub fn relative_access(
    conn: &mut DbConnection,
    recipient: &str,
    lang: &str,
    branch: BranchContact,
    name: &str,
    client_name: &str,
) -> Result<Option<i64>, ApiError> {
    let lang = language(lang);
    enqueue(
        conn,
        Mail {
            kind: MailKind::RelativeAccess,
            recipient: recipient.to_string(),
            language: lang.into(),
            branch,
            values: json!({"name": name, "client_name": client_name, "link": format!("{PUBLIC_URL}/")}),
            ics: None,
            dedupe_key: None,
        },
    )
}

/// A late cancellation: METHOD:CANCEL, and the hours it used and what remains.
pub fn visit_cancelled_late(
    conn: &mut DbConnection,
    visit: &VisitMail<'_>,
    available_minutes: i64,
) -> Result<Option<i64>, ApiError> {
    money_event(
        conn,
        visit,
        MailKind::VisitCancelledLate,
        available_minutes,
        Calendar::Cancel,
    )
}

/// A no-show: the hours it used and what remains.
pub fn visit_no_show(
    conn: &mut DbConnection,
    visit: &VisitMail<'_>,
    available_minutes: i64,
) -> Result<Option<i64>, ApiError> {
    money_event(
        conn,
        visit,
        MailKind::VisitNoShow,
        available_minutes,
        Calendar::Keep,
    )
}

/// What a mail about the visit's hours does to the calendar invite sent at booking.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Calendar {
    /// The visit is off: the mail carries a cancellation of the invite.
    Cancel,
    /// The visit stays in the calendar as it happened (a no-show).
    Keep,
}

fn money_event(
    conn: &mut DbConnection,
    visit: &VisitMail<'_>,
    kind: MailKind,
    available_minutes: i64,
    calendar: Calendar,
) -> Result<Option<i64>, ApiError> {
    let lang = language(visit.language);
    let ics = (calendar == Calendar::Cancel).then(|| invite(visit, lang, Method::Cancel));
    enqueue(
        conn,
        Mail {
            kind,
            recipient: visit.recipient.to_string(),
            language: lang.into(),
            branch: BranchContact {
                name: visit.branch_name.into(),
                phone: visit.branch_phone.map(Into::into),
            },
            values: json!({
                "client_name": visit.client_name,
                "helper_name": visit.helper_name,
                "when": when(visit.start, visit.time_zone, lang),
                "used": duration(visit.minutes, lang),
                "left": duration(available_minutes, lang),
            }),
            ics,
            dedupe_key: Some(format!(
                "{kind}:{}:{}",
                visit.visit_id,
                visit.recipient.to_lowercase()
            )),
        },
    )
}

fn invite(visit: &VisitMail<'_>, lang: &str, method: Method) -> String {
    let summary = summary(visit.helper_name, visit.client_name, lang);
    let organizer = format!("helpmatch {}", visit.branch_name);
    ics::visit_invite(
        &VisitEvent {
            visit_id: visit.visit_id,
            sequence: visit.sequence,
            start: visit.start,
            minutes: visit.minutes,
            time_zone: visit.time_zone,
            summary: &summary,
            description: &summary,
            organizer_name: &organizer,
            attendee: visit.recipient,
        },
        method,
    )
}

/// The calendar title of a visit.
fn summary(helper: &str, client: &str, lang: &str) -> String {
    match lang {
        "en" => format!("helpmatch: {helper} visits {client}"),
        "nb" => format!("helpmatch: {helper} besøker {client}"),
        _ => format!("helpmatch: {helper} besøger {client}"),
    }
}

/// One visit in a list mail.
#[derive(Debug, Clone)]
pub struct ListedVisit<'a> {
    /// Visit id (dedupe).
    pub visit_id: VisitId,
    /// Start.
    pub start: DateTime<Utc>,
    /// Client's name.
    pub client_name: &'a str,
    /// Helper's name.
    pub helper_name: &'a str,
    /// Why it needs attention (for the attention mails).
    pub attention: Option<VisitAttention>,
    /// Since when (for the attention mails: a later change is a new mail).
    pub attention_since: Option<DateTime<Utc>>,
}

/// Who a list of affected visits goes to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Audience {
    /// The client and relatives who see visits.
    ClientSide,
    /// The branch leaders.
    Branch,
}

/// Visits whose helper cannot come as booked, to one recipient. Idempotent per recipient,
/// set of visits and moment they became affected, so a retried change does not mail twice but
/// a later change (paused again after coming back) is told again.
pub fn visits_need_attention(
    conn: &mut DbConnection,
    recipient: &str,
    lang: &str,
    branch: BranchContact,
    time_zone: &str,
    audience: Audience,
    visits: &[ListedVisit<'_>],
) -> Result<Option<i64>, ApiError> {
    let lang = language(lang);
    let items: Vec<_> = visits
        .iter()
        .map(|v| {
            json!({
                "when": when(v.start, time_zone, lang),
                "client_name": v.client_name,
                "helper_name": v.helper_name,
                "reason": v.attention.map(|a| attention_text(a, lang)).unwrap_or_default(),
            })
        })
        .collect();
    let ids: Vec<String> = visits.iter().map(|v| v.visit_id.to_string()).collect();
    let since = visits
        .iter()
        .filter_map(|v| v.attention_since)
        .max()
        .map(|at| at.timestamp_micros())
        .unwrap_or_default();
    let kind = match audience {
        Audience::ClientSide => MailKind::VisitsNeedAttention,
        Audience::Branch => MailKind::VisitsNeedAttentionBranch,
    };
    enqueue(
        conn,
        Mail {
            kind,
            recipient: recipient.to_string(),
            language: lang.into(),
            branch,
            values: json!({"visits": items, "count": visits.len()}),
            ics: None,
            dedupe_key: Some(format!(
                "{kind}:{}:{}:{since}:{}",
                ids.join(","),
                visits
                    .iter()
                    .filter_map(|v| v.attention.map(|a| a.as_str()))
                    .collect::<Vec<_>>()
                    .join(","),
                recipient.to_lowercase()
            )),
        },
    )
}

/// A weekly series booked: one mail listing every date, with one invite holding every visit.
pub fn visit_series_booked(
    conn: &mut DbConnection,
    first: &VisitMail<'_>,
    visits: &[ListedVisit<'_>],
) -> Result<Option<i64>, ApiError> {
    let lang = language(first.language);
    let dates: Vec<String> = visits
        .iter()
        .map(|v| when(v.start, first.time_zone, lang))
        .collect();
    let summary = summary(first.helper_name, first.client_name, lang);
    let organizer = format!("helpmatch {}", first.branch_name);
    let events: Vec<VisitEvent<'_>> = visits
        .iter()
        .map(|v| VisitEvent {
            visit_id: v.visit_id,
            sequence: 0,
            start: v.start,
            minutes: first.minutes,
            time_zone: first.time_zone,
            summary: &summary,
            description: &summary,
            organizer_name: &organizer,
            attendee: first.recipient,
        })
        .collect();
    enqueue(
        conn,
        Mail {
            kind: MailKind::VisitSeriesBooked,
            recipient: first.recipient.to_string(),
            language: lang.into(),
            branch: BranchContact {
                name: first.branch_name.into(),
                phone: first.branch_phone.map(Into::into),
            },
            values: json!({
                "client_name": first.client_name,
                "helper_name": first.helper_name,
                "minutes": first.minutes,
                "dates": dates,
                "count": visits.len(),
            }),
            ics: Some(ics::series_invite(&events)),
            dedupe_key: None,
        },
    )
}

/// Why a visit needs attention, for a person to read.
pub fn attention_text(reason: VisitAttention, lang: &str) -> &'static str {
    use VisitAttention::*;
    match (reason, lang) {
        (HelperPaused, "en") => "the helper is taking a break",
        (HelperLeft, "en") => "the helper has stopped",
        (AssignmentEnded, "en") => "the helper no longer visits this client",
        (HelperUnavailable, "en") => "the helper is unavailable then (exams, illness, holiday)",
        (OutsideAvailability, "en") => "the helper no longer works at that time",
        (HelperDeclined, "en") => "the helper cannot come",
        (PositionFar, "en") => "check-in or check-out was far from the home",
        (ShortVisit, "en") => "the visit was much shorter than booked",
        (HelperPaused, "nb") => "hjelperen har pause",
        (HelperLeft, "nb") => "hjelperen har sluttet",
        (AssignmentEnded, "nb") => "hjelperen besøker ikke lenger denne personen",
        (HelperUnavailable, "nb") => "hjelperen er forhindret (eksamen, sykdom, ferie)",
        (OutsideAvailability, "nb") => "hjelperen jobber ikke lenger på det tidspunktet",
        (HelperDeclined, "nb") => "hjelperen kan ikke komme",
        (PositionFar, "nb") => "innsjekk eller utsjekk skjedde langt fra hjemmet",
        (ShortVisit, "nb") => "besøket var mye kortere enn bestilt",
        (HelperPaused, _) => "hjælperen holder pause",
        (HelperLeft, _) => "hjælperen er stoppet",
        (AssignmentEnded, _) => "hjælperen besøger ikke længere denne borger",
        (HelperUnavailable, _) => "hjælperen er forhindret (eksamen, sygdom, ferie)",
        (OutsideAvailability, _) => "hjælperen arbejder ikke længere på det tidspunkt",
        (HelperDeclined, _) => "hjælperen kan ikke komme",
        (PositionFar, _) => "check-ind eller check-ud skete langt fra hjemmet",
        (ShortVisit, _) => "besøget var meget kortere end bestilt",
    }
}
