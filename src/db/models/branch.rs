//! City branches.

use crate::domain::ids::BranchId;
use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::db::DbConnection;
use crate::db::schema::branches;
use crate::domain::Country;

/// A city branch.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = branches)]
pub struct Branch {
    /// Id.
    pub id: BranchId,
    /// City name, unique.
    pub name: String,
    /// ISO 3166-1 alpha-2 country code.
    pub country: Country,
    /// IANA time zone, e.g. Europe/Copenhagen.
    pub time_zone: String,
    /// ISO 4217 currency, e.g. DKK.
    pub currency: String,
    /// Latitude of the city centre.
    pub centre_lat: f64,
    /// Longitude of the city centre.
    pub centre_lon: f64,
    /// Phone number of the branch.
    pub phone: Option<String>,
    /// Inactive branches take no new clients or applications.
    pub active: bool,
    /// Created (UTC).
    pub created_at: NaiveDateTime,
    /// Last changed (UTC).
    pub updated_at: NaiveDateTime,
}

/// A branch to create.
#[derive(Debug, Insertable)]
#[diesel(table_name = branches)]
pub struct NewBranch {
    /// City name.
    pub name: String,
    /// Country code.
    pub country: Country,
    /// Time zone.
    pub time_zone: String,
    /// Currency.
    pub currency: String,
    /// Centre latitude.
    pub centre_lat: f64,
    /// Centre longitude.
    pub centre_lon: f64,
    /// Phone.
    pub phone: Option<String>,
    /// Active.
    pub active: bool,
    /// Created.
    pub created_at: NaiveDateTime,
    /// Changed.
    pub updated_at: NaiveDateTime,
}

/// Fields a PATCH may change; `None` leaves a field as it is.
#[derive(Debug, Default, AsChangeset)]
#[diesel(table_name = branches)]
pub struct BranchChanges {
    /// Name.
    pub name: Option<String>,
    /// Country.
    pub country: Option<Country>,
    /// Time zone.
    pub time_zone: Option<String>,
    /// Currency.
    pub currency: Option<String>,
    /// Centre latitude.
    pub centre_lat: Option<f64>,
    /// Centre longitude.
    pub centre_lon: Option<f64>,
    /// Phone.
    pub phone: Option<Option<String>>,
    /// Active.
    pub active: Option<bool>,
    /// Changed.
    pub updated_at: Option<NaiveDateTime>,
}

impl Branch {
    /// Inserts a branch.
    pub fn insert(conn: &mut DbConnection, new: &NewBranch) -> QueryResult<Branch> {
        diesel::insert_into(branches::table)
            .values(new)
            .returning(branches::all_columns)
            .get_result(conn)
    }

    /// One branch by id.
    pub fn find(conn: &mut DbConnection, id: BranchId) -> QueryResult<Branch> {
        branches::table
            .find(id)
            .select(Branch::as_select())
            .first(conn)
    }

    /// One branch by name.
    pub fn find_by_name(conn: &mut DbConnection, name: &str) -> QueryResult<Option<Branch>> {
        branches::table
            .filter(branches::name.eq(name))
            .select(Branch::as_select())
            .first(conn)
            .optional()
    }

    /// Every active branch, in id order (the periodic jobs go through them).
    pub fn active(conn: &mut DbConnection) -> QueryResult<Vec<Branch>> {
        branches::table
            .filter(branches::active.eq(true))
            .order(branches::id)
            .select(Branch::as_select())
            .load(conn)
    }

    /// Branches after `after_id`, in id order; `only` restricts to those branches.
    pub fn list(
        conn: &mut DbConnection,
        only: Option<Vec<BranchId>>,
        after_id: i64,
        limit: i64,
    ) -> QueryResult<Vec<Branch>> {
        let mut query = branches::table
            .filter(branches::id.gt(after_id))
            .into_boxed();
        if let Some(ids) = only {
            query = query.filter(branches::id.eq_any(ids));
        }
        query
            .order(branches::id)
            .limit(limit)
            .select(Branch::as_select())
            .load(conn)
    }

    /// Applies changes and returns the new row.
    pub fn update(
        conn: &mut DbConnection,
        id: BranchId,
        changes: &BranchChanges,
    ) -> QueryResult<Branch> {
        diesel::update(branches::table.find(id))
            .set(changes)
            .execute(conn)?;
        Branch::find(conn, id)
    }
}
