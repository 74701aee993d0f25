//! How a client found us: worth recording, since partners and municipalities bring most.

use crate::vocabulary;

vocabulary! {
    /// The channel a client came through.
    pub enum ClientSource {
        /// A partner organisation (DaneAge/Ældresagen, a phone maker, a pensioner club).
        PartnerOrganisation = "partner_organisation",
        /// Referred by a municipality.
        Municipality = "municipality",
        /// Our own outreach.
        Outreach = "outreach",
        /// A relative got in touch.
        Relative = "relative",
        /// The client found us alone.
        SelfReferral = "self_referral",
        /// Anything else (say what in `source_detail`).
        Other = "other",
    }
}
