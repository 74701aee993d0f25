//! The ids of the records, one type each, so a client's id cannot be passed where a helper's is
//! expected (`Visit::overlapping(conn, Some(helper_id), None, …)` compiled with the two swapped).
//!
//! Each is an `i64` in the database (diesel reads and binds it as `BigInt` through
//! `diesel-derive-newtype`), a plain integer in JSON, paths and forms (`serde(transparent)`), and
//! a named integer schema in the OpenAPI document.

use std::fmt;

use utoipa::openapi::schema::{KnownFormat, ObjectBuilder, SchemaFormat, Type};
use utoipa::openapi::{RefOr, Schema};

macro_rules! record_id {
    ($($(#[$doc:meta])* $name:ident => $what:literal;)+) => {$(
        $(#[$doc])*
        #[derive(
            Debug,
            Clone,
            Copy,
            PartialEq,
            Eq,
            Hash,
            PartialOrd,
            Ord,
            serde::Serialize,
            serde::Deserialize,
            diesel_derive_newtype::DieselNewType,
        )]
        #[serde(transparent)]
        pub struct $name(pub i64);

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                self.0.fmt(f)
            }
        }

        impl std::str::FromStr for $name {
            type Err = std::num::ParseIntError;

            fn from_str(s: &str) -> Result<Self, Self::Err> {
                s.parse().map($name)
            }
        }

        // JSON bodies are read with eserde (every type error at once); an id reads as an i64.
        eserde::impl_edeserialize_compat!($name);

        impl From<$name> for i64 {
            fn from(id: $name) -> i64 {
                id.0
            }
        }

        impl utoipa::PartialSchema for $name {
            fn schema() -> RefOr<Schema> {
                integer_id($what)
            }
        }

        impl utoipa::ToSchema for $name {}
    )+};
}

record_id! {
    /// A branch (one city's office).
    BranchId => "A branch's id.";
    /// An elderly client.
    ClientId => "A client's id.";
    /// A student helper.
    HelperId => "A helper's id.";
    /// A visit.
    VisitId => "A visit's id.";
    /// A sign-in account.
    UserId => "An account's id.";
    /// A relative of a client.
    RelativeId => "A relative's id.";
    /// A client's team membership (a client–helper pair).
    AssignmentId => "An assignment's id.";
    /// A bought clip card.
    ClipCardId => "A clip card's id.";
    /// A branch's price for a product.
    PriceId => "A price's id.";
    /// The weekly series a visit was booked in.
    SeriesId => "A weekly series' id.";
    /// A stored matching proposal (preview, then commit).
    ProposalId => "A matching proposal's id.";
}

impl HelperId {
    /// An id no helper has (ids start at 1): a scope without a helper record filters by it and
    /// matches no row, so one query shape serves callers with and without one.
    pub const NONE: HelperId = HelperId(-1);
}

impl SeriesId {
    /// A weekly series is named by the id of its first visit.
    pub fn first(visit: VisitId) -> SeriesId {
        SeriesId(visit.0)
    }
}

/// The schema every id shares: a positive 64-bit integer.
fn integer_id(description: &str) -> RefOr<Schema> {
    ObjectBuilder::new()
        .schema_type(Type::Integer)
        .format(Some(SchemaFormat::KnownFormat(KnownFormat::Int64)))
        .description(Some(description))
        .into()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_id_is_a_plain_integer_in_json() {
        let id = ClientId(42);
        assert_eq!(serde_json::to_string(&id).unwrap(), "42");
        assert_eq!(serde_json::from_str::<ClientId>("42").unwrap(), id);
        assert!(serde_json::from_str::<ClientId>("\"42\"").is_err());
        assert_eq!(id.to_string(), "42");
    }
}
