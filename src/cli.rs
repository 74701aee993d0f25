//! The command line: `helpmatch [serve]`, `helpmatch migrate`, …

use clap::{Parser, Subcommand};

use crate::config::Settings;
use crate::startup::{self, Application};
use crate::{db, telemetry};

/// helpmatch: students helping elderly people at home, matched and booked.
#[derive(Debug, Parser)]
#[command(name = "helpmatch", version, about)]
pub struct Cli {
    /// What to do; `serve` when left out.
    #[command(subcommand)]
    pub command: Option<Command>,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run the HTTP service (the default).
    Serve,
    /// Apply pending database migrations and exit.
    Migrate,
}

/// Runs the chosen subcommand.
pub fn run(cli: Cli) -> anyhow::Result<()> {
    match cli.command.unwrap_or(Command::Serve) {
        Command::Serve => serve(),
        Command::Migrate => migrate(),
    }
}

fn serve() -> anyhow::Result<()> {
    let settings = Settings::load()?;
    telemetry::init(settings.json_logs());
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    runtime.block_on(async move {
        let (host, environment) = (settings.server.host.clone(), settings.environment);
        let app = Application::build(settings).await?;
        tracing::info!(%host, port = app.port(), ?environment, "helpmatch listening");
        app.run_until_stopped().await?;
        tracing::info!("helpmatch stopped");
        Ok(())
    })
}

fn migrate() -> anyhow::Result<()> {
    let settings = Settings::load()?;
    telemetry::init(settings.json_logs());
    let pool = db::build_pool(&settings.database)?;
    let applied = startup::migrate(&pool)?;
    println!("{applied} migration(s) applied");
    Ok(())
}
