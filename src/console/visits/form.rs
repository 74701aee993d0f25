//! What the visit forms share: task rows, a local date and time read in the branch's time
//! zone, and a service's refusal turned into messages a person can read at the form.

use actix_web::ResponseError;
use chrono::{DateTime, FixedOffset, LocalResult, NaiveDate, NaiveDateTime, NaiveTime, TimeZone};
use chrono_tz::Tz;
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use crate::console::Lang;
use crate::console::refusal::Refusal;
use crate::domain::Skill;
use crate::error::{ApiError, FieldError};
use crate::services::visits::Segment;

/// Task rows a form offers: enough for a mixed visit, few enough to read at a glance.
pub const ROWS: usize = 4;

/// The task rows of a form, as typed (`task_0`, `minutes_0`, …).
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct SegmentFields {
    #[serde(default)]
    task_0: String,
    #[serde(default)]
    minutes_0: String,
    #[serde(default)]
    task_1: String,
    #[serde(default)]
    minutes_1: String,
    #[serde(default)]
    task_2: String,
    #[serde(default)]
    minutes_2: String,
    #[serde(default)]
    task_3: String,
    #[serde(default)]
    minutes_3: String,
}

impl SegmentFields {
    fn rows(&self) -> [(&str, &str); ROWS] {
        [
            (&self.task_0, &self.minutes_0),
            (&self.task_1, &self.minutes_1),
            (&self.task_2, &self.minutes_2),
            (&self.task_3, &self.minutes_3),
        ]
        .map(|(t, m)| (t.trim(), m.trim()))
    }

    /// The rows of an existing visit (its first four tasks).
    pub fn of(segments: &[Segment]) -> SegmentFields {
        let cell = |i: usize| {
            segments
                .get(i)
                .map(|s| (s.task.clone(), s.minutes.to_string()))
                .unwrap_or_default()
        };
        let [
            (task_0, minutes_0),
            (task_1, minutes_1),
            (task_2, minutes_2),
            (task_3, minutes_3),
        ] = [cell(0), cell(1), cell(2), cell(3)];
        SegmentFields {
            task_0,
            minutes_0,
            task_1,
            minutes_1,
            task_2,
            minutes_2,
            task_3,
            minutes_3,
        }
    }

    /// The tasks as the service takes them: every row with a task. Minutes that are not a
    /// number become 0, which the service refuses with its own message.
    pub fn segments(&self) -> Vec<Segment> {
        self.rows()
            .into_iter()
            .filter(|(task, _)| !task.is_empty())
            .map(|(task, minutes)| Segment {
                task: task.to_string(),
                minutes: minutes.parse().unwrap_or(0),
            })
            .collect()
    }

    /// The rows for the template, with the total the form shows beside them.
    pub fn shown(&self) -> Value {
        let rows: Vec<Value> = self
            .rows()
            .into_iter()
            .map(|(task, minutes)| json!({"task": task, "minutes": minutes}))
            .collect();
        let total: i64 = self
            .rows()
            .into_iter()
            .filter_map(|(_, m)| m.parse::<i64>().ok())
            .sum();
        json!({"rows": rows, "total": total})
    }
}

/// The lists every task row offers: the skills and the lengths in 30-minute steps.
pub fn choices() -> Value {
    let skills: Vec<&str> = Skill::ALL.iter().map(|s| s.as_str()).collect();
    let minutes: Vec<i32> = (1..=16).map(|n| n * 30).collect();
    json!({"skills": skills, "minutes": minutes})
}

/// Reads a date (`2027-01-12`) and a time (`10:00`) typed as the branch's local time and
/// turns them into the moment they name. A time the clocks skip (spring) or pass twice
/// (autumn) names no single moment, so it is refused rather than guessed.
pub fn local_start(
    tz: &Tz,
    date: &str,
    time: &str,
    lang: Lang,
) -> Result<DateTime<FixedOffset>, Vec<String>> {
    let day = NaiveDate::parse_from_str(date.trim(), "%Y-%m-%d");
    let at = NaiveTime::parse_from_str(time.trim(), "%H:%M")
        .or_else(|_| NaiveTime::parse_from_str(time.trim(), "%H:%M:%S"));
    let mut errors = vec![];
    if day.is_err() {
        errors.push(lang.text("visit_bad_date"));
    }
    if at.is_err() {
        errors.push(lang.text("visit_bad_time"));
    }
    let (Ok(day), Ok(at)) = (day, at) else {
        return Err(errors);
    };
    resolve(tz, day.and_time(at)).map_err(|key| vec![lang.text(key)])
}

/// The one moment a local wall-clock time names, or the text key saying why there is none.
fn resolve(tz: &Tz, local: NaiveDateTime) -> Result<DateTime<FixedOffset>, &'static str> {
    match tz.from_local_datetime(&local) {
        LocalResult::Single(at) => Ok(at.fixed_offset()),
        LocalResult::Ambiguous(..) => Err("visit_time_twice"),
        LocalResult::None => Err("visit_time_skipped"),
    }
}

/// A service's refusal at the visit form `form`, as `Refusal::of` words it, and also a visit
/// gone (404) and a form id spent on other values in the page's words; any other error (a
/// fault, not a refusal) is handed back to become an error page.
pub fn refusal(form: &'static str, error: ApiError, lang: Lang) -> Result<Refusal, ApiError> {
    let status = error.status_code();
    let refusal = match error {
        ApiError::NotFound => Refusal::said(status, lang.text("visit_not_found")),
        ApiError::IdempotencyKeyReused(_) => Refusal::said(status, lang.text("visit_form_reused")),
        other => Refusal::of(other)?,
    };
    Ok(refusal.at(form))
}

/// A refusal as the visit templates show it: `{"form", "messages"}`, each field by its label.
pub fn shown(refusal: &Refusal, lang: Lang) -> Value {
    json!({"form": refusal.form, "messages": refusal.lines(|f| field_line(f, lang))})
}

/// `Start: must be in the future`: the field by its label on the form, then the service's words.
fn field_line(error: &FieldError, lang: Lang) -> String {
    let field = error.field.as_str();
    let row = |prefix: &str| {
        field
            .strip_prefix(prefix)
            .and_then(|rest| rest.split(']').next())
            .and_then(|n| n.parse::<usize>().ok())
            .map(|n| n + 1)
    };
    let label = match field {
        "client_id" => lang.text("visit_client"),
        "helper_id" => lang.text("helper"),
        "starts_at" => lang.text("visit_start"),
        "segments" => lang.text("visit_tasks"),
        "repeat_weeks" => lang.text("visit_weeks"),
        _ if field.ends_with(".task") => match row("segments[") {
            Some(n) => format!("{} {n}", lang.text("visit_task")),
            None => field.to_string(),
        },
        _ if field.ends_with(".minutes") => match row("segments[") {
            Some(n) => format!("{} {n}", lang.text("visit_minutes")),
            None => field.to_string(),
        },
        other => other.to_string(),
    };
    format!("{label}: {}", error.message)
}

/// Local times a page shows, from the UTC times the services keep.
pub fn local(tz: &Tz, utc: &str) -> Option<String> {
    DateTime::parse_from_rfc3339(utc)
        .ok()
        .map(|at| at.with_timezone(tz).format("%Y-%m-%d %H:%M").to_string())
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono_tz::Europe::Copenhagen;

    fn at(s: &str) -> NaiveDateTime {
        NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M").unwrap()
    }

    #[test]
    fn a_local_time_gets_the_offset_of_its_day() {
        let winter = resolve(&Copenhagen, at("2027-01-12 10:00")).unwrap();
        assert_eq!(winter.to_rfc3339(), "2027-01-12T10:00:00+01:00");
        let summer = resolve(&Copenhagen, at("2027-06-08 10:00")).unwrap();
        assert_eq!(summer.to_rfc3339(), "2027-06-08T10:00:00+02:00");
    }

    #[test]
    fn times_the_clocks_skip_or_pass_twice_are_refused() {
        // 2027: clocks go forward on 28 March at 02:00 and back on 31 October at 03:00.
        assert_eq!(
            resolve(&Copenhagen, at("2027-03-28 02:30")),
            Err("visit_time_skipped")
        );
        assert_eq!(
            resolve(&Copenhagen, at("2027-10-31 02:30")),
            Err("visit_time_twice")
        );
        assert!(resolve(&Copenhagen, at("2027-10-31 03:00")).is_ok());
    }

    #[test]
    fn unreadable_dates_and_times_say_which() {
        let errors = local_start(&Copenhagen, "12-01-2027", "ten", Lang::En).unwrap_err();
        assert_eq!(errors.len(), 2, "{errors:?}");
        let ok = local_start(&Copenhagen, "2027-01-12", "10:15", Lang::En).unwrap();
        assert_eq!(ok.to_rfc3339(), "2027-01-12T10:15:00+01:00");
    }

    #[test]
    fn rows_without_a_task_are_left_out() {
        let fields = SegmentFields {
            task_0: "cleaning".into(),
            minutes_0: "60".into(),
            minutes_1: "30".into(),
            task_2: "it".into(),
            minutes_2: "".into(),
            ..SegmentFields::default()
        };
        let segments = fields.segments();
        assert_eq!(segments.len(), 2);
        assert_eq!((segments[1].task.as_str(), segments[1].minutes), ("it", 0));
    }

    #[test]
    fn field_errors_are_named_by_their_label() {
        let line = field_line(
            &FieldError::new("segments[1].minutes", "must be a positive multiple of 30"),
            Lang::En,
        );
        assert!(
            line.ends_with(" 2: must be a positive multiple of 30"),
            "{line}"
        );
    }
}
