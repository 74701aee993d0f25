//! The console's hours pages.
