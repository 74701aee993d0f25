//! The console's recruitment pages.
