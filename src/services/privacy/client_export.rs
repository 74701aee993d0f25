//! Everything held about one client, as one JSON document (`GET /api/v1/clients/{id}/export`).

use chrono::NaiveDateTime;
use serde::Serialize;

use crate::auth::Caller;
use crate::db::models::assignment::Assignment;
use crate::db::models::client::Client;
use crate::db::models::feedback::{Exclusion, Feedback};
use crate::db::models::ledger::{ClipCard, LedgerEntry};
use crate::db::models::now;
use crate::db::models::report::VisitReport;
use crate::db::models::user::User;
use crate::db::models::visit::{Clients, Visit, VisitFilter};
use crate::db::{DbConnection, Scope};
use crate::domain::VisitStatus;
use crate::domain::audit::AuditEntity;
use crate::domain::ids::{ClientId, HelperId};
use crate::error::ApiError;
use crate::services::assignments::AssignmentView;
use crate::services::audit::AuditEventView;
use crate::services::clients::exclusions::{self, ExclusionView};
use crate::services::clients::{self, ClientView};
use crate::services::clip_cards::{ClipCardView, LedgerEntryView};
use crate::services::visits::{self, FeedbackView, ReportView, VisitView};

use super::records::{self, AccountRecord, MailView};

/// Everything held about a client: the record with its relatives (and the rights and the date
/// the client consented to each), the login, every pair ever made, the helpers ruled out,
/// every visit with its report and feedback, the clip cards and the hour ledger, the mails
/// sent (without their content) and the audit entries about the client and by their login.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ClientExport {
    /// When this document was made (UTC).
    #[serde(serialize_with = "crate::db::models::utc")]
    pub exported_at: NaiveDateTime,
    /// The record, relatives and their consents included.
    pub client: ClientView,
    /// The client's own login, if they have one.
    pub account: Option<AccountRecord>,
    /// Every pair, ended ones included, oldest first.
    pub team_history: Vec<AssignmentView>,
    /// Helpers ruled out for the client.
    pub exclusions: Vec<ExclusionView>,
    /// Every visit, cancelled ones included, in start order.
    pub visits: Vec<VisitView>,
    /// What the helpers recorded at check-out.
    pub reports: Vec<ReportView>,
    /// Feedback given on the visits, by either side.
    pub feedback: Vec<FeedbackView>,
    /// Clip cards bought.
    pub clip_cards: Vec<ClipCardView>,
    /// Every movement of hours.
    pub ledger: Vec<LedgerEntryView>,
    /// Mails to the client, without their content.
    pub mails: Vec<MailView>,
    /// Audit entries about the client's record.
    pub audit_about: Vec<AuditEventView>,
    /// Audit entries of what the client's login did.
    pub audit_by: Vec<AuditEventView>,
}

/// Who may export a client: staff of the branch and the client themself (a relative acts for
/// the client but is not the person the data is about: 403). Anyone else gets 404.
fn exportable(conn: &mut DbConnection, caller: &Caller, id: ClientId) -> Result<Client, ApiError> {
    let client = Client::find(conn, id)?;
    if client.deleted_at.is_some() {
        return Err(ApiError::NotFound);
    }
    if caller.manages_branch(client.branch_id) {
        return Ok(client);
    }
    match caller.client_link(id) {
        Some(link) if link.relative_id.is_none() => Ok(client),
        Some(_) => Err(ApiError::Forbidden(
            "only the client themself or the branch can export the client's data".into(),
        )),
        None => Err(ApiError::NotFound),
    }
}

/// Every visit of the client, any status, in start order.
fn all_visits(conn: &mut DbConnection, id: ClientId) -> Result<Vec<Visit>, ApiError> {
    let filter = VisitFilter {
        scope: Scope::All,
        statuses: VisitStatus::ALL.to_vec(),
        needs_attention: None,
        branch_id: None,
        helper_id: None,
        client_id: Some(id),
        from: None,
        to: None,
        updated_since: None,
    };
    Ok(Visit::list(conn, &filter, None, i64::MAX)?)
}

/// The reports and feedback of some visits; the helpers' worries only when `sees_concern`.
pub(super) fn reports_and_feedback(
    conn: &mut DbConnection,
    visits: &[Visit],
    sees_concern: bool,
    written_by: Option<HelperId>,
) -> Result<(Vec<ReportView>, Vec<FeedbackView>), ApiError> {
    let mut reports = vec![];
    let mut feedback = vec![];
    for visit in visits {
        if let Some(report) = VisitReport::find(conn, visit.id)?
            && written_by.is_none_or(|h| h == report.helper_id)
        {
            reports.push(visits::report_shown(conn, report, sees_concern)?);
        }
        feedback.extend(
            Feedback::for_visit(conn, visit.id)?
                .into_iter()
                .map(FeedbackView::from),
        );
    }
    Ok((reports, feedback))
}

/// Everything held about a client (staff of the branch, or the client). The worries helpers
/// recorded in their reports are in the branch's export and left out of the client's own, as
/// everywhere the client's side reads a report. The export is audited.
pub fn export_client(
    conn: &mut DbConnection,
    caller: &Caller,
    free_hours: i64,
    id: ClientId,
) -> Result<ClientExport, ApiError> {
    let client = exportable(conn, caller, id)?;
    let staff = caller.manages_branch(client.branch_id);
    let account = User::find_by_client(conn, id)?;
    let visit_rows = all_visits(conn, id)?;
    let (reports, feedback) = reports_and_feedback(conn, &visit_rows, staff, None)?;
    let exclusions = Exclusion::for_client(conn, id)?
        .into_iter()
        .map(|e| exclusions::view(conn, e))
        .collect::<Result<_, _>>()?;
    let mails = records::mails_to(
        conn,
        client
            .email
            .iter()
            .map(String::as_str)
            .chain(account.iter().map(|a| a.email.as_str())),
    )?;
    let export = ClientExport {
        exported_at: now(),
        audit_about: records::audit_about(conn, AuditEntity::Client, id.into())?,
        audit_by: records::audit_by(conn, account.as_ref().map(|a| a.id))?,
        account: account.map(AccountRecord::from),
        team_history: Assignment::history(conn, Clients::One(id))?
            .into_iter()
            .map(AssignmentView::from)
            .collect(),
        exclusions,
        visits: visits::views(conn, visit_rows, free_hours)?,
        reports,
        feedback,
        clip_cards: ClipCard::list_for_client(conn, id, 0, i64::MAX)?
            .into_iter()
            .map(ClipCardView::from)
            .collect(),
        ledger: LedgerEntry::list(conn, id, 0, i64::MAX)?
            .into_iter()
            .map(LedgerEntryView::from)
            .collect(),
        mails,
        client: clients::full_view(conn, client)?,
    };
    records::record_export(conn, caller.user_id, AuditEntity::Client, id.into())?;
    Ok(export)
}
