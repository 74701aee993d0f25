//! The branch console (issue 14): over HTTP as a browser without JavaScript uses it, on both
//! databases, and clicked through in a real Chromium over WebDriver. One file per area.

mod board;
mod sign_in;
