//! The console's clients pages.
