//! The command line: `helpmatch [serve]`, `helpmatch migrate`, …

use std::path::PathBuf;

use clap::{Parser, Subcommand};
use secrecy::ExposeSecret;

use crate::config::Settings;
use crate::startup::{self, Application};
use crate::{db, services, telemetry};

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
    /// Deliver queued mails until SIGTERM/SIGINT, without serving HTTP (see docs/email.md).
    Worker,
    /// Create an admin account; the password is read from stdin (or a prompt), never an argument.
    CreateAdmin {
        /// Login email of the new admin.
        #[arg(long)]
        email: String,
        /// Display name.
        #[arg(long, default_value = "Administrator")]
        name: String,
    },
    /// Solve a matching instance (see docs/matching.md) and print the solution as JSON.
    Match {
        /// Instance file, or `-` for standard input.
        #[arg(long)]
        instance: String,
    },
    /// Add the demo branches (Aarhus, Aalborg, Silkeborg, Horsens, Kolding, København); opt-in only.
    SeedDemo,
    /// Back the configured database up into a new file while the service runs (SQLite: the
    /// online backup API; PostgreSQL: pg_dump).
    Backup {
        /// The file to write; an existing file is never overwritten.
        #[arg(long)]
        to: PathBuf,
    },
    /// Restore a backup into the configured database, replacing what it holds, then bring it
    /// up to this version's migrations. Stop every instance first.
    Restore {
        /// The backup file.
        #[arg(long)]
        from: PathBuf,
    },
}

/// Runs the chosen subcommand.
pub fn run(cli: Cli) -> anyhow::Result<()> {
    match cli.command.unwrap_or(Command::Serve) {
        Command::Serve => serve(),
        Command::Migrate => migrate(),
        Command::Worker => mail_worker(),
        Command::CreateAdmin { email, name } => create_admin(&email, &name),
        Command::SeedDemo => seed_demo(),
        Command::Match { instance } => solve_instance(&instance),
        Command::Backup { to } => backup(&to),
        Command::Restore { from } => restore(&from),
    }
}

fn backup(to: &std::path::Path) -> anyhow::Result<()> {
    let settings = Settings::load()?;
    telemetry::init(settings.json_logs());
    let bytes = db::backup(settings.database.url.expose_secret(), to)?;
    println!("backed up into {} ({bytes} bytes)", to.display());
    Ok(())
}

fn restore(from: &std::path::Path) -> anyhow::Result<()> {
    let settings = Settings::load()?;
    telemetry::init(settings.json_logs());
    db::restore(settings.database.url.expose_secret(), from)?;
    let pool = db::build_pool(&settings.database)?;
    let applied = startup::migrate(&pool)?;
    println!(
        "restored from {} ({applied} migration(s) applied since)",
        from.display()
    );
    Ok(())
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

fn mail_worker() -> anyhow::Result<()> {
    let settings = Settings::load()?;
    telemetry::init(settings.json_logs());
    let pool = db::build_pool(&settings.database)?;
    startup::migrate(&pool)?;
    let jobs = crate::jobs::Jobs::new(pool, &settings)?;
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    runtime.block_on(async move {
        let running = jobs.start();
        shutdown_signal().await;
        running.stop().await;
        Ok(())
    })
}

/// Resolves on SIGINT, or SIGTERM on Unix.
async fn shutdown_signal() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        if let Ok(mut term) = signal(SignalKind::terminate()) {
            tokio::select! {
                _ = tokio::signal::ctrl_c() => {}
                _ = term.recv() => {}
            }
            return;
        }
    }
    let _ = tokio::signal::ctrl_c().await;
}

/// A migrated pool for one-off commands.
fn migrated_pool() -> anyhow::Result<db::DbPool> {
    let settings = Settings::load()?;
    telemetry::init(settings.json_logs());
    let pool = db::build_pool(&settings.database)?;
    startup::migrate(&pool)?;
    Ok(pool)
}

fn create_admin(email: &str, name: &str) -> anyhow::Result<()> {
    let password = read_password()?;
    let pool = migrated_pool()?;
    let mut conn = pool.get()?;
    let user =
        services::accounts::create_admin(&mut conn, email, name, &password).map_err(describe)?;
    println!("admin {} created (id {})", user.email, user.id);
    Ok(())
}

fn seed_demo() -> anyhow::Result<()> {
    let pool = migrated_pool()?;
    let mut conn = pool.get()?;
    let added = services::branches::seed_demo(&mut conn).map_err(describe)?;
    println!("{added} demo branch(es) added");
    Ok(())
}

/// Reads one line: a prompt without echo on a terminal, else standard input.
fn read_password() -> anyhow::Result<String> {
    use std::io::IsTerminal;
    let password = if std::io::stdin().is_terminal() {
        rpassword::prompt_password("Password for the new admin: ")?
    } else {
        let mut line = String::new();
        std::io::stdin().read_line(&mut line)?;
        line.trim_end_matches(['\r', '\n']).to_string()
    };
    Ok(password)
}

/// Turns an API error into a message for the terminal.
fn describe(error: crate::error::ApiError) -> anyhow::Error {
    match error {
        crate::error::ApiError::Validation(fields) => {
            let list: Vec<String> = fields
                .iter()
                .map(|f| format!("{}: {}", f.field, f.message))
                .collect();
            anyhow::anyhow!("invalid input: {}", list.join("; "))
        }
        other => anyhow::anyhow!("{other}"),
    }
}

/// `helpmatch match`: no database, no logging on stdout; JSON out, errors on stderr.
///
/// With `RUST_LOG` set (e.g. `helpmatch::matching=debug`), the matcher's stage times go
/// to stderr.
fn solve_instance(path: &str) -> anyhow::Result<()> {
    use std::io::{Read, Write};
    if std::env::var_os("RUST_LOG").is_some() {
        // Ignored if a subscriber is already installed: then it receives the events.
        use std::io::IsTerminal;
        let _ = tracing_subscriber::fmt()
            .with_env_filter(tracing_subscriber::EnvFilter::from_default_env())
            .with_writer(std::io::stderr)
            .with_ansi(std::io::stderr().is_terminal())
            .try_init();
    }
    let text = if path == "-" {
        let mut text = String::new();
        std::io::stdin().read_to_string(&mut text)?;
        text
    } else {
        std::fs::read_to_string(path).map_err(|e| anyhow::anyhow!("cannot read {path}: {e}"))?
    };
    let instance = crate::matching::Instance::from_json(&text)
        .map_err(|e| anyhow::anyhow!("invalid instance: {e}"))?;
    let solution = crate::matching::solve(&instance);
    let mut out = std::io::BufWriter::new(std::io::stdout().lock());
    serde_json::to_writer(&mut out, &solution)?;
    writeln!(out)?;
    out.flush()?;
    // The process ends right after this: freeing the instance and the solution, about
    // 0.1 s of small frees on a national instance, would only delay the exit.
    std::mem::forget((text, instance, solution));
    Ok(())
}
