//! The console's admin pages.
