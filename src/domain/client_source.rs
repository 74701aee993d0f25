//! How a client found us: worth recording, since partners and municipalities bring most.

use serde::{Deserialize, Serialize};

/// The channel a client came through.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ClientSource {
    /// A partner organisation (DaneAge/Ældresagen, a phone maker, a pensioner club).
    PartnerOrganisation,
    /// Referred by a municipality.
    Municipality,
    /// Our own outreach.
    Outreach,
    /// A relative got in touch.
    Relative,
    /// The client found us alone.
    SelfReferral,
    /// Anything else (say what in `source_detail`).
    Other,
}

impl ClientSource {
    /// All sources.
    pub const ALL: [ClientSource; 6] = [
        ClientSource::PartnerOrganisation,
        ClientSource::Municipality,
        ClientSource::Outreach,
        ClientSource::Relative,
        ClientSource::SelfReferral,
        ClientSource::Other,
    ];

    /// The stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            ClientSource::PartnerOrganisation => "partner_organisation",
            ClientSource::Municipality => "municipality",
            ClientSource::Outreach => "outreach",
            ClientSource::Relative => "relative",
            ClientSource::SelfReferral => "self_referral",
            ClientSource::Other => "other",
        }
    }

    /// Parses a stored or requested name.
    pub fn parse(raw: &str) -> Result<ClientSource, String> {
        ClientSource::ALL.into_iter().find(|s| s.as_str() == raw).ok_or_else(|| {
            "must be one of partner_organisation, municipality, outreach, relative, self_referral, other".to_string()
        })
    }
}
