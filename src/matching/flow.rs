//! An exact integer flow network in compressed adjacency form, and Dinic's max flow.
//! The min-cost algorithms on it live in `mincost.rs`.

use std::collections::VecDeque;
use std::sync::atomic::{AtomicU64, Ordering};

/// One arc to build a network from.
#[derive(Debug, Clone, Copy)]
pub struct EdgeSpec {
    /// Tail node.
    pub from: u32,
    /// Head node.
    pub to: u32,
    /// Capacity.
    pub cap: i64,
    /// Cost per unit.
    pub cost: i64,
    /// Flow already on the arc (0 ≤ flow ≤ cap).
    pub flow: i64,
}

/// Residual network: arcs of node `u` are `first[u]..first[u + 1]`, paired via `rev`.
pub struct Network {
    pub(super) first: Vec<usize>,
    pub(super) head: Vec<u32>,
    pub(super) rev: Vec<u32>,
    pub(super) res: Vec<i64>,
    pub(super) cost: Vec<i64>,
    /// Position of each input edge's forward arc.
    pos: Vec<u32>,
    /// Unique per network built, so that work derived from one is not reused on another.
    id: u64,
}

/// Source of [`Network`] ids.
static NEXT_ID: AtomicU64 = AtomicU64::new(1);

impl Network {
    /// Builds the residual network of `edges` on `n` nodes.
    pub fn new(n: usize, edges: &[EdgeSpec]) -> Network {
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
            cost[a] = e.cost;
            cost[b] = -e.cost;
            pos.push(a as u32);
        }
        Network {
            first,
            head,
            rev,
            res,
            cost,
            pos,
            id: NEXT_ID.fetch_add(1, Ordering::Relaxed),
        }
    }

    /// This network's id (never shared with another network of the process).
    pub(super) fn id(&self) -> u64 {
        self.id
    }

    /// Number of nodes.
    pub fn nodes(&self) -> usize {
        self.first.len() - 1
    }

    /// Flow on input edge `i`.
    pub fn flow(&self, i: usize) -> i64 {
        self.res[self.rev[self.pos[i] as usize] as usize]
    }

    pub(super) fn arcs(&self, u: usize) -> std::ops::Range<usize> {
        self.first[u]..self.first[u + 1]
    }

    pub(super) fn push(&mut self, a: usize, delta: i64) {
        self.res[a] -= delta;
        let r = self.rev[a] as usize;
        self.res[r] += delta;
    }

    /// Nodes reachable from `s` in the residual network.
    pub fn reachable(&self, s: usize) -> Vec<bool> {
        self.residual_search(s, true)
    }

    /// Nodes from which `t` is reachable in the residual network.
    pub fn reaching(&self, t: usize) -> Vec<bool> {
        self.residual_search(t, false)
    }

    /// Depth-first search along residual arcs (`forward`), or against them.
    fn residual_search(&self, from: usize, forward: bool) -> Vec<bool> {
        let mut seen = vec![false; self.nodes()];
        let mut stack = vec![from];
        seen[from] = true;
        while let Some(u) = stack.pop() {
            for a in self.arcs(u) {
                let v = self.head[a] as usize;
                // Arc a runs u → v; against it, v → u is residual when res[rev] > 0.
                let open = if forward {
                    self.res[a]
                } else {
                    self.res[self.rev[a] as usize]
                };
                if open > 0 && !seen[v] {
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
                // Nodes at t's level or beyond lie on no shortest path to t.
                if level[t] != u32::MAX && level[u] + 1 >= level[t] {
                    break;
                }
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
}
