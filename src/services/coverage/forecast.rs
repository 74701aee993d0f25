//! The coverage forecast, pure: for each of the next weeks, how many of a client's team can
//! come at the client's usual visit times.
//!
//! A client's usual times are the weekday, local start and length of their visits (not
//! cancelled) from four weeks back to eight weeks ahead, each once. A team member can come to
//! one week's occurrence of a usual time if they are active, no exception of theirs overlaps
//! it, no term period of their institution covers its day (unless they opted out) and it lies
//! inside their weekly windows (or they declared none). A week's figure is the fewest of the
//! team who can come to any of that week's occurrences still ahead; 0 flags a week the client
//! would have nobody.

use chrono::{Datelike, Duration, NaiveDate, NaiveDateTime, TimeZone, Timelike};
use chrono_tz::Tz;
use serde::Serialize;

use crate::db::models::availability::{Window, inside_windows};

/// A usual visit time: ISO weekday (1 = Monday), minutes after local midnight, length.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, utoipa::ToSchema)]
pub struct UsualTime {
    /// 1 = Monday … 7 = Sunday.
    pub weekday: u32,
    /// Start, minutes after local midnight.
    pub start_minute: u32,
    /// Length.
    pub minutes: i64,
}

/// What decides whether one helper can come at a time.
#[derive(Debug, Clone, Default)]
pub struct HelperTimes {
    /// Active (paused and left helpers do not come).
    pub working: bool,
    /// Weekly windows (none: any time).
    pub windows: Vec<Window>,
    /// Exceptions, UTC.
    pub exceptions: Vec<(NaiveDateTime, NaiveDateTime)>,
    /// Term periods that apply to them (their institution's, not opted out), days included.
    pub term_periods: Vec<(NaiveDate, NaiveDate)>,
    /// Their announced leave date: from it on, they do not come.
    pub leaves_on: Option<NaiveDate>,
}

impl HelperTimes {
    /// Whether they can come to `[start, end)` (UTC).
    pub fn can_come(&self, tz: &Tz, start: NaiveDateTime, end: NaiveDateTime) -> bool {
        if !self.working || self.exceptions.iter().any(|(s, e)| *s < end && *e > start) {
            return false;
        }
        let (first, last) = crate::db::models::availability::local_days(tz, start, end);
        if self.leaves_on.is_some_and(|day| last >= day) {
            return false;
        }
        if self
            .term_periods
            .iter()
            .any(|(from, to)| *from <= last && *to >= first)
        {
            return false;
        }
        inside_windows(&self.windows, tz, start, end)
    }
}

/// The usual times of a client from the local starts and lengths of their visits.
pub fn usual_times(
    tz: &Tz,
    visits: impl IntoIterator<Item = (NaiveDateTime, i64)>,
) -> Vec<UsualTime> {
    let mut times: Vec<UsualTime> = visits
        .into_iter()
        .map(|(start, minutes)| {
            let local = start.and_utc().with_timezone(tz);
            UsualTime {
                weekday: local.weekday().number_from_monday(),
                start_minute: local.hour() * 60 + local.minute(),
                minutes,
            }
        })
        .collect();
    times.sort();
    times.dedup();
    times
}

/// The UTC start of `time` in the week of `monday` (a wall time skipped by a DST change
/// moves to the next valid one).
pub fn occurrence(tz: &Tz, monday: NaiveDate, time: &UsualTime) -> Option<NaiveDateTime> {
    let day = monday + Duration::days(i64::from(time.weekday) - 1);
    let wall = day.and_hms_opt(time.start_minute / 60, time.start_minute % 60, 0)?;
    tz.from_local_datetime(&wall)
        .earliest()
        .or_else(|| {
            tz.from_local_datetime(&(wall + Duration::hours(1)))
                .earliest()
        })
        .map(|at| at.naive_utc())
}

/// Per week from `mondays`: the fewest of `team` who can come to one of the week's usual
/// times still ahead of `now`; `None` for a week none of whose times is ahead.
pub fn weeks(
    team: &[&HelperTimes],
    times: &[UsualTime],
    mondays: &[NaiveDate],
    tz: &Tz,
    now: NaiveDateTime,
) -> Vec<Option<usize>> {
    mondays
        .iter()
        .map(|monday| {
            times
                .iter()
                .filter_map(|time| occurrence(tz, *monday, time).map(|start| (start, time)))
                .filter(|(start, _)| *start > now)
                .map(|(start, time)| {
                    let end = start + Duration::minutes(time.minutes);
                    team.iter().filter(|h| h.can_come(tz, start, end)).count()
                })
                .min()
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    const TZ: Tz = chrono_tz::Europe::Copenhagen;

    fn monday(week: i64) -> NaiveDate {
        // Monday 11 January 2027.
        NaiveDate::from_ymd_opt(2027, 1, 11).unwrap() + Duration::weeks(week)
    }

    fn utc(day: NaiveDate, hour: u32) -> NaiveDateTime {
        day.and_hms_opt(hour, 0, 0).unwrap()
    }

    fn working() -> HelperTimes {
        HelperTimes {
            working: true,
            ..HelperTimes::default()
        }
    }

    /// Tuesdays 10:00 local (09:00 UTC in winter), 60 minutes.
    fn tuesday_ten() -> UsualTime {
        UsualTime {
            weekday: 2,
            start_minute: 600,
            minutes: 60,
        }
    }

    #[test]
    fn usual_times_are_each_weekday_and_local_time_once() {
        let tue = utc(monday(0) + Duration::days(1), 9);
        let times = usual_times(&TZ, [(tue, 60), (tue + Duration::weeks(1), 60), (tue, 90)]);
        assert_eq!(times.len(), 2);
        assert_eq!(times[0], tuesday_ten());
        // Summer time: 10:00 local is 08:00 UTC, still the same usual time.
        let june = NaiveDate::from_ymd_opt(2027, 6, 1)
            .unwrap()
            .and_hms_opt(8, 0, 0)
            .unwrap();
        assert_eq!(usual_times(&TZ, [(june, 60)]), vec![tuesday_ten()]);
    }

    #[test]
    fn a_week_counts_the_team_members_who_can_come() {
        let mondays: Vec<_> = (0..4).map(monday).collect();
        let anna = working();
        // Bo: exams in week 1 (an exception), term period in week 2.
        let mut bo = working();
        let tue1 = utc(monday(1) + Duration::days(1), 0);
        bo.exceptions.push((tue1, tue1 + Duration::days(1)));
        bo.term_periods
            .push((monday(2), monday(2) + Duration::days(4)));
        let now = utc(monday(0), 0);
        let counts = weeks(&[&anna, &bo], &[tuesday_ten()], &mondays, &TZ, now);
        assert_eq!(counts, vec![Some(2), Some(1), Some(1), Some(2)]);
        // Anna pauses: week 1 and 2 have nobody.
        let mut anna = anna;
        anna.working = false;
        let counts = weeks(&[&anna, &bo], &[tuesday_ten()], &mondays, &TZ, now);
        assert_eq!(counts, vec![Some(1), Some(0), Some(0), Some(1)]);
    }

    #[test]
    fn windows_and_the_worst_usual_time_decide() {
        let mut cai = working();
        // Cai works Tuesdays 09:00-13:00 only.
        cai.windows.push(Window {
            id: 1,
            helper_id: crate::domain::ids::HelperId(3),
            weekday: 2,
            start_minute: 540,
            end_minute: 780,
        });
        let thursday = UsualTime {
            weekday: 4,
            start_minute: 600,
            minutes: 60,
        };
        let now = utc(monday(0), 0);
        assert_eq!(
            weeks(&[&cai], &[tuesday_ten()], &[monday(0)], &TZ, now),
            vec![Some(1)]
        );
        assert_eq!(
            weeks(&[&cai], &[tuesday_ten(), thursday], &[monday(0)], &TZ, now),
            vec![Some(0)],
            "nobody on Thursdays"
        );
    }

    #[test]
    fn times_already_past_do_not_count() {
        let anna = working();
        // Now is Wednesday of week 0: Tuesday has passed.
        let now = utc(monday(0) + Duration::days(2), 12);
        assert_eq!(
            weeks(
                &[&anna],
                &[tuesday_ten()],
                &[monday(0), monday(1)],
                &TZ,
                now
            ),
            vec![None, Some(1)]
        );
        // An empty team has nobody.
        assert_eq!(
            weeks(&[], &[tuesday_ten()], &[monday(1)], &TZ, now),
            vec![Some(0)]
        );
    }
}
