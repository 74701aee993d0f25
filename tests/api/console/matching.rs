//! The console's matching pages.
