//! Mails after a visit: the report to the relatives who asked for it, a worry about the
//! client's wellbeing to the branch leaders, and a "don't pair us again" to them too.

use super::*;

/// One task as a report mail lists it.
#[derive(Debug, Clone, serde::Serialize)]
pub struct ReportedTask<'a> {
    /// The task (a skill name).
    pub task: &'a str,
    /// Done as booked.
    pub done: bool,
    /// The helper's note.
    pub note: Option<&'a str>,
}

/// The visit's report, to a relative who asked for reports. Once per visit and recipient.
pub fn visit_report(
    conn: &mut DbConnection,
    visit: &VisitMail<'_>,
    tasks: &[ReportedTask<'_>],
) -> Result<Option<i64>, ApiError> {
    let key = format!(
        "visit_report:{}:{}",
        visit.visit_id,
        visit.recipient.to_lowercase()
    );
    let extra = json!({ "tasks": tasks });
    visit_mail_with(conn, visit, MailKind::VisitReport, None, Some(key), extra)
}

/// To a branch leader: the helper who checked out is worried about the client. Once per visit
/// and recipient.
pub fn visit_concern(
    conn: &mut DbConnection,
    visit: &VisitMail<'_>,
    note: Option<&str>,
) -> Result<Option<i64>, ApiError> {
    let key = format!(
        "visit_concern:{}:{}",
        visit.visit_id,
        visit.recipient.to_lowercase()
    );
    let extra = json!({ "note": note });
    visit_mail_with(conn, visit, MailKind::VisitConcern, None, Some(key), extra)
}

/// To a branch leader: one side of a visit asked not to be paired again (`by` is `client` or
/// `helper`). Once per visit and recipient (a pair is ruled out once anyway).
pub fn pair_excluded(
    conn: &mut DbConnection,
    visit: &VisitMail<'_>,
    by: &str,
) -> Result<Option<i64>, ApiError> {
    let key = format!(
        "pair_excluded:{}:{}",
        visit.visit_id,
        visit.recipient.to_lowercase()
    );
    let extra = json!({ "by": by });
    visit_mail_with(conn, visit, MailKind::PairExcluded, None, Some(key), extra)
}
