//! The matching engine: which helpers serve which clients, exactly as
//! `shared/design/matching.md` defines it. Pure: no database, no HTTP, no I/O.
//!
//! Most pairs first, then least total cost, proven over ALL eligible pairs while only
//! a sparse candidate subset is ever built (see `docs/matching.md`).

mod bundles;
mod candidates;
mod distance;
mod explain;
mod flow;
mod graph;
mod instance;
mod mincost;
mod pricing;
mod problem;
mod reasons;
mod result;
mod solution;
mod solve;
mod warm;

#[cfg(test)]
mod tests;

pub use distance::distance_m;
pub use explain::{PairExplanation, explain};
pub use instance::{
    HOME_TRAITS, Instance, InstanceClient, InstanceError, InstanceHelper, MAX_VALUE, Mode, Params,
    SKILLS,
};
pub use solution::{
    MatchedPair, REASON_ALL_FULL, REASON_EXCLUDED, REASON_HOME_TRAIT, REASON_NO_HELPER_IN_RANGE,
    REASON_NO_SHARED_LANGUAGE, REASON_SEVERAL, Rule, Solution, Stats, Unfilled, describe,
};
pub use solve::{solve, solve_warm, solve_with_state};
pub use warm::WarmStart;
