//! The instance file of `shared/design/matching.md`: input types, parsing and validation.

use serde::{Deserialize, Serialize};
use std::collections::BTreeSet;

/// The fixed skill vocabulary; a skill's bit in a skill mask is its index here.
pub const SKILLS: [&str; 7] = [
    "cooking",
    "it",
    "shopping",
    "cleaning",
    "companionship",
    "gardening",
    "transport",
];

/// The home-trait vocabulary of rule 4: what a home has that a helper may have to avoid (a
/// helper allergic to animals avoids `pets`); a trait's bit in a trait mask is its index here.
pub const HOME_TRAITS: [&str; 2] = ["pets", "smoking"];

/// How current pairs are treated.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Mode {
    /// Current pairs stay; only open slots are filled.
    #[default]
    Keep,
    /// Current pairs may be dropped; a new pair costs `change_penalty_m` extra.
    Rebalance,
}

/// Tuning parameters of one matching run (metres throughout).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Params {
    /// Largest allowed rounded helper–client distance.
    pub max_distance_m: i64,
    /// Cost added per needed skill the helper lacks.
    pub missing_skill_penalty_m: i64,
    /// Keep or rebalance current pairs.
    pub mode: Mode,
    /// Extra cost of a pair that is not current (rebalance only).
    pub change_penalty_m: i64,
}

impl Default for Params {
    fn default() -> Self {
        Params {
            max_distance_m: 15_000,
            missing_skill_penalty_m: 5_000,
            mode: Mode::Keep,
            change_penalty_m: 3_000,
        }
    }
}

/// A helper (student) as given in the instance.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct InstanceHelper {
    /// Unique id within the helpers.
    pub id: String,
    /// Latitude of home, degrees.
    pub lat: f64,
    /// Longitude of home, degrees.
    pub lon: f64,
    /// Skills from [`SKILLS`].
    #[serde(default)]
    pub skills: Vec<String>,
    /// ISO 639-1 language codes.
    #[serde(default)]
    pub languages: Vec<String>,
    /// Most clients this helper may have in total.
    pub capacity: i64,
    /// Home traits from [`HOME_TRAITS`] this helper cannot work with (rule 4).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub avoids: Vec<String>,
}

/// A client as given in the instance.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct InstanceClient {
    /// Unique id within the clients.
    pub id: String,
    /// Latitude of home, degrees.
    pub lat: f64,
    /// Longitude of home, degrees.
    pub lon: f64,
    /// Needed skills from [`SKILLS`].
    #[serde(default)]
    pub needs: Vec<String>,
    /// ISO 639-1 language codes; empty means any helper will do.
    #[serde(default)]
    pub languages: Vec<String>,
    /// How many helpers this client should have.
    pub wanted: i64,
    /// Ids of the helpers the client has now.
    #[serde(default)]
    pub current: Vec<String>,
    /// Ids of helpers never to pair with this client (rule 3: "don't pair us again", from
    /// either side, or set by the branch).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub excluded_helpers: Vec<String>,
    /// What the home has, from [`HOME_TRAITS`] (rule 4).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub home_traits: Vec<String>,
}

/// One matching problem: params, helpers and clients.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Instance {
    /// Parameters; defaults when left out.
    #[serde(default)]
    pub params: Params,
    /// All helpers.
    pub helpers: Vec<InstanceHelper>,
    /// All clients.
    pub clients: Vec<InstanceClient>,
}

/// Why an instance was rejected.
#[derive(Debug, thiserror::Error, PartialEq)]
pub enum InstanceError {
    /// The text is not JSON of the instance shape.
    #[error("instance is not valid JSON of the expected shape: {0}")]
    Json(String),
    /// Two entries of one list share an id.
    #[error("duplicate {kind} id {id:?}")]
    DuplicateId {
        /// "helper" or "client".
        kind: &'static str,
        /// The repeated id.
        id: String,
    },
    /// A coordinate is not finite or out of range.
    #[error("{kind} {id:?}: {field} = {value} is out of range")]
    BadCoordinate {
        /// "helper" or "client".
        kind: &'static str,
        /// The offending entry.
        id: String,
        /// "lat" or "lon".
        field: &'static str,
        /// The value given.
        value: f64,
    },
    /// A count or parameter is negative.
    #[error("{owner}: {field} = {value} must not be negative")]
    Negative {
        /// "params" or the entry, e.g. `helper "h1"`.
        owner: String,
        /// The field name.
        field: &'static str,
        /// The value given.
        value: i64,
    },
    /// A count or parameter is too large for exact integer arithmetic.
    #[error("{owner}: {field} = {value} is larger than {MAX_VALUE}")]
    TooLarge {
        /// "params" or the entry, e.g. `helper "h1"`.
        owner: String,
        /// The field name.
        field: &'static str,
        /// The value given.
        value: i64,
    },
    /// A skill or need is not in the vocabulary.
    #[error("{kind} {id:?}: unknown skill {skill:?} (known: {known})", known = SKILLS.join(", "))]
    UnknownSkill {
        /// "helper" or "client".
        kind: &'static str,
        /// The offending entry.
        id: String,
        /// The unknown skill.
        skill: String,
    },
    /// A client's `current` names a helper that does not exist.
    #[error("client {client:?}: current helper {helper:?} does not exist")]
    UnknownCurrentHelper {
        /// The client.
        client: String,
        /// The missing helper id.
        helper: String,
    },
    /// A home trait or an avoided trait is not in the vocabulary.
    #[error("{kind} {id:?}: unknown home trait {home_trait:?} (known: {known})", known = HOME_TRAITS.join(", "))]
    UnknownHomeTrait {
        /// "helper" or "client".
        kind: &'static str,
        /// The offending entry.
        id: String,
        /// The unknown trait.
        home_trait: String,
    },
    /// A client's `excluded_helpers` names a helper that does not exist.
    #[error("client {client:?}: excluded helper {helper:?} does not exist")]
    UnknownExcludedHelper {
        /// The client.
        client: String,
        /// The missing helper id.
        helper: String,
    },
    /// A client's `current` lists a helper twice.
    #[error("client {client:?}: current helper {helper:?} is listed twice")]
    DuplicateCurrentHelper {
        /// The client.
        client: String,
        /// The repeated helper id.
        helper: String,
    },
}

impl Instance {
    /// Parses an instance from JSON text and validates it.
    pub fn from_json(text: &str) -> Result<Instance, InstanceError> {
        let instance: Instance =
            serde_json::from_str(text).map_err(|e| InstanceError::Json(e.to_string()))?;
        instance.validate()?;
        Ok(instance)
    }

    /// Checks the rules that serde cannot: unique ids, ranges, vocabulary, references.
    pub fn validate(&self) -> Result<(), InstanceError> {
        let p = &self.params;
        for (field, value) in [
            ("max_distance_m", p.max_distance_m),
            ("missing_skill_penalty_m", p.missing_skill_penalty_m),
            ("change_penalty_m", p.change_penalty_m),
        ] {
            non_negative("params".to_string(), field, value)?;
        }
        let mut helper_ids = BTreeSet::new();
        for h in &self.helpers {
            if !helper_ids.insert(h.id.as_str()) {
                return Err(dup("helper", &h.id));
            }
            check_position("helper", &h.id, h.lat, h.lon)?;
            check_skills("helper", &h.id, &h.skills)?;
            non_negative(format!("helper {:?}", h.id), "capacity", h.capacity)?;
            check_traits("helper", &h.id, &h.avoids)?;
        }
        let mut client_ids = BTreeSet::new();
        for c in &self.clients {
            if !client_ids.insert(c.id.as_str()) {
                return Err(dup("client", &c.id));
            }
            check_position("client", &c.id, c.lat, c.lon)?;
            check_skills("client", &c.id, &c.needs)?;
            non_negative(format!("client {:?}", c.id), "wanted", c.wanted)?;
            check_traits("client", &c.id, &c.home_traits)?;
            if let Some(hid) = c
                .excluded_helpers
                .iter()
                .find(|hid| !helper_ids.contains(hid.as_str()))
            {
                return Err(InstanceError::UnknownExcludedHelper {
                    client: c.id.clone(),
                    helper: hid.clone(),
                });
            }
            let mut seen = BTreeSet::new();
            for hid in &c.current {
                if !helper_ids.contains(hid.as_str()) {
                    return Err(InstanceError::UnknownCurrentHelper {
                        client: c.id.clone(),
                        helper: hid.clone(),
                    });
                }
                if !seen.insert(hid.as_str()) {
                    return Err(InstanceError::DuplicateCurrentHelper {
                        client: c.id.clone(),
                        helper: hid.clone(),
                    });
                }
            }
        }
        Ok(())
    }
}

/// Bit mask of skill names; callers have validated the names.
pub(crate) fn skill_mask(skills: &[String]) -> u8 {
    skills
        .iter()
        .filter_map(|s| SKILLS.iter().position(|k| k == s))
        .fold(0u8, |m, i| m | (1 << i))
}

/// Bit mask of home traits; callers have validated the names.
pub(crate) fn trait_mask(traits: &[String]) -> u8 {
    traits
        .iter()
        .filter_map(|t| HOME_TRAITS.iter().position(|k| k == t))
        .fold(0u8, |m, i| m | (1 << i))
}

fn check_traits(kind: &'static str, id: &str, traits: &[String]) -> Result<(), InstanceError> {
    match traits.iter().find(|t| !HOME_TRAITS.contains(&t.as_str())) {
        Some(t) => Err(InstanceError::UnknownHomeTrait {
            kind,
            id: id.to_string(),
            home_trait: t.clone(),
        }),
        None => Ok(()),
    }
}

fn dup(kind: &'static str, id: &str) -> InstanceError {
    InstanceError::DuplicateId {
        kind,
        id: id.to_string(),
    }
}

/// Upper bound on every count and parameter, so that scaled costs fit in `i64`.
pub const MAX_VALUE: i64 = 1_000_000_000;

fn non_negative(owner: String, field: &'static str, value: i64) -> Result<(), InstanceError> {
    if value > MAX_VALUE {
        return Err(InstanceError::TooLarge {
            owner,
            field,
            value,
        });
    }
    if value < 0 {
        return Err(InstanceError::Negative {
            owner,
            field,
            value,
        });
    }
    Ok(())
}

fn check_position(kind: &'static str, id: &str, lat: f64, lon: f64) -> Result<(), InstanceError> {
    let bad = |field, value| InstanceError::BadCoordinate {
        kind,
        id: id.to_string(),
        field,
        value,
    };
    if !lat.is_finite() || !(-90.0..=90.0).contains(&lat) {
        return Err(bad("lat", lat));
    }
    if !lon.is_finite() || !(-180.0..=180.0).contains(&lon) {
        return Err(bad("lon", lon));
    }
    Ok(())
}

fn check_skills(kind: &'static str, id: &str, skills: &[String]) -> Result<(), InstanceError> {
    match skills.iter().find(|s| !SKILLS.contains(&s.as_str())) {
        Some(s) => Err(InstanceError::UnknownSkill {
            kind,
            id: id.to_string(),
            skill: s.clone(),
        }),
        None => Ok(()),
    }
}
