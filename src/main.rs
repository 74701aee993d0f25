//! Entry point: parse the command line and hand over to the library.

use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    let cli = helpmatch::cli::Cli::parse();
    match helpmatch::cli::run(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("helpmatch: {error:#}");
            ExitCode::FAILURE
        }
    }
}
