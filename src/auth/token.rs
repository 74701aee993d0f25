//! Short-lived access tokens (JWT, HS256). Refresh tokens are opaque and stored hashed.

use crate::domain::ids::UserId;
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation};
use secrecy::{ExposeSecret, SecretString};
use serde::{Deserialize, Serialize};

/// How long an access token lives.
pub const ACCESS_TOKEN_SECONDS: i64 = 15 * 60;
/// How long a refresh token lives.
pub const REFRESH_TOKEN_DAYS: i64 = 30;

/// What an access token says about its holder: only who it is. Roles, branch and rights are
/// read from the database on every request, so a change takes effect at once.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Claims {
    /// User id.
    pub sub: UserId,
    /// The account's token generation when the token was issued; a raised generation
    /// (password change, deactivation, lost capacity) ends the token.
    #[serde(rename = "gen")]
    pub generation: i32,
    /// Issued at (seconds since epoch).
    pub iat: i64,
    /// Expires at (seconds since epoch).
    pub exp: i64,
}

/// Signing and verifying keys, built once at start-up.
pub struct TokenKeys {
    encoding: EncodingKey,
    decoding: DecodingKey,
}

impl TokenKeys {
    /// Keys from the configured secret.
    pub fn new(secret: &SecretString) -> anyhow::Result<TokenKeys> {
        let bytes = secret.expose_secret().as_bytes();
        Ok(TokenKeys {
            encoding: EncodingKey::from_secret(bytes)?,
            decoding: DecodingKey::from_secret(bytes)?,
        })
    }

    /// Signs claims.
    pub fn sign(&self, claims: &Claims) -> anyhow::Result<String> {
        Ok(jsonwebtoken::encode(
            &Header::new(Algorithm::HS256),
            claims,
            &self.encoding,
        )?)
    }

    /// Verifies signature and expiry; `None` for anything invalid.
    pub fn verify(&self, token: &str) -> Option<Claims> {
        let mut validation = Validation::new(Algorithm::HS256);
        validation.leeway = 5;
        jsonwebtoken::decode::<Claims>(token, &self.decoding, &validation)
            .ok()
            .map(|data| data.claims)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn claims(exp_offset: i64) -> Claims {
        let now = chrono::Utc::now().timestamp();
        Claims {
            sub: UserId(7),
            generation: 0,
            iat: now,
            exp: now + exp_offset,
        }
    }

    #[test]
    fn a_signed_token_verifies_and_a_tampered_or_expired_one_does_not() {
        let keys = TokenKeys::new(&SecretString::from("a-test-secret-of-some-length")).unwrap();
        let token = keys.sign(&claims(60)).unwrap();
        assert_eq!(keys.verify(&token).unwrap().sub, UserId(7));
        let other = TokenKeys::new(&SecretString::from("another-secret-entirely")).unwrap();
        assert!(other.verify(&token).is_none());
        assert!(keys.verify(&keys.sign(&claims(-60)).unwrap()).is_none());
        assert!(keys.verify("not.a.jwt").is_none());
    }
}
