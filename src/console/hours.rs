//! Hours: a branch's month per helper for payroll (the same report as
//! `GET /api/v1/reports/hours`), month by month, and the same month as a CSV download.

use crate::domain::ids::BranchId;
use actix_web::http::header;
use actix_web::{HttpResponse, web};
use chrono::{Datelike, Months, NaiveDate, Utc};
use serde::Deserialize;
use serde_json::json;

use super::render::ConsolePage;
use super::session::Session;
use crate::db;
use crate::db::models::branch::Branch;
use crate::error::ApiError;
use crate::routes::QueryParams;
use crate::services::reports::{self, HoursReport};
use crate::services::{board, visits};
use crate::state::AppState;

/// Registers the pages.
pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route("/branches/{branch}/hours", web::get().to(month))
        .route("/branches/{branch}/hours.csv", web::get().to(csv));
}

/// `?month=YYYY-MM` (default: this month in the branch's time zone).
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MonthQuery {
    month: Option<String>,
}

/// The branch and its report for the asked month.
async fn report(
    state: &AppState,
    session: &Session,
    branch_id: BranchId,
    month: Option<String>,
) -> Result<(Branch, HoursReport), ApiError> {
    let caller = session.caller.clone();
    db::run(&state.pool, move |conn| {
        let branch = board::managed(conn, &caller, branch_id)?;
        let month = month.unwrap_or_else(|| {
            Utc::now()
                .with_timezone(&visits::time_zone(&branch))
                .format("%Y-%m")
                .to_string()
        });
        let report = reports::hours(conn, &caller, branch_id, &month)?;
        Ok((branch, report))
    })
    .await
}

async fn month(
    state: web::Data<AppState>,
    session: Session,
    path: web::Path<BranchId>,
    QueryParams(query): QueryParams<MonthQuery>,
) -> Result<HttpResponse, ApiError> {
    let (branch, report) = report(&state, &session, path.into_inner(), query.month).await?;
    // The service checked the month; these only name its neighbours.
    let first = NaiveDate::parse_from_str(&format!("{}-01", report.month), "%Y-%m-%d")
        .map_err(|_| ApiError::field("month", "must be YYYY-MM"))?;
    let step = |months: Months, forward: bool| {
        if forward {
            first.checked_add_months(months)
        } else {
            first.checked_sub_months(months)
        }
        .map(|d| d.format("%Y-%m").to_string())
    };
    let base = format!("/console/branches/{}/hours", branch.id);
    let total = |f: fn(&reports::HelperHours) -> i64| report.helpers.iter().map(f).sum::<i64>();
    let minutes = total(|h| h.minutes);
    let rows: Vec<serde_json::Value> = report
        .helpers
        .iter()
        .map(|h| {
            let mut row = json!(h);
            row["hours"] = json!(format!("{:.2}", h.minutes as f64 / 60.0));
            row
        })
        .collect();
    ConsolePage::new(
        "hours.html",
        json!({
            "title": session.lang.text("hours_title"),
            "me": session.layout(),
            "branch": {"id": branch.id, "name": branch.name},
            "nav": "hours",
            "here": format!("{base}?month={}", report.month),
            "month": report.month,
            "month_name": session.lang.text(&format!("hours_month_{}", first.month())),
            "year": first.year(),
            "time_zone": report.time_zone,
            "rows": rows,
            "totals": {
                "visits": total(|h| h.visits),
                "minutes": minutes,
                "hours": format!("{:.2}", minutes as f64 / 60.0),
                "checked_minutes": total(|h| h.checked_minutes),
                "unverified_visits": total(|h| h.unverified_visits),
                "flagged_visits": total(|h| h.flagged_visits),
            },
            "previous": step(Months::new(1), false).map(|m| format!("{base}?month={m}")),
            "next": step(Months::new(1), true).map(|m| format!("{base}?month={m}")),
            "this_month": base,
        }),
    )
    .render(session.lang)
}

async fn csv(
    state: web::Data<AppState>,
    session: Session,
    path: web::Path<BranchId>,
    QueryParams(query): QueryParams<MonthQuery>,
) -> Result<HttpResponse, ApiError> {
    let (branch, report) = report(&state, &session, path.into_inner(), query.month).await?;
    let body = report.to_csv()?;
    let disposition = format!(
        "attachment; filename=\"hours-{}-{}-{}.csv\"",
        branch.id,
        file_name_part(&branch.name),
        report.month
    );
    Ok(HttpResponse::Ok()
        .content_type("text/csv; charset=utf-8")
        .insert_header((header::CONTENT_DISPOSITION, disposition))
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .insert_header((header::X_CONTENT_TYPE_OPTIONS, "nosniff"))
        .body(body))
}

/// A branch name as a plain-ASCII part of a file name (no quotes, slashes or spaces to
/// escape in the header): `København` → `koebenhavn`.
fn file_name_part(name: &str) -> String {
    let mut out = String::new();
    for c in name.to_lowercase().chars() {
        match c {
            'a'..='z' | '0'..='9' => out.push(c),
            'æ' => out.push_str("ae"),
            'ø' | 'ö' => out.push_str("oe"),
            'å' => out.push_str("aa"),
            'ä' => out.push_str("ae"),
            'ü' => out.push_str("ue"),
            _ if !out.ends_with('-') => out.push('-'),
            _ => {}
        }
    }
    let trimmed = out.trim_matches('-');
    if trimmed.is_empty() {
        "branch".into()
    } else {
        trimmed.into()
    }
}

#[cfg(test)]
mod tests {
    use super::file_name_part;

    #[test]
    fn a_branch_name_becomes_a_safe_file_name_part() {
        assert_eq!(file_name_part("København"), "koebenhavn");
        assert_eq!(file_name_part("Aarhus"), "aarhus");
        assert_eq!(file_name_part("\"Ålborg\"; /x"), "aalborg-x");
        assert_eq!(file_name_part("***"), "branch");
    }
}
