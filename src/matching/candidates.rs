//! Spatial indexes of people on the unit sphere.
//!
//! * [`HelperIndex`]: one k-d tree per group (a language, or "everybody"/"any"), so that
//!   a nearest-first query of the right groups returns only partners that pass the
//!   language rule. kiddo's immutable k-d tree answers the k nearest within a radius
//!   several times faster than an R-tree's incremental nearest-neighbour iterator, which
//!   was the largest cost of candidate finding.
//! * [`PriceIndex`]: one R-tree of 4D points, the position plus the member's price (in
//!   units of the Earth's radius); pricing queries use the envelope's largest price to
//!   skip whole subtrees that cannot hold a violating pair, and each member's skill mask
//!   to skip members whose skill penalty already rules them out.

use super::distance::{EARTH_RADIUS_M, chord2_covering, metres_below};
use kiddo::SquaredEuclidean;
use kiddo::immutable::float::kdtree::ImmutableKdTree;
use rstar::{
    AABB, RStarInsertionStrategy, RTree, RTreeParams, SelectionFunction, primitives::GeomWithData,
};
use std::cell::Cell;
use std::num::NonZero;

type Entry = GeomWithData<[f64; 4], Priced>;

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

/// People grouped (by language), each group a k-d tree over unit-sphere positions.
pub struct HelperIndex {
    /// `groups[g]` holds the members of group `g`.
    groups: Vec<NearGroup>,
}

/// The k-d tree of one group and its members' (id, skill mask), by tree item number.
struct NearGroup {
    tree: Option<ImmutableKdTree<f64, u32, 3, 32>>,
    members: Vec<(u32, u8)>,
}

/// Nearest members fetched by a query's first round; each later round fetches twice as many.
const FIRST_ROUND: usize = 32;

/// Helpers priced together: one R-tree over `[x, y, z, q]`, all languages.
pub struct PriceIndex {
    tree: RTree<Entry, WideNodes>,
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
}

/// A member of a [`PriceIndex`], as its queries return it: everything the per-pair tests
/// after a query read, so that they touch no other array.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Priced {
    /// Unit-sphere position.
    pub pos: [f64; 3],
    /// Exact price, in metres.
    pub price: i64,
    /// Helper number.
    pub id: u32,
    /// Skill mask.
    pub skills: u8,
}

/// A nearest-first query: a position and the groups to search.
pub struct Probe<'a> {
    /// Unit-sphere position.
    pub pos: [f64; 3],
    /// Groups to search.
    pub groups: &'a [u32],
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
        let mut points: Vec<Vec<[f64; 3]>> = vec![Vec::new(); group_count];
        let mut data: Vec<Vec<(u32, u8)>> = vec![Vec::new(); group_count];
        for m in members {
            for &g in m.groups {
                points[g as usize].push(m.pos);
                data[g as usize].push((m.id, m.skills));
            }
        }
        HelperIndex {
            groups: points
                .into_iter()
                .zip(data)
                .map(|(p, members)| NearGroup {
                    tree: (!p.is_empty()).then(|| ImmutableKdTree::new_from_slice(&p)),
                    members,
                })
                .collect(),
        }
    }

    /// Members of the probe's groups within `max_m`, each group nearest first, while
    /// `visit` returns true, at most `limit` per group.
    ///
    /// `visit` gets (member, its skill mask, lower bound in metres on its rounded distance).
    /// Each round re-runs the query for at least twice as many members; `limit` caps the
    /// last round, so a walk cut at 129 members fetches 32 + 64 + 129, not 32 + … + 256.
    /// `reach`, if given, is where the visitor expects the walk to end at the latest
    /// (metres, updated as it goes): when the density seen so far puts more than `limit`
    /// members within it, the next round fetches `limit` at once, skipping the rounds in
    /// between.
    pub fn nearest(
        &self,
        probe: &Probe<'_>,
        max_m: i64,
        limit: usize,
        reach: Option<&Cell<f64>>,
        mut visit: impl FnMut(u32, u8, f64) -> bool,
    ) {
        let radius2 = chord2_covering(max_m);
        for group in probe
            .groups
            .iter()
            .filter_map(|&g| self.groups.get(g as usize))
        {
            let Some(tree) = &group.tree else { continue };
            let (mut want, mut seen) = (FIRST_ROUND.min(limit), 0);
            'rounds: while let Some(n) = NonZero::new(want) {
                let found = tree.nearest_n_within::<SquaredEuclidean>(&probe.pos, radius2, n, true);
                for nn in found.iter().skip(seen) {
                    let (id, skills) = group.members[nn.item as usize];
                    if !visit(id, skills, metres_below(nn.distance)) {
                        break 'rounds;
                    }
                }
                if found.len() < want || want >= limit {
                    break;
                }
                seen = found.len();
                want = want.saturating_mul(2).min(limit);
                if let (Some(reach), Some(last)) = (reach, found.last()) {
                    // People spread over an area: members within r grow as r². The
                    // visitor's reach only shrinks as it finds better members, so a walk
                    // expected to pass the limit even so goes straight to it.
                    let (to, at) = (reach.get(), metres_below(last.distance));
                    if to.is_finite() && at > 0.0 && seen as f64 * (to / at).powi(2) >= limit as f64
                    {
                        want = limit;
                    }
                }
            }
        }
    }
}

impl PriceIndex {
    /// Indexes `members` by position and price.
    pub fn build(members: impl Iterator<Item = Priced>) -> PriceIndex {
        let entries: Vec<Entry> = members
            .map(|m| {
                let q = m.price as f64 / EARTH_RADIUS_M;
                GeomWithData::new([m.pos[0], m.pos[1], m.pos[2], q], m)
            })
            .collect();
        PriceIndex {
            tree: RTree::bulk_load_with_params(entries),
        }
    }

    /// Members within `max_m` of the box `lo..hi` that may have
    /// `price − distance − skill penalty > offset_m` for some point of the box whose
    /// querier's mask contains `skills` (give the intersection of the queriers' masks).
    ///
    /// One walk serves a whole run of neighbouring queriers: the tree walk, not the
    /// members it yields, is what a query costs.
    #[allow(clippy::too_many_arguments)]
    pub fn priced_box(
        &self,
        lo: [f64; 3],
        hi: [f64; 3],
        max_m: i64,
        offset_m: f64,
        skills: u8,
        rule: SkillRule,
        out: &mut Vec<Priced>,
    ) {
        let sel = Select {
            lo,
            hi,
            chord2: chord2_covering(max_m),
            offset_m,
            skills,
            rule,
        };
        out.extend(
            self.tree
                .locate_with_selection_function(sel)
                .map(|e| e.data),
        );
    }
}

/// Squared Euclidean gap between two axis-aligned boxes (0 where they overlap).
fn box_gap2(alo: &[f64], ahi: &[f64], blo: &[f64], bhi: &[f64]) -> f64 {
    (0..3)
        .map(|i| {
            let gap = (blo[i] - ahi[i]).max(alo[i] - bhi[i]).max(0.0);
            gap * gap
        })
        .sum()
}

#[derive(Clone)]
struct Select {
    lo: [f64; 3],
    hi: [f64; 3],
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
        let d2 = box_gap2(&self.lo, &self.hi, &lo[..3], &hi[..3]);
        self.admits(d2, hi[3], 0.0)
    }

    fn should_unpack_leaf(&self, e: &Entry) -> bool {
        let p = e.geom();
        let d2 = box_gap2(&self.lo, &self.hi, &p[..3], &p[..3]);
        self.admits(d2, p[3], self.rule.missing(self.skills, e.data.skills))
    }
}
