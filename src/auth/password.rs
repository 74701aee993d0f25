//! Argon2id password hashes.

use argon2::password_hash::{PasswordHasher, PasswordVerifier};
use std::sync::LazyLock;

use argon2::Argon2;

/// Shortest accepted password.
pub const MIN_LENGTH: usize = 10;

/// Checks a new password against the policy.
pub fn check_policy(password: &str) -> Result<(), String> {
    let length = password.chars().count();
    if length < MIN_LENGTH {
        return Err(format!("must be at least {MIN_LENGTH} characters"));
    }
    if length > 200 {
        return Err("must be at most 200 characters".into());
    }
    Ok(())
}

/// Hashes a password with a fresh salt into a PHC string.
pub fn hash(password: &str) -> anyhow::Result<String> {
    Argon2::default()
        .hash_password(password.as_bytes())
        .map(|h| h.to_string())
        .map_err(|e| anyhow::anyhow!("hashing a password failed: {e}"))
}

/// True when `password` matches `stored`. With no stored hash it still does the work of a
/// verification, so an unknown email takes as long as a wrong password.
pub fn verify(password: &str, stored: Option<&str>) -> bool {
    match stored {
        Some(phc) => Argon2::default()
            .verify_password(password.as_bytes(), phc)
            .is_ok(),
        None => {
            if let Some(dummy) = DUMMY_HASH.as_deref() {
                let _ = Argon2::default().verify_password(password.as_bytes(), dummy);
            }
            false
        }
    }
}

/// A hash with the same parameters as real ones, verified against when there is no account.
static DUMMY_HASH: LazyLock<Option<String>> =
    LazyLock::new(|| hash("no account has this password").ok());

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_hash_verifies_its_password_only() {
        let stored = hash("correct horse battery").unwrap();
        assert!(verify("correct horse battery", Some(&stored)));
        assert!(!verify("wrong horse battery", Some(&stored)));
        assert!(!verify("correct horse battery", None));
    }

    #[test]
    fn short_passwords_are_refused() {
        assert!(check_policy("short").is_err());
        assert!(check_policy("long enough password").is_ok());
    }
}
