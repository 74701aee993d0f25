//! Prices, clip cards and the append-only ledger of minutes.

use crate::domain::ids::{BranchId, ClientId, ClipCardId, PriceId, UserId, VisitId};
use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::db::DbConnection;
use crate::db::schema::{clip_cards, ledger_entries, prices};
use crate::domain::{LedgerKind, PaymentMethod, Product};

/// A price row; a change adds a row, so old purchases keep the price they paid.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = prices)]
pub struct Price {
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
    pub valid_from: NaiveDateTime,
    /// Created.
    pub created_at: NaiveDateTime,
}

/// A clip card bought.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = clip_cards)]
pub struct ClipCard {
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
    pub purchased_at: NaiveDateTime,
}

/// One movement of minutes.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = ledger_entries)]
pub struct LedgerEntry {
    /// Id.
    pub id: i64,
    /// Client.
    pub client_id: ClientId,
    /// `purchase`, `reserve`, `release`, `consume` or `charge`.
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
    pub created_at: NaiveDateTime,
}

/// A price to add.
#[derive(Debug, Insertable)]
#[diesel(table_name = prices)]
pub struct NewPrice {
    /// Branch.
    pub branch_id: BranchId,
    /// Product.
    pub product: Product,
    /// Minutes.
    pub minutes: i32,
    /// Amount, minor units.
    pub amount_minor: i64,
    /// Currency.
    pub currency: String,
    /// In force from.
    pub valid_from: NaiveDateTime,
    /// Created.
    pub created_at: NaiveDateTime,
}

/// A movement to append.
#[derive(Debug, Insertable)]
#[diesel(table_name = ledger_entries)]
pub struct NewLedgerEntry {
    /// Client.
    pub client_id: ClientId,
    /// Kind.
    pub kind: LedgerKind,
    /// Minutes (positive).
    pub minutes: i32,
    /// Visit.
    pub visit_id: Option<VisitId>,
    /// Clip card.
    pub clip_card_id: Option<ClipCardId>,
    /// Who.
    pub created_by: Option<UserId>,
    /// When.
    pub created_at: NaiveDateTime,
}

impl NewLedgerEntry {
    /// A movement of a visit's minutes.
    pub fn for_visit(
        kind: LedgerKind,
        client_id: ClientId,
        visit_id: VisitId,
        minutes: i32,
        by: UserId,
        at: NaiveDateTime,
    ) -> NewLedgerEntry {
        NewLedgerEntry {
            client_id,
            kind,
            minutes,
            visit_id: Some(visit_id),
            clip_card_id: None,
            created_by: Some(by),
            created_at: at,
        }
    }
}

/// Minutes by state, all derived from the ledger.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize, utoipa::ToSchema)]
pub struct Balance {
    /// Bought in total.
    pub purchased_minutes: i64,
    /// Free to book.
    pub available_minutes: i64,
    /// Held by booked visits.
    pub reserved_minutes: i64,
    /// Used by completed visits, late cancellations and no-shows.
    pub used_minutes: i64,
}

impl Price {
    /// Adds a price row.
    pub fn insert(conn: &mut DbConnection, new: &NewPrice) -> QueryResult<Price> {
        diesel::insert_into(prices::table)
            .values(new)
            .returning(prices::all_columns)
            .get_result(conn)
    }

    /// The price of a product in force at `at`.
    pub fn in_force(
        conn: &mut DbConnection,
        branch_id: BranchId,
        product: Product,
        at: NaiveDateTime,
    ) -> QueryResult<Option<Price>> {
        prices::table
            .filter(prices::branch_id.eq(branch_id))
            .filter(prices::product.eq(product))
            .filter(prices::valid_from.le(at))
            .order((prices::valid_from.desc(), prices::id.desc()))
            .select(Price::as_select())
            .first(conn)
            .optional()
    }

    /// Every price of a branch, newest first (the history).
    pub fn history(conn: &mut DbConnection, branch_id: BranchId) -> QueryResult<Vec<Price>> {
        prices::table
            .filter(prices::branch_id.eq(branch_id))
            .order((prices::valid_from.desc(), prices::id.desc()))
            .select(Price::as_select())
            .load(conn)
    }
}

impl ClipCard {
    /// Records a purchase.
    pub fn insert(
        conn: &mut DbConnection,
        client_id: ClientId,
        price: &Price,
        method: PaymentMethod,
        reference: Option<&str>,
        by: UserId,
        now: NaiveDateTime,
    ) -> QueryResult<ClipCard> {
        diesel::insert_into(clip_cards::table)
            .values((
                clip_cards::client_id.eq(client_id),
                clip_cards::price_id.eq(price.id),
                clip_cards::product.eq(price.product),
                clip_cards::minutes.eq(price.minutes),
                clip_cards::amount_minor.eq(price.amount_minor),
                clip_cards::currency.eq(&price.currency),
                clip_cards::payment_method.eq(method),
                clip_cards::payment_reference.eq(reference),
                clip_cards::purchased_by.eq(Some(by)),
                clip_cards::purchased_at.eq(now),
            ))
            .returning(clip_cards::all_columns)
            .get_result(conn)
    }

    /// A client's clip cards after `after_id`, oldest first.
    pub fn list_for_client(
        conn: &mut DbConnection,
        client_id: ClientId,
        after_id: i64,
        limit: i64,
    ) -> QueryResult<Vec<ClipCard>> {
        clip_cards::table
            .filter(clip_cards::client_id.eq(client_id))
            .filter(clip_cards::id.gt(after_id))
            .order(clip_cards::id)
            .limit(limit)
            .select(ClipCard::as_select())
            .load(conn)
    }

    /// The clip cards one login bought, for any client, oldest first (a relative's export).
    pub fn bought_by(conn: &mut DbConnection, user: UserId) -> QueryResult<Vec<ClipCard>> {
        clip_cards::table
            .filter(clip_cards::purchased_by.eq(user))
            .order(clip_cards::id)
            .select(ClipCard::as_select())
            .load(conn)
    }

    /// The id of the client's newest clip card, if any.
    pub fn last_id_for_client(
        conn: &mut DbConnection,
        client_id: ClientId,
    ) -> QueryResult<Option<i64>> {
        clip_cards::table
            .filter(clip_cards::client_id.eq(client_id))
            .select(diesel::dsl::max(clip_cards::id))
            .first(conn)
    }
}

impl LedgerEntry {
    /// Appends a movement.
    pub fn append(conn: &mut DbConnection, new: &NewLedgerEntry) -> QueryResult<()> {
        diesel::insert_into(ledger_entries::table)
            .values(new)
            .execute(conn)
            .map(|_| ())
    }

    /// A client's movements after `after_id`, oldest first.
    pub fn list(
        conn: &mut DbConnection,
        client_id: ClientId,
        after_id: i64,
        limit: i64,
    ) -> QueryResult<Vec<LedgerEntry>> {
        ledger_entries::table
            .filter(ledger_entries::client_id.eq(client_id))
            .filter(ledger_entries::id.gt(after_id))
            .order(ledger_entries::id)
            .limit(limit)
            .select(LedgerEntry::as_select())
            .load(conn)
    }

    /// A client's newest `limit` movements, newest first.
    pub fn latest(
        conn: &mut DbConnection,
        client_id: ClientId,
        limit: i64,
    ) -> QueryResult<Vec<LedgerEntry>> {
        ledger_entries::table
            .filter(ledger_entries::client_id.eq(client_id))
            .order(ledger_entries::id.desc())
            .limit(limit)
            .select(LedgerEntry::as_select())
            .load(conn)
    }

    /// The balance: sums per kind over the whole ledger of a client.
    pub fn balance(conn: &mut DbConnection, client_id: ClientId) -> QueryResult<Balance> {
        let rows: Vec<(LedgerKind, i32)> = ledger_entries::table
            .filter(ledger_entries::client_id.eq(client_id))
            .select((ledger_entries::kind, ledger_entries::minutes))
            .load(conn)?;
        let mut b = Balance::default();
        for (kind, minutes) in rows {
            b.add(kind, i64::from(minutes));
        }
        Ok(b)
    }

    /// Minutes free to book of every client of a branch with any movement, in one grouped query.
    pub fn available_in_branch(
        conn: &mut DbConnection,
        branch_id: BranchId,
    ) -> QueryResult<std::collections::HashMap<ClientId, i64>> {
        Ok(LedgerEntry::balances_in_branch(conn, branch_id)?
            .into_iter()
            .map(|(id, b)| (id, b.available_minutes))
            .collect())
    }

    /// The balance of every client of a branch (not erased) with any movement, in one grouped
    /// query.
    pub fn balances_in_branch(
        conn: &mut DbConnection,
        branch_id: BranchId,
    ) -> QueryResult<std::collections::HashMap<ClientId, Balance>> {
        use crate::db::schema::clients;
        use diesel::dsl::sum;
        let rows: Vec<(ClientId, LedgerKind, Option<i64>)> = ledger_entries::table
            .inner_join(clients::table)
            .filter(clients::branch_id.eq(branch_id))
            .filter(clients::deleted_at.is_null())
            .group_by((ledger_entries::client_id, ledger_entries::kind))
            .select((
                ledger_entries::client_id,
                ledger_entries::kind,
                sum(ledger_entries::minutes),
            ))
            .load(conn)?;
        let mut balances: std::collections::HashMap<ClientId, Balance> = Default::default();
        for (client_id, kind, minutes) in rows {
            balances
                .entry(client_id)
                .or_default()
                .add(kind, minutes.unwrap_or(0));
        }
        Ok(balances)
    }
}

impl Balance {
    /// Adds one movement of `kind` (an unknown kind never gets here: reading it is an error).
    fn add(&mut self, kind: LedgerKind, m: i64) {
        match kind {
            LedgerKind::Purchase => {
                self.purchased_minutes += m;
                self.available_minutes += m;
            }
            LedgerKind::Reserve => {
                self.available_minutes -= m;
                self.reserved_minutes += m;
            }
            LedgerKind::Release => {
                self.available_minutes += m;
                self.reserved_minutes -= m;
            }
            // Both turn a reservation into used time.
            LedgerKind::Consume | LedgerKind::Charge => {
                self.reserved_minutes -= m;
                self.used_minutes += m;
            }
        }
    }
}
