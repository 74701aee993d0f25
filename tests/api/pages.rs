//! (filled by the trust-at-the-edges regression tests)
