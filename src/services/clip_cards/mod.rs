//! Prices, clip-card purchases, balances and the ledger.

use crate::domain::audit::{AuditAction, AuditEntity};
use crate::domain::ids::{BranchId, ClientId};
use chrono::{DateTime, Utc};
use serde::Serialize;

use crate::auth::Caller;
pub use crate::auth::policy::Right;
use crate::db::models::audit::AuditEvent;
use crate::db::models::branch::Branch;
use crate::db::models::client::Client;
use crate::db::models::ledger::{Balance, ClipCard, LedgerEntry, NewLedgerEntry, NewPrice, Price};
use crate::db::models::now;
use crate::db::{DbConnection, Page};
use crate::domain::{LedgerKind, PaymentMethod, Product};
use crate::error::ApiError;

pub mod forecast;
mod views;

pub use forecast::HoursForecast;
pub use views::{ClipCardView, LedgerEntryView, PriceView};

/// Default Danish prices: 8 hours at 195 DKK an hour (1,560 DKK), a single hour 235 DKK, insurance included.
pub const DEFAULT_DKK_PRICES: [(Product, i64); 2] = [
    (Product::ClipCard8h, 156_000),
    (Product::SingleHour, 23_500),
];

/// Loads a client the caller may act on with `right`; 404 when they may not even see it.
pub fn client_for(
    conn: &mut DbConnection,
    caller: &Caller,
    client_id: ClientId,
    right: Right,
) -> Result<Client, ApiError> {
    let client = Client::find(conn, client_id)?;
    caller.may_act_for(client.branch_id, client.id, right)?;
    Ok(client)
}

/// Prices in force for a branch, and their history.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct PriceList {
    /// Branch currency.
    pub currency: String,
    /// The price of each product now.
    pub in_force: Vec<PriceView>,
    /// Every price ever set, newest first.
    pub history: Vec<PriceView>,
}

/// Body of `POST /api/v1/branches/{id}/prices`.
#[derive(Debug, eserde::Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"product": "clip_card_8h", "amount_minor": 156000, "valid_from": "2027-01-01T00:00:00Z"}))]
pub struct PriceInput {
    /// `clip_card_8h` or `single_hour`.
    #[schema(value_type = crate::domain::Product)]
    pub product: String,
    /// Total price in minor units (øre).
    pub amount_minor: i64,
    /// In force from (RFC 3339); now when left out.
    #[eserde(compat)]
    #[serde(default)]
    pub valid_from: Option<DateTime<Utc>>,
}

/// Body of `POST /api/v1/clients/{id}/clip-cards`.
#[derive(Debug, eserde::Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"product": "clip_card_8h", "payment_method": "invoice", "payment_reference": "INV-1"}))]
pub struct PurchaseInput {
    /// `clip_card_8h` or `single_hour`.
    #[schema(value_type = crate::domain::Product)]
    pub product: String,
    /// How it was paid: `invoice`, `card`, `mobilepay`, `bank_transfer`, `cash`.
    #[schema(value_type = crate::domain::PaymentMethod)]
    pub payment_method: String,
    /// Receipt or transaction reference from the payment.
    #[serde(default)]
    pub payment_reference: Option<String>,
}

/// A purchase and the balance after it.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Purchase {
    /// The clip card.
    pub clip_card: ClipCardView,
    /// The balance after the purchase.
    pub balance: Balance,
}

fn product(raw: &str) -> Result<Product, ApiError> {
    Product::parse(raw)
        .map_err(|_| ApiError::field("product", "must be clip_card_8h or single_hour"))
}

/// Prices of a branch (anyone who belongs to it, and admins).
pub fn prices(
    conn: &mut DbConnection,
    caller: &Caller,
    branch_id: BranchId,
) -> Result<PriceList, ApiError> {
    if !caller.belongs_to_branch(branch_id) {
        return Err(ApiError::NotFound);
    }
    let branch = Branch::find(conn, branch_id)?;
    let at = now();
    let mut in_force = vec![];
    for product in Product::ALL {
        if let Some(price) = Price::in_force(conn, branch_id, *product, at)? {
            in_force.push(price.into());
        }
    }
    let history = Price::history(conn, branch_id)?;
    Ok(PriceList {
        currency: branch.currency,
        in_force,
        history: history.into_iter().map(PriceView::from).collect(),
    })
}

/// Sets a new price from a date (admin). Old purchases keep the price they paid.
pub fn add_price(
    conn: &mut DbConnection,
    caller: &Caller,
    branch_id: BranchId,
    input: PriceInput,
) -> Result<PriceView, ApiError> {
    caller.require_admin()?;
    let product = product(&input.product)?;
    if !(1..=10_000_000).contains(&input.amount_minor) {
        return Err(ApiError::field(
            "amount_minor",
            "must be a positive amount in minor units",
        ));
    }
    let branch = Branch::find(conn, branch_id)?;
    let at = now();
    let from = input.valid_from.map(|t| t.naive_utc()).unwrap_or(at);
    let price = Price::insert(
        conn,
        &NewPrice {
            branch_id,
            product,
            minutes: product.minutes(),
            amount_minor: input.amount_minor,
            currency: branch.currency,
            valid_from: from,
            created_at: at,
        },
    )?;
    Ok(price.into())
}

/// Adds the default Danish prices to a DKK branch.
pub fn add_default_prices(conn: &mut DbConnection, branch: &Branch) -> Result<(), ApiError> {
    if branch.currency == "DKK" {
        for (product, amount) in DEFAULT_DKK_PRICES {
            Price::insert(
                conn,
                &NewPrice {
                    branch_id: branch.id,
                    product,
                    minutes: product.minutes(),
                    amount_minor: amount,
                    currency: "DKK".into(),
                    valid_from: branch.created_at,
                    created_at: branch.created_at,
                },
            )?;
        }
    }
    Ok(())
}

/// Buys a clip card at the price in force (staff, the client, or a relative with the pay right).
pub fn buy(
    conn: &mut DbConnection,
    caller: &Caller,
    client_id: ClientId,
    input: PurchaseInput,
) -> Result<Purchase, ApiError> {
    let product = product(&input.product)?;
    let method = PaymentMethod::parse(&input.payment_method).map_err(|_| {
        ApiError::field(
            "payment_method",
            "must be invoice, card, mobilepay, bank_transfer or cash",
        )
    })?;
    if input
        .payment_reference
        .as_ref()
        .is_some_and(|r| r.chars().count() > 200)
    {
        return Err(ApiError::field(
            "payment_reference",
            "must be at most 200 characters",
        ));
    }
    crate::db::write_transaction(conn, |conn| {
        let client = client_for(conn, caller, client_id, Right::Pay)?;
        let at = now();
        let price = Price::in_force(conn, client.branch_id, product, at)?.ok_or_else(|| {
            ApiError::Conflict(format!("the branch has no price for {product} yet"))
        })?;
        let card = ClipCard::insert(
            conn,
            client_id,
            &price,
            method,
            input.payment_reference.as_deref(),
            caller.user_id,
            at,
        )?;
        LedgerEntry::append(
            conn,
            &NewLedgerEntry {
                client_id,
                kind: LedgerKind::Purchase,
                minutes: card.minutes,
                visit_id: None,
                clip_card_id: Some(card.id),
                created_by: Some(caller.user_id),
                created_at: at,
            },
        )?;
        AuditEvent::record(
            conn,
            Some(caller.user_id),
            AuditAction::Create,
            AuditEntity::ClipCard,
            card.id,
            &["client_id", "product"],
        )?;
        super::mailings::clip_card_purchased(conn, &client, &card)?;
        let balance = LedgerEntry::balance(conn, client_id)?;
        Ok(Purchase {
            clip_card: card.into(),
            balance,
        })
    })
}

/// A client's balance (anyone who may view the client's hours).
pub fn balance(
    conn: &mut DbConnection,
    caller: &Caller,
    client_id: ClientId,
) -> Result<Balance, ApiError> {
    client_for(conn, caller, client_id, Right::View)?;
    Ok(LedgerEntry::balance(conn, client_id)?)
}

/// A client's clip cards, oldest first (anyone who may view the client's hours).
pub fn cards(
    conn: &mut DbConnection,
    caller: &Caller,
    client_id: ClientId,
    page: Page,
) -> Result<Vec<ClipCardView>, ApiError> {
    client_for(conn, caller, client_id, Right::View)?;
    let cards = ClipCard::list_for_client(conn, client_id, page.after, page.limit)?;
    Ok(cards.into_iter().map(ClipCardView::from).collect())
}

/// A client's ledger, oldest first.
pub fn ledger(
    conn: &mut DbConnection,
    caller: &Caller,
    client_id: ClientId,
    page: Page,
) -> Result<Vec<LedgerEntryView>, ApiError> {
    client_for(conn, caller, client_id, Right::View)?;
    let entries = LedgerEntry::list(conn, client_id, page.after, page.limit)?;
    Ok(entries.into_iter().map(LedgerEntryView::from).collect())
}

/// A client's newest `limit` movements, newest first (for a page that shows the recent ones).
pub fn recent_ledger(
    conn: &mut DbConnection,
    caller: &Caller,
    client_id: ClientId,
    limit: i64,
) -> Result<Vec<LedgerEntryView>, ApiError> {
    client_for(conn, caller, client_id, Right::View)?;
    let entries = LedgerEntry::latest(conn, client_id, limit)?;
    Ok(entries.into_iter().map(LedgerEntryView::from).collect())
}
