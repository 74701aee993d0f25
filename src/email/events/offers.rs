//! Mails about open visits: the offer to a helper, word that it was taken, and the alert to
//! the branch leaders when nobody took it.

use super::*;

/// An open visit offered to a helper who may take it: the first to accept in the app takes it.
/// Each helper is offered a visit once per opening (the `visit_offers` rows say who was).
pub fn visit_offered(
    conn: &mut DbConnection,
    visit: &VisitMail<'_>,
) -> Result<Option<i64>, ApiError> {
    visit_mail(conn, visit, MailKind::VisitOffered, None, None)
}

/// To a helper who was offered an open visit that another helper took.
pub fn visit_taken(
    conn: &mut DbConnection,
    visit: &VisitMail<'_>,
) -> Result<Option<i64>, ApiError> {
    visit_mail(conn, visit, MailKind::VisitTaken, None, None)
}

/// To a branch leader: nobody has taken an open visit by its deadline. Once per visit, start
/// and leader, however many instances find it.
pub fn visit_uncovered(
    conn: &mut DbConnection,
    visit: &VisitMail<'_>,
) -> Result<Option<i64>, ApiError> {
    let key = format!(
        "visit_uncovered:{}:{}:{}",
        visit.visit_id,
        visit.start.timestamp(),
        visit.recipient.to_lowercase()
    );
    visit_mail(conn, visit, MailKind::VisitUncovered, None, Some(key))
}
