//! Finding pairs for the graph: the initial cheapest candidates, and the two pricing
//! passes that prove (or repair) optimality over ALL eligible pairs without listing them.
//!
//! * Cardinality: after a max flow, let S be the nodes reachable from the source. The cut
//!   around S has the flow's value in the full graph iff no eligible pair runs from a
//!   client in S to a helper outside S; such pairs are looked up, nearest first, in an
//!   index of the helpers outside S only.
//! * Cost: the min-cost solver leaves exact prices `p` (every residual arc has reduced cost
//!   ≥ 0). A missing pair (c, h) with cost w breaks that certificate iff
//!   `w + p(c) − p(h) < 0`. As w ≥ distance + skill penalty (+ change penalty in
//!   rebalance mode, where every missing pair is a new one), this needs
//!   `p(h) − distance − penalties > p(c)`: the index stores `p(h)` as a 4th coordinate and
//!   prunes every subtree whose nearest point and largest price cannot meet it. The test
//!   that decides is the exact integer one.

use super::candidates::{HelperIndex, Member, PriceIndex, Priced, Probe, SkillRule};
use super::distance::metres_below;
use super::graph::Graph;
use super::problem::Prepared;
use rayon::prelude::*;
use std::cell::Cell;

mod nearest;

pub use nearest::{add_current, add_nearest, add_nearest_clients, helper_index};

/// How wide the searches are; any values give the same optimum.
#[derive(Debug, Clone, Copy)]
pub struct Tuning {
    /// Cheapest pairs per client to start with, besides `per_slot` per open slot.
    pub base: usize,
    /// Extra cheapest pairs per open slot (of a client, or of room of a helper).
    pub per_slot: usize,
    /// Most partners looked at per person while finding the cheapest.
    pub scan_limit: usize,
    /// Most pairs one client gets per pricing round.
    pub add_limit: usize,
    /// Also give each helper its cheapest clients (tests switch this off to stress pricing).
    pub helper_side: bool,
    /// Least client and helper nodes per bundle of independent parts (see `bundles.rs`).
    pub bundle_nodes: usize,
}

impl Default for Tuning {
    fn default() -> Self {
        Tuning {
            base: 2,
            per_slot: 2,
            scan_limit: 128,
            add_limit: 8,
            helper_side: true,
            bundle_nodes: 4096,
        }
    }
}

/// Cardinality pricing: adds eligible pairs leaving the source side `reach`; returns count.
pub fn price_cut(pb: &Prepared<'_>, g: &mut Graph, reach: &[bool], t: Tuning) -> u64 {
    if (0..g.helpers.len()).all(|j| reach[g.helper_node(j)]) {
        return 0;
    }
    let idx = helper_index(pb, g, |j| !reach[g.helper_node(j)]);
    let max_d = pb.inst.params.max_distance_m as f64;
    let known = &g.known;
    let helpers = &g.helpers;
    let found: Vec<Vec<(i64, u32)>> = (0..g.clients.len())
        .into_par_iter()
        .with_min_len(64)
        .map(|i| {
            let mut fresh: Vec<(i64, u32)> = Vec::new();
            if !reach[g.client_node(i)] {
                return fresh;
            }
            let c = g.clients[i] as usize;
            // Nearest first: a few crossing pairs suffice per round, and they are the cheap ones.
            idx.nearest(
                &pb.probe(c),
                pb.inst.params.max_distance_m,
                usize::MAX,
                None,
                |j, _, lb| {
                    if lb > max_d || fresh.len() >= t.add_limit {
                        return false;
                    }
                    if known[i].contains(&j) || fresh.iter().any(|f| f.1 == j) {
                        return true;
                    }
                    if let Some(w) = pb.arc_cost_language_ok(c, helpers[j as usize] as usize) {
                        fresh.push((w, j));
                    }
                    true
                },
            );
            fresh
        })
        .collect();
    let mut added = 0;
    for (i, fresh) in found.into_iter().enumerate() {
        for (w, j) in fresh {
            added += u64::from(g.add(i as u32, j, w));
        }
    }
    added
}

/// A client's pairs with negative reduced cost: (reduced cost, helper, cost).
type Violations = Vec<(i64, u32, i64)>;

/// Neighbouring clients (along the node order's space-filling curve) priced by one walk.
const PRICING_RUN: usize = 16;

/// Cost pricing: adds pairs with negative reduced cost; returns count.
///
/// Clients are taken in runs of [`PRICING_RUN`] neighbours: one walk of the index of all
/// helpers with the run's bounding box, its lowest client price and the needs all of its
/// clients share yields every helper that could violate for any of them; each client then
/// checks those with a cheap chord bound, and the survivors with the exact integer test.
///
/// `only` limits the pass to the flagged clients (see [`recheck`]). `slack` > 0 also adds
/// pairs whose reduced cost is below it (passes inside cost scaling, whose prices still
/// move). Returns the count of pairs added and the clients that had a violation.
pub fn price_cost(
    pb: &Prepared<'_>,
    g: &mut Graph,
    price: &[i64],
    t: Tuning,
    only: Option<&[bool]>,
    slack: i64,
) -> (u64, Vec<u32>) {
    let wanted = |i: usize| only.is_none_or(|o| o[i]);
    let metres = |p: i64| p as f64;
    // One tree of every helper: the language rule is checked per pair below.
    let idx = PriceIndex::build((0..g.helpers.len()).map(|j| {
        let h = g.helpers[j] as usize;
        Priced {
            pos: pb.h_pos[h],
            price: price[g.helper_node(j)],
            id: j as u32,
            skills: pb.h_skills[h],
        }
    }));
    let rule = SkillRule {
        penalty_m: pb.inst.params.missing_skill_penalty_m as f64,
        members_need: false,
    };
    let max_d = pb.inst.params.max_distance_m;
    // Every missing pair is a new one (rebalance mode starts with all current pairs in
    // the graph), so its cost carries the change penalty on top of distance and skills;
    // a pair within `slack` of violating is wanted too, which gives that much back.
    let extra = pb.change_penalty() - slack;
    let known = &g.known;
    let helpers = &g.helpers;
    let runs: Vec<Vec<(u32, Violations)>> = (0..g.clients.len().div_ceil(PRICING_RUN))
        .into_par_iter()
        .with_min_len(4)
        .map_init(Vec::new, |found, r| {
            let run = r * PRICING_RUN..((r + 1) * PRICING_RUN).min(g.clients.len());
            let mut out = Vec::new();
            if !run.clone().any(wanted) {
                return out;
            }
            let (mut lo, mut hi) = ([f64::MAX; 3], [f64::MIN; 3]);
            let (mut floor, mut needs) = (f64::MAX, u8::MAX);
            for i in run.clone().filter(|&i| wanted(i)) {
                let c = g.clients[i] as usize;
                for k in 0..3 {
                    lo[k] = lo[k].min(pb.c_pos[c][k]);
                    hi[k] = hi[k].max(pb.c_pos[c][k]);
                }
                floor = floor.min(metres(price[g.client_node(i)] + extra));
                needs &= pb.c_needs[c];
            }
            found.clear();
            idx.priced_box(lo, hi, max_d, floor, needs, rule, found);
            for i in run.filter(|&i| wanted(i)) {
                let c = g.clients[i] as usize;
                let pc = price[g.client_node(i)];
                let (needs_c, pos_c) = (pb.c_needs[c], pb.c_pos[c]);
                let mut bad: Vec<(i64, u32, i64)> = Vec::new();
                for m in found.iter() {
                    let penalty = pb.skill_penalty(needs_c, m.skills);
                    // Cheapest necessary conditions first: a violation needs room for the
                    // penalty, then for the distance, which the chord bounds from below.
                    let room = m.price - pc - penalty - extra;
                    if room <= 0 {
                        continue;
                    }
                    let chord2: f64 = (0..3).map(|k| (m.pos[k] - pos_c[k]).powi(2)).sum();
                    if metres(room) + 1.0 <= metres_below(chord2) {
                        continue;
                    }
                    let j = m.id;
                    if known[i].contains(&j) {
                        continue;
                    }
                    let Some(w) = pb.arc_cost(c, helpers[j as usize] as usize) else {
                        continue;
                    };
                    // The exact test, in integers.
                    let rc = w + pc - m.price;
                    if rc < slack {
                        bad.push((rc, j, w));
                    }
                }
                if !bad.is_empty() {
                    bad.sort_unstable();
                    bad.truncate(t.add_limit);
                    out.push((i as u32, bad));
                }
            }
            out
        })
        .collect();
    let mut added = 0;
    let mut violated = Vec::new();
    for (i, bad) in runs.into_iter().flatten() {
        violated.push(i);
        for (_, j, w) in bad {
            added += u64::from(g.add(i, j, w));
        }
    }
    (added, violated)
}

/// The clients a cost pricing pass must look at again after the prices of the last one
/// changed to `now` (None: all of them).
///
/// A missing pair (c, h) can only start to violate if c's price went down or h's went
/// up. The repair only lowers prices, so after it the pass need only look at the clients
/// whose price went down, plus those that had more violations than were added.
pub fn recheck(g: &Graph, before: &[i64], now: &[i64], violated: &[u32]) -> Option<Vec<bool>> {
    if (0..g.helpers.len()).any(|j| now[g.helper_node(j)] > before[g.helper_node(j)]) {
        return None;
    }
    let mut flag: Vec<bool> = (0..g.clients.len())
        .map(|i| now[g.client_node(i)] < before[g.client_node(i)])
        .collect();
    for &i in violated {
        flag[i as usize] = true;
    }
    Some(flag)
}
