//! Turning the solved graph into the solution JSON, with reasons for open slots.

use super::candidates::{HelperIndex, Probe};
use super::graph::Graph;
use super::problem::Problem;
use super::solution::{
    Assignment, REASON_ALL_FULL, REASON_NO_HELPER_IN_RANGE, REASON_NO_SHARED_LANGUAGE, Solution,
    Stats, Unfilled,
};
use rayon::prelude::*;

/// Builds the solution: kept pairs (keep mode) plus the pairs carrying flow.
pub fn assemble(pb: &Problem<'_>, g: &Graph, mut stats: Stats) -> Solution {
    let inst = pb.inst;
    let mut pairs: Vec<(usize, usize)> = Vec::new();
    if pb.keep() {
        for (c, cur) in pb.c_current.iter().enumerate() {
            pairs.extend(cur.iter().map(|&h| (c, h as usize)));
        }
        stats.kept_pairs = pairs.len() as u64;
    }
    for p in g.pairs.iter().filter(|p| p.flow > 0) {
        pairs.push((
            g.clients[p.c as usize] as usize,
            g.helpers[p.h as usize] as usize,
        ));
    }
    let mut count = vec![0i64; inst.clients.len()];
    let mut assignments: Vec<Assignment> = pairs
        .iter()
        .map(|&(c, h)| {
            count[c] += 1;
            Assignment {
                client: inst.clients[c].id.clone(),
                helper: inst.helpers[h].id.clone(),
                cost: pb.cost(c, h),
                new: !pb.is_current(c, h),
            }
        })
        .collect();
    assignments.sort_unstable_by(|a, b| (&a.client, &a.helper).cmp(&(&b.client, &b.helper)));
    let short: Vec<usize> = (0..inst.clients.len())
        .filter(|&c| count[c] < inst.clients[c].wanted)
        .collect();
    // A client with a candidate pair has an eligible helper (candidates are eligible by
    // construction), so the flow left it short because every such helper is full: only
    // clients without any candidate need the index to find their reason.
    let mut has_candidate = vec![false; inst.clients.len()];
    for (i, known) in g.known.iter().enumerate() {
        has_candidate[g.clients[i] as usize] = !known.is_empty();
    }
    let mut unfilled: Vec<Unfilled> = Vec::with_capacity(short.len());
    if !short.is_empty() {
        let everybody = short.iter().any(|&c| !has_candidate[c]).then(|| {
            HelperIndex::build(
                pb.group_count(),
                (0..inst.helpers.len()).map(|h| pb.helper_member(h, h as u32)),
            )
        });
        let reasons: Vec<&'static str> = short
            .par_iter()
            .with_min_len(64)
            .map(|&c| match &everybody {
                Some(idx) if !has_candidate[c] => reason(pb, idx, c),
                _ => REASON_ALL_FULL,
            })
            .collect();
        for (&c, why) in short.iter().zip(reasons) {
            unfilled.push(Unfilled {
                client: inst.clients[c].id.clone(),
                missing: inst.clients[c].wanted - count[c],
                reason: why.to_string(),
            });
        }
        unfilled.sort_unstable_by(|a, b| a.client.cmp(&b.client));
    }
    Solution {
        pairs: assignments.len(),
        total_cost: assignments.iter().map(|a| a.cost).sum(),
        assignments,
        unfilled,
        stats,
    }
}

/// The first rule that stops client `c`: range, then language, then capacity.
fn reason(pb: &Problem<'_>, everybody: &HelperIndex, c: usize) -> &'static str {
    if !exists_within(pb, everybody, &pb.probe_any_language(c), c) {
        return REASON_NO_HELPER_IN_RANGE;
    }
    if !exists_within(pb, everybody, &pb.probe(c), c) {
        return REASON_NO_SHARED_LANGUAGE;
    }
    REASON_ALL_FULL
}

/// Is some helper of the probed trees within `max_distance_m` of client `c`?
fn exists_within(pb: &Problem<'_>, idx: &HelperIndex, probe: &Probe<'_>, c: usize) -> bool {
    let max_d = pb.inst.params.max_distance_m;
    let mut found = false;
    idx.nearest(probe, max_d, usize::MAX, None, |h, _, lb| {
        if lb > max_d as f64 {
            return false;
        }
        found = pb.distance(c, h as usize) <= max_d;
        !found
    });
    found
}
