//! The clip-card forecast: the day a client's hours run out at the rate they book.
//!
//! Every booked visit has its minutes reserved already, so the hours last at least until the
//! last visit booked. What is free after that (`available_minutes`) lasts at the client's
//! booked rate — the minutes booked to start in the next 28 days, spread over those 28 days —
//! counted on from the last booked visit. Nothing booked in the next 28 days: no rate, no
//! date. Nothing free: the day of the last booked visit. Never bought: no date.

use std::collections::HashMap;

use chrono::{Duration, NaiveDate, NaiveDateTime};
use chrono_tz::Tz;
use serde::Serialize;

use crate::auth::Caller;
use crate::auth::policy::Right;
use crate::db::DbConnection;
use crate::db::models::branch::Branch;
use crate::db::models::ledger::{Balance, LedgerEntry};
use crate::db::models::visit::{Clients, HoldingVisit, Visit};
use crate::domain::ids::ClientId;
use crate::error::ApiError;
use crate::services::visits::time_zone;

/// The days whose bookings make the rate.
pub const RATE_DAYS: i64 = 28;

/// When a client's hours run out, and what that rests on.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct HoursForecast {
    /// The client.
    pub client_id: ClientId,
    /// Minutes free to book (not reserved by a visit).
    pub available_minutes: i64,
    /// Minutes reserved by visits from now on.
    pub booked_minutes: i64,
    /// Minutes booked to start in the next 28 days, per week (the rate; rounded down).
    pub weekly_rate_minutes: i64,
    /// The day of the last booked visit (branch time).
    pub last_booked_on: Option<NaiveDate>,
    /// The day the hours run out at that rate (branch time); absent with nothing bought or no
    /// visit booked in the next 28 days.
    pub runs_out_on: Option<NaiveDate>,
}

/// The forecast from a balance and the client's visits holding hours from `now`, by start.
pub fn forecast(
    client_id: ClientId,
    balance: &Balance,
    holding: &[HoldingVisit],
    now: NaiveDateTime,
    tz: &Tz,
) -> HoursForecast {
    let local_day = |at: NaiveDateTime| at.and_utc().with_timezone(tz).date_naive();
    let window_end = now + Duration::days(RATE_DAYS);
    let in_window: i64 = holding
        .iter()
        .filter(|v| v.starts_at >= now && v.starts_at < window_end)
        .map(|v| i64::from(v.minutes))
        .sum();
    let last = holding.iter().map(|v| v.starts_at).max();
    let available = balance.available_minutes;
    let runs_out_on = if balance.purchased_minutes == 0 {
        None
    } else if available <= 0 {
        last.map(local_day)
    } else if in_window == 0 {
        None
    } else {
        // Whole days the free minutes last at in_window / RATE_DAYS a day, rounded up.
        let days = (available * RATE_DAYS + in_window - 1) / in_window;
        let from = last.unwrap_or(now).max(now);
        Some(local_day(from + Duration::days(days)))
    };
    HoursForecast {
        client_id,
        available_minutes: available,
        booked_minutes: holding.iter().map(|v| i64::from(v.minutes)).sum(),
        weekly_rate_minutes: in_window * 7 / RATE_DAYS,
        last_booked_on: last.map(local_day),
        runs_out_on,
    }
}

/// A client's forecast (anyone who may view the client's hours).
pub fn for_client(
    conn: &mut DbConnection,
    caller: &Caller,
    client_id: ClientId,
    now: NaiveDateTime,
) -> Result<HoursForecast, ApiError> {
    let client = super::client_for(conn, caller, client_id, Right::View)?;
    let branch = Branch::find(conn, client.branch_id)?;
    let balance = LedgerEntry::balance(conn, client_id)?;
    let holding = Visit::holding_from(conn, Clients::One(client_id), now)?;
    Ok(forecast(
        client_id,
        &balance,
        &holding,
        now,
        &time_zone(&branch),
    ))
}

/// Every client's forecast in a branch, in three queries (the caller checked the branch).
pub fn of_branch(
    conn: &mut DbConnection,
    branch: &Branch,
    now: NaiveDateTime,
) -> Result<HashMap<ClientId, HoursForecast>, ApiError> {
    let balances = LedgerEntry::balances_in_branch(conn, branch.id)?;
    let mut holding: HashMap<ClientId, Vec<HoldingVisit>> = HashMap::new();
    for v in Visit::holding_from(conn, Clients::OfBranch(branch.id), now)? {
        holding.entry(v.client_id).or_default().push(v);
    }
    let tz = time_zone(branch);
    Ok(balances
        .into_iter()
        .map(|(client_id, balance)| {
            let visits = holding.remove(&client_id).unwrap_or_default();
            (client_id, forecast(client_id, &balance, &visits, now, &tz))
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    const TZ: Tz = chrono_tz::Europe::Copenhagen;

    /// Monday 4 January 2027, 10:00 UTC.
    fn now() -> NaiveDateTime {
        NaiveDate::from_ymd_opt(2027, 1, 4)
            .and_then(|d| d.and_hms_opt(10, 0, 0))
            .unwrap()
    }

    fn day(d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(2027, 1, 4).unwrap() + Duration::days(i64::from(d))
    }

    fn visit(days: i64, minutes: i32) -> HoldingVisit {
        HoldingVisit {
            client_id: ClientId(1),
            starts_at: now() + Duration::days(days),
            minutes,
        }
    }

    fn balance(purchased: i64, available: i64) -> Balance {
        Balance {
            purchased_minutes: purchased,
            available_minutes: available,
            ..Balance::default()
        }
    }

    #[test]
    fn weekly_visits_last_past_the_bookings_at_their_rate() {
        // 120 minutes every Tuesday for four weeks (480 in 28 days = 120 a week), 240 free:
        // two weeks more after the last booked Tuesday (day 22).
        let booked: Vec<_> = (0..4).map(|w| visit(1 + 7 * w, 120)).collect();
        let f = forecast(ClientId(1), &balance(720, 240), &booked, now(), &TZ);
        assert_eq!(f.weekly_rate_minutes, 120);
        assert_eq!(f.booked_minutes, 480);
        assert_eq!(f.last_booked_on, Some(day(22)));
        assert_eq!(f.runs_out_on, Some(day(36)));
    }

    #[test]
    fn a_part_day_rounds_up_and_visits_beyond_the_window_only_move_the_start() {
        // 60 minutes in the window (60/28 a day): 100 free last ceil(46.67) = 47 days after
        // the last booked visit, which is on day 40 (outside the window, not in the rate).
        let booked = vec![visit(3, 60), visit(40, 60)];
        let f = forecast(ClientId(1), &balance(400, 100), &booked, now(), &TZ);
        assert_eq!(f.weekly_rate_minutes, 15);
        assert_eq!(f.runs_out_on, Some(day(87)));
    }

    #[test]
    fn nothing_free_runs_out_on_the_last_booked_day_and_nothing_booked_gives_no_date() {
        let booked = vec![visit(2, 60), visit(9, 60)];
        let f = forecast(ClientId(1), &balance(120, 0), &booked, now(), &TZ);
        assert_eq!(f.runs_out_on, Some(day(9)));
        let f = forecast(ClientId(1), &balance(480, 480), &[], now(), &TZ);
        assert_eq!((f.runs_out_on, f.weekly_rate_minutes), (None, 0));
        // Used up and nothing booked: no day ahead (the balance says 0).
        let f = forecast(ClientId(1), &balance(480, 0), &[], now(), &TZ);
        assert_eq!(f.runs_out_on, None);
        // Never bought.
        assert_eq!(
            forecast(ClientId(1), &balance(0, 0), &booked, now(), &TZ).runs_out_on,
            None
        );
    }

    #[test]
    fn the_day_is_the_branchs_day() {
        // A visit at 23:30 UTC on day 1 is on day 2 in Copenhagen (00:30 CET).
        let late = HoldingVisit {
            client_id: ClientId(1),
            starts_at: now() + Duration::days(1) + Duration::minutes(13 * 60 + 30),
            minutes: 60,
        };
        let f = forecast(ClientId(1), &balance(60, 0), &[late], now(), &TZ);
        assert_eq!(f.runs_out_on, Some(day(2)));
    }
}
