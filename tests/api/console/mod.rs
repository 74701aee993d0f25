//! The branch console (issue 14): over HTTP as a browser without JavaScript uses it, on both
//! databases, and clicked through in a real Chromium over WebDriver. One file per area.

mod admin;
mod board;
mod clients;
mod hours;
mod matching;
mod recruitment;
mod sign_in;
mod visits;
