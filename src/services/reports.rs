//! The hours report for payroll and tax: completed visits per helper per month.

use crate::domain::ids::{BranchId, HelperId, VisitId};
use std::collections::BTreeMap;
use std::collections::btree_map::Entry;

use chrono::{Datelike, NaiveDate};
use serde::Serialize;

use crate::auth::Caller;
use crate::db::models::branch::Branch;
use crate::db::models::helper::Helper;
use crate::db::models::visit::{Visit, VisitFilter};
use crate::db::{DbConnection, Scope};
use crate::domain::VisitStatus;
use crate::error::ApiError;

/// One helper's month.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct HelperHours {
    /// Helper.
    pub helper_id: HelperId,
    /// Name, for the payroll sheet.
    pub name: String,
    /// Completed visits whose minutes are settled (attendance verified, or reviewed).
    pub visits: i64,
    /// Minutes paid: the booked minutes of verified visits and the reviewed minutes of the rest.
    pub minutes: i64,
    /// Minutes between check-in and check-out of the settled visits, for comparison.
    pub checked_minutes: i64,
    /// Completed visits whose attendance the branch has not reviewed yet: not paid yet.
    pub unverified_visits: i64,
    /// Settled visits with a check-in or check-out far from the home.
    pub flagged_visits: i64,
}

/// A branch's month.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct HoursReport {
    /// Branch.
    pub branch_id: BranchId,
    /// `YYYY-MM`.
    pub month: String,
    /// Month boundaries are in this time zone.
    pub time_zone: String,
    /// One row per helper with completed visits, by helper id.
    pub helpers: Vec<HelperHours>,
}

impl HoursReport {
    /// The report as CSV (RFC 4180, hours with two decimals), a header row and one row per
    /// helper. Written with the `csv` crate so a name with a comma, a quote or a line break
    /// stays one field; a name a spreadsheet would run as a formula gets a leading `'`.
    pub fn to_csv(&self) -> Result<String, ApiError> {
        let mut out = csv::Writer::from_writer(Vec::new());
        let failed = |e: csv::Error| ApiError::Internal(anyhow::anyhow!("hours CSV: {e}"));
        out.write_record([
            "branch_id",
            "month",
            "helper_id",
            "name",
            "visits",
            "minutes",
            "hours",
            "checked_minutes",
            "unverified_visits",
            "flagged_visits",
        ])
        .map_err(failed)?;
        for h in &self.helpers {
            out.write_record([
                self.branch_id.to_string(),
                self.month.clone(),
                h.helper_id.to_string(),
                spreadsheet_text(&h.name),
                h.visits.to_string(),
                h.minutes.to_string(),
                format!("{:.2}", h.minutes as f64 / 60.0),
                h.checked_minutes.to_string(),
                h.unverified_visits.to_string(),
                h.flagged_visits.to_string(),
            ])
            .map_err(failed)?;
        }
        let bytes = out
            .into_inner()
            .map_err(|e| ApiError::Internal(anyhow::anyhow!("hours CSV: {e}")))?;
        String::from_utf8(bytes).map_err(|e| ApiError::Internal(e.into()))
    }
}

/// Text a spreadsheet shows as text: one that starts like a formula (`=`, `+`, `-`, `@`, or a
/// tab or carriage return before one) is prefixed with `'` (OWASP's CSV injection advice).
fn spreadsheet_text(text: &str) -> String {
    if text.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{text}")
    } else {
        text.to_string()
    }
}

fn month_start(month: &str) -> Result<NaiveDate, ApiError> {
    NaiveDate::parse_from_str(&format!("{month}-01"), "%Y-%m-%d")
        .map_err(|_| ApiError::field("month", "must be YYYY-MM"))
}

/// Hours per helper in a branch and month (branch staff).
pub fn hours(
    conn: &mut DbConnection,
    caller: &Caller,
    branch_id: BranchId,
    month: &str,
) -> Result<HoursReport, ApiError> {
    caller.require_staff()?;
    caller.require_branch(branch_id)?;
    let first = month_start(month)?;
    let next = if first.month() == 12 {
        NaiveDate::from_ymd_opt(first.year() + 1, 1, 1)
    } else {
        NaiveDate::from_ymd_opt(first.year(), first.month() + 1, 1)
    }
    .ok_or_else(|| ApiError::field("month", "is out of range"))?;
    let branch = Branch::find(conn, branch_id)?;
    let tz = super::visits::time_zone(&branch);
    let utc_of = |day: NaiveDate| {
        day.and_hms_opt(0, 0, 0)
            .and_then(|t| t.and_local_timezone(tz).earliest())
            .map(|t| t.naive_utc())
    };
    let (from, to) = (utc_of(first), utc_of(next));
    let filter = VisitFilter {
        scope: Scope::Branch(branch_id),
        statuses: vec![VisitStatus::Completed],
        needs_attention: None,
        branch_id: Some(branch_id),
        helper_id: None,
        client_id: None,
        from,
        to,
        updated_since: None,
    };
    let mut rows: BTreeMap<HelperId, HelperHours> = BTreeMap::new();
    // A joint handover visit counts for both its helpers: each was there for its minutes.
    let visits = Visit::list(conn, &filter, None, i64::MAX)?;
    let ids: Vec<VisitId> = visits.iter().map(|v| v.id).collect();
    let joint = crate::db::models::visit::joint::helpers_of(conn, &ids)?;
    let came = visits.iter().flat_map(|v| {
        std::iter::once((v.helper_id, v)).chain(joint.get(&v.id).map(|second| (*second, v)))
    });
    for (helper_id, visit) in came {
        let row = match rows.entry(helper_id) {
            Entry::Occupied(row) => row.into_mut(),
            Entry::Vacant(slot) => {
                let name = Helper::find(conn, helper_id)?.name;
                slot.insert(HelperHours {
                    helper_id,
                    name,
                    visits: 0,
                    minutes: 0,
                    checked_minutes: 0,
                    unverified_visits: 0,
                    flagged_visits: 0,
                })
            }
        };
        let Some(paid) = visit.consumed_minutes else {
            row.unverified_visits += 1;
            continue;
        };
        row.visits += 1;
        row.minutes += i64::from(paid);
        row.flagged_visits += i64::from(visit.position_flagged);
        if let (Some(i), Some(o)) = (visit.checked_in_at, visit.checked_out_at) {
            row.checked_minutes += (o - i).num_minutes();
        }
    }
    Ok(HoursReport {
        branch_id,
        month: month.to_string(),
        time_zone: branch.time_zone,
        helpers: rows.into_values().collect(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn report(names: &[&str]) -> HoursReport {
        HoursReport {
            branch_id: BranchId(7),
            month: "2027-03".into(),
            time_zone: "Europe/Copenhagen".into(),
            helpers: names
                .iter()
                .enumerate()
                .map(|(i, name)| HelperHours {
                    helper_id: HelperId(i as i64 + 1),
                    name: name.to_string(),
                    visits: 2,
                    minutes: 90,
                    checked_minutes: 88,
                    unverified_visits: 1,
                    flagged_visits: 0,
                })
                .collect(),
        }
    }

    #[test]
    fn names_with_commas_quotes_and_line_breaks_stay_one_field() {
        let csv = report(&["Jensen, \"Anna\"", "Bo\nLund", "Eva"])
            .to_csv()
            .unwrap();
        let mut rows = csv::Reader::from_reader(csv.as_bytes());
        let names: Vec<String> = rows.records().map(|r| r.unwrap()[3].to_string()).collect();
        assert_eq!(names, ["Jensen, \"Anna\"", "Bo\nLund", "Eva"]);
        assert!(csv.contains("\"Jensen, \"\"Anna\"\"\""), "{csv}");
        assert!(csv.contains("7,2027-03,3,Eva,2,90,1.50,88,1,0\n"), "{csv}");
    }

    #[test]
    fn a_name_that_looks_like_a_formula_is_written_as_text() {
        let csv = report(&["=HYPERLINK(\"x\")", "+1", "-2", "@SUM(A1)", "Ann-Britt"])
            .to_csv()
            .unwrap();
        let mut rows = csv::Reader::from_reader(csv.as_bytes());
        let names: Vec<String> = rows.records().map(|r| r.unwrap()[3].to_string()).collect();
        assert_eq!(
            names,
            ["'=HYPERLINK(\"x\")", "'+1", "'-2", "'@SUM(A1)", "Ann-Britt"]
        );
    }
}
