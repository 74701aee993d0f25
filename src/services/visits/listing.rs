//! Schedules: visits in a period, in start order, with the names a schedule shows.

use crate::domain::ids::{BranchId, ClientId, HelperId, VisitId};
use diesel::OptionalExtension;
use std::collections::{BTreeMap, HashMap};

use chrono::{DateTime, NaiveDate, NaiveDateTime};
use serde::{Deserialize, Serialize};

use super::{VisitNames, VisitView, time_zone, view};
use crate::auth::Caller;
use crate::auth::policy::Right;
use crate::db::models::branch::Branch;
use crate::db::models::client::Client;
use crate::db::models::helper::Helper;
use crate::db::models::visit::{Visit, VisitFilter};
use crate::db::{DbConnection, Scope};
use crate::domain::VisitStatus;
use crate::error::{ApiError, FieldError};

/// Query of `GET /api/v1/visits` (and `/me/visits`): every parameter is optional.
#[derive(Debug, Default, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct VisitListQuery {
    /// Only this branch.
    pub branch: Option<BranchId>,
    /// Only this helper.
    pub helper: Option<HelperId>,
    /// Only this client.
    pub client: Option<ClientId>,
    /// Starting at or after: RFC 3339 (`2027-01-12T10:00:00+01:00`), or a date (`2027-01-12`,
    /// midnight in the branch's time zone).
    pub from: Option<String>,
    /// Starting before: RFC 3339 or a date (midnight at the start of that day).
    pub to: Option<String>,
    /// Only visits changed at or after this instant (RFC 3339), for an app syncing what changed
    /// since it last looked; cancelled visits are then included unless `status` says otherwise.
    pub updated_since: Option<String>,
    /// Comma-separated statuses; by default every status but `cancelled`.
    #[param(example = "booked,checked_in")]
    pub status: Option<String>,
    /// Only visits that need the branch's attention (`true`) or that do not (`false`).
    pub needs_attention: Option<bool>,
    /// Items per page, 1–200 (default 50).
    pub limit: Option<i64>,
    /// `next_cursor` of the previous page.
    pub cursor: Option<String>,
}

/// Where a page of visits ends: the last visit's start and id.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct VisitCursor {
    /// Start of the last visit.
    pub starts_at: NaiveDateTime,
    /// Its id (ties on the start).
    pub id: VisitId,
}

impl VisitCursor {
    /// The opaque text handed out as `next_cursor`.
    pub fn encode(&self) -> String {
        format!("{}_{}", self.starts_at.and_utc().timestamp(), self.id)
    }

    fn decode(raw: &str) -> Option<VisitCursor> {
        let (ts, id) = raw.split_once('_')?;
        let starts_at = DateTime::from_timestamp(ts.parse().ok()?, 0)?.naive_utc();
        Some(VisitCursor {
            starts_at,
            id: id.parse().ok()?,
        })
    }
}

/// A time bound as given: an instant, or a calendar date to place in a time zone.
enum Bound {
    At(NaiveDateTime),
    Date(NaiveDate),
}

/// Reads RFC 3339 or `YYYY-MM-DD`. A `+` that arrived unencoded reads as a space; it is put back.
fn bound(raw: &str) -> Result<Bound, String> {
    let text = raw.trim().replace(' ', "+");
    if let Ok(at) = DateTime::parse_from_rfc3339(&text) {
        return Ok(Bound::At(at.naive_utc()));
    }
    NaiveDate::parse_from_str(&text, "%Y-%m-%d")
        .map(Bound::Date)
        .map_err(|_| {
            "must be a date (2027-01-12) or an RFC 3339 time with offset (2027-01-12T10:00:00+01:00; encode + as %2B)".into()
        })
}

fn statuses(raw: &str) -> Result<Vec<VisitStatus>, String> {
    raw.split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(VisitStatus::parse)
        .collect::<Result<Vec<_>, _>>()
        .and_then(|list| {
            if list.is_empty() {
                Err("list at least one status".into())
            } else {
                Ok(list)
            }
        })
}

/// A checked query.
struct Checked {
    filter: VisitFilter,
    bounds: (Option<Bound>, Option<Bound>),
    after: Option<VisitCursor>,
    limit: i64,
}

fn check(query: VisitListQuery, scope: Scope) -> Result<Checked, ApiError> {
    let mut errors = vec![];
    let mut field = |name: &str, r: Result<Bound, String>| match r {
        Ok(b) => Some(b),
        Err(m) => {
            errors.push(FieldError::new(name, m));
            None
        }
    };
    let from = query
        .from
        .as_deref()
        .and_then(|raw| field("from", bound(raw)));
    let to = query.to.as_deref().and_then(|raw| field("to", bound(raw)));
    let updated_since = match query.updated_since.as_deref().map(bound) {
        None => None,
        Some(Ok(Bound::At(at))) => Some(at),
        Some(_) => {
            errors.push(FieldError::new(
                "updated_since",
                "must be an instant, RFC 3339 (2027-01-12T10:00:00Z)",
            ));
            None
        }
    };
    let statuses = match query.status.as_deref().map(statuses) {
        // A syncing app must hear of cancellations too.
        None => Ok(VisitStatus::ALL
            .iter()
            .copied()
            .filter(|s| updated_since.is_some() || *s != VisitStatus::Cancelled)
            .collect()),
        Some(parsed) => parsed,
    }
    .unwrap_or_else(|m| {
        errors.push(FieldError::new("status", m));
        vec![]
    });
    let limit = query.limit.unwrap_or(50);
    if !(1..=200).contains(&limit) {
        errors.push(FieldError::new("limit", "must be between 1 and 200"));
    }
    let after = match query.cursor.as_deref().map(VisitCursor::decode) {
        Some(None) => {
            errors.push(FieldError::new(
                "cursor",
                "is not a cursor this service gave out",
            ));
            None
        }
        Some(cursor) => cursor,
        None => None,
    };
    if !errors.is_empty() {
        return Err(ApiError::Validation(errors));
    }
    Ok(Checked {
        filter: VisitFilter {
            scope,
            statuses,
            needs_attention: query.needs_attention,
            branch_id: query.branch,
            helper_id: query.helper,
            client_id: query.client,
            from: None,
            to: None,
            updated_since,
        },
        bounds: (from, to),
        after,
        limit,
    })
}

/// A page of visits the caller may see, and the cursor of the next page.
pub fn list(
    conn: &mut DbConnection,
    caller: &Caller,
    free_hours: i64,
    query: VisitListQuery,
) -> Result<(Vec<VisitView>, Option<VisitCursor>), ApiError> {
    list_in(conn, caller, caller.scope(Right::View), free_hours, query)
}

/// The caller's own schedule: visits as a helper, and those of the clients they act for.
pub fn list_own(
    conn: &mut DbConnection,
    caller: &Caller,
    free_hours: i64,
    query: VisitListQuery,
) -> Result<(Vec<VisitView>, Option<VisitCursor>), ApiError> {
    let scope = Scope::Own {
        helper: caller.helper_id(),
        clients: caller.clients_with(Right::View),
    };
    list_in(conn, caller, scope, free_hours, query)
}

fn list_in(
    conn: &mut DbConnection,
    caller: &Caller,
    scope: Scope,
    free_hours: i64,
    query: VisitListQuery,
) -> Result<(Vec<VisitView>, Option<VisitCursor>), ApiError> {
    let mut checked = check(query, scope.clone())?;
    match scope.branch_filter(checked.filter.branch_id) {
        Some(branch) => checked.filter.branch_id = branch,
        None => return Ok((vec![], None)),
    }
    // A date is a day in a branch's calendar: the branch asked for, else that of the client or
    // helper asked for, else the caller's own.
    let zone_branch = match checked.filter.branch_id {
        Some(id) => Some(id),
        None => named_branch(conn, checked.filter.client_id, checked.filter.helper_id)?
            .or_else(|| caller.branch_ids().and_then(|ids| ids.first().copied())),
    };
    let tz = match zone_branch {
        Some(id) => Branch::find(conn, id).optional()?.map(|b| time_zone(&b)),
        None => None,
    };
    let resolve = |b: Option<Bound>| {
        b.map(|b| match b {
            Bound::At(at) => at,
            Bound::Date(day) => {
                let midnight = day.and_hms_opt(0, 0, 0).unwrap_or_default();
                tz.and_then(|tz| midnight.and_local_timezone(tz).earliest())
                    .map(|t| t.naive_utc())
                    .unwrap_or(midnight)
            }
        })
    };
    let (from, to) = checked.bounds;
    checked.filter.from = resolve(from);
    checked.filter.to = resolve(to);
    let after = checked.after.map(|c| (c.starts_at, c.id));
    let visits = Visit::list(conn, &checked.filter, after, checked.limit)?;
    let next = (visits.len() as i64 == checked.limit)
        .then(|| visits.last())
        .flatten()
        .map(|v| VisitCursor {
            starts_at: v.starts_at,
            id: v.id,
        });
    Ok((views(conn, visits, free_hours)?, next))
}

/// The branch of the client (or else the helper) a list is filtered by, if it exists; a
/// database failure is one, not a missing record.
fn named_branch(
    conn: &mut DbConnection,
    client: Option<ClientId>,
    helper: Option<HelperId>,
) -> Result<Option<BranchId>, ApiError> {
    if let Some(id) = client
        && let Some(found) = Client::find_any(conn, id).optional()?
    {
        return Ok(Some(found.branch_id));
    }
    Ok(match helper {
        Some(id) => Helper::find(conn, id).optional()?.map(|h| h.branch_id),
        None => None,
    })
}

/// Shapes visits with their branches and names, loading each branch and name once.
pub fn views(
    conn: &mut DbConnection,
    visits: Vec<Visit>,
    free_hours: i64,
) -> Result<Vec<VisitView>, ApiError> {
    let mut names = names_for(conn, &visits)?;
    let mut branches: BTreeMap<BranchId, Branch> = BTreeMap::new();
    let mut out = Vec::with_capacity(visits.len());
    for visit in visits {
        let branch = match branches.entry(visit.branch_id) {
            std::collections::btree_map::Entry::Occupied(known) => known.into_mut(),
            std::collections::btree_map::Entry::Vacant(slot) => {
                slot.insert(Branch::find(conn, visit.branch_id)?)
            }
        };
        let shown = names.remove(&visit.id).unwrap_or_default();
        out.push(view(visit, branch, shown, free_hours));
    }
    Ok(out)
}

/// Client and helper names (and the address) for each visit, in two queries.
pub fn names_for(
    conn: &mut DbConnection,
    visits: &[Visit],
) -> Result<HashMap<VisitId, VisitNames>, ApiError> {
    if visits.is_empty() {
        return Ok(HashMap::new());
    }
    let client_ids: Vec<ClientId> = visits.iter().map(|v| v.client_id).collect();
    let helper_ids: Vec<HelperId> = visits.iter().map(|v| v.helper_id).collect();
    let clients: HashMap<ClientId, (String, String)> = Client::names(conn, &client_ids)?
        .into_iter()
        .map(|(id, name, address)| (id, (name, address)))
        .collect();
    let helpers: HashMap<HelperId, String> =
        Helper::names(conn, &helper_ids)?.into_iter().collect();
    let ids: Vec<VisitId> = visits.iter().map(|v| v.id).collect();
    let joint = crate::db::models::visit::joint::helpers_of(conn, &ids)?;
    Ok(visits
        .iter()
        .map(|v| {
            let (client_name, address) = clients.get(&v.client_id).cloned().unwrap_or_default();
            let names = VisitNames {
                client_name,
                address,
                helper_name: helpers.get(&v.helper_id).cloned().unwrap_or_default(),
                joint_helper_id: joint.get(&v.id).copied(),
            };
            (v.id, names)
        })
        .collect())
}
