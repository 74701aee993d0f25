//! The solution JSON of matching.md.

use serde::{Deserialize, Serialize};

/// One helper–client pair of the result.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Assignment {
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
    /// Why, in words (see [`REASON_NO_HELPER_IN_RANGE`] and friends).
    pub reason: String,
}

/// No helper at all lives within `max_distance_m`.
pub const REASON_NO_HELPER_IN_RANGE: &str = "no helper within max_distance_m";
/// Helpers are in range but none speaks one of the client's languages.
pub const REASON_NO_SHARED_LANGUAGE: &str = "no helper in range shares a language";
/// Eligible helpers exist but every one is full (or already the client's).
pub const REASON_ALL_FULL: &str = "no eligible helper with free capacity";

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
    pub assignments: Vec<Assignment>,
    /// Number of pairs.
    pub pairs: usize,
    /// Sum of `cost` over `assignments`.
    pub total_cost: i64,
    /// Clients with open slots, sorted by id.
    pub unfilled: Vec<Unfilled>,
    /// Work counters.
    pub stats: Stats,
}
