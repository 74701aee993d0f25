//! What a home has that a helper may be unable to work with (matching rule 4): a helper
//! allergic to animals avoids `pets`.

crate::vocabulary! {
    /// A trait of a client's home.
    pub enum HomeTrait {
        /// Animals live there.
        Pets = "pets",
        /// Somebody smokes indoors.
        Smoking = "smoking",
    }
}

impl HomeTrait {
    /// Parses a list: no unknown names; duplicates removed; in vocabulary order.
    pub fn parse_list(raw: &[String]) -> Result<Vec<HomeTrait>, String> {
        let mut traits = raw
            .iter()
            .map(|t| HomeTrait::parse(t).map_err(|e| format!("{t:?} {e}")))
            .collect::<Result<Vec<_>, _>>()?;
        traits.sort_by_key(|t| HomeTrait::ALL.iter().position(|a| a == t));
        traits.dedup();
        Ok(traits)
    }

    /// Rule 4: a home with one of these traits is not for a helper who avoids it.
    pub fn conflict<S: AsRef<str>>(home: &[S], avoided: &[S]) -> bool {
        home.iter()
            .any(|t| avoided.iter().any(|a| a.as_ref() == t.as_ref()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_vocabulary_is_the_matchers() {
        let names: Vec<&str> = HomeTrait::ALL.iter().map(|t| t.as_str()).collect();
        assert_eq!(names, crate::matching::HOME_TRAITS);
    }

    #[test]
    fn a_list_is_checked_sorted_and_deduplicated() {
        let raw = |v: &[&str]| v.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        assert_eq!(
            HomeTrait::parse_list(&raw(&["smoking", "pets", "smoking"])),
            Ok(vec![HomeTrait::Pets, HomeTrait::Smoking])
        );
        assert!(HomeTrait::parse_list(&raw(&["dogs"])).is_err_and(|e| e.contains("pets")));
    }
}
