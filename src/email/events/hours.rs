//! Mails about a client's hours: the clip-card receipt, the minutes a visit used, a low balance.

use super::*;
use crate::domain::ids::{ClientId, ClipCardId};

/// Who a mail about a client's hours goes to and who signs it: the client or a relative with
/// the pay right, in their language. The receipt and the low-balance mail share it.
#[derive(Debug, Clone)]
pub struct PayerMail<'a> {
    /// The client or a relative who pays.
    pub recipient: &'a str,
    /// `da`, `en` or `nb`.
    pub language: &'a str,
    /// Branch name.
    pub branch_name: &'a str,
    /// Branch phone as stored (mails format it).
    pub branch_phone: Option<&'a str>,
    /// The client the hours are for.
    pub client_name: &'a str,
}

/// Enqueues `kind` to `to` with the client's name beside `values` (made in the mail's language),
/// once per `key` and recipient (`{kind}:{key}:{recipient}`).
fn to_payer(
    conn: &mut DbConnection,
    kind: MailKind,
    to: &PayerMail<'_>,
    key: String,
    values: impl FnOnce(&'static str) -> serde_json::Value,
) -> Result<Option<i64>, ApiError> {
    let lang = language(to.language);
    let mut values = values(lang);
    values["client_name"] = json!(to.client_name);
    enqueue(
        conn,
        Mail {
            kind,
            recipient: to.recipient.to_string(),
            language: lang.into(),
            branch: signed(to.branch_name, to.branch_phone),
            values,
            ics: None,
            dedupe_key: Some(format!("{kind}:{key}:{}", to.recipient.to_lowercase())),
        },
    )
}

/// A clip-card receipt as plain values.
#[derive(Debug, Clone)]
pub struct ClipCardMail<'a> {
    /// Who gets the receipt.
    pub to: PayerMail<'a>,
    /// Clip card id (the receipt number).
    pub card_id: ClipCardId,
    /// Hours on the card.
    pub hours: i64,
    /// Price in minor units (øre, cents).
    pub price_minor: i64,
    /// ISO 4217 currency, e.g. DKK.
    pub currency: &'a str,
    /// When it was bought.
    pub purchased_at: DateTime<Utc>,
    /// The branch's IANA time zone.
    pub time_zone: &'a str,
}

/// Clip card purchased: the receipt. Idempotent per card.
pub fn clip_card_purchased(
    conn: &mut DbConnection,
    card: &ClipCardMail<'_>,
) -> Result<Option<i64>, ApiError> {
    to_payer(
        conn,
        MailKind::ClipCardPurchased,
        &card.to,
        card.card_id.to_string(),
        |lang| {
            json!({
                "card_id": card.card_id,
                "hours": card.hours,
                "price": money(card.price_minor, card.currency, lang),
                "purchased": when(card.purchased_at, card.time_zone, lang),
            })
        },
    )
}

/// Visit done (checked out): the minutes used and the balance left, to the client's side.
/// Idempotent per visit and recipient.
pub fn visit_done(
    conn: &mut DbConnection,
    visit: &VisitMail<'_>,
    available_minutes: i64,
    reserved_minutes: i64,
) -> Result<Option<i64>, ApiError> {
    let lang = language(visit.language);
    enqueue(
        conn,
        Mail {
            kind: MailKind::VisitDone,
            recipient: visit.recipient.to_string(),
            language: lang.into(),
            branch: signed(visit.branch_name, visit.branch_phone),
            values: json!({
                "client_name": visit.client_name,
                "helper_name": visit.helper_name,
                "when": when(visit.start, visit.time_zone, lang),
                "minutes": visit.minutes,
                "used": duration(visit.minutes, lang),
                "left": duration(available_minutes, lang),
                "reserved": duration(reserved_minutes, lang),
                "reserved_minutes": reserved_minutes,
            }),
            ics: None,
            dedupe_key: Some(format!(
                "visit_done:{}:{}",
                visit.visit_id,
                visit.recipient.to_lowercase()
            )),
        },
    )
}

/// A low clip-card balance as plain values.
#[derive(Debug, Clone)]
pub struct LowBalanceMail<'a> {
    /// Who gets the mail.
    pub to: PayerMail<'a>,
    /// The client id (part of the dedupe key).
    pub client_id: ClientId,
    /// Minutes left that no visit has reserved.
    pub available_minutes: i64,
    /// Names the low-balance state, e.g. the last clip card bought: one mail per state and recipient.
    pub state: &'a str,
}

/// The balance is at or below the low mark: once per state (`low_balance:{client}:{state}:{recipient}`).
pub fn low_balance(
    conn: &mut DbConnection,
    low: &LowBalanceMail<'_>,
) -> Result<Option<i64>, ApiError> {
    to_payer(
        conn,
        MailKind::LowBalance,
        &low.to,
        format!("{}:{}", low.client_id, low.state),
        |lang| json!({"left": duration(low.available_minutes, lang)}),
    )
}

/// The hours running out as plain values.
#[derive(Debug, Clone)]
pub struct RunningOutMail<'a> {
    /// Who gets the mail.
    pub to: PayerMail<'a>,
    /// The client id (part of the dedupe key).
    pub client_id: ClientId,
    /// The id of the last clip card bought (the mail goes once per card).
    pub card_id: i64,
    /// The day the hours run out at the booked rate (branch time).
    pub runs_out_on: chrono::NaiveDate,
    /// Minutes booked a week (the rate).
    pub weekly_rate_minutes: i64,
    /// Minutes not yet booked.
    pub available_minutes: i64,
}

/// The hours run out within two weeks at the booked rate: once per clip card and recipient
/// (`hours_running_out:{client}:card-{id}:{recipient}`).
pub fn hours_running_out(
    conn: &mut DbConnection,
    mail: &RunningOutMail<'_>,
) -> Result<Option<i64>, ApiError> {
    to_payer(
        conn,
        MailKind::HoursRunningOut,
        &mail.to,
        format!("{}:card-{}", mail.client_id, mail.card_id),
        |lang| {
            json!({
                "runs_out_on": super::super::format::day(mail.runs_out_on, lang),
                "rate": duration(mail.weekly_rate_minutes, lang),
                "left": duration(mail.available_minutes, lang),
            })
        },
    )
}
