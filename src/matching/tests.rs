//! Unit and property tests of the matching engine.

use super::pricing::Tuning;
use super::solve::run;
use super::*;
use proptest::prelude::*;

fn helper(
    id: &str,
    lat: f64,
    lon: f64,
    skills: &[&str],
    langs: &[&str],
    cap: i64,
) -> InstanceHelper {
    InstanceHelper {
        id: id.into(),
        lat,
        lon,
        skills: skills.iter().map(|s| s.to_string()).collect(),
        languages: langs.iter().map(|s| s.to_string()).collect(),
        capacity: cap,
        avoids: vec![],
    }
}

fn client(
    id: &str,
    lat: f64,
    lon: f64,
    needs: &[&str],
    langs: &[&str],
    wanted: i64,
    current: &[&str],
) -> InstanceClient {
    InstanceClient {
        id: id.into(),
        lat,
        lon,
        needs: needs.iter().map(|s| s.to_string()).collect(),
        languages: langs.iter().map(|s| s.to_string()).collect(),
        wanted,
        current: current.iter().map(|s| s.to_string()).collect(),
        excluded_helpers: vec![],
        home_traits: vec![],
    }
}

fn instance(mode: Mode, helpers: Vec<InstanceHelper>, clients: Vec<InstanceClient>) -> Instance {
    Instance {
        params: Params {
            mode,
            ..Params::default()
        },
        helpers,
        clients,
    }
}

fn pairs_of(s: &Solution) -> Vec<(String, String)> {
    s.assignments
        .iter()
        .map(|a| (a.client.clone(), a.helper.clone()))
        .collect()
}

const EXAMPLE: &str = r#"{
  "params": {"max_distance_m": 15000, "missing_skill_penalty_m": 5000,
             "mode": "keep", "change_penalty_m": 3000},
  "helpers": [{"id": "h1", "lat": 56.1567, "lon": 10.2108,
               "skills": ["cooking", "it"], "languages": ["da", "en"], "capacity": 3}],
  "clients": [{"id": "c1", "lat": 56.1620, "lon": 10.1890,
               "needs": ["it"], "languages": ["da"], "wanted": 2, "current": []}]
}"#;

#[test]
fn worked_example_matches_the_design_note() {
    let inst = Instance::from_json(EXAMPLE).expect("example parses");
    let s = solve(&inst);
    assert_eq!(s.pairs, 1);
    assert_eq!(s.total_cost, 1473);
    assert_eq!(
        s.assignments,
        vec![MatchedPair {
            client: "c1".into(),
            helper: "h1".into(),
            cost: 1473,
            new: true
        }]
    );
    assert_eq!(s.unfilled.len(), 1);
    assert_eq!(s.unfilled[0].missing, 1);
    assert_eq!(s.unfilled[0].reason, REASON_ALL_FULL);
    assert_eq!(s.stats.eligible_pairs, 1);
}

#[test]
fn params_languages_and_current_may_be_left_out() {
    let text = r#"{"helpers": [{"id": "h", "lat": 0, "lon": 0, "capacity": 2}],
                   "clients": [{"id": "c", "lat": 0, "lon": 0.01, "wanted": 2}]}"#;
    let inst = Instance::from_json(text).expect("parses");
    assert_eq!(inst.params, Params::default());
    assert_eq!(solve(&inst).pairs, 1);
}

#[test]
fn invalid_instances_name_the_offending_entry() {
    let cases = [
        (
            r#"{"helpers":[{"id":"h","lat":91,"lon":0,"capacity":1}],"clients":[]}"#,
            "\"h\": lat",
        ),
        (
            r#"{"helpers":[{"id":"h","lat":0,"lon":0,"capacity":-1}],"clients":[]}"#,
            "capacity",
        ),
        (
            r#"{"helpers":[{"id":"h","lat":0,"lon":0,"capacity":1},{"id":"h","lat":0,"lon":0,"capacity":1}],"clients":[]}"#,
            "duplicate helper id \"h\"",
        ),
        (
            r#"{"helpers":[{"id":"h","lat":0,"lon":0,"capacity":1,"skills":["juggling"]}],"clients":[]}"#,
            "juggling",
        ),
        (
            r#"{"helpers":[],"clients":[{"id":"c","lat":0,"lon":0,"wanted":1,"current":["x"]}]}"#,
            "\"x\" does not exist",
        ),
        (
            r#"{"helpers":[{"id":"h","lat":0,"lon":0,"capacity":1}],"clients":[{"id":"c","lat":0,"lon":0,"wanted":1,"current":["h","h"]}]}"#,
            "twice",
        ),
        (
            r#"{"params":{"mode":"shuffle"},"helpers":[],"clients":[]}"#,
            "shuffle",
        ),
        (
            r#"{"params":{"max_distance_m":-5},"helpers":[],"clients":[]}"#,
            "max_distance_m",
        ),
        (
            r#"{"helpers":[],"clients":[{"id":"c","lat":0,"lon":0,"wanted":1.5}]}"#,
            "JSON",
        ),
    ];
    for (text, needle) in cases {
        let err = Instance::from_json(text).expect_err(text).to_string();
        assert!(err.contains(needle), "{err:?} should mention {needle:?}");
    }
}

#[test]
fn rounding_is_half_away_from_zero_per_pair() {
    // 0.00001° of latitude is 1.1119 m; the rule rounds the metres, not the degrees.
    assert_eq!(distance_m(0.0, 0.0, 0.00001, 0.0), 1);
    assert_eq!(distance_m(0.0, 0.0, 0.0, 0.0), 0);
    let d = geo_metres(0.0, 0.0, 0.0, 0.0044966);
    assert_eq!(distance_m(0.0, 0.0, 0.0, 0.0044966), d.round() as i64);
}

fn geo_metres(a: f64, b: f64, c: f64, d: f64) -> f64 {
    use geo::{Distance, Haversine, Point};
    Haversine.distance(Point::new(b, a), Point::new(d, c))
}

#[test]
fn eligibility_uses_the_rounded_distance() {
    // Put the client exactly so that the raw distance is just above the limit but rounds to it.
    let lon = 15_000.4 / 6_371_008.8_f64 * 180.0 / std::f64::consts::PI;
    assert_eq!(distance_m(0.0, 0.0, 0.0, lon), 15_000);
    let inst = instance(
        Mode::Keep,
        vec![helper("h", 0.0, 0.0, &[], &[], 1)],
        vec![client("c", 0.0, lon, &[], &[], 1, &[])],
    );
    assert_eq!(solve(&inst).pairs, 1);
}

#[test]
fn language_rule_and_unfilled_reasons() {
    let inst = instance(
        Mode::Keep,
        vec![
            helper("h_da", 55.0, 12.0, &[], &["da"], 1),
            helper("h_en", 55.0, 12.01, &[], &["en"], 0),
        ],
        vec![
            client("any", 55.0, 12.02, &[], &[], 1, &[]),
            client("far", 60.0, 12.0, &[], &[], 1, &[]),
            client("tr", 55.0, 12.0, &[], &["tr"], 1, &[]),
            client("en", 55.0, 12.0, &[], &["en"], 1, &[]),
        ],
    );
    let s = solve(&inst);
    assert_eq!(pairs_of(&s), vec![("any".into(), "h_da".into())]);
    let reasons: Vec<(&str, &str)> = s
        .unfilled
        .iter()
        .map(|u| (u.client.as_str(), u.reason.as_str()))
        .collect();
    // "tr": nobody speaks Turkish, but every helper in range is full, and capacity is
    // checked before the pair rules.
    assert_eq!(
        reasons,
        vec![
            ("en", REASON_ALL_FULL),
            ("far", REASON_NO_HELPER_IN_RANGE),
            ("tr", REASON_ALL_FULL)
        ]
    );
}

/// Feeds a solution back as `current`.
fn with_current(inst: &Instance, s: &Solution) -> Instance {
    let mut next = inst.clone();
    for c in &mut next.clients {
        c.current = s
            .assignments
            .iter()
            .filter(|a| a.client == c.id)
            .map(|a| a.helper.clone())
            .collect();
    }
    next
}

#[test]
fn solving_again_with_the_solution_as_current_changes_nothing() {
    let inst = random_instance(7, 60, 40, 0.3);
    for mode in [Mode::Keep, Mode::Rebalance] {
        let mut i = inst.clone();
        i.params.mode = mode;
        let first = solve(&i);
        let again = solve(&with_current(&i, &first));
        assert_eq!(pairs_of(&again), pairs_of(&first), "{mode:?}");
        assert!(again.assignments.iter().all(|a| !a.new));
    }
}

#[test]
fn the_same_input_gives_the_same_output() {
    let inst = random_instance(11, 80, 50, 0.3);
    let (a, b) = (solve(&inst), solve(&inst));
    assert_eq!(a.assignments, b.assignments);
    assert_eq!(a.unfilled, b.unfilled);
}

#[test]
fn explain_reports_distance_skills_and_languages() {
    let inst = Instance::from_json(EXAMPLE).expect("parses");
    let e = explain(&inst, &solve(&inst));
    assert_eq!(e.len(), 1);
    assert_eq!(e[0].distance_m, 1473);
    assert_eq!(e[0].skills_covered, vec!["it".to_string()]);
    assert!(e[0].skills_missing.is_empty());
    assert_eq!(e[0].shared_languages, vec!["da".to_string()]);
    assert!(e[0].new && e[0].eligible);
}

#[test]
fn warm_re_solve_after_a_small_change_is_exact() {
    let inst = random_instance(5, 300, 150, 0.6);
    let (_, state) = solve_with_state(&inst);
    let mut changed = inst.clone();
    changed.helpers.remove(3);
    for c in &mut changed.clients {
        c.current
            .retain(|h| changed.helpers.iter().any(|x| &x.id == h));
    }
    changed
        .clients
        .push(client("new", 55.7, 12.5, &["it"], &[], 3, &[]));
    let (warm, _) = solve_warm(&changed, &state);
    let cold = solve(&changed);
    assert_eq!((warm.pairs, warm.total_cost), (cold.pairs, cold.total_cost));
}

/// Clustered random instance around Copenhagen; `spread` in degrees.
fn random_instance(seed: u64, clients: usize, helpers: usize, spread: f64) -> Instance {
    let mut x = seed
        .wrapping_mul(6364136223846793005)
        .wrapping_add(1442695040888963407);
    let mut next = move || {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        (x >> 11) as f64 / (1u64 << 53) as f64
    };
    let langs = ["da", "en", "de"];
    let pick = |n: usize, r: &mut dyn FnMut() -> f64| -> Vec<String> {
        (0..n)
            .filter(|_| r() < 0.4)
            .map(|i| SKILLS[i].to_string())
            .collect()
    };
    let mut hs = Vec::new();
    for i in 0..helpers {
        let skills = pick(7, &mut next);
        let lang: Vec<String> = langs
            .iter()
            .filter(|_| next() < 0.5)
            .map(|s| s.to_string())
            .collect();
        hs.push(InstanceHelper {
            id: format!("h{i:04}"),
            lat: 55.7 + (next() - 0.5) * spread,
            lon: 12.5 + (next() - 0.5) * spread * 1.7,
            skills,
            languages: lang,
            capacity: (next() * 4.0) as i64,
            avoids: vec![],
        });
    }
    let mut cs = Vec::new();
    for i in 0..clients {
        let needs = pick(3, &mut next);
        let lang: Vec<String> = langs
            .iter()
            .filter(|_| next() < 0.3)
            .map(|s| s.to_string())
            .collect();
        let current: Vec<String> = (0..helpers)
            .filter(|_| next() < 2.0 / helpers as f64)
            .map(|h| format!("h{h:04}"))
            .collect();
        cs.push(InstanceClient {
            id: format!("c{i:04}"),
            lat: 55.7 + (next() - 0.5) * spread,
            lon: 12.5 + (next() - 0.5) * spread * 1.7,
            needs,
            languages: lang,
            wanted: 1 + (next() * 3.0) as i64,
            current,
            excluded_helpers: vec![],
            home_traits: vec![],
        });
    }
    Instance {
        params: Params::default(),
        helpers: hs,
        clients: cs,
    }
}

#[path = "tests_prop.rs"]
mod properties;
#[path = "tests_reasons.rs"]
mod reasons;
#[path = "tests_rules.rs"]
mod rules;

#[test]
fn initial_candidates_reach_past_the_scan_limit_for_helpers_with_the_needed_skills() {
    use super::graph::Graph;
    use super::pricing::{add_nearest, helper_index};
    use super::problem::Prepared;
    // 200 helpers next door without the client's skills (each pair 10 km of penalty), and
    // two with them 3.3 and 3.7 km away: the nearest-first walk stops at the scan limit
    // (128) among the neighbours, the search by skill mask must still find the two.
    let mut helpers: Vec<InstanceHelper> = (0..200)
        .map(|i| {
            let lat = 56.0 + 0.00002 * f64::from(i);
            helper(&format!("n{i}"), lat, 10.0, &["gardening"], &[], 3)
        })
        .collect();
    helpers.push(helper("far1", 56.03, 10.0, &["it", "cooking"], &[], 3));
    helpers.push(helper(
        "far2",
        56.0,
        10.06,
        &["it", "cooking", "transport"],
        &[],
        3,
    ));
    let clients = vec![client("c", 56.0, 10.0, &["it", "cooking"], &[], 2, &[])];
    let inst = instance(Mode::Keep, helpers, clients);
    let pb = Prepared::new(&inst);
    let mut g = Graph::new(&pb);
    let t = Tuning::default();
    let idx = helper_index(&pb, &g, |_| true);
    add_nearest(&pb, &mut g, &idx, t, &[true]);
    let mut got: Vec<(i64, u32)> = g.pairs.iter().map(|p| (p.cost, p.h)).collect();
    got.sort_unstable();
    // The k cheapest of all eligible pairs, by brute force.
    let mut want: Vec<(i64, u32)> = (0..g.helpers.len())
        .filter_map(|j| pb.arc_cost(0, g.helpers[j] as usize).map(|w| (w, j as u32)))
        .collect();
    want.sort_unstable();
    want.truncate(t.base + t.per_slot * 2);
    assert_eq!(got, want);
    assert_eq!(got[0].0, 3336, "far1 is the cheapest: {got:?}");
}
