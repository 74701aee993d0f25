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
use super::problem::Problem;
use rayon::prelude::*;
use std::cell::Cell;

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

/// Index of the active helpers by position (weight 0).
pub fn helper_index(pb: &Problem<'_>, g: &Graph, keep: impl Fn(usize) -> bool) -> HelperIndex {
    HelperIndex::build(
        pb.group_count(),
        (0..g.helpers.len())
            .filter(|&j| keep(j))
            .map(|j| pb.helper_member(g.helpers[j] as usize, j as u32)),
    )
}

/// The `k` cheapest partners met in a nearest-first walk of the probe's groups of `idx`.
///
/// Every pair `cost` may return costs at least its distance plus `extra` (the change
/// penalty in rebalance mode, where current pairs are in the graph already): the walk
/// stops once that bound reaches the k-th best. `cost` gets the member, its skill mask
/// and a bar: what the k-th best leaves for the pair's skill penalty plus `extra` once
/// the lower bound on its distance is paid; at or above it, the pair need not be
/// costed (None), which saves the haversine.
fn cheapest(
    k: usize,
    scan_limit: usize,
    max_m: i64,
    extra: f64,
    (idx, probe): (&HelperIndex, &Probe<'_>),
    mut cost: impl FnMut(u32, u8, f64) -> Option<i64>,
) -> (Vec<(i64, u32)>, bool) {
    let max_d = max_m as f64;
    let mut best: Vec<(i64, u32)> = Vec::with_capacity(k + 1);
    let mut scanned = 0;
    let mut cut = false;
    // Where the walk will stop: the k-th best minus what every pair pays on top.
    let reach = Cell::new(f64::INFINITY);
    let visit = |j, skills, lb| {
        scanned += 1;
        let full = best.len() >= k;
        if lb > max_d || (full && lb + extra >= best[k - 1].0 as f64) {
            return false;
        }
        if scanned > scan_limit {
            cut = true;
            return false;
        }
        if best.iter().any(|b| b.1 == j) {
            return true;
        }
        if let Some(w) = cost(
            j,
            skills,
            if full {
                best[k - 1].0 as f64 - lb
            } else {
                f64::MAX
            },
        ) {
            insert_cheapest(&mut best, k, (w, j));
            if best.len() >= k {
                reach.set(best[k - 1].0 as f64 - extra);
            }
        }
        true
    };
    idx.nearest(
        probe,
        max_m,
        scan_limit.saturating_add(1),
        Some(&reach),
        visit,
    );
    (best, cut)
}

/// Puts `pair` into `best`, the `k` cheapest so far in (cost, partner) order.
fn insert_cheapest(best: &mut Vec<(i64, u32)>, k: usize, pair: (i64, u32)) {
    let at = best.partition_point(|b| *b <= pair);
    best.insert(at, pair);
    best.truncate(k);
}

/// A candidate graph is thin when the scan limit cut the nearest-first walks of more than
/// 1 / THIN_SHARE of the clients short: skills, not distance, then decide most pairs
/// (many needs, few helpers covering them) and the optimum reaches far past the nearest
/// candidates. The default benchmark instances cut 0–17 walks of 100,000; clients
/// needing 1–4 of all seven skills 10–45 %.
pub const THIN_SHARE: usize = 100;

/// Adds, for each active client in `which`, its cheapest eligible pairs.
///
/// A nearest-first walk finds them when near helpers cover the client's needs. In a
/// thin graph, where the scan limit cut a walk short while a farther helper with fewer
/// missing skills could still be cheaper, a second search walks the helpers grouped by
/// skill mask, fewest missing skills first. (Elsewhere it would change a handful of
/// clients' candidates, and cost-scaling work moves by ±15 % with any such change.)
///
/// The searches run in parallel; their results are added in client order, so the graph
/// is the same whatever the thread scheduling.
///
/// Returns whether the graph is thin (see [`THIN_SHARE`]).
pub fn add_nearest(
    pb: &Problem<'_>,
    g: &mut Graph,
    idx: &HelperIndex,
    t: Tuning,
    which: &[bool],
) -> bool {
    let extra = pb.change_penalty() as f64;
    let helpers = &g.helpers;
    // The pair's cost as a candidate (None: current, or ineligible).
    let pair_cost = |c: usize, j: u32, all: bool| {
        let h = helpers[j as usize] as usize;
        if pb.is_current(c, h) {
            return None;
        }
        if all {
            pb.arc_cost(c, h)
        } else {
            pb.arc_cost_language_ok(c, h)
        }
    };
    // Client number, how many candidates it gets, whether it searches every language
    // (checking the rule per pair), and its probe.
    let search = |i: usize| {
        let c = g.clients[i] as usize;
        let k = t.base + t.per_slot * pb.c_slots[c].min(64) as usize;
        let all = pb.searches_all(c);
        let probe = if all {
            pb.probe_any_language(c)
        } else {
            pb.probe(c)
        };
        (c, k, all, probe)
    };
    let mut found: Vec<(Vec<(i64, u32)>, bool)> = (0..which.len())
        .into_par_iter()
        .with_min_len(64)
        .map(|i| {
            if !which[i] {
                return (Vec::new(), false);
            }
            let (c, k, all, probe) = search(i);
            cheapest(
                k,
                t.scan_limit,
                pb.inst.params.max_distance_m,
                extra,
                (idx, &probe),
                |j, skills, bar| {
                    // Skip the haversine when the penalties rule the pair out.
                    if (pb.skill_penalty(pb.c_needs[c], skills) as f64) + extra >= bar {
                        return None;
                    }
                    pair_cost(c, j, all)
                },
            )
        })
        .collect();
    let cut = found.iter().filter(|f| f.1).count();
    let thin = cut * THIN_SHARE > found.len();
    if thin {
        let by_mask = MaskIndex::build(pb, g);
        found
            .par_iter_mut()
            .enumerate()
            .with_min_len(16)
            .for_each(|(i, (best, cut))| {
                if !*cut {
                    return;
                }
                let (c, k, all, probe) = search(i);
                by_mask.cheapest(
                    pb,
                    &probe,
                    pb.c_needs[c],
                    k,
                    t.scan_limit.saturating_mul(4),
                    extra,
                    best,
                    |j| pair_cost(c, j, all),
                );
            });
    }
    for (i, (best, _)) in found.into_iter().enumerate() {
        for (w, j) in best {
            g.add(i as u32, j, w);
        }
    }
    thin
}

/// The active helpers indexed by language group and skill mask (group `g · 128 + mask`),
/// with each needs mask's skill masks in order of the skills they leave missing.
struct MaskIndex {
    idx: HelperIndex,
    order: Vec<[u8; 128]>,
}

impl MaskIndex {
    fn build(pb: &Problem<'_>, g: &Graph) -> MaskIndex {
        let groups: Vec<Vec<u32>> = g
            .helpers
            .iter()
            .map(|&h| {
                let mask = u32::from(pb.h_skills[h as usize]);
                pb.helper_member(h as usize, 0)
                    .groups
                    .iter()
                    .map(|&gr| gr * 128 + mask)
                    .collect()
            })
            .collect();
        let idx = HelperIndex::build(
            pb.group_count() * 128,
            (0..g.helpers.len()).map(|j| Member {
                groups: &groups[j],
                ..pb.helper_member(g.helpers[j] as usize, j as u32)
            }),
        );
        let order = (0..128u8)
            .map(|needs| {
                let mut o: [u8; 128] = std::array::from_fn(|m| m as u8);
                o.sort_by_key(|&m| (needs & !m).count_ones());
                o
            })
            .collect();
        MaskIndex { idx, order }
    }

    /// Improves `best` (the `k` cheapest found so far, sorted) with the cheapest pairs of
    /// the probe's groups, skill masks with fewest missing needs first, each nearest
    /// first, while a mask's penalty and the distance bound can still beat the k-th best.
    #[allow(clippy::too_many_arguments)]
    fn cheapest(
        &self,
        pb: &Problem<'_>,
        probe: &Probe<'_>,
        needs: u8,
        k: usize,
        scan_limit: usize,
        extra: f64,
        best: &mut Vec<(i64, u32)>,
        cost: impl Fn(u32) -> Option<i64>,
    ) {
        let max_m = pb.inst.params.max_distance_m;
        let mut scanned = 0;
        for &mask in &self.order[needs as usize & 127] {
            let floor = pb.skill_penalty(needs, mask) as f64 + extra;
            if (best.len() >= k && floor >= best[k - 1].0 as f64) || scanned > scan_limit {
                return;
            }
            for &gr in probe.groups {
                let group = [gr * 128 + u32::from(mask)];
                let one = Probe {
                    pos: probe.pos,
                    groups: &group,
                };
                self.idx.nearest(
                    &one,
                    max_m,
                    scan_limit.saturating_add(1),
                    None,
                    |j, _, lb| {
                        scanned += 1;
                        if scanned > scan_limit
                            || (best.len() >= k && lb + floor >= best[k - 1].0 as f64)
                        {
                            return false;
                        }
                        if best.iter().any(|b| b.1 == j) {
                            return true;
                        }
                        if let Some(w) = cost(j) {
                            insert_cheapest(best, k, (w, j));
                        }
                        true
                    },
                );
            }
        }
    }
}

/// Adds, for each active helper, its cheapest eligible pairs with active clients.
pub fn add_nearest_clients(pb: &Problem<'_>, g: &mut Graph, t: Tuning) {
    // Each index only if some helper searches it.
    let searching = |all: bool| {
        g.helpers
            .iter()
            .any(|&h| pb.helper_searches_all(h as usize) == all)
    };
    let grouped = searching(false).then(|| {
        HelperIndex::build(
            pb.group_count(),
            (0..g.clients.len()).map(|i| pb.client_member(g.clients[i] as usize, i as u32)),
        )
    });
    let everybody = searching(true).then(|| {
        HelperIndex::build(
            1,
            (0..g.clients.len()).map(|i| Member {
                groups: &[0],
                ..pb.client_member(g.clients[i] as usize, i as u32)
            }),
        )
    });
    let extra = pb.change_penalty() as f64;
    let clients = &g.clients;
    let found: Vec<Vec<(i64, u32)>> = g
        .helpers
        .par_iter()
        .with_min_len(64)
        .map(|&h| {
            let h = h as usize;
            let k = t.base + t.per_slot * pb.h_left[h].min(64) as usize;
            let probe = pb.helper_probe(h);
            let all = Probe {
                pos: probe.pos,
                groups: &[0],
            };
            let (idx, probe) = match (&grouped, &everybody) {
                (Some(idx), _) if !pb.helper_searches_all(h) => (idx, probe),
                (_, Some(idx)) => (idx, all),
                // Unreachable: this helper's own index was built above.
                _ => return Vec::new(),
            };
            cheapest(
                k,
                t.scan_limit,
                pb.inst.params.max_distance_m,
                extra,
                (idx, &probe),
                |i, needs, bar| {
                    if (pb.skill_penalty(needs, pb.h_skills[h]) as f64) + extra >= bar {
                        return None;
                    }
                    let c = clients[i as usize] as usize;
                    if pb.is_current(c, h) {
                        return None;
                    }
                    pb.arc_cost(c, h)
                },
            )
            .0
        })
        .collect();
    for (j, best) in found.into_iter().enumerate() {
        for (w, i) in best {
            g.add(i, j as u32, w);
        }
    }
}

/// Rebalance mode: every still-eligible current pair starts in the graph.
pub fn add_current(pb: &Problem<'_>, g: &mut Graph) {
    for i in 0..g.clients.len() {
        let c = g.clients[i] as usize;
        for &h in &pb.c_current[c] {
            let j = g.helper_active[h as usize];
            if j == u32::MAX {
                continue;
            }
            if let Some(w) = pb.arc_cost(c, h as usize) {
                g.add(i as u32, j, w);
            }
        }
    }
}

/// Cardinality pricing: adds eligible pairs leaving the source side `reach`; returns count.
pub fn price_cut(pb: &Problem<'_>, g: &mut Graph, reach: &[bool], t: Tuning) -> u64 {
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
    pb: &Problem<'_>,
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
