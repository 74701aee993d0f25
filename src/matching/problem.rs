//! The instance turned into numbers: positions, skill masks, language ids, open slots,
//! and the pair rules (eligibility and cost) of matching.md.

use super::candidates::{Member, Probe};
use super::distance::{Site, unit_vector};
use super::instance::{Instance, Mode, skill_mask, trait_mask};
use super::solution::Rule;
use std::collections::BTreeMap;

/// Prepared instance; helpers and clients keep their input order and numbers.
pub struct Prepared<'a> {
    /// The input.
    pub inst: &'a Instance,
    /// Number of distinct helper languages.
    pub language_count: usize,
    h_groups_shared: u32,
    /// Helper positions on the unit sphere.
    pub h_pos: Vec<[f64; 3]>,
    /// Helper positions for the exact distance (kept compact: this is the hot loop's data).
    h_site: Vec<Site>,
    /// Client positions for the exact distance.
    c_site: Vec<Site>,
    /// Helper language ids, sorted.
    pub h_langs: Vec<Vec<u32>>,
    /// Index groups of a helper: its languages plus the shared group `language_count`.
    h_groups: Vec<Vec<u32>>,
    /// Index groups of a client: its languages, or the shared group if it takes any.
    c_groups: Vec<Vec<u32>>,
    /// Capacity left for new pairs.
    pub h_left: Vec<i64>,
    /// Helper skill masks.
    pub h_skills: Vec<u8>,
    /// Client positions on the unit sphere.
    pub c_pos: Vec<[f64; 3]>,
    /// Client language ids (only languages some helper speaks); `None` = any language.
    pub c_langs: Vec<Option<Vec<u32>>>,
    /// Slots to fill with new pairs.
    pub c_slots: Vec<i64>,
    /// Current helpers of each client, as sorted helper numbers.
    pub c_current: Vec<Vec<u32>>,
    /// Client need masks.
    pub c_needs: Vec<u8>,
    /// Helpers each client excludes (rule 3), as sorted helper numbers.
    c_excluded: Vec<Vec<u32>>,
    /// Client home-trait masks (rule 4).
    c_traits: Vec<u8>,
    /// Helper avoided-trait masks (rule 4).
    h_avoids: Vec<u8>,
    /// Per client: do most helpers pass its language rule? (See [`Prepared::searches_all`].)
    c_common: Vec<bool>,
    /// Per helper: do most clients pass the language rule with it?
    h_common: Vec<bool>,
}

impl<'a> Prepared<'a> {
    /// Prepares a validated instance.
    pub fn new(inst: &'a Instance) -> Prepared<'a> {
        let mut lang_ids: BTreeMap<&str, u32> = BTreeMap::new();
        for h in &inst.helpers {
            for l in &h.languages {
                let next = lang_ids.len() as u32;
                lang_ids.entry(l.as_str()).or_insert(next);
            }
        }
        let ids = |ls: &[String]| {
            let mut v: Vec<u32> = ls
                .iter()
                .filter_map(|l| lang_ids.get(l.as_str()).copied())
                .collect();
            v.sort_unstable();
            v.dedup();
            v
        };
        let helper_no: BTreeMap<&str, u32> = inst
            .helpers
            .iter()
            .enumerate()
            .map(|(i, h)| (h.id.as_str(), i as u32))
            .collect();
        let numbers = |ids: &[String]| {
            let mut v: Vec<u32> = ids
                .iter()
                .filter_map(|id| helper_no.get(id.as_str()).copied())
                .collect();
            v.sort_unstable();
            v.dedup();
            v
        };
        let c_current: Vec<Vec<u32>> = inst.clients.iter().map(|c| numbers(&c.current)).collect();
        let c_excluded: Vec<Vec<u32>> = inst
            .clients
            .iter()
            .map(|c| numbers(&c.excluded_helpers))
            .collect();
        let keep = inst.params.mode == Mode::Keep;
        let mut kept = vec![0i64; inst.helpers.len()];
        if keep {
            for &h in c_current.iter().flatten() {
                kept[h as usize] += 1;
            }
        }
        let language_count = lang_ids.len() as u32;
        let mut helpers_with = vec![0usize; lang_ids.len()];
        let mut clients_with = vec![0usize; lang_ids.len()];
        let h_langs: Vec<Vec<u32>> = inst.helpers.iter().map(|h| ids(&h.languages)).collect();
        let c_langs: Vec<Option<Vec<u32>>> = inst
            .clients
            .iter()
            .map(|c| (!c.languages.is_empty()).then(|| ids(&c.languages)))
            .collect();
        for l in h_langs.iter().flatten() {
            helpers_with[*l as usize] += 1;
        }
        let open_clients = c_langs.iter().filter(|l| l.is_none()).count();
        for l in c_langs.iter().flatten().flatten() {
            clients_with[*l as usize] += 1;
        }
        // Half of the other side: a search of everybody that skips the other languages
        // then costs at most about twice a search of the right groups, and saves a walk
        // per group.
        let most = |with: usize, of: usize| 2 * with >= of;
        let c_common = c_langs
            .iter()
            .map(|l| match l {
                None => true,
                Some(ls) => ls
                    .iter()
                    .any(|&l| most(helpers_with[l as usize], inst.helpers.len())),
            })
            .collect();
        let h_common = h_langs
            .iter()
            .map(|ls| {
                let best = ls.iter().map(|&l| clients_with[l as usize]).max();
                most(open_clients + best.unwrap_or(0), inst.clients.len())
            })
            .collect();
        Prepared {
            c_common,
            h_common,
            inst,
            h_groups: h_langs
                .iter()
                .map(|l| l.iter().copied().chain([language_count]).collect())
                .collect(),
            c_groups: c_langs
                .iter()
                .map(|l| l.clone().unwrap_or_else(|| vec![language_count]))
                .collect(),
            language_count: lang_ids.len(),
            h_groups_shared: language_count,
            h_pos: inst
                .helpers
                .iter()
                .map(|h| unit_vector(h.lat, h.lon))
                .collect(),
            h_site: inst
                .helpers
                .iter()
                .map(|h| Site::new(h.lat, h.lon))
                .collect(),
            c_site: inst
                .clients
                .iter()
                .map(|c| Site::new(c.lat, c.lon))
                .collect(),
            h_langs,
            h_left: inst
                .helpers
                .iter()
                .zip(&kept)
                .map(|(h, k)| (h.capacity - k).max(0))
                .collect(),
            h_skills: inst.helpers.iter().map(|h| skill_mask(&h.skills)).collect(),
            c_pos: inst
                .clients
                .iter()
                .map(|c| unit_vector(c.lat, c.lon))
                .collect(),
            c_langs,
            c_slots: inst
                .clients
                .iter()
                .zip(&c_current)
                .map(|(c, cur)| {
                    if keep {
                        (c.wanted - cur.len() as i64).max(0)
                    } else {
                        c.wanted
                    }
                })
                .collect(),
            c_current,
            c_needs: inst.clients.iter().map(|c| skill_mask(&c.needs)).collect(),
            c_excluded,
            c_traits: inst
                .clients
                .iter()
                .map(|c| trait_mask(&c.home_traits))
                .collect(),
            h_avoids: inst.helpers.iter().map(|h| trait_mask(&h.avoids)).collect(),
        }
    }

    /// Whether pairs that are already current stay fixed.
    pub fn keep(&self) -> bool {
        self.inst.params.mode == Mode::Keep
    }

    /// Rounded haversine distance of client `c` and helper `h`.
    pub fn distance(&self, c: usize, h: usize) -> i64 {
        self.h_site[h].distance_m(&self.c_site[c])
    }

    /// Number of needed skills the helper lacks.
    pub fn missing_skills(&self, c: usize, h: usize) -> i64 {
        (self.c_needs[c] & !self.h_skills[h]).count_ones() as i64
    }

    /// `cost(h, c)` of matching.md, without change penalty.
    pub fn cost(&self, c: usize, h: usize) -> i64 {
        self.cost_at(c, h, self.distance(c, h))
    }

    fn cost_at(&self, c: usize, h: usize, d: i64) -> i64 {
        d + self.inst.params.missing_skill_penalty_m * self.missing_skills(c, h)
    }

    /// Is `h` among `c`'s current helpers?
    pub fn is_current(&self, c: usize, h: usize) -> bool {
        self.c_current[c].binary_search(&(h as u32)).is_ok()
    }

    /// The language rule: the client lists none, or they share one.
    pub fn shares_language(&self, c: usize, h: usize) -> bool {
        match &self.c_langs[c] {
            None => true,
            Some(ls) => ls.iter().any(|l| self.h_langs[h].binary_search(l).is_ok()),
        }
    }

    /// Rule 3: the client excludes this helper.
    pub fn excludes(&self, c: usize, h: usize) -> bool {
        !self.c_excluded[c].is_empty() && self.c_excluded[c].binary_search(&(h as u32)).is_ok()
    }

    /// Rule 4: the home has a trait the helper avoids.
    pub fn avoids_home(&self, c: usize, h: usize) -> bool {
        self.c_traits[c] & self.h_avoids[h] != 0
    }

    /// Does pair (c, h) break `rule`? The one place a pair rule is decided for reasons and
    /// explanations (the solver's hot loops test the same rules inline, see `arc_cost`).
    pub fn breaks(&self, rule: Rule, c: usize, h: usize) -> bool {
        match rule {
            Rule::Distance => self.distance(c, h) > self.inst.params.max_distance_m,
            Rule::Language => !self.shares_language(c, h),
            Rule::Excluded => self.excludes(c, h),
            Rule::HomeTrait => self.avoids_home(c, h),
            // A helper's limit, not a pair's: decided from the capacity left after a solve.
            Rule::Capacity => false,
        }
    }

    /// Every hard pair rule of matching.md holds.
    pub fn eligible(&self, c: usize, h: usize) -> bool {
        !Rule::PAIR.iter().any(|&rule| self.breaks(rule, c, h))
    }

    /// Objective cost of adding pair (c, h) to the flow, or `None` if it may not be added.
    ///
    /// In keep mode a current pair is fixed outside the flow; in rebalance mode a pair
    /// that is not current pays the change penalty.
    pub fn arc_cost(&self, c: usize, h: usize) -> Option<i64> {
        if !self.shares_language(c, h) {
            return None;
        }
        self.arc_cost_language_ok(c, h)
    }

    /// [`Prepared::arc_cost`] for a pair whose language rule is already known to hold
    /// (it came from a language-grouped index query).
    pub fn arc_cost_language_ok(&self, c: usize, h: usize) -> Option<i64> {
        // Rules 3 and 4 before the haversine: two masks and, for the few clients who exclude
        // anyone, a search of a list of one or two.
        if self.avoids_home(c, h) || self.excludes(c, h) {
            return None;
        }
        let d = self.distance(c, h);
        if d > self.inst.params.max_distance_m {
            return None;
        }
        let current = self.is_current(c, h);
        if self.keep() && current {
            return None;
        }
        let change = if current { 0 } else { self.change_penalty() };
        Some(self.cost_at(c, h, d) + change)
    }

    /// What every pair that is not current pays on top of its cost (0 in keep mode).
    pub fn change_penalty(&self) -> i64 {
        if self.keep() {
            0
        } else {
            self.inst.params.change_penalty_m
        }
    }

    /// Number of index groups: one per language plus the shared one.
    pub fn group_count(&self) -> usize {
        self.language_count + 1
    }

    /// Whether client `c` looks for candidates among all helpers (skipping those the
    /// language rule excludes) rather than walking one language group after another.
    pub fn searches_all(&self, c: usize) -> bool {
        self.c_common[c]
    }

    /// Whether helper `h` looks for candidates among all clients (see `searches_all`).
    pub fn helper_searches_all(&self, h: usize) -> bool {
        self.h_common[h]
    }

    /// Client `c` searching a helper index.
    pub fn probe(&self, c: usize) -> Probe<'_> {
        Probe {
            pos: self.c_pos[c],
            groups: &self.c_groups[c],
        }
    }

    /// Client `c` searching a helper index of every language.
    pub fn probe_any_language(&self, c: usize) -> Probe<'_> {
        Probe {
            pos: self.c_pos[c],
            groups: std::slice::from_ref(&self.h_groups_shared),
        }
    }

    /// Helper `h` searching a client index.
    pub fn helper_probe(&self, h: usize) -> Probe<'_> {
        Probe {
            pos: self.h_pos[h],
            groups: &self.h_groups[h],
        }
    }

    /// Helper `h` as a member of a helper index, returned as `id`.
    pub fn helper_member(&self, h: usize, id: u32) -> Member<'_> {
        Member {
            id,
            pos: self.h_pos[h],
            groups: &self.h_groups[h],
            skills: self.h_skills[h],
        }
    }

    /// Client `c` as a member of a client index, returned as `id`.
    pub fn client_member(&self, c: usize, id: u32) -> Member<'_> {
        Member {
            id,
            pos: self.c_pos[c],
            groups: &self.c_groups[c],
            skills: self.c_needs[c],
        }
    }

    /// Penalty in metres for the missing skills of a pair, from the two masks.
    pub fn skill_penalty(&self, needs: u8, skills: u8) -> i64 {
        (needs & !skills).count_ones() as i64 * self.inst.params.missing_skill_penalty_m
    }
}
