//! Mails about a client's hours: the clip-card receipt, the minutes a visit used, a low balance.

use super::*;
use crate::domain::ids::{ClientId, ClipCardId};

/// A clip-card receipt as plain values.
#[derive(Debug, Clone)]
pub struct ClipCardMail<'a> {
    /// Who gets the receipt.
    pub recipient: &'a str,
    /// `da`, `en` or `nb`.
    pub language: &'a str,
    /// Branch name.
    pub branch_name: &'a str,
    /// Branch phone as stored (mails format it).
    pub branch_phone: Option<&'a str>,
    /// The client the card is for.
    pub client_name: &'a str,
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
    let lang = language(card.language);
    enqueue(
        conn,
        Mail {
            kind: "clip_card_purchased",
            recipient: card.recipient.to_string(),
            language: lang.into(),
            branch: signed(card.branch_name, card.branch_phone),
            values: json!({
                "client_name": card.client_name,
                "card_id": card.card_id,
                "hours": card.hours,
                "price": money(card.price_minor, card.currency, lang),
                "purchased": when(card.purchased_at, card.time_zone, lang),
            }),
            ics: None,
            dedupe_key: Some(format!(
                "clip_card_purchased:{}:{}",
                card.card_id,
                card.recipient.to_lowercase()
            )),
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
            kind: "visit_done",
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
    /// Who gets the mail (the client or a relative with the pay right).
    pub recipient: &'a str,
    /// `da`, `en` or `nb`.
    pub language: &'a str,
    /// Branch name.
    pub branch_name: &'a str,
    /// Branch phone as stored (mails format it).
    pub branch_phone: Option<&'a str>,
    /// The client id (part of the dedupe key).
    pub client_id: ClientId,
    /// The client's name.
    pub client_name: &'a str,
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
    let lang = language(low.language);
    enqueue(
        conn,
        Mail {
            kind: "low_balance",
            recipient: low.recipient.to_string(),
            language: lang.into(),
            branch: signed(low.branch_name, low.branch_phone),
            values: json!({
                "client_name": low.client_name,
                "left": duration(low.available_minutes, lang),
            }),
            ics: None,
            dedupe_key: Some(format!(
                "low_balance:{}:{}:{}",
                low.client_id,
                low.state,
                low.recipient.to_lowercase()
            )),
        },
    )
}
