//! Everything held about a helper (`GET /api/v1/helpers/{id}/export`) and about a relative
//! (`GET /api/v1/clients/{id}/relatives/{relative_id}/export`), each as one JSON document.

use chrono::NaiveDateTime;
use serde::Serialize;

use crate::auth::Caller;
use crate::db::models::assignment::{Assignment, AssignmentFilter, PairsShown};
use crate::db::models::client::Client;
use crate::db::models::helper::Helper;
use crate::db::models::ledger::ClipCard;
use crate::db::models::now;
use crate::db::models::relative::Relative;
use crate::db::models::user::User;
use crate::db::models::visit::{Visit, VisitFilter};
use crate::db::{DbConnection, Scope};
use crate::domain::VisitStatus;
use crate::domain::audit::AuditEntity;
use crate::domain::ids::{ClientId, HelperId, RelativeId};
use crate::error::ApiError;
use crate::services::assignments::AssignmentView;
use crate::services::audit::AuditEventView;
use crate::services::availability::{self, AvailabilityView};
use crate::services::clients::RelativeView;
use crate::services::clip_cards::ClipCardView;
use crate::services::helpers::{self, HelperView, TransitionView};
use crate::services::visits::{self, FeedbackView, ReportView, VisitView};

use super::client_export::reports_and_feedback;
use super::records::{self, AccountRecord, MailView};

/// Everything held about a helper: the record (the criminal-record check included), the
/// login, the moves through the recruitment pipeline with their notes, the weekly windows and
/// exceptions, every pair, every visit (joint ones included) with the reports they wrote and
/// the feedback given, the mails sent to them (without content) and the audit entries.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct HelperExport {
    /// When this document was made (UTC).
    #[serde(serialize_with = "crate::db::models::utc")]
    pub exported_at: NaiveDateTime,
    /// The record.
    pub helper: HelperView,
    /// The helper's login, if they have one.
    pub account: Option<AccountRecord>,
    /// Every move through the pipeline, with its note.
    pub pipeline: Vec<TransitionView>,
    /// Weekly windows, exceptions and the term periods that apply.
    pub availability: AvailabilityView,
    /// Every pair, ended ones included.
    pub team_history: Vec<AssignmentView>,
    /// Every visit they were booked for, in start order.
    pub visits: Vec<VisitView>,
    /// The reports they wrote.
    pub reports: Vec<ReportView>,
    /// Feedback given on their visits.
    pub feedback: Vec<FeedbackView>,
    /// Mails to the helper, without their content.
    pub mails: Vec<MailView>,
    /// Audit entries about the helper's record.
    pub audit_about: Vec<AuditEventView>,
    /// Audit entries of what the helper's login did.
    pub audit_by: Vec<AuditEventView>,
}

/// Everything held about a relative: each relative record of the person (one per client they
/// act for, with the rights and the date of the client's consent), the login, the clip cards
/// they bought, the mails to them (without content) and the audit entries.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct RelativeExport {
    /// When this document was made (UTC).
    #[serde(serialize_with = "crate::db::models::utc")]
    pub exported_at: NaiveDateTime,
    /// The person's relative records: the one asked for, and the others of the same login
    /// that the caller may see (the relative themself sees all of theirs).
    pub relatives: Vec<RelativeView>,
    /// The relative's login, if they have one.
    pub account: Option<AccountRecord>,
    /// Clip cards the relative bought.
    pub clip_cards: Vec<ClipCardView>,
    /// Mails to the relative, without their content.
    pub mails: Vec<MailView>,
    /// Audit entries about the relative records.
    pub audit_about: Vec<AuditEventView>,
    /// Audit entries of what the relative's login did.
    pub audit_by: Vec<AuditEventView>,
}

/// Everything held about a helper (staff of the branch, or the helper themself; 404 for
/// anyone else and for an erased helper). Audited.
pub fn export_helper(
    conn: &mut DbConnection,
    caller: &Caller,
    free_hours: i64,
    id: HelperId,
) -> Result<HelperExport, ApiError> {
    let helper = Helper::find(conn, id)?;
    let own = caller.helper_id() == Some(id);
    if helper.deleted_at.is_some() || !(own || caller.manages_branch(helper.branch_id)) {
        return Err(ApiError::NotFound);
    }
    let account = User::find_by_helper(conn, id)?;
    let filter = VisitFilter {
        scope: Scope::All,
        statuses: VisitStatus::ALL.to_vec(),
        needs_attention: None,
        branch_id: None,
        helper_id: Some(id),
        client_id: None,
        from: None,
        to: None,
        updated_since: None,
    };
    let visit_rows = Visit::list(conn, &filter, None, i64::MAX)?;
    // The worries in their own reports are theirs: the writer sees them everywhere.
    let (reports, feedback) = reports_and_feedback(conn, &visit_rows, true, Some(id))?;
    let pairs = AssignmentFilter {
        scope: Scope::All,
        client_id: None,
        helper_id: Some(id),
        shown: PairsShown::All,
    };
    let mails = records::mails_to(
        conn,
        std::iter::once(helper.email.as_str()).chain(account.iter().map(|a| a.email.as_str())),
    )?;
    let export = HelperExport {
        exported_at: now(),
        pipeline: Helper::history(conn, id)?
            .into_iter()
            .map(TransitionView::from)
            .collect(),
        availability: availability::get(conn, caller, id)?,
        team_history: Assignment::list(conn, &pairs, 0, i64::MAX)?
            .into_iter()
            .map(AssignmentView::from)
            .collect(),
        visits: visits::views(conn, visit_rows, free_hours)?,
        reports,
        feedback,
        mails,
        audit_about: records::audit_about(conn, AuditEntity::Helper, id.into())?,
        audit_by: records::audit_by(conn, account.as_ref().map(|a| a.id))?,
        account: account.map(AccountRecord::from),
        helper: helpers::view(conn, helper)?,
    };
    records::record_export(conn, caller.user_id, AuditEntity::Helper, id.into())?;
    Ok(export)
}

/// Everything held about a relative (staff of the client's branch, or the relative
/// themself; 403 for the client and other relatives, 404 for anyone else). Audited.
pub fn export_relative(
    conn: &mut DbConnection,
    caller: &Caller,
    client_id: ClientId,
    relative_id: RelativeId,
) -> Result<RelativeExport, ApiError> {
    let client = Client::find(conn, client_id)?;
    let relative = Relative::find(conn, relative_id)?;
    if relative.client_id != client_id {
        return Err(ApiError::NotFound);
    }
    let own = caller
        .client_link(client_id)
        .is_some_and(|link| link.relative_id == Some(relative_id));
    if !own && !caller.manages_branch(client.branch_id) {
        return Err(match caller.client_link(client_id) {
            Some(_) => ApiError::Forbidden(
                "only the relative themself or the branch can export a relative's data".into(),
            ),
            None => ApiError::NotFound,
        });
    }
    let account = relative.user_id.map(|u| User::find(conn, u)).transpose()?;
    let mut rows = vec![relative.clone()];
    if let Some(user) = relative.user_id {
        for other in Relative::for_user(conn, user)? {
            if other.id != relative_id && (own || sees_client(conn, caller, other.client_id)?) {
                rows.push(other);
            }
        }
    }
    let mut audit_about = vec![];
    for row in &rows {
        audit_about.extend(records::audit_about(
            conn,
            AuditEntity::Relative,
            row.id.into(),
        )?);
    }
    audit_about.sort_by_key(|e| e.id);
    let addresses: Vec<String> = rows
        .iter()
        .filter_map(|r| r.email.clone())
        .chain(account.iter().map(|a| a.email.clone()))
        .collect();
    let export = RelativeExport {
        exported_at: now(),
        clip_cards: match &account {
            Some(a) => ClipCard::bought_by(conn, a.id)?
                .into_iter()
                .filter(|card| own || rows.iter().any(|r| r.client_id == card.client_id))
                .map(ClipCardView::from)
                .collect(),
            None => vec![],
        },
        mails: records::mails_to(conn, addresses.iter().map(String::as_str))?,
        audit_about,
        audit_by: records::audit_by(conn, account.as_ref().map(|a| a.id))?,
        account: account.map(AccountRecord::from),
        relatives: rows.into_iter().map(RelativeView::from).collect(),
    };
    records::record_export(
        conn,
        caller.user_id,
        AuditEntity::Relative,
        relative_id.into(),
    )?;
    Ok(export)
}

/// Whether the caller is staff of the client's branch.
fn sees_client(conn: &mut DbConnection, caller: &Caller, id: ClientId) -> Result<bool, ApiError> {
    Ok(caller.manages_branch(Client::find(conn, id)?.branch_id))
}
