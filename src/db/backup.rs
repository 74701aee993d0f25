//! Backups of the whole database, taken while the service runs, and their restore.
//!
//! SQLite: SQLite's online backup API (`rusqlite::backup`), copying every page in one step, so
//! the copy is one consistent snapshot even while other connections write (WAL mode lets them
//! go on). It is written beside the target and renamed into place, so a half-written backup is
//! never left under the name. PostgreSQL: `pg_dump --format=custom`, which reads in one
//! repeatable-read transaction (a consistent snapshot without stopping writers), and
//! `pg_restore --single-transaction`, so a failed restore changes nothing.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

use rusqlite::backup::{Backup, StepResult};
use rusqlite::{Connection, OpenFlags};

use super::connection::{Backend, sqlite_path};

/// Why a backup or restore did not happen.
#[derive(Debug, thiserror::Error)]
pub enum BackupError {
    /// The file to write exists already: a backup never overwrites one.
    #[error("{0} exists already; choose another file")]
    Exists(PathBuf),
    /// The file to restore from is not a helpmatch database backup.
    #[error("{0} is not a helpmatch backup: {1}")]
    NotABackup(PathBuf, String),
    /// SQLite refused.
    #[error("SQLite: {0}")]
    Sqlite(#[from] rusqlite::Error),
    /// Reading or writing a file failed.
    #[error("{0}")]
    Io(#[from] std::io::Error),
    /// pg_dump or pg_restore failed (their message follows).
    #[error("{0} failed: {1}")]
    Tool(&'static str, String),
}

/// Backs the database at `url` up into the new file `to`; returns its size in bytes.
pub fn backup(url: &str, to: &Path) -> Result<u64, BackupError> {
    if to.exists() {
        return Err(BackupError::Exists(to.to_path_buf()));
    }
    match Backend::from_url(url) {
        Backend::Sqlite => sqlite_backup(sqlite_path(url), to)?,
        Backend::Postgres => tool(
            "pg_dump",
            pg_tool("pg_dump", url)
                .arg("--format=custom")
                .arg("--no-owner")
                .arg("--file")
                .arg(to),
        )?,
    }
    Ok(std::fs::metadata(to)?.len())
}

/// Restores the backup `from` into the database at `url`, replacing what it holds. Stop every
/// instance first: they would go on from a database that changed under them.
pub fn restore(url: &str, from: &Path) -> Result<(), BackupError> {
    if !from.is_file() {
        return Err(BackupError::NotABackup(
            from.to_path_buf(),
            "no such file".into(),
        ));
    }
    match Backend::from_url(url) {
        Backend::Sqlite => sqlite_restore(from, Path::new(sqlite_path(url))),
        Backend::Postgres => tool(
            "pg_restore",
            pg_tool("pg_restore", url)
                .arg("--clean")
                .arg("--if-exists")
                .arg("--no-owner")
                .arg("--single-transaction")
                .arg("--exit-on-error")
                .arg(from),
        ),
    }
}

/// How long a step waits when the source is busy before it tries again.
const BUSY_PAUSE: Duration = Duration::from_millis(50);

fn sqlite_backup(source: &str, to: &Path) -> Result<(), BackupError> {
    let src = Connection::open_with_flags(source, OpenFlags::SQLITE_OPEN_READ_ONLY)?;
    let partial = to.with_extension("partial");
    let _ = std::fs::remove_file(&partial);
    {
        let mut dst = Connection::open(&partial)?;
        copy_all(&src, &mut dst)?;
        check_is_helpmatch(&dst, to)?;
    }
    std::fs::rename(&partial, to)?;
    Ok(())
}

fn sqlite_restore(from: &Path, target: &Path) -> Result<(), BackupError> {
    let src = Connection::open_with_flags(from, OpenFlags::SQLITE_OPEN_READ_ONLY)?;
    check_is_helpmatch(&src, from)?;
    if let Some(folder) = target.parent().filter(|p| !p.as_os_str().is_empty()) {
        std::fs::create_dir_all(folder)?;
    }
    let mut dst = Connection::open(target)?;
    copy_all(&src, &mut dst)
}

/// Copies every page in one step: one read transaction on the source, so one snapshot however
/// many writers go on (rusqlite's `run_to_completion` copies in several steps, and a write
/// between two steps would start the copy over). Waits while the source is busy or locked.
fn copy_all(src: &Connection, dst: &mut Connection) -> Result<(), BackupError> {
    let backup = Backup::new(src, dst)?;
    loop {
        match backup.step(-1)? {
            StepResult::Done => return Ok(()),
            StepResult::More => {}
            _ => std::thread::sleep(BUSY_PAUSE),
        }
    }
}

/// A sound SQLite file with helpmatch's migrations table.
fn check_is_helpmatch(conn: &Connection, path: &Path) -> Result<(), BackupError> {
    let not = |why: String| BackupError::NotABackup(path.to_path_buf(), why);
    let check: String = conn
        .query_row("PRAGMA quick_check", [], |row| row.get(0))
        .map_err(|e| not(e.to_string()))?;
    if check != "ok" {
        return Err(not(check));
    }
    let migrations: i64 = conn
        .query_row(
            "SELECT count(*) FROM sqlite_master WHERE name = '__diesel_schema_migrations'",
            [],
            |row| row.get(0),
        )
        .map_err(|e| not(e.to_string()))?;
    if migrations == 0 {
        return Err(not("it has no helpmatch migrations".into()));
    }
    Ok(())
}

/// The URL without its password, and the password: the tools get it through `PGPASSWORD`, so it
/// never shows in the process list.
fn without_password(url: &str) -> (String, Option<String>) {
    match url::Url::parse(url) {
        Ok(mut parsed) => {
            // Percent-decoding, not form decoding: a `+` in a password is a plus.
            let password = parsed.password().map(|p| {
                percent_encoding::percent_decode_str(p)
                    .decode_utf8_lossy()
                    .into_owned()
            });
            let _ = parsed.set_password(None);
            (parsed.to_string(), password)
        }
        Err(_) => (url.to_string(), None),
    }
}

/// `pg_dump` or `pg_restore` against `url`, the password in the environment.
fn pg_tool(name: &'static str, url: &str) -> Command {
    let (bare, password) = without_password(url);
    let mut command = Command::new(name);
    if let Some(password) = password {
        command.env("PGPASSWORD", password);
    }
    command.arg("--dbname").arg(bare);
    command
}

fn tool(name: &'static str, command: &mut Command) -> Result<(), BackupError> {
    let out = command
        .output()
        .map_err(|e| BackupError::Tool(name, format!("cannot run it: {e}")))?;
    if out.status.success() {
        Ok(())
    } else {
        Err(BackupError::Tool(
            name,
            String::from_utf8_lossy(&out.stderr).trim().to_string(),
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::without_password;

    #[test]
    fn the_password_leaves_the_url_for_the_environment() {
        let (bare, password) =
            without_password("postgres://app:s%40cret@db:5432/helpmatch?sslmode=require");
        assert_eq!(bare, "postgres://app@db:5432/helpmatch?sslmode=require");
        assert_eq!(password.as_deref(), Some("s@cret"));
        let (_, password) = without_password("postgres://app:a+b%2Bc@db/helpmatch");
        assert_eq!(password.as_deref(), Some("a+b+c"));
        let (bare, password) = without_password("postgres://postgres@127.0.0.1:5432/x");
        assert_eq!(bare, "postgres://postgres@127.0.0.1:5432/x");
        assert_eq!(password, None);
    }
}
