//! Elderly clients, their relatives and their current helpers.

use crate::auth::Caller;
use crate::auth::policy::Sight;
use crate::db::DbConnection;
use crate::db::models::assignment::Assignment;
use crate::db::models::client::Client;
use crate::db::models::visit::Visit;
use crate::domain::ids::ClientId;
use crate::error::ApiError;

pub mod exclusions;
mod records;
mod relatives;
mod roster;
pub mod standing;
mod views;

pub use records::{ClientInput, ClientPatch, create, home_traits, update};
pub use relatives::{
    AccountOpened, RelativeCreated, RelativeInput, RelativeView, add_relative, open_account,
    remove_relative,
};
pub use roster::{Roster, RosterRow, RosterSearch, roster};
pub use views::{
    ClientForHelper, ClientHelper, ClientSearch, ClientShown, ClientView, cards_for_helper,
    current_helpers, full_view, get, list, mine,
};

const PERSONAL_FIELDS: [&str; 5] = ["name", "email", "phone", "address", "care_notes"];

/// How the caller may see a client (`Caller::sight_of_client`): a helper "serves" a client they
/// are paired with, or are booked to visit until that visit is over.
fn access(
    conn: &mut DbConnection,
    caller: &Caller,
    client: &Client,
) -> Result<Option<Sight>, ApiError> {
    caller.sight_of_client(client.branch_id, client.id, |helper| {
        Ok(Assignment::is_open(conn, client.id, helper)?
            || Visit::helper_is_booked_with(conn, helper, client.id)?)
    })
}

/// Staff-only access to a client of their branch; 404 otherwise (403 for non-staff).
pub(crate) fn managed(
    conn: &mut DbConnection,
    caller: &Caller,
    id: ClientId,
) -> Result<Client, ApiError> {
    let client = Client::find(conn, id)?;
    match access(conn, caller, &client)? {
        Some(_) if caller.manages_branch(client.branch_id) => Ok(client),
        Some(_) => Err(ApiError::Forbidden(
            "only the branch can change a client's record".into(),
        )),
        None => Err(ApiError::NotFound),
    }
}
