//! The continuity index of one client, computed from their pair history and completed visits:
//! pure, so the rules are tested exactly on constructed histories.
//!
//! - **Team share**: of the completed visit minutes of the last 90 days, the part done by
//!   helpers on the client's team now.
//! - **Team changes** in the last 12 months: every helper leaving the team, and every helper
//!   joining it after the team was first complete (before that the team is being formed).
//! - **Days since the team was last complete** (at least two helpers and at least `wanted`):
//!   0 while it is complete, `None` if it never was.

use chrono::{Duration, NaiveDateTime};
use serde::Serialize;

use crate::domain::ids::{ClientId, HelperId};

/// How far back the team share looks.
pub const SHARE_DAYS: i64 = 90;
/// How far back team changes are counted.
pub const CHANGE_DAYS: i64 = 365;

/// One pair of the client's history.
#[derive(Debug, Clone)]
pub struct Pair {
    /// The helper.
    pub helper_id: HelperId,
    /// Start (UTC).
    pub started_at: NaiveDateTime,
    /// End (UTC), if ended.
    pub ended_at: Option<NaiveDateTime>,
}

/// A completed visit of the share's window: who did it and the minutes it counted.
#[derive(Debug, Clone, Copy)]
pub struct DoneVisit {
    /// The helper who came.
    pub helper_id: HelperId,
    /// Minutes charged (the booked length unless attendance review said otherwise).
    pub minutes: i64,
}

/// What the index is computed from.
#[derive(Debug, Clone)]
pub struct History {
    /// The client.
    pub client_id: ClientId,
    /// Their name (the branch's list shows it).
    pub name: String,
    /// Helpers the client wants (a team is complete at two or more and at least this).
    pub wanted: i32,
    /// Every pair the client ever had.
    pub pairs: Vec<Pair>,
    /// Completed visits that started in the last `SHARE_DAYS`.
    pub visits: Vec<DoneVisit>,
}

/// The continuity index of one client.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ClientContinuity {
    /// The client.
    pub client_id: ClientId,
    /// Their name.
    pub name: String,
    /// Helpers on the team now.
    pub team: usize,
    /// Helpers a complete team has: at least two, at least what the client wants.
    pub complete_at: i64,
    /// Completed visit minutes of the last 90 days.
    pub completed_minutes: i64,
    /// Of those, the minutes done by helpers on the team now.
    pub team_minutes: i64,
    /// `team_minutes / completed_minutes`, 0–1; absent with no completed visit in 90 days.
    pub team_share: Option<f64>,
    /// Helpers who left the team or joined it after it was first complete, in the last 12 months.
    pub team_changes: usize,
    /// Whole days since the team was last complete: 0 while complete, absent if never complete.
    pub days_since_team_complete: Option<i64>,
}

/// A change of the team's size at one instant.
struct Step {
    at: NaiveDateTime,
    /// +1 a helper joins, -1 one leaves.
    delta: i64,
}

/// The client's index at `now`.
pub fn client_index(history: &History, now: NaiveDateTime) -> ClientContinuity {
    let complete_at = i64::from(history.wanted.max(2));
    let on_team = |pair: &Pair| pair.started_at <= now && pair.ended_at.is_none_or(|e| e > now);
    let team: Vec<HelperId> = history
        .pairs
        .iter()
        .filter(|p| on_team(p))
        .map(|p| p.helper_id)
        .collect();
    let completed_minutes: i64 = history.visits.iter().map(|v| v.minutes).sum();
    let team_minutes: i64 = history
        .visits
        .iter()
        .filter(|v| team.contains(&v.helper_id))
        .map(|v| v.minutes)
        .sum();
    let (team_changes, days_since_team_complete) = sweep(history, complete_at, now);
    ClientContinuity {
        client_id: history.client_id,
        name: history.name.clone(),
        team: team.len(),
        complete_at,
        completed_minutes,
        team_minutes,
        team_share: (completed_minutes > 0).then(|| team_minutes as f64 / completed_minutes as f64),
        team_changes,
        days_since_team_complete,
    }
}

/// Walks the team's size through time: the changes counted since `now - CHANGE_DAYS`, and the
/// days since it was last complete.
fn sweep(history: &History, complete_at: i64, now: NaiveDateTime) -> (usize, Option<i64>) {
    let mut steps: Vec<Step> = vec![];
    for pair in &history.pairs {
        if pair.started_at <= now {
            steps.push(Step {
                at: pair.started_at,
                delta: 1,
            });
        }
        if let Some(end) = pair.ended_at.filter(|e| *e <= now) {
            steps.push(Step { at: end, delta: -1 });
        }
    }
    // At one instant joins come first: a swap (one pair ended, another started together, as a
    // committed match does) never leaves the team short for a moment.
    steps.sort_by_key(|s| (s.at, -s.delta));
    let changes_from = now - Duration::days(CHANGE_DAYS);
    let (mut size, mut formed, mut changes) = (0i64, false, 0usize);
    let mut last_complete: Option<NaiveDateTime> = None;
    for step in &steps {
        let was_complete = size >= complete_at;
        size += step.delta;
        let counts = step.delta < 0 || formed;
        if counts && step.at > changes_from {
            changes += 1;
        }
        if size >= complete_at {
            formed = true;
        } else if was_complete {
            last_complete = Some(step.at);
        }
    }
    let days = if size >= complete_at {
        Some(0)
    } else {
        last_complete.map(|at| (now - at).num_days())
    };
    (changes, days)
}

/// Lowest team share first (clients without completed visits last), then the longest without a
/// complete team (never complete first), then the most changes, then by id.
pub fn worst_first(a: &ClientContinuity, b: &ClientContinuity) -> std::cmp::Ordering {
    let share = |c: &ClientContinuity| c.team_share.unwrap_or(f64::INFINITY);
    let incomplete = |c: &ClientContinuity| c.days_since_team_complete.unwrap_or(i64::MAX);
    share(a)
        .total_cmp(&share(b))
        .then(incomplete(b).cmp(&incomplete(a)))
        .then(b.team_changes.cmp(&a.team_changes))
        .then(a.client_id.cmp(&b.client_id))
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::NaiveDate;

    fn day(d: i64) -> NaiveDateTime {
        NaiveDate::from_ymd_opt(2026, 1, 1)
            .and_then(|d| d.and_hms_opt(10, 0, 0))
            .unwrap()
            + Duration::days(d)
    }

    fn pair(helper: i64, from: i64, to: Option<i64>) -> Pair {
        Pair {
            helper_id: HelperId(helper),
            started_at: day(from),
            ended_at: to.map(day),
        }
    }

    fn done(helper: i64, minutes: i64) -> DoneVisit {
        DoneVisit {
            helper_id: HelperId(helper),
            minutes,
        }
    }

    fn history(wanted: i32, pairs: Vec<Pair>, visits: Vec<DoneVisit>) -> History {
        History {
            client_id: ClientId(1),
            name: "Inger".into(),
            wanted,
            pairs,
            visits,
        }
    }

    #[test]
    fn the_share_counts_the_minutes_of_helpers_on_the_team_now() {
        // Helpers 1 and 2 now; 3 left on day 400. 120 + 60 of 300 minutes by the team.
        let h = history(
            2,
            vec![pair(1, 0, None), pair(2, 0, None), pair(3, 0, Some(400))],
            vec![done(1, 120), done(2, 60), done(3, 90), done(4, 30)],
        );
        let c = client_index(&h, day(450));
        assert_eq!((c.completed_minutes, c.team_minutes), (300, 180));
        assert_eq!(c.team_share, Some(0.6));
        assert_eq!(c.team, 2);
        assert_eq!(c.days_since_team_complete, Some(0));
    }

    #[test]
    fn no_completed_visit_gives_no_share() {
        let c = client_index(&history(2, vec![pair(1, 0, None)], vec![]), day(10));
        assert_eq!(c.team_share, None);
        assert_eq!(c.completed_minutes, 0);
    }

    #[test]
    fn forming_the_first_team_is_no_change_but_a_later_join_and_every_leave_are() {
        // Day 0 and day 20: the team forms (complete at 2). Day 100 helper 1 leaves (change),
        // day 110 helper 3 joins (change), day 120 helper 4 joins a complete team (change).
        let h = history(
            2,
            vec![
                pair(1, 0, Some(100)),
                pair(2, 20, None),
                pair(3, 110, None),
                pair(4, 120, None),
            ],
            vec![],
        );
        let c = client_index(&h, day(200));
        assert_eq!(c.team_changes, 3);
        assert_eq!(c.team, 3);
        // Complete again since day 110.
        assert_eq!(c.days_since_team_complete, Some(0));
    }

    #[test]
    fn changes_older_than_twelve_months_are_not_counted() {
        let h = history(
            2,
            vec![pair(1, 0, Some(30)), pair(2, 0, None), pair(3, 40, None)],
            vec![],
        );
        // Leave on day 30 and join on day 40; at day 400 only the join is within 365 days.
        assert_eq!(client_index(&h, day(400)).team_changes, 1);
        assert_eq!(client_index(&h, day(396)).team_changes, 1);
        assert_eq!(client_index(&h, day(394)).team_changes, 2);
    }

    #[test]
    fn days_since_complete_counts_from_the_moment_it_fell_short() {
        // Complete from day 5 (two helpers); helper 1 leaves on day 50: 30 days at day 80.
        let h = history(2, vec![pair(1, 0, Some(50)), pair(2, 5, None)], vec![]);
        let c = client_index(&h, day(80));
        assert_eq!(c.days_since_team_complete, Some(30));
        assert_eq!(c.team, 1);
        // The wish of three: the two helpers never made it complete.
        let h = history(3, vec![pair(1, 0, Some(50)), pair(2, 5, None)], vec![]);
        assert_eq!(client_index(&h, day(80)).days_since_team_complete, None);
        // Nobody ever.
        assert_eq!(
            client_index(&history(2, vec![], vec![]), day(1)).days_since_team_complete,
            None
        );
    }

    #[test]
    fn a_swap_at_one_instant_keeps_the_team_complete_and_counts_two_changes() {
        let h = history(
            2,
            vec![pair(1, 0, Some(60)), pair(2, 0, None), pair(3, 60, None)],
            vec![],
        );
        let c = client_index(&h, day(90));
        assert_eq!(c.days_since_team_complete, Some(0));
        assert_eq!(c.team_changes, 2);
        // Ten days between the leave and the join: short from day 60 until day 70.
        let h = history(
            2,
            vec![pair(1, 0, Some(60)), pair(2, 0, None), pair(3, 70, None)],
            vec![],
        );
        let c = client_index(&h, day(65));
        assert_eq!((c.team, c.days_since_team_complete), (1, Some(5)));
        let c = client_index(&h, day(71));
        assert_eq!(
            (c.team, c.days_since_team_complete, c.team_changes),
            (2, Some(0), 2)
        );
    }

    #[test]
    fn pairs_in_the_future_of_now_do_not_count() {
        let h = history(2, vec![pair(1, 0, None), pair(2, 10, None)], vec![]);
        let c = client_index(&h, day(5));
        assert_eq!((c.team, c.days_since_team_complete), (1, None));
    }

    #[test]
    fn the_worst_off_come_first() {
        let mk =
            |id: i64, share: Option<f64>, days: Option<i64>, changes: usize| ClientContinuity {
                client_id: ClientId(id),
                name: String::new(),
                team: 0,
                complete_at: 2,
                completed_minutes: 0,
                team_minutes: 0,
                team_share: share,
                team_changes: changes,
                days_since_team_complete: days,
            };
        let mut list = [
            mk(1, None, None, 0),
            mk(2, Some(0.9), Some(0), 0),
            mk(3, Some(0.2), Some(3), 1),
            mk(4, Some(0.2), None, 0),
            mk(5, Some(0.2), Some(3), 4),
        ];
        list.sort_by(worst_first);
        let order: Vec<i64> = list.iter().map(|c| c.client_id.into()).collect();
        assert_eq!(order, vec![4, 5, 3, 2, 1]);
    }
}
