//! Turning the solved graph into the solution JSON, with reasons for open slots
//! (`reasons.rs`).

use super::graph::Graph;
use super::problem::Prepared;
use super::reasons::{Solved, blocking_rules};
use super::solution::{MatchedPair, Solution, Stats, Unfilled, describe};

/// Builds the solution: kept pairs (keep mode) plus the pairs carrying flow.
pub fn assemble(pb: &Prepared<'_>, g: &Graph, mut stats: Stats) -> Solution {
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
    let mut assignments: Vec<MatchedPair> = pairs
        .iter()
        .map(|&(c, h)| {
            count[c] += 1;
            MatchedPair {
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
    pairs.sort_unstable();
    let rules = blocking_rules(pb, g, &Solved::new(pb, &pairs), &short);
    let mut unfilled: Vec<Unfilled> = short
        .iter()
        .zip(rules)
        .map(|(&c, rules)| Unfilled {
            client: inst.clients[c].id.clone(),
            missing: inst.clients[c].wanted - count[c],
            reason: describe(&rules),
            rules,
        })
        .collect();
    unfilled.sort_unstable_by(|a, b| a.client.cmp(&b.client));
    Solution {
        pairs: assignments.len(),
        total_cost: assignments.iter().map(|a| a.cost).sum(),
        assignments,
        unfilled,
        stats,
    }
}
