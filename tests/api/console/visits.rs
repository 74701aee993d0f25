//! The console's visits pages.
