//! Why a client is left short, and what keep and rebalance modes do to current pairs.

use super::*;

/// The rules and reason reported for `client` (panics if it is not short).
fn blocked(s: &Solution, client: &str) -> (Vec<Rule>, String, i64) {
    let u = s
        .unfilled
        .iter()
        .find(|u| u.client == client)
        .expect("client reported short");
    (u.rules.clone(), u.reason.clone(), u.missing)
}

#[test]
fn a_free_helper_without_a_shared_language_is_the_reason_when_the_one_who_shares_is_full() {
    // a: in range, speaks da, but its one unit is kept by "other". b: in range, free, en only.
    let inst = instance(
        Mode::Keep,
        vec![
            helper("a", 55.0, 12.0, &[], &["da"], 1),
            helper("b", 55.0, 12.01, &[], &["en"], 3),
        ],
        vec![
            client("other", 55.0, 12.0, &[], &["da"], 1, &["a"]),
            client("c", 55.0, 12.002, &[], &["da"], 2, &[]),
        ],
    );
    let s = solve(&inst);
    assert_eq!(pairs_of(&s), vec![("other".into(), "a".into())]);
    assert_eq!(
        blocked(&s, "c"),
        (
            vec![Rule::Language],
            REASON_NO_SHARED_LANGUAGE.to_string(),
            2
        )
    );
}

#[test]
fn nobody_in_range_is_the_distance_reason_even_beside_a_kept_pair_from_afar() {
    let inst = instance(
        Mode::Keep,
        vec![
            helper("old", 56.0, 12.0, &[], &[], 3),
            helper("far", 56.0, 12.1, &[], &[], 3),
        ],
        vec![client("c", 55.0, 12.0, &[], &[], 2, &["old"])],
    );
    let s = solve(&inst);
    assert_eq!(
        blocked(&s, "c"),
        (
            vec![Rule::Distance],
            REASON_NO_HELPER_IN_RANGE.to_string(),
            1
        )
    );
}

#[test]
fn every_helper_in_range_full_is_the_capacity_reason_whatever_their_languages() {
    // Both are full after the solution, one of them does not even share a language.
    let inst = instance(
        Mode::Keep,
        vec![
            helper("da", 55.0, 12.0, &[], &["da"], 1),
            helper("en", 55.0, 12.01, &[], &["en"], 1),
        ],
        vec![
            client("x", 55.0, 12.0, &[], &["da"], 1, &["da"]),
            client("y", 55.0, 12.01, &[], &["en"], 1, &["en"]),
            client("c", 55.0, 12.005, &[], &["da"], 2, &[]),
        ],
    );
    let s = solve(&inst);
    assert_eq!(
        blocked(&s, "c"),
        (vec![Rule::Capacity], REASON_ALL_FULL.to_string(), 2)
    );
    // A helper who is already the client's is not free for it either (the worked example).
    let example = solve(&Instance::from_json(EXAMPLE).expect("example parses"));
    assert_eq!(blocked(&example, "c1").0, vec![Rule::Capacity]);
}

#[test]
fn a_helper_with_capacity_zero_in_range_counts_as_full() {
    let zero = helper("zero", 55.0, 12.0, &[], &["da"], 0);
    let alone = instance(
        Mode::Rebalance,
        vec![zero.clone()],
        vec![client("c", 55.0, 12.001, &[], &["da"], 2, &[])],
    );
    assert_eq!(blocked(&solve(&alone), "c").0, vec![Rule::Capacity]);
    // Beside a free helper without the client's language, the language is what blocks.
    let with_free = instance(
        Mode::Rebalance,
        vec![zero, helper("en", 55.0, 12.01, &[], &["en"], 3)],
        vec![client("c", 55.0, 12.001, &[], &["da"], 2, &[])],
    );
    assert_eq!(blocked(&solve(&with_free), "c").0, vec![Rule::Language]);
}

#[test]
fn a_reason_names_each_of_several_blocking_rules() {
    // Pins the wording a list of several gets (tests_rules.rs blocks one client by three).
    use super::solution::describe;
    assert_eq!(describe(&[Rule::Language]), REASON_NO_SHARED_LANGUAGE);
    assert_eq!(
        describe(&[Rule::Distance, Rule::Language]),
        format!("{REASON_SEVERAL}: distance, language")
    );
}

#[test]
fn keep_mode_never_touches_current_pairs_even_ineligible_ones() {
    let inst = instance(
        Mode::Keep,
        vec![
            helper("far", 60.0, 12.0, &[], &["de"], 1),
            helper("near", 55.0, 12.0, &[], &["da"], 3),
        ],
        vec![client("c", 55.0, 12.001, &["it"], &["da"], 2, &["far"])],
    );
    let s = solve(&inst);
    let far = s
        .assignments
        .iter()
        .find(|a| a.helper == "far")
        .expect("kept");
    assert!(!far.new);
    assert!(far.cost > 15_000);
    assert_eq!(s.pairs, 2);
    assert_eq!(s.stats.kept_pairs, 1);
    // The kept pair used the far helper's only unit: nobody else may get it.
    let inst2 = instance(
        Mode::Keep,
        vec![helper("h", 55.0, 12.0, &[], &[], 1)],
        vec![
            client("a", 55.0, 12.001, &[], &[], 1, &["h"]),
            client("b", 55.0, 12.0, &[], &[], 1, &[]),
        ],
    );
    let s2 = solve(&inst2);
    assert_eq!(pairs_of(&s2), vec![("a".into(), "h".into())]);
}

#[test]
fn rebalance_changes_a_pair_only_when_it_saves_more_than_the_penalty() {
    // Client at 0; current helper 2,000 m further than the alternative, with penalty 3,000.
    let mk = |extra: f64, mode| {
        let m_per_deg = 111_195.08;
        instance(
            mode,
            vec![
                helper("cur", 0.0, (1000.0 + extra) / m_per_deg, &[], &[], 1),
                helper("alt", 0.0, -1000.0 / m_per_deg, &[], &[], 1),
            ],
            vec![client("c", 0.0, 0.0, &[], &[], 1, &["cur"])],
        )
    };
    let stay = solve(&mk(2000.0, Mode::Rebalance));
    assert_eq!(pairs_of(&stay), vec![("c".into(), "cur".into())]);
    assert!(!stay.assignments[0].new);
    let change = solve(&mk(4000.0, Mode::Rebalance));
    assert_eq!(pairs_of(&change), vec![("c".into(), "alt".into())]);
    assert!(change.assignments[0].new);
}

#[test]
fn rebalance_drops_current_pairs_that_became_ineligible() {
    let inst = instance(
        Mode::Rebalance,
        vec![helper("h", 0.0, 0.0, &[], &["de"], 1)],
        vec![client("c", 0.0, 0.001, &[], &["da"], 1, &["h"])],
    );
    let s = solve(&inst);
    assert_eq!(s.pairs, 0);
    assert_eq!(s.unfilled[0].reason, REASON_NO_SHARED_LANGUAGE);
}
