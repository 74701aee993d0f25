//! The candidate loop: solve on a sparse graph, price the pairs left out, repeat.

use super::bundles::{join, split};
use super::flow::Network;
use super::graph::{Graph, SINK, SOURCE};
use super::instance::Instance;
use super::mincost::MinCostStats;
use super::pricing::{
    Tuning, add_current, add_nearest, add_nearest_clients, helper_index, price_cost, price_cut,
    recheck,
};
use super::problem::Prepared;
use super::result::assemble;
use super::solution::{Solution, Stats};
use super::warm::WarmStart;
use rayon::prelude::*;
use std::time::Instant;

/// Above this many arcs with negative reduced cost, re-optimise by cost scaling rather
/// than by repair: successive shortest paths would each search a wide plateau of zero
/// reduced costs, while warm-started scaling costs about the same however many there are.
const REPAIR_LIMIT: u64 = 256;

/// The ε values (in cost units) below which cost scaling stops once to price the missing
/// pairs with its current ε-optimal prices. Early enough that the pairs found join the
/// remaining phases; late enough that the prices are close to the optimal ones, so the
/// exact pricing at the end finds few or none (and a cheap repair fixes those).
const MID_PRICING: [i64; 4] = [512, 64, 8, 0];

/// In a thin candidate graph (see `pricing::nearest::THIN_SHARE`) the
/// passes inside cost scaling also add pairs whose reduced cost is below this many ε:
/// prices still move by several ε per phase, and a pair added before it violates costs
/// far fewer pushes than one added after (nation100k-needs4: 7.2 → 4.8 s). Elsewhere it
/// would only add arcs.
const MID_SLACK: i64 = 4;

/// Re-optimises a flow whose exact prices were right before arcs or nodes changed.
fn reoptimise(net: &mut Network, mut price: Vec<i64>, ms: &mut MinCostStats) -> Vec<i64> {
    if net.negative_arcs(&price) > REPAIR_LIMIT {
        return net.min_cost_from(&price, ms);
    }
    if !net.repair(&mut price, ms) {
        // Unreachable for a feasible flow; scaling from scratch is the safe answer anyway.
        return net.min_cost(ms);
    }
    price
}

/// Solves an instance exactly: most pairs first, then least total cost.
pub fn solve(instance: &Instance) -> Solution {
    run_with(instance, None, Tuning::default(), false).0
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
    run_with(instance, warm, t, true)
}

/// [`run`], capturing the warm-start state only when `want_state` (it costs a copy of
/// every candidate pair's ids).
fn run_with(
    instance: &Instance,
    warm: Option<&WarmStart>,
    t: Tuning,
    want_state: bool,
) -> (Solution, WarmStart) {
    let started = Instant::now();
    let mut last = Instant::now();
    // Stage times as debug events (`RUST_LOG=helpmatch::matching=debug`), for profiling.
    let mut lap = |stage: &str| {
        let ms = last.elapsed().as_secs_f64() * 1000.0;
        tracing::debug!(stage, ms, "matching stage");
        last = Instant::now();
    };
    let pb = Prepared::new(instance);
    lap("problem");
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
    if !pb.keep() {
        add_current(&pb, &mut g);
    }
    let needs_search = match warm {
        Some(w) => w.seed(&pb, &mut g),
        None => vec![true; g.clients.len()],
    };
    let mut thin = false;
    if needs_search.iter().any(|&b| b) {
        let idx = helper_index(&pb, &g, |_| true);
        thin = add_nearest(&pb, &mut g, &idx, t, &needs_search);
    }
    lap("nearest helpers");
    if warm.is_none() && t.helper_side {
        add_nearest_clients(&pb, &mut g, t);
    }
    lap("nearest clients");

    // Phase 1: the largest number of pairs, proven by a cut over all eligible pairs.
    loop {
        stats.pricing_rounds += 1;
        let mut net = g.network();
        net.max_flow(SOURCE, SINK);
        g.read_flows(&net);
        let reach = net.reachable(SOURCE);
        let added = price_cut(&pb, &mut g, &reach, t);
        stats.added_for_cardinality += added;
        lap("max flow and cut pricing");
        if added == 0 {
            break;
        }
    }

    // Phase 2: least cost at that number of pairs, proven by exact prices.
    let mut ms = MinCostStats::default();
    let mut price = match warm {
        Some(w) => {
            let mut net = g.network();
            let price = reoptimise(&mut net, w.prices(&pb, &g), &mut ms);
            g.read_flows(&net);
            price
        }
        None => {
            // The graph's independent parts side by side, then their prices put together.
            let solved: Vec<_> = split(&g, t.bundle_nodes)
                .into_par_iter()
                .map(|mut b| {
                    let began = Instant::now();
                    let (price, net, work) = scale_with_pricing(&pb, &mut b.graph, t, thin);
                    tracing::debug!(
                        stage = "bundle",
                        clients = b.graph.clients.len(),
                        helpers = b.graph.helpers.len(),
                        ms = began.elapsed().as_secs_f64() * 1000.0,
                        "matching stage"
                    );
                    (b, price, net, work)
                })
                .collect();
            let mut parts = Vec::with_capacity(solved.len());
            for (b, price, net, work) in solved {
                ms.phases += work.mincost.phases;
                stats.pricing_rounds += work.pricing_rounds;
                stats.added_for_cost += work.added;
                parts.push((b, price, net));
            }
            lap(&format!("cost scaling of {} bundles", parts.len()));
            let price = join(&mut g, parts);
            let mut net = g.network();
            debug_assert_eq!(net.negative_arcs(&price), 0, "joined prices are exact");
            // A no-op when the joined prices are exact, as they should be.
            let price = reoptimise(&mut net, price, &mut ms);
            g.read_flows(&net);
            lap("join");
            price
        }
    };
    let mut only: Option<Vec<bool>> = None;
    loop {
        stats.pricing_rounds += 1;
        let (added, violated) = price_cost(&pb, &mut g, &price, t, only.as_deref(), 0);
        stats.added_for_cost += added;
        lap(&format!("exact pricing, {added} added"));
        if added == 0 {
            break;
        }
        let mut net = g.network();
        let before = price.clone();
        price = reoptimise(&mut net, price, &mut ms);
        g.read_flows(&net);
        only = recheck(&g, &before, &price, &violated);
        lap("reoptimise");
    }
    stats.cost_scaling_phases = ms.phases;
    stats.eligible_pairs = g.pairs.len() as u64;
    let state = if want_state {
        WarmStart::capture(&pb, &g, &price)
    } else {
        WarmStart::default()
    };
    let mut solution = assemble(&pb, &g, stats);
    lap("assemble");
    solution.stats.elapsed_ms = started.elapsed().as_secs_f64() * 1000.0;
    (solution, state)
}

/// Work of one [`scale_with_pricing`] run.
struct ScalingWork {
    mincost: MinCostStats,
    pricing_rounds: u32,
    added: u64,
}

/// Cost scaling from zero prices on `g`, pricing the missing pairs a few times on the way
/// down (with the ε-optimal prices of that phase): the pairs found join the remaining
/// phases instead of forcing a second run after the exact pricing. Returns exact prices
/// for the final network (whose flows are read back into `g`).
fn scale_with_pricing(
    pb: &Prepared<'_>,
    g: &mut Graph,
    t: Tuning,
    thin: bool,
) -> (Vec<i64>, Network, ScalingWork) {
    let mut work = ScalingWork {
        mincost: MinCostStats::default(),
        pricing_rounds: 0,
        added: 0,
    };
    let mut net = g.network();
    let mut st = net.scaling_start(&vec![0; g.nodes()]);
    let mut next_mid = 0;
    let mut certified = None;
    let mut t0 = Instant::now();
    while net.scaling_phase(&mut st, &mut work.mincost) {
        let eps = st.eps_units(&net);
        tracing::debug!(eps, ms = t0.elapsed().as_secs_f64() * 1000.0, "phase");
        t0 = Instant::now();
        // Below one cost unit the flow is often optimal already, phases before the
        // ε < 1/(n+1) that would prove it: try to prove it directly.
        if eps == 0 {
            let t0 = Instant::now();
            certified = net.certify(&st);
            tracing::debug!(
                ok = certified.is_some(),
                ms = t0.elapsed().as_secs_f64() * 1000.0,
                "certify"
            );
            if certified.is_some() {
                break;
            }
        }
        if next_mid < MID_PRICING.len() && eps <= MID_PRICING[next_mid] {
            while next_mid < MID_PRICING.len() && eps <= MID_PRICING[next_mid] {
                next_mid += 1;
            }
            work.pricing_rounds += 1;
            g.read_flows(&net);
            let approx = net.scaling_prices(&st);
            let slack = if thin { MID_SLACK * eps } else { 0 };
            let (added, _) = price_cost(pb, g, &approx, t, None, slack);
            work.added += added;
            tracing::debug!(
                added,
                ms = t0.elapsed().as_secs_f64() * 1000.0,
                "mid pricing"
            );
            t0 = Instant::now();
            if added > 0 {
                net = g.network();
            }
        }
    }
    let price = certified.unwrap_or_else(|| net.scaling_finish(&st));
    g.read_flows(&net);
    tracing::debug!(ms = ?work.mincost, "bundle work");
    (price, net, work)
}
