//! The clip-card forecast's mail: two weeks before a client's hours run out at the rate they
//! book, the client and the relatives who pay hear it, once per clip card.

use chrono::{DateTime, Duration, Utc};

use super::to_payers;
use crate::db::DbConnection;
use crate::db::models::branch::Branch;
use crate::db::models::client::Client;
use crate::db::models::ledger::ClipCard;
use crate::email::{self, RunningOutMail};
use crate::error::ApiError;
use crate::services::clip_cards::forecast::{self, HoursForecast};
use crate::services::visits::time_zone;

/// How long before the hours run out the mail goes.
pub const WARN_DAYS: i64 = 14;

/// Whether a forecast is within the warning's reach on the branch's `today`.
pub fn runs_out_soon(forecast: &HoursForecast, today: chrono::NaiveDate) -> bool {
    forecast
        .runs_out_on
        .is_some_and(|day| day <= today + Duration::days(WARN_DAYS))
}

/// The mail job: every active branch's forecasts, a mail to the payers of each client whose
/// hours run out within `WARN_DAYS` (dedupe key per client, card and recipient: any number of
/// instances may run it at any time). Returns how many mails were queued.
pub fn warn_hours_running_out(
    conn: &mut DbConnection,
    now: DateTime<Utc>,
) -> Result<usize, ApiError> {
    let mut queued = 0;
    for branch in Branch::active(conn)? {
        let today = now.with_timezone(&time_zone(&branch)).date_naive();
        let mut soon: Vec<HoursForecast> = forecast::of_branch(conn, &branch, now.naive_utc())?
            .into_values()
            .filter(|f| runs_out_soon(f, today))
            .collect();
        soon.sort_by_key(|f| f.client_id);
        for f in soon {
            queued += warn(conn, &branch, &f)?;
        }
    }
    if queued > 0 {
        tracing::info!(mails = queued, "hours-running-out mails queued");
    }
    Ok(queued)
}

fn warn(conn: &mut DbConnection, branch: &Branch, f: &HoursForecast) -> Result<usize, ApiError> {
    let (Some(runs_out_on), Some(card_id)) = (
        f.runs_out_on,
        ClipCard::last_id_for_client(conn, f.client_id)?,
    ) else {
        return Ok(0);
    };
    let client = Client::find(conn, f.client_id)?;
    let mut queued = 0;
    to_payers(conn, &client, branch, |conn, to| {
        let id = email::hours_running_out(
            conn,
            &RunningOutMail {
                to,
                client_id: client.id,
                card_id,
                runs_out_on,
                weekly_rate_minutes: f.weekly_rate_minutes,
                available_minutes: f.available_minutes,
            },
        )?;
        queued += usize::from(id.is_some());
        Ok(id)
    })?;
    Ok(queued)
}
