//! `helpmatch match --instance FILE|-`: the command-line contract of
//! shared/design/matching.md, run against the real binary.

use std::io::Write;
use std::process::{Command, Stdio};

/// The worked example of the design note: h1–c1 are 1,472.95 m apart.
const EXAMPLE: &str = r#"{
  "params": {"max_distance_m": 15000, "missing_skill_penalty_m": 5000,
             "mode": "keep", "change_penalty_m": 3000},
  "helpers": [{"id": "h1", "lat": 56.1567, "lon": 10.2108,
               "skills": ["cooking", "it"], "languages": ["da", "en"],
               "capacity": 3}],
  "clients": [{"id": "c1", "lat": 56.1620, "lon": 10.1890,
               "needs": ["it"], "languages": ["da"], "wanted": 2,
               "current": []}]
}"#;

fn run(args: &[&str], stdin: &str, env: &[(&str, &str)]) -> (i32, String, String) {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_helpmatch"));
    cmd.args(args)
        .env_remove("RUST_LOG")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    for (k, v) in env {
        cmd.env(k, v);
    }
    let mut child = cmd.spawn().expect("the binary starts");
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(stdin.as_bytes())
        .expect("stdin written");
    let out = child.wait_with_output().expect("the binary ends");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn match_solves_the_worked_example_from_a_file_and_from_stdin() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("instance.json");
    std::fs::write(&path, EXAMPLE).unwrap();
    for (args, stdin) in [
        (vec!["match", "--instance", path.to_str().unwrap()], ""),
        (vec!["match", "--instance", "-"], EXAMPLE),
    ] {
        let (code, stdout, stderr) = run(&args, stdin, &[]);
        assert_eq!(code, 0, "stderr: {stderr}");
        let solution: serde_json::Value = serde_json::from_str(&stdout).expect("stdout is JSON");
        assert_eq!(solution["pairs"], 1);
        assert_eq!(solution["total_cost"], 1473);
        assert_eq!(
            solution["assignments"][0],
            serde_json::json!({"client": "c1", "helper": "h1", "cost": 1473, "new": true})
        );
        assert_eq!(
            solution["unfilled"][0],
            serde_json::json!({"client": "c1", "missing": 1,
                               "reason": "no eligible helper with free capacity",
                               "rules": ["capacity"]})
        );
    }
}

#[test]
fn match_rejects_bad_input_with_a_message_and_no_panic() {
    let (code, stdout, stderr) = run(&["match", "--instance", "-"], r#"{"helpers": 1}"#, &[]);
    assert_eq!(code, 1);
    assert!(stdout.is_empty(), "nothing on stdout: {stdout}");
    assert!(
        stderr.contains("invalid instance") && stderr.contains("expected a sequence"),
        "{stderr}"
    );
    assert!(!stderr.contains("panicked"), "{stderr}");

    let (code, _, stderr) = run(&["match", "--instance", "/no/such/file.json"], "", &[]);
    assert_eq!(code, 1);
    assert!(
        stderr.contains("cannot read /no/such/file.json"),
        "{stderr}"
    );
}

#[test]
fn match_reads_rules_3_and_4_and_refuses_an_exclusion_of_nobody() {
    let instance = |excluded: &str| {
        format!(
            r#"{{"helpers": [{{"id": "near", "lat": 56.1567, "lon": 10.2108, "capacity": 3, "avoids": ["smoking"]}},
                           {{"id": "mid", "lat": 56.1600, "lon": 10.2000, "capacity": 3}},
                           {{"id": "far", "lat": 56.2000, "lon": 10.2000, "capacity": 3}}],
                "clients": [{{"id": "c1", "lat": 56.1567, "lon": 10.2110, "wanted": 3,
                             "home_traits": ["smoking"], "excluded_helpers": ["{excluded}"]}}]}}"#
        )
    };

    let (code, stdout, stderr) = run(&["match", "--instance", "-"], &instance("mid"), &[]);

    assert_eq!(code, 0, "stderr: {stderr}");
    let solution: serde_json::Value = serde_json::from_str(&stdout).expect("stdout is JSON");
    let helpers: Vec<&str> = solution["assignments"]
        .as_array()
        .expect("assignments")
        .iter()
        .map(|a| a["helper"].as_str().expect("helper"))
        .collect();
    assert_eq!(helpers, ["far"], "near avoids smoking, mid is excluded");
    assert_eq!(
        solution["unfilled"][0]["rules"],
        serde_json::json!(["excluded", "home_trait"])
    );

    let (code, stdout, stderr) = run(&["match", "--instance", "-"], &instance("h9"), &[]);
    assert_eq!(code, 1);
    assert!(stdout.is_empty(), "{stdout}");
    assert!(
        stderr.contains("excluded helper \"h9\" does not exist"),
        "{stderr}"
    );
}

#[test]
fn match_stage_times_go_to_stderr_and_leave_stdout_pure_json() {
    let (code, stdout, stderr) = run(
        &["match", "--instance", "-"],
        EXAMPLE,
        &[("RUST_LOG", "helpmatch::matching=debug")],
    );
    assert_eq!(code, 0, "stderr: {stderr}");
    let solution: serde_json::Value = serde_json::from_str(&stdout).expect("stdout is JSON");
    assert_eq!(solution["total_cost"], 1473);
    for stage in ["nearest helpers", "max flow and cut pricing", "assemble"] {
        assert!(
            stderr.contains(stage),
            "stage {stage} missing from: {stderr}"
        );
    }
    assert!(
        !stderr.contains('\u{1b}'),
        "no colour codes when stderr is not a terminal"
    );
}
