//! Min-cost flow on a [`Network`], exact in integers.
//!
//! 1. Cost scaling (Goldberg's push-relabel with ε-optimal prices and global price
//!    updates) on costs multiplied by `n + 1`, down to ε = 1. That flow is optimal: a
//!    residual cycle has at most `n` arcs, so its scaled cost is > −(n + 1), and being a
//!    multiple of `n + 1` it cannot be negative.
//! 2. [`Network::exact_prices`] turns the scaled prices into exact integer prices with
//!    every residual reduced cost ≥ 0 (one Dijkstra), an optimality certificate against
//!    which missing pairs are priced exactly.
//! 3. [`Network::repair`] re-optimises after pairs are added or the flow is changed: it
//!    saturates every residual arc with negative reduced cost, then routes each excess to
//!    a deficit along a shortest path (successive shortest paths), keeping prices exact.
//!    Its work follows the imbalance it creates, not the size of the graph.
//!
//! Convention: reduced cost `rc(u→v) = cost + p(u) − p(v)`.

use super::flow::Network;
use std::cmp::Reverse;
use std::collections::{BinaryHeap, VecDeque};

mod refine;
mod search;

use refine::{ArcRec, refine};
use search::Search;

/// Price divisor between two ε phases.
const ALPHA: i64 = 8;

/// State of a cost-scaling run: scaled prices and the current ε (scaled units).
pub struct Scaling {
    price: Vec<i64>,
    eps: i64,
    /// The per-arc records of the network with id `arcs_of` (0: none), kept from phase
    /// to phase: rebuilding them, 46 MB on `nation100k`, cost a pass and fresh pages.
    arcs: Vec<ArcRec>,
    arcs_of: u64,
}

impl Scaling {
    /// The current ε in cost units (rounded down).
    pub fn eps_units(&self, net: &Network) -> i64 {
        self.eps / net.scale()
    }
}

/// Work counters of one min-cost run.
#[derive(Debug, Default, Clone, Copy)]
pub struct MinCostStats {
    /// ε phases run.
    pub phases: u32,
    /// Pushes done.
    pub pushes: u64,
    /// Relabels done.
    pub relabels: u64,
    /// Global price updates done.
    pub updates: u64,
    /// Shortest-path searches of the exact repair.
    pub searches: u64,
    /// Nodes settled by those searches.
    pub settled: u64,
}

impl Network {
    fn rc(&self, u: usize, a: usize, price: &[i64]) -> i64 {
        self.cost[a] + price[u] - price[self.head[a] as usize]
    }

    /// Cost multiplier of the scaling phases.
    fn scale(&self) -> i64 {
        self.nodes() as i64 + 1
    }

    /// Reduced cost with scaled cost (prices in scaled units).
    fn src(&self, u: usize, a: usize, price: &[i64]) -> i64 {
        self.cost[a] * self.scale() + price[u] - price[self.head[a] as usize]
    }

    /// Residual arcs with negative reduced cost (0 means the prices prove optimality).
    pub fn negative_arcs(&self, price: &[i64]) -> u64 {
        let mut count = 0;
        for u in 0..self.nodes() {
            for a in self.arcs(u) {
                count += u64::from(self.res[a] > 0 && self.rc(u, a, price) < 0);
            }
        }
        count
    }

    /// Makes the current flow min-cost among flows with the same node balances, from
    /// scratch; returns exact prices.
    pub fn min_cost(&mut self, stats: &mut MinCostStats) -> Vec<i64> {
        self.min_cost_from(&vec![0i64; self.nodes()], stats)
    }

    /// Like [`Network::min_cost`], starting from exact prices of a nearby problem: the
    /// scaling then starts at the largest violation instead of the largest cost.
    pub fn min_cost_from(&mut self, exact: &[i64], stats: &mut MinCostStats) -> Vec<i64> {
        let mut st = self.scaling_start(exact);
        while self.scaling_phase(&mut st, stats) {}
        self.exact_prices(&st.price)
    }

    /// Starts cost scaling from exact prices: scaled prices, and ε = the largest violation.
    pub fn scaling_start(&self, exact: &[i64]) -> Scaling {
        let scale = self.scale();
        let price: Vec<i64> = exact.iter().map(|p| p * scale).collect();
        let mut eps = 0;
        for u in 0..self.nodes() {
            for a in self.arcs(u) {
                if self.res[a] > 0 {
                    eps = eps.max(-self.src(u, a, &price));
                }
            }
        }
        Scaling {
            price,
            eps,
            arcs: Vec::new(),
            arcs_of: 0,
        }
    }

    /// Runs the next ε phase; false once the flow is 1-optimal (nothing was run).
    ///
    /// Arcs may be added between phases (by rebuilding the network on the same nodes): a
    /// phase starts by saturating every arc with negative reduced cost, so it ends
    /// ε-optimal whatever the arcs were.
    pub fn scaling_phase(&mut self, st: &mut Scaling, stats: &mut MinCostStats) -> bool {
        if st.eps <= 1 {
            return false;
        }
        let scale = self.scale();
        if st.arcs_of == self.id() {
            // Same network: only the residuals may have moved since the last phase.
            for (arc, &res) in st.arcs.iter_mut().zip(&self.res) {
                arc.res = res as i32;
            }
        } else {
            // One record per arc with everything the hot loops read (scaled cost, head,
            // residual, and the pair capacity res + reverse res, constant under pushes):
            // one cache line serves an arc, where separate arrays cost one miss each.
            st.arcs.clear();
            st.arcs.extend((0..self.res.len()).map(|a| {
                let r = self.rev[a] as usize;
                ArcRec {
                    sc: self.cost[a] * scale,
                    head: self.head[a],
                    rev: self.rev[a],
                    // Capacities are at most MAX_VALUE (validated), well inside i32.
                    res: self.res[a] as i32,
                    tot: (self.res[a] + self.res[r]) as i32,
                }
            }));
            st.arcs_of = self.id();
        }
        st.eps = (st.eps / ALPHA).max(1);
        refine(&self.first, &mut st.arcs, st.eps, &mut st.price, stats);
        for (res, arc) in self.res.iter_mut().zip(&st.arcs) {
            *res = i64::from(arc.res);
        }
        stats.phases += 1;
        true
    }

    /// Current prices of a scaling run, in cost units (rounded down): ε-optimal only.
    pub fn scaling_prices(&self, st: &Scaling) -> Vec<i64> {
        let scale = self.scale();
        st.price.iter().map(|p| p.div_euclid(scale)).collect()
    }

    /// Exact prices proving the current flow optimal, if it already is, before scaling
    /// has reached ε = 1 (scaled): most runs are optimal a few phases early.
    ///
    /// Label-correcting shortest paths (FIFO Bellman–Ford) from a virtual root on the
    /// scaled reduced costs, which are ≥ −ε: the violations are small and local, so the
    /// labels settle after little work unless a negative cycle exists, i.e. unless the
    /// flow is not optimal. A work budget of a few passes over the arcs stands in for
    /// the cycle test. On success, prices plus distances make every scaled reduced cost
    /// ≥ 0, so [`Network::exact_prices`] applies to them.
    pub fn certify(&self, st: &Scaling) -> Option<Vec<i64>> {
        let n = self.nodes();
        let scale = self.scale();
        let price = &st.price;
        let mut dist = vec![0i64; n];
        let mut queued = vec![false; n];
        let mut queue: VecDeque<u32> = VecDeque::new();
        for (u, q) in queued.iter_mut().enumerate() {
            if self
                .arcs(u)
                .any(|a| self.res[a] > 0 && self.src(u, a, price) < 0)
            {
                *q = true;
                queue.push_back(u as u32);
            }
        }
        let mut budget = 4 * self.res.len();
        while let Some(u) = queue.pop_front() {
            let u = u as usize;
            queued[u] = false;
            let du = dist[u];
            let arcs = self.arcs(u);
            budget = budget.checked_sub(arcs.len() + 1)?;
            for a in arcs {
                if self.res[a] <= 0 {
                    continue;
                }
                let v = self.head[a] as usize;
                let nd = du + self.cost[a] * scale + price[u] - price[v];
                if nd < dist[v] {
                    dist[v] = nd;
                    if !queued[v] {
                        queued[v] = true;
                        queue.push_back(v as u32);
                    }
                }
            }
        }
        let settled: Vec<i64> = price.iter().zip(&dist).map(|(p, d)| p + d).collect();
        Some(self.exact_prices(&settled))
    }

    /// Exact prices once scaling is done.
    pub fn scaling_finish(&self, st: &Scaling) -> Vec<i64> {
        self.exact_prices(&st.price)
    }

    /// Exact prices from 1-optimal scaled ones: shortest-path distances from a virtual root
    /// joined to every node, found by one Dijkstra on key `scale·cost + arcs` of a path.
    /// Paths have fewer than `scale` arcs, so the smallest key also has the smallest cost,
    /// and the scaled prices make every key length `scaled rc + 1 ≥ 0`.
    ///
    /// The root's arc to `v` has key length `scale·⌊scaled(v) / scale⌋` (whole cost units,
    /// so the argument above holds): the result is the largest exact prices below the
    /// rounded scaled ones, close to them, so that pricing with them sees about the same
    /// violations as the scaling's own prices (optimal prices are far from unique).
    pub fn exact_prices(&self, scaled: &[i64]) -> Vec<i64> {
        let n = self.nodes();
        let scale = self.scale();
        let mut dist: Vec<i64> = scaled.iter().map(|p| scale - p.rem_euclid(scale)).collect();
        let mut done = vec![false; n];
        let mut heap: BinaryHeap<Reverse<(i64, u32)>> =
            (0..n).map(|v| Reverse((dist[v], v as u32))).collect();
        while let Some(Reverse((d, u))) = heap.pop() {
            let u = u as usize;
            if done[u] || d > dist[u] {
                continue;
            }
            done[u] = true;
            for a in self.arcs(u) {
                let v = self.head[a] as usize;
                if self.res[a] <= 0 || done[v] {
                    continue;
                }
                let nd = d + self.src(u, a, scaled) + 1;
                if nd < dist[v] {
                    dist[v] = nd;
                    heap.push(Reverse((nd, v as u32)));
                }
            }
        }
        (0..n)
            .map(|v| (dist[v] - scale + scaled[v]).div_euclid(scale))
            .collect()
    }

    /// Pushes the full residual capacity of every arc with negative reduced cost.
    fn saturate_negative(&mut self, price: &[i64]) -> Vec<i64> {
        let n = self.nodes();
        let mut excess = vec![0i64; n];
        for u in 0..n {
            for a in self.arcs(u) {
                if self.res[a] > 0 && self.rc(u, a, price) < 0 {
                    let d = self.res[a];
                    let v = self.head[a] as usize;
                    self.push(a, d);
                    excess[u] -= d;
                    excess[v] += d;
                }
            }
        }
        excess
    }

    /// Exact finish: saturate negative arcs, then successive shortest paths from each excess.
    ///
    /// Returns false only if some excess cannot reach a deficit, which a feasible flow rules out.
    pub fn repair(&mut self, price: &mut [i64], stats: &mut MinCostStats) -> bool {
        let n = self.nodes();
        let mut excess = self.saturate_negative(price);
        let mut search = Search::new(n);
        for u in 0..n {
            while excess[u] > 0 {
                stats.searches += 1;
                let Some((target, reach)) = search.run(self, u, price, &excess) else {
                    return false;
                };
                stats.settled += search.settled.len() as u64;
                // Successive-shortest-path price update, restricted to the settled nodes.
                for &x in &search.settled {
                    price[x as usize] -= reach - search.dist[x as usize];
                }
                let mut delta = excess[u].min(-excess[target]);
                let mut x = target;
                while x != u {
                    let a = search.parent[x] as usize;
                    delta = delta.min(self.res[a]);
                    x = self.head[self.rev[a] as usize] as usize;
                }
                let mut x = target;
                while x != u {
                    let a = search.parent[x] as usize;
                    self.push(a, delta);
                    x = self.head[self.rev[a] as usize] as usize;
                }
                excess[u] -= delta;
                excess[target] += delta;
            }
        }
        true
    }
}
