//! Spatial index of people: one R-tree per group (a language, or "everybody"/"any"), so
//! that a query of the right groups returns only partners that pass the language rule.
//!
//! Points are 4D: the unit-sphere position plus a per-member weight `q` (a price in units
//! of the Earth's radius). Plain distance queries ignore `q`; pricing queries use the
//! envelope's largest `q` to skip whole subtrees that cannot hold a violating pair, and
//! each member's skill mask to skip members whose skill penalty already rules them out.

use super::distance::{EARTH_RADIUS_M, chord2_covering, metres_below};
use rstar::{
    AABB, RStarInsertionStrategy, RTree, RTreeParams, SelectionFunction, primitives::GeomWithData,
};

type Entry = GeomWithData<[f64; 4], (u32, u8)>;

/// Wider nodes than rstar's default (6): a shallower tree makes nearest-first
/// iteration, the hot loop of candidate finding, markedly cheaper.
struct WideNodes;

impl RTreeParams for WideNodes {
    const MIN_SIZE: usize = NODE_SIZE / 2;
    const MAX_SIZE: usize = NODE_SIZE;
    const REINSERTION_COUNT: usize = NODE_SIZE / 4;
    type DefaultInsertionStrategy = RStarInsertionStrategy;
}

const NODE_SIZE: usize = 16;

/// People grouped (by language), each group an R-tree over `[x, y, z, q]`.
pub struct HelperIndex {
    /// `trees[g]` holds the members of group `g`.
    trees: Vec<RTree<Entry, WideNodes>>,
}

/// One member of an index.
pub struct Member<'a> {
    /// Helper or client number, returned by queries.
    pub id: u32,
    /// Unit-sphere position.
    pub pos: [f64; 3],
    /// Groups the member is filed under.
    pub groups: &'a [u32],
    /// Skills (helpers) or needs (clients), as a mask.
    pub skills: u8,
    /// Weight, in Earth radii (0 for plain distance queries).
    pub q: f64,
}

/// A query: a position, the groups to search, and the querier's skill mask.
pub struct Probe<'a> {
    /// Unit-sphere position.
    pub pos: [f64; 3],
    /// Groups to search.
    pub groups: &'a [u32],
    /// Needs (client querying helpers) or skills (helper querying clients).
    pub skills: u8,
}

/// Penalty of a pair from the two skill masks; which side is which is fixed per index.
#[derive(Clone, Copy)]
pub struct SkillRule {
    /// Metres per missing skill.
    pub penalty_m: f64,
    /// True when members are clients (their mask is the needs).
    pub members_need: bool,
}

impl SkillRule {
    fn missing(&self, probe: u8, member: u8) -> f64 {
        let (needs, has) = if self.members_need {
            (member, probe)
        } else {
            (probe, member)
        };
        (needs & !has).count_ones() as f64 * self.penalty_m
    }
}

impl HelperIndex {
    /// Indexes `members` into `group_count` trees.
    pub fn build<'a>(group_count: usize, members: impl Iterator<Item = Member<'a>>) -> HelperIndex {
        let mut groups: Vec<Vec<Entry>> = vec![Vec::new(); group_count];
        for m in members {
            let e = GeomWithData::new([m.pos[0], m.pos[1], m.pos[2], m.q], (m.id, m.skills));
            for &g in m.groups {
                groups[g as usize].push(e);
            }
        }
        HelperIndex {
            trees: groups
                .into_iter()
                .map(RTree::bulk_load_with_params)
                .collect(),
        }
    }

    fn trees_for<'s>(
        &'s self,
        probe: &Probe<'_>,
    ) -> impl Iterator<Item = &'s RTree<Entry, WideNodes>> {
        probe
            .groups
            .iter()
            .filter_map(|&g| self.trees.get(g as usize))
    }

    /// Helpers in language-compatible trees, nearest first, while `visit` returns true.
    ///
    /// `visit` gets (member, its skill mask, lower bound in metres on its rounded distance).
    pub fn nearest(&self, probe: &Probe<'_>, mut visit: impl FnMut(u32, u8, f64) -> bool) {
        let q = [probe.pos[0], probe.pos[1], probe.pos[2], 0.0];
        for tree in self.trees_for(probe) {
            // Nearest-first queries run on indexes built with q = 0, so the 4D distance
            // the iterator reports is the squared chord.
            for (e, d2) in tree.nearest_neighbor_iter_with_distance_2(&q) {
                if !visit(e.data.0, e.data.1, metres_below(d2)) {
                    break;
                }
            }
        }
    }

    /// Members within `max_m` that may have `q·R − distance − skill penalty > offset_m`.
    ///
    /// Duplicates across trees are possible; the caller removes them.
    pub fn priced(
        &self,
        probe: &Probe<'_>,
        max_m: i64,
        offset_m: f64,
        rule: SkillRule,
        out: &mut Vec<u32>,
    ) {
        let sel = Select {
            pos: probe.pos,
            chord2: chord2_covering(max_m),
            offset_m,
            skills: probe.skills,
            rule,
        };
        for tree in self.trees_for(probe) {
            out.extend(
                tree.locate_with_selection_function(sel.clone())
                    .map(|e| e.data.0),
            );
        }
    }
}

#[derive(Clone)]
struct Select {
    pos: [f64; 3],
    chord2: f64,
    offset_m: f64,
    skills: u8,
    rule: SkillRule,
}

impl Select {
    /// May a point (or a box) at squared chord `d2` with largest weight `q` qualify?
    fn admits(&self, d2: f64, q: f64, penalty: f64) -> bool {
        // Slack of 1 m: float error on q·R is many orders of magnitude smaller.
        d2 <= self.chord2 && q * EARTH_RADIUS_M - metres_below(d2) - penalty + 1.0 > self.offset_m
    }
}

impl SelectionFunction<Entry> for Select {
    fn should_unpack_parent(&self, env: &AABB<[f64; 4]>) -> bool {
        let (lo, hi) = (env.lower(), env.upper());
        let d2: f64 = (0..3)
            .map(|i| {
                let x = self.pos[i];
                let gap = if x < lo[i] {
                    lo[i] - x
                } else if x > hi[i] {
                    x - hi[i]
                } else {
                    0.0
                };
                gap * gap
            })
            .sum();
        self.admits(d2, hi[3], 0.0)
    }

    fn should_unpack_leaf(&self, e: &Entry) -> bool {
        let p = e.geom();
        let d2: f64 = (0..3).map(|i| (p[i] - self.pos[i]).powi(2)).sum();
        self.admits(d2, p[3], self.rule.missing(self.skills, e.data.1))
    }
}
