//! Calendar invites (iCalendar, RFC 5545 / iTIP RFC 5546) for visits: one UID for the life of a
//! visit, a SEQUENCE the caller raises on every reschedule, METHOD:CANCEL on cancellation, and
//! times in the branch's time zone with a VTIMEZONE describing it around the visit.

use crate::domain::ids::VisitId;
use chrono::{DateTime, Duration, NaiveDateTime, Offset, TimeZone, Utc};
use chrono_tz::Tz;

/// What the invite asks of the calendar.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Method {
    /// Add the visit, or move it when the UID is known and SEQUENCE is higher.
    Request,
    /// Remove the visit.
    Cancel,
}

/// A visit as a calendar event.
#[derive(Debug, Clone)]
pub struct VisitEvent<'a> {
    /// Visit id: the UID is `visit-{id}@helpmatch`.
    pub visit_id: VisitId,
    /// 0 when booked; one more on every reschedule (and on the cancellation).
    pub sequence: i32,
    /// Start.
    pub start: DateTime<Utc>,
    /// Length in minutes.
    pub minutes: i64,
    /// The branch's IANA time zone, e.g. `Europe/Copenhagen` (UTC if unknown).
    pub time_zone: &'a str,
    /// Title, e.g. "helpmatch: Bo visits Karen".
    pub summary: &'a str,
    /// Longer text (the branch's phone, what to expect).
    pub description: &'a str,
    /// Organizer's name (the branch); its address is the sender's, filled in at delivery.
    pub organizer_name: &'a str,
    /// The recipient's address, listed as attendee.
    pub attendee: &'a str,
}

/// The UID of a visit's event, the same for every invite about that visit.
pub fn visit_uid(visit_id: VisitId) -> String {
    format!("visit-{visit_id}@helpmatch")
}

/// Builds the `.ics` text (CRLF lines, folded at 75 octets) for a visit invite or cancellation.
pub fn visit_invite(event: &VisitEvent<'_>, method: Method) -> String {
    calendar(std::slice::from_ref(event), method)
}

/// One calendar holding every visit of a weekly series (each keeps its own UID, so a single
/// occurrence can later be moved or cancelled alone). All events share the first one's zone.
pub fn series_invite(events: &[VisitEvent<'_>]) -> String {
    calendar(events, Method::Request)
}

fn calendar(events: &[VisitEvent<'_>], method: Method) -> String {
    let Some(first) = events.first() else {
        return String::new();
    };
    let tz: Tz = first.time_zone.parse().unwrap_or(Tz::UTC);
    let local = |at: DateTime<Utc>| at.with_timezone(&tz).format("%Y%m%dT%H%M%S").to_string();
    let (method_name, status) = match method {
        Method::Request => ("REQUEST", "CONFIRMED"),
        Method::Cancel => ("CANCEL", "CANCELLED"),
    };
    let mut lines = vec![
        "BEGIN:VCALENDAR".to_string(),
        "VERSION:2.0".into(),
        "PRODID:-//helpmatch//visits//EN".into(),
        "CALSCALE:GREGORIAN".into(),
        format!("METHOD:{method_name}"),
    ];
    let last_end = events
        .iter()
        .map(|e| e.start + Duration::minutes(e.minutes))
        .max()
        .unwrap_or(first.start);
    lines.extend(vtimezone(tz, first.start, last_end));
    for event in events {
        let end = event.start + Duration::minutes(event.minutes);
        lines.extend([
            "BEGIN:VEVENT".to_string(),
            format!("UID:{}", visit_uid(event.visit_id)),
            format!("SEQUENCE:{}", event.sequence.max(0)),
            format!("DTSTAMP:{}", Utc::now().format("%Y%m%dT%H%M%SZ")),
            format!("DTSTART;TZID={}:{}", tz.name(), local(event.start)),
            format!("DTEND;TZID={}:{}", tz.name(), local(end)),
            format!("SUMMARY:{}", escape(event.summary)),
            format!("DESCRIPTION:{}", escape(event.description)),
            format!(
                "ORGANIZER;CN={}:mailto:{}",
                param(event.organizer_name),
                super::FROM_ADDRESS
            ),
            format!(
                "ATTENDEE;ROLE=REQ-PARTICIPANT;PARTSTAT=ACCEPTED;RSVP=FALSE:mailto:{}",
                event.attendee
            ),
            format!("STATUS:{status}"),
            "TRANSP:OPAQUE".into(),
            "END:VEVENT".into(),
        ]);
    }
    lines.push("END:VCALENDAR".into());
    lines.iter().map(|l| fold(l)).collect::<String>()
}

/// A VTIMEZONE with the observances in force from the last change before `start` until after
/// `end` (every change in between included): enough for any calendar to place the visits,
/// without shipping the whole rule history.
fn vtimezone(tz: Tz, start: DateTime<Utc>, end: DateTime<Utc>) -> Vec<String> {
    let offset = |at: DateTime<Utc>| tz.offset_from_utc_datetime(&at.naive_utc()).fix();
    let mut lines = vec!["BEGIN:VTIMEZONE".to_string(), format!("TZID:{}", tz.name())];
    let previous = transition(tz, start, -1);
    match previous {
        Some(at) => lines.extend(observance(
            offset(at - Duration::seconds(1)),
            offset(at),
            at,
        )),
        None => {
            let fixed = offset(start);
            let epoch = DateTime::<Utc>::UNIX_EPOCH;
            lines.extend(observance(fixed, fixed, epoch));
        }
    }
    let mut from = start;
    while let Some(at) = transition(tz, from, 1) {
        lines.extend(observance(
            offset(at - Duration::seconds(1)),
            offset(at),
            at,
        ));
        if at > end {
            break;
        }
        from = at + Duration::minutes(1);
    }
    lines.push("END:VTIMEZONE".into());
    lines
}

/// The first instant, searching from `from` in `direction` (±1) up to a year, where the offset changes.
fn transition(tz: Tz, from: DateTime<Utc>, direction: i64) -> Option<DateTime<Utc>> {
    let offset = |minute: i64| {
        let at = DateTime::<Utc>::from_timestamp(minute * 60, 0).unwrap_or(from);
        tz.offset_from_utc_datetime(&at.naive_utc()).fix()
    };
    let start = from.timestamp().div_euclid(60);
    let step = 6 * 60 * direction;
    let mut probe = start;
    for _ in 0..(366 * 4) {
        let next = probe + step;
        if offset(next) != offset(probe) {
            // Zones change on whole minutes: narrow [earlier, later] down to one minute.
            let (mut earlier, mut later) = (probe.min(next), probe.max(next));
            let early_offset = offset(earlier);
            while later - earlier > 1 {
                let middle = earlier + (later - earlier) / 2;
                if offset(middle) == early_offset {
                    earlier = middle;
                } else {
                    later = middle;
                }
            }
            return DateTime::<Utc>::from_timestamp(later * 60, 0);
        }
        probe = next;
    }
    None
}

fn observance(
    from: chrono::FixedOffset,
    to: chrono::FixedOffset,
    at: DateTime<Utc>,
) -> Vec<String> {
    // Summer time is the observance with the larger offset (true for every zone in use here).
    let kind = if to.local_minus_utc() > from.local_minus_utc() {
        "DAYLIGHT"
    } else {
        "STANDARD"
    };
    let local: NaiveDateTime = at.naive_utc() + Duration::seconds(from.local_minus_utc().into());
    vec![
        format!("BEGIN:{kind}"),
        format!("DTSTART:{}", local.format("%Y%m%dT%H%M%S")),
        format!("TZOFFSETFROM:{}", utc_offset(from)),
        format!("TZOFFSETTO:{}", utc_offset(to)),
        format!("END:{kind}"),
    ]
}

fn utc_offset(offset: chrono::FixedOffset) -> String {
    let seconds = offset.local_minus_utc();
    let sign = if seconds < 0 { '-' } else { '+' };
    let seconds = seconds.abs();
    format!("{sign}{:02}{:02}", seconds / 3600, (seconds % 3600) / 60)
}

/// TEXT values: backslash, semicolon, comma and newlines escaped (RFC 5545 3.3.11).
fn escape(text: &str) -> String {
    text.replace('\\', "\\\\")
        .replace(';', "\\;")
        .replace(',', "\\,")
        .replace("\r\n", "\\n")
        .replace('\n', "\\n")
}

/// A parameter value, quoted; double quotes are not allowed inside, so they are dropped.
fn param(text: &str) -> String {
    format!("\"{}\"", text.replace(['"', '\r', '\n'], ""))
}

/// One content line, folded so no line exceeds 75 octets, ending in CRLF.
fn fold(line: &str) -> String {
    let mut out = String::with_capacity(line.len() + 8);
    let mut width = 0;
    for c in line.chars() {
        if width + c.len_utf8() > 75 {
            out.push_str("\r\n ");
            width = 1;
        }
        out.push(c);
        width += c.len_utf8();
    }
    out.push_str("\r\n");
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use icalendar::{Calendar, CalendarComponent, Component};

    fn event(sequence: i32) -> VisitEvent<'static> {
        VisitEvent {
            visit_id: VisitId(42),
            sequence,
            start: Utc.with_ymd_and_hms(2026, 12, 1, 9, 0, 0).unwrap(),
            minutes: 90,
            time_zone: "Europe/Copenhagen",
            summary: "helpmatch: Bo besøger Karen, Vestergade 1; 8000 Aarhus C",
            description: "Spørgsmål? Ring til helpmatch Aarhus på +45 70 20 30 40.\nTak!",
            organizer_name: "helpmatch Aarhus",
            attendee: "karen@example.dk",
        }
    }

    fn parse(text: &str) -> Calendar {
        text.parse::<Calendar>().expect("valid iCalendar")
    }

    #[test]
    fn a_request_parses_back_with_uid_sequence_and_local_times() {
        let text = visit_invite(&event(0), Method::Request);
        assert!(text.lines().all(|l| l.len() <= 76), "folded lines");
        assert!(text.split("\r\n").all(|l| l.len() <= 75));
        let calendar = parse(&text);
        assert_eq!(calendar.property_value("METHOD"), Some("REQUEST"));
        let visit = calendar
            .components
            .iter()
            .find_map(|c| match c {
                CalendarComponent::Event(e) => Some(e),
                _ => None,
            })
            .expect("one VEVENT");
        assert_eq!(visit.get_uid(), Some("visit-42@helpmatch"));
        assert_eq!(visit.property_value("SEQUENCE"), Some("0"));
        assert_eq!(
            visit.get_summary(),
            Some("helpmatch: Bo besøger Karen, Vestergade 1; 8000 Aarhus C")
        );
        // 09:00 UTC is 10:00 in Copenhagen in December (CET, +0100).
        assert!(text.contains("DTSTART;TZID=Europe/Copenhagen:20261201T100000\r\n"));
        assert!(text.contains("DTEND;TZID=Europe/Copenhagen:20261201T113000\r\n"));
        assert!(text.contains("TZOFFSETTO:+0100\r\n"));
        assert!(
            text.contains("TZOFFSETTO:+0200\r\n"),
            "next change is in March"
        );
    }

    #[test]
    fn the_last_change_before_the_visit_is_the_october_switch_to_winter_time() {
        let text = visit_invite(&event(0), Method::Request);
        // 2026-10-25 01:00 UTC = 03:00 local summer time.
        assert!(text.contains("BEGIN:STANDARD\r\nDTSTART:20261025T030000\r\nTZOFFSETFROM:+0200\r\nTZOFFSETTO:+0100\r\n"), "{text}");
    }

    #[test]
    fn a_cancellation_keeps_the_uid_and_says_cancel() {
        let text = visit_invite(&event(2), Method::Cancel);
        let calendar = parse(&text);
        assert_eq!(calendar.property_value("METHOD"), Some("CANCEL"));
        assert!(text.contains("UID:visit-42@helpmatch\r\n"));
        assert!(text.contains("SEQUENCE:2\r\n"));
        assert!(text.contains("STATUS:CANCELLED\r\n"));
    }

    #[test]
    fn an_unknown_time_zone_falls_back_to_utc() {
        let mut e = event(0);
        e.time_zone = "Mars/Olympus";
        let text = visit_invite(&e, Method::Request);
        assert!(text.contains("DTSTART;TZID=UTC:20261201T090000\r\n"));
        parse(&text);
    }
}
