//! Independent parts of the candidate graph, solved side by side.
//!
//! Clients and helpers that no candidate pair links, directly or through others, meet
//! only at the source and the sink: each connected part is its own min-cost flow problem
//! (the flow value and the cost both add up over the parts). A national instance falls
//! apart into its cities, so the parts are solved in parallel, each in a network small
//! enough to stay in cache. Small parts are packed into bundles so that the work is not
//! dominated by per-part overhead.
//!
//! Each bundle's exact prices are put together into prices for the whole graph: a part's
//! prices may be shifted by a constant, so every bundle is shifted to a common source
//! price; and as no residual arc leads from the nodes that cannot reach the sink to those
//! that can (the flow is maximum), raising the latter by any amount keeps every reduced
//! cost non-negative: that lines up the sink prices too.

use super::flow::Network;
use super::graph::{Graph, Pair, SINK, SOURCE};

/// One bundle: its own graph plus the way back to the whole graph's numbers.
pub struct Bundle {
    /// The bundle's graph (active numbers local to it).
    pub graph: Graph,
    /// Whole-graph active number of each local client.
    clients: Vec<u32>,
    /// Whole-graph active number of each local helper.
    helpers: Vec<u32>,
    /// Whole-graph index of each of the bundle's initial pairs (pairs added later follow).
    pair_ids: Vec<usize>,
}

/// Splits the candidate graph into bundles of connected parts, each of at least
/// `min_nodes` client and helper nodes (except the last); nodes without any pair are
/// left out. Parts keep the order of their first client along the node order.
pub fn split(g: &Graph, min_nodes: usize) -> Vec<Bundle> {
    let nc = g.clients.len();
    let mut uf = UnionFind::new(nc + g.helpers.len());
    for p in &g.pairs {
        uf.union(p.c as usize, nc + p.h as usize);
    }
    // Bundle number of each part root, assigned in node order.
    let mut bundle_of_root = vec![u32::MAX; nc + g.helpers.len()];
    let mut has_pair = vec![false; nc + g.helpers.len()];
    for p in &g.pairs {
        has_pair[p.c as usize] = true;
        has_pair[nc + p.h as usize] = true;
    }
    let mut size = vec![0usize; nc + g.helpers.len()];
    for (v, &paired) in has_pair.iter().enumerate() {
        if paired {
            size[uf.find(v)] += 1;
        }
    }
    let (mut bundles, mut filling) = (0u32, 0usize);
    for (v, &paired) in has_pair.iter().enumerate() {
        let r = uf.find(v);
        if !paired || bundle_of_root[r] != u32::MAX {
            continue;
        }
        if filling >= min_nodes || bundles == 0 {
            bundles += 1;
            filling = 0;
        }
        bundle_of_root[r] = bundles - 1;
        filling += size[r];
    }
    let mut out: Vec<Bundle> = (0..bundles)
        .map(|_| Bundle {
            graph: Graph {
                clients: Vec::new(),
                helpers: Vec::new(),
                helper_active: Vec::new(),
                pairs: Vec::new(),
                known: Vec::new(),
                slots: Vec::new(),
                room: Vec::new(),
            },
            clients: Vec::new(),
            helpers: Vec::new(),
            pair_ids: Vec::new(),
        })
        .collect();
    let mut local = vec![u32::MAX; nc + g.helpers.len()];
    for v in 0..nc + g.helpers.len() {
        if !has_pair[v] {
            continue;
        }
        let b = &mut out[bundle_of_root[uf.find(v)] as usize];
        if v < nc {
            local[v] = b.clients.len() as u32;
            b.clients.push(v as u32);
            b.graph.clients.push(g.clients[v]);
            b.graph.slots.push(g.slots[v]);
            b.graph.known.push(Vec::new());
        } else {
            let j = v - nc;
            local[v] = b.helpers.len() as u32;
            b.helpers.push(j as u32);
            b.graph.helpers.push(g.helpers[j]);
            b.graph.room.push(g.room[j]);
        }
    }
    for (k, p) in g.pairs.iter().enumerate() {
        let b = &mut out[bundle_of_root[uf.find(p.c as usize)] as usize];
        let (c, h) = (local[p.c as usize], local[nc + p.h as usize]);
        b.graph.known[c as usize].push(h);
        b.graph.pairs.push(Pair { c, h, ..*p });
        b.pair_ids.push(k);
    }
    out
}

/// Writes the bundles' flows and new pairs back into `g`, and returns exact prices for
/// `g.network()` from each bundle's exact prices and final network.
pub fn join(g: &mut Graph, bundles: Vec<(Bundle, Vec<i64>, Network)>) -> Vec<i64> {
    let mut price = vec![0i64; g.nodes()];
    // Source at 0 everywhere; the sink at the highest of the bundles' shifted sink prices.
    let sink = bundles
        .iter()
        .map(|(_, p, _)| p[SINK] - p[SOURCE])
        .max()
        .unwrap_or(0);
    price[SINK] = sink;
    // Nodes in no bundle have no pair: level with the source (clients) or the sink
    // (helpers), their only arcs are then tight.
    for j in 0..g.helpers.len() {
        price[g.helper_node(j)] = sink;
    }
    for (b, p, net) in bundles {
        let shift = -p[SOURCE];
        let lift = sink - (p[SINK] + shift);
        let to_sink = net.reaching(SINK);
        let moved = |v: usize| p[v] + shift + if to_sink[v] { lift } else { 0 };
        for (i, &c) in b.clients.iter().enumerate() {
            price[g.client_node(c as usize)] = moved(b.graph.client_node(i));
        }
        for (j, &h) in b.helpers.iter().enumerate() {
            price[g.helper_node(h as usize)] = moved(b.graph.helper_node(j));
        }
        for (k, pair) in b.graph.pairs.iter().enumerate() {
            match b.pair_ids.get(k) {
                Some(&id) => g.pairs[id].flow = pair.flow,
                None => {
                    let (c, h) = (b.clients[pair.c as usize], b.helpers[pair.h as usize]);
                    if g.add(c, h, pair.cost) {
                        g.set_last_flow(pair.flow);
                    }
                }
            }
        }
    }
    price
}

/// Disjoint sets with path halving and union by size.
struct UnionFind {
    parent: Vec<u32>,
    size: Vec<u32>,
}

impl UnionFind {
    fn new(n: usize) -> UnionFind {
        UnionFind {
            parent: (0..n as u32).collect(),
            size: vec![1; n],
        }
    }

    fn find(&mut self, mut v: usize) -> usize {
        while self.parent[v] as usize != v {
            let up = self.parent[self.parent[v] as usize];
            self.parent[v] = up;
            v = up as usize;
        }
        v
    }

    fn union(&mut self, a: usize, b: usize) {
        let (mut a, mut b) = (self.find(a), self.find(b));
        if a == b {
            return;
        }
        if self.size[a] < self.size[b] {
            std::mem::swap(&mut a, &mut b);
        }
        self.parent[b] = a as u32;
        self.size[a] += self.size[b];
    }
}
