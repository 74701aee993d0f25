//! Backups (issue 17, item 3): `helpmatch backup --to FILE` while bookings go on, and
//! `helpmatch restore --from FILE` into an empty database, on SQLite (the online backup API) and
//! PostgreSQL (pg_dump, pg_restore). The restored database is one moment of the original: its
//! ledger balances against its visits, and its outbox sends only what was not yet sent then.

use std::path::Path;
use std::process::Command;
use std::time::Duration;

use diesel::prelude::*;
use secrecy::SecretString;
use serde_json::json;

use helpmatch::db::DbConnection;
use helpmatch::db::models::ledger::LedgerEntry;
use helpmatch::db::schema::{outbox, visits};
use helpmatch::domain::ids::ClientId;
use helpmatch::startup::Application;

use crate::on_both_backends;
use crate::support::{TestApp, TestBackend, TestDatabase, spawn_app_with, test_settings};
use crate::visit_edges::{starts_in_hours, team};

/// Runs the binary against the database at `url`: (succeeded, stdout and stderr).
fn helpmatch(args: &[&str], url: &str) -> (bool, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_helpmatch"))
        .args(args)
        .env("HELPMATCH__DATABASE__URL", url)
        .env_remove("RUST_LOG")
        .output()
        .expect("the binary runs");
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    (out.status.success(), text)
}

fn statuses(url: &str) -> Vec<(i64, String)> {
    let mut conn = DbConnection::open(url).expect("database");
    outbox::table
        .order(outbox::id)
        .select((outbox::id, outbox::status))
        .load(&mut conn)
        .expect("outbox")
}

/// Waits until no mail is `pending` (sent, or claimed: `sending` until its lease ends).
async fn until_nothing_pending(url: &str) {
    for _ in 0..400 {
        if statuses(url).iter().all(|(_, s)| s != "pending") {
            return;
        }
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
    panic!("mails still waiting: {:?}", statuses(url));
}

/// The outbox ids in the Message-IDs of the `.eml` files a worker wrote into `dir`.
fn delivered_ids(dir: &Path) -> Vec<i64> {
    let mut ids: Vec<i64> = std::fs::read_dir(dir)
        .map(|entries| {
            entries
                .map(|e| e.expect("entry").path())
                .collect::<Vec<_>>()
        })
        .unwrap_or_default()
        .iter()
        .map(|file| {
            let raw = std::fs::read(file).expect("mail");
            let mail = mailparse::parse_mail(&raw).expect("MIME");
            let id =
                mailparse::MailHeaderMap::get_first_value(mail.headers.as_slice(), "Message-ID")
                    .expect("Message-ID");
            id.trim_start_matches("<outbox-")
                .split('@')
                .next()
                .and_then(|n| n.parse().ok())
                .expect("an outbox id")
        })
        .collect();
    ids.sort();
    ids
}

async fn book(app: &TestApp, admin: &str, client: i64, helper: i64, i: i64) -> u16 {
    app.client
        .post(format!("{}/api/v1/visits", app.address))
        .bearer_auth(admin)
        .json(&json!({"client_id": client, "helper_id": helper, "starts_at": starts_in_hours(48 + 2 * i),
                      "segments": [{"task": "cleaning", "minutes": 60}]}))
        .send()
        .await
        .expect("answered")
        .status()
        .as_u16()
}

async fn a_backup_taken_during_bookings_restores_balanced_and_sends_nothing_twice(
    backend: TestBackend,
) {
    let folder = tempfile::tempdir().expect("folder");
    let first_outbox = folder.path().join("outbox-1");
    let dir = first_outbox.clone();
    let app = spawn_app_with(backend.clone(), move |s| {
        s.email.worker = true;
        s.email.file_dir = dir;
        s.database.max_connections = 8;
        s.server.workers = 4;
    })
    .await;
    let t = team(&app).await;
    for _ in 0..2 {
        app.buy(&t.admin, t.client, "clip_card_8h").await;
    }
    until_nothing_pending(&app.database.url).await;

    // Bookings (and the mails they owe) go on while the backup is taken.
    const BOOKINGS: i64 = 16;
    let file = folder.path().join("helpmatch.backup");
    let (url, file_arg) = (app.database.url.clone(), file.display().to_string());
    let backup = tokio::task::spawn_blocking(move || {
        std::thread::sleep(Duration::from_millis(150));
        helpmatch(&["backup", "--to", &file_arg], &url)
    });
    let booked = futures::future::join_all(
        (0..BOOKINGS).map(|i| book(&app, &t.admin, t.client, t.helper, i)),
    )
    .await;
    assert!(booked.iter().all(|&s| s == 201), "{booked:?}");
    let (ok, said) = backup.await.expect("backup ran");
    assert!(ok, "{said}");
    assert!(said.contains("backed up into"), "{said}");

    // A second backup never overwrites the first.
    let (again, said) = helpmatch(
        &["backup", "--to", &file.display().to_string()],
        &app.database.url,
    );
    assert!(!again && said.contains("exists already"), "{said}");

    let restored = TestDatabase::create(backend.clone());
    let (ok, said) = helpmatch(
        &["restore", "--from", &file.display().to_string()],
        &restored.url,
    );
    assert!(ok, "{said}");

    // One moment of the original: the hours reserved are exactly those of its booked visits.
    let mut conn = DbConnection::open(&restored.url).expect("restored database");
    let minutes: Vec<i32> = visits::table
        .filter(visits::client_id.eq(t.client))
        .filter(visits::status.eq("booked"))
        .select(visits::minutes)
        .load(&mut conn)
        .expect("visits");
    assert!(minutes.len() as i64 <= BOOKINGS);
    let balance = LedgerEntry::balance(&mut conn, ClientId(t.client)).expect("balance");
    assert_eq!(
        balance.reserved_minutes,
        minutes.iter().map(|&m| i64::from(m)).sum::<i64>(),
        "{balance:?}"
    );
    assert_eq!(
        balance.available_minutes + balance.reserved_minutes + balance.used_minutes,
        3 * 480,
        "{balance:?}"
    );

    // A service on the restored database sends what was not yet sent at that moment, and
    // nothing that was.
    let before: Vec<(i64, String)> = statuses(&restored.url);
    let was_sent: Vec<i64> = before
        .iter()
        .filter(|(_, s)| s == "sent")
        .map(|(id, _)| *id)
        .collect();
    // A mail a worker had claimed at that moment (`sending`) goes when its lease ends, minutes
    // later: the worker may have died holding it.
    let owed: Vec<i64> = before
        .iter()
        .filter(|(_, s)| s == "pending")
        .map(|(id, _)| *id)
        .collect();
    assert!(
        !was_sent.is_empty(),
        "the mails sent before the backup are in it as sent"
    );
    let second_outbox = folder.path().join("outbox-2");
    let mut settings = test_settings();
    settings.database.url = SecretString::from(restored.url.clone());
    settings.email.worker = true;
    settings.email.file_dir = second_outbox.clone();
    let second = Application::build(settings)
        .await
        .expect("service on the restored database");
    tokio::spawn(second.run_until_stopped());
    for _ in 0..400 {
        let now = statuses(&restored.url);
        if owed
            .iter()
            .all(|id| now.iter().any(|(i, s)| i == id && s == "sent"))
        {
            break;
        }
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
    assert_eq!(delivered_ids(&second_outbox), owed);
}

async fn a_restore_from_something_that_is_not_a_backup_changes_nothing(backend: TestBackend) {
    let folder = tempfile::tempdir().expect("folder");
    let app = spawn_app_with(backend, |_| {}).await;
    let admin = app.admin_token().await;
    app.create_branch(&admin, "Aarhus").await;
    let junk = folder.path().join("junk.backup");
    std::fs::write(&junk, "not a database").expect("junk");
    let (ok, said) = helpmatch(
        &["restore", "--from", &junk.display().to_string()],
        &app.database.url,
    );
    assert!(!ok, "{said}");
    let missing = folder.path().join("missing.backup");
    let (ok, said) = helpmatch(
        &["restore", "--from", &missing.display().to_string()],
        &app.database.url,
    );
    assert!(!ok && said.contains("no such file"), "{said}");
    // The database is as it was.
    let branches = app.get_ok("/api/v1/branches?limit=10", &admin).await;
    assert_eq!(branches["items"].as_array().expect("items").len(), 1);
}

on_both_backends!(
    a_backup_taken_during_bookings_restores_balanced_and_sends_nothing_twice,
    a_restore_from_something_that_is_not_a_backup_changes_nothing,
);
