//! Property tests: the solver (and its unfilled reasons) against brute force, and the sparse
//! path against the full graph.

use super::*;

/// The client and the helper of a pair of the solution.
pub(super) fn people_of<'a>(
    inst: &'a Instance,
    a: &MatchedPair,
) -> (&'a InstanceClient, &'a InstanceHelper) {
    let c = inst.clients.iter().find(|c| c.id == a.client);
    let h = inst.helpers.iter().find(|h| h.id == a.helper);
    (c.expect("client"), h.expect("helper"))
}

/// Checks capacities, wanted, eligibility, kept pairs and the reported totals.
pub(super) fn check_feasible(inst: &Instance, s: &Solution) {
    let keep = inst.params.mode == Mode::Keep;
    let mut seen = std::collections::BTreeSet::new();
    let mut total = 0;
    for a in &s.assignments {
        assert!(
            seen.insert((a.client.clone(), a.helper.clone())),
            "pair twice"
        );
        let (c, h) = people_of(inst, a);
        let current = c.current.contains(&a.helper);
        assert_eq!(a.new, !current);
        let d = distance_m(h.lat, h.lon, c.lat, c.lon);
        let missing = c.needs.iter().filter(|n| !h.skills.contains(n)).count() as i64;
        assert_eq!(a.cost, d + inst.params.missing_skill_penalty_m * missing);
        total += a.cost;
        if !(keep && current) {
            assert!(d <= inst.params.max_distance_m, "too far");
            assert!(c.languages.is_empty() || c.languages.iter().any(|l| h.languages.contains(l)));
            assert!(
                !c.excluded_helpers.contains(&h.id),
                "rule 3: {} excludes {}",
                c.id,
                h.id
            );
            assert!(!avoids(h, c), "rule 4: {} avoids a trait of {}", h.id, c.id);
        }
    }
    assert_eq!(total, s.total_cost);
    assert_eq!(s.pairs, s.assignments.len());
    for c in &inst.clients {
        let n = s.assignments.iter().filter(|a| a.client == c.id).count() as i64;
        let kept = if keep { c.current.len() as i64 } else { 0 };
        assert!(n <= c.wanted.max(kept), "client {} over wanted", c.id);
        if keep {
            for h in &c.current {
                assert!(
                    s.assignments
                        .iter()
                        .any(|a| a.client == c.id && &a.helper == h),
                    "kept pair lost"
                );
            }
        }
        let unfilled = s.unfilled.iter().find(|u| u.client == c.id);
        assert_eq!(
            unfilled.map(|u| u.missing),
            (n < c.wanted).then_some(c.wanted - n)
        );
    }
    for h in &inst.helpers {
        let n = s.assignments.iter().filter(|a| a.helper == h.id).count() as i64;
        let kept = if keep {
            inst.clients
                .iter()
                .filter(|c| c.current.contains(&h.id))
                .count() as i64
        } else {
            0
        };
        assert!(n <= h.capacity.max(kept), "helper {} over capacity", h.id);
    }
}

/// Rule 4 by the definition: one of the home's traits is among those the helper avoids.
pub(super) fn avoids(h: &InstanceHelper, c: &InstanceClient) -> bool {
    c.home_traits.iter().any(|t| h.avoids.contains(t))
}

/// Enumerates every feasible set of new pairs: (most pairs, then least objective cost).
fn brute_force(inst: &Instance) -> (usize, i64) {
    let keep = inst.params.mode == Mode::Keep;
    let mut left: Vec<i64> = inst.helpers.iter().map(|h| h.capacity).collect();
    let mut slots: Vec<i64> = inst.clients.iter().map(|c| c.wanted).collect();
    let mut base = (0usize, 0i64);
    let mut options = Vec::new();
    for (ci, c) in inst.clients.iter().enumerate() {
        for (hi, h) in inst.helpers.iter().enumerate() {
            let d = distance_m(h.lat, h.lon, c.lat, c.lon);
            let missing = c.needs.iter().filter(|n| !h.skills.contains(n)).count() as i64;
            let cost = d + inst.params.missing_skill_penalty_m * missing;
            let current = c.current.contains(&h.id);
            if keep && current {
                left[hi] -= 1;
                slots[ci] -= 1;
                base = (base.0 + 1, base.1 + cost);
                continue;
            }
            let eligible = d <= inst.params.max_distance_m
                && (c.languages.is_empty() || c.languages.iter().any(|l| h.languages.contains(l)))
                && !c.excluded_helpers.contains(&h.id)
                && !avoids(h, c);
            if eligible {
                let change = if keep || current {
                    0
                } else {
                    inst.params.change_penalty_m
                };
                options.push((ci, hi, cost + change));
            }
        }
    }
    fn go(
        i: usize,
        opts: &[(usize, usize, i64)],
        slots: &mut [i64],
        left: &mut [i64],
        n: usize,
        cost: i64,
        best: &mut (usize, i64),
    ) {
        if i == opts.len() {
            if n > best.0 || (n == best.0 && cost < best.1) {
                *best = (n, cost);
            }
            return;
        }
        go(i + 1, opts, slots, left, n, cost, best);
        let (c, h, w) = opts[i];
        if slots[c] > 0 && left[h] > 0 {
            slots[c] -= 1;
            left[h] -= 1;
            go(i + 1, opts, slots, left, n + 1, cost + w, best);
            slots[c] += 1;
            left[h] += 1;
        }
    }
    let mut best = (0, 0);
    go(0, &options, &mut slots, &mut left, 0, 0, &mut best);
    (base.0 + best.0, base.1 + best.1)
}

/// The blocking rules of the definition (see [`Rule`]), by brute force over all helpers.
fn brute_force_rules(inst: &Instance, s: &Solution, client: &InstanceClient) -> Vec<Rule> {
    let paired = |h: &InstanceHelper| {
        s.assignments
            .iter()
            .any(|a| a.client == client.id && a.helper == h.id)
    };
    let used =
        |h: &InstanceHelper| s.assignments.iter().filter(|a| a.helper == h.id).count() as i64;
    let in_range: Vec<&InstanceHelper> = inst
        .helpers
        .iter()
        .filter(|h| distance_m(h.lat, h.lon, client.lat, client.lon) <= inst.params.max_distance_m)
        .collect();
    if in_range.is_empty() {
        return vec![Rule::Distance];
    }
    let free: Vec<&&InstanceHelper> = in_range
        .iter()
        .filter(|h| !paired(h) && h.capacity - used(h) > 0)
        .collect();
    if free.is_empty() {
        return vec![Rule::Capacity];
    }
    let breaks = |rule: Rule, h: &InstanceHelper| match rule {
        Rule::Language => {
            !client.languages.is_empty()
                && !client.languages.iter().any(|l| h.languages.contains(l))
        }
        Rule::Excluded => client.excluded_helpers.contains(&h.id),
        Rule::HomeTrait => avoids(h, client),
        Rule::Distance | Rule::Capacity => false,
    };
    for h in &free {
        assert!(
            Rule::ALL.iter().any(|&r| breaks(r, h)),
            "client {}: a free eligible helper {} left out, the flow is not maximum",
            client.id,
            h.id
        );
    }
    Rule::ALL
        .into_iter()
        .filter(|&r| free.iter().any(|h| breaks(r, h)))
        .collect()
}

/// Every short client's reported rules and reason equal the brute-force ones.
pub(super) fn check_reasons(inst: &Instance, s: &Solution) {
    for u in &s.unfilled {
        let client = inst
            .clients
            .iter()
            .find(|c| c.id == u.client)
            .expect("client");
        let want = brute_force_rules(inst, s, client);
        assert_eq!(u.rules, want, "client {}", u.client);
        assert_eq!(u.reason, describe(&want), "client {}", u.client);
    }
}

fn tiny_instance() -> impl Strategy<Value = Instance> {
    let langs = prop::sample::subsequence(vec!["da", "en", "de"], 0..=2);
    let skills = prop::sample::subsequence(SKILLS.to_vec(), 0..=3);
    // Offsets of up to ±0.15° around one point: tens of km, straddling max_distance_m.
    let traits = prop::sample::subsequence(HOME_TRAITS.to_vec(), 0..=2);
    let helper = (
        -0.15f64..0.15,
        -0.15f64..0.15,
        skills.clone(),
        langs.clone(),
        0i64..=3,
        // Most helpers avoid nothing: a trait avoided by all would leave rule 4 untested.
        prop::sample::subsequence(HOME_TRAITS.to_vec(), 0..=1),
    );
    let client = (
        -0.15f64..0.15,
        -0.15f64..0.15,
        skills,
        langs,
        0i64..=3,
        prop::collection::vec(0usize..5, 0..=2),
        (traits, prop::collection::vec(0usize..5, 0..=1)),
    );
    (
        prop::collection::vec(helper, 1..=5),
        prop::collection::vec(client, 1..=5),
        prop::bool::ANY,
        5_000i64..20_000,
        0i64..6_000,
        0i64..6_000,
    )
        .prop_map(|(hs, cs, rebalance, max_d, skill_pen, change_pen)| {
            let nh = hs.len();
            let helpers: Vec<InstanceHelper> = hs
                .into_iter()
                .enumerate()
                .map(|(i, (dlat, dlon, s, l, cap, avoid))| InstanceHelper {
                    id: format!("h{i}"),
                    lat: 56.0 + dlat,
                    lon: 10.0 + dlon,
                    skills: s.iter().map(|x| x.to_string()).collect(),
                    languages: l.iter().map(|x| x.to_string()).collect(),
                    capacity: cap,
                    avoids: avoid.iter().map(|x| x.to_string()).collect(),
                })
                .collect();
            let clients = cs
                .into_iter()
                .enumerate()
                .map(|(i, (dlat, dlon, s, l, wanted, cur, (home, excluded)))| {
                    let ids = |picked: Vec<usize>| {
                        let mut ids: Vec<String> = picked
                            .into_iter()
                            .filter(|&h| h < nh)
                            .map(|h| format!("h{h}"))
                            .collect();
                        ids.sort();
                        ids.dedup();
                        ids
                    };
                    let current = ids(cur);
                    InstanceClient {
                        id: format!("c{i}"),
                        lat: 56.0 + dlat,
                        lon: 10.0 + dlon,
                        needs: s.iter().map(|x| x.to_string()).collect(),
                        languages: l.iter().map(|x| x.to_string()).collect(),
                        wanted,
                        current,
                        excluded_helpers: ids(excluded),
                        home_traits: home.iter().map(|x| x.to_string()).collect(),
                    }
                })
                .collect();
            Instance {
                params: Params {
                    max_distance_m: max_d,
                    missing_skill_penalty_m: skill_pen,
                    mode: if rebalance {
                        Mode::Rebalance
                    } else {
                        Mode::Keep
                    },
                    change_penalty_m: change_pen,
                },
                helpers,
                clients,
            }
        })
}

/// Smallest candidate sets, so that pricing has to find nearly every pair.
pub(super) const SPARSE: Tuning = Tuning {
    base: 1,
    per_slot: 0,
    scan_limit: 1,
    add_limit: 1,
    helper_side: false,
    // Every part its own bundle: their prices must join into exact ones.
    bundle_nodes: 1,
};

/// Candidate sets so wide that they hold every eligible pair.
pub(super) const FULL: Tuning = Tuning {
    base: 100_000,
    per_slot: 0,
    scan_limit: usize::MAX,
    add_limit: usize::MAX,
    helper_side: true,
    bundle_nodes: usize::MAX,
};

proptest! {
    #![proptest_config(ProptestConfig::with_cases(3000))]

    #[test]
    fn tiny_instances_match_brute_force(inst in tiny_instance()) {
        let want = brute_force(&inst);
        for t in [Tuning::default(), SPARSE] {
            let (s, _) = run(&inst, None, t);
            check_feasible(&inst, &s);
            check_reasons(&inst, &s);
            let kept_pen = objective(&inst, &s);
            prop_assert_eq!((s.pairs, kept_pen), want);
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(40))]

    #[test]
    fn sparse_candidates_with_pricing_equal_the_full_graph(seed in 0u64..1_000_000, rebalance in prop::bool::ANY) {
        let mut inst = random_instance(seed, 150, 90, 0.5);
        inst.params.mode = if rebalance { Mode::Rebalance } else { Mode::Keep };
        let (full, _) = run(&inst, None, FULL);
        let (sparse, _) = run(&inst, None, SPARSE);
        check_feasible(&inst, &sparse);
        check_reasons(&inst, &sparse);
        prop_assert_eq!((sparse.pairs, objective(&inst, &sparse)), (full.pairs, objective(&inst, &full)));
        let (default, _) = run(&inst, None, Tuning::default());
        prop_assert_eq!((default.pairs, objective(&inst, &default)), (full.pairs, objective(&inst, &full)));
    }
}

#[test]
fn pricing_really_adds_pairs_when_candidates_are_tiny() {
    let mut added = (0, 0);
    for seed in 0..20 {
        let inst = random_instance(seed, 150, 90, 0.5);
        let (sparse, _) = run(&inst, None, SPARSE);
        let (full, _) = run(&inst, None, FULL);
        assert_eq!(
            (sparse.pairs, sparse.total_cost),
            (full.pairs, full.total_cost)
        );
        added.0 += sparse.stats.added_for_cardinality;
        added.1 += sparse.stats.added_for_cost;
    }
    assert!(added.0 > 0 && added.1 > 0, "{added:?}");
}

/// The objective the solver minimises after the pair count: cost plus change penalties.
pub(super) fn objective(inst: &Instance, s: &Solution) -> i64 {
    let penalty = if inst.params.mode == Mode::Rebalance {
        inst.params.change_penalty_m
    } else {
        0
    };
    s.total_cost + penalty * s.assignments.iter().filter(|a| a.new).count() as i64
}
