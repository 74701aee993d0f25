//! The real binary: `cargo run`'s defaults work, and SIGTERM stops it gracefully.

use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

#[tokio::test]
async fn the_binary_serves_with_no_configuration_and_stops_cleanly_on_sigterm() {
    let dir = tempfile::tempdir().unwrap();
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let mut child = Command::new(env!("CARGO_BIN_EXE_helpmatch"))
        .current_dir(dir.path())
        .env_remove("HELPMATCH__DATABASE__URL")
        .env("HELPMATCH__SERVER__PORT", port.to_string())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("binary starts");
    let url = format!("http://127.0.0.1:{port}/health/ready");
    let started = Instant::now();
    let mut ready = false;
    while started.elapsed() < Duration::from_secs(20) && !ready {
        ready = reqwest::get(&url)
            .await
            .is_ok_and(|r| r.status().as_u16() == 200);
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(ready, "the service became ready on its default SQLite file");
    assert!(
        dir.path().join("data/helpmatch.db").exists(),
        "the default database lives under ./data/"
    );

    Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    let output = tokio::task::spawn_blocking(move || {
        let deadline = Instant::now() + Duration::from_secs(15);
        while Instant::now() < deadline {
            if let Ok(Some(_)) = child.try_wait() {
                return child.wait_with_output();
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        let _ = child.kill();
        child.wait_with_output()
    })
    .await
    .unwrap()
    .unwrap();

    assert!(output.status.success(), "exit status {:?}", output.status);
    let log = String::from_utf8_lossy(&output.stdout);
    assert!(log.contains("graceful shutdown"), "{log}");
    assert!(log.contains("helpmatch stopped"), "{log}");
}
