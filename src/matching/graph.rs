//! The flow graph of one solve: the open slots, the helpers with room, and the candidate
//! pairs between them (a growing subset of all eligible pairs).

use super::flow::{EdgeSpec, Network};
use super::problem::Prepared;

/// A candidate pair between active client `c` and active helper `h`.
#[derive(Debug, Clone, Copy)]
pub struct Pair {
    /// Active client number.
    pub c: u32,
    /// Active helper number.
    pub h: u32,
    /// Objective cost (including a change penalty in rebalance mode).
    pub cost: i64,
    /// 1 when the pair is in the current flow.
    pub flow: i64,
}

/// Source, sink, client and helper nodes, plus the candidate pairs.
pub struct Graph {
    /// Instance numbers of clients with open slots.
    pub clients: Vec<u32>,
    /// Instance numbers of helpers with capacity left.
    pub helpers: Vec<u32>,
    /// Active number of each instance helper, `u32::MAX` if it has no room (empty in the
    /// graph of a bundle, which never looks helpers up by instance number).
    pub helper_active: Vec<u32>,
    /// Candidate pairs.
    pub pairs: Vec<Pair>,
    /// Per active client, the active helpers it has a candidate pair with (unsorted).
    pub known: Vec<Vec<u32>>,
    /// Open slots per active client.
    pub(super) slots: Vec<i64>,
    /// Capacity left per active helper.
    pub(super) room: Vec<i64>,
}

/// Z-order (Morton) key of a position, 16 bits per coordinate.
fn morton(lat: f64, lon: f64) -> u32 {
    // Validated positions are finite and in range; `as` saturates anyway.
    let x = ((lon + 180.0) / 360.0 * 65535.0) as u32;
    let y = ((lat + 90.0) / 180.0 * 65535.0) as u32;
    spread(x) | (spread(y) << 1)
}

/// Spreads the low 16 bits of `v` to the even bit positions.
fn spread(v: u32) -> u32 {
    let mut v = v & 0xFFFF;
    v = (v | (v << 8)) & 0x00FF_00FF;
    v = (v | (v << 4)) & 0x0F0F_0F0F;
    v = (v | (v << 2)) & 0x3333_3333;
    (v | (v << 1)) & 0x5555_5555
}

/// The source node.
pub const SOURCE: usize = 0;
/// The sink node.
pub const SINK: usize = 1;

impl Graph {
    /// Nodes for every client with open slots and every helper with room; no pairs yet.
    ///
    /// Nodes are numbered along a space-filling curve (ties by input order), so that
    /// neighbours in space are neighbours in memory: the flow algorithms' arc accesses and
    /// the index queries then stay in cache. The numbering only affects speed.
    pub fn new(pb: &Prepared<'_>) -> Graph {
        let inst = pb.inst;
        let mut clients: Vec<u32> = (0..pb.c_slots.len() as u32)
            .filter(|&c| pb.c_slots[c as usize] > 0)
            .collect();
        clients.sort_by_cached_key(|&c| {
            let p = &inst.clients[c as usize];
            (morton(p.lat, p.lon), c)
        });
        let mut helpers: Vec<u32> = (0..pb.h_left.len() as u32)
            .filter(|&h| pb.h_left[h as usize] > 0)
            .collect();
        helpers.sort_by_cached_key(|&h| {
            let p = &inst.helpers[h as usize];
            (morton(p.lat, p.lon), h)
        });
        let mut helper_active = vec![u32::MAX; pb.h_left.len()];
        for (j, &h) in helpers.iter().enumerate() {
            helper_active[h as usize] = j as u32;
        }
        Graph {
            slots: clients.iter().map(|&c| pb.c_slots[c as usize]).collect(),
            room: helpers.iter().map(|&h| pb.h_left[h as usize]).collect(),
            known: vec![Vec::new(); clients.len()],
            clients,
            helpers,
            helper_active,
            pairs: Vec::new(),
        }
    }

    /// Node of active client `i`.
    pub fn client_node(&self, i: usize) -> usize {
        2 + i
    }

    /// Node of active helper `j`.
    pub fn helper_node(&self, j: usize) -> usize {
        2 + self.clients.len() + j
    }

    /// Total node count.
    pub fn nodes(&self) -> usize {
        2 + self.clients.len() + self.helpers.len()
    }

    /// Adds a candidate pair unless it is already there.
    pub fn add(&mut self, c: u32, h: u32, cost: i64) -> bool {
        let known = &mut self.known[c as usize];
        if known.contains(&h) {
            return false;
        }
        known.push(h);
        self.pairs.push(Pair {
            c,
            h,
            cost,
            flow: 0,
        });
        true
    }

    /// Puts one unit of flow on the pair added last (warm start; caller checks capacities).
    pub fn set_last_flow(&mut self, flow: i64) {
        if let Some(p) = self.pairs.last_mut() {
            p.flow = flow;
        }
    }

    /// The residual network of the current flow; edge `i < pairs.len()` is pair `i`.
    pub fn network(&self) -> Network {
        let mut used_c = vec![0i64; self.clients.len()];
        let mut used_h = vec![0i64; self.helpers.len()];
        let mut edges = Vec::with_capacity(self.pairs.len() + used_c.len() + used_h.len());
        for p in &self.pairs {
            used_c[p.c as usize] += p.flow;
            used_h[p.h as usize] += p.flow;
            edges.push(EdgeSpec {
                from: self.client_node(p.c as usize) as u32,
                to: self.helper_node(p.h as usize) as u32,
                cap: 1,
                cost: p.cost,
                flow: p.flow,
            });
        }
        for (i, &s) in self.slots.iter().enumerate() {
            edges.push(EdgeSpec {
                from: SOURCE as u32,
                to: self.client_node(i) as u32,
                cap: s,
                cost: 0,
                flow: used_c[i],
            });
        }
        for (j, &r) in self.room.iter().enumerate() {
            edges.push(EdgeSpec {
                from: self.helper_node(j) as u32,
                to: SINK as u32,
                cap: r,
                cost: 0,
                flow: used_h[j],
            });
        }
        Network::new(self.nodes(), &edges)
    }

    /// Copies the pair flows back from a solved network.
    pub fn read_flows(&mut self, net: &Network) {
        for (i, p) in self.pairs.iter_mut().enumerate() {
            p.flow = net.flow(i);
        }
    }
}
