//! The fixed vocabulary of tasks a helper can do and a client can need.

use serde::{Deserialize, Serialize};

/// One kind of practical help.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    PartialOrd,
    Ord,
    Hash,
    Serialize,
    Deserialize,
    utoipa::ToSchema,
)]
#[serde(rename_all = "lowercase")]
pub enum Skill {
    /// Cooking meals.
    Cooking,
    /// IT help: phones, tablets, video calls.
    It,
    /// Shopping.
    Shopping,
    /// Cleaning.
    Cleaning,
    /// Company and conversation.
    Companionship,
    /// Gardening.
    Gardening,
    /// Walks and accompanied trips (doctor visits).
    Transport,
}

impl Skill {
    /// Every skill, in vocabulary order.
    pub const ALL: [Skill; 7] = [
        Skill::Cooking,
        Skill::It,
        Skill::Shopping,
        Skill::Cleaning,
        Skill::Companionship,
        Skill::Gardening,
        Skill::Transport,
    ];

    /// The name used in the API, the database and the matcher.
    pub fn as_str(self) -> &'static str {
        match self {
            Skill::Cooking => "cooking",
            Skill::It => "it",
            Skill::Shopping => "shopping",
            Skill::Cleaning => "cleaning",
            Skill::Companionship => "companionship",
            Skill::Gardening => "gardening",
            Skill::Transport => "transport",
        }
    }

    /// Parses one skill name.
    pub fn parse(raw: &str) -> Result<Skill, String> {
        Skill::ALL
            .into_iter()
            .find(|s| s.as_str() == raw)
            .ok_or_else(|| {
                let names: Vec<_> = Skill::ALL.iter().map(|s| s.as_str()).collect();
                format!("unknown skill {raw:?}; one of {}", names.join(", "))
            })
    }

    /// Parses a list: no unknown names; duplicates removed; sorted.
    pub fn parse_list(raw: &[String]) -> Result<Vec<Skill>, String> {
        let mut skills = raw
            .iter()
            .map(|s| Skill::parse(s))
            .collect::<Result<Vec<_>, _>>()?;
        skills.sort();
        skills.dedup();
        Ok(skills)
    }
}
