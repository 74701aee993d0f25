//! The countries helpmatch runs in, with the time zone, currency and mail language each
//! implies, so a branch cannot be Danish with Norwegian time and money.

use crate::vocabulary;

vocabulary! {
    /// A country with branches (ISO 3166-1 alpha-2).
    pub enum Country {
        /// Denmark.
        Denmark = "DK",
        /// Norway.
        Norway = "NO",
    }
}

impl Country {
    /// The IANA time zones a branch in this country may use.
    pub fn time_zones(self) -> &'static [&'static str] {
        match self {
            Country::Denmark => &["Europe/Copenhagen"],
            Country::Norway => &["Europe/Oslo"],
        }
    }

    /// The currency its prices are in (ISO 4217).
    pub fn currency(self) -> &'static str {
        match self {
            Country::Denmark => "DKK",
            Country::Norway => "NOK",
        }
    }

    /// Checks a branch's time zone and currency against the country: every mismatch, by field.
    pub fn check_branch(self, time_zone: &str, currency: &str) -> Vec<(&'static str, String)> {
        let mut wrong = vec![];
        if !self.time_zones().contains(&time_zone) {
            wrong.push((
                "time_zone",
                format!(
                    "a branch in {} uses {}",
                    self.as_str(),
                    self.time_zones().join(" or ")
                ),
            ));
        }
        if currency != self.currency() {
            wrong.push((
                "currency",
                format!("a branch in {} uses {}", self.as_str(), self.currency()),
            ));
        }
        wrong
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_danish_branch_with_oslo_time_and_kroner_fails_on_both() {
        let wrong = Country::Denmark.check_branch("Europe/Oslo", "NOK");
        let fields: Vec<&str> = wrong.iter().map(|(f, _)| *f).collect();
        assert_eq!(fields, ["time_zone", "currency"]);
        assert!(
            Country::Norway
                .check_branch("Europe/Oslo", "NOK")
                .is_empty()
        );
        assert!(Country::parse("SE").is_err());
    }
}
