//! The candidate loop: solve on a sparse graph, price the pairs left out, repeat.

use super::graph::{Graph, SINK, SOURCE};
use super::instance::Instance;
use super::mincost::MinCostStats;
use super::pricing::{
    Tuning, add_current, add_nearest, add_nearest_clients, helper_index, price_cost, price_cut,
};
use super::problem::Problem;
use super::result::assemble;
use super::solution::{Solution, Stats};
use super::warm::WarmStart;
use std::time::Instant;

/// Above this many added pairs, re-optimise by cost scaling rather than by repair.
const REPAIR_LIMIT: u64 = 256;

/// Solves an instance exactly: most pairs first, then least total cost.
pub fn solve(instance: &Instance) -> Solution {
    run(instance, None, Tuning::default()).0
}

/// Solves and also returns the state that lets [`solve_warm`] re-solve a changed instance fast.
pub fn solve_with_state(instance: &Instance) -> (Solution, WarmStart) {
    run(instance, None, Tuning::default())
}

/// Re-solves after a small change, starting from a previous run's prices and pairs.
///
/// The result is as exact as [`solve`]'s; the warm start only saves work.
pub fn solve_warm(instance: &Instance, warm: &WarmStart) -> (Solution, WarmStart) {
    run(instance, Some(warm), Tuning::default())
}

/// The whole pipeline with explicit tuning (tests force tiny candidate sets with it).
pub(crate) fn run(
    instance: &Instance,
    warm: Option<&WarmStart>,
    t: Tuning,
) -> (Solution, WarmStart) {
    let started = Instant::now();
    let lap = |what: &str| {
        if std::env::var_os("MATCH_TRACE").is_some() {
            eprintln!(
                "{:>8.1} ms {what}",
                started.elapsed().as_secs_f64() * 1000.0
            )
        }
    };
    let pb = Problem::new(instance);
    let mut g = Graph::new(&pb);
    let mut stats = Stats {
        eligible_pairs: 0,
        kept_pairs: 0,
        added_for_cardinality: 0,
        added_for_cost: 0,
        pricing_rounds: 0,
        cost_scaling_phases: 0,
        elapsed_ms: 0.0,
    };
    lap("prepared");
    if !pb.keep() {
        add_current(&pb, &mut g);
    }
    let needs_search = match warm {
        Some(w) => w.seed(&pb, &mut g),
        None => vec![true; g.clients.len()],
    };
    if needs_search.iter().any(|&b| b) {
        let idx = helper_index(&pb, &g, |_| true);
        add_nearest(&pb, &mut g, &idx, t, &needs_search);
    }
    lap(&format!("client-side candidates {}", g.pairs.len()));
    if warm.is_none() {
        add_nearest_clients(&pb, &mut g, t);
    }

    lap("candidates");
    // Phase 1: the largest number of pairs, proven by a cut over all eligible pairs.
    loop {
        stats.pricing_rounds += 1;
        let mut net = g.network();
        net.max_flow(SOURCE, SINK);
        g.read_flows(&net);
        lap("maxflow");
        let reach = net.reachable(SOURCE);
        let added = price_cut(&pb, &mut g, &reach, t);
        stats.added_for_cardinality += added;
        lap(&format!("cut pricing +{added}"));
        if added == 0 {
            break;
        }
    }

    // Phase 2: least cost at that number of pairs, proven by exact prices.
    let mut ms = MinCostStats::default();
    let mut net = g.network();
    let mut price = match warm {
        Some(w) => {
            let mut price = w.prices(&pb, &g);
            net.repair(&mut price, &mut ms);
            price
        }
        None => net.min_cost(&mut ms),
    };
    g.read_flows(&net);
    lap(&format!("mincost {ms:?}"));
    loop {
        stats.pricing_rounds += 1;
        let added = price_cost(&pb, &mut g, &price, t);
        stats.added_for_cost += added;
        lap(&format!("cost pricing +{added}"));
        if added == 0 {
            break;
        }
        net = g.network();
        if added > REPAIR_LIMIT {
            // Many scattered additions: successive shortest paths would each search a
            // wide plateau of zero reduced costs; scaling from scratch is cheaper then.
            price = net.min_cost_from(&price, &mut ms);
        } else {
            net.repair(&mut price, &mut ms);
        }
        g.read_flows(&net);
        lap(&format!("repair {ms:?}"));
    }
    stats.cost_scaling_phases = ms.phases;
    stats.eligible_pairs = g.pairs.len() as u64;
    let state = WarmStart::capture(&pb, &g, &price);
    let mut solution = assemble(&pb, &g, stats);
    solution.stats.elapsed_ms = started.elapsed().as_secs_f64() * 1000.0;
    (solution, state)
}
