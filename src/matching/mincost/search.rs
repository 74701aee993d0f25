//! The reusable Dijkstra of `Network::repair`.

use super::*;

/// Reusable Dijkstra state, so that many small searches cost only what they touch.
pub(super) struct Search {
    pub(super) dist: Vec<i64>,
    pub(super) parent: Vec<u32>,
    pub(super) seen: Vec<u32>,
    pub(super) done: Vec<u32>,
    pub(super) stamp: u32,
    pub(super) settled: Vec<u32>,
    pub(super) heap: BinaryHeap<Reverse<(i64, u32)>>,
}

impl Search {
    pub(super) fn new(n: usize) -> Search {
        Search {
            dist: vec![0; n],
            parent: vec![0; n],
            seen: vec![0; n],
            done: vec![0; n],
            stamp: 0,
            settled: Vec::new(),
            heap: BinaryHeap::new(),
        }
    }

    /// Shortest reduced-cost path from `u` to the nearest deficit: (deficit, its distance).
    pub(super) fn run(
        &mut self,
        net: &Network,
        u: usize,
        price: &[i64],
        excess: &[i64],
    ) -> Option<(usize, i64)> {
        self.stamp += 1;
        let st = self.stamp;
        self.settled.clear();
        self.heap.clear();
        self.dist[u] = 0;
        self.seen[u] = st;
        self.heap.push(Reverse((0, u as u32)));
        while let Some(Reverse((d, x))) = self.heap.pop() {
            let x = x as usize;
            if self.done[x] == st || d > self.dist[x] {
                continue;
            }
            self.done[x] = st;
            self.settled.push(x as u32);
            if excess[x] < 0 {
                return Some((x, d));
            }
            for a in net.arcs(x) {
                if net.res[a] <= 0 {
                    continue;
                }
                let y = net.head[a] as usize;
                if self.done[y] == st {
                    continue;
                }
                let nd = d + net.rc(x, a, price);
                if self.seen[y] != st || nd < self.dist[y] {
                    self.seen[y] = st;
                    self.dist[y] = nd;
                    self.parent[y] = a as u32;
                    self.heap.push(Reverse((nd, y as u32)));
                }
            }
        }
        None
    }
}
