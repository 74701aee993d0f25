//! Values as the reader writes them, in the mail's language: times in the branch's zone,
//! durations in hours and minutes, amounts grouped the local way.

use chrono::{DateTime, Datelike, Timelike, Utc};
use chrono_tz::Tz;

/// Minutes as the reader says them: "6 timer og 30 minutter" (da, nb) or "6 hours 30 minutes".
pub fn duration(minutes: i64, lang: &str) -> String {
    let (hours, rest) = (minutes.max(0) / 60, minutes.max(0) % 60);
    let (hour, hours_word, minute, minutes_word, and) = match lang {
        "en" => ("hour", "hours", "minute", "minutes", " "),
        "nb" => ("time", "timer", "minutt", "minutter", " og "),
        _ => ("time", "timer", "minut", "minutter", " og "),
    };
    let h = format!("{hours} {}", if hours == 1 { hour } else { hours_word });
    let m = format!("{rest} {}", if rest == 1 { minute } else { minutes_word });
    match (hours, rest) {
        (0, _) => m,
        (_, 0) => h,
        _ => format!("{h}{and}{m}"),
    }
}

const DA_DAYS: [&str; 7] = [
    "mandag", "tirsdag", "onsdag", "torsdag", "fredag", "lørdag", "søndag",
];
const NB_DAYS: [&str; 7] = [
    "mandag", "tirsdag", "onsdag", "torsdag", "fredag", "lørdag", "søndag",
];
const EN_DAYS: [&str; 7] = [
    "Monday",
    "Tuesday",
    "Wednesday",
    "Thursday",
    "Friday",
    "Saturday",
    "Sunday",
];
const DA_MONTHS: [&str; 12] = [
    "januar",
    "februar",
    "marts",
    "april",
    "maj",
    "juni",
    "juli",
    "august",
    "september",
    "oktober",
    "november",
    "december",
];
const NB_MONTHS: [&str; 12] = [
    "januar",
    "februar",
    "mars",
    "april",
    "mai",
    "juni",
    "juli",
    "august",
    "september",
    "oktober",
    "november",
    "desember",
];
const EN_MONTHS: [&str; 12] = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];

/// A time as the reader says it, in the branch's zone: "tirsdag den 1. december 2026 kl. 10.00",
/// "tirsdag 1. desember 2026 kl. 10.00" (nb) or "Tuesday 1 December 2026 at 10:00".
pub fn when(at: DateTime<Utc>, time_zone: &str, lang: &str) -> String {
    let tz: Tz = time_zone.parse().unwrap_or(Tz::UTC);
    let local = at.with_timezone(&tz);
    let (h, m) = (local.hour(), local.minute());
    let date = day(local.date_naive(), lang);
    match lang {
        "en" => format!("{date} at {h:02}:{m:02}"),
        // Norwegian and Danish write the time with a full stop.
        _ => format!("{date} kl. {h:02}.{m:02}"),
    }
}

/// A day as the reader says it: "tirsdag den 1. december 2026", "tirsdag 1. desember 2026"
/// (nb, without Danish "den") or "Tuesday 1 December 2026".
pub fn day(date: chrono::NaiveDate, lang: &str) -> String {
    let weekday = date.weekday().num_days_from_monday() as usize;
    let month = date.month0() as usize;
    match lang {
        "en" => format!(
            "{} {} {} {}",
            EN_DAYS[weekday],
            date.day(),
            EN_MONTHS[month],
            date.year()
        ),
        "nb" => format!(
            "{} {}. {} {}",
            NB_DAYS[weekday],
            date.day(),
            NB_MONTHS[month],
            date.year()
        ),
        _ => format!(
            "{} den {}. {} {}",
            DA_DAYS[weekday],
            date.day(),
            DA_MONTHS[month],
            date.year()
        ),
    }
}

/// An amount in minor units as the reader writes it: "1.500,00 DKK", "1 500,00 kr" (nb, NOK)
/// or "DKK 1,500.00".
pub fn money(minor: i64, currency: &str, lang: &str) -> String {
    let sign = if minor < 0 { "-" } else { "" };
    let (units, cents) = (minor.unsigned_abs() / 100, minor.unsigned_abs() % 100);
    let digits = units.to_string();
    let separator = match lang {
        "en" => ',',
        // Norwegian groups thousands with a space; a no-break space, so "1" and "560,00 kr"
        // never land on separate lines.
        "nb" => '\u{a0}',
        _ => '.',
    };
    let mut grouped = String::new();
    for (n, c) in digits.chars().enumerate() {
        if n > 0 && (digits.len() - n) % 3 == 0 {
            grouped.push(separator);
        }
        grouped.push(c);
    }
    match lang {
        "en" => format!("{currency} {sign}{grouped}.{cents:02}"),
        // Norwegians write kroner as "kr" after the amount; another currency keeps its code,
        // so a Danish amount is never mistaken for Norwegian kroner.
        "nb" if currency == "NOK" => format!("{sign}{grouped},{cents:02} kr"),
        _ => format!("{sign}{grouped},{cents:02} {currency}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn times_are_written_in_the_branch_zone_and_the_readers_language() {
        let at = Utc.with_ymd_and_hms(2026, 12, 1, 9, 0, 0).unwrap();
        assert_eq!(
            when(at, "Europe/Copenhagen", "da"),
            "tirsdag den 1. december 2026 kl. 10.00"
        );
        assert_eq!(
            when(at, "Europe/Copenhagen", "en"),
            "Tuesday 1 December 2026 at 10:00"
        );
        assert_eq!(
            when(at, "Europe/Oslo", "nb"),
            "tirsdag 1. desember 2026 kl. 10.00"
        );
        let summer = Utc.with_ymd_and_hms(2027, 5, 16, 22, 30, 0).unwrap();
        assert_eq!(
            when(summer, "Europe/Oslo", "nb"),
            "mandag 17. mai 2027 kl. 00.30"
        );
    }

    #[test]
    fn durations_are_written_in_hours_and_minutes() {
        assert_eq!(duration(390, "da"), "6 timer og 30 minutter");
        assert_eq!(duration(60, "da"), "1 time");
        assert_eq!(duration(0, "da"), "0 minutter");
        assert_eq!(duration(90, "en"), "1 hour 30 minutes");
        assert_eq!(duration(30, "en"), "30 minutes");
        assert_eq!(duration(390, "nb"), "6 timer og 30 minutter");
        assert_eq!(duration(61, "nb"), "1 time og 1 minutt");
    }

    #[test]
    fn amounts_are_grouped_the_readers_way() {
        assert_eq!(money(150_000, "DKK", "da"), "1.500,00 DKK");
        assert_eq!(money(150_050, "DKK", "en"), "DKK 1,500.50");
        assert_eq!(money(99, "DKK", "da"), "0,99 DKK");
        assert_eq!(money(156_000, "NOK", "nb"), "1\u{a0}560,00 kr");
        assert_eq!(money(123_456_789, "NOK", "nb"), "1\u{a0}234\u{a0}567,89 kr");
        assert_eq!(money(23_500, "NOK", "nb"), "235,00 kr");
        assert_eq!(money(-5_000, "NOK", "nb"), "-50,00 kr");
        assert_eq!(money(156_000, "DKK", "nb"), "1\u{a0}560,00 DKK");
        assert_eq!(money(156_000, "NOK", "en"), "NOK 1,560.00");
    }
}
