//! Re-solving after a small change: cold, warm (`solve_warm`), and keep mode.
//!
//! ```sh
//! cargo run --release --example matching_resolve -- /tmp/mbw/nation100k.json
//! ```
//!
//! Solves the instance once (keeping the warm-start state), then changes it the way a
//! branch's week changes it: the first helper leaves and 20 new clients appear (copies of
//! existing clients' homes and needs, with new ids). The changed instance is solved cold,
//! warm from the first run's state, and in keep mode with the first result as `current`.
//! Prints the times; exits 1 if warm and cold disagree on the number of pairs or the cost.

use helpmatch::matching::{self, Instance, InstanceClient, Mode, Solution};
use std::time::Instant;

const NEW_CLIENTS: usize = 20;

fn main() -> anyhow::Result<()> {
    let path = std::env::args()
        .nth(1)
        .ok_or_else(|| anyhow::anyhow!("usage: matching_resolve INSTANCE.json"))?;
    let instance = Instance::from_json(&std::fs::read_to_string(&path)?)?;

    let (first, state) = timed("fresh", || matching::solve_with_state(&instance));

    let changed = change(&instance);
    let (cold, _) = timed("changed, cold", || matching::solve_with_state(&changed));
    let (warm, _) = timed("changed, warm", || matching::solve_warm(&changed, &state));
    let kept = keep_previous(&changed, &first);
    timed(
        "changed, keep mode with the previous pairs as current",
        || matching::solve(&kept),
    );

    let agree = (warm.pairs, warm.total_cost) == (cold.pairs, cold.total_cost);
    println!(
        "warm = cold: {agree} ({} pairs, cost {})",
        cold.pairs, cold.total_cost
    );
    if !agree {
        std::process::exit(1);
    }
    Ok(())
}

/// Runs `f`, printing its wall time.
fn timed<T>(what: &str, f: impl FnOnce() -> T) -> T {
    let started = Instant::now();
    let out = f();
    println!("{what}: {:.3} s", started.elapsed().as_secs_f64());
    out
}

/// The first helper leaves; 20 new clients appear where existing ones live.
fn change(instance: &Instance) -> Instance {
    let mut changed = instance.clone();
    if let Some(gone) = changed.helpers.first().map(|h| h.id.clone()) {
        changed.helpers.remove(0);
        for c in &mut changed.clients {
            c.current.retain(|h| *h != gone);
        }
    }
    let step = (instance.clients.len() / NEW_CLIENTS).max(1);
    let new: Vec<InstanceClient> = instance
        .clients
        .iter()
        .step_by(step)
        .take(NEW_CLIENTS)
        .enumerate()
        .map(|(i, c)| InstanceClient {
            id: format!("new-{i}"),
            current: Vec::new(),
            ..c.clone()
        })
        .collect();
    changed.clients.extend(new);
    changed
}

/// The changed instance in keep mode, every client keeping the pairs it has in `previous`.
fn keep_previous(changed: &Instance, previous: &Solution) -> Instance {
    let mut kept = changed.clone();
    kept.params.mode = Mode::Keep;
    let helpers: std::collections::BTreeSet<&str> =
        changed.helpers.iter().map(|h| h.id.as_str()).collect();
    let mut current: std::collections::BTreeMap<&str, Vec<String>> = Default::default();
    for a in &previous.assignments {
        if helpers.contains(a.helper.as_str()) {
            current
                .entry(a.client.as_str())
                .or_default()
                .push(a.helper.clone());
        }
    }
    for c in &mut kept.clients {
        c.current = current.remove(c.id.as_str()).unwrap_or_default();
    }
    kept
}
