//! Prices, clip cards and ledger entries as the API shows them (the rows stay in `db`).

use chrono::NaiveDateTime;
use serde::Serialize;

use crate::db::models::ledger::{ClipCard, LedgerEntry, Price};
use crate::domain::ids::{BranchId, ClientId, ClipCardId, PriceId, UserId, VisitId};
use crate::domain::{LedgerKind, PaymentMethod, Product};

/// A price; a change adds one, so old purchases keep the price they paid.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct PriceView {
    /// Id.
    pub id: PriceId,
    /// Branch.
    pub branch_id: BranchId,
    /// What it buys.
    pub product: Product,
    /// Minutes the product gives.
    pub minutes: i32,
    /// Total price in minor units (øre).
    pub amount_minor: i64,
    /// ISO 4217 currency.
    pub currency: String,
    /// In force from (UTC).
    #[serde(serialize_with = "crate::db::models::utc")]
    pub valid_from: NaiveDateTime,
    /// Created.
    #[serde(serialize_with = "crate::db::models::utc")]
    pub created_at: NaiveDateTime,
}

impl From<Price> for PriceView {
    fn from(p: Price) -> PriceView {
        PriceView {
            id: p.id,
            branch_id: p.branch_id,
            product: p.product,
            minutes: p.minutes,
            amount_minor: p.amount_minor,
            currency: p.currency,
            valid_from: p.valid_from,
            created_at: p.created_at,
        }
    }
}

/// A clip card bought.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ClipCardView {
    /// Id.
    pub id: ClipCardId,
    /// Client.
    pub client_id: ClientId,
    /// The price paid.
    pub price_id: PriceId,
    /// Product.
    pub product: Product,
    /// Minutes bought.
    pub minutes: i32,
    /// Amount paid, minor units.
    pub amount_minor: i64,
    /// Currency.
    pub currency: String,
    /// How it was paid.
    pub payment_method: PaymentMethod,
    /// Reference from the payment (receipt, transaction id).
    pub payment_reference: Option<String>,
    /// Who bought it.
    pub purchased_by: Option<UserId>,
    /// When (UTC).
    #[serde(serialize_with = "crate::db::models::utc")]
    pub purchased_at: NaiveDateTime,
}

impl From<ClipCard> for ClipCardView {
    fn from(c: ClipCard) -> ClipCardView {
        ClipCardView {
            id: c.id,
            client_id: c.client_id,
            price_id: c.price_id,
            product: c.product,
            minutes: c.minutes,
            amount_minor: c.amount_minor,
            currency: c.currency,
            payment_method: c.payment_method,
            payment_reference: c.payment_reference,
            purchased_by: c.purchased_by,
            purchased_at: c.purchased_at,
        }
    }
}

/// One movement of minutes.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct LedgerEntryView {
    /// Id.
    pub id: i64,
    /// Client.
    pub client_id: ClientId,
    /// Which way the minutes moved.
    pub kind: LedgerKind,
    /// Minutes moved (always positive; the kind gives the direction).
    pub minutes: i32,
    /// The visit concerned.
    pub visit_id: Option<VisitId>,
    /// The clip card concerned.
    pub clip_card_id: Option<ClipCardId>,
    /// Who caused it.
    pub created_by: Option<UserId>,
    /// When (UTC).
    #[serde(serialize_with = "crate::db::models::utc")]
    pub created_at: NaiveDateTime,
}

impl From<LedgerEntry> for LedgerEntryView {
    fn from(e: LedgerEntry) -> LedgerEntryView {
        LedgerEntryView {
            id: e.id,
            client_id: e.client_id,
            kind: e.kind,
            minutes: e.minutes,
            visit_id: e.visit_id,
            clip_card_id: e.clip_card_id,
            created_by: e.created_by,
            created_at: e.created_at,
        }
    }
}
