//! Black-box tests: the real service on a random port, its own fresh database per test,
//! on SQLite always and on PostgreSQL when `TEST_DATABASE_URL` is set.

mod support;

mod access;
mod app_sync;
mod architecture;
mod attention;
mod audit_durability;
mod auth;
mod authorization;
mod backup;
mod clients;
mod console;
mod continuity;
mod coverage;
mod docs;
mod email;
mod erasure;
mod errors;
mod feedback;
mod handover;
mod health;
mod match_cli;
mod matching;
mod metrics;
mod open_visits;
mod overload;
mod pages;
mod pipeline;
mod privacy;
mod schedules;
mod shutdown;
mod throttles;
mod validation;
mod visit_edges;
mod visit_reports;
mod visits;
