//! The board's grid — a row per helper, a cell per day, a block per visit, a booking link per
//! free day — written straight into the page. A week of a large branch holds 2,000 visits and
//! 1,400 booking links; printing them through the template engine was three quarters of a
//! board request's CPU (perf; docs/benchmarks.md). The markup is what the template printed,
//! and every value goes through minijinja's own HTML escaper, as in the templates.

use crate::domain::ids::BranchId;
use std::borrow::Cow;
use std::fmt::{self, Write};

use minijinja::HtmlEscape as Esc;

use crate::console::texts::Lang;
use crate::domain::{HelperStatus, VisitStatus};
use crate::services::board::{BoardVisit, HelperRow, Week};

/// The texts the grid prints, looked up once per page rather than once per block.
struct GridTexts {
    lang: Lang,
    book: Cow<'static, str>,
    book_for: Cow<'static, str>,
    min: Cow<'static, str>,
}

impl GridTexts {
    fn get(&self, key: &str) -> Cow<'static, str> {
        self.lang.text_ref(key)
    }
}

/// The rows of the board's table body, escaped and ready to print as is.
pub fn rows(week: &Week, branch_id: BranchId, lang: Lang) -> Result<String, fmt::Error> {
    let texts = GridTexts {
        lang,
        book: lang.text_ref("book"),
        book_for: lang.text_ref("book_for"),
        min: lang.text_ref("min"),
    };
    let days: Vec<String> = week.days.iter().map(|d| d.to_string()).collect();
    // About 420 bytes per visit and 150 per empty day: one allocation for the whole grid.
    let mut out = String::with_capacity(week.visit_count * 420 + week.rows.len() * 7 * 150);
    if week.rows.is_empty() {
        write!(
            out,
            "<tr><td colspan=\"8\">{}</td></tr>",
            Esc(&texts.get("no_active_helpers"))
        )?;
    }
    for row in &week.rows {
        helper_row(&mut out, row, &days, branch_id, &texts)?;
    }
    Ok(out)
}

fn helper_row(
    out: &mut String,
    row: &HelperRow,
    days: &[String],
    branch_id: BranchId,
    texts: &GridTexts,
) -> fmt::Result {
    let active = row.status == HelperStatus::Active;
    write!(out, "<tr data-helper-id=\"{}\"", row.helper_id)?;
    if !active {
        out.push_str(" class=\"not-active\"");
    }
    write!(out, ">\n<th scope=\"row\">{}", Esc(&row.name))?;
    if !active {
        let status = texts.get(&format!("helper_status_{}", row.status.as_str()));
        write!(out, " <span class=\"badge warn\">{}</span>", Esc(&status))?;
    }
    out.push_str("</th>\n");
    for (visits, day) in row.days.iter().zip(days) {
        write!(out, "<td data-day=\"{day}\">")?;
        for visit in visits {
            block(out, visit, branch_id, texts)?;
        }
        if active {
            write!(
                out,
                "\n<a class=\"book\" href=\"/console/branches/{branch_id}/visits/new?helper={}&amp;date={day}\" aria-label=\"{} {} {day}\">+ {}</a>",
                row.helper_id,
                Esc(&texts.book_for),
                Esc(&row.name),
                Esc(&texts.book),
            )?;
        }
        out.push_str("</td>\n");
    }
    out.push_str("</tr>\n");
    Ok(())
}

fn block(out: &mut String, v: &BoardVisit, branch_id: BranchId, texts: &GridTexts) -> fmt::Result {
    let class = match (v.status, v.attention.is_some()) {
        (_, true) => "needs-attention",
        (VisitStatus::Completed, _) => "status-completed",
        (VisitStatus::CheckedIn, _) => "status-checked_in",
        (VisitStatus::NoShow, _) => "status-no_show",
        _ => "status-booked",
    };
    write!(
        out,
        "\n<a class=\"visit {class}\" data-visit-id=\"{id}\" href=\"/console/branches/{branch_id}/visits/{id}\"><span class=\"time\">{}–{}</span> <span class=\"client\">{}</span> <span class=\"tasks\">",
        v.start,
        v.end,
        Esc(&v.client_name),
        id = v.id,
    )?;
    for (i, segment) in v.segments.iter().enumerate() {
        if i > 0 {
            out.push_str(", ");
        }
        write!(
            out,
            "{}",
            Esc(&texts.get(&format!("skill_{}", segment.task)))
        )?;
    }
    write!(
        out,
        " · {} {}</span> <span class=\"status\">{}</span>",
        v.minutes,
        Esc(&texts.min),
        Esc(&texts.get(&format!("status_{}", v.status.as_str())))
    )?;
    if v.substitute {
        badge(out, &texts.get("badge_substitute"), false)?;
    }
    if let Some(reason) = v.attention {
        badge(
            out,
            &texts.get(&format!("attention_{}", reason.as_str())),
            true,
        )?;
    }
    if v.position_flagged {
        badge(out, &texts.get("badge_position"), true)?;
    }
    out.push_str("</a>");
    Ok(())
}

fn badge(out: &mut String, text: &str, warn: bool) -> fmt::Result {
    let class = if warn { "badge warn" } else { "badge" };
    write!(out, " <span class=\"{class}\">{}</span>", Esc(text))
}
