//! Black-box tests: the real service on a random port, its own fresh database per test,
//! on SQLite always and on PostgreSQL when `TEST_DATABASE_URL` is set.

mod helpers;

mod auth;
mod authorization;
mod clients;
mod docs;
mod email;
mod errors;
mod health;
mod match_cli;
mod matching;
mod pipeline;
mod shutdown;
mod visits;
