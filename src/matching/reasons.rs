//! Why a client is left short: the rules that block its open slots, as [`Rule`] defines
//! them (R = helpers in range, F = those of R not already the client's and with capacity
//! left after the solution).
//!
//! Only short clients are looked at, and each through spatial indexes: F is walked in an
//! index of the helpers with capacity left (few at national scale, where demand exceeds
//! supply), and R, needed only when F is empty, is proven non-empty by any candidate pair
//! (candidates are eligible), or else looked up in an index of all helpers.

use super::candidates::HelperIndex;
use super::graph::Graph;
use super::problem::Prepared;
use super::solution::Rule;
use rayon::prelude::*;

/// A solution's pairs, as the reasons look them up.
pub struct Solved<'p> {
    /// (client, helper) instance numbers, sorted.
    pairs: &'p [(usize, usize)],
    /// Capacity left per helper after the solution: `capacity` minus its pairs in it (below
    /// 0 for a keep-mode helper with more kept pairs than capacity).
    left: Vec<i64>,
}

impl<'p> Solved<'p> {
    /// Wraps the solution's pairs, sorted and each once.
    pub fn new(pb: &Prepared<'_>, pairs: &'p [(usize, usize)]) -> Solved<'p> {
        debug_assert!(
            pairs.windows(2).all(|w| w[0] < w[1]),
            "pairs sorted, unique"
        );
        let mut left: Vec<i64> = pb.inst.helpers.iter().map(|h| h.capacity).collect();
        for &(_, h) in pairs {
            left[h] -= 1;
        }
        Solved { pairs, left }
    }

    /// Is `h` paired with `c` in the solution?
    fn paired(&self, c: usize, h: usize) -> bool {
        self.pairs.binary_search(&(c, h)).is_ok()
    }
}

/// The blocking rules of each client of `short` (clients the solution leaves short), in
/// that order; `g` is the solved graph, whose candidate pairs are all eligible.
pub fn blocking_rules(
    pb: &Prepared<'_>,
    g: &Graph,
    solved: &Solved<'_>,
    short: &[usize],
) -> Vec<Vec<Rule>> {
    if short.is_empty() {
        return Vec::new();
    }
    let free = index_of(pb, |h| solved.left[h] > 0);
    let active = active_clients(g, pb.inst.clients.len());
    let mut found: Vec<Option<Vec<Rule>>> = short
        .par_iter()
        .with_min_len(64)
        .map(|&c| {
            free_rules(pb, &free, solved, c).or_else(|| {
                // F is empty; a candidate pair is a helper in R.
                has_candidate(g, &active, c).then(|| vec![Rule::Capacity])
            })
        })
        .collect();
    if found.iter().any(Option::is_none) {
        let everybody = index_of(pb, |_| true);
        found
            .par_iter_mut()
            .zip(short)
            .with_min_len(64)
            .filter(|(rules, _)| rules.is_none())
            .for_each(|(rules, &c)| *rules = Some(vec![range_rule(pb, &everybody, c)]));
    }
    found.into_iter().map(Option::unwrap_or_default).collect()
}

/// The pair rules that block the members of F for client `c`, or `None` if F is empty.
fn free_rules(
    pb: &Prepared<'_>,
    free: &HelperIndex,
    solved: &Solved<'_>,
    c: usize,
) -> Option<Vec<Rule>> {
    // Every rule an F member can break (it is in range): once all are seen, stop.
    let possible = RuleSet::of(Rule::PAIR.into_iter().filter(|&r| r != Rule::Distance));
    let mut broken = RuleSet::default();
    walk_in_range(pb, free, c, |h| {
        if solved.paired(c, h) {
            return true;
        }
        let by = RuleSet::of(Rule::PAIR.into_iter().filter(|&r| pb.breaks(r, c, h)));
        // A free member breaking no rule is an augmenting path, impossible in a maximum
        // flow (the solver proves maximality over all eligible pairs).
        debug_assert!(
            by != RuleSet::default(),
            "client {c}: helper {h} is free and eligible"
        );
        broken = broken.union(by);
        broken != possible
    });
    (broken != RuleSet::default()).then(|| broken.rules())
}

/// Capacity if R (helpers in range) is non-empty, else distance: for a client whose F is
/// empty.
fn range_rule(pb: &Prepared<'_>, everybody: &HelperIndex, c: usize) -> Rule {
    let mut in_range = false;
    walk_in_range(pb, everybody, c, |_| {
        in_range = true;
        false
    });
    if in_range {
        Rule::Capacity
    } else {
        Rule::Distance
    }
}

/// Visits the members of `idx` within `max_distance_m` of `c`, nearest first, while
/// `visit` returns true.
fn walk_in_range(
    pb: &Prepared<'_>,
    idx: &HelperIndex,
    c: usize,
    mut visit: impl FnMut(usize) -> bool,
) {
    let max_d = pb.inst.params.max_distance_m;
    idx.nearest(
        &pb.probe_any_language(c),
        max_d,
        usize::MAX,
        None,
        |h, _, lb| {
            if lb > max_d as f64 {
                return false;
            }
            let h = h as usize;
            pb.distance(c, h) > max_d || visit(h)
        },
    );
}

/// An index of the helpers that pass `keep`, all in the shared "any language" group (and
/// their own), numbered by instance number.
fn index_of(pb: &Prepared<'_>, keep: impl Fn(usize) -> bool) -> HelperIndex {
    HelperIndex::build(
        pb.group_count(),
        (0..pb.inst.helpers.len())
            .filter(|&h| keep(h))
            .map(|h| pb.helper_member(h, h as u32)),
    )
}

/// The graph's number of each instance client, `u32::MAX` for one without open slots.
fn active_clients(g: &Graph, clients: usize) -> Vec<u32> {
    let mut active = vec![u32::MAX; clients];
    for (i, &c) in g.clients.iter().enumerate() {
        active[c as usize] = i as u32;
    }
    active
}

/// Has `c` a candidate pair? Candidates are eligible, so its helper is in range.
fn has_candidate(g: &Graph, active: &[u32], c: usize) -> bool {
    g.known
        .get(active[c] as usize)
        .is_some_and(|known| !known.is_empty())
}

/// A set of rules, one bit each.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
struct RuleSet(u8);

impl RuleSet {
    fn bit(rule: Rule) -> u8 {
        1 << rule as u8
    }

    fn of(rules: impl Iterator<Item = Rule>) -> RuleSet {
        RuleSet(rules.fold(0, |set, r| set | Self::bit(r)))
    }

    fn union(self, other: RuleSet) -> RuleSet {
        RuleSet(self.0 | other.0)
    }

    /// The members, in [`Rule::ALL`] order.
    fn rules(self) -> Vec<Rule> {
        Rule::ALL
            .into_iter()
            .filter(|&r| self.0 & Self::bit(r) != 0)
            .collect()
    }
}
