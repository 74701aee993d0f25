//! The rules one occurrence of a booking must pass, for its helper and a joint visit's second
//! helper: active, on the team (or a substitute), available, no clash.

use chrono::{Duration, NaiveDateTime};
use chrono_tz::Tz;
use diesel::OptionalExtension;

use crate::config::VisitSettings;
use crate::db::DbConnection;
use crate::db::models::assignment::Assignment;
use crate::db::models::availability::{Availability, Unavailable};
use crate::db::models::client::Client;
use crate::db::models::helper::Helper;
use crate::db::models::now;
use crate::db::models::visit::{Visit, Whose};
use crate::domain::HelperStatus;
use crate::domain::ids::{HelperId, SeriesId, VisitId};
use crate::error::ApiError;

/// What one occurrence needs: who, when, how long.
pub(super) struct Slot<'a> {
    pub(super) client: &'a Client,
    pub(super) helper_id: HelperId,
    pub(super) start: NaiveDateTime,
    pub(super) minutes: i32,
    pub(super) segments: &'a str,
    pub(super) substitute: bool,
    pub(super) series_id: Option<SeriesId>,
    /// A joint handover visit's second helper (on the client's team).
    pub(super) joint_helper_id: Option<HelperId>,
}

/// Checks that `helper` may take the slot: active, in the team (or a substitute), available,
/// no clash for the helper (travel buffer included) or the client. `except` is the visit moved.
pub(super) fn check_slot(
    conn: &mut DbConnection,
    settings: &VisitSettings,
    slot: &Slot<'_>,
    tz: &Tz,
    except: Option<VisitId>,
) -> Result<(), ApiError> {
    check_helper(conn, settings, slot, Role::Helper, tz, except)?;
    if let Some(joint) = slot.joint_helper_id {
        if joint == slot.helper_id {
            return Err(ApiError::field(
                "joint_helper_id",
                "must be another helper than helper_id",
            ));
        }
        check_helper(conn, settings, slot, Role::Joint(joint), tz, except).map_err(
            |e| match e {
                ApiError::Conflict(m) => ApiError::Conflict(format!("the joint helper: {m}")),
                other => other,
            },
        )?;
    }
    if !Visit::overlapping(
        conn,
        Whose::Client(slot.client.id),
        slot.start,
        slot_end(slot),
        except,
    )?
    .is_empty()
    {
        return Err(ApiError::Conflict(
            "the client already has a visit then".into(),
        ));
    }
    Ok(())
}

/// Which of a slot's helpers is checked.
#[derive(Clone, Copy)]
enum Role {
    /// `helper_id`: on the team, or a substitute.
    Helper,
    /// A joint visit's second helper: on the team, always.
    Joint(HelperId),
}

pub(super) fn slot_end(slot: &Slot<'_>) -> NaiveDateTime {
    slot.start + Duration::minutes(i64::from(slot.minutes))
}

/// One helper of a slot: active, in the team (or a substitute), available, no clash
/// (travel buffer included).
fn check_helper(
    conn: &mut DbConnection,
    settings: &VisitSettings,
    slot: &Slot<'_>,
    role: Role,
    tz: &Tz,
    except: Option<VisitId>,
) -> Result<(), ApiError> {
    let (helper_id, field, substitute) = match role {
        Role::Helper => (slot.helper_id, "helper_id", slot.substitute),
        Role::Joint(joint) => (joint, "joint_helper_id", false),
    };
    let helper = Helper::find(conn, helper_id)
        .optional()?
        .filter(|h| h.branch_id == slot.client.branch_id && h.deleted_at.is_none())
        .ok_or_else(|| ApiError::field(field, "no such helper in the client's branch"))?;
    if helper.status != HelperStatus::Active {
        return Err(ApiError::Conflict(format!(
            "the helper is {}, not active",
            helper.status
        )));
    }
    if !substitute && !Assignment::is_open(conn, slot.client.id, helper_id)? {
        return Err(ApiError::field(
            field,
            "is not one of the client's helpers; the branch can book a substitute",
        ));
    }
    if slot.start <= now() {
        return Err(ApiError::field("starts_at", "must be in the future"));
    }
    let end = slot_end(slot);
    match Availability::unavailable(conn, helper_id, tz, slot.start, end)? {
        None => {}
        Some(Unavailable::Exception) => {
            return Err(ApiError::Conflict(
                "the helper is unavailable then (exams, holiday…)".into(),
            ));
        }
        Some(Unavailable::OutsideHours) => {
            return Err(ApiError::Conflict(
                "the visit is outside the hours the helper declared".into(),
            ));
        }
    }
    let buffer = Duration::minutes(settings.travel_buffer_minutes);
    let helper_busy = Visit::overlapping(
        conn,
        Whose::Helper(helper_id),
        slot.start - buffer,
        end + buffer,
        except,
    )?;
    if !helper_busy.is_empty() {
        return Err(ApiError::Conflict(
            "the helper already has a visit then (travel time included)".into(),
        ));
    }
    Ok(())
}
