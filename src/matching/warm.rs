//! Warm start: prices and pairs of a previous run, keyed by id so they survive edits.

use super::graph::Graph;
use super::problem::Prepared;
use std::collections::BTreeMap;

/// What a run leaves for the next: exact node prices, and its candidate pairs with flow.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct WarmStart {
    client_price_m: BTreeMap<String, i64>,
    helper_price_m: BTreeMap<String, i64>,
    pairs: Vec<(String, String, bool)>,
    source_price_m: i64,
    sink_price_m: i64,
}

impl WarmStart {
    /// Records the exact prices and the pairs with flow.
    pub(crate) fn capture(pb: &Prepared<'_>, g: &Graph, price: &[i64]) -> WarmStart {
        let m = |p: i64| p;
        let inst = pb.inst;
        WarmStart {
            client_price_m: g
                .clients
                .iter()
                .enumerate()
                .map(|(i, &c)| {
                    (
                        inst.clients[c as usize].id.clone(),
                        m(price[g.client_node(i)]),
                    )
                })
                .collect(),
            helper_price_m: g
                .helpers
                .iter()
                .enumerate()
                .map(|(j, &h)| {
                    (
                        inst.helpers[h as usize].id.clone(),
                        m(price[g.helper_node(j)]),
                    )
                })
                .collect(),
            pairs: g
                .pairs
                .iter()
                .map(|p| {
                    let c = &inst.clients[g.clients[p.c as usize] as usize].id;
                    let h = &inst.helpers[g.helpers[p.h as usize] as usize].id;
                    (c.clone(), h.clone(), p.flow > 0)
                })
                .collect(),
            source_price_m: m(price[super::graph::SOURCE]),
            sink_price_m: m(price[super::graph::SINK]),
        }
    }

    /// Number of candidate pairs recorded.
    pub fn pairs(&self) -> usize {
        self.pairs.len()
    }

    /// Puts the previous candidate pairs back, with their flow where it still fits; returns
    /// which clients still need a search (those the previous run did not know).
    pub(crate) fn seed(&self, pb: &Prepared<'_>, g: &mut Graph) -> Vec<bool> {
        let inst = pb.inst;
        let client_no: BTreeMap<&str, usize> = g
            .clients
            .iter()
            .enumerate()
            .map(|(i, &c)| (inst.clients[c as usize].id.as_str(), i))
            .collect();
        let helper_no: BTreeMap<&str, usize> = (0..inst.helpers.len())
            .map(|h| (inst.helpers[h].id.as_str(), h))
            .collect();
        let mut slots: Vec<i64> = g.clients.iter().map(|&c| pb.c_slots[c as usize]).collect();
        let mut room: Vec<i64> = g.helpers.iter().map(|&h| pb.h_left[h as usize]).collect();
        for (c, h, used) in &self.pairs {
            let (Some(&i), Some(&h)) = (client_no.get(c.as_str()), helper_no.get(h.as_str()))
            else {
                continue;
            };
            let j = g.helper_active[h];
            if j == u32::MAX {
                continue;
            }
            let Some(w) = pb.arc_cost(g.clients[i] as usize, h) else {
                continue;
            };
            if g.add(i as u32, j, w) && *used && slots[i] > 0 && room[j as usize] > 0 {
                slots[i] -= 1;
                room[j as usize] -= 1;
                g.set_last_flow(1);
            }
        }
        g.clients
            .iter()
            .map(|&c| {
                !self
                    .client_price_m
                    .contains_key(&inst.clients[c as usize].id)
            })
            .collect()
    }

    /// Prices for the new graph; a new client starts level with the source and a new
    /// helper with the sink, so that their source/sink arcs are tight.
    pub(crate) fn prices(&self, pb: &Prepared<'_>, g: &Graph) -> Vec<i64> {
        let s = |m: i64| m;
        let inst = pb.inst;
        let mut price = vec![0i64; g.nodes()];
        price[super::graph::SOURCE] = s(self.source_price_m);
        price[super::graph::SINK] = s(self.sink_price_m);
        for (i, &c) in g.clients.iter().enumerate() {
            let known = self.client_price_m.get(&inst.clients[c as usize].id);
            price[g.client_node(i)] = known.copied().unwrap_or(self.source_price_m);
        }
        for (j, &h) in g.helpers.iter().enumerate() {
            let known = self.helper_price_m.get(&inst.helpers[h as usize].id);
            price[g.helper_node(j)] = known.copied().unwrap_or(self.sink_price_m);
        }
        price
    }
}
