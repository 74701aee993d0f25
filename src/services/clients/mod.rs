//! Elderly clients, their relatives and their current helpers.

use crate::auth::Caller;
use crate::auth::policy::Right;
use crate::db::DbConnection;
use crate::db::models::assignment::Assignment;
use crate::db::models::client::Client;
use crate::db::models::visit::Visit;
use crate::domain::ids::ClientId;
use crate::error::ApiError;

mod records;
mod relatives;
mod roster;
pub mod standing;
mod views;

pub use records::{ClientInput, ClientPatch, create, update};
pub use relatives::{
    AccountOpened, RelativeCreated, RelativeInput, add_relative, open_account, remove_relative,
};
pub use roster::{Roster, RosterRow, RosterSearch, roster};
pub use views::{
    ClientForHelper, ClientHelper, ClientSearch, ClientShown, ClientView, current_helpers, get,
    list,
};

const PERSONAL_FIELDS: [&str; 5] = ["name", "email", "phone", "address", "care_notes"];

/// How the caller may see a client: the full record (staff of the branch, the client, a
/// relative with any right), only what a visit needs (a helper who serves the client, or is
/// booked to visit them until that visit is over), or not at all.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Sight {
    /// The whole record.
    Full,
    /// What a visit needs.
    ForHelper,
}

fn access(
    conn: &mut DbConnection,
    caller: &Caller,
    client: &Client,
) -> Result<Option<Sight>, ApiError> {
    if caller.manages_branch(client.branch_id)
        || caller
            .client_link(client.id)
            .is_some_and(|link| link.rights.allows(Right::View))
    {
        return Ok(Some(Sight::Full));
    }
    let Some(helper) = caller.helper_id() else {
        return Ok(None);
    };
    let serves = Assignment::is_open(conn, client.id, helper)?
        || Visit::helper_is_booked_with(conn, helper, client.id)?;
    Ok(serves.then_some(Sight::ForHelper))
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
