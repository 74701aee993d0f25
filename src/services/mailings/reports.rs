//! Mails after a visit: the report to the relatives who asked for reports (and see visits), a
//! worry about the client and a "don't pair us again" to each leader of the branch.

use super::{To, leaders, people, send, visit_mail};
use crate::db::DbConnection;
use crate::db::models::relative::Relative;
use crate::db::models::visit::Visit;
use crate::domain::FeedbackSide;
use crate::email::{self, ReportedTask};
use crate::error::ApiError;
use crate::services::visits::TaskReport;

/// The report to each relative of the client with the view right who asked for reports.
pub fn report(
    conn: &mut DbConnection,
    visit: &Visit,
    tasks: &[TaskReport],
) -> Result<usize, ApiError> {
    let (client, branch, helper) = people(conn, visit)?;
    let listed: Vec<ReportedTask<'_>> = tasks
        .iter()
        .map(|t| ReportedTask {
            task: &t.task,
            done: t.done,
            note: t.note.as_deref(),
        })
        .collect();
    let mut queued = 0;
    for relative in Relative::for_client(conn, client.id)? {
        let Some(address) = relative
            .email
            .filter(|_| relative.wants_reports && relative.can_view)
        else {
            continue;
        };
        let to = To {
            address,
            language: client.preferred_language.clone(),
        };
        let mail = visit_mail(&to, visit, &client, &helper, &branch);
        if email::visit_report(conn, &mail, &listed)?.is_some() {
            queued += 1;
        }
    }
    Ok(queued)
}

/// A worry about the client's wellbeing, to each active leader of the visit's branch, now.
pub fn concern(
    conn: &mut DbConnection,
    visit: &Visit,
    note: Option<&str>,
) -> Result<usize, ApiError> {
    let (client, branch, helper) = people(conn, visit)?;
    let to = leaders(conn, &branch)?;
    let event = |conn: &mut DbConnection, mail: &email::VisitMail<'_>| {
        email::visit_concern(conn, mail, note)
    };
    send(conn, event, visit, &client, &helper, &branch, &to)
}

/// "Don't pair us again" from `side` of the visit, to each active leader of the branch.
pub fn pair_excluded(
    conn: &mut DbConnection,
    visit: &Visit,
    side: FeedbackSide,
) -> Result<usize, ApiError> {
    let (client, branch, helper) = people(conn, visit)?;
    let to = leaders(conn, &branch)?;
    let event = |conn: &mut DbConnection, mail: &email::VisitMail<'_>| {
        email::pair_excluded(conn, mail, side.as_str())
    };
    send(conn, event, visit, &client, &helper, &branch, &to)
}
