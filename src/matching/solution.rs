//! The solution JSON of matching.md.

use serde::{Deserialize, Serialize};

/// One helper–client pair of the result.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MatchedPair {
    /// Client id.
    pub client: String,
    /// Helper id.
    pub helper: String,
    /// `cost(h, c)`: rounded distance plus missing-skill penalties (no change penalty).
    pub cost: i64,
    /// True when the pair was not current.
    pub new: bool,
}

/// A client left with open slots.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Unfilled {
    /// Client id.
    pub client: String,
    /// Slots still open: `wanted` minus pairs in the result.
    pub missing: i64,
    /// Why, in words: [`Rule::reason`] of the one rule in `rules` (see [`describe`]).
    pub reason: String,
    /// The rules that block the client, machine-readable (see [`Rule`] for the definition).
    /// One today; a list so that a reason can name each of several pair rules.
    #[serde(default)]
    pub rules: Vec<Rule>,
}

/// A rule of matching.md that can leave a client short.
///
/// For a client c short after the solution, let R be the helpers whose rounded distance
/// to c is at most `max_distance_m`, and F the members of R that are not paired with c in
/// the solution and have capacity left after it (`capacity` minus their pairs in it, > 0;
/// capacity 0 is full). R empty: [`Rule::Distance`]. F empty: [`Rule::Capacity`] (every
/// helper in range is full or already c's, as in matching.md's worked example). Otherwise
/// every member of F breaks a pair rule (one that broke none would be an augmenting path:
/// the flow would not be maximum), and the reason names each rule of [`Rule::PAIR`] that
/// some member of F breaks: [`Rule::Language`], [`Rule::Excluded`], [`Rule::HomeTrait`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Rule {
    /// Rule 1: no helper at all within `max_distance_m`.
    Distance,
    /// Every helper in range is full or already the client's.
    Capacity,
    /// Rule 2: no helper in range with free capacity shares one of the client's languages.
    Language,
    /// Rule 3: the helpers in range with free capacity are ones the client excludes.
    Excluded,
    /// Rule 4: the helpers in range with free capacity avoid one of the home's traits.
    HomeTrait,
}

impl Rule {
    /// Every rule, in the order reasons list them.
    pub const ALL: [Rule; 5] = [
        Rule::Distance,
        Rule::Capacity,
        Rule::Language,
        Rule::Excluded,
        Rule::HomeTrait,
    ];

    /// The hard pair rules of matching.md ("Eligible pairs"), decided by
    /// `Prepared::breaks`.
    pub const PAIR: [Rule; 4] = [
        Rule::Distance,
        Rule::Language,
        Rule::Excluded,
        Rule::HomeTrait,
    ];

    /// Its name in the solution JSON.
    pub fn name(self) -> &'static str {
        match self {
            Rule::Distance => "distance",
            Rule::Capacity => "capacity",
            Rule::Language => "language",
            Rule::Excluded => "excluded",
            Rule::HomeTrait => "home_trait",
        }
    }

    /// The reason in words when this rule alone blocks a client.
    pub fn reason(self) -> &'static str {
        match self {
            Rule::Distance => REASON_NO_HELPER_IN_RANGE,
            Rule::Capacity => REASON_ALL_FULL,
            Rule::Language => REASON_NO_SHARED_LANGUAGE,
            Rule::Excluded => REASON_EXCLUDED,
            Rule::HomeTrait => REASON_HOME_TRAIT,
        }
    }
}

/// The reason in words for the blocking `rules` of a client: the one rule's own sentence,
/// or, when several pair rules each block some helpers, [`REASON_SEVERAL`] naming each.
pub fn describe(rules: &[Rule]) -> String {
    match rules {
        [one] => one.reason().to_string(),
        several => {
            let names: Vec<&str> = several.iter().map(|r| r.name()).collect();
            format!("{REASON_SEVERAL}: {}", names.join(", "))
        }
    }
}

/// No helper at all lives within `max_distance_m`.
pub const REASON_NO_HELPER_IN_RANGE: &str = "no helper within max_distance_m";
/// Helpers in range have free capacity, but none of those speaks one of the client's languages.
pub const REASON_NO_SHARED_LANGUAGE: &str =
    "no helper in range with free capacity shares a language";
/// The helpers in range with free capacity are all ones the client excludes.
pub const REASON_EXCLUDED: &str =
    "every helper in range with free capacity is excluded for this client";
/// The helpers in range with free capacity all avoid something the home has.
pub const REASON_HOME_TRAIT: &str =
    "every helper in range with free capacity avoids a trait of the home";
/// Helpers are in range, but every one is full or already the client's.
pub const REASON_ALL_FULL: &str = "no eligible helper with free capacity";
/// Prefix of a reason naming several pair rules, each blocking some helpers in range.
pub const REASON_SEVERAL: &str = "every helper in range with free capacity breaks a rule";

/// Work counters; `elapsed_ms` is the only field that varies between identical runs.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Stats {
    /// Eligible pairs the solver held in its graph: the initial candidates plus those
    /// pricing added. Every other eligible pair was proven unable to improve the result.
    pub eligible_pairs: u64,
    /// Current pairs kept as they are (keep mode).
    pub kept_pairs: u64,
    /// Pairs added by the cardinality (cut) pricing.
    pub added_for_cardinality: u64,
    /// Pairs added by the cost (reduced-cost) pricing.
    pub added_for_cost: u64,
    /// Solve–price rounds until no pair was left to add.
    pub pricing_rounds: u32,
    /// ε phases of the min-cost solver, summed over rounds.
    pub cost_scaling_phases: u32,
    /// Wall time of the whole solve, milliseconds.
    pub elapsed_ms: f64,
}

/// The result of one matching run.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Solution {
    /// All resulting pairs, kept and new, sorted by client id then helper id.
    pub assignments: Vec<MatchedPair>,
    /// Number of pairs.
    pub pairs: usize,
    /// Sum of `cost` over `assignments`.
    pub total_cost: i64,
    /// Clients with open slots, sorted by id.
    pub unfilled: Vec<Unfilled>,
    /// Work counters.
    pub stats: Stats,
}
