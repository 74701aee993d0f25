//! An exact integer flow network: Dinic max flow and cost-scaling min-cost flow.
//!
//! The min-cost part is Goldberg's cost scaling (push-relabel with ε-optimal prices).
//! Costs are multiplied by `n + 1`, so a 1-optimal flow (every residual arc has reduced
//! cost ≥ −1) is exactly optimal: a residual cycle has at most `n` arcs, so its scaled
//! cost is > −(n + 1), and being a multiple of `n + 1` it cannot be negative.

use std::collections::VecDeque;

/// One arc to build a network from.
#[derive(Debug, Clone, Copy)]
pub struct EdgeSpec {
    /// Tail node.
    pub from: u32,
    /// Head node.
    pub to: u32,
    /// Capacity.
    pub cap: i64,
    /// Unscaled cost per unit.
    pub cost: i64,
    /// Flow already on the arc (0 ≤ flow ≤ cap).
    pub flow: i64,
}

/// Residual network in compressed adjacency form; arc `a ^ 1`-style pairing via `rev`.
pub struct Network {
    first: Vec<usize>,
    head: Vec<u32>,
    rev: Vec<u32>,
    res: Vec<i64>,
    cost: Vec<i64>,
    /// Position of each input edge's forward arc.
    pos: Vec<u32>,
    /// Multiplier of the costs: node count + 1.
    pub scale: i64,
}

/// Price divisor between two ε phases.
fn alpha() -> i64 { std::env::var("ALPHA").ok().and_then(|v| v.parse().ok()).unwrap_or(8) }
fn upd() -> usize { std::env::var("UPD").ok().and_then(|v| v.parse().ok()).unwrap_or(1) }

impl Network {
    /// Builds the residual network of `edges` on `n` nodes, costs scaled by `n + 1`.
    pub fn new(n: usize, edges: &[EdgeSpec]) -> Network {
        let scale = n as i64 + 1;
        let mut deg = vec![0usize; n + 1];
        for e in edges {
            deg[e.from as usize + 1] += 1;
            deg[e.to as usize + 1] += 1;
        }
        for i in 0..n {
            deg[i + 1] += deg[i];
        }
        let first = deg.clone();
        let mut fill = deg;
        let m = 2 * edges.len();
        let (mut head, mut rev, mut res, mut cost) =
            (vec![0u32; m], vec![0u32; m], vec![0i64; m], vec![0i64; m]);
        let mut pos = Vec::with_capacity(edges.len());
        for e in edges {
            let (a, b) = (fill[e.from as usize], fill[e.to as usize]);
            fill[e.from as usize] += 1;
            fill[e.to as usize] += 1;
            head[a] = e.to;
            head[b] = e.from;
            rev[a] = b as u32;
            rev[b] = a as u32;
            res[a] = e.cap - e.flow;
            res[b] = e.flow;
            cost[a] = e.cost * scale;
            cost[b] = -e.cost * scale;
            pos.push(a as u32);
        }
        Network {
            first,
            head,
            rev,
            res,
            cost,
            pos,
            scale,
        }
    }

    /// Number of nodes.
    pub fn nodes(&self) -> usize {
        self.first.len() - 1
    }

    /// Flow on input edge `i`.
    pub fn flow(&self, i: usize) -> i64 {
        self.res[self.rev[self.pos[i] as usize] as usize]
    }

    fn arcs(&self, u: usize) -> std::ops::Range<usize> {
        self.first[u]..self.first[u + 1]
    }

    fn push(&mut self, a: usize, delta: i64) {
        self.res[a] -= delta;
        let r = self.rev[a] as usize;
        self.res[r] += delta;
    }

    /// Nodes reachable from `s` in the residual network.
    pub fn reachable(&self, s: usize) -> Vec<bool> {
        let mut seen = vec![false; self.nodes()];
        let mut stack = vec![s];
        seen[s] = true;
        while let Some(u) = stack.pop() {
            for a in self.arcs(u) {
                let v = self.head[a] as usize;
                if self.res[a] > 0 && !seen[v] {
                    seen[v] = true;
                    stack.push(v);
                }
            }
        }
        seen
    }

    /// Augments the current flow to a maximum `s`–`t` flow (Dinic); returns the added value.
    pub fn max_flow(&mut self, s: usize, t: usize) -> i64 {
        let n = self.nodes();
        let mut added = 0;
        let mut level = vec![u32::MAX; n];
        let mut cur = vec![0usize; n];
        loop {
            level.fill(u32::MAX);
            level[s] = 0;
            let mut queue = VecDeque::from([s]);
            while let Some(u) = queue.pop_front() {
                for a in self.arcs(u) {
                    let v = self.head[a] as usize;
                    if self.res[a] > 0 && level[v] == u32::MAX {
                        level[v] = level[u] + 1;
                        queue.push_back(v);
                    }
                }
            }
            if level[t] == u32::MAX {
                return added;
            }
            for (u, c) in cur.iter_mut().enumerate() {
                *c = self.first[u];
            }
            added += self.blocking_flow(s, t, &level, &mut cur);
        }
    }

    /// Iterative DFS of Dinic's phase: one unit-or-more path at a time.
    fn blocking_flow(&mut self, s: usize, t: usize, level: &[u32], cur: &mut [usize]) -> i64 {
        let mut total = 0;
        let mut path: Vec<usize> = Vec::new();
        loop {
            let u = path.last().map_or(s, |&a| self.head[a] as usize);
            if u == t {
                let delta = path.iter().map(|&a| self.res[a]).min().unwrap_or(0);
                for &a in &path {
                    self.push(a, delta);
                }
                total += delta;
                path.clear();
                continue;
            }
            let mut advanced = false;
            while cur[u] < self.first[u + 1] {
                let a = cur[u];
                let v = self.head[a] as usize;
                if self.res[a] > 0 && level[v] == level[u] + 1 {
                    path.push(a);
                    advanced = true;
                    break;
                }
                cur[u] += 1;
            }
            if !advanced {
                // Dead end: retreat and skip the arc that led here.
                match path.pop() {
                    Some(a) => {
                        let tail = self.head[self.rev[a] as usize] as usize;
                        cur[tail] += 1;
                    }
                    None => return total,
                }
            }
        }
    }

    /// Largest amount by which a residual arc's reduced cost is below zero.
    pub fn violation(&self, price: &[i64]) -> i64 {
        let mut worst = 0;
        for u in 0..self.nodes() {
            for a in self.arcs(u) {
                if self.res[a] > 0 {
                    let rc = self.cost[a] + price[u] - price[self.head[a] as usize];
                    worst = worst.max(-rc);
                }
            }
        }
        worst
    }

    /// Makes the current flow min-cost among flows with the same node balances.
    ///
    /// `price` is a warm start (any values work); on return every residual arc has
    /// scaled reduced cost ≥ −1, which proves optimality (see the module doc).
    pub fn min_cost(&mut self, price: &mut [i64], start_eps: Option<i64>) -> MinCostStats {
        let mut stats = MinCostStats::default();
        let mut eps = self.violation(price);
        if let Some(cap) = start_eps {
            eps = eps.min(cap * alpha());
        }
        while eps > 1 {
            eps = (eps / alpha()).max(1);
            self.refine(eps, price, &mut stats);
            stats.phases += 1;
        }
        stats
    }

    /// One ε phase: saturate admissible arcs, then push/relabel until no excess is left.
    fn refine(&mut self, eps: i64, price: &mut [i64], stats: &mut MinCostStats) {
        let n = self.nodes();
        let mut excess = vec![0i64; n];
        for u in 0..n {
            for a in self.arcs(u) {
                let v = self.head[a] as usize;
                if self.res[a] > 0 && self.cost[a] + price[u] - price[v] < 0 {
                    let d = self.res[a];
                    self.push(a, d);
                    excess[u] -= d;
                    excess[v] += d;
                }
            }
        }
        let mut cur: Vec<usize> = self.first[..n].to_vec();
        self.global_update(eps, price, &excess);
        stats.updates += 1;
        let mut queue: VecDeque<usize> = (0..n).filter(|&u| excess[u] > 0).collect();
        let mut since_update = 0usize;
        while let Some(u) = queue.pop_front() {
            while excess[u] > 0 {
                let end = self.first[u + 1];
                let mut a = cur[u];
                while a < end && excess[u] > 0 {
                    let v = self.head[a] as usize;
                    if self.res[a] > 0 && self.cost[a] + price[u] - price[v] < 0 {
                        let d = excess[u].min(self.res[a]);
                        self.push(a, d);
                        excess[u] -= d;
                        if excess[v] <= 0 && excess[v] + d > 0 {
                            queue.push_back(v);
                        }
                        excess[v] += d;
                        stats.pushes += 1;
                        if excess[u] == 0 {
                            break;
                        }
                    }
                    a += 1;
                }
                cur[u] = a.min(end);
                if excess[u] > 0 {
                    self.relabel(u, eps, price);
                    cur[u] = self.first[u];
                    stats.relabels += 1;
                    if u < 2 { stats.hub_relabels += 1; }
                    since_update += 1;
                }
            }
            if since_update > n * upd() {
                // Relabels move prices one arc at a time; a global update moves them all
                // to their distance from the deficits at once (the price-war cure).
                since_update = 0;
                self.global_update(eps, price, &excess);
                stats.updates += 1;
                for (u, c) in cur.iter_mut().enumerate() {
                    *c = self.first[u];
                }
            }
        }
    }

    /// Goldberg's global price update: lowers each price by ε times its distance to the
    /// nearest deficit, with arc length ⌊rc/ε⌋ + 1 (0 for admissible arcs). This keeps
    /// ε-optimality (rc' = rc + ε(d(v) − d(u)) ≥ rc − ε·len ≥ −ε) and makes an admissible
    /// path from every excess. Distances are capped at the level where the last excess was
    /// reached, which keeps the triangle inequality that argument needs.
    fn global_update(&self, eps: i64, price: &mut [i64], excess: &[i64]) {
        let n = self.nodes();
        let mut dist = vec![i64::MAX; n];
        let mut heap = std::collections::BinaryHeap::new();
        let mut waiting = 0usize;
        for v in 0..n {
            if excess[v] < 0 {
                dist[v] = 0;
                heap.push(std::cmp::Reverse((0i64, v)));
            } else if excess[v] > 0 {
                waiting += 1;
            }
        }
        let mut level = 0;
        let mut done = vec![false; n];
        while let Some(std::cmp::Reverse((d, v))) = heap.pop() {
            if done[v] || d > dist[v] {
                continue;
            }
            done[v] = true;
            level = d;
            if excess[v] > 0 {
                waiting -= 1;
                if waiting == 0 {
                    break;
                }
            }
            for a in self.arcs(v) {
                let r = self.rev[a] as usize;
                if self.res[r] <= 0 {
                    continue;
                }
                let u = self.head[a] as usize;
                if done[u] {
                    continue;
                }
                let rc = self.cost[r] + price[u] - price[v];
                let len = if rc < 0 { 0 } else { rc / eps + 1 };
                let nd = d.saturating_add(len);
                if nd < dist[u] {
                    dist[u] = nd;
                    heap.push(std::cmp::Reverse((nd, u)));
                }
            }
        }
        for v in 0..n {
            let d = if done[v] { dist[v] } else { level };
            price[v] -= d * eps;
        }
    }

    /// Lowers `u`'s price just enough that its best residual arc becomes admissible.
    fn relabel(&self, u: usize, eps: i64, price: &mut [i64]) {
        let mut best = i64::MIN;
        for a in self.arcs(u) {
            if self.res[a] > 0 {
                best = best.max(price[self.head[a] as usize] - self.cost[a]);
            }
        }
        if best > i64::MIN {
            price[u] = best - eps;
        }
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
    /// hub relabels
    pub hub_relabels: u64,
}
