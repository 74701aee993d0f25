//! Why each pair of a solution is what it is: for the service's preview screen.

use super::instance::{Instance, SKILLS, skill_mask};
use super::problem::Prepared;
use super::solution::Solution;
use serde::Serialize;
use std::collections::BTreeMap;

/// The facts behind one pair of a solution.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PairExplanation {
    /// Client id.
    pub client: String,
    /// Helper id.
    pub helper: String,
    /// Rounded haversine distance, metres.
    pub distance_m: i64,
    /// Needed skills the helper has.
    pub skills_covered: Vec<String>,
    /// Needed skills the helper lacks (each costs `missing_skill_penalty_m`).
    pub skills_missing: Vec<String>,
    /// Languages both speak.
    pub shared_languages: Vec<String>,
    /// `cost(h, c)`.
    pub cost: i64,
    /// Whether the pair still meets both hard rules (a kept pair may not).
    pub eligible: bool,
    /// True for a new pair, false for a kept one.
    pub new: bool,
}

/// Explains every assignment of `solution`; pairs naming unknown ids are skipped.
pub fn explain(instance: &Instance, solution: &Solution) -> Vec<PairExplanation> {
    let pb = Prepared::new(instance);
    let clients: BTreeMap<&str, usize> = instance
        .clients
        .iter()
        .enumerate()
        .map(|(i, c)| (c.id.as_str(), i))
        .collect();
    let helpers: BTreeMap<&str, usize> = instance
        .helpers
        .iter()
        .enumerate()
        .map(|(i, h)| (h.id.as_str(), i))
        .collect();
    solution
        .assignments
        .iter()
        .filter_map(|a| {
            let c = *clients.get(a.client.as_str())?;
            let h = *helpers.get(a.helper.as_str())?;
            let (cl, hl) = (&instance.clients[c], &instance.helpers[h]);
            let has = skill_mask(&hl.skills);
            let needs = skill_mask(&cl.needs);
            let names = |mask: u8| -> Vec<String> {
                SKILLS
                    .iter()
                    .enumerate()
                    .filter(|(i, _)| mask & (1 << i) != 0)
                    .map(|(_, s)| s.to_string())
                    .collect()
            };
            let mut shared: Vec<String> = cl
                .languages
                .iter()
                .filter(|l| hl.languages.contains(l))
                .cloned()
                .collect();
            shared.sort();
            shared.dedup();
            Some(PairExplanation {
                client: a.client.clone(),
                helper: a.helper.clone(),
                distance_m: pb.distance(c, h),
                skills_covered: names(needs & has),
                skills_missing: names(needs & !has),
                shared_languages: shared,
                cost: pb.cost(c, h),
                eligible: pb.eligible(c, h),
                new: !pb.is_current(c, h),
            })
        })
        .collect()
}
