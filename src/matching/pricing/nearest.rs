//! The graph's first pairs, before any pricing: each client's cheapest helpers nearest first,
//! each helper's nearest clients, and (in rebalance mode) the current pairs.

use super::*;

/// Index of the active helpers by position (weight 0).
pub fn helper_index(pb: &Prepared<'_>, g: &Graph, keep: impl Fn(usize) -> bool) -> HelperIndex {
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
    pb: &Prepared<'_>,
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
    fn build(pb: &Prepared<'_>, g: &Graph) -> MaskIndex {
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
        pb: &Prepared<'_>,
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
pub fn add_nearest_clients(pb: &Prepared<'_>, g: &mut Graph, t: Tuning) {
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
pub fn add_current(pb: &Prepared<'_>, g: &mut Graph) {
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
