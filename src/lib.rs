//! helpmatch: sends students into elderly people's homes for practical help, with the same
//! two or three faces each time. See `docs/ARCHITECTURE.md` for the layout.

pub mod auth;
pub mod cli;
pub mod config;
pub mod console;
pub mod db;
pub mod domain;
pub mod email;
pub mod error;
pub mod jobs;
pub mod matching;
pub mod observability;
pub mod pages;
pub mod routes;
pub mod services;
pub mod startup;
pub mod state;
pub mod telemetry;
