//! The audit survives a crash (issue 17, item 4): reads of a client race while the service is
//! killed with SIGKILL; every read that was answered has its audit row in the database. Reads
//! are answered only once the group commit holding their rows has returned.

use std::io::Write;
use std::process::{Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use diesel::prelude::*;
use serde_json::{Value, json};

use helpmatch::db::DbConnection;
use helpmatch::db::schema::audit_events;

use crate::on_both_backends;
use crate::support::fixtures::{PASSWORD, client};
use crate::support::{TestBackend, TestDatabase};

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free port")
}

fn binary(url: &str, port: u16) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_helpmatch"));
    cmd.env("HELPMATCH__DATABASE__URL", url)
        .env("HELPMATCH__SERVER__PORT", port.to_string())
        .env("HELPMATCH__METRICS__BIND", "127.0.0.1:0")
        .env("HELPMATCH__EMAIL__WORKER", "false")
        .env("HELPMATCH__SERVER__WORKERS", "2")
        .env_remove("RUST_LOG")
        .stdout(Stdio::null())
        .stderr(Stdio::null());
    cmd
}

async fn every_answered_read_is_in_the_audit_log_after_a_kill(backend: TestBackend) {
    let database = TestDatabase::create(backend);
    let port = free_port();
    let mut admin = binary(&database.url, port)
        .args(["create-admin", "--email", "admin@example.dk"])
        .stdin(Stdio::piped())
        .spawn()
        .expect("create-admin");
    admin
        .stdin
        .take()
        .expect("stdin")
        .write_all(format!("{PASSWORD}\n").as_bytes())
        .expect("password");
    assert!(admin.wait().expect("create-admin ends").success());
    let mut server = binary(&database.url, port).spawn().expect("serve");
    let base = format!("http://127.0.0.1:{port}");
    let http = reqwest::Client::new();
    for _ in 0..200 {
        if http
            .get(format!("{base}/health/ready"))
            .send()
            .await
            .is_ok_and(|r| r.status() == 200)
        {
            break;
        }
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
    let login: Value = http
        .post(format!("{base}/api/v1/auth/login"))
        .json(&json!({"email": "admin@example.dk", "password": PASSWORD}))
        .send()
        .await
        .expect("login")
        .json()
        .await
        .expect("token");
    let token = login["access_token"].as_str().expect("token").to_string();
    let branch: Value = http
        .post(format!("{base}/api/v1/branches"))
        .bearer_auth(&token)
        .json(&json!({"name": "Aarhus", "country": "DK", "time_zone": "Europe/Copenhagen", "currency": "DKK",
                      "centre": {"lat": 56.1567, "lon": 10.2108}, "phone": "+45 70 20 30 40"}))
        .send()
        .await
        .expect("branch")
        .json()
        .await
        .expect("branch");
    let created: Value = http
        .post(format!("{base}/api/v1/clients"))
        .bearer_auth(&token)
        .json(&client(
            branch["id"].as_i64().expect("branch id"),
            "karen@example.dk",
        ))
        .send()
        .await
        .expect("client")
        .json()
        .await
        .expect("client");
    let id = created["id"].as_i64().expect("client id");

    let answered = Arc::new(AtomicUsize::new(0));
    let readers: Vec<_> = (0..8)
        .map(|_| {
            let (http, token, answered) = (http.clone(), token.clone(), answered.clone());
            let path = format!("{base}/api/v1/clients/{id}");
            tokio::spawn(async move {
                while let Ok(response) = http.get(&path).bearer_auth(&token).send().await {
                    if response.status() != 200 {
                        break;
                    }
                    // Counted only once the body has arrived: the read was answered.
                    if response.bytes().await.is_err() {
                        break;
                    }
                    answered.fetch_add(1, Ordering::SeqCst);
                }
            })
        })
        .collect();
    tokio::time::sleep(Duration::from_millis(700)).await;
    server.kill().expect("SIGKILL");
    server.wait().expect("gone");
    for reader in readers {
        reader.await.expect("reader");
    }
    let answered = answered.load(Ordering::SeqCst);
    assert!(
        answered > 10,
        "reads were answered before the kill: {answered}"
    );
    let mut conn = DbConnection::open(&database.url).expect("database");
    let audited: i64 = audit_events::table
        .filter(audit_events::action.eq("read"))
        .filter(audit_events::entity.eq("client"))
        .filter(audit_events::entity_id.eq(id))
        .count()
        .get_result(&mut conn)
        .expect("count");
    assert!(
        audited as usize >= answered,
        "{answered} reads answered, {audited} audited"
    );
}

on_both_backends!(every_answered_read_is_in_the_audit_log_after_a_kill);
